"""A course report's training runs as Ray tasks (`aegui report NAME --ray local|ADDRESS`).

A row whose preset has a per-run unit is split into its training runs, one Ray task of one CPU
each, and combined here as a local report combines them:

- a compare file (most rows: 000's and 001's analyses, 002, 003's embeddings, 004): each planned
  run (label x grid cell x seed) trains alone in its task (report/ray_tasks.train_compare_runs,
  the code CompareJob runs for a stack); the driver writes its run.json and model in
  work/runs/NNN/ as it arrives, exactly where a local report keeps its finished runs;
- a sweep (000's and 001's sweeps): each seed of each config trains alone (a group of one model,
  sweeps/tasks.train_group), saved in work/sweep-runs/GGG-KK.json, and the runs are gathered into
  the sweep's own groups, so the row's result has the local sweep's shape.
A row of any other kind (003's classifiers: stages that share one pretrained autoencoder; probes
and denoising curves) runs whole as one task; its result comes back whole (a cancel loses it).

The report sends every row's tasks before it drives the first (ReportJob._send_ahead): a row's
runs start as soon as a CPU is free, not when the rows before it are combined, and the results
of a later row that come meanwhile are saved at once. The report folder's files stay the durable
state. A run whose node is lost runs again (Ray
retries the task, up to 3 times); Cancel (or Ctrl-C) cancels every task of the row under way
(sweeps/on_ray.stop_tasks) and keeps the runs whose files were written; a report started again
on a cluster reads those back and trains only the rest (a local report reads a compare row's
back too; it trains a sweep's seeds side by side again, as it always does). Where each run
trained is kept: `node` in its file, and done.json's `ray` field counts each node's runs.

Each run trains alone, so its numbers are those a local report gives wherever that report trains
it alone too (a run whose objective draws random numbers, a row that does not stack). A local
report trains the runs that can stack side by side in one session (but on the CPU a run whose
step alone keeps every thread busy: train/stacking.py, 003's and 004's networks): alone they give the same
numbers where the dense numpy loop trains them (the BCE glyph networks: 000-architectures and
000-epochs, the tests' rows) and, where torch's loop does, numbers that may round otherwise (K
models' batched matrix products against one's: 001-architectures' losses moved by up to 2e-5),
which a run that does not learn can carry far. A row is held to its stated tolerance (report/drift.py);
bench/report_ray.py measures 002 against the local run and the committed page.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from aegui.core.jobs.job import CANCELLED, FINISHED, Job, Progress
from aegui.core.schema.experiment import ConfigError

POLL_S = 0.25       # how often a row yields while its tasks run (elapsed time, cancel)
TRACK_S = 1.0       # how often the driver asks which node runs what
LOCAL = "local"     # --ray local: a Ray instance started on this computer for the report


@dataclass(kw_only=True)
class ClusterProgress(Progress):
    """A row's progress on Ray: "running" while its tasks run, "run_done" / "run_loaded" (a run
    an earlier report saved) / "run_remade" (a damaged saved run, trained again: `message`) per
    run, then "finished" / "cancelled" with the row's result."""
    runs_done: int = 0
    runs: int = 0
    label: str = ""              # the run that just finished
    message: str = ""
    nodes: dict = field(default_factory=dict)    # node id -> {"done": n, "running": n}
    waiting: int = 0             # runs submitted that no node has started yet
    where: str = ""


def short_node(node: str) -> str:
    """A node's id as the progress line names it (its first 8 hex digits)."""
    return node[:8] if node else "this process"


def nodes_line(nodes: dict, waiting: int = 0) -> str:
    """"node 3f2a9c1d: 3 done, 1 running; node 81be0a77: 2 done, 1 running; 4 queued"."""
    parts = [f"node {short_node(n)}: {c.get('done', 0)} done, {c.get('running', 0)} running"
             for n, c in sorted(nodes.items())]
    if waiting:
        parts.append(f"{waiting} queued")
    return "; ".join(parts)


def cluster_address(text: str | None) -> str | None:
    """The address RayConnection takes for --ray's value: None for "local" (start Ray here)."""
    text = (text or "").strip()
    return None if text.lower() in ("", LOCAL) else text


class RaySession:
    """The report's Ray: connected on first use (a report whose rows are all done starts none),
    with one NodeTracker on the driver's node; `with RaySession(address):` leaves Ray as it found
    it (sweeps/on_ray.RayConnection)."""

    def __init__(self, address: str | None = None, num_cpus: int | None = None):
        from aegui.core.analyses.sweeps.on_ray import RayConnection, describe
        self.address = cluster_address(address)
        self.where = describe(self.address)
        self._connection = RayConnection(self.address, num_cpus)
        self._ray = None
        self._tracker = None
        # Every task sent and not yet handed to its row: its ref -> the row's RayRuns. The report sends every
        # row's runs before it drives the first, so a row waits on all of them.
        self.out: dict = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.out and self._ray is not None:      # rows the report did not reach: cancelled, or a Ctrl-C
            from aegui.core.analyses.sweeps.on_ray import stop_tasks
            refs, self.out = list(self.out), {}
            stop_tasks(self._ray, refs)
        if self._tracker is not None:
            try:
                self._ray.kill(self._tracker)
            except Exception:   # noqa: BLE001 - a tracker already gone with its node
                pass
            self._tracker = None
        if self._ray is not None:
            self._ray = None
            self._connection.__exit__(*exc)
        return False

    @property
    def ray(self):
        """The connected Ray module; ReportError (which stops the report) where it cannot connect."""
        if self._ray is None:
            from aegui.core.analyses.report.files import ReportError
            from aegui.core.analyses.sweeps.tasks import ClusterUnavailable
            try:
                self._ray = self._connection.__enter__()
            except ClusterUnavailable as e:
                raise ReportError(str(e)) from None
        return self._ray

    def tracker(self):
        """The NodeTracker actor (pinned to the driver's node, so losing a worker node loses no
        display), or None where Ray cannot place it."""
        if self._tracker is None:
            from aegui.core.analyses.report.ray_tasks import NodeTracker
            ray = self.ray
            try:
                from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy
                here = NodeAffinitySchedulingStrategy(node_id=ray.get_runtime_context().get_node_id(), soft=False)
                self._tracker = ray.remote(num_cpus=0)(NodeTracker).options(scheduling_strategy=here).remote()
            except Exception:   # noqa: BLE001 - the runs go on; only "running" per node is not shown
                self._tracker = None
        return self._tracker

    def where_runs_are(self) -> dict[int, str]:
        """run -> the node it started on last, as far as the tracker knows."""
        tracker = self._tracker
        if tracker is None:
            return {}
        try:
            return self.ray.get(tracker.snapshot.remote(), timeout=5)
        except Exception:   # noqa: BLE001 - a lost or busy tracker: nothing to show this time
            return {}


@dataclass
class RayTask:
    """One training run of a row as a task: `fn(*args)` on a worker."""
    run: int                 # the run's index in the row
    label: str
    cost: float              # its epochs (the share done)
    fn: Callable
    args: tuple
    gpu: bool = False


class RayRuns:
    """Sends a row's tasks (`send`, which the report calls for every row before the first is driven, so the
    cluster never waits for a row's longest run) and, while the row is driven, hands each result to
    `arrived(task, node, out)` as it comes, in the order they finish. A later row's results that come meanwhile
    are handed to that row's `arrived` at once (its files written: a resumed report finds them); a failure among
    them is kept and raised when that row is driven. Counts runs per node; cancels every task of the row still
    out when the row stops (cancelled, failed, or its generator closed)."""

    def __init__(self, session: RaySession, runs: int, cost: float, max_retries: int = 3):
        self.session, self.max_retries = session, max_retries
        self.runs, self.cost = runs, cost or 1.0
        self.done = 0
        self.cost_done = 0.0
        self.start = time.perf_counter()
        self.nodes: dict[str, int] = {}          # finished here, per node
        self._running: dict[str, int] = {}
        self._waiting = 0
        self._tracked = 0.0
        self.sent = False
        self._mine: dict = {}                    # ref -> task: this row's tasks not yet handed over
        self._arrived = None
        self._error: BaseException | None = None
        self._finished: list[RayTask] = []       # handed over before the row was driven

    def progress(self, state: str, **fields) -> ClusterProgress:
        nodes = {n: {"done": self.nodes.get(n, 0), "running": self._running.get(n, 0)}
                 for n in set(self.nodes) | set(self._running)}
        return ClusterProgress(state=state, runs_done=self.done, runs=self.runs, nodes=nodes, waiting=self._waiting,
                               where=self.session.where, fraction=min(1.0, self.cost_done / self.cost),
                               elapsed=time.perf_counter() - self.start, **fields)

    def loaded(self, cost: float) -> None:
        """A run read back from its file counts as done."""
        self.done += 1
        self.cost_done += cost

    def send(self, tasks: list[RayTask], arrived) -> None:
        """Submits the row's tasks now; their results go to `arrived(task, node, out)`."""
        self.sent, self._arrived = True, arrived
        if not tasks:
            return
        from aegui.core.analyses.report.ray_tasks import on_node
        ray = self.session.ray
        tracker = self.session.tracker()
        remote = ray.remote(num_cpus=1, max_retries=self.max_retries, retry_exceptions=False)(on_node)
        for t in tasks:
            # Ray hides the GPUs from tasks that do not ask for one ("auto" then trains on the CPU)
            ref = remote.options(num_gpus=1 if t.gpu else 0).remote(tracker, t.run, t.fn, *t.args)
            self._mine[ref] = t
            self.session.out[ref] = self

    def hand_over(self, ref, early: bool = False) -> RayTask | None:
        """A finished task's result to the row's `arrived`; None where it failed (the error kept). `early`: it
        came while another row was driven, and its progress is told when this row's turn comes."""
        t = self._mine.pop(ref)
        if self._error is not None:
            return None
        try:
            got = self._get(self.session.ray, ref, t)
            self._arrived(t, got["node"], got["out"])
        except Exception as err:   # noqa: BLE001 - raised when this row is driven
            self._error = err
            return None
        self.done += 1
        self.cost_done += t.cost
        self.nodes[got["node"]] = self.nodes.get(got["node"], 0) + 1
        if early:
            self._finished.append(t)
        return t

    def drive(self, job: Job) -> Iterator[ClusterProgress]:
        """Yields the row's progress until each task `send` sent has come back (nothing where none was sent: the
        row was cancelled first)."""
        if not self.sent:
            return
        from aegui.core.analyses.sweeps.on_ray import stop_tasks
        ray = self.session.ray
        out = self.session.out
        try:
            for t in self._finished:
                yield self.progress("run_done", label=t.label)
            self._finished = []
            while self._mine and self._error is None and not job.cancelled:
                done, _ = ray.wait(list(out), num_returns=1, timeout=POLL_S)
                self._track(self._mine.values())
                if not done:
                    yield self.progress("running")
                    continue
                for ref in done:
                    row = out.pop(ref)
                    t = row.hand_over(ref, early=row is not self)
                    if row is not self:
                        continue
                    self._track(self._mine.values(), now=True)
                    if t is not None:
                        yield self.progress("run_done", label=t.label)
            if self._error is not None:
                raise self._error
        finally:
            refs = list(self._mine)
            for ref in refs:
                out.pop(ref, None)
            self._mine = {}
            stop_tasks(ray, refs)

    def _track(self, out, now: bool = False) -> None:
        """Which node runs which of the tasks still out (asked at most every TRACK_S)."""
        if not now and time.monotonic() - self._tracked < TRACK_S:
            return
        self._tracked = time.monotonic()
        where = self.session.where_runs_are()
        running: dict[str, int] = {}
        waiting = 0
        for t in out:
            node = where.get(t.run)
            if node is None:
                waiting += 1
            else:
                running[node] = running.get(node, 0) + 1
        self._running, self._waiting = running, waiting

    def _get(self, ray, ref, t: RayTask) -> dict:
        from aegui.core.analyses.report.files import ReportError
        from aegui.core.analyses.sweeps.on_ray import task_result
        return task_result(
            ray, ref, lambda e: RuntimeError(f"run {t.label!r} failed on the cluster: {e}"),
            lambda name: ReportError(f"run {t.label!r} was lost {self.max_retries + 1} times on "
                                     f"{self.session.where} ({name}); check the nodes with `ray status`"))


def _gpu(device: str | None, exp) -> bool:
    return (device or exp.train.device) == "cuda"


# ---------------------------------------------------------------- a compare file's runs

class RayCompareJob(Job):
    """A compare preset's runs as Ray tasks, one a run, saved in out_dir/runs/NNN/ as they come
    (CompareJob's files: a local report resumes from them too); the last item's result is the
    CompareResult a local CompareJob gives."""

    def __init__(self, spec, out_dir, session: RaySession, device: str | None = None):
        from aegui.core.analyses.compare.runs import CompareJob
        self.local = CompareJob(spec, out_dir, device=device)    # its plans, data, saved runs' files
        self.spec, self.session, self.device = spec, session, device
        self.nodes: dict[str, int] = {}
        self._sent: tuple | None = None

    def send(self) -> None:
        """Reads back the runs an earlier report saved and submits the others (before the row's turn)."""
        if self._sent is not None:
            return
        job, plans = self.local, self.local.plans
        runs: list = []
        said: list = []          # the progress of the saved runs, yielded when the row is driven
        driver = RayRuns(self.session, len(plans), sum(p.experiment.train.epochs for p in plans))
        pending = []
        for plan in plans:
            loaded, err = job.saved_or_cleared(plan)
            if err is not None:
                said.append(driver.progress("run_remade", label=plan.label,
                                            message=f"{err}; training run {plan.label!r} again"))
            if loaded is None:
                pending.append(plan)
                continue
            runs.append(loaded)
            driver.loaded(plan.experiment.train.epochs)
            said.append(driver.progress("run_loaded", label=plan.label))
        from aegui.core.analyses.report.ray_tasks import train_compare_runs
        shipped: dict = {}
        tasks = []
        for plan in pending:
            data = job.datasets(plan.experiment)
            if plan.experiment.data not in shipped:     # each data set sent to the cluster once
                shipped[plan.experiment.data] = self.session.ray.put(data)
            tasks.append(RayTask(plan.index, plan.label, plan.experiment.train.epochs, train_compare_runs,
                                 ([plan], shipped[plan.experiment.data], self.spec.test, self.device),
                                 _gpu(self.device, plan.experiment)))

        def arrived(task: RayTask, node: str, out: list[dict]) -> None:
            for one in out:
                runs.append(self._saved(plans[one["index"]], node, one))

        if not self.cancelled:
            driver.send(tasks, arrived)
        self._sent = (driver, runs, said)

    def steps(self) -> Iterator[Progress]:
        from aegui.core.analyses.compare.runs import CompareResult
        self.send()
        driver, runs, said = self._sent
        plans = self.local.plans
        yield from said
        yield from driver.drive(self)
        self.nodes = dict(driver.nodes)
        runs.sort(key=lambda r: r.index)
        cancelled = self.cancelled and len(runs) < len(plans)
        result = CompareResult(self.spec, runs, time.perf_counter() - driver.start, cancelled=cancelled)
        yield ClusterProgress(state=CANCELLED if cancelled else FINISHED, runs_done=driver.done, runs=driver.runs,
                              fraction=1.0, elapsed=result.seconds, result=result, where=self.session.where)

    def _saved(self, plan, node: str, one: dict):
        """The run a task trained, its model rebuilt from the weights it sent and saved at once
        in its folder (run.json last: what marks it finished)."""
        import torch
        from aegui.core.analyses.compare.runs import RunCurve
        from aegui.core.archs import build_model
        model = build_model(plan.experiment.model, 1)
        with torch.no_grad():
            model.flat.copy_(torch.from_numpy(np.array(one["flat"])))
            model.stats.copy_(torch.from_numpy(np.array(one["stats"])))
        run = RunCurve(plan.index, plan.label, plan.seed, plan.experiment, np.asarray(one["epochs"], int),
                       np.asarray(one["train_loss"], float), np.asarray(one["test_loss"], float), one["seconds"],
                       one["metrics"], plan.key(), model, False, one["load_avg"], node)
        self.local.save_run(run)
        return run


# ---------------------------------------------------------------- a sweep's runs

SWEEP_RUNS = "sweep-runs"      # in the row's work/: one file a finished run


def _one_run(g, k: int):
    """Model k of group g as a group of its own (K = 1): one config's one seed."""
    c = g.run_configs[k]
    exp = replace(g.experiment, train=replace(g.experiment.train, seeds=1))
    return replace(g, configs=(c,), experiment=exp, run_configs=(c,), seeds=(g.seeds[k],), lrs=(g.lrs[k],),
                   inits=(g.inits[k],), momenta=(g.momenta[k],) if g.momenta else ())


def sweep_run_key(one) -> str:
    """What makes a saved sweep run reusable: its experiment and its own settings, exactly."""
    raw = {"experiment": one.experiment.to_dict(), "seed": one.seeds[0], "lr": one.lrs[0], "init": one.inits[0],
           "momentum": list(one.momenta)}
    return hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()[:16]


class RaySweepJob(Job):
    """A sweep preset's runs (each seed of each config) as Ray tasks, saved in
    out_dir/sweep-runs/ as they come and gathered into the sweep's groups; the last item's result
    is the SweepResult a local SweepRunner gives."""

    def __init__(self, sweep, out_dir, session: RaySession, device: str | None = None):
        from aegui.core.analyses.sweeps.sweep import SweepRunner
        self.local = SweepRunner(sweep, device=device)     # its configs, groups, data and checks
        self.sweep, self.session, self.device = sweep, session, device
        self.folder = Path(out_dir) / SWEEP_RUNS
        self.nodes: dict[str, int] = {}
        self._sent: tuple | None = None

    def _path(self, g, k: int) -> Path:
        return self.folder / f"{g.index:03d}-{k:02d}.json"

    def send(self) -> None:
        """Reads back the runs an earlier report saved and submits the others (before the row's turn)."""
        if self._sent is not None:
            return
        from datetime import datetime, timezone
        from aegui.core.analyses.report.files import discard, read_sweep_run
        from aegui.core.analyses.report.ray_tasks import train_sweep_run
        runner, res = self.local, self.local.result
        res.started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        res.where, res.cpus = self.session.where, 0
        units = [(g, k, _one_run(g, k)) for g in runner.groups for k in range(g.k)]
        driver = RayRuns(self.session, len(units), sum(g.experiment.train.epochs for g, _, _ in units))
        got: dict[tuple[int, int], dict] = {}
        said: list = []          # the progress of the saved runs, yielded when the row is driven
        tasks, by_run = [], {}
        shipped: dict = {}
        for i, (g, k, one) in enumerate(units):
            label = f"{runner.configs[g.run_configs[k]].label}, seed {g.seeds[k]}"
            try:
                saved = read_sweep_run(self._path(g, k), sweep_run_key(one))
            except ConfigError as err:
                discard(self._path(g, k))
                saved = None
                said.append(driver.progress("run_remade", label=label,
                                            message=f"{err}; training run {label!r} again"))
            if saved is not None:
                got[g.index, k] = saved
                res.device = saved["device"] if isinstance(saved.get("device"), str) else res.device
                driver.loaded(g.experiment.train.epochs)
                said.append(driver.progress("run_loaded", label=label))
                continue
            data = runner.dataset(g)
            if id(data) not in shipped:
                held = runner.held_out(g)
                shipped[id(data)] = (self.session.ray.put(data), None if held is None else self.session.ray.put(held))
            data_ref, held_ref = shipped[id(data)]
            by_run[i] = (g, k, one)
            tasks.append(RayTask(i, label, g.experiment.train.epochs, train_sweep_run,
                                 (self.sweep, one, data_ref, held_ref, self.device), _gpu(self.device, g.experiment)))

        def arrived(task: RayTask, node: str, out: dict) -> None:
            g, k, one = by_run[task.run]
            got[g.index, k] = self._save(g, k, one, node, out)
            res.device = out["device"]

        if not self.cancelled:
            driver.send(tasks, arrived)
        self._sent = (driver, got, said, units)

    def steps(self) -> Iterator[Progress]:
        self.send()
        driver, got, said, units = self._sent
        res = self.local.result
        yield from said
        try:
            yield from driver.drive(self)
        finally:
            self.nodes = dict(driver.nodes)
            self._gather(got)
        res.cancelled = self.cancelled and len(got) < len(units)
        res.seconds = time.perf_counter() - driver.start
        yield ClusterProgress(state=CANCELLED if res.cancelled else FINISHED, runs_done=driver.done,
                              runs=driver.runs, fraction=1.0, elapsed=res.seconds, result=res,
                              where=self.session.where)

    def _save(self, g, k: int, one, node: str, out: dict) -> dict:
        """A run's numbers as its file keeps them, written at once; what the driver gathers."""
        from aegui.core.analyses.report.files import plain_number, write_bytes
        record = {"key": sweep_run_key(one), "node": node, "epochs": [int(e) for e in out["epochs"]],
                  "loss": [plain_number(v) for v in out["loss"][:, 0]],
                  "max_wrong": [plain_number(v) for v in out["max_wrong"][:, 0]],
                  "mean_wrong": [plain_number(v) for v in out["mean_wrong"][:, 0]],
                  "seconds": round(float(out["seconds"]), 3),
                  "extra": {name: plain_number(v) for name, v in out["extra"][0].items()},
                  "device": str(out["device"])}
        self.folder.mkdir(parents=True, exist_ok=True)
        write_bytes(self._path(g, k), (json.dumps(record, indent=1) + "\n").encode("utf-8"))
        return {**record, "epochs": np.asarray(out["epochs"], int), "loss": out["loss"][:, 0].copy(),
                "max_wrong": out["max_wrong"][:, 0].copy(), "mean_wrong": out["mean_wrong"][:, 0].copy(),
                "extra": dict(out["extra"][0]), "seconds": float(out["seconds"])}

    def _gather(self, got: dict) -> None:
        """The finished groups' runs into the result, as the local sweep stores them (seed i of
        a config is the i-th of its models in the group); a group with a run missing is left out,
        as a local cancel drops its group."""
        runner = self.local
        for g in runner.groups:
            if not all((g.index, k) in got for k in range(g.k)):
                continue
            g_seconds = sum(got[g.index, k]["seconds"] for k in range(g.k))
            runner.result.group_seconds[g.index] = g_seconds
            seen: dict[int, int] = {}
            new = []
            for k in range(g.k):
                c = g.run_configs[k]
                i = seen.get(c, 0)
                seen[c] = i + 1
                r = got[g.index, k]
                new.append(runner.run_result(g, k, i, r["epochs"], r["loss"], r["max_wrong"], r["mean_wrong"],
                                             r["seconds"], g_seconds, r["extra"]))
            runner.add_runs(new)


# ---------------------------------------------------------------- a whole row as one task

class RayWholeRowJob(Job):
    """A row of a kind with no per-run unit as one Ray task; a cancel drops it whole (its
    finished pieces stay on the worker, not in the report's folder)."""

    def __init__(self, info, session: RaySession, device: str | None = None):
        from aegui.core.analyses.presets import seeded
        from aegui.core.analyses.report.ray_tasks import load_kind, run_whole_row
        self.kind, self.spec = info.kind, seeded(load_kind(info.kind, info.path), info)
        self.session, self.device = session, device
        self.nodes: dict[str, int] = {}
        self._driver = RayRuns(session, 1, 1.0)
        self._result: list = []
        self._task = RayTask(0, self.kind, 1.0, run_whole_row, (self.kind, self.spec, device), (device or "") == "cuda")

    def _arrived(self, task, node, out) -> None:
        self._result.append(out)

    def send(self) -> None:
        """Submits the row (before its turn)."""
        if not self._driver.sent and not self.cancelled:
            self._driver.send([self._task], self._arrived)

    def steps(self) -> Iterator[Progress]:
        self.send()
        driver, result = self._driver, self._result
        yield from driver.drive(self)
        self.nodes = dict(driver.nodes)
        cancelled = self.cancelled and not result
        yield ClusterProgress(state=CANCELLED if cancelled else FINISHED, runs_done=driver.done, runs=1,
                              fraction=1.0, elapsed=time.perf_counter() - driver.start,
                              result=result[0] if result else None, where=self.session.where)


def row_job(info, out_dir, session: RaySession, device: str | None = None) -> Job:
    """The job that runs a preset's row on Ray: per run for compare files and sweeps, whole for
    the other kinds."""
    if info.kind == "compare":
        from aegui.core.analyses.compare.runs import load_spec
        from aegui.core.analyses.presets import seeded
        return RayCompareJob(seeded(load_spec(info.path), info), out_dir, session, device)
    if info.kind == "sweep":
        from aegui.core.analyses.sweeps.sweep import load_sweep
        return RaySweepJob(load_sweep(info.path), out_dir, session, device)
    return RayWholeRowJob(info, session, device)
