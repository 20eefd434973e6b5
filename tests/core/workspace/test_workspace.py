"""The window's state without Qt (aegui.core.workspace): one owner for the models, the one shown,
the run, the editor's model and where training stands."""
import numpy as np
import pytest

from aegui.core.schema.experiment import Experiment
from aegui.core.data.dataset import Dataset
from aegui.core.runs.trained import TrainedModel
from aegui.core.train.progress import ProgressRecord
from aegui.core.workspace import state as S
from aegui.core.workspace.workspace import Workspace


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def glyphs(name="glyphs"):
    return Dataset(name, np.zeros((3, 35), np.float32), list("abc"), (7, 5))


def model(name, kind="ae", data=None, arch="mlp"):
    from dataclasses import replace
    exp = Experiment(name=name)
    exp = replace(exp, model=replace(exp.model, kind=kind, arch=arch))
    return TrainedModel(name, object(), exp, data or glyphs())


def rec(epoch, total=100, batch=0, batches=0):
    return ProgressRecord(epoch=epoch, total_epochs=total, losses={"total": 1.0}, loss_per_model=np.ones(1),
                          max_wrong=0, mean_wrong=0.0, max_wrong_per_model=np.zeros(1),
                          mean_wrong_per_model=np.zeros(1), glyph_wrong=np.zeros(3), best=0, elapsed=1.0,
                          epochs_per_s=1.0, batch=batch, batches=batches)


class Runner:
    """What the Qt layer's runner does: it subscribes to the workspace's requests; recorded."""
    def __init__(self, ws):
        self.calls = []
        ws.run_requested.connect(lambda exp, step: self.calls.append(("start", exp, step)))
        ws.pause_requested.connect(lambda: self.calls.append(("pause",)))
        ws.resume_requested.connect(lambda: self.calls.append(("resume",)))
        ws.step_requested.connect(lambda unit: self.calls.append(("step", unit)))
        ws.stop_requested.connect(lambda: self.calls.append(("stop",)))
        ws.speed_cap_requested.connect(lambda cap: self.calls.append(("set_cap", cap)))


@pytest.fixture
def ws():
    w = Workspace(clock=Clock())
    w.runner = Runner(w)
    w.ready = True
    return w


def test_the_workspace_asks_for_runs_and_holds_no_runner():
    """The Qt-free workspace never holds the window's runner: it emits its requests (start, pause,
    step, stop, speed cap) and whoever runs training subscribes. Without a subscriber nothing
    starts and nothing breaks; with one, every request reaches it."""
    w = Workspace(clock=Clock())
    w.ready = True
    assert "runner" not in vars(w)
    assert not w.train(Experiment())                  # nobody to run it: the state stays idle
    assert w.training.phase == S.IDLE
    w.pause(), w.resume(), w.stop(), w.set_speed_cap(3.0)
    runner = Runner(w)
    exp = Experiment()
    assert w.train(exp, step="batch")
    assert w.training.phase == S.LOADING
    w.set_speed_cap(2.5)
    w.stop()
    assert runner.calls == [("start", exp, "batch"), ("set_cap", 2.5), ("stop",)]


def test_the_eta_leaves_paused_time_out(ws):
    """The ETA counted the pause ("0.2 epochs/s · ETA 4:49:57")."""
    clock = ws._clock._clock
    ws.train(Experiment())
    ws.report_started(Experiment(), glyphs(), 1, stepping=False)
    clock.t = 10.0
    ws.report_progress([rec(10)])
    assert ws.training.rate == pytest.approx(1.0) and ws.training.eta_s == pytest.approx(90)
    ws.pause()
    assert ws.training.phase == S.PAUSED
    clock.t = 1000.0                         # a long pause
    ws.resume()
    clock.t = 1010.0
    ws.report_progress([rec(20)])
    assert ws.training.active_s == pytest.approx(20.0)
    assert ws.training.rate == pytest.approx(1.0) and ws.training.eta_s == pytest.approx(80)


def test_paused_is_one_phase_for_everyone_and_a_step_says_so(ws):
    states = []
    ws.training_changed.connect(states.append)
    ws.train(Experiment(), step="batch")
    ws.report_started(Experiment(), glyphs(), 1, stepping=True)
    assert ws.training.phase == S.STEPPING
    ws.report_progress([rec(1, batch=1, batches=4)])
    ws.report_paused()
    assert ws.training.phase == S.PAUSED
    assert (ws.training.epoch, ws.training.batch, ws.training.batches) == (1, 1, 4)
    ws.step("batch")
    assert ws.training.phase == S.STEPPING and ("step", "batch") in ws.runner.calls
    assert [s.phase for s in states] == [S.LOADING, S.STEPPING, S.STEPPING, S.PAUSED, S.STEPPING]


def test_switching_models_tells_the_panels_which_model_left(ws):
    a, b = model("a"), model("b", data=glyphs("other"))
    seen = []
    ws.current_changed.connect(lambda new, old: seen.append((new, old)))
    ws.add(a)
    ws.add(b)
    ws.set_current(a)
    assert seen == [(a, None), (b, a), (a, b)]
    ws.set_current(a)                        # the same model again: nothing to clear
    assert len(seen) == 3


def test_the_editor_follows_glyph_models_and_keeps_one_through_an_image_model(ws):
    ae, dae = model("ae"), model("dae", kind="dae")
    picture = model("pic", data=Dataset("p", np.zeros((2, 64), np.float32), ["x", "y"], (8, 8)))
    ws.opened_at_start([ae, dae, picture], last_session=False, devices=[], device_name="CPU")
    assert ws.current is ae and ws.editor_model() is dae      # a denoiser for the editor at once
    ws.set_editor_choice(None)
    assert ws.editor_model() is ae                            # follows the model shown
    ws.set_current(picture)
    assert ws.editor_model() is ae                            # an image model cannot denoise glyphs
    assert ws.glyph_models() == [ae, dae]


def test_the_local_fallback_is_the_shipped_one_else_the_latest(ws):
    from pathlib import Path
    mlp, loc, loc2 = model("mlp"), model("loc", arch="local"), model("loc2", arch="local")
    loc.path = Path("/x/general-5x7-local")
    ws.models = [mlp, loc2, loc]
    assert ws.fallback_for(mlp) is loc and ws.fallback_for(loc2) is None
    ws.models = [mlp, loc2]
    assert ws.fallback_for(mlp) is loc2


def test_a_failed_load_or_run_leaves_no_live_model_and_says_where_it_failed(ws):
    failed = []
    ws.training_failed.connect(lambda e, stage: failed.append(stage))
    ws.train(Experiment())
    ws.report_failed(ValueError("data.path: folder not found"))
    ws.train(Experiment())
    ws.report_started(Experiment(), glyphs(), 1, stepping=False)
    ws.report_failed(RuntimeError("boom"))
    assert failed == ["loading", "training"] and ws.live is None
    assert ws.training.phase == S.IDLE and ws.training.outcome == "failed"
    ws.train(Experiment())
    ws.report_failed(None)                   # the user stopped the load
    assert ws.training.outcome == "stopped" and failed == ["loading", "training"]


def test_nothing_starts_before_torch_is_loaded_or_while_a_run_goes_on(ws):
    ws.ready = False
    assert not ws.train(Experiment())
    ws.ready = True
    assert ws.train(Experiment())
    assert not ws.train(Experiment())
    assert [c[0] for c in ws.runner.calls] == ["start"]


def test_a_run_and_the_model_it_ends_as_are_one_model_for_the_panels(ws):
    """The panels keep what they showed of a run (the view, the pins) when it ends as a model;
    any other change of model is another model."""
    from types import SimpleNamespace
    a = model("a")
    ws.add(a)
    seen = []
    ws.current_changed.connect(lambda new, old: seen.append((new, old)))
    ws.train(Experiment())
    ws.report_started(Experiment(), glyphs(), 1, stepping=False)
    live = ws.live
    ws.report_snapshot(SimpleNamespace(model=object()))
    assert ws.current is live and not ws.same_run(a, live)
    ended = model("ended")
    ws.report_finished(ended, SimpleNamespace(state="finished"))
    assert seen[-1] == (ended, live) and ws.same_run(live, ended)
    assert not ws.same_run(live, a) and not ws.same_run(None, ended) and not ws.same_run(a, ended)


def test_a_run_that_ends_before_its_first_snapshot_is_shown_as_it_ends(ws):
    """The charts follow a run from its start, the map and the model list from its first
    snapshot; a run that ended before one arrived stayed off the map, under the model before it."""
    from types import SimpleNamespace
    a = model("a")
    ws.add(a)
    ws.train(Experiment())
    ws.report_started(Experiment(), glyphs(), 1, stepping=False)
    assert ws.current is a                   # no snapshot yet
    ended = model("ended")
    ws.report_finished(ended, SimpleNamespace(state="finished"))
    assert ws.current is ended
    # The user's choice while a run goes on is kept: a run followed, then another model picked.
    b = model("b")
    ws.add(b)
    ws.train(Experiment())
    ws.report_started(Experiment(), glyphs(), 1, stepping=False)
    ws.report_snapshot(SimpleNamespace(model=object()))
    ws.set_current(b)
    ws.report_finished(model("later"), SimpleNamespace(state="finished"))
    assert ws.current is b


def test_a_run_that_breaks_gives_the_map_back_to_the_model_the_user_had(ws):
    from types import SimpleNamespace
    a, b = model("a"), model("b")
    ws.add(a)
    ws.add(b)
    ws.set_current(a)                        # the user's choice, not the last one listed
    ws.train(Experiment())
    ws.report_started(Experiment(), glyphs(), 1, stepping=False)
    ws.report_snapshot(SimpleNamespace(model=object()))
    assert ws.current is ws.live
    ws.report_failed(RuntimeError("boom"))
    assert ws.current is a
