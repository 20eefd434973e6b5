"""Search mode: a sweep JSON with a `search` block trains `trials` configs picked by Optuna.

Each trial draws one value per `vary` field (categorical) and per `search.ranges` field (a
number between low and high), and trains that config with the sweep's seeds together in one
session, as a grid config is trained. Its score is the mean over seeds of the final worst-glyph
wrong pixels plus a thousandth of the mean wrong pixels (lower is better): the order the grid's
best_config uses (max wrong first, then mean wrong) for up to 28 seeds. A seed that diverged
scores as if every pixel were wrong (the worst a model can do: its own wrong pixels are read from
NaN outputs and could beat a seed that trained badly); the trial's means and curves cover its
other seeds, and its message says how many diverged. A finished trial's other seeds are checked
as a sweep's runs are (sweeps/run_health.py): one that did not train keeps its real numbers in
the score and the means, and the message names it, so a best trial that never learned says so.

Sampler: TPE (Optuna's TPESampler, seeded: the same file draws the same trials) or random.
Pruning on the learning curve: at every checked epoch the trial's score so far is compared with
the median of the finished trials at that epoch (Optuna's MedianPruner rule; none before
`startup_trials` trials finished nor before `warmup_epochs`); a worse trial stops there.
Locally the trials run one after another and ask Optuna's pruner live. On Ray, `parallel`
trials run at once and each carries the medians of the trials finished when it started
(MedianRule), so it can stop itself on its worker; its curve is reported to Optuna afterwards.

Files (write_search): trials.csv (one row per trial), history.csv (optimisation history: score
and best so far per finished trial), importance.csv (Optuna's fANOVA parameter importance),
curves.csv (per trial and checked epoch, means over seeds), best.json (the best trial's
experiment: open it in the builder or `aegui train --config`), search.json (the search as run,
counts, best trial, importance, versions). Trials are numbered from 1 in the files and on the
screen (Optuna's trial number + 1). "Trainings" counts runs: trials x seeds, pruned trials
included.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from aegui.core.schema.experiment import ConfigError
from aegui.core.config.validation import with_changes
from aegui.core.analyses.sweeps.sweep import Sweep, _band, _jsonable, format_value
from aegui.core.analyses.sweeps.files import csv_bytes, versions
from aegui.core.analyses.sweeps.on_ray import RayConnection, cluster_cpus, describe, stop_tasks
from aegui.core.analyses.sweeps.tasks import as_scored, require, train_group
from aegui.core.jobs.job import Job, Progress

TRIAL_COLUMNS = ["trial", "state", "score", "label"]   # + one column per parameter, then:
TRIAL_STATS = ["final_max_wrong_mean", "final_max_wrong_std", "final_mean_wrong_mean", "final_loss_mean",
               "epochs", "runs", "untrained", "seconds", "message"]


def _write_csv(path, header, rows) -> None:
    from aegui.core.files.atomic import atomic_write_bytes
    atomic_write_bytes(path, csv_bytes(header, rows))


def score(max_wrong, mean_wrong) -> float:
    """Lower is better: mean worst-glyph wrong pixels, ties broken by mean wrong pixels."""
    return float(np.mean(max_wrong) + np.mean(mean_wrong) / 1000.0)


class MedianRule:
    """The median rule with the medians frozen when a trial starts (a Ray trial runs far from the
    study): stop at a checked epoch >= warmup whose score is worse than the median there."""

    def __init__(self, medians: dict[int, float], warmup: int):
        self.medians, self.warmup = medians, warmup
        self.stopped_at: int | None = None

    def __call__(self, epoch, max_wrong, mean_wrong) -> bool:
        median = self.medians.get(int(epoch))
        if epoch < self.warmup or median is None or score(max_wrong, mean_wrong) <= median:
            return False
        self.stopped_at = int(epoch)
        return True


def medians_of(study, optuna, startup: int) -> dict[int, float]:
    """The median score of the finished trials at each epoch they reported, for the median pruner; empty until
    `startup` trials have finished."""
    done = [t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.COMPLETE]
    if len(done) < max(startup, 1):
        return {}
    steps: dict[int, list[float]] = {}
    for t in done:
        for step, value in t.intermediate_values.items():
            steps.setdefault(step, []).append(value)
    return {s: float(np.median(v)) for s, v in steps.items()}


@dataclass
class TrialResult:
    """One trial of a search: the values it tried, whether it finished, was pruned or failed, its score and its
    mean curves over the seeds."""
    trial: int
    state: str                     # complete, pruned, failed
    params: dict                   # dotted field -> value
    label: str
    score: float = math.nan
    final_max_wrong_mean: float = math.nan
    final_max_wrong_std: float = math.nan
    final_mean_wrong_mean: float = math.nan
    final_loss_mean: float = math.nan
    epochs: int = 0                # epochs trained (fewer when pruned)
    runs: int = 0
    seconds: float = 0.0
    message: str = ""
    diverged: int = 0              # seeds whose loss stopped being finite (scored as every pixel wrong)
    dead: int = 0                  # seeds no better than the majority picture (counted in the means)
    flat: int = 0                  # other seeds whose loss fell under learn_fall % (counted in the means)
    learn_fall: float = 0.0
    # a failed trial's config error, apart, so a window can say it in its language (message: in English)
    failed_field: str = ""
    failed_problem: str = ""
    curve_epochs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    curve_max_wrong: np.ndarray = field(default_factory=lambda: np.zeros(0))
    curve_mean_wrong: np.ndarray = field(default_factory=lambda: np.zeros(0))
    curve_loss: np.ndarray = field(default_factory=lambda: np.zeros(0))
    experiment: object = None

    @property
    def untrained(self) -> int:
        """Seeds that did not diverge yet did not train: their numbers are a real model's and count."""
        return self.dead + self.flat


@dataclass
class SearchResult:
    """A search's trials, the parameters' importance once enough finished, and when and where it ran."""
    sweep: Sweep
    trials: list[TrialResult] = field(default_factory=list)
    importance: dict[str, float] = field(default_factory=dict)
    importance_note: str = ""
    seconds: float = 0.0
    started: str = ""
    cancelled: bool = False
    where: str = "this computer"

    @property
    def finished(self) -> list[TrialResult]:
        """The trials that ran to the end (neither pruned nor failed)."""
        return [t for t in self.trials if t.state == "complete"]

    @property
    def trainings(self) -> int:
        """How many models the search trained, every seed of every trial counted."""
        return sum(t.runs for t in self.trials)

    def best(self) -> TrialResult | None:
        """The finished trial with the lowest score (then the lowest loss, then the earliest); None before any
        finished."""
        done = self.finished
        return min(done, key=lambda t: (t.score, t.final_loss_mean if math.isfinite(t.final_loss_mean)
                                        else math.inf, t.trial)) if done else None

    def history(self) -> list[dict]:
        """One row per finished trial, in trial order, with the best score up to it (history.csv and the
        window's chart)."""
        rows, best = [], math.inf
        for t in sorted(self.finished, key=lambda t: t.trial):
            best = min(best, t.score)
            rows.append({"trial": t.trial + 1, "score": t.score, "best_score": best, "label": t.label})
        return rows

    def write(self, out_dir) -> Path:
        """Writes the search's files into `out_dir` (write_search) and returns the folder."""
        return write_search(self, out_dir)


@dataclass(kw_only=True)
class SearchProgress(Progress):
    """A search's progress; state "running", "trial_done", then "finished" / "cancelled" with the
    SearchResult as `result`."""
    trial: int | None = None            # the trial that just ended (1-based)
    trials: int = 0
    trials_done: int = 0
    running: list = field(default_factory=list)    # labels of the trials training now
    label: str = ""
    trial_state: str | None = None      # complete, pruned, failed
    score: float | None = None
    best_score: float | None = None
    best_label: str | None = None
    trainings: int = 0


class SearchRunner(Job):
    """steps() yields SearchProgress ("running", "trial_done", then "finished" or "cancelled"
    with the SearchResult as `result`); cancel() is safe from another thread."""

    def __init__(self, sweep: Sweep, data=None, *, ray: bool = False, address: str | None = None,
                 num_cpus: int | None = None, device: str | None = None, trials: int | None = None):
        if sweep.search is None:
            raise ConfigError("search", 'missing: add "search": {"trials": 20, "sampler": "tpe"} to search',
                              sweep.source)
        self.optuna = require("optuna")
        if ray or address:
            require("ray")
        self.sweep, self.spec, self._data, self.device = sweep, sweep.search, data, device
        self.trials = trials or self.spec.trials
        if not 1 <= self.trials <= 100_000:
            raise ConfigError("--trials", f"must be a whole number from 1 to 100000, got {self.trials}", sweep.source)
        self.ray, self.address, self.num_cpus = bool(ray or address), address, num_cpus
        self.warmup = self.spec.warmup_epochs if self.spec.warmup_epochs is not None else \
            max(1, sweep.base.train.epochs // 10)
        self._datasets: dict = {}
        self._samples = None          # the glyphs a seed's wrong pixels are set against, loaded once
        self._choices = {k: {format_value(v): v for v in vals} for k, vals in sweep.vary.items()}
        self.dataset(self._experiment({k: vals[0] for k, vals in sweep.vary.items()}))   # bad data fails now
        self.result = SearchResult(sweep, where=describe(address) if self.ray else "this computer")
        self.study = None

    def dataset(self, exp):
        """The dataset an experiment trains on: the one given, else loaded once per data config and checked
        against the model."""
        if self._data is not None:
            return self._data
        if exp.data not in self._datasets:
            from aegui.core.data.datasets import from_config
            from aegui.core.train.session import check_fits
            self._datasets[exp.data] = from_config(exp.data)
            check_fits(exp, self._datasets[exp.data])
        return self._datasets[exp.data]

    # ---------------------------------------------------------------- trials
    def _study(self):
        optuna = self.optuna
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        parallel = self.parallel
        if self.spec.sampler == "random":
            sampler = optuna.samplers.RandomSampler(seed=self.spec.seed)
        else:
            sampler = optuna.samplers.TPESampler(seed=self.spec.seed, constant_liar=parallel > 1,
                                                 n_startup_trials=min(10, max(2, self.trials // 3)))
        pruner = optuna.pruners.NopPruner() if self.spec.pruner == "none" else \
            optuna.pruners.MedianPruner(n_startup_trials=self.spec.startup_trials, n_warmup_steps=self.warmup)
        return optuna.create_study(direction="minimize", sampler=sampler, pruner=pruner,
                                   study_name=self.sweep.name)

    def _suggest(self, trial) -> dict:
        params = {}
        for key, choices in self._choices.items():
            params[key] = choices[trial.suggest_categorical(key, list(choices))]
        for key, r in self.spec.ranges.items():
            if r.integer:
                params[key] = trial.suggest_int(key, int(r.low), int(r.high), log=r.log)
            else:
                params[key] = trial.suggest_float(key, float(r.low), float(r.high), log=r.log)
        return params

    def _experiment(self, params: dict):
        changes: dict[str, dict] = {}
        for k, v in params.items():
            section, name = k.split(".")
            changes.setdefault(section, {})[name] = v
        changes["train"] = {**changes.get("train", {}), "seeds": self.sweep.seeds, "target_max_wrong": None}
        try:
            return with_changes(self.sweep.base, name=f"{self.sweep.name} [{self._label(params)}]", **changes)
        except TypeError as e:
            raise ConfigError("vary", f"a value of the wrong kind ({e})", self.sweep.source) from None

    def _label(self, params: dict) -> str:
        short = lambda k: k.split(".")[-1]    # noqa: E731
        return ", ".join(f"{short(k)}={format_value(v)}" for k, v in params.items()) or self.sweep.name

    def _args(self, exp):
        t = exp.train
        k = self.sweep.seeds
        return exp, [t.seed + i for i in range(k)], [t.learning_rate] * k, [exp.model.init] * k

    def _record(self, trial, params, exp, out, pruned_state: bool) -> TrialResult:
        res = TrialResult(trial.number, "pruned" if pruned_state else "complete", params, self._label(params),
                          experiment=exp)
        mw, mn, loss = out["max_wrong"], out["mean_wrong"], out["loss"]
        res.curve_epochs = out["epochs"]
        alive = np.isfinite(loss)                 # [R, K]: a seed counts until it diverged
        # The sweep's band mean over [runs, R]: here [R, K], a diverged seed's checks as NaN.
        res.curve_max_wrong, res.curve_mean_wrong, res.curve_loss = (_band(np.where(alive, a, np.nan).T)[0]
                                                                     for a in (mw, mn, loss))
        ok = alive[-1]
        worst = float(self.dataset(exp).dim)
        res.score = score(as_scored(mw[-1], loss[-1], worst), as_scored(mn[-1], loss[-1], worst))
        if ok.any():
            res.final_max_wrong_mean, res.final_max_wrong_std = float(mw[-1][ok].mean()), float(mw[-1][ok].std())
            res.final_mean_wrong_mean = float(mn[-1][ok].mean())
            res.final_loss_mean = float(loss[-1][ok].mean())
        k, notes = len(ok), []
        if not ok.all():
            bad = res.diverged = int((~ok).sum())
            notes.append("every seed diverged (scored as every pixel wrong)" if bad == k else
                         f"{bad} of {k} seeds diverged (scored as every pixel wrong; the means are over the "
                         f"other {k - bad})")
        if not pruned_state:
            notes += self._untrained(res, exp, out["epochs"], loss, mn[-1], ok)
        res.message = "; ".join(notes)
        res.epochs, res.runs, res.seconds = int(out["epochs"][-1]), mw.shape[1], float(out["seconds"])
        return res

    def _untrained(self, res: TrialResult, exp, epochs, loss, mean_wrong, ok) -> list[str]:
        """A finished trial's seeds that did not diverge checked as a sweep's runs are: how many did
        not train (res.dead, res.flat: run_health.by_check) and the message's words."""
        from aegui.core.analyses.report.health import TrainingSamples, glyph_run_health
        from aegui.core.analyses.sweeps.run_health import by_check, learn_fall
        self._samples = self._samples or TrainingSamples()
        failed = [h for s in range(len(ok)) if ok[s]
                  for h in [glyph_run_health(exp, epochs, loss[:, s], mean_wrong[s], self._samples, only_fonts=True)]
                  if not h.ok]
        counts = by_check(failed)
        res.dead, res.flat, res.learn_fall = counts["dead"], counts["did not learn"], learn_fall(exp)
        if not failed:
            return []
        why = ", ".join(sorted({h.short for h in failed}))
        k = len(ok)
        return [f"no seed trained ({why}); its score is an untrained model's" if len(failed) == k else
                f"{len(failed)} of {k} seeds did not train ({why}; counted in the score and the means)"]

    @property
    def parallel(self) -> int:
        """How many trials run at once: one here, on Ray the spec's `parallel` or the cluster's CPUs."""
        return 1 if not self.ray else (self.spec.parallel or self.num_cpus or 2)

    def steps(self) -> Iterator[SearchProgress]:
        """Runs the trials (here one after another, or side by side on Ray) and yields progress; the result
        grows as each trial ends."""
        res = self.result
        res.started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self._start = time.perf_counter()
        if self.ray:
            with RayConnection(self.address, self.num_cpus) as ray:
                if self.spec.parallel is None:
                    self.num_cpus = cluster_cpus(ray)
                self.study = self._study()
                yield from self._ray_steps(ray)
        else:
            self.study = self._study()
            yield from self._local_steps()
        res.cancelled = self.cancelled and len(res.trials) < self.trials
        res.seconds = time.perf_counter() - self._start
        res.importance, res.importance_note = self._importance()
        final = self._progress("cancelled" if res.cancelled else "finished", None)
        final.result = res
        yield final

    def _progress(self, state, trial: TrialResult | None, running=()) -> SearchProgress:
        best = self.result.best()
        return SearchProgress(state=state, trial=trial.trial + 1 if trial else None, trials=self.trials,
                              trials_done=len(self.result.trials), running=list(running),
                              label=trial.label if trial else "", trial_state=trial.state if trial else None,
                              score=trial.score if trial else None, best_score=best.score if best else None,
                              best_label=best.label if best else None, trainings=self.result.trainings,
                              elapsed=time.perf_counter() - self._start,
                              fraction=min(len(self.result.trials) / self.trials, 1.0))

    def _ended(self, trial, params, exp, out) -> TrialResult:
        """A trial that trained (to its end, or pruned): told to the study and recorded."""
        rec = self._record(trial, params, exp, out, out["pruned"])
        if out["pruned"]:
            self.study.tell(trial, state=self.optuna.trial.TrialState.PRUNED)
        else:
            self.study.tell(trial, rec.score)
        self.result.trials.append(rec)
        return rec

    def _failed(self, trial, params, e: Exception) -> TrialResult:
        self.study.tell(trial, state=self.optuna.trial.TrialState.FAIL)
        return TrialResult(trial.number, "failed", params, self._label(params), message=str(e),
                           failed_field=getattr(e, "field", None) or "", failed_problem=getattr(e, "problem", None) or "")

    def _open_trial(self):
        """Ask the study for a trial: (trial, params, experiment, data), or None once a trial whose
        config cannot train is recorded as failed (the search goes on)."""
        trial = self.study.ask()
        params = self._suggest(trial)
        try:
            exp = self._experiment(params)
            return trial, params, exp, self.dataset(exp)
        except ConfigError as e:
            self.result.trials.append(self._failed(trial, params, e))
            return None

    def _local_steps(self) -> Iterator[SearchProgress]:
        optuna = self.optuna
        while len(self.result.trials) < self.trials and not self.cancelled:
            opened = self._open_trial()
            if opened is None:
                yield self._progress("trial_done", self.result.trials[-1])
                continue
            trial, params, exp, data = opened
            yield self._progress("running", None, [self._label(params)])

            def prune(epoch, mw, mn, trial=trial):
                trial.report(score(mw, mn), int(epoch))
                return self.cancelled or trial.should_prune()

            exp_, seeds, lrs, inits = self._args(exp)
            try:
                out = train_group(exp_, data, seeds, lrs, inits, device=self.device, prune=prune)
            except ConfigError as e:     # e.g. layers that do not fit this trial's data
                self.result.trials.append(self._failed(trial, params, e))
                yield self._progress("trial_done", self.result.trials[-1])
                continue
            if self.cancelled:
                self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
                break
            yield self._progress("trial_done", self._ended(trial, params, exp, out))

    def _ray_steps(self, ray) -> Iterator[SearchProgress]:
        optuna = self.optuna
        remote = ray.remote(num_cpus=1, max_retries=3, retry_exceptions=False)(train_group)
        data_refs: dict = {}
        pending: dict = {}     # ref -> (trial, params, exp, rule)
        asked = 0
        try:
            while (asked < self.trials or pending) and not self.cancelled:
                while asked < self.trials and len(pending) < self.parallel:
                    opened = self._open_trial()
                    asked += 1
                    if opened is None:
                        yield self._progress("trial_done", self.result.trials[-1])
                        continue
                    trial, params, exp, data = opened
                    if exp.data not in data_refs:
                        data_refs[exp.data] = ray.put(data)
                    rule = None if self.spec.pruner == "none" else \
                        MedianRule(medians_of(self.study, optuna, self.spec.startup_trials), self.warmup)
                    exp_, seeds, lrs, inits = self._args(exp)
                    gpu = (self.device or exp.train.device) == "cuda"    # see sweep_ray: Ray hides GPUs
                    ref = remote.options(num_gpus=1 if gpu else 0).remote(
                        exp_, data_refs[exp.data], seeds, lrs, inits, self.device, rule)
                    pending[ref] = (trial, params, exp, rule)
                if not pending:
                    continue
                done, _ = ray.wait(list(pending), num_returns=1, timeout=0.25)
                if not done:
                    yield self._progress("running", None, [self._label(p[1]) for p in pending.values()])
                    continue
                for ref in done:
                    trial, params, exp, rule = pending.pop(ref)
                    try:
                        out = ray.get(ref)
                    except ray.exceptions.RayError as e:   # the training's own error, or a lost worker
                        cause = getattr(e, "cause", None)
                        self.result.trials.append(self._failed(trial, params, cause if isinstance(cause, Exception)
                                                               else e))
                        yield self._progress("trial_done", self.result.trials[-1])
                        continue
                    worst = self.dataset(exp).dim
                    for epoch, mw, mn, loss in zip(out["epochs"], out["max_wrong"], out["mean_wrong"], out["loss"]):
                        trial.report(score(as_scored(mw, loss, worst), as_scored(mn, loss, worst)), int(epoch))
                    yield self._progress("trial_done", self._ended(trial, params, exp, out))
        finally:
            stop_tasks(ray, list(pending))
            for trial, *_rest in pending.values():
                self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
        self.result.trials.sort(key=lambda t: t.trial)

    def _importance(self) -> tuple[dict[str, float], str]:
        optuna = self.optuna
        varied = [k for k in list(self._choices) + list(self.spec.ranges)
                  if k in self.spec.ranges or len(self._choices[k]) > 1]
        if len(self.result.finished) < 2 or not varied:
            return {}, "parameter importance needs at least two finished trials and a varied field"
        try:
            imp = optuna.importance.get_param_importances(
                self.study, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=self.spec.seed))
        except (RuntimeError, ValueError) as e:
            return {}, f"parameter importance could not be computed: {e}"
        return {k: float(v) for k, v in imp.items()}, ""

    def run(self, on_progress: Callable[[SearchProgress], object] | None = None) -> SearchResult:
        """Runs the whole search, handing each progress to `on_progress`, and returns its result."""
        for p in self.steps():
            if on_progress is not None:
                on_progress(p)
        return self.result


# ---------------------------------------------------------------- files

def write_search(result: SearchResult, out_dir) -> Path:
    """Writes trials.csv, history.csv, importance.csv, curves.csv, the best trial's config (best.json) and
    search.json into `out_dir`; returns the folder."""
    from aegui.core.files.atomic import atomic_write_text
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sweep = result.sweep
    keys = list(sweep.vary) + [k for k in (sweep.search.ranges if sweep.search else {}) if k not in sweep.vary]
    rows = [{"trial": t.trial + 1, "state": t.state, "score": t.score, "label": t.label,
             **{k: format_value(t.params[k]) if k in sweep.vary else t.params.get(k) for k in keys},
             **{k: getattr(t, k) for k in TRIAL_STATS}} for t in result.trials]
    _write_csv(out / "trials.csv", TRIAL_COLUMNS + keys + TRIAL_STATS, rows)
    _write_csv(out / "history.csv", ["trial", "score", "best_score", "label"], result.history())
    _write_csv(out / "importance.csv", ["parameter", "importance"],
         [{"parameter": k, "importance": v} for k, v in result.importance.items()])
    curve_rows = [{"trial": t.trial + 1, "epoch": int(e), "max_wrong_mean": mw, "mean_wrong_mean": mn, "loss_mean": lo}
                  for t in result.trials
                  for e, mw, mn, lo in zip(t.curve_epochs, t.curve_max_wrong, t.curve_mean_wrong, t.curve_loss)]
    _write_csv(out / "curves.csv", ["trial", "epoch", "max_wrong_mean", "mean_wrong_mean", "loss_mean"], curve_rows)
    best = result.best()
    if best is not None:
        atomic_write_text(out / "best.json", json.dumps(best.experiment.to_dict(), indent=2) + "\n")
    states = [t.state for t in result.trials]
    meta = {
        "sweep": sweep.to_dict(inline_base=True), "where": result.where, "started": result.started,
        "seconds": round(result.seconds, 4), "cancelled": result.cancelled,
        "trials": len(result.trials), "complete": states.count("complete"), "pruned": states.count("pruned"),
        "failed": states.count("failed"), "trainings": result.trainings,
        "epochs_trained": sum(t.epochs * t.runs for t in result.trials),
        "best": None if best is None else {
            "trial": best.trial + 1, "label": best.label, "score": best.score,
            "params": {k: _jsonable(v) for k, v in best.params.items()},
            "final_max_wrong_mean": best.final_max_wrong_mean, "final_mean_wrong_mean": best.final_mean_wrong_mean,
            "untrained": best.untrained},
        "importance": result.importance, "importance_note": result.importance_note,
        "score": "mean final max wrong + mean final mean wrong / 1000 over the seeds (lower is better)",
        "versions": versions(),
    }
    atomic_write_text(out / "search.json", json.dumps(meta, indent=2) + "\n")
    return out
