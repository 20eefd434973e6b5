"""The numpy loop for small dense autoencoders on the CPU (train/backends/dense.py) against torch's
loop (train/backends/eager.py): the same checks, losses and weights from the same start, and the glyph presets
still reach 0 wrong pixels through it. Tolerance: full-batch runs from the same weights differ
only by float32 rounding between numpy's and torch's kernels (relative 1e-4 on the losses over a
few dozen epochs, as tests/core/train/test_capture.py allows between its loops). Longer runs
drift apart: at lr 0.03 the difference of the Font3 losses grows about tenfold every 10-20
epochs (3e-7 at epoch 10, 2e-2 at 70), so the two loops reach the target at nearby, not equal,
epochs."""
import numpy as np
import pytest
import torch

from aegui.core.config.load import load_experiment
from aegui.core.config.validation import with_changes
from aegui.core.data.datasets import from_config
from aegui.core.train.backends import dense
from aegui.core.train.loop.contract import Observer
from aegui.core.train.session import TrainingSession
from core_helpers import PRESETS

REL = 1e-4


def session(name="font3-ae2d", model=None, **train):
    exp, _ = load_experiment(PRESETS / f"{name}.json")
    exp = with_changes(exp, train={"device": "cpu", **train}, model=model or {})
    return TrainingSession(exp, from_config(exp.data))


def records(s):
    return list(s.steps())


def both(name="font3-ae2d", model=None, **train):
    """(records, session) of the numpy loop, then of torch's, from the same start."""
    fast = session(name, model, **train)
    assert dense.usable(fast)
    slow = session(name, model, **train)
    slow.dense = False
    return (records(fast), fast), (records(slow), slow)


@pytest.mark.parametrize("act", ["elu", "tanh", "relu", "sigmoid"])
def test_losses_and_weights_match_torch(act):
    """Every check's per-model losses, wrong pixels and best model, and the final weights, are
    what torch's autograd loop computes (each hidden activation's derivative is written out)."""
    (fast, fs), (slow, ss) = both(model={"hidden_activation": act}, seeds=3, epochs=40, check_every=10,
                                  target_max_wrong=None)
    assert [r.epoch for r in fast] == [r.epoch for r in slow] == [10, 20, 30, 40]
    for a, b in zip(fast, slow):
        np.testing.assert_allclose(a.loss_per_model, b.loss_per_model, rtol=REL)
        assert np.abs(a.max_wrong_per_model - b.max_wrong_per_model).max() <= 1
        assert a.best == b.best
    np.testing.assert_allclose(fs.model.flat.detach().numpy(), ss.model.flat.detach().numpy(),
                               rtol=1e-3, atol=1e-3)


def test_schedule_and_per_model_rates_match_torch():
    """A decaying learning rate and a different rate per model step as torch's Adam steps them."""
    exp_kw = dict(seeds=2, epochs=30, check_every=10, target_max_wrong=None, schedule="exponential",
                  decay_rate=0.99)
    fast = session(**exp_kw)
    fast = TrainingSession(fast.exp, fast.data, lrs=[0.01, 0.05])
    assert dense.usable(fast)
    slow = TrainingSession(fast.exp, fast.data, lrs=[0.01, 0.05])
    slow.dense = False
    for a, b in zip(records(fast), records(slow)):
        np.testing.assert_allclose(a.loss_per_model, b.loss_per_model, rtol=REL)


def test_font3_reaches_zero_wrong_pixels():
    """The Font3 2-D preset, as students run it, ends at 0 wrong pixels through the numpy loop, and
    the model it keeps (best_model) shows 0 wrong pixels when evaluated again by torch."""
    s = session()
    assert dense.usable(s)
    last = records(s)[-1]
    assert last.max_wrong == 0 and last.state == "target"
    best = s.best_model()
    with torch.no_grad():
        out = best(torch.as_tensor(s.data.x))[0].numpy()
    assert int(((out >= 0.5) != (s.data.x >= 0.5)).sum(1).max()) == 0


def test_diverged_models_freeze_as_in_torch():
    """Where some models blow up (a huge learning rate of their own), the numpy loop freezes the
    same ones as torch's loop, restored to their last finite weights, and the others train on
    with the same losses."""
    base = session(seeds=4, epochs=30, check_every=10, target_max_wrong=None)
    lrs = [0.01, 1e4, 0.01, 1e4]
    fast = TrainingSession(base.exp, base.data, lrs=lrs)
    slow = TrainingSession(base.exp, base.data, lrs=lrs)
    slow.dense = False
    a_recs, b_recs = records(fast), records(slow)
    assert fast.alive.tolist() == slow.alive.tolist() == [True, False, True, False]
    for a, b in zip(a_recs, b_recs):
        np.testing.assert_allclose(a.loss_per_model[[0, 2]], b.loss_per_model[[0, 2]], rtol=REL)
    np.testing.assert_allclose(fast.model.flat.detach().numpy(), slow.model.flat.detach().numpy(),
                               rtol=1e-3, atol=1e-3)


class Window(Observer):
    """The window's way of watching a run: step mode (a record every epoch) for the first epochs,
    then free running, and a pause asked for during epoch 13."""

    reports_inside_epochs = True

    def __init__(self, s):
        self.s, self.stepping = s, True

    def every_epoch(self) -> bool:
        return self.stepping

    def batch_record(self) -> bool:
        return self.s.epoch == 13

    def on_record(self, run, rec) -> None:
        self.stepping = rec.epoch < 4


def drive(s):
    """(records, whether the numpy loop takes the run) with a Window watching."""
    s.observe(Window(s))
    fast = dense.usable(s) and s.dense
    return list(s.steps()), fast


def test_step_mode_and_pauses_give_torch_records():
    """Stepping epoch by epoch and a pause begun inside an epoch give the same records (epochs,
    losses, wrong pixels) from the numpy loop as from torch's."""
    fast = session(seeds=3, epochs=30, check_every=10, target_max_wrong=None)
    slow = session(seeds=3, epochs=30, check_every=10, target_max_wrong=None)
    slow.dense = False
    (a_recs, numpy_loop), (b_recs, _) = drive(fast), drive(slow)
    assert numpy_loop
    assert [r.epoch for r in a_recs] == [r.epoch for r in b_recs] == [1, 2, 3, 4, 10, 13, 20, 30]
    for a, b in zip(a_recs, b_recs):
        np.testing.assert_allclose(a.loss_per_model, b.loss_per_model, rtol=REL)
        assert np.abs(a.max_wrong_per_model - b.max_wrong_per_model).max() <= 1


def test_other_sessions_keep_torch():
    """Mini-batches and other model kinds stay on torch's loop."""
    assert not dense.usable(session(batch_size=8))
    assert not dense.usable(session("font3-vae"))
    assert not dense.usable(session("font3-dae"))
