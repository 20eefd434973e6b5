"""The one test behind every verdict of the course report: Student's t over the seeds, two-sided at
ALPHA, read as a 95 % confidence interval.

- Two variants that ran the same seeds pair up (the same seed draws the same data order and
  noise, so much of what a seed changes cancels out): a paired t test on the per-seed differences.
- Where every value is positive and they span more than SPAN_FOR_LOG times (losses over orders
  of magnitude), the test runs on their logarithms: the per-seed ratios, averaged as a geometric
  mean, not a ratio of means.
- Variants whose seeds do not pair (or whose seeds are not known: a summary of mean, std and n):
  Welch's t test. A fixed number (the document's, a bar): a one-sample t test against it.

An Estimate is the difference a - b on the test's scale (log: ln a - ln b), its interval, its
p-values and its standard error, from which `detectable` gives the smallest difference the seeds
find with POWER (the minimum detectable effect a row with few seeds states). Pure numpy and
scipy.special (t and noncentral-t distributions), so it runs without torch.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

ALPHA = 0.05
POWER = 0.8
SPAN_FOR_LOG = 10.0


@dataclass(frozen=True)
class Sample:
    """One side of a comparison: the finite per-seed values and their seeds (empty when only a
    summary is known), the summary (mean, population std, n), or a fixed number (`fixed`)."""
    mean: float
    std: float = 0.0              # population std (ddof=0), as the page prints it
    n: int = 1
    values: tuple = ()
    seeds: tuple = ()
    fixed: bool = False

    @property
    def known(self) -> bool:
        """Whether its seeds' own values are known (not only their summary)."""
        return bool(self.values) or self.fixed


@dataclass(frozen=True)
class Estimate:
    """a - b on the test's scale (log: ln a - ln b) with its two-sided (1 - ALPHA) interval."""
    test: str                     # "paired t", "Welch t", "one-sample t" or "fixed numbers"
    log: bool
    n: int                        # the seeds it rests on (the smaller side for Welch)
    diff: float
    low: float
    high: float
    p: float                      # two-sided
    p_below: float                # one-sided: a < b
    p_above: float                # one-sided: a > b
    se: float
    df: float
    n_other: int = 0              # Welch: the other side's seeds

    @property
    def decided(self) -> bool:
        """Whether the interval lies wholly on one side of no difference."""
        return self.high < 0 or self.low > 0

    def detectable(self, power: float = POWER) -> float:
        """The smallest |a - b| (on the test's scale) its seeds find with `power`: the noncentrality
        at which the two-sided t test at ALPHA rejects with that probability, times the standard
        error. NaN where there is no spread to measure it by."""
        if not (self.df > 0 and self.se > 0 and math.isfinite(self.se)):
            return math.nan
        # Welch's degrees of freedom are fractional: to 0.1 they move the effect by under 1 %.
        return noncentrality_for_power(round(self.df, 1), power) * self.se


@lru_cache(maxsize=4096)
def _t_quantile(q: float, df: float) -> float:
    from scipy.special import stdtrit
    return float(stdtrit(df, q))


def _t_cdf(x: float, df: float) -> float:
    from scipy.special import stdtr
    return float(stdtr(df, x))


@lru_cache(maxsize=4096)
def noncentrality_for_power(df: float, power: float = POWER, alpha: float = ALPHA) -> float:
    """The noncentrality δ at which a two-sided t test with `df` degrees of freedom at `alpha`
    rejects with probability `power` (bisection on the noncentral t distribution)."""
    from scipy.special import nctdtr
    crit = _t_quantile(1 - alpha / 2, df)

    def power_at(delta: float) -> float:
        return float(1 - nctdtr(df, delta, crit) + nctdtr(df, delta, -crit))
    lo, hi = 0.0, 1.0
    while power_at(hi) < power:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if power_at(mid) < power else (lo, mid)
    return hi


def on_log_scale(*sides: Sample) -> bool:
    """Whether the values span more than SPAN_FOR_LOG times, all positive: then they compare as
    ratios. Only where every side's own values are known: a mean's logarithm is not the mean of
    the logarithms, so a side known by its summary alone keeps the raw scale."""
    if not all(s.known for s in sides):
        return False
    vals = [v for s in sides for v in (s.values or (s.mean,))]
    return bool(vals) and min(vals) > 0 and max(vals) / min(vals) > SPAN_FOR_LOG


def _estimate(test: str, log: bool, n: int, diff: float, se: float, df: float, n_other: int = 0) -> Estimate:
    if se == 0 or not math.isfinite(se):
        # Every seed gave the same difference: it is known exactly (a whole pixel count, a fixed number).
        p = 1.0 if diff == 0 else 0.0
        below, above = (1.0 if diff >= 0 else 0.0), (1.0 if diff <= 0 else 0.0)
        return Estimate(test, log, n, diff, diff, diff, p, below, above, 0.0, df, n_other)
    t = diff / se
    half = _t_quantile(1 - ALPHA / 2, df) * se
    below = _t_cdf(t, df)
    return Estimate(test, log, n, diff, diff - half, diff + half, min(1.0, 2 * min(below, 1 - below)), below,
                    1 - below, se, df, n_other)


def _scaled(values, log: bool) -> np.ndarray:
    a = np.asarray(values, float)
    return np.log(a) if log else a


def _summary(s: Sample, log: bool) -> tuple[float, float, int]:
    """Mean, sample variance (ddof=1) and n of one side on the test's scale."""
    if s.values:
        a = _scaled(s.values, log)
        return float(a.mean()), float(a.var(ddof=1)) if len(a) > 1 else math.nan, len(a)
    var = s.std ** 2 * s.n / (s.n - 1) if s.n > 1 else math.nan
    return (math.log(s.mean) if log else s.mean), var, s.n


def pairs(a: Sample, b: Sample) -> list[tuple]:
    """(seed, a's value, b's value) for every seed both sides have a value of."""
    if not (a.seeds and b.seeds):
        return []
    other = dict(zip(b.seeds, b.values))
    return [(s, x, other[s]) for s, x in zip(a.seeds, a.values) if s in other]


def compare(a: Sample, b: Sample, log: bool | None = None) -> Estimate:
    """a - b: paired over their common seeds when both have per-seed values (at least two in
    common), else Welch; a fixed side is a one-sample test, two fixed sides a known difference."""
    log = on_log_scale(a, b) if log is None else log
    if a.fixed and b.fixed:
        return _estimate("fixed numbers", log, 0, float(_scaled([a.mean], log)[0] - _scaled([b.mean], log)[0]),
                         0.0, math.inf)
    if a.fixed or b.fixed:
        free, value, sign = (b, a.mean, -1) if a.fixed else (a, b.mean, 1)
        m, var, n = _summary(free, log)
        diff = sign * (m - float(_scaled([value], log)[0]))
        return _estimate("one-sample t", log, n, diff, math.sqrt(var / n) if n > 1 else math.nan, n - 1)
    both = pairs(a, b)
    if len(both) >= 2:
        d = _scaled([x for _, x, _ in both], log) - _scaled([y for _, _, y in both], log)
        n = len(d)
        return _estimate("paired t", log, n, float(d.mean()), float(d.std(ddof=1) / math.sqrt(n)), n - 1)
    (ma, va, na), (mb, vb, nb) = _summary(a, log), _summary(b, log)
    if na < 2 or nb < 2:
        return _estimate("Welch t", log, min(na, nb), ma - mb, math.nan, math.nan, max(na, nb))
    ea, eb = va / na, vb / nb
    se = math.sqrt(ea + eb)
    # Welch-Satterthwaite; one side without spread leaves the other's degrees of freedom.
    df = (ea + eb) ** 2 / ((ea ** 2 / (na - 1) if ea else 0.0) + (eb ** 2 / (nb - 1) if eb else 0.0)) if se else math.inf
    return _estimate("Welch t", log, min(na, nb), ma - mb, se, df, max(na, nb))


def mean_interval(a: Sample, log: bool) -> tuple[float, float, float]:
    """a's mean (on a log scale: its geometric mean) with its (1 - ALPHA) interval, on a's own scale."""
    e = compare(a, Sample(1.0 if log else 0.0, fixed=True), log)
    back = math.exp if log else float
    return back(e.diff), back(e.low), back(e.high)
