"""What a course report's Ray tasks run on a worker: one training run of a row (a compare file's
run, or one seed of one config of a sweep), or a whole row for the kinds that have no such unit.

Plain functions of plain data (the run's plan and the data shipped from the driver), calling the
code a local report runs, so a run trained here gives the numbers that run gives when it trains
alone in this process. Each returns what the driver needs to write the run's file: its curves and
numbers, the weights of its model as arrays (rebuilt by the driver; no model object crosses the
wire), its seconds and the Ray node it ran on.

NodeTracker is a small actor on the driver's node that each task tells where it started, so the
driver can say which node trains what ("node 3f2a9c1d: 3 done, 1 running").
"""
from __future__ import annotations

import time


def node_id() -> str:
    """The Ray node this worker runs on (its hex id); "" outside Ray."""
    try:
        import ray
        return ray.get_runtime_context().get_node_id() if ray.is_initialized() else ""
    except ImportError:
        return ""


def on_node(tracker, run: int, fn, *args, **kwargs) -> dict:
    """fn(*args, **kwargs) run on this worker, after telling `tracker` (a NodeTracker handle, or
    None) that run `run` started on this node: {"node": node id, "out": fn's result}."""
    node = node_id()
    if tracker is not None:
        tracker.started.remote(run, node)       # fire and forget: a lost tracker costs only the display
    return {"node": node, "out": fn(*args, **kwargs)}


class NodeTracker:
    """Which node each run started on last (a run retried on another node moves there)."""

    def __init__(self):
        self.nodes: dict[int, str] = {}

    def started(self, run: int, node: str) -> None:
        self.nodes[run] = node

    def snapshot(self) -> dict[int, str]:
        return dict(self.nodes)


def train_compare_runs(plans, data, test_kind: str, device=None) -> list[dict]:
    """The runs of a compare file in `plans` trained side by side in one session (one plan:
    alone), as CompareJob trains a stack: per run its curve, final metrics, seconds and weights."""
    import os
    from aegui.core.analyses.compare.runs import add_check, finished_run, stack_session
    train, test = data
    load_avg = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    session = stack_session(list(plans), train, test, test_kind, device)
    t0 = time.perf_counter()
    curves = [([], [], []) for _ in plans]
    ended = [False] * len(plans)
    rec = None
    for rec in session.steps():
        add_check(rec, curves, ended)
    if rec is None:
        raise RuntimeError("the training session ended before its first check")
    seconds = (time.perf_counter() - t0) / len(plans)
    out = []
    for i, plan in enumerate(plans):
        model = session.model.select(i)
        run = finished_run(plan, model, curves[i], test, seconds, load_avg, test_kind)
        out.append({"index": plan.index, "epochs": run.epochs.tolist(), "train_loss": run.train_loss.tolist(),
                    "test_loss": run.test_loss.tolist(), "metrics": run.metrics, "seconds": seconds,
                    "load_avg": load_avg, "flat": model.flat.detach().cpu().numpy(),
                    "stats": model.stats.detach().cpu().numpy()})
    return out


def train_sweep_run(sweep, group, data, held_out, device=None) -> dict:
    """One sub-group of a sweep (one config's one seed: K = 1) trained to its end with the
    sweep's extra measures: tasks.train_group's result."""
    from aegui.core.analyses.sweeps.tasks import train_group
    return train_group(group.experiment, data, group.seeds, group.lrs, group.inits, device,
                       evaluate=(sweep, group, held_out), momenta=group.momenta)


def run_whole_row(kind: str, spec, device=None):
    """A whole row of a kind with no per-run unit (a classifier's stages on one pretrained
    autoencoder, a probe, a denoising curve) run to its end here: its result."""
    job = job_of(kind, spec, device)
    last = None
    for last in job.steps():
        pass
    if last is None or last.result is None:
        raise RuntimeError(f"the {kind} job ended without a result")
    return last.result


def load_kind(kind: str, path):
    """The spec of a preset of a kind with no per-run unit, read here (the task gets it read)."""
    if kind == "classifier":
        from aegui.core.analyses.classify.classifier import load_spec
    elif kind == "probe":
        from aegui.core.analyses.classify.probe import load_spec
    elif kind == "denoising_curve":
        from aegui.core.analyses.denoise.curve import load_spec
    else:
        raise ValueError(f"{path}: {kind!r} rows run per run on Ray")
    return load_spec(path)


def job_of(kind: str, spec, device: str | None = None):
    """The job a whole row of `kind` runs on its worker (no folder there: it keeps nothing)."""
    if kind == "classifier":
        from aegui.core.analyses.classify.classifier import ClassifierJob
        return ClassifierJob(spec, None, device=device)
    if kind == "probe":
        from aegui.core.analyses.classify.probe import ProbeRunJob
        return ProbeRunJob(spec, device=device)
    from aegui.core.analyses.denoise.curve import DenoiseCurveJob
    return DenoiseCurveJob(spec, device=device)
