"""Helpers of the report's checks: a finding (a document's claim against aegui's measurement),
verdicts over seeds (`Spread`, `lower`, `near`, `all_of`, `any_of`: each one test of stats.py),
numbers in a unit the document does not state (`unit_unstated`), rows picked by label, best /
worst, and the generic summary of a result's numbers.

A check gets each variant's runs as the report measured them (render.py's rows: per seed where
the row keeps its seeds' values in "per_seed", else their mean, std and count); which runs count
(a diverged or dead run left out) is decided before, where the rows are made."""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

from aegui.core.analyses.report.verdicts import stats as S
from aegui.core.analyses.report.figures.figures import fmt

# The numerics revision of the report's verdict rules (with checks.py): bump it with any change to
# the numbers computed here (docs/numerics.md; the report's rows that use it are then made again).
NUMERICS = 2

MIN_SEEDS = 3          # a verdict needs this many seeds
FULL_SEEDS = 5         # rows under 30 minutes run at least this many; a row with fewer states what it can detect
# The one rule every verdict follows; the page states it.
VERDICT_RULE = (
    "Numbers are the mean ± the standard deviation over the seeds (population std, ddof=0). Every verdict is one "
    "test, Student's t at the 5 % level (two-sided), shown with its 95 % confidence interval and p-value: two "
    "variants that ran the same seeds are paired seed by seed (a paired t test on the per-seed differences), on "
    "the logarithms of the values (per-seed ratios, averaged as a geometric mean) where the values are positive "
    "and span more than 10 times; variants that do not pair are compared by Welch's t test, and a measurement "
    "against a fixed number (the document's, or a bar such as 1 wrong pixel) by a one-sample t test. A comparison "
    "agrees or differs when its interval lies wholly on one side of no difference and is too close to call when it "
    "covers it; a document's number agrees when the interval lies within the stated tolerance and differs when it "
    "lies wholly outside it. A claim made of k comparisons agrees when each one agrees and differs when one "
    "differs at 5 %/k (Bonferroni). A verdict needs 3 seeds; rows that take under 30 minutes run at least 5 (20 "
    "where 5 left a verdict that changed on another CPU's kernels), and a row with fewer says the smallest "
    "difference its seeds find 80 % of the time. A number the document gives in a "
    "unit it does not state, where its text does not fix it either, is not comparable (unit unstated).")


def finding(claim: str, measured: str, agrees, close: bool = False) -> dict:
    """One row of a check's findings: the claim, what aegui measured, and whether it agrees (True, False or
    None: not decided)."""
    out = {"claim": claim, "measured": measured, "agrees": agrees}
    if close:
        out["close"] = True
    return out


def unit_unstated(claim: str, measured: str, assumed: str) -> dict:
    """A document's number whose unit neither it nor its text states: not compared, and the
    reading aegui would have to assume said."""
    return finding(claim, f"{measured} (not comparable, unit unstated: {assumed})", None)


# ---------------------------------------------------------------- one side of a comparison

@dataclass(frozen=True)
class Spread(S.Sample):
    """One measured number over the seeds: each seed's value (where the row keeps them) and their
    mean, population std and count; or a fixed number (`fixed`: the document's, a bar).
    `failed`: the sentence saying that the model it measures did not train (no run of it counts),
    which makes every comparison with it not comparable."""
    failed: str = ""

    def __str__(self) -> str:
        if self.failed:
            return "(did not train)"
        if not math.isfinite(self.mean):
            return "n/a"
        return fmt(self.mean) if self.fixed else f"{fmt(self.mean)} ± {fmt(self.std, 2)}"


def const(value: float) -> Spread:
    """A fixed number: the document's, or a bar such as 1 wrong pixel."""
    return Spread(float(value), 0.0, 0, fixed=True)


def of_values(values, seeds=None) -> Spread:
    """A Spread of per-seed values (None or NaN where a seed has none: left out), by seed."""
    seeds = list(range(len(values))) if seeds is None else list(seeds)
    got = [(s, float(v)) for s, v in zip(seeds, values) if v is not None and math.isfinite(float(v))]
    if not got:
        return Spread(math.nan, 0.0, 0)
    vals = [v for _, v in got]
    mean = sum(vals) / len(vals)
    std = math.sqrt(sum((v - mean) ** 2 for v in vals) / len(vals))
    return Spread(mean, std, len(vals), tuple(vals), tuple(s for s, _ in got))


def spread(row: dict, key: str) -> Spread:
    """`key` over the seeds of one row: each seed's value where the row keeps them (row["per_seed"]:
    {"seed": [...], key: [...]}), else its summary: a sweep's config row (key_mean, key_std,
    n_runs) or a compare row or model measure (key, key_std, runs)."""
    failed = str(row.get("failed") or "")
    per = row.get("per_seed") or {}
    if per.get(key) is not None:
        return replace(of_values(per[key], per.get("seed")), failed=failed)
    if f"{key}_mean" in row:
        mean, n = row[f"{key}_mean"], row.get("n_runs", 1)
    else:
        # A run that diverged has no final measures: its spread is unknown (NaN), not an error.
        mean, n = row.get(key), row.get("runs", 1)
    std = row.get(f"{key}_std")
    return Spread(math.nan if mean is None else float(mean), 0.0 if std is None else float(std), int(n),
                  failed=failed)


def curve_at(row: dict, which: str, i: int) -> Spread:
    """A compare row's `which` ("train" or "test") loss at its i-th check over the seeds: each
    seed's curve where the row keeps them (seed_<which>_curves), else the mean curve ± its std."""
    failed = str(row.get("failed") or "")
    curves = row.get(f"seed_{which}_curves")
    if curves:
        seeds = (row.get("per_seed") or {}).get("seed") or list(range(len(curves)))
        return replace(of_values([c[i] if i < len(c) else None for c in curves], seeds), failed=failed)
    mean, std = row.get(f"{which}_curve") or [], row.get(f"{which}_curve_std") or []
    value = mean[i] if i < len(mean) and mean[i] is not None else math.nan
    sd = std[i] if i < len(std) and std[i] is not None else 0.0
    return Spread(float(value), float(sd), int(row.get("runs", 1)), failed=failed)


def scaled(s: Spread, k: float) -> Spread:
    """k times every seed's value (a claim of "ten times the balanced one")."""
    return replace(s, mean=k * s.mean, std=abs(k) * s.std, values=tuple(k * v for v in s.values))


def minus(a: Spread, b: Spread) -> Spread:
    """a - b seed by seed (two measures of the same runs); from summaries alone the std of a
    difference is at most the two stds added, so that bound stands in."""
    both = S.pairs(a, b)
    failed = a.failed or b.failed
    if both:
        return replace(of_values([x - y for _, x, y in both], [s for s, _, _ in both]), failed=failed)
    return Spread(a.mean - b.mean, a.std + b.std, min(a.n, b.n), failed=failed)


def seeds_needed(n: int) -> str:
    """Why fewer than MIN_SEEDS seeds decide nothing, in the words every verdict uses."""
    return f"{n} seed{'s' if n != 1 else ''}, {MIN_SEEDS} needed"


# ---------------------------------------------------------------- verdicts

@dataclass(frozen=True)
class Verdict:
    """Whether a claim holds (True / False) or is too close to call (None), why in words, and the
    one-sided p-values of the evidence for and against it (a claim of several comparisons combines
    them: see all_of)."""
    holds: bool | None
    note: str
    p_for: float = math.nan
    p_against: float = math.nan
    comparable: bool = True     # False: it rests on a model that did not train
    tested: bool = False        # its p-values come from a test (not a verdict stated outright)

    def __post_init__(self):
        # A verdict stated outright (no test behind it: "not in the grid") is certain.
        if math.isnan(self.p_for):
            object.__setattr__(self, "p_for", 0.0 if self.holds is True else 1.0)
        if math.isnan(self.p_against):
            object.__setattr__(self, "p_against", 0.0 if self.holds is False else 1.0)

    @property
    def close(self) -> bool:
        """Too close to call: undecided, yet resting on models that trained."""
        return self.holds is None and self.comparable

    @property
    def p(self) -> float | None:
        """The two-sided p-value of the test behind it (of its direction where decided), or None."""
        if not (self.tested and self.comparable):
            return None
        one = self.p_for if self.holds is True else self.p_against if self.holds is False else min(self.p_for,
                                                                                                    self.p_against)
        return min(1.0, 2 * one)


def not_comparable(*spreads: Spread) -> Verdict | None:
    """The verdict of a comparison that rests on a model that did not train, or None."""
    why = "; ".join(dict.fromkeys(s.failed for s in spreads if s.failed))
    return Verdict(None, f"not comparable: {why}", 1.0, 1.0, comparable=False) if why else None


def _decide(p_for: float, p_against: float) -> bool | None:
    """Two-sided at ALPHA: each direction one-sided at ALPHA / 2 (the 95 % interval's two ends)."""
    return True if p_for <= S.ALPHA / 2 else False if p_against <= S.ALPHA / 2 else None


def p_text(p: float) -> str:
    """A p-value as the report prints it: "p < 0.001", else two significant digits, and more where two
    would round it onto or across the 5 % line its verdict is drawn at (0.047 is "p = 0.047" beside an
    "agrees", not "p = 0.05"; 0.0496 is "p = 0.0496")."""
    if p < 0.001:
        return "p < 0.001"
    for digits in range(2, 7):
        text = f"{p:.{digits}g}"
        shown = float(text)
        if (shown <= S.ALPHA) == (p <= S.ALPHA) and (shown != S.ALPHA or p == S.ALPHA):
            break
    return f"p = {text}"


def _seeds_text(e: S.Estimate) -> str:
    if e.test == "Welch t":
        return f"{e.n} and {e.n_other} seeds"
    return f"{e.n} seed{'s' if e.n != 1 else ''}"


def described(e: S.Estimate) -> str:
    """An estimate in words: which test, on how many seeds, the difference (a ratio on logs) with its
    95 % interval and p-value; below FULL_SEEDS seeds, the smallest one they detect 80 % of the time."""
    if e.test == "fixed numbers":
        value = f"ratio {fmt(math.exp(e.diff), 3)}" if e.log else f"difference {fmt(e.diff, 3)}"
        return f"fixed numbers, no seed changes them: {value}"
    scale = " on logs" if e.log else ""
    if e.se == 0:
        value = f"ratio {fmt(math.exp(e.diff), 3)}" if e.log else f"difference {fmt(e.diff, 3)}"
        return f"{e.test}{scale}, {_seeds_text(e)}: {value} in every seed (no spread)"
    back = math.exp if e.log else float
    what = "ratio" if e.log else "difference"
    text = (f"{e.test}{scale}, {_seeds_text(e)}: {what} {fmt(back(e.diff), 3)} (95 % CI {fmt(back(e.low), 2)} to "
            f"{fmt(back(e.high), 2)}), {p_text(e.p)}")
    if e.n < FULL_SEEDS:
        mde = e.detectable()
        if math.isfinite(mde):
            size = f"factor of {fmt(math.exp(mde), 2)}" if e.log else f"difference of {fmt(mde, 2)}"
            text += f"; {e.n} seeds detect a {size} or more (80 % power)"
    return text


def _too_few(e: S.Estimate) -> str | None:
    if not math.isfinite(e.diff):
        return "too close to call (a value is missing)"
    if e.test == "fixed numbers":
        return None
    if e.n < MIN_SEEDS:
        return f"too close to call ({seeds_needed(e.n)})"
    return None


def lower(a: Spread, b: Spread) -> Verdict:
    """Is `a` below `b`? The test of stats.compare on a - b: paired by seed where both keep their
    seeds' values, on logs where the values span more than 10 times."""
    failed = not_comparable(a, b)
    if failed is not None:
        return failed
    e = S.compare(a, b)
    short = _too_few(e)
    if short:
        return Verdict(None, short, 1.0, 1.0)
    holds = _decide(e.p_below, e.p_above)
    note = described(e)
    return Verdict(holds, note if holds is not None else f"too close to call ({note})", e.p_below, e.p_above,
                   tested=True)


def near(m: Spread, doc: float, tol: float) -> Verdict:
    """Is the measured mean the document's number within `tol` (in the document's units)? It agrees
    when its 95 % interval lies within doc ± tol, differs when the interval lies wholly outside it
    (two one-sided tests), and is too close to call otherwise."""
    failed = not_comparable(m)
    if failed is not None:
        return failed
    lo, hi = S.compare(m, const(doc - tol), log=False), S.compare(m, const(doc + tol), log=False)
    at = S.compare(m, const(doc), log=False)
    short = _too_few(at)
    if short:
        return Verdict(None, short.replace("(", f"(|{fmt(m.mean, 4)} - {fmt(doc, 4)}| = "
                                           f"{fmt(abs(m.mean - doc), 2)}, ", 1), 1.0, 1.0)
    p_for, p_against = max(lo.p_above, hi.p_below), min(lo.p_below, hi.p_above)
    holds = _decide(p_for, p_against)
    where = {True: "within", False: "outside", None: "reaching across"}[holds]
    note = (f"one-sample t, {at.n} seeds: mean {fmt(m.mean, 4)} (95 % CI {fmt(doc + at.low, 4)} to "
            f"{fmt(doc + at.high, 4)}) {where} {fmt(doc, 4)} ± tolerance {fmt(tol, 2)}")
    return Verdict(holds, note if holds is not None else f"too close to call ({note})", p_for, p_against,
                   tested=True)


def _notes(verdicts: list[Verdict]) -> str:
    """The parts' notes, each once (forty "1 seed, 3 needed" say it once, with how many)."""
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v.note] = counts.get(v.note, 0) + 1
    return "; ".join(note if k == 1 else f"{note} (x{k})" for note, k in counts.items())


def all_of(verdicts: list[Verdict]) -> Verdict:
    """A claim made of several comparisons: it agrees only when every one does (each at ALPHA: the
    claim needs them all), differs when one differs at ALPHA / k (Bonferroni over the k chances to
    differ), and is too close to call otherwise."""
    if not verdicts:
        return Verdict(None, "too close to call (nothing to compare)", 1.0, 1.0)
    k = len(verdicts)
    p_for, p_against = max(v.p_for for v in verdicts), min(1.0, k * min(v.p_against for v in verdicts))
    result = _decide(p_for, p_against)
    # One part resting on a model that did not train leaves the claim not comparable, unless
    # another part already differs.
    return Verdict(result, _notes(verdicts), p_for, p_against, result is False or all(v.comparable for v in verdicts),
                   any(v.tested for v in verdicts))


def any_of(verdicts: list[Verdict]) -> Verdict:
    """A claim that holds when one of several comparisons holds: it agrees when one agrees at
    ALPHA / k (Bonferroni), differs only when every one differs, and is too close otherwise."""
    if not verdicts:
        return Verdict(None, "too close to call (nothing to compare)", 1.0, 1.0)
    k = len(verdicts)
    p_for, p_against = min(1.0, k * min(v.p_for for v in verdicts)), max(v.p_against for v in verdicts)
    result = _decide(p_for, p_against)
    return Verdict(result, _notes(verdicts), p_for, p_against, result is True or all(v.comparable for v in verdicts),
                   any(v.tested for v in verdicts))


def prior_like(norm: Spread, std: Spread) -> Verdict:
    """Codes that follow N(0, I): their mean's length under 0.5 and their std between 0.3 and 1.5."""
    return all_of([lower(norm, const(0.5)), lower(const(0.3), std), lower(std, const(1.5))])


def judged(claim: str, measured: str, v: Verdict) -> dict:
    """A finding whose verdict is `v`, the test and its interval (or why it is too close) after the
    numbers, and its p-value (the page's table shows it beside the verdict)."""
    out = finding(claim, f"{measured} ({v.note})" if not v.close else f"{measured}; {v.note}", v.holds, v.close)
    if v.p is not None:
        out["p"] = v.p
    return out


def ranked_first(rows: list[dict], key: str, name, highest: bool = False) -> Verdict:
    """Is the row `name(row)` picks the lowest (or the highest) on `key`, below (above) every
    other row by the test?"""
    mine = [r for r in rows if name(r)]
    if not mine:
        return Verdict(False, "no such row")
    me = spread(mine[0], key)
    return all_of([lower(spread(r, key), me) if highest else lower(me, spread(r, key))
                   for r in rows if r is not mine[0]])


# ---------------------------------------------------------------- helpers

def configs(m: dict) -> list[dict]:
    """The per-config rows of a sweep's measured numbers."""
    return m.get("configs", [])


def runs(m: dict) -> list[dict]:
    """The per-run rows of a row's measured numbers."""
    return m.get("runs", [])


def by(rows: list[dict], needle: str) -> dict:
    """The row whose label contains `needle` (the first)."""
    found = [r for r in rows if needle in r["label"]]
    if not found:
        raise KeyError(f"no row labelled like {needle!r} among {[r['label'] for r in rows]}")
    return found[0]


def val(r: dict, key: str):
    """A row's value as a float; NaN when it is missing."""
    v = r.get(key)
    return math.nan if v is None else float(v)


def best(rows: list[dict], key: str) -> dict:
    """The row with the lowest finite `key` (rows without one last)."""
    return min(rows, key=lambda r: (not math.isfinite(val(r, key)), val(r, key)))


def worst(rows: list[dict], key: str) -> dict:
    """The row with the highest finite `key` (rows without one first, so never picked while one has it)."""
    return max(rows, key=lambda r: (math.isfinite(val(r, key)), val(r, key)))


def generic(m: dict) -> str:
    """The row's numbers in one paragraph: each variant's means over the runs that count, with the
    sentence saying which were left out (report/health.py), or why none counts."""
    def named(r) -> str:
        return r["label"] + (f" ({r['health_note']})" if r.get("health_note") else "")

    if "configs" in m:
        rows = configs(m)
        return "; ".join(f"{named(r)}" if r.get("failed") else
                         f"{named(r)}: loss {fmt(r.get('final_loss_mean'))} ± {fmt(r.get('final_loss_std'), 2)}, "
                         f"{fmt(r.get('final_mean_wrong_mean'))} wrong px per glyph (max {fmt(r.get('final_max_wrong_mean'))})"
                         for r in rows)
    if "runs" in m:
        def pm(r, key):       # mean, and its spread once there are seeds to spread over
            std = r.get(f"{key}_std")
            if r.get(key) is None:      # every run counted diverged before it (a failure the document expects)
                return "none finite"
            return fmt(r.get(key)) + (f" ± {fmt(std, 2)}" if r.get("runs", 1) > 1 and std is not None else "")
        parts = []
        for r in runs(m):
            if r.get("failed"):
                parts.append(named(r))
                continue
            test = f", test {pm(r, 'final_test_loss')}" if r.get("final_test_loss") is not None else ""
            wrong = f", {pm(r, 'train_mean_wrong')} wrong px" if "train_mean_wrong" in r else ""
            parts.append(f"{named(r)}: train loss {pm(r, 'final_train_loss')}{test}{wrong}")
        seeds = sorted({r.get("seeds", r.get("runs", 1)) for r in runs(m)})
        head = f"mean ± std over {'/'.join(map(str, seeds))} seeds: " if seeds and seeds[-1] > 1 else ""
        return head + "; ".join(parts)
    if "stages" in m:
        return "; ".join(f"{k}: {v.get('health_note')}" if v.get("failed") else
                         f"{k}: test accuracy {v['accuracy']:.3f}" + (f" ({v['health_note']})" if v.get("health_note")
                                                                      else "") for k, v in m["stages"].items())
    return ""


def arch(label: str) -> str:
    """The layers of a config label ("layers=35-25-10-2, ..." -> "35-25-10-2"); the label itself when it names
    none."""
    return label.split("layers=")[1].split(",")[0] if "layers=" in label else label
