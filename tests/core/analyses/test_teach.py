"""Teaching a 5x7 denoiser new glyphs (aegui.core.analyses.teach, `aegui teach`)."""
import json
import threading

import numpy as np
import pytest

from aegui.core.analyses import teach as T
from aegui.core.schema.experiment import ConfigError, DataConfig, Experiment
from aegui.core.config.validation import experiment_from_dict, with_changes
from aegui.core.config.load import experiment_from_json
from aegui.core.data.datasets import font_dataset, from_config
from aegui.core.data.glyphs import read_font_h
from aegui.core.runs.storage import load_model
from aegui.core.models import latent

from core_helpers import ROOT, run_cli

DAE = ROOT / "models" / "general-5x7-dae"
LCD = ROOT / "resources" / "lcd-glyphs.h"


@pytest.fixture(scope="module")
def dae():
    return load_model(DAE)[:2]


@pytest.fixture(scope="module")
def lcd():
    return read_font_h(LCD)


@pytest.fixture(scope="module")
def taught(dae, lcd):
    """The shipped MLP denoiser taught the 20 LCD glyphs (fewer epochs than the default)."""
    model, exp = dae
    records = []
    session = T.TeachSession(model, exp, lcd, T.TeachSettings(epochs=200, check_every=50), source=str(LCD))
    for rec in session.steps():
        records.append(rec)
    return session.result(), records


# ---------------------------------------------------------------- the glyph file and the config field

def test_the_lcd_glyphs_are_twenty_new_glyphs(lcd):
    [font] = lcd
    assert font.name == "LCD" and len(font.glyphs) == 20
    assert {"arrow up", "bell", "heart", "lock", "smiley", "note", "battery full"} <= {g.label for g in font.glyphs}
    new = font_dataset(("LCD",), path=LCD).x
    course = font_dataset(("all",)).x
    # None of them is a course glyph, and no two are alike.
    assert np.abs(new[:, None] - course[None]).sum(2).min() >= 2
    assert len({tuple(r) for r in new}) == 20


def test_extra_glyphs_round_trip_and_load(tmp_path, lcd):
    exp = with_changes(Experiment(data=DataConfig(fonts=("Font3",))), data={"extra_glyphs": (str(LCD),)})
    back = experiment_from_json(exp.to_json())[0]
    assert back == exp and back.data.extra_glyphs == (str(LCD),)
    assert json.loads(exp.to_json())["data"]["extra_glyphs"] == [str(LCD)]
    ds = from_config(back.data)
    assert len(ds) == 32 + 20
    assert ds.labels[32:] == [g.label for g in lcd[0].glyphs]
    np.testing.assert_array_equal(ds.x[32:], font_dataset(("LCD",), path=LCD).x)
    # Configs written before the field read as before.
    raw = exp.to_dict()
    del raw["data"]["extra_glyphs"]
    assert experiment_from_dict(raw).data.extra_glyphs == ()


@pytest.mark.parametrize("data, words", [
    ({"extra_glyphs": "x.h"}, "must be a list"),
    ({"extra_glyphs": [""]}, "[0]: must be a name (text that is not empty)"),
    ({"source": "digits", "extra_glyphs": ["x.h"]}, "'digits'"),
])
def test_extra_glyphs_refused_naming_the_field(data, words):
    raw = Experiment().to_dict()
    raw["data"].update(data)
    with pytest.raises(ConfigError) as err:
        experiment_from_dict(raw)
    assert err.value.field.startswith("data.extra_glyphs") and words in str(err.value)


# ---------------------------------------------------------------- teaching

def test_teaching_learns_the_new_glyphs_and_keeps_the_old(dae, lcd, taught):
    model, _ = dae
    result, records = taught
    new = font_dataset(("LCD",), path=LCD).x
    course = font_dataset(("all",)).x
    before_new = T.denoising_scores(model, new, levels=(0.1,))["10%"]
    after_new = T.denoising_scores(result.model, new, levels=(0.1,))["10%"]
    before_known = T.denoising_scores(model, course, levels=(0.1,))["10%"]
    after_known = T.denoising_scores(result.model, course, levels=(0.1,))["10%"]
    # Before: the denoiser makes the new glyphs worse than the noisy input; after: far better.
    assert before_new["output"] > before_new["noisy_input"]
    assert after_new["output"] < 0.5 * after_new["noisy_input"]
    assert after_known["output"] <= 0.3 and after_known["output"] < before_known["output"] + 0.1
    # Given clean, every glyph comes back exactly.
    every = np.concatenate([course, new])
    assert ((latent.denoise(result.model, every) >= 0.5) != (every >= 0.5)).sum() == 0


def test_progress_records(taught):
    """The checks' records (the preparing before them, and any of an epoch in progress, are
    tests/core/analyses/test_teach_progress.py's)."""
    result, records = taught
    records = [r for r in records if r.phase == T.FINE_TUNING and not r.batch]
    assert [r.epoch for r in records] == [50, 100, 150, 200]
    assert [r.state for r in records] == ["running"] * 3 + ["finished"] and records[-1].done
    assert records[-1].fraction == 1.0 and records[0].fraction == 0.25
    first, last = records[0], records[-1]
    assert last.new_noisy_wrong < first.new_noisy_wrong
    assert last.new_noisy_wrong < last.noisy_input_wrong
    assert first.noisy_input_wrong == last.noisy_input_wrong     # the same fixed noisy copies
    assert np.isfinite(last.loss) and last.new_wrong == 0
    assert result.last is last and len(result.history) == 4 and result.repeats == 2


def test_stop_is_cooperative(dae, lcd):
    model, exp = dae
    session = T.TeachSession(model, exp, lcd, T.TeachSettings(epochs=100000, check_every=5))
    seen = []
    for rec in session.steps():
        seen.append(rec)
        if len(seen) == 2:
            threading.Thread(target=session.stop).start()
    assert seen[-1].state == "stopped" and seen[-1].epoch < 100000
    assert session.result().last.state == "stopped"


def test_teach_one_drawn_glyph(dae):
    model, exp = dae
    heart = np.array([[0, 0, 0, 0, 0], [0, 1, 0, 1, 0], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1],
                      [0, 1, 1, 1, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0, 0]], np.float32)
    fonts = T.fonts_from_arrays([heart], ["heart"])
    assert fonts[0].glyphs[0].label == "heart" and fonts[0].glyphs[0].code == T.FIRST_CODE
    result = T.teach(model, exp, fonts, T.TeachSettings(epochs=100, check_every=50))
    # One glyph is repeated to make a third of the rows: 96 known / 2 = 48 copies.
    assert result.repeats == 48
    after = T.denoising_scores(result.model, heart.reshape(1, -1), levels=(0.1,))["10%"]
    assert after["output"] < 0.5 * after["noisy_input"]


def test_refusals(dae, lcd):
    model, exp = dae
    with pytest.raises(T.TeachError, match="2 glyphs but 1 labels"):
        T.fonts_from_arrays([np.zeros(35), np.zeros(35)], ["a"])
    with pytest.raises(T.TeachError, match="glyph 1"):
        T.fonts_from_arrays([np.zeros(30)], ["a"])
    with pytest.raises(T.TeachError, match="no glyphs to teach"):
        T.TeachSession(model, exp, ())
    with pytest.raises(T.TeachError, match="has no array 'Nope'; it has LCD"):
        T.fonts_from_file(LCD, ["Nope"])
    emoji = with_changes(Experiment(), data={"source": "emoji", "size": 16},
                         model={"layers": (256, 8, 256)})
    with pytest.raises(T.TeachError, match="'emoji' data"):
        T.TeachSession(model, emoji, lcd)


def test_saved_like_any_model(tmp_path, dae, taught):
    result, _ = taught
    meta_path = T.save_taught(tmp_path / "out", result, {"new": {"10%": {"output": 0.1}}})
    model, exp, meta = load_model(tmp_path / "out")
    x = font_dataset(("LCD",), path=LCD).x
    np.testing.assert_allclose(latent.reconstruct(model, x), latent.reconstruct(result.model, x), atol=1e-6)
    [glyph_file] = exp.data.extra_glyphs
    assert glyph_file.startswith(str((tmp_path / "out").resolve())) and glyph_file.endswith(".h")
    assert exp.data.extra_glyphs == result.experiment(glyph_file).data.extra_glyphs
    np.testing.assert_array_equal(font_dataset(("all",), path=glyph_file).x, x)   # the glyphs, written out
    assert len(from_config(exp.data)) == 96 + 20
    assert meta["taught"]["source"] == str(LCD) and meta["taught"]["glyphs"] == 20
    assert meta["taught"]["scores"]["new"]["10%"]["output"] == 0.1
    assert meta["metrics"]["samples"] == 116 and meta["metrics"]["max_wrong_pixels"] == 0
    assert len(meta["labels"]) == 116
    assert (tmp_path / "out" / "metrics.csv").read_text().startswith("epoch,")
    assert meta_path == tmp_path / "out" / "model.json"
    # The base experiment is unchanged apart from the glyph file and the name.
    assert exp.model == dae[1].model and exp.augment == dae[1].augment and exp.train == dae[1].train
    assert exp.name == dae[1].name + " + 20 taught glyphs"


# ---------------------------------------------------------------- the command line

def test_cli_teach(tmp_path, capsys):
    out = tmp_path / "taught"
    assert run_cli(["teach", DAE, LCD, "--font", "LCD", "--out", out, "--epochs", "50", "--repeats", "5"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["glyphs"] == 20 and result["epochs"] == 50 and result["state"] == "finished"
    assert set(result["new_wrong"]) == {"0%", "10%", "20%"} == set(result["known_wrong"])
    ten = result["new_wrong"]["10%"]
    assert ten["after"] < ten["noisy_input"] < ten["before"]      # the shipped MLP made them worse
    assert result["known_wrong"]["10%"]["after"] < result["known_wrong"]["10%"]["noisy_input"]
    _, exp, meta = load_model(out)
    assert len(exp.data.extra_glyphs) == 1 and meta["taught"]["scores"]["new"] == result["new_wrong"]


@pytest.mark.parametrize("args, words", [
    (["missing.h"], "file not found"),
    ([LCD, "--font", "Font9"], "has no array 'Font9'; it has LCD"),
    ([LCD, "--out", DAE], "overwrite"),
    ([LCD, "--epochs", "0"], "--epochs"),
])
def test_cli_teach_refuses_bad_input(tmp_path, capsys, args, words):
    argv = ["teach", DAE, *args]
    if "--out" not in args:
        argv += ["--out", tmp_path / "o"]
    assert run_cli(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_cli_teach_refuses_an_image_model(tmp_path, capsys):
    from aegui.core.runs.storage import save_model
    from aegui.core.archs import build_model
    exp = with_changes(Experiment(), data={"source": "digits"}, model={"layers": (64, 8, 64)})
    save_model(tmp_path / "digits", build_model(exp.model), exp)
    assert run_cli(["teach", tmp_path / "digits", LCD, "--out", tmp_path / "o"]) == 2
    assert "'digits' data" in capsys.readouterr().err
