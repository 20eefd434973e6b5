"""scipy.optimize (Powell, BFGS, CG) as TrainConfig.optimizer values: tiny nets, few glyphs."""
import threading

import numpy as np
import pytest
import torch

from aegui.core.train import progress as P
from aegui.core.schema.experiment import ConfigError, Experiment
from aegui.core.config.validation import with_changes
from aegui.core.data.datasets import font_dataset
from aegui.core.analyses.sweeps.sweep import SweepRunner, plan, sweep_from_dict
from aegui.core.train.session import TrainingSession

TINY = (35, 2, 35)


@pytest.fixture(scope="module")
def glyphs():
    return font_dataset(("Font3",), chars="abcd")


def tiny(optimizer, **train):
    return with_changes(Experiment(), model={"layers": TINY},
                        train={"optimizer": optimizer, "epochs": 20, "check_every": 5, "device": "cpu",
                               "seeds": 1, **train})


def start_loss(exp, data):
    """BCE of the untrained models [K], measured with plain torch on the initial weights."""
    s = TrainingSession(exp, data)
    with torch.no_grad():
        logits = s.eval_logits()
        x = torch.as_tensor(data.x).expand_as(logits)
        return torch.nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none").mean((1, 2))


def test_bfgs_reduces_the_loss_and_reports_every_check(glyphs):
    exp = tiny("bfgs")
    before = float(start_loss(exp, glyphs)[0])
    session = TrainingSession(exp, glyphs)
    recs = list(session.steps())
    epochs = [r.epoch for r in recs]
    assert epochs == list(range(5, 5 * len(recs) + 1, 5)) and epochs[-1] <= 20
    losses = [r.losses["total"] for r in recs]
    assert losses[-1] < 0.5 * before
    assert all(b <= a + 1e-6 for a, b in zip(losses, losses[1:]))   # BFGS never goes uphill
    assert recs[-1].state == P.FINISHED and len(session.history) == len(recs)


def test_bfgs_trains_each_seed_on_its_own(glyphs):
    exp = tiny("bfgs", seeds=2, epochs=10)
    before = start_loss(exp, glyphs).numpy()
    session = TrainingSession(exp, glyphs)
    last = list(session.steps())[-1]
    after = last.loss_per_model
    assert after.shape == (2,) and np.all(after < 0.7 * before)
    assert after[0] != after[1]
    # a model alone, trained with the same seed, ends where model 0 of the pair ended
    alone = list(TrainingSession(tiny("bfgs", epochs=10), glyphs).steps())[-1]
    assert alone.loss_per_model[0] == pytest.approx(after[0], rel=1e-5)


@pytest.mark.parametrize("optimizer", ["cg", "powell"])
def test_cg_and_powell_reduce_the_loss(glyphs, optimizer):
    exp = tiny(optimizer, epochs=4, check_every=2, weight_decay=1e-4)
    before = float(start_loss(exp, glyphs)[0])
    recs = list(TrainingSession(exp, glyphs).steps())
    assert recs[0].epoch == 2 and recs[-1].done
    assert recs[-1].losses["total"] < 0.8 * before


def test_stop_is_honoured_inside_a_chunk(glyphs):
    # One chunk of 100000 Powell iterations: only the stop inside the loss function ends it.
    session = TrainingSession(tiny("powell", epochs=100_000, check_every=100_000), glyphs)
    timer = threading.Timer(0.3, session.stop)
    timer.start()
    try:
        recs = list(session.steps())
    finally:
        timer.cancel()
    assert len(recs) == 1 and recs[0].state == P.STOPPED
    assert 1 <= recs[0].epoch < 100_000            # the iterations done, not the chunk asked for
    assert torch.isfinite(session.model.flat).all()


@pytest.mark.parametrize("changes, field", [
    ({"model": {"kind": "vae"}}, "train.optimizer"),
    ({"model": {"kind": "dae"}, "noise": {"mode": "fresh"}}, "noise.mode"),
    ({"train": {"batch_size": 2}}, "train.batch_size"),
])
def test_stochastic_losses_are_refused_by_field(changes, field):
    with pytest.raises(ConfigError) as err:
        with_changes(tiny("bfgs"), **changes)
    assert err.value.field == field


def test_fixed_noise_dae_trains_with_cg(glyphs):
    exp = with_changes(tiny("cg", epochs=10), model={"kind": "dae"},
                       noise={"mode": "fixed", "copies": 2, "level": 0.1})
    recs = list(TrainingSession(exp, glyphs).steps())
    assert recs[-1].epoch == 10 and np.isfinite(recs[-1].losses["total"])


def test_bfgs_refuses_a_model_too_big_for_its_matrix(glyphs):
    exp = with_changes(tiny("bfgs"), model={"layers": (35, 50, 100, 2, 100, 50, 35)})
    with pytest.raises(ConfigError) as err:
        next(TrainingSession(exp, glyphs).steps())
    assert err.value.field == "model.layers" and "cg" in str(err.value)


def test_a_sweep_can_compare_adam_and_bfgs(glyphs):
    base = tiny("adam", epochs=10).to_dict()
    sweep = sweep_from_dict({"name": "adam vs bfgs", "base": base,
                             "vary": {"train.optimizer": ["adam", "bfgs"]}, "seeds": 2})
    groups = plan(sweep)
    assert [g.experiment.train.optimizer for g in groups] == ["adam", "bfgs"]
    result = SweepRunner(sweep, glyphs).run()
    assert result.configs_done == [0, 1] and len(result.runs) == 4
    bfgs = result.summary(1)
    assert bfgs["n_runs"] == 2 and np.isfinite(bfgs["final_loss_mean"])


def scipy_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "aegui-scipy"]


@pytest.mark.parametrize("optimizer", ["cg", "bfgs", "powell"])
def test_the_weights_do_not_depend_on_how_often_the_run_is_checked(glyphs, optimizer):
    """Each minimiser runs once for the whole budget, paused at the checks: a check at every
    iteration (a curve point by point) trains exactly what a check every 6 does. Run in chunks,
    CG restarted from steepest descent and BFGS with a fresh first step at each check."""
    weights, curves = {}, {}
    for every in (1, 6):
        exp = tiny(optimizer, epochs=12, check_every=every, weight_decay=1e-4, seeds=2)
        session = TrainingSession(exp, glyphs)
        recs = list(session.steps())
        weights[every] = session.model.flat.detach().clone()
        curves[every] = {r.epoch: r.losses["total"] for r in recs}
    assert len(curves[1]) == 12 and sorted(curves[6]) == [6, 12]
    assert torch.equal(weights[1], weights[6])
    assert curves[1][6] == curves[6][6] and curves[1][12] == curves[6][12]
    assert not scipy_threads()


def test_an_abandoned_or_stopped_run_leaves_no_minimiser_thread(glyphs):
    session = TrainingSession(tiny("bfgs", epochs=40, check_every=1, seeds=2), glyphs)
    steps = session.steps()
    next(steps)
    assert len(scipy_threads()) == 2           # both paused after their first iteration
    steps.close()                              # the window dropped the run (a new model, Ctrl+Q)
    assert not scipy_threads()
    session = TrainingSession(tiny("cg", epochs=40, check_every=1), glyphs)
    recs = []
    for rec in session.steps():
        recs.append(rec)
        if rec.epoch == 3:
            session.stop()
    assert recs[-1].state == P.STOPPED and recs[-1].epoch <= 4
    assert not scipy_threads()
