import csv
import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

from aegui.core.runs.storage import load_model

from core_helpers import ROOT, small_experiment, run_cli, last_json

RESULT_KEYS = {"max_wrong_pixels", "mean_wrong_pixels", "epochs", "seconds", "model"}
BAD_FONT_H = """/* a damaged font file */
int const Font3[2][7] = {
  {0x04, 0x0a, 0x11, 0x11, 0x1f, 0x11, 0x11},
  {0x04, 0x0a, 0x11},
};
"""


def write_config(path, **sections):
    exp = small_experiment(**sections)
    path.write_text(exp.to_json())
    return path


def native_config(path, **edits):
    raw = json.loads(small_experiment().to_json())
    for dotted, value in edits.items():
        section, name = dotted.split(".")
        raw[section][name] = value
    path.write_text(json.dumps(raw))
    return path


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """A model trained through the CLI, shared by the eval / decode tests."""
    tmp = tmp_path_factory.mktemp("cli_model")
    cfg = write_config(tmp / "cfg.json", train={"epochs": 150, "learning_rate": 0.02, "seeds": 2})
    out = tmp / "model"
    assert run_cli(["train", cfg, "--out", out, "--quiet"]) == 0
    return out


# ---------------------------------------------------------------- train

def test_train_writes_model_metrics_and_json(tmp_path, capsys):
    cfg = write_config(tmp_path / "cfg.json")
    out = tmp_path / "run"
    rc = run_cli(["train", cfg, "--out", out, "--epochs", "30", "--seeds", "2", "--seed", "5", "--quiet"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    result = last_json(captured.out)
    assert RESULT_KEYS <= set(result)
    assert result["epochs"] == 30 and result["models"] == 2 and result["state"] == "finished"
    assert result["model"] == str(out)
    assert sorted(p.name for p in out.iterdir()) == ["metrics.csv", "model.json", "model.safetensors"]
    with open(out / "metrics.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {"epoch", "max_wrong_pixels"} <= set(rows[0])
    assert [int(r["epoch"]) for r in rows] == [10, 20, 30]
    assert int(rows[-1]["max_wrong_pixels"]) == result["max_wrong_pixels"]
    model, exp, meta = load_model(out)
    assert (exp.train.epochs, exp.train.seeds, exp.train.seed) == (30, 2, 5)
    assert meta["metrics"]["max_wrong_pixels"] == result["max_wrong_pixels"]
    assert len(meta["labels"]) == 32 and meta["shape"] == [7, 5]
    assert "Traceback" not in captured.err


def test_train_student_config_prints_a_note(tmp_path, capsys):
    cfg = tmp_path / "student.json"
    cfg.write_text(json.dumps({"layers": [35, 16, 2, 16, 35], "epochs": 10, "lr": 0.01,
                               "plot": True, "device": "cpu"}))
    rc = run_cli(["train", cfg, "--out", tmp_path / "o", "--quiet"])
    captured = capsys.readouterr()
    assert rc == 0
    assert "aegui: note: plot = true: NOT UNDERSTOOD: its name says it is about output, not training" in captured.err
    assert "aegui: note: device = cpu: train.device = cpu" in captured.err
    assert last_json(captured.out)["epochs"] == 10


def test_train_on_another_font_file(tmp_path, capsys):
    font_h = tmp_path / "mine.h"
    font_h.write_text(BAD_FONT_H.replace("  {0x04, 0x0a, 0x11},\n", "  {0x1f, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1f},\n"))
    cfg = write_config(tmp_path / "cfg.json", train={"epochs": 10})
    rc = run_cli(["train", cfg, "--dataset", font_h, "--out", tmp_path / "o", "--quiet"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert last_json(captured.out)["samples"] == 2
    _, exp, _ = load_model(tmp_path / "o")
    assert exp.data.path == str(font_h.resolve())


def test_train_subprocess_exit_code_and_json(tmp_path):
    cfg = write_config(tmp_path / "cfg.json")
    out = tmp_path / "sub"
    env = dict(os.environ, AEGUI_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "aegui", "train", str(cfg), "--out", str(out),
                           "--epochs", "20", "--quiet"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = last_json(proc.stdout)
    assert RESULT_KEYS <= set(result)
    assert isinstance(result["max_wrong_pixels"], int) and result["epochs"] == 20
    assert result["model"] == str(out) and (out / "model.safetensors").is_file()
    assert "Traceback" not in proc.stderr


def test_train_subprocess_bad_input_exit_2(tmp_path):
    env = dict(os.environ, AEGUI_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "aegui", "train", str(tmp_path / "missing.json")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("aegui: error: ")
    assert proc.stdout == ""


# ---------------------------------------------------------------- eval / decode

def test_eval_clean(model_dir, capsys):
    assert run_cli(["eval", model_dir]) == 0
    out = capsys.readouterr().out
    result = last_json(out)
    assert result["noise"] == "none" and result["glyphs"] == 32 and result["repeats"] == 1
    assert len(result["wrong_per_glyph"]) == 32
    _, _, meta = load_model(model_dir)
    assert result["max_wrong_pixels"] == meta["metrics"]["max_wrong_pixels"]
    assert max(result["wrong_per_glyph"].values()) == result["max_wrong_pixels"]
    assert len(out.strip().splitlines()) == 1 + 32 + 1     # header, one line per glyph, JSON


def test_eval_with_noise_in_percent(model_dir, capsys):
    assert run_cli(["eval", model_dir, "--noise", "salt_pepper", "--level", "10%", "--repeats", "4"]) == 0
    result = last_json(capsys.readouterr().out)
    assert result["noise"] == "salt_pepper" and result["level"] == pytest.approx(0.1)
    assert result["repeats"] == 4
    # About level/2 of 35 pixels were changed in the inputs.
    assert 0.8 < result["mean_wrong_pixels_noisy_input"] < 2.7
    assert run_cli(["eval", model_dir, "--noise", "salt_pepper", "--level", "0.1", "--repeats", "4"]) == 0
    assert last_json(capsys.readouterr().out) == result


def test_decode_prints_text_art_and_writes_png(model_dir, tmp_path, capsys):
    png = tmp_path / "g.png"
    assert run_cli(["decode", model_dir, "--z", "0.5,-0.25", "--out", png]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 7
    assert all(len(line) == 5 and set(line) <= {"#", "."} for line in lines)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image
    with Image.open(png) as img:
        assert img.size == (5 * 20, 7 * 20)
    from aegui.core.models import latent
    model, _, _ = load_model(model_dir)
    expected = latent.decode_points(model, [[0.5, -0.25]])[0].reshape(7, 5) >= 0.5
    assert np.array_equal(np.array([[c == "#" for c in line] for line in lines]), expected)


# ---------------------------------------------------------------- bad input: exit 2, one line

def test_decode_grid_writes_a_mosaic_of_decoded_tiles(model_dir, tmp_path, capsys):
    png = tmp_path / "grid.png"
    assert run_cli(["decode", model_dir, "--grid", "4", "--out", png]) == 0
    info = last_json(capsys.readouterr().out)
    assert info["grid"] == 4 and len(info["rect"]) == 4
    from PIL import Image
    with Image.open(png) as img:
        # 4 tiles of 5x7 with one blank pixel between them, 8 px per pixel.
        assert img.size == ((4 * 6 - 1) * 8, (4 * 8 - 1) * 8)
        pixels = np.asarray(img.convert("L"))
    # The top-left tile is the decode at (x0, y1): ink is dark, paper is white.
    from aegui.core.models import latent
    model, _, _ = load_model(model_dir)
    x0, x1, y0, y1 = info["rect"]
    tile = latent.decode_points(model, [[x0, y1]])[0].reshape(7, 5)
    got = pixels[:56:8, :40:8] < 128
    assert np.array_equal(got, tile >= 0.5)


def test_decode_grid_needs_out(model_dir, capsys):
    expect_error(capsys, ["decode", model_dir, "--grid", "4"], "--out")


def expect_error(capsys, argv, *words):
    rc = run_cli(argv)
    err = capsys.readouterr().err
    assert rc == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("aegui: error: ")
    assert "Traceback" not in err
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def test_missing_config_file(tmp_path, capsys):
    expect_error(capsys, ["train", tmp_path / "nope.json", "--out", tmp_path / "o"], "nope.json", "not found")
    assert not (tmp_path / "o").exists()


def test_malformed_json(tmp_path, capsys):
    cfg = tmp_path / "bad.json"
    cfg.write_text('{\n  "layers": [35, 2, 35],\n  "epochs": \n}')
    expect_error(capsys, ["train", cfg, "--out", tmp_path / "o"], "bad.json", "line 4")


def test_bad_config_value_names_the_field(tmp_path, capsys):
    cfg = native_config(tmp_path / "cfg.json", **{"train.learning_rate": -1})
    expect_error(capsys, ["train", cfg, "--out", tmp_path / "o"], "train.learning_rate")


def test_unknown_activation(tmp_path, capsys):
    cfg = native_config(tmp_path / "cfg.json", **{"model.hidden_activation": "swish"})
    expect_error(capsys, ["train", cfg, "--out", tmp_path / "o"], "model.hidden_activation", "swish")


def test_layer_sizes_that_do_not_fit(tmp_path, capsys):
    cfg = native_config(tmp_path / "cfg.json", **{"model.layers": [30, 10, 2, 10, 30]})
    expect_error(capsys, ["train", cfg, "--out", tmp_path / "o"], "model.layers", "35")
    assert not (tmp_path / "o").exists()


def test_bad_override_on_the_command_line(tmp_path, capsys):
    cfg = write_config(tmp_path / "cfg.json")
    expect_error(capsys, ["train", cfg, "--epochs", "0", "--out", tmp_path / "o"], "train.epochs")


def test_missing_font_file(tmp_path, capsys):
    cfg = write_config(tmp_path / "cfg.json")
    expect_error(capsys, ["train", cfg, "--dataset", tmp_path / "none.h", "--out", tmp_path / "o"],
                 "none.h", "not found")


def test_malformed_font_file_names_the_line(tmp_path, capsys):
    cfg = write_config(tmp_path / "cfg.json")
    font_h = tmp_path / "bad.h"
    font_h.write_text(BAD_FONT_H)
    expect_error(capsys, ["train", cfg, "--dataset", font_h, "--out", tmp_path / "o"], "bad.h", "line 4")


def test_font_file_without_the_font(tmp_path, capsys):
    cfg = write_config(tmp_path / "cfg.json")
    font_h = tmp_path / "other.h"
    font_h.write_text(BAD_FONT_H.replace("Font3[2]", "Mine[1]").replace("  {0x04, 0x0a, 0x11},\n", ""))
    # Asked for by name, a missing array is an error; the config's own font falls back to all of
    # the file's arrays with a note (see test_cli_font_choice.py).
    expect_error(capsys, ["train", cfg, "--dataset", font_h, "--font", "Font3", "--out", tmp_path / "o"],
                 "data.fonts", "Font3")


def test_eval_of_a_pickle_model(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("unpickled"))
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("unpickled"))
    path = tmp_path / "model.pt"
    with open(path, "wb") as fh:
        pickle.dump({"weights": [1, 2]}, fh)
    expect_error(capsys, ["eval", path], "pickle")


def test_eval_of_an_unreadable_model(tmp_path, capsys):
    folder = tmp_path / "junk"
    folder.mkdir()
    (folder / "model.json").write_text("not json at all")
    (folder / "model.safetensors").write_bytes(b"\x00" * 16)
    expect_error(capsys, ["eval", folder], "model.json")


def test_eval_of_a_missing_model(tmp_path, capsys):
    expect_error(capsys, ["eval", tmp_path / "gone"], "not found")


def test_eval_of_a_file_that_is_not_a_model(tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    expect_error(capsys, ["eval", path])


def test_eval_bad_level(model_dir, capsys):
    expect_error(capsys, ["eval", model_dir, "--noise", "bit_flip", "--level", "lots"], "lots")
    expect_error(capsys, ["eval", model_dir, "--noise", "bit_flip", "--level", "150%"], "150%")


def test_eval_bad_repeats(model_dir, capsys):
    expect_error(capsys, ["eval", model_dir, "--noise", "bit_flip", "--repeats", "0"], "--repeats")


@pytest.mark.parametrize("z", ["1,2,3", "1", "a,b"])
def test_decode_with_the_wrong_point(model_dir, capsys, z):
    line = expect_error(capsys, ["decode", model_dir, "--z", z], "--z")
    if z != "a,b":
        assert f"has {len(z.split(','))} values" in line


def test_unknown_command_exits_2(capsys):
    expect_error(capsys, ["frobnicate"])
