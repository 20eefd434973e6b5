"""The workspace's list of models as File > Models… changes it: every model that joins gets a
number among the models of its name that tells it apart from them (the first of a name is 1, whatever
other models came before it) and (after a run) when it was trained; a
model is renamed everywhere at once; removing the model shown shows another one, and an undone
removal puts it back where it was."""
import time

import pytest

from aegui.core.schema.experiment import Experiment
from aegui.core.workspace.workspace import Workspace
from tests.core.workspace.test_workspace import glyphs, model, rec


@pytest.fixture
def ws():
    w = Workspace()
    w.ready = True
    return w


def test_two_runs_of_one_config_get_different_numbers_and_a_training_time(ws):
    demo = model("demo")
    demo.demo = True
    ws.opened_at_start([demo], False, [], "")
    runs = []
    for _ in range(2):
        ws.report_started(Experiment(name="same"), glyphs(), 1, stepping=False)
        ws.report_progress([rec(1)])
        finished = model("same")
        finished.trained = ("px", 0)
        ws.report_finished(finished, rec(1))
        runs.append(finished)
    assert demo.number is None
    assert [m.number for m in runs] == [1, 2]
    assert all(abs(m.trained_at - time.time()) < 60 for m in runs)
    opened = model("same")
    ws.add(opened)
    assert opened.number == 3


def _run(ws, name):
    ws.report_started(Experiment(name=name), glyphs(), 1, stepping=False)
    ws.report_progress([rec(1)])
    finished = model(name)
    ws.report_finished(finished, rec(1))
    return finished


def test_models_are_numbered_per_name_not_across_all(ws):
    """A user's first "my first AE" came as #2: the last session's model had taken #1."""
    last = model("last session's model")
    ws.opened_at_start([last], True, [], "")
    first, second = _run(ws, "my first AE"), _run(ws, "my first AE")
    other = _run(ws, "another")
    assert (last.number, first.number, second.number, other.number) == (1, 1, 2, 1)
    # Renamed, a model takes its number among the models of its new name.
    ws.rename(second, "another")
    assert second.number == 2 and other.number == 1
    ws.rename(second, "unique")
    assert second.number == 1


def test_renaming_changes_the_name_and_the_experiment_name_and_says_so(ws):
    a = model("a")
    ws.add(a)
    told = []
    ws.models_changed.connect(lambda: told.append(a.name))
    ws.rename(a, "Ana's model")
    assert (a.name, a.experiment.name, told) == ("Ana's model", "Ana's model", ["Ana's model"])


def test_removing_the_shown_model_shows_a_neighbour_and_restoring_puts_it_back(ws):
    a, b, c = model("a"), model("b"), model("c")
    for m in (a, b, c):
        ws.add(m)
    ws.set_current(b)
    ws.set_editor_choice(b)
    changes = []
    ws.current_changed.connect(lambda new, old: changes.append((new.name, old.name)))

    index = ws.remove(b)

    assert index == 1 and ws.models == [a, c]
    assert ws.current is a and changes == [("a", "b")]
    assert ws.editor_model() is not b and ws.editor_choice is None

    ws.restore(b, index, current=True)
    assert ws.models == [a, b, c] and ws.current is b


def test_removing_the_only_model_leaves_none_shown(ws):
    a = model("a")
    ws.add(a)
    ws.remove(a)
    assert ws.models == [] and ws.current is None and ws.editor_model() is None
