"""The builder offers model.flip_confidence for 5x7 denoisers and keeps the shipped presets' value."""
from pathlib import Path


from aegui.core.schema.experiment import Experiment
from aegui.core.config.validation import with_changes
from aegui.core.config.load import load_experiment

ROOT = Path(__file__).resolve().parents[3]


def test_the_local_preset_round_trips_with_its_flip_confidence(builder):
    exp, _ = load_experiment(ROOT / "resources" / "presets" / "general-5x7-local.json")
    assert exp.model.flip_confidence == 0.7 and exp.model.arch == "local"
    builder.set_experiment(exp)
    assert builder.form.widget("model.flip_confidence").isVisibleTo(builder) and builder.form.widget("model.flip_confidence").value() == 70
    assert builder.experiment() == exp
    builder.form.widget("model.flip_confidence").setValue(85)
    assert builder.experiment().model.flip_confidence == 0.85


def test_flip_confidence_shows_for_glyph_denoisers_only(builder):
    dae = with_changes(Experiment(), model={"kind": "dae", "layers": (35, 16, 35)})
    builder.set_experiment(dae)
    assert builder.form.widget("model.flip_confidence").isVisibleTo(builder) and builder.experiment().model.flip_confidence == 0.5
    builder.set_experiment(with_changes(dae, model={"kind": "ae"}))
    assert not builder.form.widget("model.flip_confidence").isVisibleTo(builder)
    builder.set_experiment(with_changes(dae, model={"flip_confidence": 0.8}))
    builder.form.widget("data.source").setCurrentIndex(builder.form.widget("data.source").findData("emoji"))
    assert not builder.form.widget("model.flip_confidence").isVisibleTo(builder)
    assert builder.experiment().model.flip_confidence == 0.5       # images: no drawn pixels to keep
