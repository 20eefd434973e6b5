"""`aegui import` and `aegui train` of a student's config: the aegui config printed (or written) is
the one `aegui train` reads, the table on stderr has a row for each key of the file, and a key that
may change training and is not understood ends the command with status 2, naming it, before any
work (unless --lenient). Without torch: reading a config is quick."""
import json

import numpy as np

import pytest

from aegui.core.config.load import experiment_from_json, read_config
from aegui.core.runs.storage import load_model

from core_helpers import last_json, run_cli

STUDENT = {"model": {"latent_dim": 2, "encoder_hidden_layers": [16], "decoder_hidden_layers": [16]},
           "training": {"learning_rate": 0.01, "epochs_max": 20, "early_stopping_patience": 400,
                        "gradient_clip_norm": 5, "batch_size": 8},
           "evaluation": {"pixel_threshold": 0.5},
           "denoising": {"noise_type": "bit_flip", "noise_level": 0.0}}


def student_file(tmp_path, raw=STUDENT, name="student.json"):
    path = tmp_path / name
    path.write_text(json.dumps(raw))
    return path


def test_import_prints_the_config_train_reads_and_a_row_a_key(tmp_path, capsys):
    path = student_file(tmp_path)
    assert run_cli(["import", path]) == 0
    out, err = capsys.readouterr()
    exp, notes = experiment_from_json(out)
    assert notes == []                      # what it prints is aegui's own config
    assert exp == read_config(path).experiment
    assert exp.model.full_layers == (35, 16, 2, 16, 35) and exp.model.kind == "ae"
    assert (exp.train.epochs, exp.train.patience, exp.train.clip_norm) == (20, 400, 5.0)
    table = err.splitlines()
    for key in ("model.latent_dim", "model.encoder_hidden_layers", "training.epochs_max",
                "training.gradient_clip_norm", "evaluation.pixel_threshold", "denoising.noise_level"):
        assert any(line.startswith(key + " ") for line in table), err
    assert any(line.startswith("training.epochs_max") and "train.epochs = 20" in line for line in table)


def test_import_out_writes_the_file_instead(tmp_path, capsys):
    out = tmp_path / "aegui.json"
    assert run_cli(["import", student_file(tmp_path), "--out", out]) == 0
    printed, err = capsys.readouterr()
    assert printed == "" and "wrote" in err
    exp, notes = experiment_from_json(out.read_text())
    assert notes == [] and exp.train.epochs == 20


def test_an_unknown_key_that_matters_exits_2_naming_it(tmp_path, capsys):
    raw = {**STUDENT, "training": {**STUDENT["training"], "adaptive_eta": True, "warmup": 10}}
    path = student_file(tmp_path, raw)
    out = tmp_path / "aegui.json"
    assert run_cli(["import", path, "--out", out]) == 2
    printed, err = capsys.readouterr()
    assert printed == "" and not out.exists()
    last = err.strip().splitlines()[-1]
    assert last.startswith("aegui: error: ") and "training.adaptive_eta" in last and "training.warmup" in last
    assert any(line.startswith("training.adaptive_eta") and "NOT UNDERSTOOD" in line for line in err.splitlines())
    assert "Traceback" not in err
    assert run_cli(["import", path, "--out", out, "--lenient"]) == 0
    assert experiment_from_json(out.read_text())[0].train.epochs == 20


def test_train_of_a_student_config_tells_each_key_and_trains(tmp_path, capsys):
    rc = run_cli(["train", student_file(tmp_path), "--out", tmp_path / "o", "--quiet"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    notes = [ln for ln in captured.err.splitlines() if ln.startswith("aegui: note: ")]
    assert "aegui: note: training.epochs_max = 20: train.epochs = 20" in notes
    assert any(n.startswith("aegui: note: denoising.noise_level = 0.0: ") and "plain autoencoder" in n
               for n in notes)
    assert last_json(captured.out)["epochs"] <= 20
    _model, exp, _meta = load_model(tmp_path / "o")
    assert exp.model.full_layers == (35, 16, 2, 16, 35) and exp.train.clip_norm == 5.0


def test_train_refuses_an_unknown_key_before_any_work(tmp_path, capsys):
    path = student_file(tmp_path, {**STUDENT, "lr_scheduler": "cosine"})
    assert run_cli(["train", path, "--out", tmp_path / "o", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "lr_scheduler" in err.strip().splitlines()[-1] and not (tmp_path / "o").exists()


@pytest.mark.parametrize("raw, problem", [
    ({"layers": [35, 10, 2, 10, 35], "learning_rate": -1}, "train.learning_rate"),
    ({"encoder_layers": "35,10,2"}, "encoder_layers: a layer list looks like"),
])
def test_a_bad_value_is_one_line_naming_the_key(tmp_path, capsys, raw, problem):
    assert run_cli(["import", student_file(tmp_path, raw)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and problem in err[0] and "student.json" in err[0]


def test_import_of_a_saved_network_makes_a_model_folder(tmp_path, capsys):
    rng = np.random.default_rng(0)
    layers = [{"units": n_out, "activation": act, "W": rng.normal(0, 0.5, (n_out, n_in)).tolist(),
               "B": np.zeros(n_out).tolist()}
              for n_in, n_out, act in ((35, 12, "tanh"), (12, 2, "linear"), (2, 12, "tanh"), (12, 35, "logistic"))]
    path = student_file(tmp_path, {"layers": layers}, "net.json")
    assert run_cli(["import", path, "--out", tmp_path / "m"]) == 0
    out, err = capsys.readouterr()
    result = last_json(out)
    assert result["model"] == str(tmp_path / "m") and result["samples"] == 32
    assert "35-12-2-12-35" in err and "[out, in] (read from the shapes)" in err
    model, exp, meta = load_model(tmp_path / "m")
    assert meta["metrics"]["max_wrong_pixels"] == result["max_wrong_pixels"]
    assert exp.model.output_activation == "sigmoid"


def test_import_reads_a_yaml_config_as_its_json_twin(tmp_path, capsys):
    """The same file as YAML prints the same config; a YAML mistake is refused naming the file."""
    import yaml
    path = tmp_path / "student.yaml"
    path.write_text(yaml.safe_dump(STUDENT))
    assert run_cli(["import", path]) == 0
    out, err = capsys.readouterr()
    assert experiment_from_json(out)[0] == read_config(student_file(tmp_path)).experiment   # both named "student"
    assert "training.epochs_max" in err
    bad = tmp_path / "bad.yml"
    bad.write_text("training:\n  epochs: [1, 2\n")
    assert run_cli(["import", bad]) == 2
    assert f"{bad}: (yaml): not valid YAML" in capsys.readouterr().err
