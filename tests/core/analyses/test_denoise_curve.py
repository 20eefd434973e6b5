"""Denoising curves: measurement against numpy, seeds, CSV files, cancel, spec errors."""
import csv
import json

import numpy as np
import pytest

from core_helpers import ROOT, small_experiment

from aegui.core.schema.experiment import ConfigError
from aegui.core.analyses.denoise.curve import (CURVE_COLUMNS, PER_CHAR_COLUMNS, CurveSpec, DenoiseCurveJob, load_spec, spec_from_dict, wrong_pixels)
from aegui.core.models.latent import reconstruct
from aegui.core.data.noise import apply_noise

PRESET = ROOT / "resources" / "analyses" / "denoising-curve.json"


def small_spec(**kw) -> CurveSpec:
    base = small_experiment(model={"kind": "dae", "layers": (35, 16, 8, 16, 35)},
                            train={"epochs": 30, "learning_rate": 0.01})
    values = dict(name="tiny", base=base, seeds=2, kinds=("salt_pepper", "gaussian"), levels=(0.0, 0.5),
                  repeats=2, char_kind="gaussian", char_level=0.5)
    values.update(kw)
    return CurveSpec(**values)


def run(job):
    items = list(job.steps())
    return items, items[-1]


def test_wrong_pixels_match_a_plain_numpy_count(trained, font3):
    model = trained[0]
    after, before = wrong_pixels([model], font3.x, "bit_flip", 0.2, 3, [7])
    copies = np.repeat(font3.x, 3, axis=0)
    noisy = apply_noise(copies, "bit_flip", 0.2, np.random.default_rng(7))
    out = reconstruct(model, noisy)
    want_after = ((out >= 0.5) != (copies >= 0.5)).sum(1).reshape(len(font3), 3).mean(1)
    want_before = (noisy != copies).sum(1).reshape(len(font3), 3).mean(1)
    np.testing.assert_allclose(after[0], want_after)
    np.testing.assert_allclose(before[0], want_before)
    # every pixel flipped: the noisy input is wrong everywhere
    _, all_flipped = wrong_pixels([model], font3.x, "bit_flip", 1.0, 1, [0])
    assert np.all(all_flipped == 35)


def test_job_trains_the_seeds_and_aggregates_over_them(tmp_path):
    items, last = run(DenoiseCurveJob(small_spec()))
    assert {p.state for p in items[:-1]} == {"training", "evaluating"}
    fractions = [p.fraction for p in items]
    assert fractions == sorted(fractions) and last.fraction == 1.0
    res = last.result
    assert last.state == "finished" and res.wrong.shape == (2, 2, 2, 32) and res.n_seeds == 2
    c = res.curve("gaussian")
    per_seed = res.wrong[1].mean(2)                      # [levels, seeds]
    np.testing.assert_allclose(c["mean"], per_seed.mean(1))
    np.testing.assert_allclose(c["std"], np.std(per_seed, axis=1))    # population std
    assert c["baseline_mean"][0] == 0                    # no noise, no wrong input pixels
    assert c["baseline_mean"][1] > 0
    pc = res.per_char()
    np.testing.assert_allclose(pc["std"], res.wrong[1, 1].std(0))

    paths = res.write(tmp_path)
    with open(paths["curve"]) as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == CURVE_COLUMNS and len(rows) == 4
    assert rows[3]["kind"] == "gaussian" and float(rows[3]["level"]) == 0.5
    assert float(rows[3]["mean"]) == pytest.approx(c["mean"][1]) and rows[3]["n_seeds"] == "2"
    with open(paths["per_char"]) as fh:
        chars = list(csv.DictReader(fh))
    assert list(chars[0]) == PER_CHAR_COLUMNS and len(chars) == 2 * 2 * 32
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads(paths["json"].read_text())["n_seeds"] == 2


def _diverge_model(monkeypatch, k: int, epoch: int):
    """Training in which stacked model `k`'s weights turn NaN after `epoch`: the session finds it
    diverged at its next check, as it would a learning rate too high for that seed."""
    import torch
    from aegui.core.train.session import TrainingSession
    steps = TrainingSession.steps

    def diverging(self):
        for rec in steps(self):
            if rec.epoch == epoch:
                with torch.no_grad():
                    next(self.model.parameters())[k].fill_(float("nan"))
            yield rec
    monkeypatch.setattr(TrainingSession, "steps", diverging)


def test_a_seed_that_diverged_is_left_out_and_named(monkeypatch, tmp_path):
    """A diverged seed is frozen at its last finite weights, part-trained: averaged in, it pulled
    the curve toward a denoiser that failed. The curve covers the other seeds and says which one
    was left out and when it diverged."""
    _diverge_model(monkeypatch, 1, 10)
    job = DenoiseCurveJob(small_spec(seeds=3))
    _, last = run(job)
    res = last.result
    assert last.state == "finished" and res.n_seeds == 2 and len(job.models) == 2
    (seed, epoch), = res.diverged
    assert seed == 1 and epoch > 10
    assert res.diverged_text == f"seed 1 diverged at epoch {epoch} and is left out"
    # The two models measured are seeds 0 and 2, each with its own noise (drawn by its seed's
    # index, as if no seed had diverged): measured alone, each gives its row of the result.
    for i, (model, index) in enumerate(zip(job.models, (0, 2))):
        after, _ = wrong_pixels([model], job.test_data.x, "gaussian", 0.5, 2, [(0, 2, 1, index)])
        np.testing.assert_allclose(res.wrong[1, 1, i], after[0])
    assert np.isfinite(res.wrong).all()
    summary = json.loads(res.write(tmp_path)["json"].read_text())
    assert summary["n_seeds"] == 2 and summary["diverged"] == [{"seed": 1, "epoch": epoch}]


def test_a_curve_whose_every_seed_diverged_fails_with_the_training_s_advice():
    spec = small_spec(base=small_experiment(model={"kind": "dae", "layers": (35, 16, 8, 16, 35)},
                                            train={"epochs": 30, "optimizer": "sgd", "learning_rate": 1000.0}))
    with pytest.raises(ConfigError) as err:
        run(DenoiseCurveJob(spec))
    text = str(err.value)
    assert "every seed diverged, so there is no denoiser to measure" in text
    assert "learning rate 1000 is probably too high" in text and err.value.field == "train.learning_rate"


def test_given_models_are_measured_as_seeds(trained, font3):
    spec = CurveSpec(name="given", model_paths=("x",), seeds=1, kinds=("salt_pepper",), levels=(0.1,),
                     repeats=2, char_level=0.1)
    res = DenoiseCurveJob(spec, models=[trained[0]], data=font3).run()
    assert res.n_seeds == 1 and res.curve("salt_pepper")["std"][0] == 0
    bad = small_spec(base=None, model_paths=("x",))
    with pytest.raises(ConfigError, match="models"):
        DenoiseCurveJob(bad, models=[trained[0]], data=type(font3)("wide", np.zeros((2, 40), np.float32), ["a", "b"]))


def test_cancel_during_training_gives_no_result():
    job = DenoiseCurveJob(small_spec(epochs=5000))
    items = []
    for p in job.steps():
        items.append(p)
        if p.state == "training" and p.epoch >= 20:
            job.cancel()
    assert items[-1].state == "cancelled" and items[-1].result is None
    assert items[-2].epoch < 5000


@pytest.mark.parametrize("change, key", [
    ({"levels": [0, 2]}, "levels[1]"),
    ({"char_level": 0.25}, "char_level"),
    ({"kinds": ["salt", "gaussian"]}, "kinds"),
    ({"seeds": 0}, "seeds"),
    ({"colour": "red"}, "colour"),
    ({"models": ["a"]}, "models"),
])
def test_spec_errors_name_the_key(change, key):
    raw = {"analysis": "denoising_curve", "base": small_experiment().to_dict(), "levels": [0, 0.5],
           "char_level": 0.5, **change}
    with pytest.raises(ConfigError) as err:
        spec_from_dict(raw, "spec.json")
    assert err.value.field == key and "spec.json" in str(err.value)


def test_the_preset_loads():
    spec = load_spec(PRESET)
    assert spec.base.model.kind == "dae" and spec.base.data.fonts == ("Font3",)
    assert spec.levels == tuple(round(0.1 * i, 1) for i in range(10)) and 3 <= spec.seeds <= 5
    assert spec.experiment().train.seeds == spec.seeds


# ---------------------------------------------------------------- CLI

def test_cli_writes_the_csvs_and_a_json_line(tmp_path, capsys):
    from aegui.cli import main
    spec = tmp_path / "curve.json"
    base = small_experiment(model={"kind": "dae", "layers": (35, 16, 8, 16, 35)}, train={"epochs": 20})
    spec.write_text(json.dumps({"analysis": "denoising_curve", "base": base.to_dict(), "seeds": 2,
                                "kinds": ["bit_flip"], "levels": [0, 0.2], "repeats": 2, "char_kind": "bit_flip",
                                "char_level": 0.2}))
    out = tmp_path / "out"
    assert main(["denoise-curve", str(spec), "--out", str(out), "--quiet"]) == 0
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["levels"] == [0.0, 0.2] and line["seeds"] == 2 and line["seconds"] > 0
    assert sorted(line["files"]) == sorted(p.name for p in out.iterdir())
    with open(out / "curve.csv") as fh:
        assert [r["kind"] for r in csv.DictReader(fh)] == ["bit_flip", "bit_flip"]


def test_cli_bad_spec_names_the_key_with_status_2(tmp_path, capsys):
    from aegui.cli import main
    spec = tmp_path / "bad.json"
    spec.write_text(json.dumps({"analysis": "denoising_curve", "base": small_experiment().to_dict(),
                                "levels": [0, 0.5, 1.5]}))
    assert main(["denoise-curve", str(spec), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "levels[2]" in err[0] and "bad.json" in err[0]
