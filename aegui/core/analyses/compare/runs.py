"""Comparison runs: named variants of one experiment trained one after another, each recording
its training loss AND its test loss at every check, as the course reports plot them (seed 004:
a convolutional vs a linear autoencoder, train and test loss per epoch; its grid search).

A compare file (resources/analyses/*.json)::

    {"analysis": "compare", "name": "...", "description": "...", "time_2cores_s": 900,
     "base": "../presets/x.json" | {experiment},
     "runs": [{"label": "conv AE", "changes": {"model": {"arch": "conv", ...}}}, ...],
     "grid": {"train.batch_size": [128, 256, 1000], "train.learning_rate": [0.1, 0.01]},
     "seeds": 1,
     "test": "official"}

Every run is trained with every combination of `grid` (the cartesian product, the last field
varying fastest; no grid: the runs as listed; no runs: the base alone), `seeds` times (base
seed + 0 .. N-1). Runs whose experiments differ only in learning rate, momentum or init train
side by side, one stacked model per run in one session (plan_stacks), each as it would alone:
its seed draws its weights and, off CUDA graphs, its own batch order (train/backends/eager.py; a CUDA
session's captured step draws one order for all, so there only runs of one seed stack), and
only deterministic objectives stack (a VAE's or a denoiser's draws,
dropout and augmentation would differ with the number of models); each stacked run's seconds
are the session's time divided by its runs. On a GPU a stack holds what fits in memory; on the CPU a run whose step
alone keeps every thread busy trains alone (train/stacking.most_side_by_side). `test`: "official" trains on the whole training data
and measures the official test files (MNIST's t10k...; data.val_split must be 0); "validation"
measures the held-out part data.val_split sets aside; "none" trains on all the data and
measures the training data itself (the 5x7 glyphs, which are all there is).

The test loss is the training loss function on the test set (TrainingSession.val_loss: a VAE
decodes its mean, a denoising AE gets clean inputs), at every train.check_every epochs; the
training loss is the epoch's mean over its batches (before the step on full-batch runs). After
each run the test set's reconstruction MSE per pixel is measured too (and wrong pixels per
sample for binary data).

With `out_dir`, each finished run is saved at once in out_dir/runs/NNN/ (run.json + the model
as safetensors); a later job with the same out_dir loads the runs whose experiment is unchanged
instead of training them again, so a long comparison survives a cancel or a crash.

Job shape (like the sweeps)::

    job = CompareJob(spec, out_dir)
    for p in job.steps(): ...   # CompareProgress: "running" (run, runs, label, epoch, epochs,
                                # train_loss, test_loss), "run_done" | "run_loaded" per run, and
                                # last "finished" | "cancelled" with the CompareResult as `result`
    job.cancel()                # the run being trained is dropped; finished runs are kept
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from aegui.core.schema.experiment import ConfigError, Experiment, shown
from aegui.core.config.validation import with_changes
from aegui.core.data.sources import source_of
from aegui.core.jobs.job import CANCELLED, FINISHED, Job, Progress

# The numerics revision of the comparison runs: bump it with any change to the numbers computed here
# (docs/numerics.md; the report's rows that use it are then made again).
NUMERICS = 1

ANALYSIS = "compare"
SPEC_KEYS = ("analysis", "name", "description", "time_2cores_s", "base", "runs", "grid", "grid_labels", "seeds",
             "test")
TESTS = ("official", "validation", "none")
MAX_RUNS = 1000


@dataclass(frozen=True)
class RunPlan:
    """One run a compare file asks for: its label, seed and the experiment it trains."""
    index: int
    label: str
    seed: int
    experiment: Experiment

    def key(self) -> str:
        """What makes a saved run reusable: its experiment, exactly."""
        return hashlib.sha256(json.dumps(self.experiment.to_dict(), sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class CompareSpec:
    """A compare file read: the base experiment, the named variants and grid of values to run over it, the
    seeds, and the test set."""
    name: str
    base: Experiment
    runs: tuple[tuple[str, dict], ...] = ()          # (label, {section: {field: value}})
    grid: tuple[tuple[str, tuple], ...] = ()         # (dotted field, values)
    grid_labels: tuple[tuple[str, tuple], ...] = ()  # (dotted field, one label per value)
    seeds: int = 1
    test: str = "official"
    description: str = ""
    time_2cores_s: float | None = None
    source: str | None = field(default=None, compare=False)

    def plans(self) -> list[RunPlan]:
        """Every run: each named variant times each grid combination times each seed, labelled by what it
        changes; a bad value raises ConfigError naming the run."""
        runs = list(self.runs) or [("", {})]
        keys = [k for k, _ in self.grid]
        labels = dict(self.grid_labels)
        out = []
        for (label, changes), combo in itertools.product(runs, itertools.product(*[list(enumerate(v))
                                                                                     for _, v in self.grid])):
            merged = {s: dict(v) for s, v in changes.items()}
            parts = [label] if label else []
            for k, (j, value) in zip(keys, combo):
                section, name = k.split(".")
                merged.setdefault(section, {})[name] = tuple(value) if isinstance(value, list) else value
                parts.append(f"{k.split('.')[1]}={labels[k][j] if k in labels else _fmt(value)}")
            text = ", ".join(parts) or self.name
            for s in range(self.seeds):
                train = {**merged.get("train", {})}
                train["seed"] = train.get("seed", self.base.train.seed) + s
                exp_changes = {**merged, "train": train}
                try:
                    exp = with_changes(self.base, name=f"{self.name} [{text}]", **exp_changes)
                except (ConfigError, TypeError) as e:
                    problem = e.problem if isinstance(e, ConfigError) else f"a value of the wrong kind ({e})"
                    where = f"{self.source}: run {shown(text)}" if self.source else f"run {shown(text)}"
                    raise ConfigError(getattr(e, "field", "runs"), problem, where) from None
                out.append(RunPlan(len(out), text + (f", seed {train['seed']}" if self.seeds > 1 else ""),
                                   train["seed"], exp))
        return out


def _fmt(value) -> str:
    if isinstance(value, (list, tuple)):
        return "-".join(_fmt(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


# ---------------------------------------------------------------- the file

def spec_from_dict(raw, source: str | None = None, base_dir=None) -> CompareSpec:
    """A compare file's contents checked and read; the base is loaded (relative to `base_dir`)."""
    from aegui.core.analyses.sweeps.sweep import _field_type, _load_base, check_analysis_file, check_seed_count

    def bad(key, problem):
        raise ConfigError(key, problem, source)

    check_analysis_file(raw, SPEC_KEYS, ANALYSIS, source, what="a compare file", has="a compare file")
    if "base" not in raw:
        bad("base", "missing: give an experiment object or the path of a config JSON")
    base = _load_base(raw["base"], source, Path(base_dir) if base_dir is not None else None)[0]
    runs = []
    for i, r in enumerate(raw.get("runs", [])):
        if not isinstance(r, dict) or set(r) - {"label", "changes"} or not isinstance(r.get("label", ""), str):
            bad(f"runs[{i}]", 'must be {"label": "...", "changes": {"model": {...}, "train": {...}}}')
        changes = r.get("changes", {})
        if not isinstance(changes, dict) or not all(isinstance(v, dict) for v in changes.values()):
            bad(f"runs[{i}].changes", "must map sections (data, model, train, noise) to objects of fields")
        runs.append((r.get("label", ""), {s: {k: tuple(v) if isinstance(v, list) else v for k, v in f.items()}
                                          for s, f in changes.items()}))
    grid = []
    for key, values in (raw.get("grid") or {}).items():
        try:
            _field_type(key, source)
        except ConfigError as e:       # the sweep's check, named after this file's key
            bad(f"grid.{key}", e.problem)
        if not isinstance(values, list) or not values:
            bad(f"grid.{key}", f"must be a non-empty list of values, got {shown(values)}")
        grid.append((key, tuple(values)))
    labels = []
    for key, names in (raw.get("grid_labels") or {}).items():
        if key not in dict(grid) or not isinstance(names, list) or len(names) != len(dict(grid)[key]):
            bad(f"grid_labels.{key}", "must give one label per value of a field the grid varies")
        labels.append((key, tuple(str(n) for n in names)))
    seeds = raw.get("seeds", 1)
    check_seed_count(seeds, bad)
    test = raw.get("test", "official")
    if test not in TESTS:
        bad("test", f"{shown(test)} is not one of {', '.join(TESTS)}")
    stated = raw.get("time_2cores_s")
    if stated is not None and (isinstance(stated, bool) or not isinstance(stated, (int, float)) or stated <= 0):
        bad("time_2cores_s", f"must be a positive number of seconds, got {shown(stated)}")
    spec = CompareSpec(name=str(raw.get("name", base.name)), base=base, runs=tuple(runs), grid=tuple(grid),
                       grid_labels=tuple(labels), seeds=seeds, test=test,
                       description=str(raw.get("description", "")), time_2cores_s=stated, source=source)
    plans = spec.plans()       # every run validated now, not mid-way
    if len(plans) > MAX_RUNS:
        bad("grid", f"{len(plans)} runs; at most {MAX_RUNS}")
    if test == "official":
        for p in plans:
            if not source_of(p.experiment.data).official_test:
                bad("test", f"run {shown(p.label)} reads {p.experiment.data.source} data, which has no official test "
                    "files; use \"test\": \"validation\" with data.val_split")
            if p.experiment.data.val_split:
                bad("test", f"run {shown(p.label)} sets data.val_split; with the official test set it trains on all "
                    "the training data: set data.val_split to 0")
    elif test == "validation":
        for p in plans:
            if not p.experiment.data.val_split:
                bad("test", f"run {shown(p.label)} has data.val_split 0, so there is no validation part to measure")
    return spec


def load_spec(path) -> CompareSpec:
    """The compare file at `path`, its base resolved beside it."""
    from aegui.core.files.jsonfile import read_json
    path = Path(path)
    return spec_from_dict(read_json(path), str(path), path.parent)


# ---------------------------------------------------------------- results

@dataclass
class RunCurve:
    """One finished run: its training and test loss at every check, its final metrics and time."""
    index: int
    label: str
    seed: int
    experiment: Experiment
    epochs: np.ndarray              # checked epochs
    train_loss: np.ndarray
    test_loss: np.ndarray
    seconds: float
    metrics: dict                   # test_mse, test_samples, (test_mean_wrong, test_max_wrong), final losses
    key: str = ""
    model: object = None            # the trained K=1 model (loaded from disk when resumed)
    loaded: bool = False            # True: read from a previous job's out_dir, not trained here
    load_avg: float | None = None   # 1-minute load average when it started (times on a shared machine)
    node: str = ""                  # the Ray node that trained it (empty: this process)

    def loss_at(self, epoch: int, which: str = "test") -> float | None:
        """The train or test loss at a checked epoch (None if that epoch was not checked)."""
        hits = np.flatnonzero(self.epochs == epoch)
        if not len(hits):
            return None
        return float((self.test_loss if which == "test" else self.train_loss)[hits[0]])

    def to_dict(self) -> dict:
        """As the run's saved JSON holds it (non-finite losses as null)."""
        return {"index": self.index, "label": self.label, "seed": self.seed, "key": self.key,
                "seconds": round(self.seconds, 3), "load_avg": self.load_avg, "metrics": self.metrics,
                "epochs": self.epochs.tolist(), "train_loss": [_num(v) for v in self.train_loss],
                "test_loss": [_num(v) for v in self.test_loss], "experiment": self.experiment.to_dict(),
                **({"node": self.node} if self.node else {})}


def _num(v) -> float | None:
    v = float(v)
    return round(v, 8) if math.isfinite(v) else None


@dataclass
class CompareResult:
    """The runs of a compare file, in plan order, and whether it was cancelled."""
    spec: CompareSpec
    runs: list[RunCurve]
    seconds: float = 0.0
    cancelled: bool = False

    def curves_csv(self) -> str:
        """curves.csv: one row per run and checked epoch with its training and test loss."""
        lines = ["run,label,seed,epoch,train_loss,test_loss"]
        for r in self.runs:
            for e, a, b in zip(r.epochs, r.train_loss, r.test_loss):
                lines.append(f"{r.index},{_csv(r.label)},{r.seed},{int(e)},{_cell(a)},{_cell(b)}")
        return "\n".join(lines) + "\n"

    def runs_csv(self) -> str:
        """runs.csv: one row per run with its time and every metric any run has."""
        keys = sorted({k for r in self.runs for k in r.metrics})
        lines = [",".join(["run", "label", "seed", "seconds", *keys])]
        for r in self.runs:
            lines.append(",".join([str(r.index), _csv(r.label), str(r.seed), f"{r.seconds:.1f}",
                                   *(_cell(r.metrics.get(k)) for k in keys)]))
        return "\n".join(lines) + "\n"

    def write(self, out_dir) -> dict[str, Path]:
        """Writes curves.csv and runs.csv into `out_dir`; returns their paths."""
        from aegui.core.files.atomic import atomic_write_text
        out = Path(out_dir)
        paths = {"curves": out / "curves.csv", "runs": out / "runs.csv"}
        atomic_write_text(paths["curves"], self.curves_csv())
        atomic_write_text(paths["runs"], self.runs_csv())
        return paths


def _csv(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}" if math.isfinite(v) else ""
    return str(v)


# ---------------------------------------------------------------- running

@dataclass(kw_only=True)
class CompareProgress(Progress):
    """CompareJob's: state "running" while a run trains, "run_done" / "run_loaded" (a run saved
    by an earlier job) / "run_remade" (a damaged saved run, trained again: `message` names it)
    per run, then "finished" / "cancelled" with the CompareResult as `result`."""
    run: int = 0                    # which run (1-based)
    runs: int = 0
    label: str = ""
    epoch: int | None = None        # while the run trains
    epochs: int | None = None
    train_loss: float | None = None
    test_loss: float | None = None
    seconds: float = 0.0            # the run's training time, when it is done
    message: str = ""


class CompareJob(Job):
    """Trains a compare file's runs one after another, recording training and test loss; with `out_dir` each
    finished run is saved and reused by a later job with the same settings."""
    def __init__(self, spec: CompareSpec, out_dir=None, *, device: str | None = None):
        self.spec = spec
        self.plans = spec.plans()
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.device = device
        self._session = None
        self._data: dict = {}


    def cancel(self) -> None:
        """Cancels the job and stops the run training now."""
        super().cancel()
        s = self._session
        if s is not None:
            s.stop()

    def datasets(self, exp: Experiment):
        """(training data, test data) of an experiment, loaded once per data config."""
        if exp.data not in self._data:
            from aegui.core.data.datasets import from_config, load_split, official_test_set
            if self.spec.test == "official":
                self._data[exp.data] = (from_config(exp.data), official_test_set(exp.data))
                if self._data[exp.data][1] is None:
                    raise ConfigError("test", f"{self._data[exp.data][0].name} has no official test files beside "
                                      "it; use \"test\": \"validation\"", self.spec.source)
            elif self.spec.test == "validation":
                self._data[exp.data] = load_split(exp.data)
            else:
                train = from_config(exp.data)
                self._data[exp.data] = (train, train)
        return self._data[exp.data]

    def run_folder(self, plan: RunPlan) -> Path | None:
        return None if self.out_dir is None else self.out_dir / "runs" / f"{plan.index:03d}"

    def saved_or_cleared(self, plan: RunPlan) -> tuple[RunCurve | None, ConfigError | None]:
        """(the run an earlier job saved for `plan` or None, None); for a damaged one, its files
        cleared and (None, the error that names it). Trained again rather than left out: a run read
        back without its model would drop its row from every model figure without a word."""
        try:
            return self.saved_run(plan), None
        except ConfigError as err:
            from aegui.core.analyses.report.files import clear_saved_run
            clear_saved_run(self.run_folder(plan))
            return None, err

    def saved_run(self, plan: RunPlan) -> RunCurve | None:
        """The run saved by an earlier job for this plan, or None; ConfigError naming the file
        when what is saved is damaged (report_files.read_saved_run)."""
        folder = self.run_folder(plan)
        if folder is None:
            return None
        from aegui.core.analyses.report.files import read_saved_run
        saved = read_saved_run(folder, plan.key())
        if saved is None:
            return None
        return RunCurve(plan.index, plan.label, plan.seed, plan.experiment, saved.epochs, saved.train_loss,
                        saved.test_loss, saved.seconds, saved.metrics, plan.key(), saved.model, True, saved.load_avg)

    def save_run(self, run: RunCurve) -> None:
        folder = self.run_folder(self.plans[run.index])
        if folder is None:
            return
        from aegui.core.files.atomic import atomic_write_text
        from aegui.core.runs.storage import save_model
        folder.mkdir(parents=True, exist_ok=True)
        if run.model is not None:
            save_model(folder / "model", run.model, run.experiment, run.metrics)
        # run.json last: it is what marks the run as finished.
        atomic_write_text(folder / "run.json", json.dumps(run.to_dict(), indent=2) + "\n")

    def _saved(self, stack: list[RunPlan], runs: list, done_work: int, total: int, start: float):
        """Yields the progress of the stack's runs an earlier job saved (added to `runs`) and
        returns the plans left to train."""
        pending, n = [], len(self.plans)
        for plan in stack:
            loaded, err = self.saved_or_cleared(plan)
            if err is not None:
                yield CompareProgress(state="run_remade", run=plan.index + 1, runs=n, label=plan.label,
                                      message=f"{err}; training run {shown(plan.label)} again",
                                      fraction=done_work / total, elapsed=time.perf_counter() - start)
            if loaded is None:
                pending.append(plan)
                continue
            runs.append(loaded)
            done_work += plan.experiment.train.epochs
            yield CompareProgress(state="run_loaded", run=plan.index + 1, runs=n, label=plan.label,
                                  fraction=done_work / total, elapsed=time.perf_counter() - start)
        return pending

    def _finish(self, plan: RunPlan, model, curve, test, seconds: float, load_avg) -> RunCurve:
        """A trained run with its final metrics, saved."""
        run = finished_run(plan, model, curve, test, seconds, load_avg, self.spec.test)
        self.save_run(run)
        return run

    def steps(self) -> Iterator[CompareProgress]:
        """Trains (or loads) each planned run and yields CompareProgress, ending with the CompareResult."""
        import os
        from aegui.core.train import progress as P
        from aegui.core.train.stacking import most_side_by_side
        from aegui.core.train.session import resolve_device
        start = time.perf_counter()
        runs: list[RunCurve] = []
        total = sum(p.experiment.train.epochs for p in self.plans) or 1
        done_work = 0
        n = len(self.plans)

        def max_k(exp):   # on a GPU what fits in its memory; on the CPU a large step alone
            rows = len(self.datasets(exp)[0])
            rows = min(exp.train.batch_size, rows) if exp.train.batch_size > 0 else rows
            return most_side_by_side(exp, rows, resolve_device(self.device or exp.train.device))

        self.sessions_started = 0
        own_orders = resolve_device(self.device or self.spec.base.train.device).type != "cuda"
        for stack in plan_stacks(self.plans, max_k, seeds_stack=own_orders):
            if self.cancelled:
                break
            pending = yield from self._saved(stack, runs, done_work, total, start)
            done_work += sum(p.experiment.train.epochs for p in stack if p not in pending)
            if not pending:
                continue
            first = pending[0]
            train, test = self.datasets(first.experiment)
            load_avg = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
            session = stack_session(pending, train, test, self.spec.test, self.device)
            self.sessions_started += 1
            self._session = session
            if self.cancelled:
                session.stop()
            t0 = time.perf_counter()
            k = len(pending)
            curves = [([], [], []) for _ in pending]     # per run: epochs, train loss, test loss
            ended = [False] * k
            rec = None
            for rec in session.steps():
                add_check(rec, curves, ended)
                shown = next((i for i in range(k) if not ended[i]), 0)
                yield CompareProgress(state="running", run=pending[shown].index + 1, runs=n,
                                      label=pending[shown].label + (f" (+{k - 1} side by side)" if k > 1 else ""),
                                      epoch=rec.epoch, epochs=rec.total_epochs, train_loss=curves[shown][1][-1],
                                      test_loss=curves[shown][2][-1],
                                      fraction=min(1.0, (done_work + k * rec.epoch) / total),
                                      elapsed=time.perf_counter() - start)
            self._session = None
            if rec is None or rec.state == P.STOPPED or self.cancelled:
                break
            seconds = (time.perf_counter() - t0) / k
            for i, plan in enumerate(pending):
                runs.append(self._finish(plan, session.model.select(i), curves[i], test, seconds, load_avg))
                done_work += plan.experiment.train.epochs
                yield CompareProgress(state="run_done", run=plan.index + 1, runs=n, label=plan.label,
                                      seconds=seconds, fraction=done_work / total,
                                      elapsed=time.perf_counter() - start)
        runs.sort(key=lambda r: r.index)
        result = CompareResult(self.spec, runs, time.perf_counter() - start,
                               cancelled=self.cancelled and len(runs) < n)
        yield CompareProgress(state=CANCELLED if result.cancelled else FINISHED, fraction=1.0,
                              elapsed=result.seconds, result=result)


def stack_session(plans: list[RunPlan], train, test, test_kind: str, device: str | None = None):
    """The TrainingSession that trains `plans` side by side (one plan: alone), measuring each
    model's test loss at every check (none with test "none")."""
    from aegui.core.train.session import TrainingSession
    first = plans[0]
    session = TrainingSession(first.experiment, train, device=device,
                              seeds=[p.experiment.train.seed for p in plans],
                              lrs=[p.experiment.train.learning_rate for p in plans],
                              inits=[p.experiment.model.init for p in plans],
                              momenta=[p.experiment.train.momentum for p in plans],
                              val_data=None if test_kind == "none" else test)
    session.val_every_model = True
    return session


def add_check(rec, curves: list, ended: list) -> None:
    """A check's losses added to each run's curve (epochs, train loss, test loss); a run whose
    loss is no longer finite is marked ended in `ended`."""
    val = rec.val_loss_per_model
    for i, (ep, tr, te) in enumerate(curves):
        if ended[i]:
            continue
        ep.append(rec.epoch)
        tr.append(float(rec.loss_per_model[i]))
        te.append(math.nan if val is None else float(val[i]))
        # A run alone ends at the check that finds it diverged; stacked, it is frozen
        # there while the others go on: its curve ends there too.
        ended[i] = not math.isfinite(tr[-1])


def finished_run(plan: RunPlan, model, curve, test, seconds: float, load_avg, test_kind: str) -> RunCurve:
    """A trained run (K = 1 `model`, its curve) with its final metrics on `test` (the training
    data with test "none")."""
    ep, tr, te = curve
    metrics = _final_metrics(model, test, tr[-1], te[-1], ep[-1], "train" if test_kind == "none" else "test")
    return RunCurve(plan.index, plan.label, plan.seed, plan.experiment, np.asarray(ep, int), np.asarray(tr, float),
                    np.asarray(te, float), seconds, metrics, plan.key(), model, False, load_avg)


def _stack_key(exp: Experiment, seeds_stack: bool = True) -> str | None:
    """What runs must share to train side by side as they would alone: the experiment with the
    per-model settings (learning rate, momentum, init, and the seed where each model draws its
    own batch order: `seeds_stack`) blanked. None: the run trains alone (its
    objective draws random numbers, which a stack would share out differently, or scipy's
    optimizer steps one model at a time)."""
    from aegui.core.models.objectives import objective_of
    from aegui.core.schema.experiment import SCIPY_OPTIMIZERS
    from aegui.core.train.stacking import stack_key
    o = objective_of(exp.model)
    if o.samples_codes or o.corrupts_inputs or exp.model.dropout or exp.augment.enabled \
            or exp.train.optimizer in SCIPY_OPTIMIZERS:
        return None
    return stack_key(exp, seed=seeds_stack)


def plan_stacks(plans: list[RunPlan], max_k=None, seeds_stack: bool = True) -> list[list[RunPlan]]:
    """The runs in stacks that train in one session each, in order of their first run;
    `max_k(experiment)` (None: no limit) caps a stack's runs (on a GPU, what fits; on the CPU,
    1 for a large step);
    `seeds_stack`: runs of different seeds stack too (off CUDA graphs)."""
    by_key: dict = {}
    for p in plans:
        key = _stack_key(p.experiment, seeds_stack)
        by_key.setdefault(key if key is not None else ("alone", p.index), []).append(p)
    out = []
    for members in by_key.values():
        cap = max_k(members[0].experiment) if max_k is not None else None
        per = max(1, cap) if cap else len(members)
        out.extend(members[i:i + per] for i in range(0, len(members), per))
    return out


def _final_metrics(model, data, train_loss: float, test_loss: float, epoch: int, prefix: str = "test") -> dict:
    """What a run ends with: its last losses, the MSE per pixel on the test set (the training
    data when there is none: prefix "train"), and for black and white data (the glyphs) the
    wrong pixels per sample there."""
    from aegui.core.models.latent import reconstruct
    from aegui.core.train.evaluation import is_binary
    out = {"final_train_loss": _num(train_loss),
           "final_test_loss": None if math.isnan(test_loss) else _num(test_loss),
           "epochs": int(epoch), f"{prefix}_samples": len(data)}
    mse, wrong = 0.0, []
    binary = is_binary(data.x)
    for lo in range(0, len(data), 4096):
        x = data.x[lo:lo + 4096]
        y = reconstruct(model, x)
        mse += float(((y - x) ** 2).mean(1).sum())
        if binary:
            wrong.append(((y >= 0.5) != (x >= 0.5)).sum(1))
    out[f"{prefix}_mse"] = round(mse / max(1, len(data)), 8)
    if wrong:
        w = np.concatenate(wrong)
        out[f"{prefix}_mean_wrong"] = round(float(w.mean()), 4)
        out[f"{prefix}_max_wrong"] = int(w.max())
    return out
