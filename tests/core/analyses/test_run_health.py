"""Run health (report/health.py): every run of a course report row is checked before its numbers
count, so that a model that never trained is not read as a result. On synthetic runs: a dead
model that outputs zeros on MNIST-like data (what 004's convolutional autoencoder did: test MSE
0.113958, MNIST's mean of x squared), the constant predictor (the data's mean picture), a run
that diverged (NaN), a run whose loss did not fall, and a healthy run; then which runs a mean
covers and the sentence saying which were left out."""
import math

import numpy as np
import pytest
import torch

from aegui.core.analyses.report import health as H


def mnist_like(n=400, seed=0) -> np.ndarray:
    """28x28 grey images, mostly black with a few bright strokes (about a fifth of the pixels lit,
    as MNIST's), flattened."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 28, 28), np.float32)
    for img in x:
        for _ in range(3):
            r, c = rng.integers(4, 20, 2)
            h, w = rng.integers(2, 9, 2)
            img[r:r + h, c:c + w] = rng.uniform(0.6, 1.0)
    return x.reshape(n, -1)


class Outputs:
    """A stand-in model whose reconstruction of x is `make(x)` (reconstruct() calls its encode and
    decode, as on a K=1 Autoencoder): the check reads outputs only."""

    def __init__(self, dim, make):
        self.latent_dim, self.make = dim, make
        self.flat = torch.zeros(1)

    def encode(self, xt):
        return (xt,)

    def decode(self, zt):
        return (torch.as_tensor(self.make(zt.numpy()), dtype=torch.float32),)


def test_a_model_that_outputs_zeros_on_mnist_like_data_is_dead():
    """The 004 failure: a real network whose outputs are all 0 (identity output, zero weights). Its
    MSE is the data's mean of x squared, above the constant predictor's, and its outputs do not
    vary: both are said."""
    from aegui.core.archs import build_model
    from aegui.core.schema.experiment import ModelSpec
    x = mnist_like()
    model = build_model(ModelSpec(layers=(784, 32, 2, 32, 784), output_activation="identity"), 1)
    with torch.no_grad():
        model.flat.zero_()
    got = H.outputs_of(model, x, x.mean(0))
    assert got["mse"] == pytest.approx(float((x ** 2).mean()), rel=1e-5)
    assert got["constant_mse"] < got["mse"] and got["output_spread"] == 0.0
    h = H.judge([1, 2, 3], [0.115, 0.1125, 0.112], 3, outputs=got)
    assert not h.ok and h.reason.startswith("dead: its outputs do not vary with the input")
    assert f"MSE {got['mse']:.4f} vs {got['constant_mse']:.4f}" in h.reason
    # Its loss fell 2.6 % from the first check: it did not learn either, and that is said too.
    assert "did not learn: its loss fell 2.6 % from its first check (epoch 1)" in h.reason
    assert h.short == "dead; did not learn"


def test_the_constant_predictor_is_dead_even_when_its_loss_fell():
    """Outputting the training data's mean picture for every input: its error is the constant's
    own, whatever the curve did (a VAE that collapsed to the mean learned that much)."""
    x = mnist_like()
    mean = x.mean(0)
    model = Outputs(784, lambda z: np.broadcast_to(mean, z.shape).copy())
    got = H.outputs_of(model, x, mean)
    assert got["mse"] == pytest.approx(got["constant_mse"], rel=1e-6)
    h = H.judge([5, 10, 50], [70.0, 40.0, 27.9], 50, "vae", outputs=got)
    assert not h.ok and "no better than the constant predictor" in h.reason and "do not vary" in h.reason
    # Barely better than the mean picture (3 % less error) is still no better than it; 10 % is alive.
    assert H.output_problem(0.97 * got["constant_mse"], got["constant_mse"], 0.5)
    assert H.output_problem(0.90 * got["constant_mse"], got["constant_mse"], 0.5) == []


def test_a_run_that_diverged_says_where_and_its_outputs_are_not_read():
    h = H.judge([5, 10], [31.7, math.nan], 50, "vae", outputs={"mse": 0.01, "constant_mse": 0.06, "output_spread": 1})
    assert h == H.Health(False, "diverged at epoch 10")
    assert H.judge([5], [math.inf], 50).reason == "diverged at epoch 5"
    # A compare run stops at the check that found it diverged; one stopped early otherwise says so.
    assert H.judge([5, 10], [3.0, 1.0], 50).reason == "stopped at epoch 10 of 50"
    assert H.judge([5, 10], [3.0, 1.0], 50, reached_target=True).ok


def test_a_run_whose_loss_did_not_fall_did_not_learn_by_its_kind():
    flat = H.judge([1, 5, 10], [0.2000, 0.1990, 0.1960], 10)
    assert not flat.ok and flat.reason == ("did not learn: its loss fell 2.0 % from its first check (epoch 1), at "
                                           "least 5 % needed")
    rose = H.judge([100, 200], [0.26, 0.48], 200)
    assert "its loss rose 85 %" in rose.reason
    # A VAE's objective keeps its KL term: 3 % is enough there, not for a plain reconstruction loss.
    assert H.judge([10, 300], [100.0, 97.0], 300, "vae").ok
    assert not H.judge([10, 300], [100.0, 97.0], 300, "reconstruction").ok


def test_a_healthy_run_passes_every_check():
    x = mnist_like()
    rng = np.random.default_rng(1)
    model = Outputs(784, lambda z: np.clip(z + rng.normal(0, 0.05, z.shape), 0, 1))
    got = H.outputs_of(model, x, x.mean(0))
    assert got["mse"] < 0.1 * got["constant_mse"] and got["output_spread"] > 0.9
    h = H.judge([1, 5, 10], [0.06, 0.045, 0.041], 10, outputs=got)
    assert h == H.Health(True) and h.text == "trained" and h.counts


def test_a_classifier_that_answers_one_class_is_dead():
    one_class = np.zeros((10, 10), int)
    one_class[:, 1] = 1000
    one_class[1, 1] = 1135
    history = [{"epoch": 1, "loss": 2.31}, {"epoch": 2, "loss": 2.30}]
    problems = H.classifier_problem(history, 1135 / 10135, one_class)
    assert problems[0].startswith("dead: no better than always answering the most common class (accuracy 0.1120 vs "
                                  "0.1120, 1 class predicted)") and "did not learn" in problems[1]
    good = np.diag(np.full(10, 950)) + 5
    assert H.classifier_problem([{"epoch": 1, "loss": 0.6}, {"epoch": 2, "loss": 0.2}], 0.95, good) == []


def run(seed, ok=True, reason="", expected=False):
    return {"seed": seed, "health": H.Health(ok, reason, expected).to_dict()}


def test_healthy_runs_count_and_the_left_out_ones_are_named():
    runs = [run(0), run(1), run(2, False, "diverged at epoch 5")]
    counted, note = H.healthy(runs)
    assert [r["seed"] for r in counted] == [0, 1] and note == "2 of 3 seeds; seed 2 diverged at epoch 5"
    assert H.healthy([run(0), run(1)]) == ([run(0), run(1)], "")
    counted, note = H.healthy([run(s, False, "diverged at epoch 5") for s in range(3)])
    assert counted == [] and note == "no seed trained: all 3 diverged at epoch 5"
    mixed = [run(0, False, "diverged at epoch 5"), run(1, False, "dead: x"), run(2, False, "dead: x")]
    assert H.healthy(mixed)[1] == "no seed trained: seed 0 diverged at epoch 5; seeds 1, 2 dead"
    # Failures of one kind with different numbers are named together; the numbers are the runs'.
    flat = [run(s, False, f"did not learn: its loss fell {f} %") for s, f in enumerate((2.8, 2.6, 2.7))]
    assert H.healthy(flat)[1] == "no seed trained: all 3 did not learn"
    # Where the document means the configuration to fail, its failed runs are the result: they count.
    meant = [run(0, False, "dead: x", True), run(1, False, "dead: x", True), run(2, False, "diverged at epoch 5", True)]
    counted, note = H.healthy(meant)
    assert len(counted) == 3 and note == ("all 3 seeds counted, failing as the document expects: seeds 0, 1 dead; "
                                          "seed 2 diverged at epoch 5")
    assert H.Health(False, "dead: x", True).text == "dead: x (as the document expects)"


def test_a_row_spec_names_the_runs_meant_to_fail():
    assert H.expected_by("bad: latent 2, 32 units, lr 0.1, 50 epochs, batch 6, seed 2", ["bad"])
    assert not H.expected_by("reference: latent 4, 256-128, seed 0", ["bad"])
    assert H.expected_by("Adam, batch_size=128, learning_rate=0.1", ["*"])
    # The seed is not part of what is matched: "seed 2" names no run.
    assert not H.expected_by("latent 1, seed 2", ["seed 2"])
