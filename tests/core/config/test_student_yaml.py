"""Student configs written in YAML read as their JSON twins do: the same rules, the same table.
YAML 1.1 leaves "1e-3" a string (its floats need a point); a student's code made it a number, and
so does the import."""
import json

import pytest

from aegui.core.config.load import load_experiment, read_config
from aegui.core.files.yamlfile import MAX_NODES, parse_yaml
from aegui.core.schema.experiment import ConfigError

YAML = """\
# a student's config, comments and all
model:
  layers: [35, 25, 10, 2]
  act: tanh              # the hidden units
  output_act: sigmoid
training:
  optimizer: {type: adam, lr: 1e-3}
  epochs: 5000
  batch_size: 8
  max_wrong_pixels: 1
noise:
  type: salt_and_pepper
  probability: 0.2
"""
TWIN = {"model": {"layers": [35, 25, 10, 2], "activation": "tanh", "output_activation": "sigmoid"},
        "training": {"optimizer": {"type": "adam", "lr": 0.001}, "epochs": 5000, "batch_size": 8,
                     "max_wrong_pixels": 1},
        "noise": {"type": "salt_and_pepper", "probability": 0.2}}


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".YAML"])
def test_a_yaml_config_trains_as_its_json_twin(tmp_path, suffix):
    (tmp_path / f"config{suffix}").write_text(YAML, encoding="utf-8")
    (tmp_path / "twin.json").write_text(json.dumps(TWIN), encoding="utf-8")
    exp, notes = load_experiment(tmp_path / f"config{suffix}")
    twin, _ = load_experiment(tmp_path / "twin.json")
    assert exp.train.learning_rate == 0.001 and isinstance(exp.train.learning_rate, float)
    assert (exp.model.full_layers, exp.model.hidden_activation, exp.model.kind) == ((35, 25, 10, 2, 10, 25, 35),
                                                                                   "tanh", "dae")
    assert exp.to_dict() | {"name": ""} == twin.to_dict() | {"name": ""}
    rows = {r.key: r for r in read_config(tmp_path / f"config{suffix}").rows}
    assert rows["training.optimizer.lr"].result == {"train.learning_rate": 0.001}


@pytest.mark.parametrize("text, expected", [
    ("lr: 1e-3\nb: 5E+2\nc: -.5e1\nd: 1.0e-3\ne: '1e-3'\n", {"lr": 0.001, "b": 500.0, "c": -5.0, "d": 0.001,
                                                            "e": "1e-3"}),
    ("day: 2024-03-01\nyes: on\n2: x\n~: y\n", {"day": "2024-03-01", "True": True, "2": "x", "null": "y"}),
])
def test_yaml_values_are_the_json_kinds_a_student_meant(text, expected):
    assert parse_yaml(text, "c.yaml") == expected


def test_a_yaml_mistake_names_the_file_and_the_line(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("model:\n  layers: [35, 10, 2\nepochs: 10\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_experiment(path)
    assert str(err.value).startswith(f"{path}: (yaml): not valid YAML") and "line 3" in str(err.value), err.value


def test_aliases_that_repeat_past_the_budget_are_refused():
    chain = "a0: &a0 [x, x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n" for i in range(1, 30))
    with pytest.raises(ConfigError, match=f"more than {MAX_NODES:,} values"):
        parse_yaml(chain, "bomb.yaml")
    assert parse_yaml("base: &b {lr: 0.1}\nrun: *b\n", "ok.yaml") == {"base": {"lr": 0.1}, "run": {"lr": 0.1}}
