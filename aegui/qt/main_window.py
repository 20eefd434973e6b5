"""The main window: docks, menus, the model list, and the wiring between panels.

torch is not imported here: the window shows first, then `start_loading()` imports it and
opens the demo models on a worker thread.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (QComboBox, QDockWidget, QFileDialog, QLabel, QMainWindow,
                               QMessageBox, QProgressBar, QToolBar, QWidget)

import aegui
from aegui.core.data.dataset import GLYPH_SHAPE
from aegui.qt import collector, i18n, theme
from aegui.qt.dataset_loader import DatasetLoader
from aegui.qt.i18n import tr
from aegui.qt.models import SHOWN_MAX, ModelEntry
from aegui.qt.analyses.analyses_panel import AnalysesPanel
from aegui.qt.experiments.experiments_panel import ExperimentsPanel, preset_sweeps
from aegui.qt.latent.latent_canvas import LatentCanvas
from aegui.qt.library.library_panel import LibraryPanel
from aegui.qt.builder.model_builder import ModelBuilder
from aegui.qt.editor.pixel_editor import PixelEditor
from aegui.qt.training.reconstructions import ReconstructionsPanel
from aegui.qt.training.training_panel import TrainingPanel, message_text
from aegui.qt.workers import TaskRunner, TrainingController

i18n.register({
    "aegui — autoencoder studio": "aegui — estudio de autoencoders",
    "Model builder": "Constructor de modelos", "Training": "Entrenamiento",
    "Pixel editor": "Editor de píxeles", "Latent space": "Espacio latente",
    "Reconstructions": "Reconstrucciones", "Glyph library": "Biblioteca de glifos",
    "&File": "&Archivo", "&Edit": "&Editar", "&View": "&Ver", "&Help": "Ay&uda",
    "Open font.h…": "Abrir font.h…", "Open model…": "Abrir modelo…", "Save model": "Guardar modelo",
    "Save model as…": "Guardar modelo como…", "Export": "Exportar",
    "Training charts (PNG)…": "Gráficos de entrenamiento (PNG)…",
    "Training metrics (CSV)…": "Métricas de entrenamiento (CSV)…",
    "Latent space (PNG)…": "Espacio latente (PNG)…", "Interpolation strip (PNG)…": "Tira de interpolación (PNG)…",
    "Interpolation strip (GIF)…": "Tira de interpolación (GIF)…",
    "Reconstruction grid (PNG)…": "Cuadrícula de reconstrucciones (PNG)…",
    "Latent traversal (PNG)…": "Recorrido del espacio latente (PNG)…",
    "GIF animations (*.gif)": "Animaciones GIF (*.gif)",
    "Could not export": "No se pudo exportar",
    "Recent files": "Archivos recientes", "(none)": "(ninguno)", "Clear list": "Vaciar lista",
    "Quit": "Salir", "Undo": "Deshacer", "Redo": "Rehacer", "Panels": "Paneles",
    "Language": "Idioma", "Theme": "Tema", "Light": "Claro", "Dark": "Oscuro",
    "Reset layout": "Restablecer disposición", "Keyboard shortcuts": "Atajos de teclado",
    "About aegui": "Acerca de aegui", "Model:": "Modelo:",
    "Loading PyTorch and the demo models…": "Cargando PyTorch y los modelos de demostración…",
    "Ready": "Listo", "Training…": "Entrenando…", "Paused": "En pausa", "Stopped": "Detenido",
    "Device: {name}": "Dispositivo: {name}", "Epoch {epoch}/{total}": "Época {epoch}/{total}",
    "{speed:.0f} epochs/s": "{speed:.0f} épocas/s",
    "Model files (*.json *.safetensors)": "Archivos de modelo (*.json *.safetensors)",
    "Font files (*.h);;All files (*)": "Archivos de fuente (*.h);;Todos los archivos (*)",
    "PNG images (*.png)": "Imágenes PNG (*.png)", "CSV files (*.csv)": "Archivos CSV (*.csv)",
    "Could not open the model": "No se pudo abrir el modelo",
    "Could not save the model": "No se pudo guardar el modelo",
    "Could not start training": "No se pudo iniciar el entrenamiento",
    "Training failed": "El entrenamiento falló", "Saved {path}": "Guardado {path}",
    "No model to save yet.": "Todavía no hay un modelo para guardar.",
    "Some models could not be loaded": "Algunos modelos no se pudieron cargar",
    "Trained: {name}": "Entrenado: {name}",
    "Pixel editor uses:": "El editor usa:", "the model above": "el modelo de arriba",
    "training (live)": "entrenando (en vivo)",
    "Autosaved to {path}": "Guardado automático en {path}",
    "Training diverged": "El entrenamiento divergió",
    "Stop training and quit?": "¿Detener el entrenamiento y salir?",
    "Training is running. It will be stopped; the best model so far is autosaved.":
        "Hay un entrenamiento en curso. Se detendrá; el mejor modelo hasta ahora se guarda automáticamente.",
    "Nothing to export yet.": "Todavía no hay nada para exportar.",
    "Open dataset…": "Abrir conjunto de datos…", "Image folder…": "Carpeta de imágenes…",
    "IDX images file…": "Archivo IDX de imágenes…",
    "Loading the dataset…": "Cargando el conjunto de datos…",
    "Could not load the dataset": "No se pudo cargar el conjunto de datos",
    "Some pictures were skipped": "Se omitieron algunas imágenes", "loss": "pérdida",
    "Denoising curve…": "Curva de eliminación de ruido…",
    "Latent space vs PCA vs t-SNE (Font1–3)…": "Espacio latente vs PCA vs t-SNE (Font1–3)…",
    "Classifier probe…": "Sonda clasificadora…", "Cancel the analysis and quit?": "¿Cancelar el análisis y salir?",
    "An analysis is running. It will be cancelled; what it measured so far is not saved.":
        "Hay un análisis en curso. Se cancelará; lo medido hasta ahora no se guarda.",
    "IDX files (*idx*ubyte *idx*ubyte.gz *.idx *.gz);;All files (*)":
        "Archivos IDX (*idx*ubyte *idx*ubyte.gz *.idx *.gz);;Todos los archivos (*)",
})

SHORTCUTS = [
    ("Ctrl+O", "Open model…"), ("Ctrl+S", "Save model"), ("Ctrl+Shift+S", "Save model as…"),
    ("Ctrl+Shift+O", "Open font.h…"), ("Ctrl+Z", "Undo"), ("Ctrl+Shift+Z", "Redo"),
    ("Ctrl+Q", "Quit"), ("F5", "Train"), ("Esc", "Stop"), ("F1", "Keyboard shortcuts"),
]
MAX_RECENT = 8


def _is_idx_images(path: Path) -> bool:
    from aegui.core.config.experiment import ConfigError
    from aegui.core.data.data_shape import idx_header
    try:
        idx_header(path)
    except ConfigError:
        return False
    return True


class MainWindow(QMainWindow):
    model_loaded = Signal()           # the demo models are in (smoke test, screenshots)
    training_finished = Signal(object)

    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        collector.start()   # before any worker thread exists
        self.settings = settings or QSettings("aegui", "aegui")
        self.entries: list[ModelEntry] = []
        self.current: ModelEntry | None = None
        self.live: ModelEntry | None = None   # the model being trained, updated by snapshots
        self.torch_ready = False
        self._last_rec = None
        self._device_name = ""
        self.editor_entry: ModelEntry | None = None   # None: the editor uses the canvas's model
        self._editor_dataset = None
        self.confirm_close = True   # tests and --smoke close without asking
        self.tasks = TaskRunner(self)
        self.controller = TrainingController(self)
        self.loader = DatasetLoader(self.tasks, self)
        self.data_warning_box: QMessageBox | None = None
        self._train_started = 0.0
        self._build_panels()
        self._build_docks()
        self._build_toolbar()
        self._build_menus()
        self._build_status()
        self._connect()
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

    def _dock(self, key: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(self)
        dock.setObjectName(f"dock-{key}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        # The latent canvas is the heart of the app, so it gets the central area.
        self.setCentralWidget(QWidget())
        self.centralWidget().hide()
        self.setDockNestingEnabled(True)
        L, R = Qt.LeftDockWidgetArea, Qt.RightDockWidgetArea
        self.docks = {
            "builder": self._dock("builder", self.builder, L),
            "latent": self._dock("latent", self.latent, R),
            "training": self._dock("training", self.training, R),
            "editor": self._dock("editor", self.editor, R),
            "recon": self._dock("recon", self.recon, R),
            "library": self._dock("library", self.library, R),
            "experiments": self._dock("experiments", self.experiments, R),
            "analyses": self._dock("analyses", self.analyses, R),
        }
        # Top row: latent space | pixel editor. Bottom row, full width: training charts side by
        # side, with reconstructions and the library as tabs beside them.
        self.splitDockWidget(self.docks["latent"], self.docks["training"], Qt.Vertical)
        self.splitDockWidget(self.docks["latent"], self.docks["editor"], Qt.Horizontal)
        self.tabifyDockWidget(self.docks["training"], self.docks["recon"])
        self.tabifyDockWidget(self.docks["recon"], self.docks["library"])
        # Sweeps are a workspace of their own: a tab beside the latent canvas, the largest area.
        self.tabifyDockWidget(self.docks["latent"], self.docks["experiments"])
        self.tabifyDockWidget(self.docks["experiments"], self.docks["analyses"])
        self.docks["latent"].raise_()
        self.docks["training"].raise_()
        self.resizeDocks([self.docks["builder"]], [330], Qt.Horizontal)
        self.resizeDocks([self.docks["latent"], self.docks["editor"]], [580, 360], Qt.Horizontal)
        self.resizeDocks([self.docks["latent"], self.docks["training"]], [440, 270], Qt.Vertical)
        self._default_state = self.saveState()

    def _build_toolbar(self) -> None:
        bar = QToolBar(self)
        bar.setObjectName("toolbar-model")
        bar.setMovable(False)
        self.model_label = QLabel()
        self.model_combo = QComboBox()
        self.model_combo.setMinimumContentsLength(52)
        self.model_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        bar.addWidget(self.model_label)
        bar.addWidget(self.model_combo)
        # The editor may denoise with another model than the one on the canvas: a 2-D
        # autoencoder makes a fine map but a poor denoiser.
        self.editor_label = QLabel()
        self.editor_combo = QComboBox()
        self.editor_combo.setMinimumContentsLength(30)
        self.editor_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        bar.addSeparator()
        bar.addWidget(self.editor_label)
        bar.addWidget(self.editor_combo)
        self.addToolBar(Qt.TopToolBarArea, bar)
        self.toolbar = bar

    def _action(self, menu, key: str, slot, shortcut=None) -> QAction:
        act = QAction(self)
        act.setData(key)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        menu.addAction(act)
        self._texts.append((act, key))
        return act

    def _build_menus(self) -> None:
        self._texts: list[tuple[object, str]] = []
        mb = self.menuBar()
        self.menu_file = mb.addMenu("")
        self.menu_edit = mb.addMenu("")
        self.menu_view = mb.addMenu("")
        self.menu_experiments = mb.addMenu("")
        self.menu_help = mb.addMenu("")
        self._texts.append((self.menu_experiments, "&Experiments"))
        self._texts += [(self.menu_file, "&File"), (self.menu_edit, "&Edit"),
                        (self.menu_view, "&View"), (self.menu_help, "&Help")]
        f = self.menu_file
        self._action(f, "Open font.h…", self.open_font_dialog, "Ctrl+Shift+O")
        self.menu_dataset = f.addMenu("")
        self._texts.append((self.menu_dataset, "Open dataset…"))
        self._action(self.menu_dataset, "Image folder…", self.open_folder_dialog)
        self._action(self.menu_dataset, "IDX images file…", self.open_idx_dialog)
        self._action(f, "Open model…", self.open_model_dialog, QKeySequence.Open)
        self.act_save = self._action(f, "Save model", self.save_model, QKeySequence.Save)
        self._action(f, "Save model as…", self.save_model_as, "Ctrl+Shift+S")
        f.addSeparator()
        self.menu_export = f.addMenu("")
        self._texts.append((self.menu_export, "Export"))
        self._action(self.menu_export, "Training charts (PNG)…", lambda: self._export("charts"))
        self._action(self.menu_export, "Training metrics (CSV)…", lambda: self._export("csv"))
        self._action(self.menu_export, "Latent space (PNG)…", lambda: self._export("latent"))
        self._action(self.menu_export, "Interpolation strip (PNG)…", lambda: self._export("strip"))
        self._action(self.menu_export, "Interpolation strip (GIF)…", lambda: self._export("strip_gif"))
        self._action(self.menu_export, "Reconstruction grid (PNG)…", lambda: self._export("recon_grid"))
        self._action(self.menu_export, "Latent traversal (PNG)…", lambda: self._export("traversal"))
        self.menu_recent = f.addMenu("")
        self._texts.append((self.menu_recent, "Recent files"))
        self.menu_recent.aboutToShow.connect(self._fill_recent)
        f.addSeparator()
        self._action(f, "Quit", self.close, QKeySequence.Quit)

        undo = self.editor.undo_stack.createUndoAction(self)
        redo = self.editor.undo_stack.createRedoAction(self)
        undo.setShortcut(QKeySequence.Undo)
        redo.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        self.menu_edit.addAction(undo)
        self.menu_edit.addAction(redo)
        self.act_undo, self.act_redo = undo, redo

        v = self.menu_view
        self.menu_panels = v.addMenu("")
        self._texts.append((self.menu_panels, "Panels"))
        for dock in self.docks.values():
            self.menu_panels.addAction(dock.toggleViewAction())
        self.menu_lang = v.addMenu("")
        self._texts.append((self.menu_lang, "Language"))
        group = QActionGroup(self)
        self.lang_actions = {}
        for code, name in i18n.LANGUAGES.items():
            act = QAction(name, self, checkable=True)
            act.triggered.connect(lambda _=False, c=code: self.set_language(c))
            group.addAction(act)
            self.menu_lang.addAction(act)
            self.lang_actions[code] = act
        self.menu_theme = v.addMenu("")
        self._texts.append((self.menu_theme, "Theme"))
        tgroup = QActionGroup(self)
        self.theme_actions = {}
        for key in ("Light", "Dark"):
            act = self._action(self.menu_theme, key, lambda _=False, k=key.lower(): self.set_theme(k))
            act.setCheckable(True)
            tgroup.addAction(act)
            self.theme_actions[key.lower()] = act
        v.addSeparator()
        self._action(v, "Reset layout", self.reset_layout)
        self._build_experiments_menu()

        self._action(self.menu_help, "Keyboard shortcuts", self.show_shortcuts, "F1")
        self._action(self.menu_help, "About aegui", self.show_about)

        # Train / stop from anywhere, not just the builder's buttons.
        self.act_train = QAction(self, shortcut=QKeySequence("F5"))
        self.act_train.triggered.connect(self._train_shortcut)
        self.act_stop = QAction(self, shortcut=QKeySequence("Esc"))
        self.act_stop.triggered.connect(self.stop_training)
        self.addActions([self.act_train, self.act_stop])

    def _build_status(self) -> None:
        sb = self.statusBar()
        self.st_device = QLabel()
        self.st_epoch = QLabel()
        self.st_speed = QLabel()
        self.st_state = QLabel()
        self.st_busy = QProgressBar()
        self.st_busy.setRange(0, 0)
        self.st_busy.setMaximumWidth(120)
        for w in (self.st_state, self.st_busy):
            sb.addWidget(w)
        for w in (self.st_epoch, self.st_speed, self.st_device):
            sb.addPermanentWidget(w)
        self._state_key = "Loading PyTorch and the demo models…"

    def _connect(self) -> None:
        b = self.builder
        b.train_requested.connect(self.start_training)
        b.pause_requested.connect(self._pause)
        b.resume_requested.connect(self._resume)
        b.stop_requested.connect(self.stop_training)
        self.loader.progress.connect(self._data_progress)
        c = self.controller
        c.started.connect(self._on_started)
        c.progress.connect(self._on_progress)
        c.snapshot.connect(self._on_snapshot)
        c.finished.connect(self._on_finished)
        c.errored.connect(self._on_error)
        self.model_combo.currentIndexChanged.connect(self._combo_changed)
        self.editor_combo.currentIndexChanged.connect(self._editor_combo_changed)
        self.editor.save_requested.connect(lambda g: self.library.add_glyph(g, source="drawn"))
        self.latent.save_requested.connect(lambda g: self.library.add_glyph(g, source="latent"))
        self.latent.send_to_editor.connect(self._send_to_editor)
        self.library.send_to_editor.connect(self._send_to_editor)
        self.experiments.use_builder_requested.connect(self.sweep_use_builder)

    # ---------------------------------------------------------------- text
    def retranslate(self, *_):
        self.setWindowTitle(tr("aegui — autoencoder studio"))
        titles = {"builder": "Model builder", "training": "Training", "editor": "Pixel editor",
                  "latent": "Latent space", "recon": "Reconstructions", "library": "Glyph library",
                  "experiments": "Experiments", "analyses": "Analyses"}
        for key, dock in self.docks.items():
            dock.setWindowTitle(tr(titles[key]))
        for obj, key in self._texts:
            (obj.setTitle if hasattr(obj, "setTitle") else obj.setText)(tr(key))
        self.act_undo.setText(tr("Undo"))
        self.act_redo.setText(tr("Redo"))
        self.model_label.setText(" " + tr("Model:") + " ")
        self.editor_label.setText(" " + tr("Pixel editor uses:") + " ")
        self.lang_actions[i18n.language()].setChecked(True)
        self._refresh_status()
        self._show_progress_status()
        if self._device_name:
            self.st_device.setText(tr("Device: {name}", name=self._device_name))
        self._fill_combo()

    def _refresh_status(self) -> None:
        self.st_state.setText(tr(self._state_key))
        self.st_busy.setVisible(self._state_key.startswith("Loading"))

    # ---------------------------------------------------------------- startup
    def start_loading(self, extra_paths=()) -> None:
        from aegui.qt.models import load_startup
        self._load_started = time.perf_counter()
        last = self.settings.value("last_model")
        paths = list(extra_paths) or ([last] if isinstance(last, str) and last and Path(last).exists() else [])
        self.tasks.run(load_startup, paths, on_done=self._loaded, on_error=self._load_failed)

    def _loaded(self, result: dict) -> None:
        self.torch_ready = True
        self.builder.set_devices(result["devices"])
        self._device_name = result["device_name"]
        self.st_device.setText(tr("Device: {name}", name=self._device_name))
        self.entries.extend(result["entries"])
        self._fill_combo()
        if self.entries:
            self.set_current(self.entries[-1] if len(self.entries) > 2 else self.entries[0])
            denoisers = [e for e in self.entries if e.experiment.model.kind == "dae"]
            if denoisers and self.current.experiment.model.kind != "dae":
                self.editor_entry = denoisers[0]
                self._update_editor_model()
                self._fill_editor_combo()
        self._state_key = "Ready"
        self._refresh_status()
        if result["problems"]:
            QMessageBox.warning(self, tr("Some models could not be loaded"), "\n\n".join(result["problems"]))
        self.model_loaded.emit()
        QTimer.singleShot(0, collector.freeze_survivors)   # ~0.1 s, once, after the first paint

    def _load_failed(self, message: str) -> None:
        self._state_key = "Ready"
        self._refresh_status()
        QMessageBox.critical(self, tr("Could not open the model"), message)
        self.model_loaded.emit()

    # ---------------------------------------------------------------- models
    def _fill_combo(self) -> None:
        combo = self.model_combo
        combo.blockSignals(True)
        combo.clear()
        for e in self.entries:
            combo.addItem(e.name + (" *" if e.dirty else ""))
        if self.live is not None:
            combo.addItem(tr("training (live)"))
        index = self._combo_index()
        if index >= 0:
            combo.setCurrentIndex(index)
        combo.blockSignals(False)
        self._fill_editor_combo()

    def _fill_editor_combo(self) -> None:
        combo = self.editor_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(tr("the model above"))
        # The editor draws 5x7 glyphs: only models of glyphs can denoise them.
        self._editor_choices = [e for e in self.entries if e.shape == GLYPH_SHAPE]
        for e in self._editor_choices:
            combo.addItem(e.name + (" *" if e.dirty else ""))
        choices = self._editor_choices
        index = choices.index(self.editor_entry) + 1 if self.editor_entry in choices else 0
        combo.setCurrentIndex(index)
        combo.blockSignals(False)

    def _editor_combo_changed(self, index: int) -> None:
        choices = getattr(self, "_editor_choices", [])
        self.editor_entry = choices[index - 1] if 1 <= index <= len(choices) else None
        self._update_editor_model()

    def _update_editor_model(self) -> None:
        entry = self.editor_entry or self.current
        if entry is None or entry.shape != GLYPH_SHAPE:
            return   # an image model on the canvas: the editor keeps the glyph model it had
        self.editor.set_reconstruct(entry.reconstructor())
        if self._editor_dataset is not entry.dataset:
            self._editor_dataset = entry.dataset
            self.editor.set_dataset(entry.dataset.labels, entry.dataset.x)
            if not self.editor.glyph().any() and len(entry.dataset):
                # Start from a real glyph so the demo shows a denoised output at once.
                self.editor.set_glyph(entry.dataset.images()[1 if len(entry.dataset) > 1 else 0])
                self.editor.undo_stack.clear()

    def _combo_index(self) -> int:
        if self.current is None:
            return -1
        if self.current is self.live:
            return len(self.entries)
        return self.entries.index(self.current) if self.current in self.entries else -1

    def _combo_changed(self, index: int) -> None:
        if 0 <= index < len(self.entries):
            self.set_current(self.entries[index])
        elif self.live is not None:
            self.set_current(self.live)

    def set_current(self, entry: ModelEntry, autorange: bool = True, history: bool = True) -> None:
        """Show one model in every panel."""
        self.analyses.set_model(entry)
        new_data = self.current is None or self.current.dataset is not entry.dataset
        self.current = entry
        ds = entry.shown
        self.latent.set_decoder(entry.decoder(), entry.shape, vae=entry.experiment.model.kind == "vae")
        self.latent.set_codes(entry.codes(), ds.labels, autorange=autorange, images=ds.images())
        if new_data:
            self.recon.set_data(ds.labels, ds.images(), entry.reconstructions())
        else:
            self.recon.update_recon(entry.reconstructions())
        if self.editor_entry is None:
            self._update_editor_model()
        if entry is not self.live and not self.controller.is_running():
            # The builder shows how the model on screen was made: Train re-runs it as is,
            # and the charts show how that run went.
            self.builder.set_experiment(entry.experiment)
            if history:
                self._show_history(entry)
        self._fill_combo()

    def _show_history(self, entry: ModelEntry) -> None:
        """Chart a saved model's metrics.csv as the records the engine once yielded."""
        from aegui.core.train.progress import FINISHED, RUNNING, ProgressRecord
        rows, ds = entry.history, entry.shown
        self.training.reset(rows[-1]["epoch"] if rows else 0, 1)
        self.training.set_labels(ds.labels)
        if not rows:
            self.training.flush()
            return
        out = entry.reconstructions().reshape(len(ds), -1)
        glyph_wrong = ((out >= 0.5) != (ds.x >= 0.5)).sum(1)
        total = rows[-1]["epoch"]
        for i, row in enumerate(rows):
            losses = {k[5:]: v for k, v in row.items() if k.startswith("loss_")}
            max_wrong = int(row.get("max_wrong_pixels", 0))
            mean_wrong = float(row.get("mean_wrong_pixels", 0.0))
            seconds = float(row.get("seconds", 0.0))
            self.training.add_record(ProgressRecord(
                epoch=row["epoch"], total_epochs=total, losses=losses,
                loss_per_model=np.array([losses.get("total", np.nan)]), max_wrong=max_wrong,
                mean_wrong=mean_wrong, max_wrong_per_model=np.array([max_wrong]),
                mean_wrong_per_model=np.array([mean_wrong]), glyph_wrong=glyph_wrong, best=0,
                elapsed=seconds, epochs_per_s=row["epoch"] / seconds if seconds > 0 else 0.0,
                state=FINISHED if i == len(rows) - 1 else RUNNING, val_loss=row.get("val_loss")))
        self.training.flush()

    def add_entry(self, entry: ModelEntry, make_current: bool = True, history: bool = True) -> None:
        self.entries.append(entry)
        if make_current:
            self.set_current(entry, history=history)
        self._fill_combo()

    def _send_to_editor(self, image) -> None:
        img = np.asarray(image, np.float32)
        if img.shape == (7, 5):
            self.editor.set_glyph(img)
            self.docks["editor"].raise_()

    # ---------------------------------------------------------------- files
    def _start_dir(self) -> str:
        # Read untyped: a byte array there made the str conversion raise UnicodeDecodeError.
        last = self.settings.value("last_dir")
        return last if isinstance(last, str) and last else str(Path.home())

    def _remember(self, path) -> None:
        path = str(Path(path).resolve())
        self.settings.setValue("last_dir", str(Path(path).parent))
        recent = [p for p in self._recent() if p != path]
        self.settings.setValue("recent", ([path] + recent)[:MAX_RECENT])

    def _recent(self) -> list[str]:
        # Only text: a damaged settings file can hold byte arrays here (tests/qt/test_fuzz_settings.py).
        return [p for p in self.settings.value("recent", [], list) or [] if isinstance(p, str) and p]

    def _fill_recent(self) -> None:
        menu = self.menu_recent
        menu.clear()
        recent = self._recent()
        if not recent:
            menu.addAction(tr("(none)")).setEnabled(False)
        for p in recent:
            menu.addAction(p, lambda p=p: self.open_path(p))
        menu.addSeparator()
        menu.addAction(tr("Clear list"), lambda: self.settings.setValue("recent", []))

    def open_path(self, path: str) -> None:
        p = Path(path)
        if path.endswith(".h"):
            self.builder.set_font_path(path)
            self.docks["builder"].raise_()
            self._remember(path)
        elif p.is_dir() and not (p / "model.json").exists():
            self.open_dataset("folder", path)
        elif p.is_file() and _is_idx_images(p):
            self.open_dataset("idx", path)
        else:
            self.open_model(path)

    def open_dataset(self, source: str, path) -> None:
        """Train on a folder of pictures or an IDX images file: the builder switches to it
        (nothing is read until Train, and then off the GUI thread)."""
        self.builder.set_source(source, str(path))
        self.docks["builder"].show()
        self.docks["builder"].raise_()
        self._remember(path)

    def open_folder_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, tr("Image folder…"), self._start_dir())
        if path:
            self.open_dataset("folder", path)

    def open_idx_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("IDX images file…"), self._start_dir(),
            tr("IDX files (*idx*ubyte *idx*ubyte.gz *.idx *.gz);;All files (*)"))
        if path:
            self.open_dataset("idx", path)

    def open_font_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Open font.h…"), self._start_dir(),
                                              tr("Font files (*.h);;All files (*)"))
        if path:
            self.open_path(path)

    def open_model_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Open model…"), self._start_dir(),
                                              tr("Model files (*.json *.safetensors)"))
        if path:
            self.open_model(path)

    def open_model(self, path) -> None:
        from aegui.qt.models import open_model

        def done(entry):
            if entry.dataset.warnings:
                self._show_data_warnings(entry.dataset.warnings)
            self.add_entry(entry)
            self._remember(path)
            self.settings.setValue("last_model", str(Path(path).resolve()))

        def failed(message):
            QMessageBox.critical(self, tr("Could not open the model"), message)

        self.tasks.run(open_model, path, on_done=done, on_error=failed)

    def save_model(self) -> bool:
        entry = self.current
        if entry is None or entry is self.live:
            self.statusBar().showMessage(tr("No model to save yet."), 4000)
            return False
        if entry.path is None or entry.path.is_relative_to(self._autosave_dir()) \
                or "(demo)" in entry.name:
            return self.save_model_as()
        return self._save_to(entry, entry.path)

    def save_model_as(self) -> bool:
        entry = self.current
        if entry is None or entry is self.live:
            self.statusBar().showMessage(tr("No model to save yet."), 4000)
            return False
        default = str(Path(self._start_dir()) / "model.json")
        path, _ = QFileDialog.getSaveFileName(self, tr("Save model as…"), default,
                                              tr("Model files (*.json *.safetensors)"))
        return bool(path) and self._save_to(entry, Path(path))

    def _save_to(self, entry: ModelEntry, path: Path) -> bool:
        from aegui.qt.models import save_entry
        try:
            entry.path = save_entry(entry, path)
        except Exception as e:   # noqa: BLE001 - disk full, permissions...
            QMessageBox.critical(self, tr("Could not save the model"), f"{path}: {e}")
            return False
        entry.dirty = False
        self._remember(path)
        self.settings.setValue("last_model", str(Path(path).resolve()))
        self.statusBar().showMessage(tr("Saved {path}", path=str(path)), 5000)
        self._fill_combo()
        return True

    def _export(self, what: str) -> None:
        filt = {"csv": tr("CSV files (*.csv)"), "strip_gif": tr("GIF animations (*.gif)")}.get(
            what, tr("PNG images (*.png)"))
        default = str(Path(self._start_dir()) / {
            "charts": "training.png", "csv": "training.csv", "latent": "latent.png",
            "strip": "interpolation.png", "strip_gif": "interpolation.gif",
            "recon_grid": "reconstructions.png", "traversal": "traversal.png"}[what])
        path, _ = QFileDialog.getSaveFileName(self, tr("Export"), default, filt)
        if path:
            suffix = Path(default).suffix
            if not path.lower().endswith(suffix):
                path += suffix
            try:
                self.export(what, path)
            except OSError as e:
                QMessageBox.warning(self, tr("Could not export"), str(e))

    def export(self, what: str, path) -> bool:
        if what == "charts":
            self.training.export_png(path)
        elif what == "csv":
            self.training.export_csv(path)
        elif what == "latent":
            self.latent.grab().save(str(path))
        elif what in ("strip", "strip_gif"):
            if self.latent.strip_images() is None:
                self.statusBar().showMessage(tr("Nothing to export yet."), 4000)
                return False
            if what == "strip":
                self.latent.export_strip(path)
            else:
                self.latent.export_strip_gif(path)
        elif what in ("recon_grid", "traversal"):
            ok = self.recon.export_grid(path) if what == "recon_grid" else self.latent.export_traversal(path)
            if not ok:
                self.statusBar().showMessage(tr("Nothing to export yet."), 4000)
                return False
        self._remember(path)
        return True

    # ---------------------------------------------------------------- training
    def _train_shortcut(self) -> None:
        if not self.controller.is_running():
            try:
                self.start_training(self.builder.experiment())
            except ValueError as e:
                self.statusBar().showMessage(str(e), 6000)

    def start_training(self, exp) -> None:
        """Load the data on a worker thread (progress in the status bar, Stop cancels), then
        train on its training part with the validation part's loss charted."""
        if not self.torch_ready or self.controller.is_running() or self.loader.is_loading():
            return
        self.builder.set_running(True, loading=True)
        self._state_key = "Loading the dataset…"
        self.st_busy.setRange(0, 0)
        self.st_busy.setTextVisible(False)
        self._refresh_status()
        self.loader.load(exp.data, on_done=lambda result: self._data_loaded(exp, *result),
                         on_error=self._data_failed)

    def stop_training(self) -> None:
        if self.loader.is_loading():
            self.loader.cancel()
        else:
            self.controller.stop()

    def _data_progress(self, done: int, total: int) -> None:
        self.st_busy.setRange(0, max(1, total))
        self.st_busy.setValue(done)
        self.st_busy.setFormat(f"{done} / {total}")
        self.st_busy.setTextVisible(True)

    def _data_failed(self, message: str | None) -> None:
        """message None: the user stopped the load."""
        self.builder.set_running(False)
        self._state_key = "Ready" if message else "Stopped"
        self._refresh_status()
        if message:
            field, _, problem = message.partition(": ")
            if field.startswith("data.") and self.builder.field_widget(field) is not None:
                self.builder.mark_field(field, problem)
            QMessageBox.critical(self, tr("Could not load the dataset"), message)

    def _data_loaded(self, exp, full, train, val) -> None:
        if full.warnings:
            self._show_data_warnings(full.warnings)
        # The panels show every sample (as when the model is reopened); training sees its part.
        self._train_exp, self._train_data = exp, full
        self._first_snapshot = True
        self.training.reset(exp.train.epochs, exp.train.seeds)
        # One bar per sample is unreadable (and slow) past a thousand: chart a spread subset.
        self._bar_index = None
        if len(train) > SHOWN_MAX:
            from aegui.core.data.dataset import spread_indices
            self._bar_index = spread_indices(len(train), SHOWN_MAX)
        self.training.set_labels(train.labels if self._bar_index is None
                                 else [train.labels[i] for i in self._bar_index])
        self.docks["training"].raise_()
        self.builder.set_running(True)
        self._state_key = "Training…"
        self._refresh_status()
        self._train_started = time.perf_counter()
        self.controller.start(exp, train, val)

    def _show_data_warnings(self, warnings: list[str]) -> None:
        """Unreadable pictures, in one message that does not stop training from starting."""
        if self.data_warning_box is not None:
            self.data_warning_box.close()
        box = QMessageBox(QMessageBox.Warning, tr("Some pictures were skipped"), "\n\n".join(warnings),
                          QMessageBox.Ok, self)
        box.setWindowModality(Qt.NonModal)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.finished.connect(lambda *_, b=box: self.data_warning_box is b and setattr(self, "data_warning_box", None))
        box.show()
        self.data_warning_box = box

    def _pause(self) -> None:
        self.controller.pause()
        self.builder.set_running(True, paused=True)
        self._state_key = "Paused"
        self._refresh_status()

    def _resume(self) -> None:
        self.controller.resume()
        self.builder.set_running(True, paused=False)
        self._state_key = "Training…"
        self._refresh_status()

    def _on_started(self, info: dict) -> None:
        self._device_name = info["device"] if info["device"] != "cpu" else "CPU"
        self.st_device.setText(tr("Device: {name}", name=self._device_name))

    def _on_progress(self, rec) -> None:
        index = getattr(self, "_bar_index", None)
        if rec is not None and index is not None and len(rec.glyph_wrong) > len(index):
            rec.glyph_wrong = rec.glyph_wrong[index]
        self.training.add_record(rec)
        self._last_rec = rec
        self._show_progress_status()

    def _show_progress_status(self) -> None:
        rec = self._last_rec
        if rec is not None:
            self.st_epoch.setText(tr("Epoch {epoch}/{total}", epoch=rec.epoch, total=rec.total_epochs))
            self.st_speed.setText(tr("{speed:.0f} epochs/s", speed=rec.epochs_per_s))

    def _on_snapshot(self, model) -> None:
        if self.live is None:
            self.live = ModelEntry(self._train_exp.name, model, self._train_exp, self._train_data)
        else:
            self.live.model = model
        follow = self.current is None or self.current is self.live or self._first_snapshot
        if follow:
            self.set_current(self.live, autorange=self._first_snapshot)
        self._first_snapshot = False

    def _on_finished(self, rec, model, history) -> None:
        self.builder.set_running(False)
        self._on_progress(rec)
        self.live = None
        entry = None
        if rec is not None:
            # Wrong pixels say how well glyphs came back; for images the loss says more.
            score = f"{rec.max_wrong} px" if tuple(self._train_data.shape) == GLYPH_SHAPE else \
                f"{tr('loss')} {rec.val_loss if rec.val_loss is not None else rec.losses.get('total', 0.0):.4g}"
            name = tr("Trained: {name}", name=f"{self._train_exp.name} — {score}")
            entry = ModelEntry(name, model, self._train_exp, self._train_data, None,
                               {"max_wrong_pixels": rec.max_wrong, "mean_wrong_pixels": rec.mean_wrong,
                                "epochs": rec.epoch, "seconds": rec.elapsed, "state": rec.state},
                               dirty=True, history=history)
            self._autosave(entry)
            self.add_entry(entry, history=False)   # the charts already show this run
        self._state_key = {"stopped": "Stopped", "diverged": "Training diverged"}.get(
            getattr(rec, "state", ""), "Ready")
        self._refresh_status()
        if rec is not None and rec.state == "diverged":
            self.builder.mark_field("train.learning_rate", message_text(rec))
        self.training_finished.emit(rec)

    def _autosave_dir(self) -> Path:
        from aegui.core.files.paths import user_data_dir
        return user_data_dir() / "autosave"

    def _autosave(self, entry: ModelEntry) -> None:
        """Every trained model is written to the user's autosave folder: nothing is lost."""
        from aegui.qt.models import save_entry
        folder = self._autosave_dir() / time.strftime("%Y%m%d-%H%M%S")
        try:
            entry.path = save_entry(entry, folder)
            self.statusBar().showMessage(tr("Autosaved to {path}", path=str(folder)), 6000)
        except OSError as e:
            self.statusBar().showMessage(f"{folder}: {e}", 8000)

    def _on_error(self, message: str) -> None:
        self.builder.set_running(False)
        self.live = None
        self._state_key = "Ready"
        self._refresh_status()
        QMessageBox.critical(self, tr("Training failed"), message)

    # ---------------------------------------------------------------- experiments
    def _build_experiments_menu(self) -> None:
        m = self.menu_experiments
        self._action(m, "New sweep…", self.new_sweep)
        self._action(m, "Open sweep…", self.open_sweep_dialog)
        self._action(m, "Save sweep…", self.experiments.editor.save_dialog)
        m.addSeparator()
        # One entry per shipped preset: it opens in the Experiments panel and runs.
        self.preset_actions = [self._action(m, name, lambda _=False, p=path: self.run_preset(p))
                               for path, name in preset_sweeps()]
        m.addSeparator()
        # The analyses: each opens its tab and runs its default; the tab has the other settings.
        self.analysis_actions = {
            "denoise": self._action(m, "Denoising curve…", lambda: self.run_analysis("denoise")),
            "embedding": self._action(m, "Latent space vs PCA vs t-SNE (Font1–3)…",
                                      lambda: self.run_analysis("embedding")),
            "probe": self._action(m, "Classifier probe…", lambda: self.run_analysis("probe")),
        }

    def run_analysis(self, key: str) -> bool:
        """Shows the analysis's tab and runs its default preset, unless that tab is already running."""
        dock = self.docks["analyses"]
        dock.show()
        dock.raise_()
        view = self.analyses.show_tab(key)
        if view.is_running():
            return False
        return view.run_preset()

    def show_experiments(self) -> None:
        dock = self.docks["experiments"]
        dock.show()
        dock.raise_()

    def sweep_use_builder(self) -> None:
        """The builder's experiment becomes the sweep's base."""
        try:
            exp = self.builder.experiment()
        except ValueError as e:
            self.experiments.editor.show_info(str(e), error=True)
            return
        self.experiments.set_base(exp)

    def new_sweep(self) -> None:
        try:
            base = self.builder.experiment()
        except ValueError:
            base = self.experiments.editor.base()
        self.experiments.new_sweep(base)
        self.show_experiments()

    def open_sweep_dialog(self) -> None:
        self.show_experiments()
        self.experiments.editor.open_dialog()

    def run_preset(self, path) -> bool:
        self.show_experiments()
        return self.experiments.run_preset(path)

    # ---------------------------------------------------------------- view
    def set_language(self, code: str) -> None:
        i18n.set_language(code)
        i18n.install_qt_translator(code)
        self.settings.setValue("language", code)

    def set_theme(self, name: str) -> None:
        theme.apply(name)
        self.theme_actions[name].setChecked(True)
        self.settings.setValue("theme", name)

    def reset_layout(self) -> None:
        self.restoreState(self._default_state)
        for dock in self.docks.values():
            dock.show()

    def _restore_layout(self) -> None:
        # A damaged settings file gives text or lists here, and restoreGeometry(str) raised
        # TypeError: the window did not open (tests/qt/test_fuzz_settings.py).
        geometry = self.settings.value("geometry")
        state = self.settings.value("window_state")
        if not (isinstance(geometry, (QByteArray, bytes)) and self.restoreGeometry(geometry)):
            self.resize(1280, 800)
        if isinstance(state, (QByteArray, bytes)):
            self.restoreState(state)

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>{tr(v)}</td></tr>" for k, v in SHORTCUTS)
        QMessageBox.information(self, tr("Keyboard shortcuts"), f"<table cellpadding=4>{rows}</table>")

    def show_about(self) -> None:
        QMessageBox.about(self, tr("About aegui"),
                          f"<h3>aegui {aegui.__version__}</h3><p>{tr('aegui — autoencoder studio')}</p>"
                          "<p>Emoji: Noto Emoji (Apache 2.0), emoji-datasource (MIT).</p>")

    def closeEvent(self, event) -> None:
        if self.experiments.is_running():
            if self.confirm_close:
                answer = QMessageBox.question(
                    self, tr("Cancel the sweep and quit?"),
                    tr("A sweep is running. It will be cancelled; the configs that finished are saved."))
                if answer != QMessageBox.Yes:
                    event.ignore()
                    return
            self.experiments.shutdown()   # the worker autosaves the finished configs
        if self.analyses.is_running():
            if self.confirm_close:
                answer = QMessageBox.question(
                    self, tr("Cancel the analysis and quit?"),
                    tr("An analysis is running. It will be cancelled; what it measured so far is not saved."))
                if answer != QMessageBox.Yes:
                    event.ignore()
                    return
            self.analyses.shutdown()
        if self.controller.is_running():
            if self.confirm_close:
                answer = QMessageBox.question(
                    self, tr("Stop training and quit?"),
                    tr("Training is running. It will be stopped; the best model so far is autosaved."))
                if answer != QMessageBox.Yes:
                    event.ignore()
                    return
            self.controller.shutdown()
            # Deliver the worker's queued `finished` now, so the best model is autosaved.
            QCoreApplication.sendPostedEvents()
            QCoreApplication.processEvents()
        self.loader.cancel()       # a folder still loading stops at its next picture
        self.tasks.wait_all(5000)
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        super().closeEvent(event)
