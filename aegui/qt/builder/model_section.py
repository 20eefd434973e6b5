"""The Model group of the builder: the kind of autoencoder and its extra terms, the noise of a
denoising one, the layers (MLP sizes or conv channels), activations and initialisation. Its plain
rows come from the field descriptions; the rows here are the layer editors (encoder, latent size,
decoder, or conv channels) that together make model.layers, and the input and layer summaries."""
from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel

from aegui.core.archs import Architecture, arch_of, parameter_count
from aegui.core.schema.experiment import ConfigError, Experiment, ModelSpec
from aegui.qt.i18n import bind_text, number, plural, tr
from aegui.qt.builder.data_section import shape_text
from aegui.qt.widgets.inputs.layer_editor import LayerListEditor


def _thin(n: int) -> str:
    return number(n, ",")


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
        box = form.group(layout)
        bind_text(self.builder, box.setTitle, "Model")
        return box

    def _input_row(self, layout: QFormLayout) -> None:
        self.input_label = QLabel(wordWrap=True)
        self.form.add_row(layout, "model.input_shape", self.input_label)

    def _channels_row(self, layout: QFormLayout) -> None:
        self.channels_editor = LayerListEditor(maximum=1024, max_count=None,     # the architecture's (update)
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

    def _arch(self) -> Architecture:
        """The chosen architecture (aegui/core/archs/): which rows apply, how the rows make layers."""
        return arch_of(self.arch_combo.currentData())

    def _form_layers(self) -> tuple[tuple[int, ...], int, bool]:
        """(layers as ModelSpec stores them, index of the latent layer in the full list, mirror)."""
        return self._arch().form_layers(self.input_dim, self.latent_spin.value(), self.encoder_editor.values(),
                                        self.decoder_editor.values(), self.mirror_check.isChecked(),
                                        self.channels_editor.values(), self.builder.sample_shape())

    def layer_sizes(self) -> tuple[tuple[int, ...], int]:
        """(layers as ModelSpec stores them, index of the latent layer in the full list)."""
        return self._form_layers()[:2]

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
            n = math.prod(shape)
            self.input_label.setText(f"{shape_text(shape)} · {plural(n, tr('1 value'), tr('{n} values', n=_thin(n)))}")
        try:
            count = parameter_count(m)
        except (ValueError, IndexError, ZeroDivisionError):
            count = None      # a layout the validation already marks
        chain = [f"<b>{part}</b>" if is_code else part
                 for part, is_code in arch_of(m).layer_chain(m, shape, self.layer_sizes()[1])]
        text = " → ".join(chain)
        if count is not None:
            params = plural(count, tr("1 parameter"), tr("{n} parameters", n=_thin(count)))
            text += "<br><span style='color: gray'>" + params + "</span>"
        self.layers_label.setText(text)

    # ------------------------------------------------------------------ filling and reading

    def fill(self, m: ModelSpec) -> None:
        """The layer rows (the form has filled the others)."""
        self.channels_editor.set_values(m.channels)
        layers = list(m.layers) or [self.input_dim]
        self.input_dim = layers[0]
        rows = arch_of(m).builder_rows
        if "model.encoder" not in rows and len(m.full_layers) == 3:
            # No hidden MLP layers (the convolutions are): the MLP editors get ones that suit the
            # data, and the latent size the model's when it has a row (a local code is a whole map).
            glyphs = layers[0] == ModelSpec().layers[0]
            enc = list(ModelSpec().layers[1:3]) if glyphs else image_encoder(layers[0])
            latent, dec = (layers[1] if "model.latent" in rows else 2), None
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
        if self._arch().reads_images:
            input_shape = tuple(shape) if shape else tuple(bm.input_shape)
        else:
            # Unused by an MLP: kept only as a loaded config gave it, while it still fits.
            input_shape = tuple(bm.input_shape) if shape and tuple(bm.input_shape) == tuple(shape) else ()
        return self.form.config(
            bm, "model", errors, layers=layers,
            mirror=self._form_layers()[2],     # as the layers were made (a local model's never mirror)
            channels=tuple(self.channels_editor.values()), input_shape=input_shape)

    def checks(self, exp: Experiment, latent_at: int) -> list[ConfigError]:
        """Rules the form adds to config.validate that only the layout can break."""
        return [ConfigError(e.field, tr(e.problem)) for e in arch_of(exp.model).form_checks(exp, latent_at)]

    def update(self, exp: Experiment) -> None:
        """What the descriptions cannot say: how many conv layers the architecture takes."""
        self.channels_editor.set_max_count(self._arch().max_layers)
