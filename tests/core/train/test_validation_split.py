"""DataConfig's new fields (sources, split), datasets.split / load_split, and the validation
loss the training engine measures when a split exists."""
import json

import numpy as np
import pytest
import torch

from aegui.core.models import losses as L
from aegui.core.schema.experiment import ConfigError, DataConfig, Experiment
from aegui.core.config.validation import experiment_from_dict, with_changes
from aegui.core.config.load import experiment_from_json
from aegui.core.data.datasets import font_dataset, from_config, load_split, split
from aegui.core.train.history import read_rows as read_metrics
from aegui.core.train.session import TrainingSession, train

from core_helpers import PRESETS, small_experiment


# ---------------------------------------------------------------- config

def test_old_json_without_the_new_keys_still_loads():
    raw = json.loads((PRESETS / "font3-ae2d.json").read_text())
    raw["data"] = {"fonts": ["Font3"], "chars": "", "path": ""}       # the version-1 data section
    exp = experiment_from_dict(raw)
    d = exp.data
    assert (d.source, d.val_split, d.max_samples, d.classes, d.subcategories) == ("font", 0.0, 0, (), ())
    assert len(from_config(d)) == 32
    minimal = experiment_from_json(json.dumps({"schema_version": 1, "data": {"fonts": ["Font1"]}}))[0]
    assert minimal.data == DataConfig(fonts=("Font1",))


def test_new_fields_round_trip():
    exp = with_changes(Experiment(), data={
        "source": "emoji", "size": 16, "color": "rgba", "subcategories": ("face-smiling", "food-fruit"),
        "classes": (1, 2), "max_samples": 30, "val_split": 0.2, "split_seed": 4})
    text = exp.to_json()
    assert json.loads(text)["schema_version"] == 1
    back, notes = experiment_from_json(text)
    assert back == exp and notes == []
    assert isinstance(back.data.subcategories, tuple) and isinstance(back.data.classes, tuple)
    raw = exp.to_dict()
    raw["data"]["val_split"] = 0                          # an int for a float field
    assert experiment_from_dict(raw).data.val_split == 0.0


@pytest.mark.parametrize("data, field, words", [
    ({"source": "mnist"}, "data.source", "font, emoji"),
    ({"source": "emoji", "size": 48}, "data.size", "emoji come at 16, 32 or 64 px"),
    ({"source": "folder", "path": "x", "size": 3}, "data.size", "from 4 to 256"),
    ({"size": 1000}, "data.size", "from 4 to 256"),
    ({"color": "cmyk"}, "data.color", "gray, rgb, rgba"),
    ({"subcategories": "face-smiling"}, "data.subcategories", "list"),
    ({"classes": ["a"]}, "data.classes[0]", "must be a whole number"),
    ({"classes": [0, -1]}, "data.classes[1]", "must be a whole number >= 0, got -1"),
    ({"source": "folder"}, "data.path", "set data.path"),
    ({"source": "idx"}, "data.path", "IDX images file"),
    ({"max_samples": -1}, "data.max_samples", "from 0 to 100000000"),
    ({"max_samples": 2.5}, "data.max_samples", "whole number"),
    ({"val_split": 0.9}, "data.val_split", "0.8"),
    ({"val_split": -0.1}, "data.val_split", "from 0 to 0.8"),
    ({"val_split": "some"}, "data.val_split", "must be a number"),
    ({"split_seed": -2}, "data.split_seed", "from 0 to 2147483647"),
    ({"fonts": []}, "data.fonts", "at least one font"),
])
def test_bad_data_values_name_the_field(data, field, words):
    raw = Experiment().to_dict()
    raw["data"].update(data)
    with pytest.raises(ConfigError) as info:
        experiment_from_dict(raw)
    assert info.value.field == field
    assert words in str(info.value)


def test_fonts_are_not_required_for_other_sources():
    exp = with_changes(Experiment(), data={"source": "digits", "fonts": ()})
    assert exp.data.source == "digits"


# ---------------------------------------------------------------- split

def test_split_is_reproducible_and_disjoint():
    ds = from_config(DataConfig(source="digits", max_samples=200))
    tr, va = split(ds, 0.25, seed=7)
    tr2, va2 = split(ds, 0.25, seed=7)
    assert (len(tr), len(va)) == (150, 50)
    assert np.array_equal(va.x, va2.x) and va.labels == va2.labels and np.array_equal(tr.x, tr2.x)
    rows = lambda d: {r.tobytes() for r in d.x}                        # noqa: E731
    assert len(rows(ds)) == 200 and not (rows(tr) & rows(va)) and rows(tr) | rows(va) == rows(ds)
    _, other = split(ds, 0.25, seed=8)
    assert not np.array_equal(other.x, va.x)
    assert tr.shape == va.shape == (8, 8)


def test_split_edges():
    font3 = font_dataset(("Font3",))
    same, none = split(font3, 0.0, 1)
    assert same is font3 and none is None
    tr, va = split(font3, 0.01, 0)                       # rounds to 0, still holds one out
    assert (len(tr), len(va)) == (31, 1)
    assert [chr(c) for c in va.codes] == va.labels       # codes follow their samples
    with pytest.raises(ConfigError) as info:
        split(font_dataset(("Font3",), chars="a"), 0.5, 0)
    assert info.value.field == "data.val_split"
    tr, va = load_split(DataConfig(val_split=0.25, split_seed=3))
    assert (len(tr), len(va)) == (24, 8)
    assert load_split(DataConfig())[1] is None


# ---------------------------------------------------------------- validation loss in training

def _digits_experiment(kind="ae", **train_kw):
    return small_experiment(
        model={"kind": kind, "layers": (64, 24, 4, 24, 64)},
        data={"source": "digits", "max_samples": 300, "val_split": 0.2, "split_seed": 1},
        train={"epochs": 40, "check_every": 10, "learning_rate": 0.01, "batch_size": 32, **train_kw})


def test_val_loss_in_records_and_history_and_it_falls(tmp_path):
    exp = _digits_experiment()
    tr, va = load_split(exp.data)
    assert (len(tr), len(va)) == (240, 60)
    session = TrainingSession(exp, tr, val_data=va, seeds=[0, 1])
    recs = list(session.steps())
    vals = [r.val_loss for r in recs]
    assert all(isinstance(v, float) and np.isfinite(v) for v in vals)
    assert vals[-1] < vals[0]
    assert [row["val_loss"] for row in session.history.rows()] == vals
    assert recs[-1].glyph_wrong.shape == (len(tr),)      # wrong pixels stay on the training set
    # The value is the best model's loss on the validation set, same loss function.
    model = session.best_model()
    with torch.no_grad():
        xv = torch.as_tensor(va.x)
        want = L.reconstruction(model.decode_logits(model.encode(xv)), xv, "bce", "sigmoid", False)
    assert vals[-1] == pytest.approx(float(want[0]), rel=1e-5)
    path = tmp_path / "metrics.csv"
    session.history.write_csv(path)
    assert read_metrics(path)[-1]["val_loss"] == pytest.approx(vals[-1])


@pytest.mark.parametrize("kind", ["vae", "dae"])
def test_val_loss_is_deterministic_for_vae_and_dae(kind):
    exp = _digits_experiment(kind, epochs=20)
    tr, va = load_split(exp.data)
    session, rec = train(exp, tr, val_data=va)
    assert rec.val_loss is not None and np.isfinite(rec.val_loss)
    again = session.val_loss(rec.best, rec.epoch)
    assert again == rec.val_loss == session.val_loss(rec.best, rec.epoch)
    assert session.history.rows()[-1]["val_loss"] == rec.val_loss


def test_no_split_no_val_loss(font3):
    session, rec = train(small_experiment(train={"epochs": 20}), font3)
    assert rec.val_loss is None and "val_loss" not in session.history.rows()[-1]


def test_val_data_must_fit_the_model(font3):
    with pytest.raises(ConfigError) as info:
        TrainingSession(small_experiment(), font3, val_data=from_config(DataConfig(source="digits")))
    assert info.value.field == "model.layers"
