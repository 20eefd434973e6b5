"""The main window's menu bar and its View and Help actions: every menu entry is made here, with
what it calls: the file actions, the workspace, the panels' own commands."""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMessageBox
from shiboken6 import isValid

import aegui
from aegui.qt import i18n, theme
from aegui.qt.i18n import bind_text, on_language, tr


class Menus(QObject):
    """The window's menus, and the language, theme, layout and help actions."""

    def __init__(self, window, workspace, files):
        super().__init__(window)
        self.window, self.ws, self.files = window, workspace, files
        self.report_dialog = None      # made on first use; kept, so a running report can be shown again
        self.shortcuts_dialog = None   # made on first use (F1)
        self._build_menus()

    @property
    def settings(self):
        return self.window.settings

    def _action(self, menu, key: str, slot, shortcut=None) -> QAction:
        act = QAction(self.window)
        act.setData(key)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        menu.addAction(act)
        bind_text(self, act.setText, key)
        return act

    def _check_language(self) -> None:
        self.lang_actions[i18n.language()].setChecked(True)

    def _build_menus(self) -> None:
        w = self.window
        mb = w.menuBar()
        self.menu_file = mb.addMenu("")
        self.menu_edit = mb.addMenu("")
        self.menu_view = mb.addMenu("")
        self.menu_experiments = mb.addMenu("")
        self.menu_help = mb.addMenu("")
        bind_text(self, self.menu_file.setTitle, "&File")
        bind_text(self, self.menu_edit.setTitle, "&Edit")
        bind_text(self, self.menu_view.setTitle, "&View")
        bind_text(self, self.menu_experiments.setTitle, "&Experiments")
        bind_text(self, self.menu_help.setTitle, "&Help")
        self._build_file_menu()
        self._build_edit_menu()
        self._build_view_menu()
        self._build_experiments_menu()
        self._build_help_menu()

        # Train / stop / step from anywhere, not just the builder's buttons (the builder is built
        # when first reached: these keys may be what reaches it).
        self.act_train = QAction(w, shortcut=QKeySequence("F5"))
        self.act_train.triggered.connect(self._train)
        self.act_epoch = QAction(w, shortcut=QKeySequence("F6"))
        self.act_epoch.triggered.connect(lambda: w.builder.step_controls.epoch_button.click())
        self.act_batch = QAction(w, shortcut=QKeySequence("Shift+F6"))
        self.act_batch.triggered.connect(lambda: w.builder.step_controls.batch_button.click())
        for act in (self.act_train, self.act_epoch, self.act_batch):
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        w.addActions([self.act_train, self.act_epoch, self.act_batch])
        from aegui.qt.workers.stop_key import StopKey
        self.stop_key = StopKey(w, self.ws)      # Esc: whatever has the focus, a floated panel, a tooltip

    def _build_file_menu(self) -> None:
        w, f_, f = self.window, self.files, self.menu_file
        self._action(f, "Open font.h…", f_.open_font_dialog, "Ctrl+Shift+O")
        self.menu_dataset = f.addMenu("")
        bind_text(self, self.menu_dataset.setTitle, "Open dataset")   # a submenu: its arrow says more follows, no "…"
        self._action(self.menu_dataset, "Image folder…", f_.open_folder_dialog)
        self._action(self.menu_dataset, "IDX images file…", f_.open_idx_dialog)
        self.fetch_dataset_action = self._action(self.menu_dataset, "Catalogue dataset (download)…",
                                                 self._open_fetch_dialog)   # MNIST & co. in one click
        self._action(f, "Open model…", f_.open_model_dialog, QKeySequence.Open)
        self.act_save = self._action(f, "Save model", f_.save_model, QKeySequence.Save)
        self._action(f, "Save model as…", f_.save_model_as, "Ctrl+Shift+S")
        # The model as a numpy script to take along (aegui.core.export), beside saving it.
        self.export_script_action = self._action(f, "Export model as…", f_.export_script_dialog)
        self._build_models_entry(f)
        f.addSeparator()
        self.menu_export = f.addMenu("")
        bind_text(self, self.menu_export.setTitle, "Export")
        for key, what in (("Training charts (PNG)…", "charts"), ("Training metrics (CSV)…", "csv"),
                          ("Latent space (PNG)…", "latent"), ("Interpolation strip (PNG)…", "strip"),
                          ("Interpolation strip (GIF)…", "strip_gif"), ("Reconstruction grid (PNG)…", "recon_grid"),
                          ("Latent traversal (PNG)…", "traversal")):
            self._action(self.menu_export, key, lambda _=False, what=what: f_.export_dialog(what))
        self.report_action = self._action(f, "Export course report…", self.show_report_dialog)
        self.menu_recent = f.addMenu("")
        bind_text(self, self.menu_recent.setTitle, "Recent files")
        self.menu_recent.aboutToShow.connect(lambda: f_.fill_recent(self.menu_recent))
        f.addSeparator()
        self._action(f, "Quit", w.close, QKeySequence.Quit)

    def _build_edit_menu(self) -> None:
        w = self.window
        # Actions of our own, not the stack's: QUndoStack's keep the word "Undo" of the language
        # Qt's translator had when they were made, and rewrite it at every edit.
        stack = w.editor.undo_stack
        undo, redo = QAction(w), QAction(w)
        undo.triggered.connect(stack.undo)
        redo.triggered.connect(stack.redo)
        stack.canUndoChanged.connect(undo.setEnabled)
        stack.canRedoChanged.connect(redo.setEnabled)
        undo.setEnabled(stack.canUndo())
        redo.setEnabled(stack.canRedo())
        undo.setShortcut(QKeySequence.Undo)
        redo.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        self.menu_edit.addAction(undo)
        self.menu_edit.addAction(redo)
        self.act_undo, self.act_redo = undo, redo
        stack.undoTextChanged.connect(self._name_undo)
        stack.redoTextChanged.connect(self._name_undo)
        on_language(self, self._name_undo)
        self._name_undo()

    def _name_undo(self, *_) -> None:
        """Undo / Redo and what they would undo or redo ("Undo Paint"), in the language shown."""
        stack = self.window.editor.undo_stack
        if not isValid(stack) or not isValid(self.act_undo):
            return      # the stack clears itself as the window is taken apart
        undo, redo = stack.undoText(), stack.redoText()
        self.act_undo.setText(tr("Undo {what}", what=undo) if undo else tr("Undo"))
        self.act_redo.setText(tr("Redo {what}", what=redo) if redo else tr("Redo"))

    def _build_view_menu(self) -> None:
        w, v = self.window, self.menu_view
        for act in w.switcher.actions_by_key.values():    # Explore / Train / Experiments
            v.addAction(act)
        v.addSeparator()
        self.menu_panels = v.addMenu("")
        bind_text(self, self.menu_panels.setTitle, "Panels")
        for dock in w.docks.values():
            self.menu_panels.addAction(dock.toggleViewAction())
        self.menu_lang = v.addMenu("")
        bind_text(self, self.menu_lang.setTitle, "Language")
        group = QActionGroup(w)
        self.lang_actions = {}
        for code, name in i18n.LANGUAGES.items():
            act = QAction(name, w, checkable=True)
            act.triggered.connect(lambda _=False, c=code: self.set_language(c))
            group.addAction(act)
            self.menu_lang.addAction(act)
            self.lang_actions[code] = act
        on_language(self, self._check_language)
        self._check_language()
        self.menu_theme = v.addMenu("")
        bind_text(self, self.menu_theme.setTitle, "Theme")
        tgroup = QActionGroup(w)
        self.theme_actions = {}
        for key in ("Light", "Dark"):
            act = self._action(self.menu_theme, key, lambda _=False, k=key.lower(): self.set_theme(k))
            act.setCheckable(True)
            tgroup.addAction(act)
            self.theme_actions[key.lower()] = act
        v.addSeparator()
        self._action(v, "Reset layout", w.reset_layout)

    def _build_help_menu(self) -> None:
        from aegui.qt.guide.user_guide import UserGuide
        from aegui.qt.perspectives.panels import PANELS
        m = self.menu_help
        m.setToolTipsVisible(True)
        # The status bar is made after the menus: reached when the guide has something to say.
        self.user_guide = UserGuide(self, lambda text, msec: self.window.status.say(text, msec))
        self.guide_action = self._action(m, "User guide", lambda: self.user_guide.open())
        bind_text(self, self.guide_action.setToolTip,
                  "aegui's guide, opened in your web browser from files on this computer: no internet needed.\n"
                  "Run from source, it is built from docs/ the first time (a few seconds).")
        self.menu_panel_help = m.addMenu("")
        bind_text(self, self.menu_panel_help.setTitle, "Help on a panel")
        self.panel_help_actions = {
            key: self._action(self.menu_panel_help, panel.title, lambda _=False, k=key: self.user_guide.open_panel(k))
            for key, panel in PANELS.items() if panel.guide}
        m.addSeparator()
        self.tour_action = self._action(m, "Guided tour", lambda: self.window.guide.tour.start())
        self.tips_action = self._action(m, "Show the tips again", lambda: self.window.guide.show_again())
        m.addSeparator()
        self._action(m, "Keyboard shortcuts", self.show_shortcuts, "F1")
        self._action(m, "About aegui", self.show_about)

    def _build_experiments_menu(self) -> None:
        m, w = self.menu_experiments, self.window
        self._action(m, "New sweep…", w.new_sweep)
        self._action(m, "Open sweep…", w.open_sweep_dialog)
        self._action(m, "Save sweep…", lambda: w.experiments.editor.save_dialog())
        m.addSeparator()
        # The presets in a submenu of their own: 26 of them, with their caption and filter, made
        # the menu taller than a 720 px screen, and Qt then wrapped the analyses into a second
        # column at the screen's top. They read every sweep file, the course documents and the
        # measured times: built when the submenu first opens (nothing in them has a shortcut).
        self.menu_presets = m.addMenu("")
        bind_text(self, self.menu_presets.setTitle, "Sweep presets")
        self._presets = None
        self.menu_presets.aboutToShow.connect(self._build_preset_entries)
        m.addSeparator()
        # The analyses: each opens its tab and runs its default; the tab has the other settings.
        self.analysis_actions = {
            "denoise": self._action(m, "Denoising curve…", lambda: w.run_analysis("denoise")),
            "embedding": self._action(m, "Latent space vs PCA vs t-SNE (Font1–3)…",
                                      lambda: w.run_analysis("embedding")),
            "probe": self._action(m, "Classifier probe…", lambda: w.run_analysis("probe")),
        }

    def _build_preset_entries(self):
        """One entry per shipped preset, with its expected time here and a filter by course
        document: it opens in the Experiments panel and runs."""
        if self._presets is None:
            from aegui.qt.experiments.preset_menu import PresetMenu, preset_sweeps
            self._presets = PresetMenu(self.menu_presets, preset_sweeps(), self.window.run_preset, self.settings)
        return self._presets

    preset_menu = property(lambda self: self._build_preset_entries())
    preset_actions = property(lambda self: self._build_preset_entries().actions)

    def _open_fetch_dialog(self) -> None:
        from aegui.qt.builder.fetch_dialog import open_fetch_dialog
        open_fetch_dialog(self.window, self.files)

    def show_report_dialog(self) -> None:
        from aegui.qt.report.report_dialog import show_report_dialog
        self.report_dialog = show_report_dialog(self.window, self.report_dialog)

    def _build_models_entry(self, f) -> None:
        self.models_dialog = None      # made on first use; kept, with its undo history
        self.models_action = self._action(f, "Models…", self.show_models_dialog, "Ctrl+Shift+M")

    def show_models_dialog(self) -> None:
        """File > Models…: rename, close, delete (to the trash), export and open models."""
        from aegui.qt.models.models_dialog import show_models_dialog
        self.models_dialog = show_models_dialog(self.window, self.ws, self.files, self.models_dialog)

    def report_running(self) -> bool:
        return self.report_dialog is not None and self.report_dialog.is_running()

    def shutdown_report(self) -> None:
        """Window closing: the report's experiment under way is cancelled; finished ones are kept."""
        if self.report_running():
            self.report_dialog.shutdown()

    def set_language(self, code: str) -> None:
        i18n.set_language(code)
        i18n.install_qt_translator(code)
        self.settings.setValue("language", code)

    def set_theme(self, name: str) -> None:
        theme.apply(name)
        self.theme_actions[name].setChecked(True)
        self.settings.setValue("theme", name)

    def _train(self) -> None:
        if not self.ws.training.busy:
            from aegui.qt.builder.binding import train_now
            train_now(self.window.builder, self.ws)

    def show_shortcuts(self) -> None:
        """F1: the keys of the window's own actions (read when shown), and the mouse gestures."""
        from aegui.qt.guide.shortcuts import ShortcutsDialog
        if self.shortcuts_dialog is None:
            # The window-wide keys have no menu entry, so no text of their own.
            names = {self.act_train: "Train the builder's model", self.act_epoch: "Step epoch",
                     self.act_batch: "Step batch"}
            self.shortcuts_dialog = ShortcutsDialog(self.window, names)
        self.shortcuts_dialog.fill()
        self.shortcuts_dialog.show()
        self.shortcuts_dialog.raise_()
        self.shortcuts_dialog.activateWindow()

    def show_about(self) -> None:
        QMessageBox.about(self.window, tr("About aegui"),
                          f"<h3>aegui {aegui.__version__}</h3><p>{tr('aegui — autoencoder studio')}</p>"
                          "<p>Emoji: Noto Emoji (Apache 2.0), emoji-datasource (MIT).</p>")
