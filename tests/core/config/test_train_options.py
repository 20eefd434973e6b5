"""The training options students' configs use (gradient clipping, early stopping, a loss target,
Adam's betas and epsilon, the activations' slope β): files written before they existed still load
with defaults that change nothing, each field refuses values outside its range with a sentence
naming it, and a value no part of the chosen training would use is refused, not ignored."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from aegui.core.config.validation import experiment_from_dict, with_changes
from aegui.core.schema.experiment import ConfigError, Experiment, ModelSpec, TrainConfig

ROOT = Path(__file__).resolve().parents[3]
NEW_TRAIN = {"clip_norm": 0.0, "patience": 0, "min_delta": 0.0, "loss_target": 0.0, "adam_beta1": 0.9,
             "adam_beta2": 0.999, "adam_eps": 1e-8}


def test_files_written_before_the_options_load_with_defaults_that_change_nothing():
    for path in [ROOT / "models" / "font3-ae2d" / "model.json", ROOT / "resources" / "presets" / "font3-ae2d.json"]:
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw = raw.get("experiment", raw)
        assert not set(NEW_TRAIN) & set(raw["train"]) and "slope" not in raw["model"], path
        exp = experiment_from_dict(raw, str(path))
        assert {k: getattr(exp.train, k) for k in NEW_TRAIN} == NEW_TRAIN
        assert exp.model.slope == 1.0
    # And a file that has them reads them back.
    exp = with_changes(Experiment(), train={"clip_norm": 1.5, "patience": 30, "min_delta": 1e-4,
                                            "loss_target": 0.01, "adam_beta1": 0.8, "adam_beta2": 0.99,
                                            "adam_eps": 1e-6}, model={"slope": 2.0})
    again = experiment_from_dict(json.loads(exp.to_json()))
    assert again == exp


@pytest.mark.parametrize("section, name, value, problem", [
    ("train", "adam_beta1", 1.0, "must be at least 0 and below 1, got 1"),
    ("train", "adam_beta2", -0.1, "must be at least 0 and below 1, got -0.1"),
    ("train", "adam_eps", 0.0, "must be above 0 and at most 1, got 0"),
    ("train", "clip_norm", -1.0, "must be a non-negative number, got -1"),
    ("train", "patience", -1, "must be from 0 to 100000000, got -1"),
    ("train", "patience", 2.5, "must be a whole number, got 2.5"),
    ("train", "min_delta", -0.5, "must be a non-negative number, got -0.5"),
    ("train", "loss_target", -1.0, "must be a non-negative number, got -1"),
    ("model", "slope", 0.0, "must be above 0 and at most 100, got 0"),
    ("model", "slope", float("nan"), "must be a number, got nan"),
])
def test_each_option_refuses_values_outside_its_range_naming_itself(section, name, value, problem):
    with pytest.raises(ConfigError) as e:
        with_changes(Experiment(), **{section: {name: value}})
    assert (e.value.field, e.value.problem) == (f"{section}.{name}", problem)


@pytest.mark.parametrize("changes, field, words", [
    ({"train": {"optimizer": "sgd", "adam_beta1": 0.5}}, "train.adam_beta1", "setting of adam and adamw"),
    ({"train": {"optimizer": "momentum", "adam_beta2": 0.9}}, "train.adam_beta2", "train.optimizer is 'momentum'"),
    ({"train": {"optimizer": "rmsprop", "adam_eps": 1e-6}}, "train.adam_eps", "set it back to 1e-08"),
    ({"train": {"optimizer": "bfgs", "clip_norm": 1.0}}, "train.clip_norm", "clips no gradient"),
    ({"model": {"slope": 2.0, "output_activation": "relu", "hidden_activation": "relu",
                "latent_activation": "identity"}, "train": {"loss": "mse"}}, "model.slope", "has none"),
    # The VAE's code is a sample: its latent activation computes nothing the slope could scale.
    ({"model": {"kind": "vae", "slope": 2.0, "output_activation": "relu", "hidden_activation": "elu",
                "latent_activation": "tanh"}, "train": {"loss": "mse"}}, "model.slope", "has none"),
])
def test_an_option_nothing_would_use_is_refused_in_one_sentence(changes, field, words):
    with pytest.raises(ConfigError) as e:
        with_changes(Experiment(), **changes)
    assert e.value.field == field and words in e.value.problem and "\n" not in str(e.value)


def test_the_options_are_accepted_where_they_apply():
    with_changes(Experiment(), train={"optimizer": "adamw", "adam_beta1": 0.5, "adam_beta2": 0.9, "adam_eps": 1e-3})
    with_changes(Experiment(), train={"optimizer": "sgd", "clip_norm": 1.0})
    with_changes(Experiment(), train={"optimizer": "powell", "patience": 10, "loss_target": 0.1, "batch_size": 0})
    with_changes(Experiment(), model={"hidden_activation": "tanh", "output_activation": "relu", "slope": 0.5},
                 train={"loss": "mse"})
    # min_delta is early stopping's own setting, as data.split_seed is the split's: kept while it is off.
    with_changes(Experiment(), train={"min_delta": 0.1})


def test_the_defaults_are_the_ones_the_options_replace():
    """The values the engine used before the options existed (optim.py's Adam, the plain activations)."""
    t, m = TrainConfig(), ModelSpec()
    assert (t.adam_beta1, t.adam_beta2, t.adam_eps, t.clip_norm, t.patience, t.loss_target) == \
        (0.9, 0.999, 1e-8, 0.0, 0, 0.0)
    assert m.slope == 1.0
