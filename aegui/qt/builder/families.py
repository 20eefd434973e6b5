"""Glyphs and images want different model sizes and training settings: switching the data source
between the two kinds swaps in the settings the other kind had (image defaults the first time)."""
from __future__ import annotations

import math

from aegui.core.config.experiment import Experiment, ModelSpec, TrainConfig
from aegui.qt.builder.data_section import data_family
from aegui.qt.builder.layer_editor import format_number
from aegui.qt.builder.model_section import image_encoder

# Settings that suit 35-pixel glyphs or images of hundreds of values, not both: when the source
# switches between the two, each kind keeps its own (nothing typed is lost going back).
IMAGE_EPOCHS = 300
IMAGE_BATCH = 64
IMAGE_LEARNING_RATE = 1e-3    # Adam at the glyphs' 0.01-0.03 blows up a VAE on colour emoji


class FamilySwitch:
    """Mixin of the ModelBuilder: the settings kept per kind of data."""

    def _source_changed(self, *_):
        """Glyphs and images want different model sizes: switching between them swaps in the
        settings the other kind had (image defaults the first time), so both are kept."""
        if self._loading:
            return
        family = data_family(self.source_combo.currentData())
        if family == self._family_now:
            return
        self._family_saved[self._family_now] = self._family_settings()
        settings = self._family_saved.get(family) or self._family_defaults(family)
        self._loading = True
        try:
            self.encoder_editor.set_values(settings["encoder"])
            self.decoder_editor.set_values(settings["decoder"])
            self._select(self.arch_combo, settings["arch"])
            self.batch_spin.setValue(settings["batch_size"])
            self.epochs_spin.setValue(settings["epochs"])
            self.seeds_spin.setValue(settings["seeds"])
            self.lr_edit.setText(settings["learning_rate"])
            self.target_check.setChecked(settings["target"] is not None)
            self.target_spin.setValue(settings["target"] or 0)
            self.name_edit.setText(settings["name"])
            self._auto_name = settings["auto_name"]
        finally:
            self._loading = False
        self._family_now = family

    def _family_settings(self) -> dict:
        return {"encoder": self.encoder_editor.values(), "decoder": self.decoder_editor.values(),
                "arch": self.arch_combo.currentData(), "batch_size": self.batch_spin.value(),
                "epochs": self.epochs_spin.value(), "seeds": self.seeds_spin.value(),
                "learning_rate": self.lr_edit.text(),
                "target": self.target_spin.value() if self.target_check.isChecked() else None,
                "name": self.name_edit.text(),
                "auto_name": self._auto_name if self._auto_name == self.name_edit.text() else None}

    def _family_defaults(self, family: str) -> dict:
        if family == "glyph":
            m, t = ModelSpec(), TrainConfig()
            li = m.latent_index
            return {"encoder": list(m.layers[1:li]), "decoder": list(m.layers[li + 1:-1]), "arch": "mlp",
                    "batch_size": t.batch_size, "epochs": t.epochs, "seeds": t.seeds,
                    "learning_rate": format_number(t.learning_rate), "target": t.target_max_wrong,
                    "name": Experiment().name, "auto_name": None}
        shape = self.sample_shape()
        enc = image_encoder(math.prod(shape) if shape else 1024)
        # One model at a time: images cost hundreds of times more per epoch than glyphs. A
        # wrong-pixel target suits 0/1 glyphs, not grey or colour pictures.
        return {"encoder": enc, "decoder": list(reversed(enc)), "arch": self.arch_combo.currentData(),
                "batch_size": IMAGE_BATCH, "epochs": IMAGE_EPOCHS, "seeds": 1, "target": None,
                "learning_rate": format_number(IMAGE_LEARNING_RATE),
                "name": self._data_name(), "auto_name": self._data_name()}
