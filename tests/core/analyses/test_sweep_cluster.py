"""Sweeps on Ray and Optuna searches (the cluster extra). The Ray tests share one real local Ray
instance (127.0.0.1, 2 CPUs) started by the module fixture, which also checks that Ray leaves
no process behind."""
import csv
import json
import math
import os
import signal
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from aegui.core.analyses.sweeps.sweep import SweepRunner, load_sweep, sweep_from_dict, with_overrides
from aegui.core.analyses.sweeps.files import write_results
from aegui.core.schema.experiment import ConfigError
from aegui.core.config.load import load_experiment

from core_helpers import ROOT, small_experiment, run_cli

SEED001 = ROOT / "resources" / "sweeps" / "architectures-3000-epochs.json"   # the grid the search preset widens
SEARCH_PRESET = ROOT / "resources" / "sweeps" / "seed001-search.json"
EPOCHS, SEEDS = 100, 2        # the seed-001 sweep made small: 6 configs of 2 runs


def rows(path, drop=("seconds", "group_seconds", "seconds_mean", "seconds_std")):
    """A CSV without its wall-time columns (the only ones that differ from run to run)."""
    with open(path, newline="") as fh:
        return [{k: v for k, v in r.items() if k not in drop} for r in csv.DictReader(fh)]


def children(pid=None) -> dict[int, str]:
    """Every live descendant of this process: pid -> command line."""
    pid = pid or os.getpid()
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                parent[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    out, todo = {}, [pid]
    while todo:
        p = todo.pop()
        for c, pp in parent.items():
            if pp == p and c not in out:
                try:
                    out[c] = Path(f"/proc/{c}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    continue
                todo.append(c)
    return out


def training_workers() -> list[int]:
    return [p for p, cmd in children().items() if cmd.startswith("ray::train_group")]


# ---------------------------------------------------------------- without the extra

def search_dict(search, **extra):
    exp = small_experiment(train={"epochs": 60, "check_every": 10, "learning_rate": 0.02})
    raw = exp.to_dict()
    raw.pop("schema_version")
    return {"name": "s", "base": raw, "vary": {"train.optimizer": ["sgd", "adam"]}, "seeds": 2,
            "search": search, **extra}


@pytest.mark.parametrize("search, field", [
    ({"sampler": "tpe"}, "search.trials"),
    ({"trials": 0}, "search.trials"),
    ({"trials": 5, "sampler": "grid"}, "search.sampler"),
    ({"trials": 5, "budget": 3}, "search.budget"),
    ({"trials": 5, "ranges": {"model.hidden_activation": {"low": 0, "high": 1}}}, "search.ranges.model.hidden_activation"),
    ({"trials": 5, "ranges": {"train.optimizer": {"low": 0, "high": 1}}}, "search.ranges.train.optimizer"),
    ({"trials": 5, "ranges": {"train.learning_rate": {"low": 0, "high": 1, "log": True}}},
     "search.ranges.train.learning_rate"),
    ({"trials": 5, "ranges": {"train.learning_rate": {"low": 1, "high": 0.1}}}, "search.ranges.train.learning_rate"),
    ({"trials": 5, "ranges": {"train.epochs": {"low": 10.5, "high": 20}}}, "search.ranges.train.epochs"),
])
def test_bad_search_blocks_name_the_key(search, field):
    with pytest.raises(ConfigError) as e:
        sweep_from_dict(search_dict(search))
    assert e.value.field == field


def test_a_search_space_may_outgrow_the_grid_limit(tmp_path, capsys):
    raw = search_dict({"trials": 3, "ranges": {"train.learning_rate": {"low": 0.001, "high": 0.1, "log": True}}})
    raw["vary"] = {"train.momentum": [i / 200 for i in range(101)], "train.batch_size": list(range(0, 101))}
    sweep = sweep_from_dict(raw)
    assert sweep.n_configs == 101 * 101 and sweep.search.trials == 3
    assert sweep_from_dict(json.loads(sweep.to_json())).search == sweep.search   # round-trips
    start = time.monotonic()
    assert with_overrides(sweep, seeds=1, epochs=10).base.train.epochs == 10
    assert time.monotonic() - start < 2          # no expansion of the 10,201 combinations
    path = tmp_path / "big.json"
    path.write_text(json.dumps(raw))
    assert run_cli(["sweep", path, "--out", tmp_path / "a", "--grid"]) == 2
    assert "at most 10000" in capsys.readouterr().err
    raw.pop("search")
    with pytest.raises(ConfigError, match="search"):
        sweep_from_dict(raw)


def test_without_the_extra_the_cli_says_how_to_add_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)      # import ray raises ImportError
    monkeypatch.setitem(sys.modules, "optuna", None)
    assert run_cli(["sweep", SEED001, "--out", tmp_path / "a", "--ray", "--epochs", 10]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and 'pip install "aegui[cluster]"' in err and "ray" in err
    path = tmp_path / "s.json"
    path.write_text(json.dumps(search_dict({"trials": 2})))
    assert run_cli(["sweep", path, "--out", tmp_path / "b"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "optuna is not installed" in err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    # the grid still runs without them
    assert run_cli(["sweep", path, "--out", tmp_path / "c", "--grid", "--quiet"]) == 0
    assert len(rows(tmp_path / "c" / "results.csv")) == 2


def test_the_search_preset_searches_the_seed001_space_on_a_smaller_budget():
    grid, search = load_sweep(SEED001), load_sweep(SEARCH_PRESET)
    assert search.base == grid.base and search.seeds == grid.seeds
    assert all(set(values) <= set(search.vary[key]) for key, values in grid.vary.items())   # the grid's space and more
    assert search.search.trials * search.seeds < grid.n_runs       # 25 trainings against 30
    assert set(search.search.ranges) == {"train.learning_rate"} and search.search.sampler == "tpe"


@pytest.mark.cluster
def test_an_address_nobody_answers_is_one_line_at_once(tmp_path, capsys):
    pytest.importorskip("ray")
    import socket
    with socket.socket() as s:      # a port on 127.0.0.1 that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    assert run_cli(["sweep", SEED001, "--out", tmp_path / "a", "--ray", f"127.0.0.1:{port}", "--epochs", 10,
                    "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"nothing answers at 127.0.0.1:{port}" in err
    assert time.monotonic() - start < 30 and not (tmp_path / "a").exists()


# ---------------------------------------------------------------- Optuna, here

@pytest.mark.cluster
def test_local_search_prunes_reports_and_exports(tmp_path, capsys):
    pytest.importorskip("optuna")
    raw = search_dict({"trials": 8, "sampler": "tpe", "seed": 3, "startup_trials": 2, "warmup_epochs": 20,
                       "ranges": {"train.learning_rate": {"low": 0.001, "high": 0.5, "log": True}}})
    raw["vary"]["model.layers"] = [[35, 16, 2, 16, 35], [35, 2, 35]]
    path = tmp_path / "search.json"
    path.write_text(json.dumps(raw))
    assert run_cli(["sweep", path, "--out", tmp_path / "out"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    trials = rows(tmp_path / "out" / "trials.csv")
    assert len(trials) == summary["trials"] == 8 and summary["trainings"] == 16
    pruned = [t for t in trials if t["state"] == "pruned"]
    assert pruned and all(int(t["epochs"]) < 60 for t in pruned)       # pruning cut their curves
    assert all(int(t["epochs"]) == 60 for t in trials if t["state"] == "complete")
    lrs = [float(t["train.learning_rate"]) for t in trials]
    assert all(0.001 <= lr <= 0.5 for lr in lrs) and len(set(lrs)) == 8
    history = rows(tmp_path / "out" / "history.csv")
    best = [float(h["best_score"]) for h in history]
    assert best == sorted(best, reverse=True) and best[-1] == min(float(h["score"]) for h in history)
    assert best[-1] == pytest.approx(summary["best_score"])
    importance = rows(tmp_path / "out" / "importance.csv")
    assert {r["parameter"] for r in importance} == {"train.optimizer", "model.layers", "train.learning_rate"}
    assert sum(float(r["importance"]) for r in importance) == pytest.approx(1.0)
    exp, _ = load_experiment(tmp_path / "out" / "best.json")        # the best config, ready to train
    best_row = next(t for t in trials if int(t["trial"]) == summary["best_trial"])
    assert exp.train.learning_rate == pytest.approx(float(best_row["train.learning_rate"]))
    assert exp.train.optimizer == best_row["train.optimizer"]
    # seeded: the same file draws the same trials
    assert run_cli(["sweep", path, "--out", tmp_path / "again", "--quiet", "--trials", 3]) == 0
    again = rows(tmp_path / "again" / "trials.csv")
    assert [t["train.learning_rate"] for t in again] == [t["train.learning_rate"] for t in trials[:3]]


def test_a_seed_that_diverged_scores_as_every_pixel_wrong(tmp_path):
    """A diverged seed's wrong pixels are read from NaN outputs (an all-blank guess), which can
    beat a seed that trained badly: it scores as the worst a model can do, every pixel wrong, and
    the trial's means and curves cover its other seeds and say how many diverged. (The calm
    trials' seeds, 20 epochs of SGD, stay no better than the majority picture: that is said too.)"""
    pytest.importorskip("optuna")
    from types import SimpleNamespace

    from aegui.core.analyses.sweeps.search import SearchRunner, score
    raw = search_dict({"trials": 4, "sampler": "random", "seed": 0, "pruner": "none"})
    raw["base"]["train"].update(optimizer="sgd", epochs=20)
    raw["vary"] = {"train.learning_rate": [1.0, 1000.0]}
    runner = SearchRunner(sweep_from_dict(raw))
    result = list(runner.steps())[-1].result
    wild = [t for t in result.trials if t.params["train.learning_rate"] == 1000.0]
    calm = [t for t in result.trials if t.params["train.learning_rate"] == 1.0]
    assert wild and calm and all(t.state == "complete" for t in result.trials)
    for t in wild:
        assert t.score == pytest.approx(35 + 35 / 1000) and t.message == "every seed diverged (scored as every pixel wrong)"
        assert math.isnan(t.final_max_wrong_mean) and np.isnan(t.curve_max_wrong[-1])
    assert all(t.score < 35 and t.message == "no seed trained (dead; did not learn); its score is an untrained model's"
               and t.untrained == 2 for t in calm) and result.best() in calm
    # What the pruner was told at each check is the same rule: every diverged seed as all wrong.
    reported = {t.number: t.intermediate_values for t in runner.study.get_trials(deepcopy=False)}
    assert all(v == pytest.approx(35.035) for t in wild for v in reported[t.trial].values())
    # Two seeds, one diverged at the second check: the score counts it as all wrong, the means
    # and the curves are the other seed's from there on.
    exp = result.trials[0].experiment
    out = {"epochs": np.array([10, 20]), "seconds": 1.0, "pruned": False,
           "loss": np.array([[0.2, 0.3], [0.1, np.nan]]), "max_wrong": np.array([[9.0, 8.0], [4.0, 20.0]]),
           "mean_wrong": np.array([[3.0, 2.0], [1.0, 12.0]])}
    rec = runner._record(SimpleNamespace(number=7), {}, exp, out, False)
    assert rec.score == pytest.approx(score([4.0, 35.0], [1.0, 35.0]))
    assert (rec.final_max_wrong_mean, rec.final_max_wrong_std, rec.final_mean_wrong_mean, rec.final_loss_mean) == \
        (4.0, 0.0, 1.0, pytest.approx(0.1))
    assert list(rec.curve_max_wrong) == [8.5, 4.0] and list(rec.curve_loss) == pytest.approx([0.25, 0.1])
    assert rec.message == "1 of 2 seeds diverged (scored as every pixel wrong; the means are over the other 1)"
    assert (rec.untrained, rec.diverged) == (0, 1)


def test_a_trial_whose_seeds_did_not_train_says_so_and_keeps_its_numbers(tmp_path, capsys):
    """A finished trial's seeds are checked as a sweep's runs are: at a learning rate of 1e-7 both
    seeds stay no better than the majority picture. Unlike a diverged seed's, their numbers are a
    real model's, so the score keeps them; the trial's message, trials.csv, search.json's best and
    the CLI's best line say they did not train. A seed whose curve stayed flat did not learn."""
    pytest.importorskip("optuna")
    from types import SimpleNamespace

    from aegui.core.analyses.sweeps.search import SearchRunner
    raw = search_dict({"trials": 1, "sampler": "random", "seed": 0, "pruner": "none"})
    raw["base"]["train"].update(epochs=100, learning_rate=1e-7)
    raw["vary"] = {"train.optimizer": ["adam"]}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(raw))
    assert run_cli(["sweep", path, "--out", tmp_path / "out"]) == 0
    err = capsys.readouterr().err
    trial = rows(tmp_path / "out" / "trials.csv")[0]
    assert trial["untrained"] == "2" and \
        trial["message"] == "no seed trained (dead; did not learn); its score is an untrained model's"
    assert float(trial["score"]) < 35                     # a real model's wrong pixels, not every pixel
    assert json.loads((tmp_path / "out" / "search.json").read_text())["best"]["untrained"] == 2
    assert "over 2 runs, 2 of them untrained (counted)" in err
    # One seed learned, the other's curve stayed flat: 1 of 2, and the score is both seeds' mean.
    runner = SearchRunner(sweep_from_dict(raw))
    exp = runner._experiment({"train.optimizer": "adam"})
    out = {"epochs": np.array([50, 100]), "seconds": 1.0, "pruned": False,
           "loss": np.array([[0.4, 0.4], [0.1, 0.4]]), "max_wrong": np.array([[9.0, 8.0], [2.0, 7.0]]),
           "mean_wrong": np.array([[3.0, 2.0], [0.5, 1.0]])}
    rec = runner._record(SimpleNamespace(number=0), {}, exp, out, False)
    assert (rec.untrained, rec.dead, rec.flat, rec.diverged) == (1, 0, 1, 0) and rec.final_max_wrong_mean == 4.5
    assert rec.message == "1 of 2 seeds did not train (did not learn; counted in the score and the means)"
    # A pruned trial stopped by design: not checked.
    assert runner._record(SimpleNamespace(number=1), {}, exp, {**out, "pruned": True}, True).untrained == 0


@pytest.mark.cluster
def test_a_trial_that_cannot_train_fails_alone(tmp_path, capsys):
    pytest.importorskip("optuna")
    raw = search_dict({"trials": 5, "sampler": "random", "seed": 1, "pruner": "none"})
    raw["seeds"] = 1
    raw["vary"] = {"model.layers": [[35, 16, 2, 16, 35], [30, 2, 30]]}    # Font3 glyphs have 35 pixels
    path = tmp_path / "s.json"
    path.write_text(json.dumps(raw))
    assert run_cli(["sweep", path, "--out", tmp_path / "out"]) == 0
    err = capsys.readouterr().err
    trials = rows(tmp_path / "out" / "trials.csv")
    failed = [t for t in trials if t["state"] == "failed"]
    assert failed and all(t["model.layers"] == "30-2-30" and "model.layers" in t["message"] for t in failed)
    assert all(t["state"] == "complete" for t in trials if t["model.layers"] == "35-16-2-16-35")
    assert "failed: " in err and len(trials) == 5


# ---------------------------------------------------------------- Ray

def assert_gone(pids, within_s: float = 20) -> None:
    """Ray's processes `pids` end within `within_s` of its shutdown (none left behind)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline and children().keys() & set(pids):
        time.sleep(0.2)
    left = {p: c for p, c in children().items() if p in pids}
    assert not left, f"Ray left processes behind: {left}"


@pytest.mark.cluster
def test_the_ray_aegui_starts_trains_at_the_priority_of_the_app():
    """Ray starts its workers at nice 15: beside any busy process a local sweep then got a sliver
    of the CPU (seed-001's small sweep beside 4 busy processes on 2 cores: 150 s, against 2.6 s
    quiet) while the same sweep without Ray trains at the app's priority. The Ray aegui starts
    for itself (no address given, none running) runs its workers at the app's priority.
    Placed before the module's Ray fixture, so no Ray runs in this process yet."""
    ray = pytest.importorskip("ray")
    from aegui.core.analyses.sweeps.on_ray import RayConnection
    assert not ray.is_initialized()
    before = children()

    def niceness():            # local, so Ray ships it by value
        return os.nice(0)
    with RayConnection(num_cpus=1) as r:
        worker_nice = r.get(r.remote(num_cpus=1)(niceness).remote())
        ray_processes = children().keys() - before.keys()
    assert worker_nice == os.nice(0)
    assert not ray.is_initialized()      # the Ray it started is shut down again
    assert_gone(ray_processes)


@pytest.fixture(scope="module")
def ray_local():
    ray = pytest.importorskip("ray")
    from aegui.core.analyses.sweeps.on_ray import LOCAL_SYSTEM_CONFIG
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    assert not ray.is_initialized()
    # Started as aegui starts its own Ray (workers at normal priority): at Ray's default nice 15
    # these tests took 130-170 s each beside the busy processes of a loaded machine.
    ray.init(address="local", num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
             log_to_driver=False, configure_logging=False, _system_config=LOCAL_SYSTEM_CONFIG,
             runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}})
    try:
        assert ray.cluster_resources()["CPU"] == 2
        yield ray
    finally:
        ray_processes = children()
        ray.shutdown()
        assert_gone(ray_processes)


@pytest.fixture(scope="module")
def small_seed001():
    return with_overrides(load_sweep(SEED001), seeds=SEEDS, epochs=EPOCHS)


@pytest.fixture(scope="module")
def local_run(small_seed001, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    write_results(SweepRunner(small_seed001).run(), out)
    return out


@pytest.mark.cluster
def test_seed001_on_ray_equals_the_local_run(ray_local, local_run, tmp_path, capsys):
    out = tmp_path / "ray"
    code = run_cli(["sweep", SEED001, "--out", out, "--ray", "--seeds", SEEDS, "--epochs", EPOCHS])
    assert code == 0, capsys.readouterr().err
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["runs"] == summary["runs_total"] == 12 and summary["configs"] == 6
    for name in ("results.csv", "runs.csv", "curves.csv", "histories.csv"):
        assert rows(out / name) == rows(local_run / name), name
    assert len(rows(out / "results.csv")) == 6
    assert ray_local.is_initialized()      # a Ray the caller started is left running


@pytest.mark.cluster
def test_a_worker_lost_mid_sweep_reruns_its_group(ray_local, local_run, small_seed001, tmp_path):
    from aegui.core.analyses.sweeps.on_ray import RaySweepRunner
    runner = RaySweepRunner(small_seed001)
    killed: list[int] = []
    stop = threading.Event()

    def killer():      # SIGKILL the first worker seen training a group: as if its node went away
        while not stop.is_set() and not killed:
            for pid in training_workers():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                break
            time.sleep(0.01)

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        states = [p.state for p in runner.steps()]
    finally:
        stop.set()
        thread.join()
    assert killed and states[-1] == "finished"
    write_results(runner.result, tmp_path)
    assert rows(tmp_path / "results.csv") == rows(local_run / "results.csv")
    assert rows(tmp_path / "histories.csv") == rows(local_run / "histories.csv")


@pytest.mark.cluster
def test_cancel_stops_the_remaining_tasks(ray_local, small_seed001, tmp_path):
    from aegui.core.analyses.sweeps.on_ray import RaySweepRunner
    runner = RaySweepRunner(small_seed001)
    last = None
    for p in runner.steps():
        last = p
        if p.state == "group_done":
            runner.cancel()
    result = last.result
    assert last.state == "cancelled" and result.cancelled
    assert 0 < len(result.runs) < 24 and result.incomplete_configs
    assert all(r.config in result.configs_done for r in result.runs)
    deadline = time.monotonic() + 30      # the killed and never-started tasks: nobody trains any more
    while training_workers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not training_workers()
    write_results(result, tmp_path)
    meta = json.loads((tmp_path / "sweep.json").read_text())
    assert meta["cancelled"] and meta["runs_done"] == len(result.runs)


@pytest.mark.cluster
def test_search_on_ray(ray_local, tmp_path, capsys):
    pytest.importorskip("optuna")
    raw = search_dict({"trials": 4, "parallel": 2, "startup_trials": 1, "warmup_epochs": 20,
                       "ranges": {"train.learning_rate": {"low": 0.005, "high": 0.2, "log": True}}})
    path = tmp_path / "s.json"
    path.write_text(json.dumps(raw))
    assert run_cli(["sweep", path, "--out", tmp_path / "out", "--ray"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["trials"] == 4 and summary["failed"] == 0 and summary["trainings"] == 8
    trials = rows(tmp_path / "out" / "trials.csv")
    assert [int(t["trial"]) for t in trials] == [1, 2, 3, 4]
    meta = json.loads((tmp_path / "out" / "search.json").read_text())
    assert "Ray" in meta["where"] and meta["best"]["trial"] == summary["best_trial"]
