"""What sweeps measure beyond the training glyphs: denoising on noisy
copies at the level trained, beside the noisy input's own error; held-out glyphs."""
import csv

import numpy as np
import pytest
import torch

from aegui.core.analyses.sweeps import evaluate as sweep_eval
from aegui.core.analyses.sweeps.sweep import SweepRunner, load_sweep, sweep_from_dict
from aegui.core.analyses.sweeps.files import write_results
from aegui.core.schema.experiment import ConfigError, ModelSpec
from aegui.core.models.mlp_net import Autoencoder

from core_helpers import ROOT, small_experiment

SWEEPS = ROOT / "resources" / "sweeps"


def identity_model() -> Autoencoder:
    """A 35-36-35 net that copies its (thresholded) input: denoises nothing."""
    m = Autoencoder(ModelSpec(layers=(35, 36, 35), latent_activation="identity"), 1)
    eye = torch.eye(35, 36)
    m.load_named_weights({"encoder.0.weight": eye, "encoder.0.bias": torch.zeros(36),
                          "decoder.0.weight": 20 * eye.T, "decoder.0.bias": torch.full((35,), -10.0)})
    return m


def test_the_denoising_metric_is_measured_on_noisy_inputs(font3):
    """A model that only copies its input must score exactly the noisy input's error: measured on
    clean inputs it would score 0."""
    model = identity_model()
    after, before = sweep_eval.noisy_wrong(model, font3.x, "salt_pepper", 0.5, 20, 0)
    assert before == pytest.approx(0.5 * 35 / 2, rel=0.1)    # half the corrupted pixels change
    assert after == pytest.approx(before)
    assert sweep_eval.noisy_wrong(model, font3.x, "salt_pepper", 0.0, 5, 0) == (0.0, 0.0)


def dae_sweep(**extra):
    raw = small_experiment(model={"kind": "dae", "layers": (35, 24, 8, 24, 35)},
                           train={"epochs": 150, "learning_rate": 0.01, "check_every": 50},
                           noise={"kind": "salt_pepper", "level": 0.2}).to_dict()
    raw.pop("schema_version")
    return sweep_from_dict({"name": "dae levels", "base": raw, "vary": {"noise.level": [0.0, 0.5]},
                            "seeds": 2, **extra})


def test_a_denoising_sweep_reports_output_beside_noisy_input_at_the_level_trained(tmp_path):
    result = SweepRunner(dae_sweep(evaluate={"repeats": 10, "levels": "sweep"})).run()
    rows = {r["config"]: r for r in result.summaries()}
    assert rows[0]["noisy_input_wrong_mean"] == 0 and rows[0]["denoised_wrong_mean"] == rows[0]["final_mean_wrong_mean"]
    assert rows[1]["noisy_input_wrong_mean"] == pytest.approx(8.75, rel=0.1)
    assert 0 < rows[1]["denoised_wrong_mean"] < rows[1]["noisy_input_wrong_mean"]
    # trained at 0 % and measured at 50 %: the model has not learnt to denoise
    assert rows[0]["noisy_input_wrong_at_50pct_mean"] == pytest.approx(8.75, rel=0.1)
    out = write_results(result, tmp_path)
    header = next(csv.reader(open(out / "results.csv")))
    for col in ("noisy_input_wrong_mean", "denoised_wrong_mean", "denoised_wrong_at_50pct_mean"):
        assert col in header
    runs = list(csv.DictReader(open(out / "runs.csv")))
    assert len(runs) == 4 and all(r["noisy_input_wrong"] != "" for r in runs)


def test_the_denoising_levels_preset_measures_noisy_inputs():
    sweep = load_sweep(SWEEPS / "denoising-levels.json")
    assert {"noisy_input_wrong", "denoised_wrong"} <= set(sweep_eval.metric_names(sweep))
    assert sweep.evaluate.repeats == 20


def test_evaluate_is_checked():
    with pytest.raises(ConfigError) as e:
        dae_sweep(evaluate={"levels": "every"})
    assert e.value.field == "evaluate.levels"


def test_a_held_out_sweep_trains_on_the_rest_and_measures_the_held_out_glyphs():
    raw = small_experiment(train={"epochs": 300, "learning_rate": 0.02}).to_dict()
    raw.pop("schema_version")
    sweep = sweep_from_dict({"name": "fraction", "base": raw, "vary": {"data.val_split": [0.7, 0.3]}, "seeds": 2})
    runner = SweepRunner(sweep)
    assert [len(runner.dataset(g)) for g in runner.groups] == [10, 22]
    assert [len(runner.held_out(g)) for g in runner.groups] == [22, 10]
    result = runner.run()
    for row in result.summaries():
        assert row["heldout_mean_wrong_mean"] > row["final_mean_wrong_mean"]
        assert np.isfinite(row["heldout_max_wrong_mean"])
