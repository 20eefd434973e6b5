"""Early stopping (train.patience, train.min_delta) and the loss target (train.loss_target).

Early stopping watches each stacked model's own loss at the checks (its validation loss with a
validation split, else its training loss) and ends the run once every live model has gone
`patience` epochs without a fall of more than min_delta; each model is then put back at the
weights of its best check. The tests compare a run that stops early with the same seeded run
without early stopping: until the stop both compute the same, so the rule applied by hand to the
long run's losses says where the short one must stop, and the run cut at a model's best epoch
holds that model's weights. The loss target stops the run at the first check whose kept model has
a training loss at or below it, as the wrong-pixel target does."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from aegui.core.config.validation import with_changes
from aegui.core.data.datasets import font_dataset, load_split
from aegui.core.train.backends import capture, dense
from aegui.core.train import progress as P
from aegui.core.train.session import TrainingSession
from core_helpers import small_experiment

BASE = {"seeds": 2, "check_every": 10, "target_max_wrong": None, "learning_rate": 0.02}


def run(exp, mode="auto", every_val=False):
    data, val = load_split(exp.data)
    s = TrainingSession(exp, data, val_data=val, device="cpu")
    s.val_every_model = every_val
    if mode == "eager":
        s.dense = False
    steps = capture.captured_steps(s) if mode == "captured" else s.steps()
    return s, list(steps)


def hand_rule(records, patience: float, min_delta: float, val: bool = False):
    """(the epoch the run must stop at, each model's best epoch) by the rule written out."""
    k = len(records[0].loss_per_model)
    best, best_epoch = np.full(k, np.inf), np.zeros(k, int)
    for rec in records:
        values = rec.val_loss_per_model if val else rec.loss_per_model
        for m in range(k):
            if values[m] < best[m] - min_delta:
                best[m], best_epoch[m] = values[m], rec.epoch
        if all(rec.epoch - best_epoch >= patience):
            return rec.epoch, best_epoch
    return None, best_epoch


@pytest.mark.parametrize("mode, epochs, patience", [
    ("auto", 600, 20), ("eager", 600, 20),
    ("captured", 150, 10)])      # the captured loop's CPU stand-in is slow: a shorter run
def test_the_run_stops_where_the_rule_says_and_keeps_each_models_best(mode, epochs, patience):
    """Full-batch Font3 (the numpy loop by default, torch's eager loop, the captured loop on the
    CPU): the stop epoch is the hand rule's on the long run's training losses; each model is the
    model of the run cut at its own best epoch, and the closing record gives its numbers.

    Putting each model back at its own best is only seen when the two best epochs differ, and
    whether they do at one min_delta depends on the machine's rounding (at 0.002 one machine gave
    two different epochs, another 520 for both): the test takes the first min_delta of a few at
    which the rule stops the run and the two models' best epochs differ."""
    long_exp = small_experiment(train={**BASE, "epochs": epochs})
    _, long_recs = run(long_exp, mode)
    ruled = [(md, *hand_rule(long_recs, patience, md)) for md in (0.002, 0.003, 0.0025, 0.004)]
    usable = [r for r in ruled if r[1] is not None and r[1] < epochs
              and (mode == "captured" or r[2][0] != r[2][1])]
    assert usable, ruled
    min_delta, stop, best_epoch = usable[0]
    s, recs = run(with_changes(long_exp, train={"patience": patience, "min_delta": min_delta}), mode)
    last = recs[-1]
    assert last.state == P.EARLY_STOPPED and last.epoch == stop and s.state == P.EARLY_STOPPED
    assert last.extra["message_id"] == "early_stop" and f"epoch {stop}" in last.message
    assert last.extra["message_args"]["best_epoch"] == best_epoch[last.best]
    # Until the stop, the records are the long run's.
    for a, b in zip(recs[:-1], long_recs):
        assert a.epoch == b.epoch and np.array_equal(a.loss_per_model, b.loss_per_model)
    cuts = {e: run(with_changes(long_exp, train={"epochs": int(e)}), mode) for e in set(best_epoch)}
    for m in range(2):
        cut, cut_recs = cuts[best_epoch[m]]
        assert torch.equal(s.model.flat[m], cut.model.flat[m]), m
        # The closing record is of those weights: their loss and wrong pixels measured again.
        with torch.no_grad():
            total, _, _ = cut.loss(cut.x, cut.x, stop)
        assert last.loss_per_model[m] == pytest.approx(float(total[m]), rel=1e-6)
        assert last.max_wrong_per_model[m] == cut_recs[-1].max_wrong_per_model[m]
    # The history's last row is the closing record (what metrics.csv ends with), once.
    rows = s.history.rows()
    assert rows[-1]["epoch"] == stop and [r["epoch"] for r in rows].count(stop) == 1
    assert rows[-1]["loss_total"] == pytest.approx(float(last.losses["total"]))
    assert torch.equal(s.best_model().flat[0], s.model.flat[last.best].detach())


def test_min_delta_decides_what_counts_as_an_improvement():
    """The same run with a larger min_delta stops earlier (and where the rule says)."""
    long_exp = small_experiment(train={**BASE, "epochs": 600})
    _, long_recs = run(long_exp)
    stops = []
    for min_delta in (0.0, 0.006, 0.01):
        want, _ = hand_rule(long_recs, 20, min_delta)
        _, recs = run(with_changes(long_exp, train={"patience": 20, "min_delta": min_delta}))
        assert recs[-1].epoch == (want or 600), min_delta
        assert recs[-1].state == (P.EARLY_STOPPED if want else P.FINISHED)
        stops.append(recs[-1].epoch)
    assert stops[0] >= stops[1] > stops[2]


def test_with_a_validation_split_each_models_validation_loss_is_watched():
    exp = small_experiment(data={"val_split": 0.25, "split_seed": 1}, train={**BASE, "epochs": 600})
    _, long_recs = run(exp, every_val=True)
    stop, best_epoch = hand_rule(long_recs, 40, 0.0, val=True)
    train_stop, _ = hand_rule(long_recs, 40, 0.0)
    assert stop is not None and stop != train_stop      # the validation loss decides, not the training loss
    s, recs = run(with_changes(exp, train={"patience": 40}))
    last = recs[-1]
    assert last.state == P.EARLY_STOPPED and last.epoch == stop
    # Each model's validation loss is its best check's, and the kept model's is the record's.
    by_epoch = {r.epoch: r for r in long_recs}
    for m in range(2):
        assert last.val_loss_per_model[m] == pytest.approx(by_epoch[best_epoch[m]].val_loss_per_model[m], rel=1e-6)
        assert s.val_loss(m, stop) == pytest.approx(last.val_loss_per_model[m], rel=1e-5)
    assert last.val_loss == last.val_loss_per_model[last.best]


def test_mini_batches_keep_the_best_checks_own_numbers():
    """Mini-batch losses are an epoch's mean, not the loss of any one set of weights: the closing
    record gives each model the loss of its best check; the wrong pixels are measured again."""
    exp = small_experiment(train={**BASE, "epochs": 300, "batch_size": 8, "learning_rate": 0.01})
    _, long_recs = run(exp)
    stop, best_epoch = hand_rule(long_recs, 20, 0.004)
    assert stop is not None
    s, recs = run(with_changes(exp, train={"patience": 20, "min_delta": 0.004}))
    by_epoch = {r.epoch: r for r in long_recs}
    assert recs[-1].epoch == stop
    for m in range(2):
        assert recs[-1].loss_per_model[m] == pytest.approx(by_epoch[best_epoch[m]].loss_per_model[m], rel=1e-6)
    assert np.array_equal(recs[-1].max_wrong_per_model, s.evaluator.wrong().amax(1).numpy())


def test_scipy_runs_stop_early_too():
    exp = small_experiment(train={"optimizer": "cg", "epochs": 200, "check_every": 5, "target_max_wrong": None})
    _, long_recs = run(exp)
    stop, _ = hand_rule(long_recs, 10, 0.01)
    assert stop is not None and stop < 200
    _, recs = run(with_changes(exp, train={"patience": 10, "min_delta": 0.01}))
    assert recs[-1].epoch == stop and recs[-1].state == P.EARLY_STOPPED


def test_a_diverged_model_is_left_out():
    """A model frozen by the blow-up guard is neither watched nor put back: the other decides."""
    exp = small_experiment(train={**BASE, "epochs": 600, "patience": 20, "min_delta": 0.002})
    data = font_dataset(("Font3",))
    s = TrainingSession(exp, data, lrs=[0.02, 1e6], device="cpu")
    recs = list(s.steps())
    assert not s.alive[1] and np.isnan(recs[-1].loss_per_model[1])
    assert recs[-1].state == P.EARLY_STOPPED and recs[-1].best == 0


@pytest.mark.parametrize("mode", ["auto", "eager", "captured"])
def test_the_loss_target_stops_at_the_first_check_that_reaches_it(mode):
    """As the wrong-pixel target: the first check whose kept model's training loss is at or below
    train.loss_target ends the run, and the weights kept are the ones measured there."""
    long_exp = small_experiment(train={**BASE, "epochs": 100 if mode == "captured" else 300})
    _, long_recs = run(long_exp, mode)
    target = float(long_recs[len(long_recs) // 2].losses["total"])
    first = next(r for r in long_recs if r.losses["total"] <= target)
    s, recs = run(with_changes(long_exp, train={"loss_target": target}), mode)
    last = recs[-1]
    assert last.state == P.TARGET and last.epoch == first.epoch and last.extra["message_id"] == "loss_target"
    assert last.losses["total"] <= target and all(r.losses["total"] > target for r in recs[:-1])
    with torch.no_grad():
        total, _, _ = s.loss(s.x, s.x, last.epoch)
    assert float(total[last.best]) == pytest.approx(last.losses["total"], rel=1e-6)


def test_the_loss_target_with_mini_batches_and_scipy():
    for train in ({"batch_size": 8, "learning_rate": 0.01, "epochs": 200},
                  {"optimizer": "cg", "epochs": 100, "check_every": 5, "seeds": 1}):
        exp = small_experiment(train={**BASE, **train})
        _, long_recs = run(exp)
        target = float(long_recs[len(long_recs) // 2].losses["total"])
        first = next(r for r in long_recs if r.losses["total"] <= target)
        _, recs = run(with_changes(exp, train={"loss_target": target}))
        assert recs[-1].state == P.TARGET and recs[-1].epoch == first.epoch, train


def test_the_defaults_never_stop_a_run_early():
    exp = small_experiment(train={**BASE, "epochs": 60})
    s, recs = run(exp)
    assert s.early_stop is None and recs[-1].state == P.FINISHED and recs[-1].epoch == 60
    assert dense.usable(s)


def test_the_memory_estimate_counts_the_best_weights_early_stopping_keeps():
    from aegui.core.train.memory import FLOAT, estimate
    exp = small_experiment(train={**BASE})
    plain, early = estimate(exp, 32), estimate(with_changes(exp, train={"patience": 10}), 32)
    assert early.weights - plain.weights == FLOAT * plain.models * plain.params
