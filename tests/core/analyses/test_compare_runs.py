"""Compare runs (train and test loss per epoch for named variants, a grid of them) and the
classifier file: what they build from a file, the errors that name the key, and a cancel that
keeps the finished runs."""
import json

import numpy as np
import pytest

from aegui.core.analyses.classify import classifier as C
from aegui.core.analyses.compare import runs as K
from aegui.core.schema.experiment import ConfigError

BASE = {"name": "b", "data": {"fonts": ["Font3"]}, "model": {"layers": [35, 16, 2, 16, 35]},
        "train": {"epochs": 20, "learning_rate": 0.02, "device": "cpu", "check_every": 5}}


def spec(**kw):
    raw = {"analysis": "compare", "name": "c", "base": BASE, "test": "none", **kw}
    return K.spec_from_dict(json.loads(json.dumps(raw)))


def test_runs_times_the_grid_in_order_with_labels_and_seeds():
    s = spec(runs=[{"label": "Adam", "changes": {"train": {"optimizer": "adam"}}},
                   {"label": "SGD m 0.5", "changes": {"train": {"optimizer": "momentum", "momentum": 0.5}}}],
             grid={"train.batch_size": [4, 8], "train.learning_rate": [0.1, 0.01]},
             grid_labels={"train.batch_size": ["small", "large"]}, seeds=2)
    plans = s.plans()
    assert len(plans) == 2 * 2 * 2 * 2
    assert plans[0].label == "Adam, batch_size=small, learning_rate=0.1, seed 0"
    assert plans[-1].label == "SGD m 0.5, batch_size=large, learning_rate=0.01, seed 1"
    last = plans[-1].experiment.train
    assert (last.optimizer, last.momentum, last.batch_size, last.learning_rate, last.seed) == \
        ("momentum", 0.5, 8, 0.01, 1)
    assert len({p.key() for p in plans}) == len(plans)


@pytest.mark.parametrize("raw, field", [
    ({"runs": [{"label": "x", "chnages": {}}]}, "runs[0]"),
    ({"grid": {"train.learnig_rate": [0.1]}}, "grid.train.learnig_rate"),
    ({"grid": {"train.batch_size": []}}, "grid.train.batch_size"),
    ({"test": "official"}, "test"),                   # glyphs have no official test files
    ({"test": "validation"}, "test"),                 # ... nor a held-out part with val_split 0
    ({"seeds": 0}, "seeds"),
    ({"runs": [{"label": "bad", "changes": {"train": {"learning_rate": -1}}}]}, "train.learning_rate"),
])
def test_a_bad_compare_file_names_the_key(raw, field):
    with pytest.raises(ConfigError) as e:
        spec(**raw)
    assert e.value.field == field


def test_a_cancel_keeps_the_finished_runs_and_the_next_job_reads_them(tmp_path):
    # b differs in its optimizer: it trains in a session of its own, after a's
    s = spec(runs=[{"label": "a", "changes": {}}, {"label": "b", "changes": {"train": {"optimizer": "sgd"}}}])
    job = K.CompareJob(s, tmp_path)
    for p in job.steps():
        if p.state == "run_done":
            job.cancel()
    assert p.state == "cancelled" and len(p.result.runs) == 1
    result = K.CompareJob(s, tmp_path).run()
    assert [r.loaded for r in result.runs] == [True, False]
    first = result.runs[0]
    assert first.epochs.tolist() == [5, 10, 15, 20] and np.isnan(first.test_loss).all()   # no test set
    assert first.loss_at(10, "train") == pytest.approx(first.train_loss[1])
    assert first.metrics["train_max_wrong"] >= 0 and "train_mse" in first.metrics
    assert "train_loss" in result.curves_csv().splitlines()[0]


def test_a_classifier_file_names_the_key():
    base = {"name": "a", "data": {"source": "digits"}, "model": {"layers": [64, 8, 64]}}
    with pytest.raises(ConfigError) as e:
        C.spec_from_dict({"analysis": "classifier", "base": base})
    assert e.value.field == "base.data.source"
    idx = {**base, "data": {"source": "idx", "path": "x.idx"}}
    for raw, field in (({"compare": ["frozen", "frozen"]}, "compare"), ({"head": {"epochs": 0}}, "probe.epochs"),
                       ({"max_samples": -1}, "max_samples"), ({"heads": {}}, "heads")):
        with pytest.raises(ConfigError) as e:
            C.spec_from_dict({"analysis": "classifier", "base": idx, **raw})
        assert e.value.field == field


def test_grid_runs_of_one_shape_train_side_by_side_as_each_would_alone(monkeypatch):
    """A comparison grid whose runs differ only in momentum, learning rate and seed trains them in
    one stacked session, and every run's train and test curves and final test error are what its
    own session, trained alone, gives (mini-batches and a held-out part included)."""
    from aegui.core.train import session as S
    alone_session = S.TrainingSession
    started = []

    class Counting(S.TrainingSession):
        def __init__(self, *a, **kw):
            started.append(kw.get("lrs"))
            super().__init__(*a, **kw)

    base = json.loads(json.dumps(BASE))
    base["data"]["val_split"] = 0.25
    base["train"].update(optimizer="momentum", batch_size=8)
    s = K.spec_from_dict({"analysis": "compare", "name": "c", "base": base, "test": "validation",
                          "runs": [{"label": "m 0.2", "changes": {"train": {"momentum": 0.2}}},
                                   {"label": "m 0.8", "changes": {"train": {"momentum": 0.8}}}],
                          "grid": {"train.learning_rate": [0.02, 0.1]}, "seeds": 2})
    monkeypatch.setattr(S, "TrainingSession", Counting)
    job = K.CompareJob(s)
    result = job.run()
    assert len(started) == 1 and len(result.runs) == 8
    monkeypatch.setattr(S, "TrainingSession", alone_session)
    for plan, run in zip(s.plans(), result.runs):
        train, test = job.datasets(plan.experiment)
        session = alone_session(plan.experiment, train, val_data=test)
        recs = list(session.steps())
        np.testing.assert_array_equal(run.epochs, [r.epoch for r in recs])
        np.testing.assert_allclose(run.train_loss, [r.loss_per_model[0] for r in recs], rtol=1e-4)
        np.testing.assert_allclose(run.test_loss, [r.val_loss for r in recs], rtol=1e-4)
        alone = K._final_metrics(session.best_model(), test, recs[-1].loss_per_model[0], recs[-1].val_loss,
                                 recs[-1].epoch)
        assert run.metrics["test_mse"] == pytest.approx(alone["test_mse"], rel=1e-4)


@pytest.mark.parametrize("small_work, sessions", [(1e8, 1), (1, 2)])
def test_on_the_cpu_runs_whose_step_alone_is_large_train_one_a_session(monkeypatch, small_work, sessions):
    """Two seeds of a glyph model stack in one session; where a step of one model counts as large (the session's
    _SMALL_WORK lowered below it, as 004's convolutional steps are above it), each trains in a session of its own,
    a comparison's runs and a sweep's configs alike."""
    from aegui.core.analyses.sweeps.sweep import SweepRunner, sweep_from_dict
    from aegui.core.train import session as S
    monkeypatch.setattr(S, "_SMALL_WORK", small_work)
    job = K.CompareJob(spec(seeds=2))
    assert len(job.run().runs) == 2 and job.sessions_started == sessions
    runner = SweepRunner(sweep_from_dict({"name": "s", "base": BASE, "vary": {"train.learning_rate": [0.02, 0.05]}}))
    assert len(runner.run().runs) == 2 and runner.sessions_started == sessions
