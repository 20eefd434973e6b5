"""`aegui eval/train --dataset FILE.h --font NAME`, and the held-out denoising curve on the CLI."""
import csv
import json

import pytest

from aegui.core.data import glyphs as G
from aegui.core.data.datasets import font_dataset

from core_helpers import ROOT, small_experiment, run_cli, last_json


@pytest.fixture(scope="module")
def other_h(tmp_path_factory):
    """A user's font.h whose array is not called Font1-3: capitals A, B, C as 'LCD', and 'Mine'."""
    caps = G.read_font_h(ROOT / "resources" / "font.h")[1]
    path = tmp_path_factory.mktemp("fonts") / "other.h"
    path.write_text(G.write_font_h([G.Font("LCD", caps.glyphs[1:4]), G.Font("Mine", caps.glyphs[4:6])]))
    return path


@pytest.fixture(scope="module")
def font3_model(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("model")
    cfg = tmp / "cfg.json"
    cfg.write_text(small_experiment(train={"epochs": 40, "learning_rate": 0.02}).to_json())
    assert run_cli(["train", cfg, "--out", tmp / "m", "--quiet"]) == 0
    return tmp / "m"


def test_eval_on_a_file_without_the_models_font_uses_all_its_arrays_and_says_so(font3_model, other_h, capsys):
    assert run_cli(["eval", font3_model, "--dataset", other_h]) == 0
    out, err = capsys.readouterr()
    result = last_json(out)
    assert result["glyphs"] == 5 and result["dataset"] == "LCD+Mine"
    assert list(result["wrong_per_glyph"]) == ["A", "B", "C", "D", "E"]
    assert "'Font3' is not in other.h" in err and "all of its arrays (LCD, Mine)" in err


def test_eval_font_picks_arrays(font3_model, other_h, capsys):
    assert run_cli(["eval", font3_model, "--dataset", other_h, "--font", "Mine"]) == 0
    out, err = capsys.readouterr()
    assert last_json(out)["glyphs"] == 2 and "note" not in err
    # Without --dataset, --font picks arrays of the model's own font file.
    assert run_cli(["eval", font3_model, "--font", "Font1,Font2"]) == 0
    result = last_json(capsys.readouterr().out)
    assert result["glyphs"] == 64 and result["dataset"] == "Font1+Font2"


def test_eval_font_that_is_not_in_the_file_is_one_line_exit_2(font3_model, other_h, capsys):
    assert run_cli(["eval", font3_model, "--dataset", other_h, "--font", "Font9"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "'Font9' is not in other.h" in err and "LCD, Mine" in err


def test_train_on_another_font_h(other_h, tmp_path, capsys):
    cfg = tmp_path / "cfg.json"
    cfg.write_text(small_experiment(train={"epochs": 20}).to_json())
    assert run_cli(["train", cfg, "--dataset", other_h, "--out", tmp_path / "m", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert last_json(out)["samples"] == 5 and "training on all of its arrays" in err
    assert run_cli(["train", cfg, "--dataset", other_h, "--font", "LCD", "--out", tmp_path / "m2",
                    "--quiet"]) == 0
    result = last_json(capsys.readouterr().out)
    assert result["samples"] == 3 and result["dataset"] == "LCD"
    saved = json.loads((tmp_path / "m2" / "model.json").read_text())
    assert saved["experiment"]["data"]["fonts"] == ["LCD"] and saved["labels"] == ["A", "B", "C"]


def test_denoise_curve_leave_one_font_out_on_the_cli(tmp_path, capsys):
    base = small_experiment(data={"fonts": ("all",)}, model={"kind": "dae", "layers": (35, 16, 35)},
                            train={"epochs": 20})
    cfg = tmp_path / "dae.json"
    cfg.write_text(base.to_json())
    out = tmp_path / "curve"
    assert run_cli(["denoise-curve", cfg, "--out", out, "--leave-out", "Font2", "--seeds", "2",
                    "--repeats", "2", "--quiet"]) == 0
    capsys.readouterr()
    summary = json.loads((out / "denoising-curve.json").read_text())
    assert summary["samples"] == 32 and summary["dataset"].startswith("Font2 (left out; trained on Font1+Font3)")
    chars = {row["char"] for row in csv.DictReader(open(out / "per_char.csv"))}
    assert chars == set(font_dataset(("Font2",)).labels)
    rows = list(csv.DictReader(open(out / "curve.csv")))
    assert all(float(r["baseline_mean"]) > 0 for r in rows if float(r["level"]) > 0 and r["kind"] == "salt_pepper")


def test_denoise_curve_test_on_a_users_font_h(font3_model, other_h, tmp_path, capsys):
    out = tmp_path / "curve"
    assert run_cli(["denoise-curve", font3_model, "--out", out, "--test-on", other_h, "--font", "LCD",
                    "--repeats", "2"]) == 0
    err = capsys.readouterr().err
    assert "measuring on LCD from other.h: 3 glyphs" in err
    assert json.loads((out / "denoising-curve.json").read_text())["samples"] == 3
    assert run_cli(["denoise-curve", font3_model, "--out", out, "--leave-out", "Font1"]) == 2
    assert "leave_out" in capsys.readouterr().err
    assert run_cli(["denoise-curve", font3_model, "--out", out, "--font", "LCD"]) == 2
    assert "--test-on" in capsys.readouterr().err
