"""Sweeps: one experiment with some fields varied over lists of values, N seeds per combination.

A sweep file (JSON)::

    {"name": "seed-001 architectures",
     "base": "../presets/font1-ae2d.json",          # or an experiment object inline
     "vary": {"model.layers": [[35, 2, 35], [35, 10, 2, 10, 35]],
              "train.optimizer": ["sgd", "momentum"]},
     "labels": {"train.optimizer": ["SGD", "SGD + momentum"]},   # optional, one per value
     "seeds": 5,                                    # runs per config: base seed + 0 .. N-1
     "target_max_wrong": 1,                         # optional: "epochs to target" per run
     "description": "...", "time_2cores_s": 20,     # optional: what it reproduces; its time on 2 cores
     "evaluate": {"repeats": 20, "levels": "trained"}}   # optional: see sweep_eval

After each group, sweep_eval measures what the training-set wrong pixels cannot: a denoising
autoencoder on noisy copies at the level it was trained with (beside the noisy input's own
error), and held-out samples when data.val_split > 0 (trained on the rest). Those metrics get
<metric>_mean / <metric>_std columns in results.csv and a column each in runs.csv.

`expand` gives the cartesian product of `vary` in the order written (the last field varies
fastest). Configs whose experiments differ only in train.seed, train.learning_rate,
train.momentum or model.init train together in one TrainingSession (one model per config and
seed, stacked); every other difference (layers, optimizer, noise level, ...) starts a separate
session. A stacked model draws its weights, and in mini-batches its batch order (train/backends/eager.py;
CUDA graphs draw one order for all), from its own seed, so it trains as its run alone would.
Sweep runs never stop early: each goes to its last epoch, and the epochs it took to reach the
target are read afterwards from its history (the first checked epoch whose worst glyph has
<= target wrong pixels; a resolution of train.check_every epochs).

Cancelling (SweepRunner.cancel) keeps every group that finished; the runs of the group being
trained when the cancel came are DROPPED (not written, not aggregated), and
SweepResult.incomplete_configs lists the configs without results.

Files written by write_results(result, DIR):

- results.csv, one row per config that has results: config (index), label, one column per
  varied field (its value; lists as 35-10-2-10-35), group, n_runs, n_diverged, then
  <metric>_mean and <metric>_std for final_max_wrong, final_mean_wrong, final_loss,
  epochs_to_target and seconds, and reached_target (runs that reached it). A run that diverged
  is counted in n_runs and n_diverged and left out of every result's mean/std (its wrong pixels
  are read from NaN outputs, so they measure nothing), not of seconds (its time was spent).
  Every mean/std is over the other runs where the value is defined: runs that never reached
  the target have no epochs_to_target; a config none of whose runs trained has empty means.
  std is the POPULATION standard deviation (numpy's default, ddof=0), so one run gives std 0.
  Last, n_untrained: runs that did not diverge yet did not train (sweeps/run_health.py); their
  numbers are a real model's, so the means keep them.
- runs.csv, one row per run: run, config, label, group, seed, learning_rate, init,
  final_loss, final_max_wrong, final_mean_wrong, epochs_to_target, epochs, diverged, seconds
  (the group's wall time divided by its runs: runs trained together share one clock),
  group_seconds, any evaluated metric's column, and last health ("trained", or why not).
- curves.csv: config, label, epoch, n_runs and the mean/std (ddof=0, over the runs with a
  finite loss at that epoch: a diverged run counts until it diverged) of loss, max_wrong and
  mean_wrong at each checked epoch, for band charts.
- histories.csv: run, config, seed, epoch, loss, max_wrong, mean_wrong (every checked epoch).
- sweep.json: the sweep as run (base inlined), its configs and groups, timing, whether it was
  cancelled, the column descriptions above and the versions of aegui, torch, numpy and Python.

Empty cells mean "not defined" (NaN / None). Torch is imported only to run a sweep.
"""
from __future__ import annotations

import itertools
import json
import math
import time
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Generator, Iterator

import numpy as np

from aegui.core.schema.experiment import ConfigError, Experiment, SCHEMA_VERSION, _SECTIONS, shown
from aegui.core.config.fields import FIELDS
from aegui.core.config.validation import experiment_from_dict, validate, with_changes
from aegui.core.config.load import load_experiment
from aegui.core.analyses.sweeps.search_spec import SearchSpec, parse_search
from aegui.core.analyses.sweeps import evaluate as sweep_eval
from aegui.core.jobs.job import Job, Progress

# The numerics revision of the sweep: bump it with any change to the numbers computed here
# (docs/numerics.md; the report's rows that use it are then made again).
NUMERICS = 1

SWEEP_VERSION = 1
MAX_CONFIGS = 10_000
MAX_SEEDS = 1_000
_TOP_KEYS = ("sweep_version", "name", "base", "vary", "labels", "seeds", "target_max_wrong", "search",
             "description", "time_2cores_s", "evaluate")
# Fields a sweep may not vary, and what to do instead.
_NOT_VARIED = {
    "train.seeds": "the sweep's own `seeds` sets the runs per config",
    "train.target_max_wrong": "set the sweep's `target_max_wrong`; sweep runs never stop early",
}


# ---------------------------------------------------------------- the sweep

@dataclass(frozen=True)
class Sweep:
    """A sweep file read: the base experiment, the values each varied field takes, the seeds per config, and an
    optional search over them."""
    name: str
    base: Experiment
    vary: dict[str, list] = field(default_factory=dict)      # dotted field -> values, in order
    seeds: int = 1
    target_max_wrong: int | None = None                      # None: the base's, if any
    labels: dict[str, list[str]] = field(default_factory=dict)
    base_path: str | None = field(default=None, compare=False)   # as written in the file
    source: str | None = field(default=None, compare=False)      # the sweep file, for messages
    search: SearchSpec | None = None          # an Optuna search over `vary` (analyses/sweeps/search.py)
    description: str = ""                                    # what it reproduces, and how faithfully
    time_2cores_s: float | None = None                       # its stated time on 2 CPU cores
    evaluate: sweep_eval.EvalSpec = sweep_eval.EvalSpec()

    @property
    def target(self) -> int | None:
        """The wrong-pixel target for "epochs to target": the sweep's, else the base's."""
        return self.target_max_wrong if self.target_max_wrong is not None else self.base.train.target_max_wrong

    @property
    def n_configs(self) -> int:
        """How many combinations the varied fields make."""
        return math.prod(len(v) for v in self.vary.values())

    @property
    def n_runs(self) -> int:
        """Trainings the whole grid takes: configs times seeds."""
        return self.n_configs * self.seeds

    def to_dict(self, inline_base: bool = True) -> dict:
        """As a sweep file holds it; the base inlined, or named by its path when `inline_base` is false and it
        came from one."""
        base: Any = self.base.to_dict() if inline_base or not self.base_path else self.base_path
        out = {"sweep_version": SWEEP_VERSION, "name": self.name, "base": base,
               "vary": {k: [_jsonable(v) for v in vals] for k, vals in self.vary.items()},
               "seeds": self.seeds}
        if self.labels:
            out["labels"] = {k: list(v) for k, v in self.labels.items()}
        if self.target_max_wrong is not None:
            out["target_max_wrong"] = self.target_max_wrong
        if self.search is not None:
            out["search"] = self.search.to_dict()
        if self.description:
            out["description"] = self.description
        if self.time_2cores_s is not None:
            out["time_2cores_s"] = self.time_2cores_s
        if self.evaluate != sweep_eval.EvalSpec():
            out["evaluate"] = self.evaluate.to_dict()
        return out

    def to_json(self, inline_base: bool = True) -> str:
        """to_dict() as indented JSON."""
        return json.dumps(self.to_dict(inline_base), indent=2)


@dataclass(frozen=True)
class Config:
    """One combination of the varied values, with its label and the experiment it trains."""
    index: int
    values: dict[str, Any]       # dotted field -> the value it takes in this config
    label: str                   # "layers=35-10-2-10-35, optimizer=momentum"
    experiment: Experiment       # one config's experiment: train.seeds = the sweep's seeds, no target


@dataclass(frozen=True)
class Group:
    """Configs trained together in one TrainingSession: K = len(configs) x seeds models."""
    index: int
    configs: tuple[int, ...]
    experiment: Experiment        # the session's experiment (train.seeds = K, no target)
    run_configs: tuple[int, ...]  # per model: its config
    seeds: tuple[int, ...]
    lrs: tuple[float, ...]
    inits: tuple[str, ...]
    momenta: tuple[float, ...] = ()

    @property
    def k(self) -> int:
        """Models the group's session trains at once."""
        return len(self.seeds)


def _jsonable(value):
    return list(value) if isinstance(value, tuple) else value


def _fail(field_: str, problem: str, source: str | None):
    raise ConfigError(field_, problem, source)


def _field_type(dotted: str, source: str | None) -> str:
    parts = dotted.split(".")
    if len(parts) != 2 or parts[0] not in _SECTIONS:
        _fail(f"vary.{dotted}", "unknown field; name it section.field, e.g. train.learning_rate "
              f"(sections: {', '.join(_SECTIONS)})", source)
    section, name = parts
    types = {f.name: f.type for f in fields(_SECTIONS[section])}
    if name not in types:
        _fail(f"vary.{dotted}", f"unknown field; {section} has: {', '.join(sorted(types))}", source)
    if dotted in _NOT_VARIED:
        _fail(f"vary.{dotted}", f"cannot be varied: {_NOT_VARIED[dotted]}", source)
    return types[name]


def _normalize(dotted: str, type_: str, value):
    """JSON value -> the dataclass field's Python value (lists -> tuples, ints -> floats)."""
    name = dotted.split(".")[1]
    if name == "fonts" and isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(value)
    if type_ == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def format_value(value) -> str:
    """A value as it appears in labels and CSV cells: [35, 10, 2] -> 35-10-2, 0.1 -> 0.1."""
    if isinstance(value, (list, tuple)):
        return "-".join(format_value(v) for v in value)
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _short_names(keys) -> dict[str, str]:
    """model.layers -> layers, unless two varied fields share a name (model.kind / noise.kind)."""
    last = [k.split(".")[-1] for k in keys]
    return {k: (s if last.count(s) == 1 else k) for k, s in zip(keys, last)}


# ---------------------------------------------------------------- JSON

def _load_base(raw_base, source: str | None, base_dir: Path | None) -> tuple[Experiment, str | None]:
    if isinstance(raw_base, str):
        path = Path(raw_base)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        try:
            exp, _notes = load_experiment(path)
        except ConfigError as e:
            where = f"{source}: base {raw_base}" if source else f"base {raw_base}"
            raise ConfigError(e.field, e.problem, where) from None
        return exp, raw_base
    if isinstance(raw_base, dict):
        raw = dict(raw_base)
        raw.setdefault("schema_version", SCHEMA_VERSION)
        try:
            return experiment_from_dict(raw), None
        except ConfigError as e:
            raise ConfigError(f"base.{e.field}", e.problem, source) from None
    _fail("base", "must be an experiment object or the path of a config JSON (relative to the sweep "
          f"file), got {type(raw_base).__name__}", source)


def check_analysis_file(raw, keys, analysis: str, source: str | None, *, what: str, has: str) -> None:
    """The checks an analysis file (probe, classifier, compare, denoising curve) starts with: a
    JSON object (`what` must be one), only its own keys (`has` has them), and its own
    `analysis` name. Each failure is a ConfigError naming the key."""
    if not isinstance(raw, dict):
        _fail("(top level)", f"{what} must be a JSON object", source)
    unknown = sorted(set(raw) - set(keys))
    if unknown:
        _fail(unknown[0], f"unknown key; {has} has: {', '.join(keys)}", source)
    if raw.get("analysis", analysis) != analysis:
        _fail("analysis", f"this file describes {shown(raw['analysis'])}, not {shown(analysis)}", source)


def check_seed_count(seeds, bad, key: str = "seeds") -> None:
    """An analysis file's seeds, or a report row's own count of them: a whole number from 1 to 100
    (`bad(key, problem)` raises)."""
    if not isinstance(seeds, int) or isinstance(seeds, bool) or not 1 <= seeds <= 100:
        bad(key, f"must be a whole number from 1 to 100, got {shown(seeds)}")


def sweep_from_dict(raw, source: str | None = None, base_dir=None) -> Sweep:
    """Build and validate a sweep; every problem is a ConfigError naming the key."""
    if not isinstance(raw, dict):
        _fail("(top level)", "a sweep must be a JSON object", source)
    unknown = sorted(set(raw) - set(_TOP_KEYS))
    if unknown:
        _fail(unknown[0], f"unknown key; a sweep has: {', '.join(_TOP_KEYS)}", source)
    version = raw.get("sweep_version", SWEEP_VERSION)
    if version != SWEEP_VERSION:
        _fail("sweep_version", f"unsupported version {shown(version)}; this aegui reads {SWEEP_VERSION}", source)
    if "base" not in raw:
        _fail("base", "missing: give an experiment object or the path of a config JSON", source)
    base, base_path = _load_base(raw["base"], source, Path(base_dir) if base_dir is not None else None)
    name = raw.get("name", base.name)
    if not isinstance(name, str) or not name.strip():
        _fail("name", f"must be a non-empty string, got {shown(name)}", source)

    vary_raw = raw.get("vary", {})
    if not isinstance(vary_raw, dict):
        _fail("vary", "must be an object: dotted field -> list of values", source)
    vary: dict[str, list] = {}
    for key, values in vary_raw.items():
        type_ = _field_type(key, source)
        if not isinstance(values, list) or not values:
            _fail(f"vary.{key}", f"must be a non-empty list of values, got {shown(values)}", source)
        normalized = [_normalize(key, type_, v) for v in values]
        for i, v in enumerate(normalized):
            if v in normalized[:i]:
                _fail(f"vary.{key}[{i}]", f"{format_value(v)} appears twice", source)
        vary[key] = normalized

    labels_raw = raw.get("labels", {})
    if not isinstance(labels_raw, dict):
        _fail("labels", "must be an object: dotted field -> one label per value", source)
    labels: dict[str, list[str]] = {}
    for key, names in labels_raw.items():
        if key not in vary:
            _fail(f"labels.{key}", "labels a field that `vary` does not vary", source)
        if not isinstance(names, list) or len(names) != len(vary[key]) \
                or not all(isinstance(n, str) and n for n in names):
            _fail(f"labels.{key}", f"must be a list of {len(vary[key])} non-empty strings, one per value", source)
        labels[key] = list(names)

    seeds = raw.get("seeds", 1)
    if not isinstance(seeds, int) or isinstance(seeds, bool) or not 1 <= seeds <= MAX_SEEDS:
        _fail("seeds", f"must be a whole number from 1 to {MAX_SEEDS}, got {shown(seeds)}", source)
    target = raw.get("target_max_wrong")
    # The sweep's target is every run's train.target_max_wrong: that field's own rule.
    if (error := FIELDS["train.target_max_wrong"].error(target)) is not None:
        _fail("target_max_wrong", error.problem, source)

    description = raw.get("description", "")
    if not isinstance(description, str):
        _fail("description", "must be a string", source)
    stated = raw.get("time_2cores_s")
    if stated is not None and (isinstance(stated, bool) or not isinstance(stated, (int, float)) or stated <= 0):
        _fail("time_2cores_s", f"must be a positive number of seconds, got {shown(stated)}", source)
    search = None if raw.get("search") is None else \
        parse_search(raw["search"], source, lambda k: _field_type(k, source), vary)
    sweep = Sweep(name=name, base=base, vary=vary, seeds=seeds, target_max_wrong=target, labels=labels,
                  base_path=base_path, source=source, description=description, time_2cores_s=stated,
                  evaluate=sweep_eval.parse_evaluate(raw.get("evaluate"), source), search=search)
    n = sweep.n_configs
    if n > MAX_CONFIGS and search is None:
        _fail("vary", f"{n} combinations; at most {MAX_CONFIGS} (or add a \"search\" block)", source)
    if n <= MAX_CONFIGS:
        expand(sweep)   # validates every config; a search's trials are checked as they are drawn
    return sweep


def sweep_from_json(text: str, source: str | None = None, base_dir=None) -> Sweep:
    """A sweep from a JSON text (`source` names it in errors; `base_dir` resolves a base given as a path)."""
    from aegui.core.files.jsonfile import parse_json
    return sweep_from_dict(parse_json(text, source), source, base_dir)


def load_sweep(path) -> Sweep:
    """The sweep file at `path`, its base resolved beside it."""
    from aegui.core.files.jsonfile import read_json
    path = Path(path)
    return sweep_from_dict(read_json(path), str(path), path.parent)


def with_overrides(sweep: Sweep, *, seeds: int | None = None, epochs: int | None = None) -> Sweep:
    """The CLI's --seeds / --epochs, validated like the file."""
    if seeds is not None and (not isinstance(seeds, int) or not 1 <= seeds <= MAX_SEEDS):
        _fail("--seeds", f"must be a whole number from 1 to {MAX_SEEDS}, got {shown(seeds)}", sweep.source)
    if epochs is not None:
        if "train.epochs" in sweep.vary:
            _fail("--epochs", "the sweep varies train.epochs; edit the sweep instead", sweep.source)
        try:
            base = with_changes(sweep.base, train={"epochs": epochs})
        except ConfigError as e:
            raise ConfigError("--epochs", e.problem, sweep.source) from None
        sweep = replace(sweep, base=base)
    if seeds is not None:
        sweep = replace(sweep, seeds=seeds)
    if sweep.n_configs <= MAX_CONFIGS:   # a search's space may be far bigger; its trials are checked
        expand(sweep)
    return sweep


# ---------------------------------------------------------------- expansion and grouping

def expand(sweep: Sweep) -> list[Config]:
    """Every combination of `vary`, in order (the last field varies fastest), each validated."""
    keys = list(sweep.vary)
    short = _short_names(keys)
    configs = []
    choices = [list(enumerate(sweep.vary[k])) for k in keys]
    for index, combo in enumerate(itertools.product(*choices)):
        values = {k: v for k, (_, v) in zip(keys, combo)}
        label = ", ".join(
            f"{short[k]}={sweep.labels[k][j] if k in sweep.labels else format_value(v)}"
            for k, (j, v) in zip(keys, combo)) or sweep.name
        changes: dict[str, dict] = {}
        for k, v in values.items():
            section, name = k.split(".")
            changes.setdefault(section, {})[name] = v
        train = {**changes.get("train", {}), "seeds": sweep.seeds, "target_max_wrong": None}
        changes["train"] = train
        try:
            exp = with_changes(sweep.base, name=f"{sweep.name} [{label}]", **changes)
        except ConfigError as e:
            where = f"{sweep.source}: config {index} ({label})" if sweep.source else f"config {index} ({label})"
            raise ConfigError(e.field, e.problem, where) from None
        except TypeError as e:   # a value of the wrong kind for a dataclass (e.g. layers: 5)
            where = f"{sweep.source}: config {index} ({label})" if sweep.source else f"config {index} ({label})"
            raise ConfigError("vary", f"a value of the wrong kind ({e})", where) from None
        configs.append(Config(index, values, label, exp))
    return configs


def _group_key(exp: Experiment) -> str:
    """The experiment with the per-model fields blanked: equal keys train in one session (the
    sweep's own `seeds` count set aside: each config's seeds become models of the group)."""
    from aegui.core.train.stacking import stack_key
    return stack_key(exp, seeds=1)


def plan(sweep: Sweep, configs: list[Config] | None = None, max_k=None) -> list[Group]:
    """Groups in order of their first config; each config's seeds are base seed + 0 .. N-1.
    `max_k(experiment)` (None: no limit) caps the runs of one group (whole configs; at least
    one): on a GPU, what fits in memory; on the CPU, one config for a step that alone keeps every thread busy."""
    configs = expand(sweep) if configs is None else configs
    by_key: dict[str, list[Config]] = {}
    for c in configs:
        by_key.setdefault(_group_key(c.experiment), []).append(c)
    chunks = []
    for members in by_key.values():
        cap = max_k(members[0].experiment) if max_k is not None else None
        per = max(1, cap // sweep.seeds) if cap else len(members)
        chunks.extend(members[i:i + per] for i in range(0, len(members), per))
    groups = []
    for gi, members in enumerate(chunks):
        run_configs, seeds, lrs, inits, momenta = [], [], [], [], []
        for c in members:
            t = c.experiment.train
            for i in range(sweep.seeds):
                run_configs.append(c.index)
                seeds.append(t.seed + i)
                lrs.append(t.learning_rate)
                inits.append(c.experiment.model.init)
                momenta.append(t.momentum)
        first = members[0].experiment
        exp = replace(first, name=f"{sweep.name} (group {gi + 1})",
                      train=replace(first.train, seeds=len(seeds), target_max_wrong=None))
        validate(exp)
        groups.append(Group(gi, tuple(c.index for c in members), exp, tuple(run_configs), tuple(seeds),
                            tuple(lrs), tuple(inits), tuple(momenta)))
    return groups


def epochs_to_target(epochs, max_wrong, target: int | None) -> int | None:
    """The first checked epoch whose worst-glyph wrong pixels are <= target; None if never."""
    if target is None:
        return None
    hits = np.flatnonzero(np.asarray(max_wrong) <= target)
    return int(np.asarray(epochs)[hits[0]]) if len(hits) else None


# ---------------------------------------------------------------- results

@dataclass
class RunResult:
    """One seed of one config after training: its final loss and wrong pixels, when it reached the target, its
    curves and the extra measures."""
    run: int                      # index among all runs of the sweep (config-major, then seed)
    config: int
    group: int
    seed: int
    learning_rate: float
    init: str
    final_loss: float             # NaN when the run diverged
    final_max_wrong: int
    final_mean_wrong: float
    epochs_to_target: int | None
    epochs: int                   # epochs trained (less than train.epochs only if the whole group diverged)
    diverged: bool
    seconds: float                # the group's wall time / its runs
    group_seconds: float
    history_epochs: np.ndarray    # [R] checked epochs
    history_loss: np.ndarray      # [R]
    history_max_wrong: np.ndarray  # [R]
    history_mean_wrong: np.ndarray  # [R]
    extra: dict = field(default_factory=dict)   # sweep_eval's metrics (denoising, held-out)


METRICS = ("final_max_wrong", "final_mean_wrong", "final_loss", "epochs_to_target", "seconds")
CURVES = (("loss", "history_loss"), ("max_wrong", "history_max_wrong"), ("mean_wrong", "history_mean_wrong"))


def _mean_std(values) -> tuple[float, float, int]:
    """Mean and population std (ddof=0) over the finite values, and how many there were."""
    a = np.asarray([np.nan if v is None else v for v in values], dtype=float)
    a = a[np.isfinite(a)]
    if not len(a):
        return math.nan, math.nan, 0
    return float(np.mean(a)), float(np.std(a)), len(a)


def _band(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column-wise mean / population std over the finite entries of [runs, R]."""
    ok = np.isfinite(rows)
    n = ok.sum(0)
    safe = np.where(ok, rows, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = safe.sum(0) / n
        std = np.sqrt(np.where(ok, (rows - mean) ** 2, 0.0).sum(0) / n)
    return mean, std, n


@dataclass
class SweepResult:
    """What a sweep produced so far: its configs and groups, the runs of the finished groups, timings, and
    whether it was cancelled."""
    sweep: Sweep
    configs: list[Config]
    groups: list[Group]
    runs: list[RunResult] = field(default_factory=list)
    group_seconds: dict[int, float] = field(default_factory=dict)   # finished groups only
    seconds: float = 0.0
    cancelled: bool = False
    cancelled_group: int | None = None
    started: str = ""
    device: str = ""
    # (how many runs there were, their SweepHealth): health() fills it
    _health: tuple = field(default=(), init=False, repr=False, compare=False)

    @property
    def configs_done(self) -> list[int]:
        """The configs with at least one finished run, in order."""
        return sorted({r.config for r in self.runs})

    @property
    def incomplete_configs(self) -> list[int]:
        """The configs with no finished run (a cancelled sweep's rest)."""
        done = set(self.configs_done)
        return [c.index for c in self.configs if c.index not in done]

    def runs_of(self, config: int) -> list[RunResult]:
        """The finished runs of one config."""
        return [r for r in self.runs if r.config == config]

    def none_trained(self, config: int) -> bool:
        """Whether a config has runs and every one diverged (its means are all empty)."""
        runs = self.runs_of(config)
        return bool(runs) and all(r.diverged for r in runs)

    def health(self):
        """Its finished runs checked as the course report checks them (sweeps/run_health.py), worked
        out again only once more runs have finished."""
        if not self._health or self._health[0] != len(self.runs):
            from aegui.core.analyses.sweeps.run_health import SweepHealth
            self._health = (len(self.runs), SweepHealth(self))
        return self._health[1]

    def summary(self, config: int) -> dict:
        """Aggregates of one config's runs (see the module docstring for the rules)."""
        c = self.configs[config]
        runs = self.runs_of(config)
        row: dict[str, Any] = {"config": config, "label": c.label}
        row.update({k: format_value(v) for k, v in c.values.items()})
        row["group"] = runs[0].group if runs else None
        row["n_runs"] = len(runs)
        row["n_diverged"] = sum(r.diverged for r in runs)
        trained = [r for r in runs if not r.diverged]
        for metric in METRICS + tuple(sweep_eval.metric_names(self.sweep)):
            over = runs if metric == "seconds" else trained
            mean, std, n = _mean_std([getattr(r, metric) if metric in METRICS else r.extra.get(metric)
                                      for r in over])
            row[f"{metric}_mean"], row[f"{metric}_std"] = mean, std
            if metric == "epochs_to_target":
                row["reached_target"] = n if self.sweep.target is not None else None
        return row

    def summaries(self) -> list[dict]:
        """summary() of every config that has runs."""
        return [self.summary(i) for i in self.configs_done]

    def curves(self, config: int) -> dict[str, np.ndarray]:
        """epoch, n_runs and <loss|max_wrong|mean_wrong>_<mean|std> over one config's runs."""
        runs = self.runs_of(config)
        if not runs:
            return {}
        out: dict[str, np.ndarray] = {"epoch": runs[0].history_epochs}
        # After a run diverges its loss is NaN and its wrong pixels are read from NaN outputs.
        finite = np.stack([np.isfinite(np.asarray(r.history_loss, dtype=float)) for r in runs])
        for name, attr in CURVES:
            rows = np.stack([np.asarray(getattr(r, attr), dtype=float) for r in runs])
            mean, std, n = _band(np.where(finite, rows, np.nan))
            out[f"{name}_mean"], out[f"{name}_std"] = mean, std
            if name == "loss":
                out["n_runs"] = n
        return out

    def best_config(self) -> int | None:
        """The config with the lowest mean final max wrong (then mean wrong, then loss)."""
        rows = self.summaries()
        if not rows:
            return None
        key = lambda r: tuple(math.inf if not math.isfinite(r[m]) else r[m]   # noqa: E731
                              for m in ("final_max_wrong_mean", "final_mean_wrong_mean", "final_loss_mean"))
        return min(rows, key=key)["config"]


# ---------------------------------------------------------------- running

@dataclass(kw_only=True)
class SweepProgress(Progress):
    """A sweep's progress; state "running", "group_done", then "finished" / "cancelled" with the
    SweepResult as `result`."""
    group: int | None = None            # the group shown (1-based), None when none runs
    groups: int = 0
    group_runs: int = 0                 # models the group trains side by side
    group_labels: list = field(default_factory=list)
    running_groups: list | None = None  # on Ray: every group running now (1-based); None: one at a time
    configs_done: int = 0
    configs: int = 0
    runs_done: int = 0
    runs: int = 0
    epoch: int = 0
    epochs: int = 0
    group_elapsed: float = 0.0
    best_max_wrong: int | None = None
    record_state: str | None = None     # the training record's state (running, finished, diverged, ...)
    where: str = ""                     # on Ray: the cluster
    cpus: int = 0                       # on Ray: the cluster's CPUs


class SweepRunner(Job):
    """Runs a sweep group by group. `steps()` yields SweepProgress; `cancel()` (safe from another
    thread) ends the current group at its next epoch and drops that group's runs; `result`
    holds the finished groups' runs at any time."""

    where = ""      # where the groups run, when not in this process (a Ray cluster)

    def __init__(self, sweep: Sweep, data=None, *, device: str | None = None):
        from aegui.core.data.datasets import load_split
        from aegui.core.train.stacking import most_side_by_side
        from aegui.core.train.memory import check_session
        from aegui.core.train.session import check_fits, resolve_device
        self.sweep = sweep
        self.configs = expand(sweep)
        self.device = device
        self._data = data
        self._datasets: dict = {}
        for c in self.configs:
            if data is None and c.experiment.data not in self._datasets:
                self._datasets[c.experiment.data] = load_split(c.experiment.data)   # (train, held out)

        def max_k(exp):   # on a GPU what fits in its memory; on the CPU a large step alone
            n = len(data if data is not None else self._datasets[exp.data][0])
            rows = min(exp.train.batch_size, n) if exp.train.batch_size > 0 else n
            return most_side_by_side(exp, rows, resolve_device(device or exp.train.device))
        self.groups = plan(sweep, self.configs, max_k)
        for g in self.groups:   # bad data or layers that do not fit fail now, not mid-sweep
            check_fits(g.experiment, self.dataset(g))
            check_session(g.experiment, self.dataset(g), g.k, resolve_device(device or g.experiment.train.device))
        self.sessions_started = 0
        self.result = SweepResult(sweep, self.configs, self.groups)
        self._session = None

    def dataset(self, group: Group):
        """The training data of a group: the one given to the runner, or the loaded split of its data config."""
        return self._data if self._data is not None else self._datasets[group.experiment.data][0]

    def held_out(self, group: Group):
        """The held-out part of a group's data (data.val_split); None when the runner was given its data."""
        return None if self._data is not None else self._datasets[group.experiment.data][1]

    @property
    def n_runs(self) -> int:
        """Trainings over all groups."""
        return sum(g.k for g in self.groups)

    def cancel(self) -> None:
        """Cancels the sweep: the group training now stops at its next epoch and its runs are dropped."""
        super().cancel()
        session = self._session
        if session is not None:
            session.stop()

    def steps(self) -> Iterator[SweepProgress]:
        """Trains the groups one after another and yields progress; each group's runs join the result when it
        ends."""
        from aegui.core.train import progress as P
        from aegui.core.train.session import TrainingSession
        res = self.result
        res.started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        start = time.perf_counter()
        total_work = sum(g.k * g.experiment.train.epochs for g in self.groups) or 1
        work_done = 0
        runs_done = configs_done = 0
        n_groups, n_runs, n_configs = len(self.groups), self.n_runs, len(self.configs)

        def progress(state, group, epoch, epochs, group_elapsed, best=None, rec_state=None):
            frac = work_done / total_work
            if group is not None and state == "running":
                frac += group.k * epoch / total_work
            return SweepProgress(state=state, group=(group.index + 1) if group else None, groups=n_groups,
                                 group_runs=group.k if group else 0,
                                 group_labels=[self.configs[i].label for i in group.configs] if group else [],
                                 configs_done=configs_done, configs=n_configs,
                                 runs_done=runs_done, runs=n_runs, epoch=epoch, epochs=epochs,
                                 elapsed=time.perf_counter() - start, group_elapsed=group_elapsed,
                                 fraction=min(frac, 1.0), best_max_wrong=best, record_state=rec_state)

        for g in self.groups:
            if self.cancelled:
                break
            session = TrainingSession(g.experiment, self.dataset(g), seeds=list(g.seeds), lrs=list(g.lrs),
                                      inits=list(g.inits), momenta=list(g.momenta) or None, device=self.device)
            self.sessions_started += 1
            self._session = session
            if self.cancelled:   # a cancel that came while the session was being built
                session.stop()
            res.device = str(session.device)
            g_start = time.perf_counter()
            epochs, losses, maxw, meanw = [], [], [], []
            rec = None
            for rec in session.steps():
                epochs.append(rec.epoch)
                losses.append(np.array(rec.loss_per_model, dtype=float))
                maxw.append(np.array(rec.max_wrong_per_model, dtype=float))
                meanw.append(np.array(rec.mean_wrong_per_model, dtype=float))
                yield progress("running", g, rec.epoch, rec.total_epochs, rec.elapsed,
                               int(np.min(rec.max_wrong_per_model)), rec.state)
            self._session = None
            g_seconds = time.perf_counter() - g_start
            if rec is None or rec.state == P.STOPPED:
                res.cancelled_group = g.index
                break
            res.group_seconds[g.index] = g_seconds
            extra = sweep_eval.evaluate_group(self.sweep, g, session.model.select, self.held_out(g), self.dataset(g))
            self._store(g, np.array(epochs), np.stack(losses), np.stack(maxw), np.stack(meanw), g_seconds, extra)
            work_done += g.k * g.experiment.train.epochs
            runs_done += g.k
            configs_done += len(g.configs)
            res.seconds = time.perf_counter() - start
            yield progress("group_done", g, rec.epoch, rec.total_epochs, g_seconds,
                           int(np.min(rec.max_wrong_per_model)), rec.state)
        res.cancelled = self.cancelled and runs_done < n_runs
        res.seconds = time.perf_counter() - start
        final = progress("cancelled" if res.cancelled else "finished", None, 0, 0, 0.0)
        final.result = res
        yield final

    def _store(self, g: Group, epochs, losses, maxw, meanw, g_seconds: float, extra) -> None:
        per_config_seen: dict[int, int] = {}
        new = []
        for k in range(g.k):
            c = g.run_configs[k]
            i = per_config_seen.get(c, 0)
            per_config_seen[c] = i + 1
            new.append(self.run_result(g, k, i, epochs, losses[:, k].copy(), maxw[:, k].copy(), meanw[:, k].copy(),
                                       g_seconds / g.k, g_seconds, extra[k]))
        self.add_runs(new)

    def add_runs(self, new: list[RunResult]) -> None:
        """Finished runs join the result, which stays in run order."""
        self.result.runs = sorted(self.result.runs + new, key=lambda r: r.run)

    def run_result(self, g: Group, k: int, i: int, epochs, loss, maxw, meanw, seconds: float, g_seconds: float,
                   extra: dict) -> RunResult:
        """Model k of group g (its config's seed i) as a RunResult, from its curves ([R] each at
        `epochs`)."""
        c = g.run_configs[k]
        final_loss = float(loss[-1])
        return RunResult(
            run=c * self.sweep.seeds + i, config=c, group=g.index, seed=g.seeds[k],
            learning_rate=g.lrs[k], init=g.inits[k], final_loss=final_loss,
            final_max_wrong=int(maxw[-1]), final_mean_wrong=float(meanw[-1]),
            epochs_to_target=epochs_to_target(epochs, maxw, self.sweep.target), epochs=int(epochs[-1]),
            diverged=not math.isfinite(final_loss), seconds=seconds, group_seconds=g_seconds,
            history_epochs=epochs, history_loss=loss, history_max_wrong=maxw, history_mean_wrong=meanw, extra=extra)

    def run(self, on_progress: Callable[[SweepProgress], Any] | None = None) -> SweepResult:
        """Runs the whole sweep, handing each progress to `on_progress`, and returns its result."""
        for p in self.steps():
            if on_progress is not None:
                on_progress(p)
        return self.result


def run_sweep(sweep: Sweep, data=None, on_progress: Callable[[SweepProgress], Any] | None = None,
              *, device: str | None = None) -> Generator[SweepProgress, None, SweepResult]:
    """Generator of SweepProgress (see SweepRunner.steps); the last one has state "finished" or
    "cancelled" and the SweepResult as `result`, which is also the generator's return value.
    Use SweepRunner directly to cancel."""
    runner = SweepRunner(sweep, data, device=device)
    for p in runner.steps():
        if on_progress is not None:
            on_progress(p)
        yield p
    return runner.result
