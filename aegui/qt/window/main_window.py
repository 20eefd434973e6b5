"""The main window lays out the panels, the menus, the toolbar and the status bar. It holds no
state of its own: the Workspace (aegui.core.workspace) owns the models and the training, each
panel binds itself to the workspace's events, and TrainingRunner runs the training it asks for.

torch is not imported here: the window shows first, then `start_loading()` imports it and opens
the demo models on a worker thread.
"""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QRect, QSettings, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMessageBox, QScrollArea, QTabBar, QWidget

from aegui.core.workspace.workspace import Workspace
from aegui.qt.workers import collector, threads
from aegui.qt.storage.files import FileActions
from aegui.qt.guide.hints import Guide
from aegui.qt.i18n import bind_text, on_language, tr
from aegui.qt.window.menus import Menus
from aegui.qt.window.model_bar import ModelBar
from aegui.qt.perspectives.arranger import Arranger
from aegui.qt.perspectives.panels import PANELS, RAISED, START, later, load, make
from aegui.qt.perspectives.table import perspective
from aegui.qt.perspectives.switcher import Switcher
from aegui.qt.window.status_bar import StatusBar
from aegui.qt.widgets.text.terms import explain
from aegui.qt.widgets.text.title_tip import TitleTip
from aegui.qt.workers.training_runner import TrainingRunner
from aegui.qt.window.window_fit import WindowFit

DEFAULT_SIZE = (1280, 800)   # fitted to the screen, frame included (window_fit)
LOAD_PROBLEM_MS = 60_000   # long enough to read a path and a reason
QUIT_QUESTIONS = {   # what is running: (question, facts, do, keep)
    "sweep": ("Cancel the sweep and quit?",
              "A sweep is running. It will be cancelled; the configs that finished are saved.",
              "Cancel and quit", "Keep the sweep running"),
    "analysis": ("Cancel the analysis and quit?",
                 "An analysis is running. It will be cancelled; what it measured so far is not saved.",
                 "Cancel and quit", "Keep the analysis running"),
    "report": ("Cancel the course report and quit?",
               "A course report is running. The experiment under way will be cancelled; the ones that finished "
               "are kept, and running the report again goes on from there.", "Cancel and quit", "Keep the report running"),
    "training": ("Stop training and quit?",
                 "Training is running. It will be stopped; the best model so far is autosaved.",
                 "Stop and quit", "Keep training"),
}


class MainWindow(QMainWindow):
    model_loaded = Signal()           # the demo models are in (smoke test, screenshots)
    closing = False                   # the close was accepted: what start-up loads is dropped

    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        collector.start()   # before any worker thread exists
        if settings is None:
            from aegui.qt.storage.settings import app_settings
            settings = app_settings()
        self.settings = settings
        self.headless = False        # --smoke / --screenshot: nothing may wait for a person
        self.load_problems: list[str] = []    # the models start-up could not open, one sentence each
        self.confirm_close = True   # tests and --smoke close without asking
        self.workspace = ws = Workspace()
        self.runner = TrainingRunner(ws, self)
        self.files = FileActions(self, ws)
        self._build_panels()
        self._build_docks()
        self.model_bar = ModelBar(ws, self)
        self.switcher = Switcher(self.arranger)
        self.model_bar.insertWidget(self.model_bar.actions()[0], self.switcher)
        self.model_bar.insertSeparator(self.model_bar.actions()[1])
        self.addToolBar(Qt.TopToolBarArea, self.model_bar)
        self.menus = Menus(self, ws, self.files)
        self.guide = Guide(self, self.settings)     # the first-run hints and the guided tour (Help menu)
        self.status = StatusBar(self.statusBar(), ws)
        self._bind()
        bind_text(self, self.setWindowTitle, "aegui — autoencoder studio")
        on_language(self, self._translate_extras)
        self._translate_extras()
        self.screen_fit = WindowFit(self)
        self._restore_layout()

    # ---------------------------------------------------------------- building
    def _build_panels(self) -> None:
        # The panels the first perspective shows (the panel table's START ones); the others come
        # in when first reached (build_panels).
        self._panels: dict[str, QWidget] = {key: make(key) for key, p in PANELS.items() if p.built == START}
        self.editor, self.latent, self.library = (self._panels[key] for key in ("editor", "latent", "library"))
        self._started: dict[str, object] = {}    # what each panel's at_start hook returned

    def _before_laid_out(self, keys) -> None:
        """The arranger is about to lay out these docks: their panels come in now, except the
        tabs that wait until raised (RAISED; their dock builds them when it comes forward)."""
        self.build_panels([key for key in keys if PANELS[key].built != RAISED])

    def built(self, key: str) -> bool:
        """Whether a dock's panel exists yet (only the ones built later may not)."""
        return not later(key) or key in self._panels

    def build_panels(self, keys) -> None:
        """Build the panels among `keys` that are not yet (after the ones each needs): put in their
        docks and joined to the window, reading the workspace as it is now (the models, the
        current one, the draft)."""
        for key in keys:
            if self.built(key):
                continue
            self.build_panels(PANELS[key].needs)
            panel = self._panels[key] = make(key)
            self.docks[key].setWidget(self._scrolled(key, panel))
            self._join(key, panel)
            self._translate_extras()

    def _join(self, key: str, panel: QWidget) -> None:
        hook = PANELS[key].bind
        if hook:
            load(hook)(panel, self, self._started.get(key))
        else:
            panel.bind(self.workspace)
        help_button = getattr(panel, "help_button", None)     # a panel's "?": its section of the user guide
        if help_button is not None:
            help_button.clicked.connect(lambda _=False: self.menus.user_guide.open_panel(key))

    def panel(self, key: str) -> QWidget:
        """The panel of a dock, built now if it was not yet."""
        self.build_panels([key])
        return self._panels[key]

    builder = property(lambda self: self.panel("builder"))
    experiments = property(lambda self: self.panel("experiments"))
    analyses = property(lambda self: self.panel("analyses"))
    compare = property(lambda self: self.panel("compare"))
    training = property(lambda self: self.panel("training"))
    recon = property(lambda self: self.panel("recon"))
    network = property(lambda self: self.panel("network"))
    drawing = property(lambda self: self.panel("draw"))
    explain = property(lambda self: self.panel("explain"))

    def _bind(self) -> None:
        """Each panel binds itself to the workspace; the window only brings the right dock forward.
        The perspective changes only when the user asks: "Send to editor" asks for the editor; a
        run, a teaching or another model on the map offer the panel that would help (each panel's
        at_start hook in the panel table says what brings it forward)."""
        ws = self.workspace
        self._started = {key: load(p.at_start)(self) for key, p in PANELS.items() if p.at_start}
        for key, panel in self._panels.items():
            self._join(key, panel)
        self.latent.replay.exported.connect(self.status.say)
        self.runner.data_warnings.connect(self.files.show_data_warnings)
        ws.training_failed.connect(self._training_failed)
        for key, dock in self.docks.items():     # the user went there: nothing left to offer
            dock.visibilityChanged.connect(lambda shown, key=key: shown and self.status.withdraw(key))

    def on_screen(self, key: str) -> bool:
        """Whether a dock is shown (in front of its tabs: those behind are moved off the window)."""
        dock = self.docks[key]
        return dock.isVisible() and not dock.visibleRegion().isEmpty()

    def offer_dock(self, key: str, text: str, link: str) -> None:
        """Offer a dock in the status bar (`text`, `link`: English, translated there)."""
        if not self.on_screen(key):
            self.status.offer(key, text, link, lambda: self.show_dock(key))

    def raise_here(self, key: str) -> None:
        """Bring a dock forward when the perspective shown has it (a run's charts as it starts),
        never going to another perspective nor reopening a dock the user closed."""
        dock = self.docks[key]
        if key in perspective(self.arranger.current()).docks() and not dock.isFloating() \
                and dock.toggleViewAction().isChecked():
            dock.raise_()

    @staticmethod
    def _scrolled(key: str, widget: QWidget) -> QWidget:
        if not PANELS[key].scrolls:
            return widget
        # Their width must not set the window's minimum (a 1024 px screen holds them beside
        # the builder).
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(widget)
        return scroll

    def _dock(self, key: str, widget: QWidget | None) -> QDockWidget:
        dock = QDockWidget(self)
        dock.setObjectName(f"dock-{key}")
        if widget is not None:
            dock.setWidget(self._scrolled(key, widget))
        else:
            # Opened from View > Panels (or a layout restored) before anything built it.
            dock.visibilityChanged.connect(lambda shown: shown and self.build_panels([key]))
        self.addDockWidget(Qt.RightDockWidgetArea, dock)
        dock.hide()
        return dock

    def _build_docks(self) -> None:
        # One dock a panel of the panel table, in its order; where each goes is the perspectives'
        # business (aegui/qt/perspectives/table.py, from each panel's places).
        self.docks = {key: self._dock(key, self._panels.get(key)) for key in PANELS}
        for key, dock in self.docks.items():
            bind_text(self, dock.setWindowTitle, PANELS[key].title)
        # A term's explanation: on the dock's title, not over the panel.
        self._title_tips = [TitleTip(self.docks[key]) for key, p in PANELS.items() if p.term]
        self.arranger = Arranger(self, self.docks, before_shown=self._before_laid_out)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.arranger.hide_ghost_tab_bars()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.arranger.hide_ghost_tab_bars()

    # ---------------------------------------------------------------- text
    def _translate_extras(self) -> None:
        """The texts no bind_text holds: a term's explanation, and pyqtgraph's own right-click
        menus, which its plots make (and remake) themselves."""
        for key, p in PANELS.items():
            if p.term:
                self.docks[key].setToolTip(explain(p.term))
        import pyqtgraph as pg
        for view in self.findChildren(pg.GraphicsView):   # pyqtgraph's own right-click menu
            for action in getattr(view.scene(), "contextMenu", []):
                if action.text().replace("&", "") in ("Export...", tr("Export...")):
                    action.setText(tr("Export..."))

    # ---------------------------------------------------------------- startup
    def start_loading(self, extra_paths=()) -> None:
        from aegui.core.workspace.startup import open_startup
        last = self.settings.value("last_model")
        paths = list(extra_paths) or ([last] if isinstance(last, str) and last and Path(last).exists() else [])
        threads.run_task(open_startup, paths, on_done=self._loaded, on_error=self._load_failed)

    def _loaded(self, startup) -> None:
        if self.closing:
            return      # closed while loading: no panel is to compute for these models now
        self.workspace.opened_at_start(startup.models, startup.last_session, startup.devices, startup.device_name)
        if startup.problems:
            self._tell_load_problems(tr("Some models could not be loaded"), startup.problems)
        self.guide.start()          # the first-run hints, until dismissed for good
        self.model_loaded.emit()
        QTimer.singleShot(0, collector.freeze_survivors)   # ~0.1 s, once, after the first paint

    def _load_failed(self, error) -> None:
        if self.closing:
            return
        self.workspace.opened_at_start([], False, [], "")
        self._tell_load_problems(tr("Could not open the model"), [threads.error_text(error)])
        self.model_loaded.emit()

    def warn_settings(self, problem: str) -> None:
        """The settings folder cannot be written (settings.settings_problem): the window runs,
        keeping them in memory, and says so for as long as a load problem is shown."""
        self.settings_problem = problem
        self.status.say(tr("Settings are kept only until aegui closes: {problem}", problem=problem),
                        LOAD_PROBLEM_MS)

    def _tell_load_problems(self, title: str, problems: list[str]) -> None:
        """Models that did not open, told without stopping start-up: a modal box here held the
        rest of start-up (and a --smoke run, 120 s) until someone closed it. Headless runs only
        keep them in load_problems (app.py prints them); the window says them in the status bar
        and in a box that waits beside it."""
        self.load_problems = list(problems)
        if self.headless:
            return
        self.status.say(f"{title}: {' '.join(problems)}", LOAD_PROBLEM_MS)
        box = QMessageBox(QMessageBox.Icon.Warning, title, "\n\n".join(problems), QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()
        self.load_problem_box = box

    def _training_failed(self, error, stage: str) -> None:
        what = "Could not load the dataset" if stage == "loading" else "Training failed"
        QMessageBox.critical(self, tr(what), threads.error_text(error))

    # ---------------------------------------------------------------- experiments
    def run_analysis(self, key: str) -> bool:
        """Shows the analysis's tab and runs its default preset, unless that tab is already running."""
        self.show_dock("analyses")
        view = self.analyses.show_tab(key)
        if view.is_running():
            return False
        return view.run_preset()

    def show_dock(self, key: str) -> None:
        self.build_panels([key])
        self.arranger.show_dock(key)

    def new_sweep(self) -> None:
        self.experiments.new_sweep_from_draft()
        self.show_dock("experiments")

    def open_sweep_dialog(self) -> None:
        self.show_dock("experiments")
        self.experiments.editor.open_dialog()

    def run_preset(self, path) -> bool:
        self.show_dock("experiments")
        return self.experiments.run_preset(path)

    # ---------------------------------------------------------------- view
    def _restore_layout(self) -> None:
        # A damaged settings file: text raised TypeError, changed bytes crashed Qt (test_fuzz_settings).
        from aegui.qt.storage.settings import saved_layout
        geometry = saved_layout(self.settings, "geometry")
        restored = geometry is not None and self.restoreGeometry(geometry)
        # Saved on a larger screen, or the default on a laptop's: fitted to this screen, title bar
        # and all, so the bottom rows and the status bar are on it.
        self.screen_fit.place(self.geometry() if restored else QRect(0, 0, *DEFAULT_SIZE), centre=not restored)
        self.arranger.restore()

    def reset_layout(self) -> None:
        self.arranger.reset()

    def quit_box(self, what: str):
        from aegui.qt.widgets.ask import question_box
        return question_box(self, *(tr(t) for t in QUIT_QUESTIONS[what]))

    def _may_quit(self, what: str) -> bool:
        if not self.confirm_close:
            return True
        box = self.quit_box(what)
        box.exec()
        return box.clickedButton() is box.do_button

    def closeEvent(self, event) -> None:
        running = [("sweep", self.built("experiments") and self.experiments.is_running()),
                   ("analysis", self.built("analyses") and self.analyses.is_running()),
                   ("report", self.menus.report_running()), ("training", self.workspace.training.busy)]
        for what, busy in running:
            if busy and not self._may_quit(what):
                event.ignore()
                return
        self.closing = True
        if self.built("experiments") and self.experiments.is_running():
            self.experiments.shutdown()   # the worker autosaves the finished configs
        if self.built("analyses") and self.analyses.is_running():
            self.analyses.shutdown()
        self.menus.shutdown_report()
        self.editor.teach.runner.shutdown()     # seconds of fine-tuning: cancelled, nothing saved
        if self.workspace.training.busy:
            # The run ends at its next step and autosaves its best model on its own thread.
            self.runner.shutdown()
            # Its end reaches the workspace as a queued signal, which the worker may post only
            # after shutdown() returned: wait for it (bounded), not for one turn of the loop.
            deadline = time.monotonic() + 5
            while self.workspace.training.busy and time.monotonic() < deadline:
                QCoreApplication.sendPostedEvents()
                QCoreApplication.processEvents()
                QThread.msleep(5)
        threads.wait_for_workers(5000)
        from aegui.qt.storage.settings import save_blob
        save_blob(self.settings, "geometry", self.saveGeometry())
        self.arranger.save()
        super().closeEvent(event)
