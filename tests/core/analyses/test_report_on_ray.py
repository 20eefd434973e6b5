"""The course report's training runs as Ray tasks (`aegui report NAME --ray ADDRESS`), on a real
cluster of two nodes on 127.0.0.1 (bench/two_nodes.py: a head and a worker node of one CPU
each), with a tiny report of two rows: a compare file (2 variants x 3 seeds) and a sweep (2
configs x 2 seeds, one group of 4 models in a local run), every run one task.

Checked: the runs spread over both nodes and each run's file names its node; the row's numbers,
tables and verdicts equal a local report's; a cancel stops every task and a report started
again trains only the runs that had not finished; Ctrl-C in the driver stops every task too;
losing the worker node mid-report loses only the runs it was training, which run again on the
head, and the report completes. Without the cluster: the terminal's per-node line, the one-line
error without Ray, and a sweep's run file read back as written (a damaged one named).
"""
import json
import time

import pytest

from aegui.core.analyses.report import run as R
from aegui.core.analyses.report.kernels import row_moves

from core_helpers import run_cli
from ray_nodes import COMPARE_RUNS, ENV, ROWS, SWEEP_RUNS, compare_runs, processes, run_files, write_report

def cluster_workers(cluster) -> set[int]:
    """The cluster's processes training a run now (Ray names a busy worker after its task)."""
    procs = processes()
    return {p for p in cluster.mine() if p in procs and procs[p][1].startswith("ray::on_node")}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    pytest.importorskip("ray")
    from ray_nodes import TwoNodes
    with TwoNodes(tmp_path_factory.mktemp("ray")) as c:
        yield c


@pytest.fixture
def on_cluster(cluster, monkeypatch):
    """The driver (this process) talks to the cluster on 127.0.0.1 only, as its nodes do."""
    import ray._private.services as services
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(services, "get_node_ip_address", lambda address=None: "127.0.0.1")
    return cluster


@pytest.fixture(scope="module")
def local_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("local")
    path = write_report(folder)
    last = list(R.ReportJob(R.load_report(path), folder / "out").steps())[-1]
    assert last.state == "finished"
    return folder / "out"


@pytest.mark.cluster
def test_the_runs_spread_over_both_nodes_and_equal_the_local_report(on_cluster, local_report, tmp_path, capsys):
    path = write_report(tmp_path)
    assert run_cli(["report", path, "--out", tmp_path / "out", "--ray", on_cluster.address, "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [e["state"] for e in summary["experiments"]] == ["done", "done"]
    runs = run_files(tmp_path / "out")
    assert len(runs) == COMPARE_RUNS + SWEEP_RUNS
    nodes = {r["node"] for r in runs.values()}
    assert len(nodes) == 2 and all(len(n) == 56 for n in nodes), nodes      # Ray's node ids, hex
    for row in ROWS:
        done = json.loads((tmp_path / "out" / row / "done.json").read_text())
        assert sum(done["ray"]["nodes"].values()) == (COMPARE_RUNS if row == "998-runs" else SWEEP_RUNS)
        assert set(done["ray"]["nodes"]) <= nodes and "127.0.0.1" in done["ray"]["where"]
        # every number, table and verdict as the local report made them (drift.py's comparison)
        moved = row_moves(local_report / row, tmp_path / "out" / row)
        assert moved["move"] <= done.get("tolerance", 0.001) and not moved["flips"] and not moved["words"], moved
        assert moved["move"] == 0.0, moved        # trained alone, these runs give the very same numbers


@pytest.mark.cluster
def test_cancel_stops_every_task_and_a_resume_trains_only_the_rest(on_cluster, local_report, tmp_path):
    path = write_report(tmp_path)
    job = R.ReportJob(R.load_report(path), tmp_path / "out", ray=on_cluster.address)
    items = []
    for item in job.steps():
        items.append(item)
        if item.detail is not None and item.detail.state == "run_done" and not job.cancelled:
            job.cancel()
    assert items[-1].state == "cancelled"
    deadline = time.monotonic() + 30      # the killed and never-started tasks: no node trains any more
    while cluster_workers(on_cluster) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not cluster_workers(on_cluster)
    kept = run_files(tmp_path / "out")
    # the cancel came at the first run done; the sweep's runs were sent too, and under load one may have
    # finished (and been saved) first
    assert 1 <= len(compare_runs(kept)) < COMPARE_RUNS, sorted(kept)
    stamps = {name: (tmp_path / "out" / name).stat().st_mtime_ns for name in kept}

    again = R.ReportJob(R.load_report(path), tmp_path / "out", ray=on_cluster.address)
    details = [i.detail for i in again.steps() if i.detail is not None]
    loaded = [d.label for d in details if d.state == "run_loaded"]
    assert len(loaded) == len(kept), (loaded, sorted(kept))
    assert loaded[:len(compare_runs(kept))] == [r["label"] for r in compare_runs(kept).values()]
    trained = [d for d in details if d.state == "run_done"]
    assert len(trained) == COMPARE_RUNS + SWEEP_RUNS - len(kept)
    assert all((tmp_path / "out" / name).stat().st_mtime_ns == stamp
               for name, stamp in stamps.items())      # read back, not trained again
    for row in ROWS:
        assert (tmp_path / "out" / row / "done.json").is_file()
        # runs read back from their files carry the 8 digits run.json keeps, as a local resume's do
        moved = row_moves(local_report / row, tmp_path / "out" / row)
        assert moved["move"] <= 1e-6 and not moved["flips"] and not moved["words"], moved


@pytest.mark.cluster
def test_ctrl_c_in_the_driver_stops_every_task(on_cluster, tmp_path):
    """A second Ctrl-C raises KeyboardInterrupt wherever the driver is (waiting on its tasks):
    the tasks still out are cancelled and the driver leaves the cluster; the finished runs'
    files are whole."""
    from aegui.core.analyses.report.files import read_saved_run
    import ray
    path = write_report(tmp_path, epochs=12000)
    steps = R.ReportJob(R.load_report(path), tmp_path / "out", ray=on_cluster.address).steps()
    for item in steps:
        if item.detail is not None and item.detail.state == "run_done":
            with pytest.raises(KeyboardInterrupt):
                steps.throw(KeyboardInterrupt)
            break
    assert not ray.is_initialized()
    deadline = time.monotonic() + 30
    while cluster_workers(on_cluster) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not cluster_workers(on_cluster)
    kept = compare_runs(run_files(tmp_path / "out"))
    assert 1 <= len(kept) < COMPARE_RUNS
    for name, record in kept.items():
        assert read_saved_run((tmp_path / "out" / name).parent, record["key"])


@pytest.mark.cluster
def test_a_lost_worker_node_loses_only_the_runs_it_was_training(on_cluster, tmp_path):
    """Last in the module: the worker node does not come back."""
    path = write_report(tmp_path, epochs=30000)     # runs of a few seconds: the kill lands mid-run
    job = R.ReportJob(R.load_report(path), tmp_path / "out", ray=on_cluster.address, only=("runs",))
    worker = None
    killed: dict = {}
    for item in job.steps():
        d = item.detail
        if worker is None and d is not None and getattr(d, "nodes", None):
            on_worker = d.nodes.get(on_cluster.worker_node(), {}).get("running", 0)
            if on_worker and d.runs_done >= 1:
                worker = on_cluster.worker_node()
                killed = {"before": run_files(tmp_path / "out"), "running": on_worker}
                on_cluster.kill_worker()
    assert worker is not None, "no run was seen training on the worker node"
    assert item.state == "finished"
    runs = run_files(tmp_path / "out")
    assert len(runs) == COMPARE_RUNS
    # what finished before the kill is kept as it was (the worker node's finished runs too) ...
    assert all(runs[name] == record for name, record in killed["before"].items())
    # ... and the runs the lost node was training ran again on the head. One under way there may
    # still finish and come back from it (its worker process can outlive the killed raylet a moment,
    # as seen under load): only those can have finished there; every other one ran again on the head.
    after = [r for name, r in runs.items() if name not in killed["before"]]
    there = [r for r in after if r["node"] == worker]
    lost = killed["running"] - len(there)
    assert len(there) <= killed["running"] and len(after) >= killed["running"]
    print(f"killed the worker node with {killed['running']} run(s) training there, {lost} lost; finished "
          f"before: {sorted((n, r['node'][:8]) for n, r in killed['before'].items())}; after: "
          f"{sorted(r['node'][:8] for r in after)}")
    done = json.loads((tmp_path / "out" / "998-runs" / "done.json").read_text())
    assert sum(done["ray"]["nodes"].values()) == COMPARE_RUNS


def test_without_ray_the_report_says_how_to_add_it(tmp_path, monkeypatch, capsys):
    import sys
    monkeypatch.setitem(sys.modules, "ray", None)      # import ray raises ImportError
    path = write_report(tmp_path)
    assert run_cli(["report", path, "--out", tmp_path / "out", "--ray"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and 'pip install "aegui[cluster]"' in err
    assert not (tmp_path / "out").exists()
    assert run_cli(["report", path, "--out", tmp_path / "out", "--cpus", "2"]) == 2
    assert "--cpus needs --ray local" in capsys.readouterr().err


def test_the_terminal_line_counts_each_nodes_runs():
    from aegui.cli.report import _describe
    from aegui.core.analyses.report.on_ray import ClusterProgress
    item = R.ReportProgress(state="running", experiment="002-model-kinds", index=1, count=1, detail=ClusterProgress(
        runs_done=5, runs=30, waiting=2, nodes={"a1b2c3d4e5": {"done": 3, "running": 1},
                                                "ff00ee11dd": {"done": 2, "running": 1}}))
    assert _describe(item) == ("[1/1] 002-model-kinds: 5/30 runs; node a1b2c3d4: 3 done, 1 running; "
                               "node ff00ee11: 2 done, 1 running; 2 queued")


def test_a_sweep_runs_file_reads_back_what_was_written_and_names_a_damaged_one(tmp_path):
    """A sweep's run file (written by the driver of a report on Ray) gives back the very numbers
    written, a loss that is not finite too; one of another run is not taken; a damaged one is a
    ConfigError naming the file and its field, so the run is trained again."""
    import math
    import numpy as np
    from aegui.core.analyses.report.files import plain_number, read_sweep_run
    from aegui.core.schema.experiment import ConfigError
    loss = [0.1 + 1e-17, 1 / 3, float("nan"), float("inf")]
    record = {"key": "k1", "node": "ab" * 28, "epochs": [0, 10, 20, 30], "loss": [plain_number(v) for v in loss],
              "max_wrong": [plain_number(np.float64(v)) for v in (5, 3, 1, 0)], "mean_wrong": [1.5, 0.25, 0.0, 0.0],
              "seconds": 0.5, "extra": {"heldout_max_wrong": plain_number(np.int64(2)), "x": plain_number(-math.inf)},
              "device": "cpu"}
    path = tmp_path / "000-00.json"
    path.write_text(json.dumps(record))
    got = read_sweep_run(path, "k1")
    assert got["loss"][:2].tolist() == loss[:2] and math.isnan(got["loss"][2]) and got["loss"][3] == math.inf
    assert got["extra"] == {"heldout_max_wrong": 2, "x": -math.inf} and got["epochs"].tolist() == [0, 10, 20, 30]
    assert read_sweep_run(path, "another run's key") is None and read_sweep_run(tmp_path / "none.json", "k1") is None
    for field, bad in (("loss", [0.1, "NaN?", 0.2, 0.3]), ("max_wrong", [1, 2]), ("seconds", -1), ("node", None)):
        path.write_text(json.dumps({**record, field: bad}))
        with pytest.raises(ConfigError) as e:
            read_sweep_run(path, "k1")
        assert str(path) in str(e.value) and field in str(e.value)
    path.write_text(json.dumps(record)[:-20])          # cut short
    with pytest.raises(ConfigError, match=str(path)):
        read_sweep_run(path, "k1")


@pytest.mark.cluster
def test_every_rows_runs_are_sent_before_the_first_row_is_driven(on_cluster, local_report, tmp_path, monkeypatch):
    """The report sends the sweep row's runs with the compare row's, before it waits on any, so a node that
    finishes the compare row's last runs early starts the sweep's instead of idling; the rows still come out
    as a local report makes them."""
    from aegui.core.analyses.report.on_ray import RayRuns
    sent, at_first_drive = [], []
    send, drive = RayRuns.send, RayRuns.drive

    def noting_send(self, tasks, arrived):
        sent.append(len(tasks))
        return send(self, tasks, arrived)

    def noting_drive(self, job):
        at_first_drive.append(sum(sent))
        return drive(self, job)

    monkeypatch.setattr(RayRuns, "send", noting_send)
    monkeypatch.setattr(RayRuns, "drive", noting_drive)
    path = write_report(tmp_path)
    last = list(R.ReportJob(R.load_report(path), tmp_path / "out", ray=on_cluster.address).steps())[-1]
    assert last.state == "finished"
    assert sent == [COMPARE_RUNS, SWEEP_RUNS] and at_first_drive == [COMPARE_RUNS + SWEEP_RUNS] * 2
    assert len(run_files(tmp_path / "out")) == COMPARE_RUNS + SWEEP_RUNS
    for row in ROWS:
        moved = row_moves(local_report / row, tmp_path / "out" / row)
        assert moved["move"] == 0.0 and not moved["flips"] and not moved["words"], moved


class _FakeRay:
    """Just enough of Ray for RayRuns: a task runs when submitted, and `wait` hands the results back one at a
    time in the order the test scripts."""

    class exceptions:
        class RayError(Exception):
            pass

        class RayTaskError(RayError):
            pass

    def __init__(self, order: list[str]):
        self.order, self.results, self.cancelled = list(order), {}, []

    def remote(self, **_):
        fake = self

        class Remote:
            def options(self, **_):
                return self

            def remote(self, tracker, run, fn, *args):
                ref = args[0]
                try:
                    fake.results[ref] = {"node": "n1", "out": fn(*args)}
                except Exception as e:   # noqa: BLE001 - as Ray keeps a task's error
                    fake.results[ref] = fake.exceptions.RayTaskError(e)
                    fake.results[ref].cause = e
                return ref
        return lambda fn: Remote()

    def wait(self, refs, num_returns=1, timeout=None, fetch_local=True):
        ready = [r for r in self.order if r in refs][:1]
        for r in ready:
            self.order.remove(r)
        return ready, [r for r in refs if r not in ready]

    def get(self, ref, timeout=None):
        got = self.results[ref]
        if isinstance(got, Exception):
            raise got
        return got

    def cancel(self, ref, force=False):
        self.cancelled.append(ref)


def test_a_later_rows_runs_are_saved_as_they_come_and_its_failure_waits_for_its_turn():
    """Two rows sent at once; while the first is driven, the second's finished run is handed to it (its file
    would be written there and then) and its failed run is kept, not raised into the first row, which ends
    well. The second row, driven next, reports the run that came early, then raises its failure."""
    from types import SimpleNamespace
    from aegui.core.analyses.report.on_ray import RayRuns, RayTask

    def train(name):
        if name == "b2":
            raise ValueError("b2 diverged on the worker")
        return name

    fake = _FakeRay(["a1", "b1", "b2", "a2"])
    session = SimpleNamespace(ray=fake, out={}, where="a fake cluster", tracker=lambda: None,
                              where_runs_are=lambda: {})
    saved = []
    job = SimpleNamespace(cancelled=False)
    rows = {}
    for row in "ab":
        rows[row] = RayRuns(session, 2, 2.0)
        tasks = [RayTask(i, f"{row}{i + 1}", 1.0, train, (f"{row}{i + 1}",)) for i in range(2)]
        rows[row].send(tasks, lambda t, node, out: saved.append(out))
    first = [p.label for p in rows["a"].drive(job) if p.state == "run_done"]
    assert first == ["a1", "a2"] and saved == ["a1", "b1", "a2"] and not session.out
    second = rows["b"].drive(job)
    assert next(second).label == "b1"
    with pytest.raises(ValueError, match="b2 diverged"):
        next(second)
