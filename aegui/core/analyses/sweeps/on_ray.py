"""A sweep's groups as Ray tasks: on an existing cluster, or on a Ray instance started for the run.

RaySweepRunner has SweepRunner's shape (steps() yields the same SweepProgress items, cancel(), result),
so the CLI and the Experiments panel drive either. Each group (configs trained together in one
session) is one task of one CPU running sweep_tasks.train_group, the code a local run uses, on
the dataset shipped once from here: the same seeds give the same numbers as a local run.

- Results come back group by group, in the order the groups finish; result.runs stays sorted.
- cancel() keeps the finished groups and cancels every other task (queued ones never start,
  running ones are killed); their runs are dropped, as a local cancel drops its current group.
- A worker or node lost mid-sweep: Ray runs the task again (max_retries, 3 by default), so the
  group's runs come back once. A group that still fails ends the sweep with ClusterUnavailable.
- A group whose device is "cuda" asks Ray for one GPU; Ray hides the GPUs from the other tasks,
  so "auto" trains on the CPU there.
- Connecting to ADDRESS ("host:6379" or "ray://host:10001") ships this aegui package to the
  cluster (runtime_env py_modules); its nodes need Python with aegui's dependencies (torch,
  numpy, ...). With no address a Ray instance is started on 127.0.0.1 for the run and shut down
  after it. A Ray already initialised in this process (ray.init by the caller) is used as it is.
"""
from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import numpy as np

from aegui.core.analyses.sweeps.sweep import SweepProgress, SweepRunner
from aegui.core.analyses.sweeps.tasks import ClusterUnavailable, require, train_group

POLL_S = 0.25      # how often steps() yields while tasks run (elapsed time, cancel)


# Ray starts its workers at nice 15, so beside any busy process on the user's machine a local
# sweep crawled (seed-001's small sweep beside 4 busy processes on 2 cores: 150 s, quiet 2.6 s),
# while the same sweep without Ray trains at normal priority. A Ray aegui starts itself runs its
# workers at normal priority too; a cluster the user named keeps its own settings.
LOCAL_SYSTEM_CONFIG = {"worker_niceness": 0}


AUTH_MODE = "RAY_AUTH_MODE"


def fresh_auth_config() -> None:
    """Make Ray read its authentication mode and token from the environment again. Ray keeps them
    from the first Ray this process ran: a later one started with another RAY_AUTH_MODE had a
    driver whose own server refused its nodes (each task's owner "died", an actor was cancelled
    before it ran, then the whole process exited). Ray's own tests reset them the same way."""
    try:
        from ray._raylet import AuthenticationTokenLoader, Config
        Config.initialize("")
        AuthenticationTokenLoader.instance().reset_cache()
    except (ImportError, AttributeError):     # a Ray without token authentication: nothing kept
        pass


class RayConnection:
    """`with RayConnection(address) as ray:` connects (or starts a local instance) and leaves Ray
    as it found it: a Ray it started or connected to is shut down, one already up is kept."""

    def __init__(self, address: str | None = None, num_cpus: int | None = None):
        self.address = address or None
        self.num_cpus = num_cpus
        self.owned = False
        self._auth_mode: str | None = None

    def __enter__(self):
        ray = require("ray")
        if ray.is_initialized():
            return ray
        # Ray would report usage statistics over the network; aegui only talks to the cluster.
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        root = str(Path(__file__).resolve().parents[3])     # the folder holding the aegui package
        quiet = dict(log_to_driver=False, configure_logging=False)
        self._probe()
        self._auth_mode = os.environ.get(AUTH_MODE)
        fresh_auth_config()
        try:
            if self.address:
                import aegui
                ray.init(address=self.address, runtime_env={"py_modules": [aegui]}, **quiet)
            else:
                path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
                # "local": a new instance even if `ray start` left one (or its address file) here
                ray.init(address="local", num_cpus=self.num_cpus, include_dashboard=False,
                         _node_ip_address="127.0.0.1", runtime_env={"env_vars": {"PYTHONPATH": path}},
                         _system_config=LOCAL_SYSTEM_CONFIG, **quiet)
        except Exception as e:   # ConnectionError, RuntimeError, ValueError: all say the same to the user
            ray.shutdown()
            self._restore_auth_mode()
            where = f"the Ray cluster at {self.address}" if self.address else "a local Ray instance"
            raise ClusterUnavailable(f"could not reach {where} ({str(e).splitlines()[0] if str(e) else e!r}); "
                                     "check the address (host:6379 or ray://host:10001), that `ray status "
                                     "--address ADDRESS` works from here and, if the cluster uses token "
                                     "authentication, set RAY_AUTH_MODE=token") from None
        self.owned = True
        return ray

    def _probe(self, timeout_s: float = 5.0) -> None:
        """Ray retries an address nobody answers for minutes; a plain connect says so at once."""
        import socket
        host, sep, port = (self.address or "").rpartition(":")
        if not self.address or "://" in self.address or not sep or not port.isdigit():
            return     # a local start, "auto", or ray://: left to Ray
        try:
            socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout_s).close()
        except OSError as e:
            raise ClusterUnavailable(f"nothing answers at {self.address} ({e.strerror or e}); start the "
                                     "cluster's head with `ray start --head` or check the host and port") from None

    def __exit__(self, *exc):
        if self.owned:
            require("ray").shutdown()
            self.owned = False
            self._restore_auth_mode()
        return False

    def _restore_auth_mode(self) -> None:
        """A Ray started here turns token authentication on for the whole process (RAY_AUTH_MODE set
        to "token" where it was unset); the next connection meets its cluster with the user's own
        setting, not that one."""
        if self._auth_mode is None:
            os.environ.pop(AUTH_MODE, None)
        else:
            os.environ[AUTH_MODE] = self._auth_mode


def cluster_cpus(ray) -> int:
    """The CPUs the connected Ray cluster offers (at least 1)."""
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def describe(address: str | None) -> str:
    """Where the runs go, as the progress line says it: the cluster's address, or a Ray started here."""
    return f"the Ray cluster at {address}" if address else "a local Ray instance (127.0.0.1)"


def task_result(ray, ref, failed, lost):
    """ray.get(ref). When the task raised, the training's own exception is raised again, as a local
    run would raise it (failed(error) when Ray kept none); when its worker or node died more than
    max_retries times, lost(the name of Ray's error)."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as e:
        cause = getattr(e, "cause", None)
        if isinstance(cause, Exception):
            raise cause from None
        raise failed(e) from None
    except ray.exceptions.RayError as e:
        raise lost(type(e).__name__) from None


def stop_tasks(ray, refs: list, timeout_s: float = 30.0) -> None:
    """Cancel every task of refs and wait until each has ended. One ray.cancel is not enough:
    a cancel that reaches a worker while the task is being handed to it is lost, and a killed
    task can be retried (Ray issues 24359, 54260), so a task is cancelled again until its result
    (the cancellation) is in."""
    deadline = time.monotonic() + timeout_s
    while refs and time.monotonic() < deadline:
        for ref in refs:
            ray.cancel(ref, force=True)
        _, refs = ray.wait(refs, num_returns=len(refs), timeout=0.5, fetch_local=False)


class RaySweepRunner(SweepRunner):
    """SweepRunner whose groups run as Ray tasks; see the module docstring."""

    def __init__(self, sweep, data=None, *, address: str | None = None, num_cpus: int | None = None,
                 device: str | None = None, max_retries: int = 3):
        require("ray")    # say how to install it before checking the data
        super().__init__(sweep, data, device=device)
        self.address, self.num_cpus, self.max_retries = address, num_cpus, max_retries
        self.cpus = 0                 # the cluster's CPUs, once connected
        self.where = describe(address)
        self.task_seconds: dict[int, float] = {}    # group -> submit-to-result wall time

    def steps(self) -> Iterator[SweepProgress]:
        """Connects to Ray (starting a local instance when no address is given) and yields the sweep's progress
        as its groups finish there."""
        with RayConnection(self.address, self.num_cpus) as ray:
            yield from self._steps(ray)

    def _steps(self, ray) -> Iterator[SweepProgress]:
        res = self.result
        res.started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        start = time.perf_counter()
        self.cpus = cluster_cpus(ray)
        total_work = sum(g.k * g.experiment.train.epochs for g in self.groups) or 1
        n_groups, n_runs, n_configs = len(self.groups), self.n_runs, len(self.configs)
        state = {"work": 0, "runs": 0, "configs": 0, "best": None}

        def progress(kind, group, in_flight, group_elapsed=0.0):
            shown = group if group is not None else (in_flight[0] if in_flight else None)
            return SweepProgress(state=kind, group=shown.index + 1 if shown else None, groups=n_groups,
                                 group_runs=shown.k if shown else 0,
                                 group_labels=[self.configs[i].label for i in shown.configs] if shown else [],
                                 running_groups=[g.index + 1 for g in in_flight],
                                 configs_done=state["configs"], configs=n_configs,
                                 runs_done=state["runs"], runs=n_runs, epoch=0,
                                 epochs=shown.experiment.train.epochs if shown else 0,
                                 elapsed=time.perf_counter() - start, group_elapsed=group_elapsed,
                                 fraction=min(state["work"] / total_work, 1.0), best_max_wrong=state["best"],
                                 where=describe(self.address), cpus=self.cpus)

        remote = ray.remote(num_cpus=1, max_retries=self.max_retries, retry_exceptions=False)(train_group)
        data_refs = {}
        pending: dict = {}        # ObjectRef -> Group, in submission order
        submitted: dict[int, float] = {}
        try:
            for g in self.groups:
                key = id(self.dataset(g))
                if key not in data_refs:
                    data_refs[key] = ray.put(self.dataset(g))
                # Ray hides the GPUs from tasks that do not ask for one ("auto" then trains on the CPU)
                gpu = (self.device or g.experiment.train.device) == "cuda"
                ref = remote.options(num_gpus=1 if gpu else 0).remote(
                    g.experiment, data_refs[key], g.seeds, g.lrs, g.inits, self.device,
                    evaluate=(self.sweep, g, self.held_out(g)), momenta=g.momenta)
                pending[ref] = g
                submitted[g.index] = time.perf_counter()
            self.sessions_started = len(self.groups)
            while pending and not self.cancelled:
                done, _ = ray.wait(list(pending), num_returns=1, timeout=POLL_S)
                if not done:
                    # Ray starts queued tasks in about the order they were submitted.
                    yield progress("running", None, list(pending.values())[:self.cpus])
                    continue
                for ref in done:
                    g = pending.pop(ref)
                    out = self._get(ray, ref, g)
                    self.task_seconds[g.index] = time.perf_counter() - submitted[g.index]
                    res.device = out["device"]
                    res.group_seconds[g.index] = out["seconds"]
                    self._store(g, out["epochs"], out["loss"], out["max_wrong"], out["mean_wrong"], out["seconds"],
                                out["extra"])
                    state["work"] += g.k * g.experiment.train.epochs
                    state["runs"] += g.k
                    state["configs"] += len(g.configs)
                    best = int(np.min(out["max_wrong"][-1]))
                    state["best"] = best if state["best"] is None else min(state["best"], best)
                    res.seconds = time.perf_counter() - start
                    yield progress("group_done", g, list(pending.values())[:self.cpus], out["seconds"])
        finally:
            stop_tasks(ray, list(pending))   # cancelled, failed or abandoned (generator closed)
        if pending:
            res.cancelled_group = min(g.index for g in pending.values())
        res.cancelled = self.cancelled and state["runs"] < n_runs
        res.seconds = time.perf_counter() - start
        final = progress("cancelled" if res.cancelled else "finished", None, [])
        final.result = res
        yield final

    def _get(self, ray, ref, g) -> dict:
        return task_result(
            ray, ref, lambda e: ClusterUnavailable(f"group {g.index + 1} failed on the cluster: {e}"),
            lambda name: ClusterUnavailable(f"group {g.index + 1} was lost {self.max_retries + 1} times on the "
                                            f"cluster ({name}); check the nodes with `ray status`"))
