"""The Model group of the builder: the kind of autoencoder and its extra terms, the noise of a
denoising one, the layers (MLP sizes or conv channels), activations and initialisation."""
from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QGroupBox, QLabel, QSizePolicy, QSlider

from aegui.core.archs import Architecture, arch_of, parameter_count
from aegui.core.config.experiment import ConfigError, Experiment, ModelSpec, NoiseConfig
from aegui.core.config.fields import TIPS
from aegui.qt.i18n import tr
from aegui.qt.builder.layer_editor import LayerListEditor, NumberEdit
from aegui.qt.builder.data_section import shape_text


def _thin(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def image_encoder(dim: int) -> list[int]:
    """Default MLP hidden layers for images of `dim` values (e.g. 784 -> 512 -> 128)."""
    return [512, 128] if dim > 256 else [64, 32]


class ModelSection:
    """Mixin of the ModelBuilder: the Model group."""

    def _build_model(self) -> QGroupBox:
        form = self._form()
        self.kind_combo = self._choice("model.kind")
        self._row(form, "model.kind", self.kind_combo)
        self.arch_combo = self._choice("model.arch")
        self._row(form, "model.arch", self.arch_combo)

        self.beta_edit = NumberEdit()
        self._row(form, "model.beta", self.beta_edit)
        self.kl_warmup_spin = self._field_spin("model.kl_warmup")
        self._text(self.kl_warmup_spin.setSuffix, " epochs")
        self._row(form, "model.kl_warmup", self.kl_warmup_spin)

        self.sparsity_combo = self._choice("model.sparsity")
        self._row(form, "model.sparsity", self.sparsity_combo)
        self.sparsity_weight_edit = NumberEdit()
        self._row(form, "model.sparsity_weight", self.sparsity_weight_edit)
        self.sparsity_rho_edit = NumberEdit()
        self._row(form, "model.sparsity_rho", self.sparsity_rho_edit)
        self.sparsity_k_spin = self._field_spin("model.sparsity_k")
        self._row(form, "model.sparsity_k", self.sparsity_k_spin)
        self.contractive_edit = NumberEdit()
        self._row(form, "model.contractive_weight", self.contractive_edit)

        self.noise_kind_combo = self._choice("noise.kind")
        self._row(form, "noise.kind", self.noise_kind_combo)
        self.noise_level_slider = QSlider(Qt.Orientation.Horizontal)
        self.noise_level_slider.setRange(0, 100)
        self.noise_level_spin = QDoubleSpinBox()
        self.noise_level_spin.setRange(0.0, 100.0)
        self.noise_level_spin.setDecimals(1)
        self.noise_level_spin.setSuffix(" %")
        self.noise_level_spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.noise_level_slider.valueChanged.connect(self._slider_moved)
        self.noise_level_spin.valueChanged.connect(self._level_spin_changed)
        self.noise_level_row = self._hbox(self.noise_level_slider, self.noise_level_spin, fill=True)
        self._row(form, "noise.level", self.noise_level_row, owner=self.noise_level_spin)
        self.noise_mode_combo = self._choice("noise.mode")
        self.noise_copies_spin = self._field_spin("noise.copies")
        self.noise_copies_spin.setMinimumWidth(52)
        self.noise_copies_label = QLabel()
        self._text(self.noise_copies_label.setText, "copies")
        self.noise_mode_row = self._hbox(self.noise_mode_combo, self.noise_copies_spin, self.noise_copies_label,
                                         fill=True)
        self.noise_mode_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._row(form, "noise.mode", self.noise_mode_row, owner=self.noise_mode_combo)
        self._fields["noise.copies"] = self.noise_copies_spin
        self._watch(self.noise_copies_spin)
        self.flip_spin = self._spin(50, 99)
        self._text(self.flip_spin.setSuffix, " % sure")
        self._row(form, "model.flip_confidence", self.flip_spin)

        self.input_label = QLabel(wordWrap=True)
        self._row(form, "model.input_shape", self.input_label)
        self.channels_editor = LayerListEditor(maximum=1024, max_count=None,     # the architecture's (visibility)
                                               next_value=lambda values: min(1024, values[-1] * 2) if values else 32)
        self._row(form, "model.channels", self.channels_editor)
        self.encoder_editor = LayerListEditor()
        self._row(form, "model.encoder", self.encoder_editor, is_field=False)
        self.latent_spin = self._field_spin("model.latent")
        self._tips[self.latent_spin] = TIPS["model.latent"]
        self.mirror_check = QCheckBox()
        self._text(self.mirror_check.setText, "Mirror decoder")
        self._tips[self.mirror_check] = TIPS["model.mirror"]
        self.mirror_check.toggled.connect(self._mirror_toggled)
        self._row(form, "model.latent", self.latent_spin, is_field=False)
        form.addRow("", self.mirror_check)
        self._row_form[self.mirror_check] = form
        self._fields["model.mirror"] = self.mirror_check
        self.decoder_editor = LayerListEditor()
        self._row(form, "model.decoder", self.decoder_editor, is_field=False)
        self.layers_label = QLabel(wordWrap=True)
        self.layers_label.setTextFormat(Qt.TextFormat.RichText)
        self._row(form, "model.layers", self.layers_label)

        self.hidden_act_combo = self._choice("model.hidden_activation")
        self._row(form, "model.hidden_activation", self.hidden_act_combo)
        self.latent_act_combo = self._choice("model.latent_activation")
        self._row(form, "model.latent_activation", self.latent_act_combo)
        self.output_act_combo = self._choice("model.output_activation")
        self._row(form, "model.output_activation", self.output_act_combo)
        self.init_combo = self._choice("model.init")
        self._row(form, "model.init", self.init_combo)
        return self._group("Model", form)

    def _arch(self) -> Architecture:
        """The chosen architecture (aegui/core/archs/): which rows apply, how the rows make layers."""
        return arch_of(self.arch_combo.currentData())

    def _form_layers(self) -> tuple[tuple[int, ...], int, bool]:
        """(layers as ModelSpec stores them, index of the latent layer in the full list, mirror)."""
        return self._arch().form_layers(self._input_dim, self.latent_spin.value(), self.encoder_editor.values(),
                                        self.decoder_editor.values(), self.mirror_check.isChecked(),
                                        self.channels_editor.values(), self.sample_shape())

    def _layer_sizes(self) -> tuple[tuple[int, ...], int]:
        """(layers as ModelSpec stores them, index of the latent layer in the full list)."""
        return self._form_layers()[:2]

    def _mirror_toggled(self, mirrored: bool) -> None:
        if not self._loading and not mirrored:
            # Unmirroring starts from the decoder the model had: the encoder reversed.
            self.decoder_editor.blockSignals(True)
            self.decoder_editor.set_values(list(reversed(self.encoder_editor.values())))
            self.decoder_editor.blockSignals(False)
        self._on_edit()

    def _slider_moved(self, value: int) -> None:
        if round(self.noise_level_spin.value()) != value:
            self.noise_level_spin.setValue(value)

    def _level_spin_changed(self, value: float) -> None:
        self.noise_level_slider.blockSignals(True)
        self.noise_level_slider.setValue(round(value))
        self.noise_level_slider.blockSignals(False)

    def _update_summary(self, exp: Experiment) -> None:
        m = exp.model
        shape = self.sample_shape()
        if shape is None:
            self.input_label.setText(tr("unknown until the data is found"))
        else:
            self.input_label.setText(f"{shape_text(shape)} · {tr('{n} values', n=_thin(math.prod(shape)))}")
        try:
            count = parameter_count(m)
        except (ValueError, IndexError, ZeroDivisionError):
            count = None      # a layout the validation already marks
        chain = arch_of(m).layer_chain(m, shape, self._layer_sizes()[1])
        text = " → ".join(f"<b>{part}</b>" if is_code else part for part, is_code in chain)
        if count is not None:
            text += "<br><span style='color: gray'>" + tr("{n} parameters", n=_thin(count)) + "</span>"
        self.layers_label.setText(text)
        self.memory_label.show_estimate(exp)

    def _fill_model(self, m: ModelSpec, n: NoiseConfig) -> None:
        self._select(self.kind_combo, m.kind)
        self._select(self.arch_combo, m.arch)
        self.channels_editor.set_values(m.channels)
        layers = list(m.layers) or [self._input_dim]
        self._input_dim = layers[0]
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
        self.mirror_check.setChecked(m.mirror)
        self.decoder_editor.set_values(list(reversed(enc)) if dec is None else dec)
        self._select(self.hidden_act_combo, m.hidden_activation)
        self._select(self.latent_act_combo, m.latent_activation)
        self._select(self.output_act_combo, m.output_activation)
        self._select(self.init_combo, m.init)
        self.beta_edit.set_value(m.beta)
        self.kl_warmup_spin.setValue(m.kl_warmup)
        self._select(self.sparsity_combo, m.sparsity)
        self.sparsity_weight_edit.set_value(m.sparsity_weight)
        self.sparsity_rho_edit.set_value(m.sparsity_rho)
        self.sparsity_k_spin.setValue(m.sparsity_k)
        self.contractive_edit.set_value(m.contractive_weight)

        self._select(self.noise_kind_combo, n.kind)
        self.noise_level_spin.setValue(n.level * 100)
        # The spin box shows 1 decimal of a percent; remember the exact level until it is edited.
        self._level_exact = (self.noise_level_spin.value(), n.level)
        self._select(self.noise_mode_combo, n.mode)
        self.noise_copies_spin.setValue(n.copies)
        self.flip_spin.setValue(round(m.flip_confidence * 100))
        # The spin box shows whole percents; keep an exact loaded value until it is edited.
        self._flip_exact = (self.flip_spin.value(), m.flip_confidence)

    def _flip_confidence(self) -> float:
        if hasattr(self, "source_combo") and self.source_combo.currentData() != "font":
            return 0.5      # kept in the box (hidden) for when the data is glyphs again
        exact = getattr(self, "_flip_exact", None)
        if exact and exact[0] == self.flip_spin.value():
            return exact[1]
        return self.flip_spin.value() / 100

    def _model_spec(self, errors: list[ConfigError], shape, layers: tuple[int, ...]) -> ModelSpec:
        """The Model group's ModelSpec; unreadable numbers are appended to `errors`."""
        bm = self._baseline.model
        if self._arch().reads_images:
            input_shape = tuple(shape) if shape else tuple(bm.input_shape)
        else:
            # Unused by an MLP: kept only as a loaded config gave it, while it still fits.
            input_shape = tuple(bm.input_shape) if shape and tuple(bm.input_shape) == tuple(shape) else ()
        return ModelSpec(
            kind=self.kind_combo.currentData(), layers=layers,
            hidden_activation=self.hidden_act_combo.currentData(),
            latent_activation=self.latent_act_combo.currentData(),
            output_activation=self.output_act_combo.currentData(), init=self.init_combo.currentData(),
            beta=self._number(errors, "model.beta", self.beta_edit, bm.beta), kl_warmup=self.kl_warmup_spin.value(),
            sparsity=self.sparsity_combo.currentData(),
            sparsity_weight=self._number(errors, "model.sparsity_weight", self.sparsity_weight_edit,
                                         bm.sparsity_weight),
            sparsity_rho=self._number(errors, "model.sparsity_rho", self.sparsity_rho_edit, bm.sparsity_rho),
            sparsity_k=self.sparsity_k_spin.value(),
            contractive_weight=self._number(errors, "model.contractive_weight", self.contractive_edit,
                                            bm.contractive_weight),
            mirror=self._form_layers()[2],     # as the layers were made (a local model's never mirror)
            arch=self.arch_combo.currentData(), channels=tuple(self.channels_editor.values()),
            input_shape=input_shape, flip_confidence=self._flip_confidence())

    def _noise_config(self) -> NoiseConfig:
        level = round(self.noise_level_spin.value() / 100, 8)
        if self._level_exact and self._level_exact[0] == self.noise_level_spin.value():
            level = self._level_exact[1]
        return NoiseConfig(kind=self.noise_kind_combo.currentData(), level=level,
                           mode=self.noise_mode_combo.currentData(), copies=self.noise_copies_spin.value())

    def _model_checks(self, exp: Experiment, latent_at: int) -> list[ConfigError]:
        """Rules the form adds to config.validate that only the layout can break."""
        return [ConfigError(e.field, tr(e.problem)) for e in arch_of(exp.model).form_checks(exp, latent_at)]

    def _update_model_visibility(self) -> None:
        kind = self.kind_combo.currentData()
        self._show_row(self.beta_edit, kind == "vae")
        self._show_row(self.kl_warmup_spin, kind == "vae")
        self._show_row(self.sparsity_combo, kind == "sparse")
        self._show_row(self.sparsity_rho_edit, kind == "sparse" and self.sparsity_combo.currentData() == "kl")
        self._show_row(self.sparsity_k_spin, kind == "sparse" and self.sparsity_combo.currentData() == "topk")
        self._show_row(self.sparsity_weight_edit, kind == "sparse" and self.sparsity_combo.currentData() != "topk")
        self._show_row(self.contractive_edit, kind == "contractive")
        for w in (self.noise_kind_combo, self.noise_level_row, self.noise_mode_row):
            self._show_row(w, kind == "dae")
        self.noise_copies_spin.setEnabled(self.noise_mode_combo.currentData() == "fixed")
        source = self.source_combo.currentData() if hasattr(self, "source_combo") else "font"
        self._show_row(self.flip_spin, kind == "dae" and source == "font")
        arch = self._arch()
        rows = arch.builder_rows
        self.channels_editor.set_max_count(arch.max_layers)
        self._show_row(self.channels_editor, "model.channels" in rows)
        self._show_row(self.encoder_editor, "model.encoder" in rows)
        self._show_row(self.latent_spin, "model.latent" in rows)
        self._show_row(self.mirror_check, "model.mirror" in rows)
        self._show_row(self.decoder_editor, "model.decoder" in rows and not self.mirror_check.isChecked())
        # The VAE's code is a sample of N(mu, sigma): no activation applies to it.
        self._show_row(self.latent_act_combo, kind != "vae")
