"""The Experiments panel's "Run on: this computer / Ray cluster at ..." choice."""
import os
import time
from pathlib import Path

import pytest

from aegui.core.schema.experiment import Experiment
from aegui.core.config.validation import with_changes
from aegui.core.analyses.sweeps.sweep import Sweep, SweepRunner
from aegui.qt import i18n
from aegui.qt.experiments import run_on


def tiny_sweep() -> Sweep:
    base = with_changes(Experiment(name="tiny"), model={"layers": (35, 16, 2, 16, 35)},
                        train={"epochs": 40, "check_every": 5, "device": "cpu", "seeds": 1,
                               "optimizer": "adam", "learning_rate": 0.02})
    return Sweep(name="tiny sweep", base=base, vary={"train.optimizer": ["sgd", "adam"],
                                                     "train.learning_rate": [0.02, 0.05]}, seeds=2)


def descendants() -> set[int]:
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    out, todo = set(), [os.getpid()]
    while todo:
        p = todo.pop()
        kids = {c for c, pp in parent.items() if pp == p} - out
        out |= kids
        todo.extend(kids)
    return out


def test_without_ray_the_choice_says_how_to_add_it(panel, monkeypatch):
    monkeypatch.setattr(run_on, "ray_installed", lambda: False)
    assert not panel.run_on.address.isVisible()
    panel.run_on.set_ray(True, "10.0.0.5:6379")
    assert panel.run_on.address.isVisible() and panel.run_on.target() == {"address": "10.0.0.5:6379"}
    panel.editor.set_sweep(tiny_sweep())
    assert not panel.run() and not panel.is_running()
    assert 'pip install "aegui[cluster]"' in panel.summary_label.full_text()
    i18n.set_language("es")
    assert panel.run_on.label.text() == "Ejecutar en:" and panel.run_on.combo.itemText(1) == "clúster Ray en"
    assert panel.run_on.problem().startswith("Ray no está instalado")
    panel.run_on.set_ray(False)
    assert panel.run_on.target() is None and panel.run_on.problem() is None


@pytest.mark.cluster
def test_a_sweep_runs_on_a_local_ray_from_the_panel(panel, qtbot):
    ray = pytest.importorskip("ray")
    assert not ray.is_initialized()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    before = descendants()
    sweep = tiny_sweep()
    local = SweepRunner(sweep).run()
    panel.editor.set_sweep(sweep)
    panel.run_on.set_ray(True, "")           # empty: a Ray instance on 127.0.0.1 for the run
    with qtbot.waitSignal(panel.sweep_finished, timeout=120000) as blocker:
        assert panel.run()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=30000)
    result = blocker.args[0]
    assert not result.cancelled and len(result.runs) == 8
    strip = lambda s: {k: v for k, v in s.items() if not k.startswith("seconds")}   # noqa: E731
    assert [strip(result.summary(i)) for i in range(4)] == [strip(local.summary(i)) for i in range(4)]
    assert panel.table.table_model.rowCount() == 4
    assert not ray.is_initialized()          # the Ray started for the run is shut down...
    deadline = time.monotonic() + 20
    while descendants() - before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not descendants() - before        # ...and leaves no process behind


@pytest.mark.cluster
def test_a_search_shows_its_trials_history_and_importance(panel, qtbot, tmp_path):
    pytest.importorskip("optuna")
    from aegui.core.analyses.sweeps.sweep import sweep_from_dict
    raw = tiny_sweep().to_dict()
    raw["vary"]["model.layers"] = [[35, 16, 2, 16, 35], [35, 2, 35]]
    raw["search"] = {"trials": 5, "seed": 2, "startup_trials": 2, "warmup_epochs": 10}
    sweep = sweep_from_dict(raw)
    panel.autosave_dir = tmp_path
    with qtbot.waitSignal(panel.jobs.finished, timeout=120000):
        assert panel.run_search(sweep)
    qtbot.waitUntil(lambda: not panel.is_running())
    view = panel.search_view
    assert panel.tabs.isTabVisible(2) and panel.tabs.currentWidget() is view
    assert view.table.rowCount() == 5
    states = {view.table.item(r, 1).text() for r in range(5)}
    assert states <= {"complete", "pruned"} and "complete" in states
    xs, ys = view.scores.getData()
    best_x, best_y = view.best_line.getData()
    assert len(xs) == sum(panel.search_result.trials[i].state == "complete" for i in range(5))
    assert len(best_x) == 2 * len(xs) - 1 and set(best_x) == set(xs)     # drawn as steps
    assert list(best_y) == sorted(best_y, reverse=True) and best_y[-1] == min(ys)
    assert view.bars is not None and len(panel.search_result.importance) == 3
    assert panel.summary_label.full_text().startswith("Search finished: 5 trials")
    saved = list(tmp_path.iterdir())
    assert len(saved) == 1 and (saved[0] / "trials.csv").exists() and (saved[0] / "best.json").exists()
    i18n.set_language("es")
    assert panel.tabs.tabText(2) == "Búsqueda" and panel.progress.format().startswith("Hecho · ")
    assert view.table.horizontalHeaderItem(2).text() == "Puntuación"
    view.grab().save(str(tmp_path / "search.png"))
