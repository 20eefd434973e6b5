"""The cosh activation, the L2-norm loss and dropout in models that train: each engine a
fully connected model uses (the eager loop, the captured-step loop as the CPU replays it, K
stacked models) lowers the loss with them, and the model survives a save and load
(safetensors + JSON) with its setting and its outputs."""
import numpy as np
import pytest
import torch

from core_helpers import small_experiment

from aegui.core.config.validation import validate
from aegui.core.models import latent
from aegui.core.runs.storage import load_model, save_model
from aegui.core.train.backends import capture
from aegui.core.train.session import TrainingSession

CASES = {
    "cosh hidden units": ({"hidden_activation": "cosh"}, {}),
    "L2-norm loss": ({}, {"loss": "l2_norm"}),
    "L2-norm loss, denoising": ({"kind": "dae"}, {"loss": "l2_norm"}),
    "L2-norm loss, VAE": ({"kind": "vae", "layers": (35, 16, 2, 16, 35)}, {"loss": "l2_norm"}),
    "dropout": ({"dropout": 0.1}, {}),
    "dropout, 3 stacked models": ({"dropout": 0.1}, {"seeds": 3}),
    "dropout, mini-batches": ({"dropout": 0.1}, {"batch_size": 8}),
}


def records(exp, data, captured=False):
    s = TrainingSession(exp, data)
    return s, list(capture.captured_steps(s) if captured else s.steps())


@pytest.mark.parametrize("captured", [False, True], ids=["eager", "captured"])
@pytest.mark.parametrize("case", CASES)
def test_it_trains_and_round_trips(case, captured, tmp_path, font3):
    model_changes, train_changes = CASES[case]
    exp = validate(small_experiment(model=model_changes,
                                    train={"epochs": 80, "learning_rate": 0.01, **train_changes}))
    s, recs = records(exp, font3, captured)
    assert np.isfinite(recs[-1].loss_per_model).all()
    assert recs[-1].losses["total"] < 0.9 * recs[0].losses["total"]
    model = s.best_model()
    save_model(tmp_path / "m", model, exp)
    loaded, again, _ = load_model(tmp_path / "m")
    assert again == exp
    np.testing.assert_array_equal(latent.reconstruct(loaded, font3.x), latent.reconstruct(model, font3.x))


@pytest.mark.parametrize("captured", [False, True], ids=["eager", "captured"])
def test_checks_count_wrong_pixels_without_dropout(captured, font3):
    """A full-batch run measures a check's wrong pixels from its training step's outputs where
    they are the model's own; with dropout they are not. With steps too small to move a weight,
    every check must count what the unchanged model gets wrong."""
    exp = validate(small_experiment(model={"dropout": 0.5},
                                    train={"optimizer": "sgd", "learning_rate": 1e-30, "epochs": 6,
                                           "check_every": 1}))
    s, recs = records(exp, font3, captured)
    counts = {float(r.mean_wrong) for r in recs}
    assert len(counts) == 1, counts
