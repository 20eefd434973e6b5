"""The window's training runner: the workspace's run on a superqt worker, its records, views and
end; pause, step and stop through the gate. No test waits a fixed time: each waits for a state."""
import threading

import numpy as np
import pytest

from aegui.core.schema.experiment import DataConfig, Experiment, ModelSpec, TrainConfig
from aegui.core.workspace import state as S
from aegui.core.workspace.workspace import Workspace
from aegui.qt.workers.training_runner import TrainingRunner
from tests.qt.paused import wait_paused


@pytest.fixture
def runner(qtbot, aegui_home):
    from PySide6.QtCore import QObject
    owner = QObject()
    workspace = Workspace()
    workspace.ready = True
    runner = TrainingRunner(workspace, owner)
    yield runner
    runner.shutdown()
    qtbot.waitUntil(lambda: not runner.is_running(), timeout=30000)


@pytest.fixture
def ws(runner):
    return runner.ws


def test_a_run_reports_every_record_then_its_model(qtbot, ws, runner):
    finished = []
    ws.run_finished.connect(lambda model, rec: finished.append((model, rec)))
    views = []
    ws.current_updated.connect(lambda m: views.append(m.view))
    with qtbot.waitSignal(runner.finished, timeout=60000) as blocker:
        assert ws.train(Experiment(train=TrainConfig(epochs=200, seeds=2, check_every=10)))
    rec = blocker.args[0]
    assert rec.state == "finished" and rec.epoch == 200
    # Every record reached the charted history (not only the throttled ones), as metrics.csv has them.
    assert [r["epoch"] for r in ws.history.rows()] == list(range(10, 201, 10))
    assert ws.history.column("total")[-1] < ws.history.column("total")[0]
    model, last = finished[0]
    assert last is rec and model is ws.current and model.history is ws.history
    assert model.model.k == 1 and model.view.codes.shape == (32, 2)
    assert model.path is not None and (model.path / "model.json").exists()     # autosaved on the worker
    assert ws.training.phase == S.IDLE and ws.training.outcome == "finished"


def test_stop_ends_the_run_with_state_stopped(qtbot, ws, runner):
    with qtbot.waitSignal(ws.history_appended, timeout=30000):
        ws.train(Experiment(train=TrainConfig(epochs=1_000_000, seeds=4, check_every=10)))
    with qtbot.waitSignal(runner.finished, timeout=30000) as blocker:
        ws.stop()
    assert blocker.args[0].state == "stopped" and blocker.args[0].epoch < 1_000_000
    assert ws.training.outcome == "stopped"


def test_pause_holds_training_and_resume_continues(qtbot, ws, runner):
    with qtbot.waitSignal(ws.history_appended, timeout=30000):
        ws.train(Experiment(train=TrainConfig(epochs=1_000_000, seeds=1, check_every=10)))
    ws.pause()
    assert ws.training.phase == S.PAUSED            # at once, before the worker reaches the gate
    wait_paused(qtbot, ws, runner)
    held = ws.history.last.epoch
    assert runner._gate.waiting and ws.history.last.epoch == held
    ws.resume()
    assert ws.training.phase == S.RUNNING
    qtbot.waitUntil(lambda: ws.history.last.epoch > held, timeout=30000)
    with qtbot.waitSignal(runner.finished, timeout=30000):
        ws.stop()


def test_each_epoch_step_is_one_epoch_and_shows_it(qtbot, ws, runner):
    ws.record_replay = True
    assert ws.train(Experiment(train=TrainConfig(epochs=10_000, seeds=2, check_every=10)), step="epoch")
    for want in ([1], [1, 2], [1, 2, 3]):
        wait_paused(qtbot, ws, runner)
        assert [r["epoch"] for r in ws.history.rows()] == want   # check_every=10 does not matter
        assert ws.live.view is not None and ws.live.view.epoch == want[-1]   # the canvas sees this epoch
        assert ws.training.epoch == want[-1]
        if len(want) < 3:
            ws.step("epoch")
            assert ws.training.phase == S.STEPPING
    assert list(ws.live.replay.epochs()) == [1, 2, 3]
    with qtbot.waitSignal(runner.finished, timeout=30000):
        ws.stop()


def test_a_batch_step_updates_the_readout_and_the_charts(qtbot, ws, runner):
    """Shift+F6 moved the codes while the epoch, loss, bar and charts stayed one step behind."""
    exp = Experiment(train=TrainConfig(epochs=1000, seeds=1, check_every=100, batch_size=8))   # 4 batches
    ws.train(exp, step="batch")
    for epoch, batch in ((1, 1), (1, 2), (1, 3), (1, 0), (2, 1)):
        wait_paused(qtbot, ws, runner)
        last = ws.history.last
        assert (last.epoch, last.batch) == (epoch, batch)
        assert ws.training.epoch == epoch and ws.training.batch == batch     # the readout
        x = ws.history.epochs()
        assert x[-1] == pytest.approx(epoch - 1 + batch / 4 if batch else epoch)   # the charts' last point
        assert len(ws.history.glyph_wrong) == 32                               # the bars
        assert ws.live.view.codes.shape == (32, 2)
        ws.step("batch")
    with qtbot.waitSignal(runner.finished, timeout=30000):
        ws.stop()


def test_a_pause_between_checks_shows_the_epoch_so_far(qtbot, ws, runner):
    # check_every is huge: free running, no record would come for a long time.
    exp = Experiment(train=TrainConfig(epochs=1_000_000, seeds=1, check_every=100_000, batch_size=8))
    ws.train(exp)
    qtbot.waitUntil(lambda: ws.training.phase == S.RUNNING and runner._session is not None, timeout=30000)
    ws.pause()                               # stops at the next batch and says where it is
    wait_paused(qtbot, ws, runner)
    at = ws.history.last                     # an epoch so far, or (paused at its end) a whole one
    n = len(ws.history)
    assert (at.batch > 0 and n == 0) or (at.batch == 0 and n == 1)
    ws.step("epoch")                         # finishes that epoch (or the next) and reports it
    wait_paused(qtbot, ws, runner)
    assert len(ws.history) == n + 1 and ws.history.last.batch == 0
    assert ws.history.last.epoch == (at.epoch if at.batch else at.epoch + 1)
    first = ws.history.last.epoch
    ws.step("epoch")
    wait_paused(qtbot, ws, runner)
    assert ws.history.rows()[-1]["epoch"] == first + 1
    with qtbot.waitSignal(runner.finished, timeout=30000):
        ws.stop()


def test_a_bad_experiment_fails_as_an_error_object_naming_its_field(qtbot, ws, runner):
    from aegui.core.schema.experiment import ConfigError
    failed = []
    ws.training_failed.connect(lambda error, stage: failed.append((error, stage)))
    exp = Experiment(data=DataConfig(("Font3",)), model=ModelSpec(layers=(30, 10, 2, 10, 30)))
    with qtbot.waitSignal(runner.finished, timeout=30000):
        ws.train(exp)
    (error, stage), = failed
    assert isinstance(error, ConfigError) and error.field == "model.layers" and stage == "training"
    assert ws.training.phase == S.IDLE and ws.training.outcome == "failed" and ws.live is None


def test_a_run_ending_in_torchs_runtime_error_fails_and_frees_the_window(qtbot, ws, runner, monkeypatch):
    """A RuntimeError out of training (a shape mismatch, memory running out) ends the run as failed:
    superqt's worker took it for a deleted worker and only warned, leaving the window training."""
    from aegui.qt.workers import training_runner

    def breaks(*args):
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied (32x35 and 30x10)")
        yield
    monkeypatch.setattr(training_runner, "run_training", breaks)
    failed = []
    ws.training_failed.connect(lambda error, stage: failed.append(error))
    with qtbot.waitSignal(runner.finished, timeout=30000):
        ws.train(Experiment())
    assert [str(e) for e in failed] == ["mat1 and mat2 shapes cannot be multiplied (32x35 and 30x10)"]
    assert ws.training.phase == S.IDLE and ws.training.outcome == "failed" and not runner.is_running()


def test_no_forward_pass_of_a_snapshot_runs_on_the_gui_thread(qtbot, ws, monkeypatch, runner):
    """The worker computes the codes, reconstructions and errors each snapshot shows."""
    from aegui.core.models import mlp_net
    threads = set()
    real = mlp_net.Autoencoder.encode

    def encode(self, x):
        threads.add(threading.current_thread())
        return real(self, x)
    monkeypatch.setattr(mlp_net.Autoencoder, "encode", encode)
    with qtbot.waitSignal(runner.finished, timeout=60000):
        ws.train(Experiment(train=TrainConfig(epochs=300, seeds=1, check_every=10)))
    assert threads and threading.main_thread() not in threads
    assert np.isfinite(ws.current.view.codes).all()
