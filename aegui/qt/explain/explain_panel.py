"""Explain one input: walk it through the shown model and show every number on the way.

The input is what the other panels point at (the workspace's input_changed: the glyph drawn in
the pixel editor, the point under the cursor on the latent canvas, the picture drawn) or a sample
of the model's dataset. Each layer's values are a strip of cells (CellStrip), the number on
hover; a VAE adds its sampling step (mean, spread, the noise drawn, the code, the KL term per
dimension: LatentTable) and Re-sample; a denoiser shows its noisy input, the output, the output
thresholded and the pixels it changed. aegui.core.analyses.explain computes it on a worker
(threads.Latest): the GUI thread only draws, also while training (current_updated).
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QComboBox, QGridLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from aegui.core.schema.experiment import ACTIVATIONS
from aegui.core.schema.kinds import kind_of
from aegui.core.config.fields import ACTIVATION_LABELS
from aegui.core.data.noise import LABELS as NOISE_LABELS
from aegui.qt.explain.cell_strip import CellStrip
from aegui.qt.explain.latent_table import LatentTable, fmt
from aegui.qt.i18n import bind_text, on_language, plural, tr
from aegui.qt.workers.threads import Latest
from aegui.qt.widgets.glyphs.glyph_strip import GlyphStrip
from aegui.qt.widgets.layout_items import take_widget
from aegui.qt.widgets.glyphs.marks import CHANGED, MarkLegend
from aegui.qt.widgets.text.note import NoteLabel
from aegui.qt.widgets.text.terms import explain

FOLLOW, DATASET = "follow", "dataset"
INPUT_MS = 80          # inputs arriving faster (a hover) are taken this far apart
PICTURE_PX = 80        # a picture of the input or output is about this big
ROLES = {"code": "the code", "output": "the output", "mean, log-variance": "mean and log-variance"}
# What the row of pictures shows: a denoiser's steps, a sampled code's two decodes, or the plain pair.
DENOISER_PICTURES = ("Clean", "Noisy input", "Output", "Thresholded")
SAMPLER_PICTURES = ("Input", "Output of z", "Output of μ")
PLAIN_PICTURES = ("Input", "Output")


def explain_input(model, x, seed: int, noise, shape):
    """explain() for a worker thread (the panel's one call into the model)."""
    from aegui.core.analyses.explain import explain
    return explain(model, x, seed=seed, noise=noise, clean=None if noise else x, shape=shape)


def _image(values, shape) -> np.ndarray:
    shape = tuple(shape)
    a = np.asarray(values, np.float32)
    if len(shape) == 1:
        return a.reshape(1, -1)
    return a.reshape(shape[:2]) if len(shape) == 3 and shape[2] == 1 else a.reshape(shape)


class ExplainPanel(QWidget):
    """What the shown model computes for one input."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.result = None                 # the Explanation shown (aegui.core.analyses.explain)
        self._ws = None
        self._model = None                 # the TrainedModel explained
        self._followed: np.ndarray | None = None
        self._seed = 0
        self._stale = False
        self._message: tuple[str, dict] | None = None
        self._captions: list[str] = []
        self._hovering: int | None = None      # the layer whose value the read-out shows
        self._jobs = Latest(self)
        self._timer = QTimer(self, singleShot=True, interval=INPUT_MS)
        self._timer.timeout.connect(self.refresh)
        self._build()
        on_language(self, self._show_state)
        self._show_state()

    # -- construction ------------------------------------------------------------------------
    def _build_controls(self) -> QGridLayout:
        """What to explain: the input's source, the sample, Re-sample, a denoiser's noise."""
        self.source_label = QLabel()
        bind_text(self, self.source_label.setText, "Input")
        self.source = QComboBox()
        self.source.addItem("", FOLLOW)
        self.source.addItem("", DATASET)
        bind_text(self, lambda text: self.source.setItemText(0, text), "What the editor or the canvas points at")
        bind_text(self, lambda text: self.source.setItemText(1, text), "A sample of the dataset")
        bind_text(self, self.source.setToolTip, "Draw in the pixel editor or hover the latent canvas to explain that "
                                                "input; or pick a sample of the model's dataset.")
        self.source.currentIndexChanged.connect(self._source_changed)
        self.item = QComboBox()
        self.item.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.item.setMinimumContentsLength(6)
        self.item.currentIndexChanged.connect(lambda _i: self._source_is(DATASET) and self.schedule(now=True))
        self.resample_button = QPushButton(clicked=self.resample)
        bind_text(self, self.resample_button.setText, "Re-sample")
        self.noise_label = QLabel()
        bind_text(self, self.noise_label.setText, "Noise")
        self.noise_kind = QComboBox()
        for i, (kind, name) in enumerate(NOISE_LABELS.items()):
            self.noise_kind.addItem("", kind)
            bind_text(self, lambda text, i=i: self.noise_kind.setItemText(i, text), name)
        self.noise_kind.currentIndexChanged.connect(lambda _i: self.schedule(now=True))
        self.noise_level = QSpinBox(suffix=" %")
        self.noise_level.setRange(0, 100)
        bind_text(self, self.noise_level.setToolTip, "The noise added to the input before the denoiser gets it")
        self.noise_level.valueChanged.connect(lambda _v: self.schedule(now=True))
        controls = QGridLayout()
        controls.addWidget(self.source_label, 0, 0)
        controls.addWidget(self.source, 0, 1, 1, 2)
        controls.addWidget(self.item, 1, 1)
        controls.addWidget(self.resample_button, 1, 2)
        controls.addWidget(self.noise_label, 2, 0)
        controls.addWidget(self.noise_kind, 2, 1)
        controls.addWidget(self.noise_level, 2, 2)
        controls.setColumnStretch(1, 1)
        return controls

    def _build(self) -> None:
        controls = self._build_controls()
        self.model_label = QLabel(wordWrap=True)
        self.note = NoteLabel("warning")
        self.note.hide()
        # As many pictures as the model's kind shows (see _show_titles), each under its title.
        self.strip = GlyphStrip(4, 10, view_align=Qt.AlignmentFlag.AlignHCenter)
        self.picture_titles, self.pictures = self.strip.titles, self.strip.views
        self.legend = MarkLegend((CHANGED,))     # the thresholded output's marks (a denoiser's)
        self.legend.hide()
        self.summary = QLabel(wordWrap=True)
        self.vae_title = QLabel(wordWrap=True)
        bind_text(self, self.vae_title.setText, "Sampling: each latent dimension")
        self.vae_table = LatentTable()
        bind_text(self, self.vae_table.setToolTip, "μ: the mean, σ: the spread, ε: the noise drawn, z = μ + σ × ε: the "
                                                   "code the decoder got, KL: the price of this dimension in the loss "
                                                   "(nats).")
        self.layers_title = QLabel(wordWrap=True)
        bind_text(self, self.layers_title.setText,
                  "Each layer's values (after its activation): red positive, blue negative")
        bold = QFont(self.font())
        bold.setBold(True)
        for label in (self.vae_title, self.layers_title):
            label.setFont(bold)
        self._layers = QVBoxLayout()
        self._layers.setSpacing(2)
        self._rows: list[tuple[QLabel, CellStrip]] = []
        self.readout = QLabel(wordWrap=True, alignment=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # Room for a long read-out from the start: a label that grew as the cursor moved would push
        # the strips under it away from the cursor.
        self.readout.setMinimumHeight(3 * self.readout.fontMetrics().lineSpacing() + 4)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(controls)
        lay.addWidget(self.model_label)
        lay.addWidget(self.note)
        lay.addWidget(self.strip)
        lay.addWidget(self.legend)
        lay.addWidget(self.summary)
        lay.addWidget(self.vae_title)
        lay.addWidget(self.vae_table)
        lay.addWidget(self.layers_title)
        lay.addWidget(self.readout)
        lay.addLayout(self._layers)
        lay.addStretch(1)
        self._show_kind(None)

    def _show_state(self) -> None:
        """Every text made from the state: the kind's tooltips, the model, the message, the
        read-out and the explanation shown."""
        self._show_kind(self._model)
        self._show_model_label()
        self._show_message()
        self._readout(None, -1)
        if self.result is not None:
            self._show(self._model, self.result)

    # -- the workspace -----------------------------------------------------------------------
    def bind(self, workspace) -> None:
        """Explain the shown model (also each training snapshot) on what the other panels point at
        (both as they are now, when the panel is built after them)."""
        self._ws = workspace
        workspace.current_changed.connect(lambda model, _previous: self.set_model(model, fresh=True))
        workspace.current_updated.connect(lambda model: self.set_model(model, fresh=False))
        workspace.input_changed.connect(self.set_input)
        workspace.models_changed.connect(self._show_model_label)     # renamed in File > Models…
        if workspace.input is not None:
            self.set_input(workspace.input)
        if workspace.current is not None:
            self.set_model(workspace.current, fresh=True)

    def set_model(self, model, fresh: bool = True) -> None:
        """`model`: a TrainedModel (None: none); `fresh`: another model, else new weights."""
        self._model = model
        if fresh:
            self._fill_items()
            exp = model.experiment if model is not None else None
            if exp is not None and kind_of(exp).corrupts_inputs:
                self.noise_kind.blockSignals(True)
                self.noise_level.blockSignals(True)
                self.noise_kind.setCurrentIndex(max(0, self.noise_kind.findData(exp.noise.kind)))
                self.noise_level.setValue(int(round(exp.noise.level * 100)))
                self.noise_kind.blockSignals(False)
                self.noise_level.blockSignals(False)
            self._show_kind(model)
            self._show_model_label()
        self.schedule(now=fresh)

    def set_input(self, x) -> None:
        """The input the other panels point at (any shape; None: none)."""
        self._followed = None if x is None else np.asarray(x, np.float32).reshape(-1).copy()
        if self._source_is(FOLLOW):
            self.schedule()

    def select_sample(self, index: int) -> None:
        """Explain sample `index` of the model's dataset (as shown by the panels)."""
        self.source.setCurrentIndex(self.source.findData(DATASET))
        self.item.setCurrentIndex(index)

    def resample(self) -> None:
        """Draw the VAE's noise (or the denoiser's input noise) again."""
        self._seed += 1
        self.schedule(now=True)

    def busy(self) -> bool:
        return self._timer.isActive() or self._jobs.busy()

    def on_screen(self) -> bool:
        """Shown and not behind another dock's tab (a tabbed dock stays 'visible' to Qt)."""
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def schedule(self, now: bool = False) -> None:
        if not self.on_screen():
            self._stale = True      # nothing to see: done when painted
        elif now:
            self._timer.stop()
            self.refresh()
        elif not self._timer.isActive():
            self._timer.start()

    def paintEvent(self, event) -> None:
        # Painted means on screen (a dock brought forward, scrolled to): the time to catch up.
        super().paintEvent(event)
        if self._stale:
            self._stale = False
            QTimer.singleShot(0, self.refresh)

    # -- computing ---------------------------------------------------------------------------
    def _source_is(self, key: str) -> bool:
        return self.source.currentData() == key

    def _source_changed(self, _index: int) -> None:
        self.item.setEnabled(self._source_is(DATASET))
        self.schedule(now=True)

    def _fill_items(self) -> None:
        self.item.blockSignals(True)
        self.item.clear()
        if self._model is not None:
            shown = self._model.shown
            for i, label in enumerate(shown.labels):
                self.item.addItem(f"{i + 1}: {label}")
            # The first sample with something in it (the course's fonts start with a blank space).
            self.item.setCurrentIndex(next((i for i, x in enumerate(shown.x) if np.any(x > 0)), 0))
        self.item.blockSignals(False)
        self.item.setEnabled(self._source_is(DATASET))

    def _input(self):
        """(the input to explain, or None; what it is, for the message when it does not fit)."""
        m = self._model
        followed = self._followed
        if self._source_is(FOLLOW) and followed is not None and followed.size == m.model.input_dim:
            return followed, None
        shown = m.shown
        if not len(shown):
            return None, None
        i = max(0, self.item.currentIndex())
        if self._source_is(FOLLOW) and followed is not None:
            return shown.x[i], ("The input pointed at has {n} values and this model reads {m}: showing "
                                "sample {label} of its dataset instead.", dict(n=followed.size, m=m.model.input_dim,
                                                                            label=shown.labels[i]))
        return shown.x[i], None

    def refresh(self) -> None:
        """Explain the input now (on a worker); the result is drawn when it comes."""
        self._timer.stop()
        m = self._model
        if m is None or m.model is None:
            self._jobs.cancel()
            self._say(("No model: open or train one to see what it computes.", {}))
            self._clear()
            return
        x, why = self._input()
        if x is None:
            self._say(("Nothing to explain: the model's dataset is empty.", {}))
            return
        self._say(why)
        noise = None
        if kind_of(m).corrupts_inputs and self.noise_level.value() > 0:
            noise = (self.noise_kind.currentData(), self.noise_level.value() / 100.0)
        self._jobs.submit(explain_input, m.model, np.asarray(x, np.float32), self._seed, noise, m.shape,
                          on_done=lambda result, model=m: self._show(model, result),
                          on_error=lambda e: self._say(("The model failed: {error}", {"error": str(e)})))

    # -- drawing -----------------------------------------------------------------------------
    def _show_kind(self, model) -> None:
        kind = kind_of(model) if model is not None else None
        dae, vae = bool(kind and kind.corrupts_inputs), bool(kind and kind.samples_codes)
        for w in (self.noise_label, self.noise_kind, self.noise_level):
            w.setVisible(dae)
        self.resample_button.setEnabled(dae or vae)
        self.resample_button.setToolTip(tr("Draw the noise ε again: another code z, another output") if vae else
                                        tr("Draw the input's noise again") if dae else
                                        tr("Nothing is drawn at random in this model"))
        self.vae_title.setVisible(vae)
        self.vae_table.setVisible(vae)
        self._kind = kind
        self._show_titles()

    def _show_titles(self) -> None:
        kind = getattr(self, "_kind", None)
        self.strip.set_titles(DENOISER_PICTURES if kind and kind.corrupts_inputs else
                              SAMPLER_PICTURES if kind and kind.samples_codes else PLAIN_PICTURES)

    def _show_model_label(self) -> None:
        m = self._model
        if m is None:
            self.model_label.setText("")
            return
        from aegui.qt.models.names import title
        self.model_label.setText(tr("Model: {name} ({kind})", name=title(m),
                                    kind=tr(_kind_label(m.kind))))

    def _say(self, message) -> None:
        self._message = message
        self._show_message()

    def _show_message(self) -> None:
        if not self._message:
            self.note.hide()
            self.note.setText("")
            return
        text, values = self._message
        self.note.setText(tr(text, **values))
        self.note.show()

    def _clear(self) -> None:
        self.result = None
        for view in self.pictures:
            view.set_image(None)
        self.legend.hide()
        self.summary.setText("")
        self.summary.setToolTip("")
        self.vae_table.set_step(None)
        self._set_layers([])

    def _show(self, model, result) -> None:
        if model is not self._model:
            return          # another model is shown by now
        self.result = result
        shape = result.shape
        cell = min(12.0, PICTURE_PX / max(shape[:2]))
        for view in self.pictures:
            view.set_cell_size(cell)
        d, v = result.denoise, result.vae
        if d is not None:
            clean = d.clean if d.clean is not None else d.noisy
            images = [(clean, None), (d.noisy, None), (d.output, None), (d.result, d.changed)]
            wrong = d.wrong if d.wrong is not None else 0
            n = int(d.changed.sum())
            changed = tr("It changed no pixel.") if n == 0 else plural(n, tr("It changed 1 pixel."),
                                                                        tr("It changed {n} pixels.", n=n))
            self.summary.setText(changed + " " + tr("Wrong pixels against the clean input: {noisy} in the noisy input, "
                                                    "{wrong} after denoising.", noisy=d.noisy_wrong or 0, wrong=wrong))
            self.summary.setToolTip(explain("wrong pixels"))
        elif v is not None:
            images = [(result.input, None), (result.output, None), (v.mean_output, None)]
            self.summary.setText(tr("KL: {kl} nats in all; noise seed {seed}.", kl=fmt(v.kl_total), seed=v.seed))
            self.summary.setToolTip(explain("KL"))
        else:
            images = [(result.input, None), (result.output, None)]
            self.summary.setText("")
            self.summary.setToolTip("")
        marked = False
        for view, (values, marks) in zip(self.pictures, images):
            img = _image(values, shape)
            marks = None if marks is None or img.ndim != 2 else _image(marks, shape).astype(bool)
            view.set_image(img, marks=marks, meaning=CHANGED)
            marked = marked or marks is not None
        self.legend.setVisible(marked)
        self.vae_table.set_step(v)
        self._set_layers(result.layers, shape)

    def _set_layers(self, layers, shape=None) -> None:
        while len(self._rows) > len(layers):
            caption, strip = self._rows.pop()
            for w in (caption, strip):
                take_widget(w, self._layers)
                w.deleteLater()
        while len(self._rows) < len(layers):
            caption, strip = QLabel(wordWrap=True), CellStrip()
            k = len(self._rows)
            strip.hovered.connect(lambda i, k=k: self._readout(k, i))
            self._layers.addWidget(caption)
            self._layers.addWidget(strip)
            self._rows.append((caption, strip))
        self._captions = []
        count = {"encoder": 0, "decoder": 0}
        for (caption, strip), lay in zip(self._rows, layers):
            values, order = lay.post, np.arange(lay.post.size)
            maps = values.ndim == 3
            if values.ndim == 1 and shape is not None and values.size == math.prod(shape) and len(shape) > 1:
                # The input and a dense output are drawn in the sample's shape, a tile a channel;
                # `order` maps a drawn cell back to its place in the layer's values.
                values, order = (_channels(a.reshape(shape)) for a in (values, order))
                maps = True
            text = _caption(lay, values.size, count)
            caption.setText(text)
            caption.setToolTip(lay.name)
            self._captions.append(text)
            strip.set_values(values, maps=maps)
            strip.describe = _describer(values.shape if maps else None, lay, order.reshape(-1))

    def _readout(self, layer: int | None, index: int) -> None:
        if index < 0 and layer is not None and layer != self._hovering:
            return      # leaving a strip after the cursor entered the next one
        if layer is None or index < 0 or layer >= len(self._rows):
            self._hovering = None
            self.readout.setText(tr("Hover a cell to read its value."))
            return
        self._hovering = layer
        self.readout.setText(f"{self._captions[layer]} — {self._rows[layer][1].text_at(index)}")

    # -- queries (tests, screenshots) ----------------------------------------------------------
    def strips(self) -> list[CellStrip]:
        return [strip for _, strip in self._rows]

    def captions(self) -> list[str]:
        return list(self._captions)

    def message(self) -> str:
        return self.note.text() if self._message else ""


def _kind_label(kind: str) -> str:
    from aegui.core.schema.experiment import KIND_LABELS
    return KIND_LABELS.get(kind, kind)


def _caption(lay, n: int, count: dict) -> str:
    if lay.kind == "input":
        return plural(n, tr("Input: 1 value"), tr("Input: {n} values", n=n))
    part = lay.part
    count[part] += 1
    activation = tr(ACTIVATION_LABELS.get(lay.activation, lay.activation)) if lay.activation in ACTIVATIONS else \
        lay.activation
    i = count[part]
    if part == "encoder":
        what = plural(n, tr("Encoder layer {i}: 1 value, {activation}", i=i, activation=activation),
                      tr("Encoder layer {i}: {n} values, {activation}", i=i, n=n, activation=activation))
    else:
        what = plural(n, tr("Decoder layer {i}: 1 value, {activation}", i=i, activation=activation),
                      tr("Decoder layer {i}: {n} values, {activation}", i=i, n=n, activation=activation))
    role = ROLES.get(lay.role)
    return tr("{layer} — {role}", layer=what, role=tr(role)) if role else what


def _channels(img: np.ndarray) -> np.ndarray:
    """[C, H, W] tiles of an (H, W) or (H, W, C) sample."""
    return img[None] if img.ndim == 2 else np.moveaxis(img, -1, 0)


def _describer(maps_shape, lay, order: np.ndarray):
    """What hovering drawn cell i of a layer says: where it is, its value and, when the layer has
    an activation, the value before it."""
    pre = None if lay.pre is None or lay.activation == "identity" else np.asarray(lay.pre, np.float32).reshape(-1)

    def describe(i: int, value: float) -> str:
        if maps_shape is not None:
            _, h, w = maps_shape
            c, rest = divmod(i, h * w)
            r, k = divmod(rest, w)
            where = tr("channel {c}, row {r}, column {k}", c=c + 1, r=r + 1, k=k + 1)
        else:
            where = tr("unit {i}", i=i + 1)
        if pre is not None:
            return tr("{where}: {value} (before the activation: {pre})", where=where, value=fmt(value),
                      pre=fmt(float(pre[order[i]])))
        return tr("{where}: {value}", where=where, value=fmt(value))
    return describe
