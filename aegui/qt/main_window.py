"""The main window lays out the panels, the menus, the toolbar and the status bar. It holds no
state of its own: the Workspace (aegui.core.workspace) owns the models and the training, each
panel binds itself to the workspace's events, and TrainingRunner runs the training it asks for.

torch is not imported here: the window shows first, then `start_loading()` imports it and opens
the demo models on a worker thread.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMessageBox, QScrollArea, QTabBar, QWidget

from aegui.core.data.dataset import GLYPH_SHAPE
from aegui.core.workspace.workspace import Workspace
from aegui.qt import collector, i18n, threads
from aegui.qt.analyses.analyses_panel import AnalysesPanel
from aegui.qt.builder.binding import bind_builder
from aegui.qt.builder.model_builder import ModelBuilder
from aegui.qt.compare.compare_panel import ComparePanel
from aegui.qt.editor.image_canvas import DrawPanel
from aegui.qt.editor.pixel_editor import PixelEditor
from aegui.qt.experiments.experiments_panel import ExperimentsPanel
from aegui.qt.explain.explain_panel import ExplainPanel
from aegui.qt.files import FileActions
from aegui.qt.guide import Guide
from aegui.qt.i18n import tr
from aegui.qt.latent.latent_canvas import LatentCanvas
from aegui.qt.library.library_panel import LibraryPanel
from aegui.qt.menus import Menus
from aegui.qt.model_bar import ModelBar
from aegui.qt.models import title
from aegui.qt.network.network_view import NetworkView
from aegui.qt.status_bar import StatusBar
from aegui.qt.training.reconstructions import ReconstructionsPanel
from aegui.qt.training.training_panel import TrainingPanel
from aegui.qt.training_runner import TrainingRunner

SCROLLED = ("experiments", "analyses", "explain", "compare")   # docks whose panel scrolls when the window is narrow
DOCK_TITLES = {"builder": "Model builder", "training": "Training", "editor": "Pixel editor",
               "latent": "Latent space", "recon": "Reconstructions", "library": "Glyph library",
               "experiments": "Experiments", "analyses": "Analyses", "network": "Network", "draw": "Draw",
               "explain": "Explain", "compare": "Compare"}
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

    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        collector.start()   # before any worker thread exists
        if settings is None:
            from aegui.qt.settings import app_settings
            settings = app_settings()
        self.settings = settings
        self.confirm_close = True   # tests and --smoke close without asking
        self.workspace = ws = Workspace()
        self.runner = TrainingRunner(ws, self)
        self.files = FileActions(self, ws)
        self._build_panels()
        self._build_docks()
        self.model_bar = ModelBar(ws, self)
        self.addToolBar(Qt.TopToolBarArea, self.model_bar)
        self.menus = Menus(self, ws, self.files)
        self.status = StatusBar(self.statusBar(), ws)
        self._bind()
        self.retranslate()
        i18n.notifier.changed.connect(self.retranslate)
        self._restore_layout()

    # ---------------------------------------------------------------- building
    def _build_panels(self) -> None:
        self.builder = ModelBuilder()
        self.training = TrainingPanel()
        self.editor = PixelEditor()
        self.latent = LatentCanvas()
        self.recon = ReconstructionsPanel()
        self.library = LibraryPanel()
        self.experiments = ExperimentsPanel()
        self.analyses = AnalysesPanel()
        self.network = NetworkView()
        self.drawing = DrawPanel()
        self.explain = ExplainPanel()
        self.compare = ComparePanel()

    def _bind(self) -> None:
        """Each panel binds itself to the workspace; the window only brings the right dock forward."""
        ws = self.workspace
        bind_builder(self.builder, ws)
        for panel in (self.training, self.latent, self.recon, self.library, self.experiments, self.analyses,
                      self.network, self.drawing, self.explain, self.compare):
            panel.bind(ws)
        self.editor.bind(ws, title)
        self.latent.replay.exported.connect(self.status.say)
        self.runner.data_warnings.connect(self.files.show_data_warnings)
        ws.training_failed.connect(self._training_failed)
        ws.editor_glyph_requested.connect(lambda image: self.docks["editor"].raise_())
        ws.teach_requested.connect(lambda *_: self.docks["editor"].raise_())
        ws.current_changed.connect(self._raise_for)
        ws.history_changed.connect(lambda _h: ws.training.busy and self.docks["training"].raise_())

    def _raise_for(self, model, previous) -> None:
        """Image models draw in the Draw tab; a run's charts come forward as it starts."""
        if model is not None and model.shape != GLYPH_SHAPE and (previous is None or previous.dataset is not model.dataset):
            self.docks["draw"].raise_()

    def _dock(self, key: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(self)
        dock.setObjectName(f"dock-{key}")
        if key in SCROLLED:
            # Tabs beside the latent canvas: their width must not set the window's minimum
            # (a 1024 px screen holds the builder, the canvas and the editor side by side).
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(widget)
            widget = scroll
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        # The latent canvas is the heart of the app, so it gets the central area.
        self.setCentralWidget(QWidget())
        self.centralWidget().hide()
        self.setDockNestingEnabled(True)
        L, R = Qt.LeftDockWidgetArea, Qt.RightDockWidgetArea
        panels = {"builder": self.builder, "latent": self.latent, "training": self.training, "editor": self.editor,
                  "recon": self.recon, "library": self.library, "experiments": self.experiments,
                  "analyses": self.analyses, "network": self.network, "draw": self.drawing,
                  "explain": self.explain, "compare": self.compare}
        self.docks = {key: self._dock(key, panel, L if key == "builder" else R) for key, panel in panels.items()}
        d = self.docks
        # Top row: latent space | pixel editor. Bottom row, full width: training charts side by
        # side, with reconstructions and the library as tabs beside them.
        self.splitDockWidget(d["latent"], d["training"], Qt.Vertical)
        self.splitDockWidget(d["latent"], d["editor"], Qt.Horizontal)
        for a, b in (("training", "recon"), ("recon", "library"), ("latent", "experiments"),
                     ("experiments", "analyses"), ("editor", "network"), ("network", "draw"),
                     ("draw", "explain"), ("builder", "compare")):
            self.tabifyDockWidget(d[a], d[b])
        for key in ("editor", "latent", "training", "builder"):
            d[key].raise_()
        self.resizeDocks([d["builder"]], [330], Qt.Horizontal)
        self.resizeDocks([d["latent"], d["editor"]], [580, 360], Qt.Horizontal)
        self.resizeDocks([d["latent"], d["training"]], [440, 270], Qt.Vertical)
        self._default_state = self.saveState()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # The editor keeps its grid beside its previews (stacked, it is taller than a 700-800 px
        # window has room for): narrow windows give the builder its minimum, wider ones take from
        # the builder what the editor lacks (Qt shares a loss evenly, and a 1600 -> 1280 shrink
        # left the editor too narrow).
        if event.oldSize().width() != event.size().width():
            QTimer.singleShot(0, self._fit_narrow)   # after Qt has shared out the new width
        self._hide_ghost_tab_bars()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._hide_ghost_tab_bars()

    def _hide_ghost_tab_bars(self) -> None:
        """QMainWindow can leave a dock tab bar it no longer uses on screen (tabs without titles,
        two scroll arrows drawn over a panel) after docks are tabbed together at start-up."""
        for bar in self.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if bar.isVisible() and not any(bar.tabText(i) for i in range(bar.count())):
                bar.hide()

    def _fit_narrow(self) -> None:
        builder, latent, editor = self.docks["builder"], self.docks["latent"], self.docks["editor"]
        if not (builder.isVisible() and latent.isVisible() and editor.isVisible()) or builder.isFloating():
            return
        narrow = builder.minimumSizeHint().width()
        need = self.editor.side_by_side_width() + 8
        if self.width() >= 1200 and editor.width() >= need:
            return
        want = max(editor.width(), need)
        if self.width() >= 1200:
            narrow = max(narrow, builder.width() - (want - editor.width()))
        total = builder.width() + latent.width() + editor.width()
        rest = max(total - narrow - want, latent.minimumSizeHint().width())
        self.resizeDocks([builder, latent, editor], [narrow, rest, want], Qt.Horizontal)

    # ---------------------------------------------------------------- text
    def retranslate(self, *_):
        self.setWindowTitle(tr("aegui — autoencoder studio"))
        for key, dock in self.docks.items():
            dock.setWindowTitle(tr(DOCK_TITLES[key]))
        self.menus.retranslate()
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
        self.workspace.opened_at_start(startup.models, startup.last_session, startup.devices, startup.device_name)
        if startup.problems:
            QMessageBox.warning(self, tr("Some models could not be loaded"), "\n\n".join(startup.problems))
        self.guide = Guide(self, self.settings)
        self.guide.start()          # the first-run hints, until dismissed for good
        self.model_loaded.emit()
        QTimer.singleShot(0, collector.freeze_survivors)   # ~0.1 s, once, after the first paint

    def _load_failed(self, error) -> None:
        self.workspace.opened_at_start([], False, [], "")
        QMessageBox.critical(self, tr("Could not open the model"), threads.error_text(error))
        self.model_loaded.emit()

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
        dock = self.docks[key]
        dock.show()
        dock.raise_()

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
        from aegui.qt.settings import saved_layout
        geometry, state = saved_layout(self.settings, "geometry"), saved_layout(self.settings, "window_state")
        if not (geometry is not None and self.restoreGeometry(geometry)):
            self.resize(1280, 800)
        if state is not None:
            self.restoreState(state)

    def reset_layout(self) -> None:
        self.restoreState(self._default_state)
        for dock in self.docks.values():
            dock.show()

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
        running = [("sweep", self.experiments.is_running()), ("analysis", self.analyses.is_running()),
                   ("report", self.menus.report_running()), ("training", self.workspace.training.busy)]
        for what, busy in running:
            if busy and not self._may_quit(what):
                event.ignore()
                return
        if self.experiments.is_running():
            self.experiments.shutdown()   # the worker autosaves the finished configs
        if self.analyses.is_running():
            self.analyses.shutdown()
        self.menus.shutdown_report()
        self.editor.teach.runner.shutdown()     # seconds of fine-tuning: cancelled, nothing saved
        if self.workspace.training.busy:
            # The run ends at its next step and autosaves its best model on its own thread.
            self.runner.shutdown()
            QCoreApplication.sendPostedEvents()
            QCoreApplication.processEvents()
        threads.wait_for_workers(5000)
        from aegui.qt.settings import save_layout
        save_layout(self.settings, self.saveGeometry(), self.saveState())
        super().closeEvent(event)
