"""The Model group of the builder: the kind of autoencoder and its extra terms, the noise of a
denoising one, the layers (MLP sizes or conv channels), activations and initialisation. Its plain
rows come from the field descriptions; the rows here are the layer editors (encoder, latent size,
decoder, or conv channels) that together make model.layers, and the input and layer summaries."""
from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel

from aegui.core.config import experiment as C
from aegui.core.config.experiment import ConfigError, Experiment, ModelSpec
from aegui.core.models import arch as A
from aegui.qt.i18n import tr
from aegui.qt.builder.data_section import shape_text
from aegui.qt.widgets.layer_editor import LayerListEditor


def _thin(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def image_encoder(dim: int) -> list[int]:
    """Default MLP hidden layers for images of `dim` values (e.g. 784 -> 512 -> 128)."""
    return [512, 128] if dim > 256 else [64, 32]


class ModelSection:
    """The Model group of `builder` (a ModelBuilder: its form, loading flag, loaded experiment and
    the data's sample shape)."""

    def __init__(self, builder):
        self.builder = builder
        self.form = builder.form
        self.input_dim = 35

    def build(self) -> QGroupBox:
        form = self.form
        layout = form.layout()
        form.lay_out("model", layout, {"model.input_shape": self._input_row, "model.channels": self._channels_row,
                                       "model.encoder": self._encoder_row, "model.decoder": self._decoder_row,
                                       "model.layers": self._layers_row})
        self.arch_combo = form.widget("model.arch")
        self.latent_spin = form.widget("model.latent")
        self.mirror_check = form.widget("model.mirror")
        form.editor("model.mirror").changed.connect(self._mirror_toggled)
        return form.group("Model", layout)

    def _input_row(self, layout: QFormLayout) -> None:
        self.input_label = QLabel(wordWrap=True)
        self.form.add_row(layout, "model.input_shape", self.input_label)

    def _channels_row(self, layout: QFormLayout) -> None:
        self.channels_editor = LayerListEditor(maximum=1024, max_count=C.MAX_CONV_LAYERS,
                                               next_value=lambda values: min(1024, values[-1] * 2) if values else 32)
        self.form.add_row(layout, "model.channels", self.channels_editor, changed=self.channels_editor.changed)

    def _encoder_row(self, layout: QFormLayout) -> None:
        self.encoder_editor = LayerListEditor()
        self.form.add_row(layout, "model.encoder", self.encoder_editor, changed=self.encoder_editor.changed)

    def _decoder_row(self, layout: QFormLayout) -> None:
        self.decoder_editor = LayerListEditor()
        self.form.add_row(layout, "model.decoder", self.decoder_editor, changed=self.decoder_editor.changed)

    def _layers_row(self, layout: QFormLayout) -> None:
        self.layers_label = QLabel(wordWrap=True)
        self.layers_label.setTextFormat(Qt.TextFormat.RichText)
        self.form.add_row(layout, "model.layers", self.layers_label)

    # ------------------------------------------------------------------ the layers

    def _conv(self) -> bool:
        return self.arch_combo.currentData() == "conv"

    def _local(self) -> bool:
        return self.arch_combo.currentData() == "local"

    def _local_latent(self) -> int:
        """A local model's code length, channels[-1] x H x W, from the data's shape (the input
        size stands in while the shape is unknown)."""
        shape = self.builder.sample_shape()
        chans = self.channels_editor.values() or [1]
        return chans[-1] * (math.prod(shape[:2]) if shape else self.input_dim)

    def layer_sizes(self) -> tuple[tuple[int, ...], int]:
        """(layers as ModelSpec stores them, index of the latent layer in the full list)."""
        d, latent = self.input_dim, self.latent_spin.value()
        mirror = self.mirror_check.isChecked()
        if self._local():
            # The code is the last same-size feature map: its length follows the channels.
            return (d, self._local_latent(), d), 1
        if self._conv():
            # The conv layers are the channels; `layers` holds only the sizes at both ends.
            return ((d, latent) if mirror else (d, latent, d)), 1
        enc = self.encoder_editor.values()
        if mirror:
            return (d, *enc, latent), len(enc) + 1
        return (d, *enc, latent, *self.decoder_editor.values(), d), len(enc) + 1

    def _mirror_toggled(self) -> None:
        if not self.builder.loading and not self.mirror_check.isChecked():
            # Unmirroring starts from the decoder the model had: the encoder reversed.
            self.decoder_editor.blockSignals(True)
            self.decoder_editor.set_values(list(reversed(self.encoder_editor.values())))
            self.decoder_editor.blockSignals(False)

    def summary(self, exp: Experiment) -> None:
        m = exp.model
        shape = self.builder.sample_shape()
        if shape is None:
            self.input_label.setText(tr("unknown until the data is found"))
        else:
            self.input_label.setText(f"{shape_text(shape)} · {tr('{n} values', n=_thin(math.prod(shape)))}")
        latent = f"<b>{m.latent_dim}</b>"
        try:
            count = A.parameter_count(m)
        except (ValueError, IndexError, ZeroDivisionError):
            count = None      # a layout the validation already marks
        if m.arch == "conv" and shape is not None:
            h, w, c = (*shape, 1)[:3] if len(shape) == 2 else shape
            maps, size = [], (h, w)
            for ch in m.channels:
                size = (size[0] // 2, size[1] // 2)
                maps.append(f"{size[0]}×{size[1]}×{ch}")
            ok = count is not None
            ends = f"{h}×{w}×{c}"
            chain = [ends, *maps, latent, *reversed(maps), ends] if ok else [ends, latent, ends]
        elif m.arch == "local" and shape is not None:
            h, w, c = (*shape, 1)[:3] if len(shape) == 2 else shape
            maps = [f"{h}×{w}×{ch}" for ch in m.channels]
            ends = f"{h}×{w}×{c}"
            chain = [ends, *maps[:-1], f"<b>{maps[-1] if maps else '?'} = {m.latent_dim}</b>", ends]
        else:
            layers, latent_at = self.layer_sizes()
            chain = [f"<b>{v}</b>" if i == latent_at else str(v) for i, v in enumerate(m.full_layers)]
        text = " → ".join(chain)
        if count is not None:
            text += "<br><span style='color: gray'>" + tr("{n} parameters", n=_thin(count)) + "</span>"
        self.layers_label.setText(text)

    # ------------------------------------------------------------------ filling and reading

    def fill(self, m: ModelSpec) -> None:
        """The layer rows (the form has filled the others)."""
        self.channels_editor.set_values(m.channels)
        layers = list(m.layers) or [self.input_dim]
        self.input_dim = layers[0]
        if m.arch == "local" and len(m.full_layers) == 3:
            # Its latent is a whole feature map: the MLP editors get a model that suits the data.
            glyphs = layers[0] == ModelSpec().layers[0]
            enc = list(ModelSpec().layers[1:3]) if glyphs else image_encoder(layers[0])
            latent, dec = 2, None
        elif m.arch == "conv" and len(m.full_layers) == 3:
            # A conv model has no hidden MLP layers: the MLP editors get ones that suit its data.
            enc, latent = image_encoder(layers[0]), layers[1]
            dec = list(reversed(enc))
        elif m.mirror or len(layers) < 3:
            enc, latent, dec = layers[1:-1], layers[-1] if len(layers) > 1 else 2, None
        else:
            li = m.latent_index
            enc, latent, dec = layers[1:li], layers[li], layers[li + 1:-1]
        self.encoder_editor.set_values(enc)
        self.latent_spin.setValue(latent)
        self.decoder_editor.set_values(list(reversed(enc)) if dec is None else dec)

    def spec(self, errors: list[ConfigError], shape, layers: tuple[int, ...]) -> ModelSpec:
        """The Model group's ModelSpec; unreadable numbers are appended to `errors`."""
        bm = self.builder.baseline.model
        if self._conv() or self._local():
            input_shape = tuple(shape) if shape else tuple(bm.input_shape)
        else:
            # Unused by an MLP: kept only as a loaded config gave it, while it still fits.
            input_shape = tuple(bm.input_shape) if shape and tuple(bm.input_shape) == tuple(shape) else ()
        return self.form.config(
            bm, "model", errors, layers=layers,
            mirror=self.mirror_check.isChecked() and not self._local(),   # local: (d, L, d) always
            channels=tuple(self.channels_editor.values()), input_shape=input_shape)

    def checks(self, exp: Experiment, latent_at: int) -> list[ConfigError]:
        """Rules the form adds to config.validate that only the layout can break."""
        out = []
        m = exp.model
        if m.arch == "conv" and exp.data.source == "font":
            out.append(ConfigError("model.arch", tr("5x7 glyphs cannot be halved by a stride-2 convolution; "
                                                    "use the MLP architecture for fonts")))
        if m.arch == "mlp" and not m.mirror:
            # ModelSpec takes the smallest layer as the code; keep that the one shown as latent.
            latent = m.layers[latent_at]
            if any(h <= latent for h in m.layers[1:latent_at]) or \
                    any(h < latent for h in m.layers[latent_at + 1:-1]):
                out.append(ConfigError("model.layers", tr("the latent size must be smaller than every "
                                                          "encoder layer and at most every decoder layer")))
        return out

    def update(self, exp: Experiment) -> None:
        """What the descriptions cannot say: how many conv layers the architecture takes."""
        self.channels_editor.set_max_count(C.MAX_LOCAL_LAYERS if self._local() else C.MAX_CONV_LAYERS)
