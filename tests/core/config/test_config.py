import json
from dataclasses import replace

import pytest

from aegui.core.schema.experiment import (
    ConfigError, DataConfig, Experiment, ModelSpec, NoiseConfig, TrainConfig)
from aegui.core.config.validation import experiment_from_dict, validate, with_changes
from aegui.core.config.load import experiment_from_json, load_experiment, save_experiment
from aegui.core.data.datasets import from_config
from aegui.core.train.session import check_fits

from core_helpers import PRESETS


def config_error(fn, *args, **kw) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        fn(*args, **kw)
    return info.value


def native(**edits) -> dict:
    """The default experiment as a native dict, with `edits` as {"section.field": value}."""
    raw = Experiment().to_dict()
    for dotted, value in edits.items():
        section, name = dotted.split(".")
        raw[section][name] = value
    return raw


# ---------------------------------------------------------------- native schema

def test_defaults_validate():
    exp = Experiment()
    assert validate(exp) is exp
    validate(exp)
    assert exp.model.latent_dim == 2


def test_json_round_trip_of_a_non_default_experiment():
    exp = Experiment(
        name="round trip",
        data=DataConfig(fonts=("Font1", "Font2"), chars="abc"),
        model=ModelSpec(kind="vae", layers=(35, 20, 3), mirror=True, hidden_activation="tanh",
                        init="he", beta=0.5, kl_warmup=20),
        train=TrainConfig(loss="mse", optimizer="rmsprop", learning_rate=0.002, schedule="cosine",
                          epochs=123, batch_size=8, seed=9, seeds=3, target_max_wrong=1),
        noise=NoiseConfig(kind="gaussian", level=0.25, mode="fixed", copies=4),
    )
    validate(exp)
    back, notes = experiment_from_json(exp.to_json())
    assert back == exp
    assert notes == []
    assert json.loads(exp.to_json())["schema_version"] == 1


def test_save_and_load_experiment(tmp_path):
    exp = with_changes(Experiment(), name="saved", train={"epochs": 7, "learning_rate": 0.5})
    path = tmp_path / "sub" / "exp.json"
    save_experiment(exp, path)
    assert load_experiment(path) == (exp, [])
    assert [p.name for p in path.parent.iterdir()] == ["exp.json"]


def test_integers_for_float_fields_are_accepted():
    exp = experiment_from_dict(native(**{"train.learning_rate": 1, "model.beta": 2}))
    assert exp.train.learning_rate == 1.0 and isinstance(exp.train.learning_rate, float)
    assert exp == experiment_from_json(exp.to_json())[0]


def test_mirror_layers():
    spec = ModelSpec(layers=(35, 16, 3), mirror=True)
    assert spec.full_layers == (35, 16, 3, 16, 35)
    assert spec.latent_dim == 3 and spec.latent_index == 2


PRESET_FILES = sorted(PRESETS.glob("*.json"))


def test_there_are_presets():
    assert len(PRESET_FILES) >= 5


@pytest.mark.parametrize("path", PRESET_FILES, ids=lambda p: p.name)
def test_preset_loads_validates_and_fits_its_data(path):
    exp, notes = load_experiment(path)
    assert notes == []
    validate(exp)
    assert exp.name and exp.name != "experiment"
    if exp.data.catalogue:
        # Catalogue data is fetched only when the user asks (tests/core/test_fetch.py serves a
        # stand-in); every catalogue dataset holds 28x28 grey images.
        import numpy as np
        from aegui.core.data.catalogue import entry
        from aegui.core.data.dataset import Dataset
        entry(exp.data.catalogue)
        check_fits(exp, Dataset(exp.data.catalogue, np.zeros((2, 784), np.float32), ["0", "1"], (28, 28)))
        return
    check_fits(exp, from_config(exp.data))


# ---------------------------------------------------------------- errors name the field

@pytest.mark.parametrize("edits, field", [
    ({"train.learning_rate": -1}, "train.learning_rate"),
    ({"train.learning_rate": 0}, "train.learning_rate"),
    ({"train.learning_rate": "fast"}, "train.learning_rate"),
    ({"model.hidden_activation": "swish"}, "model.hidden_activation"),
    ({"model.latent_activation": "gelu"}, "model.latent_activation"),
    ({"model.layers": [35, 10, 2, 10, 30]}, "model.layers"),
    ({"model.layers": [35, 35]}, "model.layers"),
    ({"model.layers": [35, 10, 0, 10, 35]}, "model.layers[2]"),
    ({"model.layers": 35}, "model.layers"),
    ({"model.output_activation": "tanh"}, "model.output_activation"),   # BCE needs sigmoid
    ({"model.kind": "gan"}, "model.kind"),
    ({"model.init": "orthogonal"}, "model.init"),
    ({"train.optimizer": "lbfgs"}, "train.optimizer"),
    ({"train.schedule": "cyclic"}, "train.schedule"),
    ({"train.epochs": 0}, "train.epochs"),
    ({"train.epochs": 1.5}, "train.epochs"),
    ({"train.seeds": True}, "train.seeds"),
    ({"train.batch_size": -1}, "train.batch_size"),
    ({"train.momentum": 1.0}, "train.momentum"),
    ({"train.device": "tpu"}, "train.device"),
    ({"train.seed": -3}, "train.seed"),
    ({"train.target_max_wrong": -1}, "train.target_max_wrong"),
    ({"noise.level": 1.5}, "noise.level"),
    ({"noise.kind": "speckle"}, "noise.kind"),
    ({"noise.mode": "sometimes"}, "noise.mode"),
    ({"data.fonts": []}, "data.fonts"),
    ({"model.attention": 0.5}, "model.attention"),    # unknown field
    ({"train.lr": 0.5}, "train.lr"),                  # unknown field
])
def test_bad_value_names_the_field(edits, field):
    err = config_error(experiment_from_json, json.dumps(native(**edits)), "cfg.json")
    assert err.field == field
    assert field in str(err)
    assert str(err).startswith("cfg.json: ")


def test_sparse_kl_needs_sigmoid_latent():
    raw = native(**{"model.kind": "sparse", "model.sparsity": "kl"})
    assert config_error(experiment_from_dict, raw).field == "model.latent_activation"
    raw["model"]["latent_activation"] = "sigmoid"
    assert experiment_from_dict(raw).model.sparsity == "kl"


def test_mse_allows_any_output_activation():
    exp = experiment_from_dict(native(**{"train.loss": "mse", "model.output_activation": "tanh"}))
    assert exp.model.output_activation == "tanh"


def test_unknown_section_is_named():
    raw = native()
    raw["optimizer"] = {"kind": "adam"}
    assert config_error(experiment_from_dict, raw).field == "optimizer"


def test_section_must_be_an_object():
    raw = native()
    raw["train"] = [1, 2]
    assert config_error(experiment_from_dict, raw).field == "train"


@pytest.mark.parametrize("version", [None, 2, 0, "1"])
def test_wrong_schema_version(version):
    raw = native()
    if version is None:
        del raw["schema_version"]
    else:
        raw["schema_version"] = version
    assert config_error(experiment_from_dict, raw).field == "schema_version"
    err = config_error(experiment_from_json, json.dumps(raw))
    assert err.field == "schema_version"
    assert "schema_version" in str(err)


def test_with_changes_validates_and_leaves_the_original():
    exp = Experiment()
    changed = with_changes(exp, name="x", train={"epochs": 10}, model={"hidden_activation": "tanh"})
    assert (changed.name, changed.train.epochs, changed.model.hidden_activation) == ("x", 10, "tanh")
    assert exp.train.epochs == 5000 and exp == Experiment()
    assert config_error(with_changes, exp, train={"learning_rate": -1}).field == "train.learning_rate"


def test_with_changes_takes_a_list_as_the_tuple_a_file_gives():
    """A Python list for a list field was refused with "must be a list of whole numbers, got
    [35, 2, 35]", which reads as a contradiction."""
    changed = with_changes(Experiment(), model={"layers": [35, 4, 2, 4, 35]}, data={"fonts": ["Font1"]})
    assert changed.model.layers == (35, 4, 2, 4, 35) and changed.data.fonts == ("Font1",)
    assert config_error(with_changes, Experiment(), model={"layers": [35, "x", 35]}).field == "model.layers[1]"


def test_validate_of_a_constructed_experiment():
    exp = replace(Experiment(), train=replace(TrainConfig(), loss="hinge"))
    assert config_error(validate, exp).field == "train.loss"


# ---------------------------------------------------------------- files and JSON text

def test_invalid_json_gives_line_and_column():
    text = '{\n  "schema_version": 1,\n  "name": oops\n}'
    err = config_error(experiment_from_json, text, "bad.json")
    assert "line 3" in str(err) and "column 11" in str(err)
    assert str(err).startswith("bad.json: ")


def test_load_experiment_missing_file(tmp_path):
    path = tmp_path / "nope.json"
    err = config_error(load_experiment, path)
    assert str(path) in str(err) and "not found" in str(err)


def test_load_experiment_binary_file(tmp_path):
    path = tmp_path / "bin.json"
    path.write_bytes(b"\xff\xfe\x00garbage\x80")
    err = config_error(load_experiment, path)
    assert str(path) in str(err)


def test_top_level_must_be_an_object():
    assert config_error(experiment_from_json, "[1, 2, 3]").field == "(top level)"


def test_error_source_is_the_file(tmp_path):
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(native(**{"train.learning_rate": -1})))
    err = config_error(load_experiment, path)
    assert err.source == str(path) and err.field == "train.learning_rate"


# ---------------------------------------------------------------- student JSON

def test_student_flat_json():
    raw = {"layers": [35, 20, 2, 20, 35], "learning_rate": 0.05, "epochs": 100,
           "activation_fn": "tanh", "loss_function": "mse", "optimizer": "adam", "seed": 7,
           "init_method": "he", "n_runs": 3, "plot_every": 10, "Verbose": True}
    exp, notes = experiment_from_json(json.dumps(raw), "student.json")
    m, t = exp.model, exp.train
    assert m.layers == (35, 20, 2, 20, 35) and m.kind == "ae"
    assert m.hidden_activation == "tanh" and m.init == "he"
    assert (t.learning_rate, t.epochs, t.loss, t.optimizer, t.seed, t.seeds) == (0.05, 100, "mse", "adam", 7, 3)
    # One line a key: the plot and log keys are told as not understood but about output.
    unread = [n for n in notes if "NOT UNDERSTOOD" in n]
    assert [n.split(" ")[0] for n in unread] == ["plot_every", "Verbose"]
    assert "learning_rate = 0.05: train.learning_rate = 0.05" in notes


def test_student_json_without_unknown_keys_has_no_unread_key():
    exp, notes = experiment_from_json(json.dumps({"layers": [35, 8, 2, 8, 35], "epochs": 5}))
    assert exp.train.epochs == 5
    assert not any("NOT UNDERSTOOD" in n for n in notes)


def test_student_nested_json_is_denoising():
    raw = {"model": {"layers": [35, 20, 2, 20, 35], "activation": "relu"},
           "training": {"lr": 0.01, "epochs": 50, "batch_size": 8},
           "denoising": {"noise_level": 0.2, "noise_type": "bit_flip"}}
    exp, notes = experiment_from_json(json.dumps(raw))
    assert exp.model.kind == "dae"
    assert exp.noise.level == pytest.approx(0.2)
    assert exp.noise.kind == "bit_flip"
    assert exp.model.hidden_activation == "relu"
    assert (exp.train.learning_rate, exp.train.epochs, exp.train.batch_size) == (0.01, 50, 8)


def test_student_nested_noise_section_with_level_and_kind():
    raw = {"model": {"layers": [35, 20, 2, 20, 35]},
           "noise": {"level": 0.3, "kind": "gauss"}}
    exp, _ = experiment_from_json(json.dumps(raw))
    assert exp.model.kind == "dae"
    assert (exp.noise.kind, exp.noise.level) == ("gaussian", pytest.approx(0.3))


def test_student_denoising_disabled_stays_plain():
    raw = {"layers": [35, 20, 2, 20, 35], "denoising": {"enabled": False, "level": 0.2}}
    exp, _ = experiment_from_json(json.dumps(raw))
    assert exp.model.kind == "ae"


def test_student_mirrored_hidden_and_latent():
    exp, _ = experiment_from_json(json.dumps({"hidden_layers": [20, 10], "latent_dim": 2}))
    assert exp.model.full_layers == (35, 20, 10, 2, 10, 20, 35)


def test_student_sgd_with_momentum_is_momentum():
    exp, notes = experiment_from_json(json.dumps({"optimizer": "sgd", "momentum": 0.9}))
    assert exp.train.optimizer == "momentum"
    assert any("momentum" in n for n in notes)


@pytest.mark.parametrize("key, value, section, field, expected", [
    ("activation_fn", "logistic", "model", "hidden_activation", "sigmoid"),
    ("activation_fn", "Leaky ReLU", "model", "hidden_activation", "leaky_relu"),
    ("activation", "linear", "model", "hidden_activation", "identity"),
    ("init_method", "glorot", "model", "init", "xavier"),
    ("init_method", "kaiming", "model", "init", "he"),
    ("weight_init", "random", "model", "init", "uniform"),
    ("loss_function", "binary_crossentropy", "train", "loss", "bce"),
    ("loss", "mean_squared_error", "train", "loss", "mse"),
    ("optimizer", "gradient_descent", "train", "optimizer", "sgd"),
    ("type", "variational", "model", "kind", "vae"),
    ("noise_type", "salt-and-pepper", "noise", "kind", "salt_pepper"),
    ("font", 2, "data", "fonts", ("Font2",)),
    ("fonts", ["1", "Font3"], "data", "fonts", ("Font1", "Font3")),
    ("epochs", 20.0, "train", "epochs", 20),
])
def test_student_value_aliases(key, value, section, field, expected):
    exp, _ = experiment_from_json(json.dumps({"layers": [35, 10, 2, 10, 35], key: value}))
    assert getattr(getattr(exp, section), field) == expected


def test_student_bad_value_names_the_field():
    err = config_error(experiment_from_json, json.dumps({"learning_rate": -0.1}), "s.json")
    assert err.field == "learning_rate (train.learning_rate)" and str(err).startswith("s.json: ")
    err = config_error(experiment_from_json, json.dumps({"activation_fn": "swish"}))
    assert err.field == "activation_fn (model.hidden_activation)"


def test_student_wrong_type_is_a_config_error():
    err = config_error(experiment_from_json, json.dumps({"layers": ["a", "b"]}))
    assert err.field == "layers[0]" and "positive whole number" in err.problem
