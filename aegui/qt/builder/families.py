"""Glyphs and images want different model sizes and training settings: switching the data source
between the two kinds swaps in the settings the other kind had (image defaults the first time)."""
from __future__ import annotations

import math

from aegui.core.schema.experiment import Experiment, ModelSpec, TrainConfig
from aegui.qt.builder.data_section import data_family
from aegui.qt.builder.model_section import image_encoder
from aegui.qt.widgets.inputs.layer_editor import format_number

# Settings that suit 35-pixel glyphs or images of hundreds of values, not both: when the source
# switches between the two, each kind keeps its own (nothing typed is lost going back).
IMAGE_EPOCHS = 300
IMAGE_BATCH = 64
IMAGE_LEARNING_RATE = 1e-3    # Adam at the glyphs' 0.01-0.03 blows up a VAE on colour emoji


class FamilySwitch:
    """The settings `builder` (a ModelBuilder) keeps per kind of data."""

    def __init__(self, builder):
        self.builder = builder
        self.now = "glyph"
        self._saved: dict[str, dict] = {}   # the other kind of data's settings

    def reset(self, source: str) -> None:
        """A loaded experiment: its kind of data is the one shown, the other starts from defaults."""
        self.now, self._saved = data_family(source), {}

    def source_changed(self) -> None:
        """Glyphs and images want different model sizes: switching between them swaps in the
        settings the other kind had (image defaults the first time), so both are kept."""
        b = self.builder
        if b.loading:
            return
        family = data_family(b.data.source())
        if family == self.now:
            return
        self._saved[self.now] = self._settings()
        settings = self._saved.get(family) or self._defaults(family)
        form, model = b.form, b.model
        b.loading = True
        try:
            model.encoder_editor.set_values(settings["encoder"])
            model.decoder_editor.set_values(settings["decoder"])
            form.editor("model.arch").set_value(settings["arch"])
            for key in ("batch_size", "epochs", "seeds"):
                form.editor(f"train.{key}").set_value(settings[key])
            form.widget("train.learning_rate").setText(settings["learning_rate"])
            form.editor("train.target_max_wrong").set_value(settings["target"])
            b.name_edit.setText(settings["name"])
            b.auto_name = settings["auto_name"]
        finally:
            b.loading = False
        self.now = family

    def _settings(self) -> dict:
        b = self.builder
        form, model = b.form, b.model
        return {"encoder": model.encoder_editor.values(), "decoder": model.decoder_editor.values(),
                "arch": form.editor("model.arch").value(),
                **{key: form.editor(f"train.{key}").value() for key in ("batch_size", "epochs", "seeds")},
                "learning_rate": form.widget("train.learning_rate").text(),   # as typed, even if unreadable
                "target": form.editor("train.target_max_wrong").value(),
                "name": b.name_edit.text(),
                "auto_name": b.auto_name if b.auto_name == b.name_edit.text() else None}

    def _defaults(self, family: str) -> dict:
        b = self.builder
        if family == "glyph":
            m, t = ModelSpec(), TrainConfig()
            li = m.latent_index
            return {"encoder": list(m.layers[1:li]), "decoder": list(m.layers[li + 1:-1]), "arch": "mlp",
                    "batch_size": t.batch_size, "epochs": t.epochs, "seeds": t.seeds,
                    "learning_rate": format_number(t.learning_rate), "target": t.target_max_wrong,
                    "name": Experiment().name, "auto_name": None}
        shape = b.sample_shape()
        enc = image_encoder(math.prod(shape) if shape else 1024)
        # One model at a time: images cost hundreds of times more per epoch than glyphs. A
        # wrong-pixel target suits 0/1 glyphs, not grey or colour pictures.
        return {"encoder": enc, "decoder": list(reversed(enc)), "arch": b.form.editor("model.arch").value(),
                "batch_size": IMAGE_BATCH, "epochs": IMAGE_EPOCHS, "seeds": 1, "target": None,
                "learning_rate": format_number(IMAGE_LEARNING_RATE),
                "name": b.data.name(), "auto_name": b.data.name()}
