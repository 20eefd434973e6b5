"""The `search` block of a sweep JSON: train a budget of configs picked by Optuna instead of all.

::

    "search": {"trials": 20,              # configs to train (each with the sweep's `seeds`)
               "sampler": "tpe",          # "tpe" (default) or "random"
               "seed": 0,                 # the sampler's seed: the same file picks the same trials
               "pruner": "median",        # "median" (default) or "none"
               "startup_trials": 5,       # trials that finish before any is pruned
               "warmup_epochs": 300,      # epochs a trial always trains before it may be pruned
               "parallel": 2,             # trials at once on Ray (default: the cluster's CPUs)
               "ranges": {"train.learning_rate": {"low": 0.01, "high": 1.0, "log": true}}}

The space is the sweep's `vary` (each list a categorical choice) plus `ranges` (numbers drawn
between low and high, log-uniform with "log": true). Only validation lives here: sweep.py
imports this module, the Optuna runner is analyses/sweeps/search.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from aegui.core.schema.experiment import ConfigError, shown

MAX_TRIALS = 100_000
SAMPLERS = ("tpe", "random")
PRUNERS = ("median", "none")
_KEYS = ("trials", "sampler", "seed", "pruner", "startup_trials", "warmup_epochs", "parallel", "ranges")


@dataclass(frozen=True)
class Range:
    """A continuous or whole-number range a search draws a field from, on a log scale when `log`."""
    low: float
    high: float
    log: bool = False
    integer: bool = False

    def to_dict(self) -> dict:
        """As the sweep file writes it."""
        out = {"low": self.low, "high": self.high}
        if self.log:
            out["log"] = True
        return out


@dataclass(frozen=True)
class SearchSpec:
    """A sweep's `search` block: how many Optuna trials, the sampler and pruner, and the ranges searched besides
    the listed values."""
    trials: int
    sampler: str = "tpe"
    seed: int = 0
    pruner: str = "median"
    startup_trials: int = 5
    warmup_epochs: int | None = None     # None: a tenth of the epochs
    parallel: int | None = None          # None: the Ray cluster's CPUs (1 locally)
    ranges: dict[str, Range] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """As the sweep file writes it, the defaults left out."""
        out = {"trials": self.trials, "sampler": self.sampler, "seed": self.seed, "pruner": self.pruner,
               "startup_trials": self.startup_trials}
        if self.warmup_epochs is not None:
            out["warmup_epochs"] = self.warmup_epochs
        if self.parallel is not None:
            out["parallel"] = self.parallel
        if self.ranges:
            out["ranges"] = {k: r.to_dict() for k, r in self.ranges.items()}
        return out


def _whole(raw: dict, key: str, low: int, high: int, source, default=None):
    value = raw.get(key, default)
    if value is None and default is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigError(f"search.{key}", f"must be a whole number from {low} to {high}, got {shown(value)}", source)
    return value


def parse_search(raw, source: str | None, field_type: Callable[[str], str], vary: dict) -> SearchSpec:
    """Validate the block; field_type(dotted) names a field's type or raises (sweep.py's check)."""
    if not isinstance(raw, dict):
        raise ConfigError("search", 'must be an object such as {"trials": 20, "sampler": "tpe"}', source)
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise ConfigError(f"search.{unknown[0]}", f"unknown key; search has: {', '.join(_KEYS)}", source)
    if "trials" not in raw:
        raise ConfigError("search.trials", "missing: how many configs to train", source)
    trials = _whole(raw, "trials", 1, MAX_TRIALS, source)
    sampler = raw.get("sampler", "tpe")
    if sampler not in SAMPLERS:
        raise ConfigError("search.sampler", f"must be one of {', '.join(SAMPLERS)}, got {shown(sampler)}", source)
    pruner = raw.get("pruner", "median")
    if pruner not in PRUNERS:
        raise ConfigError("search.pruner", f"must be one of {', '.join(PRUNERS)}, got {shown(pruner)}", source)
    ranges_raw = raw.get("ranges", {})
    if not isinstance(ranges_raw, dict):
        raise ConfigError("search.ranges", 'must be an object: dotted field -> {"low": .., "high": ..}', source)
    ranges = {}
    for key, r in ranges_raw.items():
        where = f"search.ranges.{key}"
        type_ = field_type(key)
        if key in vary:
            raise ConfigError(where, "is also in `vary`; give it a list there or a range here, not both", source)
        if type_ not in ("float", "int"):
            raise ConfigError(where, f"only number fields take a range; this one is {type_}; list its values "
                              "in `vary`", source)
        if not isinstance(r, dict) or set(r) - {"low", "high", "log"} or not {"low", "high"} <= set(r):
            raise ConfigError(where, 'must be {"low": number, "high": number} with an optional "log": true', source)
        low, high, log = r["low"], r["high"], r.get("log", False)
        nums = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high))
        if not nums or not low < high:
            raise ConfigError(where, f"low must be a number below high, got {shown(low)} and {shown(high)}", source)
        if not isinstance(log, bool) or (log and low <= 0):
            raise ConfigError(where, "log must be true or false, and a log range needs low > 0", source)
        if type_ == "int" and not (float(low).is_integer() and float(high).is_integer()):
            raise ConfigError(where, f"{key} is a whole number: give whole low and high", source)
        ranges[key] = Range(low, high, log, type_ == "int")
    return SearchSpec(
        trials=trials, sampler=sampler, seed=_whole(raw, "seed", 0, 2**32 - 1, source, 0), pruner=pruner,
        startup_trials=_whole(raw, "startup_trials", 0, MAX_TRIALS, source, 5),
        warmup_epochs=_whole(raw, "warmup_epochs", 0, 10**9, source),
        parallel=_whole(raw, "parallel", 1, 10_000, source), ranges=ranges)
