"""The main window: docks, the model list, and the wiring between panels (training, sweeps, the editor).

The menus are made in aegui.qt.menus, opening and saving files in aegui.qt.model_files.

torch is not imported here: the window shows first, then `start_loading()` imports it and
opens the demo models on a worker thread.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QDockWidget, QLabel, QMainWindow, QMessageBox, QProgressBar,
                               QScrollArea, QToolBar, QWidget)

from aegui.core.data.dataset import GLYPH_SHAPE
from aegui.core.train.snapshots import ReplayRecorder
from aegui.qt import collector, i18n
from aegui.qt.dataset_loader import DatasetLoader
from aegui.qt.i18n import tr
from aegui.qt.menus import WindowMenus
from aegui.qt.model_files import ModelFiles
from aegui.qt.models import SHOWN_MAX, ModelEntry, fallback_for
from aegui.qt.analyses.analyses_panel import AnalysesPanel
from aegui.qt.experiments.experiments_panel import ExperimentsPanel
from aegui.qt.latent.latent_canvas import LatentCanvas
from aegui.qt.library.library_panel import LibraryPanel
from aegui.qt.builder.model_builder import ModelBuilder
from aegui.qt.editor.image_canvas import DrawPanel
from aegui.qt.editor.pixel_editor import PixelEditor
from aegui.qt.guide import Guide
from aegui.qt.network.network_view import NetworkView
from aegui.qt.training.reconstructions import ReconstructionsPanel
from aegui.qt.training.training_panel import TrainingPanel, message_text
from aegui.qt.workers import TaskRunner, TrainingController


SCROLLED = ("experiments", "analyses")   # docks whose panel scrolls when the window is narrow


class MainWindow(WindowMenus, ModelFiles, QMainWindow):
    model_loaded = Signal()           # the demo models are in (smoke test, screenshots)
    training_finished = Signal(object)

    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        collector.start()   # before any worker thread exists
        if settings is None:
            from aegui.qt.settings import app_settings
            settings = app_settings()
        self.settings = settings
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
        self._recorder: ReplayRecorder | None = None   # the running training's latent replay
        self._start_step: str | None = None            # start the next run paused after one step
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
        self.network = NetworkView()
        self.drawing = DrawPanel()

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
        self.docks = {
            "builder": self._dock("builder", self.builder, L),
            "latent": self._dock("latent", self.latent, R),
            "training": self._dock("training", self.training, R),
            "editor": self._dock("editor", self.editor, R),
            "recon": self._dock("recon", self.recon, R),
            "library": self._dock("library", self.library, R),
            "experiments": self._dock("experiments", self.experiments, R),
            "analyses": self._dock("analyses", self.analyses, R),
            "network": self._dock("network", self.network, R),
            "draw": self._dock("draw", self.drawing, R),
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
        self.tabifyDockWidget(self.docks["editor"], self.docks["network"])
        self.tabifyDockWidget(self.docks["network"], self.docks["draw"])
        self.docks["editor"].raise_()
        self.docks["latent"].raise_()
        self.docks["training"].raise_()
        self.resizeDocks([self.docks["builder"]], [330], Qt.Horizontal)
        self.resizeDocks([self.docks["latent"], self.docks["editor"]], [580, 360], Qt.Horizontal)
        self.resizeDocks([self.docks["latent"], self.docks["training"]], [440, 270], Qt.Vertical)
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
        from PySide6.QtWidgets import QTabBar
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

    def _build_toolbar(self) -> None:
        bar = QToolBar(self)
        bar.setObjectName("toolbar-model")
        bar.setMovable(False)
        self.model_label = QLabel()
        self.model_combo = QComboBox()
        self.model_combo.setMinimumContentsLength(24)
        self.model_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        bar.addWidget(self.model_label)
        bar.addWidget(self.model_combo)
        # The editor may denoise with another model than the one on the canvas: a 2-D
        # autoencoder makes a fine map but a poor denoiser.
        self.editor_label = QLabel()
        self.editor_combo = QComboBox()
        self.editor_combo.setMinimumContentsLength(16)
        self.editor_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        bar.addSeparator()
        bar.addWidget(self.editor_label)
        bar.addWidget(self.editor_combo)
        self.addToolBar(Qt.TopToolBarArea, bar)
        self.toolbar = bar

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
        b.step_controls.step_requested.connect(self.step_training)
        b.step_controls.cap_changed.connect(self.controller.set_cap)
        self.addActions([b.step_controls.act_epoch, b.step_controls.act_batch])
        self.latent.replay.exported.connect(lambda text: self.statusBar().showMessage(text, 6000))
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
        self.latent.hovered.connect(self.network.set_input)
        self.editor.glyph_changed.connect(self.network.set_input)
        self.drawing.input_changed.connect(self.network.set_input)
        self.drawing.code_changed.connect(self.latent.search.mark)
        self.library.send_to_editor.connect(self._send_to_editor)
        self.experiments.use_builder_requested.connect(self.sweep_use_builder)

    # ---------------------------------------------------------------- text
    def retranslate(self, *_):
        self.setWindowTitle(tr("aegui — autoencoder studio"))
        titles = {"builder": "Model builder", "training": "Training", "editor": "Pixel editor",
                  "latent": "Latent space", "recon": "Reconstructions", "library": "Glyph library",
                  "experiments": "Experiments", "analyses": "Analyses", "network": "Network",
                  "draw": "Draw"}
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
        import pyqtgraph as pg
        for view in self.findChildren(pg.GraphicsView):   # pyqtgraph's own right-click menu
            for action in getattr(view.scene(), "contextMenu", []):
                if action.text().replace("&", "") in ("Export...", tr("Export...")):
                    action.setText(tr("Export..."))

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
            extra = len(self.entries) > result.get("demo_count", 2)   # the last session's model
            self.set_current(self.entries[-1] if extra else self.entries[0])
            denoisers = [e for e in self.entries if e.experiment.model.kind == "dae"]
            if denoisers and self.current.experiment.model.kind != "dae":
                self.editor_entry = denoisers[0]
                self._update_editor_model()
                self._fill_editor_combo()
        self._state_key = "Ready"
        self._refresh_status()
        if result["problems"]:
            QMessageBox.warning(self, tr("Some models could not be loaded"), "\n\n".join(result["problems"]))
        self.guide = Guide(self, self.settings)
        self.guide.start()          # the first-run hints, until dismissed for good
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
            combo.addItem(e.title() + (" *" if e.dirty else ""))
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
            combo.addItem(e.title() + (" *" if e.dirty else ""))
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
        self.editor.set_reconstruct(entry.denoiser(), entry.familiarity(), fallback_for(entry, self.entries))
        if self._editor_dataset is not entry.dataset:
            self._editor_dataset = entry.dataset
            self.editor.set_dataset(entry.dataset.labels, entry.dataset.x)
            if not self.editor.glyph().any() and len(entry.dataset):
                # Start from a real glyph so the demo shows a denoised output at once.
                self.editor.set_glyph(entry.dataset.images()[1 if len(entry.dataset) > 1 else 0])
                self.editor.undo_stack.clear()

    def _update_drawing(self, entry: ModelEntry, new_data: bool) -> None:
        """Image models get the drawing canvas in their own shape; glyph models the 5x7 editor."""
        if entry.shape == GLYPH_SHAPE:
            if new_data:
                self.latent.search.mark(None)
                self.drawing.set_model(None, None, entry.shape)
            return
        ds = entry.shown
        self.drawing.set_model(entry.reconstructor(), entry.encoder(), entry.shape, ds.images(), ds.labels)
        if new_data:
            self.docks["draw"].raise_()

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
        self.network.set_model(entry.model, sample=None if self.network.has_input() else ds.x[0])
        self._update_drawing(entry, new_data)
        live = entry is self.live and self._recorder is not None
        self.latent.replay.set_store(self._recorder.store if live else entry.replay, ds.labels, live=live)
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
        self._set_image_mode(ds)
        if self.training.image_mode():
            self._add_image_errors(entry, rows[-1]["epoch"] if rows else 0)
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

    def _set_image_mode(self, dataset) -> None:
        """Grey or colour pictures get reconstruction error in MSE and PSNR, glyphs wrong pixels."""
        from aegui.core.analyses.image_quality import is_binary
        self.training.set_image_mode(not is_binary(dataset.x[:SHOWN_MAX]))

    def _add_image_errors(self, entry: ModelEntry, epoch: int) -> None:
        ds = entry.shown
        self.training.add_image_errors(epoch, ds.images(), entry.reconstructions(), ds.labels)

    def add_entry(self, entry: ModelEntry, make_current: bool = True, history: bool = True) -> None:
        self.entries.append(entry)
        if make_current:
            self.set_current(entry, history=history)
        self._forget_old_runs()
        self._fill_combo()

    def _send_to_editor(self, image) -> None:
        img = np.asarray(image, np.float32)
        if img.shape == (7, 5):
            self.editor.set_glyph(img)
            self.docks["editor"].raise_()

    # ---------------------------------------------------------------- files

    # ---------------------------------------------------------------- training
    def _train_shortcut(self) -> None:
        if not self.controller.is_running():
            try:
                self.start_training(self.builder.experiment())
            except ValueError as e:
                self.statusBar().showMessage(str(e), 6000)

    def start_training(self, exp, step: str | None = None) -> None:
        """Load the data on a worker thread (progress in the status bar, Stop cancels), then
        train on its training part with the validation part's loss charted. `step` ("epoch" or
        "batch"): start in step mode, paused after the first one."""
        if not self.torch_ready or self.controller.is_running() or self.loader.is_loading():
            return
        self._start_step = step
        self.builder.set_running(True, loading=True)
        self._state_key = "Loading the dataset…"
        self.st_busy.setRange(0, 0)
        self.st_busy.setTextVisible(False)
        self._refresh_status()
        self.loader.load(exp.data, on_done=lambda result: self._data_loaded(exp, *result),
                         on_error=self._data_failed)

    def step_training(self, unit: str = "epoch") -> None:
        """One more batch or epoch of the running training, then pause; with none running,
        start one that pauses after its first step."""
        if self.controller.is_running():
            self.controller.step(unit)
            self._show_paused()
        elif not self.loader.is_loading():
            try:
                self.start_training(self.builder.experiment(), step=unit)
            except ValueError as e:
                self.statusBar().showMessage(str(e), 6000)

    def _show_paused(self) -> None:
        self.builder.set_running(True, paused=True)
        self._state_key = "Paused"
        self._refresh_status()

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
        self._start_step = None
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
        self._set_image_mode(full)
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
        self._recorder = None
        if self.latent.replay.recording():
            shown = ModelEntry(exp.name, None, exp, full).shown   # the samples the canvas shows
            self._recorder = ReplayRecorder(shown.x, labels=shown.labels)
        step, self._start_step = self._start_step, None
        self.controller.start(exp, train, val, recorder=self._recorder, step=step)
        if step:
            self._show_paused()

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
        self._show_paused()

    def _resume(self) -> None:
        self.controller.resume()
        self.builder.set_running(True, paused=False)
        self._state_key = "Training…"
        self._refresh_status()

    def _on_started(self, info: dict) -> None:
        self._device_name = info.get("device_name") or info["device"]
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
        if self.training.image_mode():
            self._add_image_errors(self.live, self._last_rec.epoch if self._last_rec is not None else 0)

    def _on_finished(self, rec, model, history) -> None:
        self.builder.set_running(False)
        self._on_progress(rec)
        self.live = None
        self._start_step = None
        entry = None
        if rec is not None:
            # Wrong pixels say how well glyphs came back; for images the loss says more.
            score = ("px", rec.max_wrong) if tuple(self._train_data.shape) == GLYPH_SHAPE else \
                ("loss", rec.val_loss if rec.val_loss is not None else rec.losses.get('total', 0.0))
            entry = ModelEntry(self._train_exp.name, model, self._train_exp, self._train_data, None,
                               {"max_wrong_pixels": rec.max_wrong, "mean_wrong_pixels": rec.mean_wrong,
                                "epochs": rec.epoch, "seconds": rec.elapsed, "state": rec.state},
                               dirty=True, history=history, trained=score,
                               replay=self._recorder.store if self._recorder and len(self._recorder.store) else None)
            self._autosave(entry)
            self.add_entry(entry, history=False)   # the charts already show this run
            if self.training.image_mode():
                self._add_image_errors(entry, rec.epoch)
        self._state_key = {"stopped": "Stopped", "diverged": "Training diverged"}.get(
            getattr(rec, "state", ""), "Ready")
        self._refresh_status()
        if rec is not None and rec.state == "diverged":
            self.builder.mark_field("train.learning_rate", message_text(rec))
        self.training_finished.emit(rec)

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

    def _restore_layout(self) -> None:
        # A damaged settings file: text raised TypeError, changed bytes crashed Qt (test_fuzz_settings).
        from aegui.qt.settings import saved_layout
        geometry, state = saved_layout(self.settings, "geometry"), saved_layout(self.settings, "window_state")
        if not (geometry is not None and self.restoreGeometry(geometry)):
            self.resize(1280, 800)
        if state is not None:
            self.restoreState(state)

    QUIT_QUESTIONS = {   # what is running: (question, facts, do, keep)
        "sweep": ("Cancel the sweep and quit?",
                  "A sweep is running. It will be cancelled; the configs that finished are saved.",
                  "Cancel and quit", "Keep the sweep running"),
        "analysis": ("Cancel the analysis and quit?",
                     "An analysis is running. It will be cancelled; what it measured so far is not saved.",
                     "Cancel and quit", "Keep the analysis running"),
        "training": ("Stop training and quit?",
                     "Training is running. It will be stopped; the best model so far is autosaved.",
                     "Stop and quit", "Keep training"),
    }

    def quit_box(self, what: str):
        from aegui.qt.widgets.ask import question_box
        return question_box(self, *(tr(t) for t in self.QUIT_QUESTIONS[what]))

    def _may_quit(self, what: str) -> bool:
        if not self.confirm_close:
            return True
        box = self.quit_box(what)
        box.exec()
        return box.clickedButton() is box.do_button

    def closeEvent(self, event) -> None:
        running = [("sweep", self.experiments.is_running()), ("analysis", self.analyses.is_running()),
                   ("training", self.controller.is_running())]
        for what, busy in running:
            if busy and not self._may_quit(what):
                event.ignore()
                return
        if self.experiments.is_running():
            self.experiments.shutdown()   # the worker autosaves the finished configs
        if self.analyses.is_running():
            self.analyses.shutdown()
        if self.controller.is_running():
            self.controller.shutdown()
            # Deliver the worker's queued `finished` now, so the best model is autosaved.
            QCoreApplication.sendPostedEvents()
            QCoreApplication.processEvents()
        self.loader.cancel()       # a folder still loading stops at its next picture
        self.tasks.wait_all(5000)
        from aegui.qt.settings import save_layout
        save_layout(self.settings, self.saveGeometry(), self.saveState())
        super().closeEvent(event)
