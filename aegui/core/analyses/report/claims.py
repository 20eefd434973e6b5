"""Helpers of the report's checks: a finding (a document's claim against aegui's measurement),
verdicts over seeds (`Spread`, `lower`, `near`, `all_of`), rows picked by label, best / worst, and
the generic summary of a result's numbers."""
from __future__ import annotations

import math
from dataclasses import dataclass

from aegui.core.analyses.report.figures import fmt

MIN_SEEDS = 3
# The one rule every comparative check follows; the page states it.
SPREAD_RULE = ("Numbers are the mean ± the standard deviation over the seeds (population std, ddof=0). A comparison "
               "agrees or differs only when at least 3 seeds ran and the gap between the two means is larger than "
               "the spread, the sum of their two standard deviations (their ±1 std bars do not touch); otherwise it "
               "is too close to call. A number the document gives is compared within a stated tolerance, in the "
               "document's units: it agrees within the tolerance and differs only when it is off by more than the "
               "tolerance plus its spread.")


def finding(claim: str, measured: str, agrees, close: bool = False) -> dict:
    out = {"claim": claim, "measured": measured, "agrees": agrees}
    if close:
        out["close"] = True
    return out


# ---------------------------------------------------------------- verdicts over seeds

@dataclass(frozen=True)
class Spread:
    """One measured number over the seeds: its mean, standard deviation and how many seeds ran.
    `failed`: the sentence saying that the model it measures did not train (no run of it counts,
    report/health.py), which makes every comparison with it not comparable."""
    mean: float
    std: float = 0.0
    n: int = 1
    failed: str = ""

    def __str__(self) -> str:
        if self.failed:
            return "(did not train)"
        if not math.isfinite(self.mean):
            return "n/a"
        return f"{fmt(self.mean)} ± {fmt(self.std, 2)}"


def spread(row: dict, key: str) -> Spread:
    """`key` over the seeds of one row: a sweep's config row (key_mean, key_std, n_runs) or a compare
    row or model measure (key, key_std, runs), over the runs that count (report/health.py); a row
    none of whose runs trained carries its `failed` sentence."""
    if f"{key}_mean" in row:
        mean, n = row[f"{key}_mean"], row.get("n_runs", 1)
    else:
        # A run that diverged has no final measures: its spread is unknown (NaN), not an error.
        mean, n = row.get(key), row.get("runs", 1)
    std = row.get(f"{key}_std")
    return Spread(math.nan if mean is None else float(mean), 0.0 if std is None else float(std), int(n),
                  str(row.get("failed") or ""))


def not_comparable(*spreads: Spread) -> Verdict | None:
    """The verdict of a comparison that rests on a model that did not train, or None."""
    why = "; ".join(dict.fromkeys(s.failed for s in spreads if s.failed))
    return Verdict(None, f"not comparable: {why}", comparable=False) if why else None


def seeds_needed(n: int) -> str:
    """Why fewer than MIN_SEEDS seeds decide nothing, in the words every verdict uses."""
    return f"spread unknown: {n} seed{'s' if n != 1 else ''}, {MIN_SEEDS} needed"


@dataclass(frozen=True)
class Verdict:
    """Whether a claim holds (True / False) or is too close to call (None), and why in words."""
    holds: bool | None
    note: str
    comparable: bool = True     # False: it rests on a model that did not train

    @property
    def close(self) -> bool:
        return self.holds is None and self.comparable


def lower(a: Spread, b: Spread) -> Verdict:
    """Is `a` below `b`? Decided only when both have MIN_SEEDS seeds and the gap between the means
    exceeds the spread (the sum of the two standard deviations)."""
    failed = not_comparable(a, b)
    if failed is not None:
        return failed
    gap, s = abs(a.mean - b.mean), a.std + b.std
    if not (math.isfinite(a.mean) and math.isfinite(b.mean)):
        return Verdict(None, "too close to call (a mean is missing)")
    seeds = min(a.n, b.n)
    if seeds < MIN_SEEDS:
        return Verdict(None, f"too close to call (gap {fmt(gap, 2)}, {seeds_needed(seeds)})")
    if gap <= s:
        return Verdict(None, f"too close to call (gap {fmt(gap, 2)}, spread {fmt(s, 2)})")
    return Verdict(a.mean < b.mean, f"gap {fmt(gap, 2)} > spread {fmt(s, 2)}")


def near(m: Spread, doc: float, tol: float) -> Verdict:
    """Is the measured mean the document's number within `tol` (in the document's units)? Decided
    only with MIN_SEEDS seeds; it differs only when it is off by more than tol plus its standard
    deviation."""
    failed = not_comparable(m)
    if failed is not None:
        return failed
    off = abs(m.mean - doc)
    if not math.isfinite(off):
        return Verdict(None, f"too close to call (no measured value for {fmt(doc, 4)})")
    if m.n < MIN_SEEDS:
        return Verdict(None, f"too close to call (|{fmt(m.mean, 4)} - {fmt(doc, 4)}| = {fmt(off, 2)}, "
                             f"{seeds_needed(m.n)})")
    if off <= tol:
        return Verdict(True, f"|{fmt(m.mean, 4)} - {fmt(doc, 4)}| = {fmt(off, 2)} <= tolerance {fmt(tol, 2)}")
    if off - tol > m.std:
        return Verdict(False, f"|{fmt(m.mean, 4)} - {fmt(doc, 4)}| = {fmt(off, 2)} > tolerance {fmt(tol, 2)} "
                              f"+ spread {fmt(m.std, 2)}")
    return Verdict(None, f"too close to call (|{fmt(m.mean, 4)} - {fmt(doc, 4)}| = {fmt(off, 2)}, tolerance "
                         f"{fmt(tol, 2)}, spread {fmt(m.std, 2)})")


def all_of(verdicts: list[Verdict]) -> Verdict:
    """A claim made of several comparisons: it differs if one differs, is too close if one is,
    and agrees only when every one does."""
    holds = [v.holds for v in verdicts]
    result = False if False in holds else None if None in holds else True
    # One part resting on a model that did not train leaves the claim not comparable, unless
    # another part already differs.
    return Verdict(result, "; ".join(v.note for v in verdicts), result is False or all(v.comparable for v in verdicts))


def any_of(verdicts: list[Verdict]) -> Verdict:
    """A claim that holds when one of several comparisons holds: it agrees if one agrees, differs
    only when every one differs, and is too close otherwise."""
    holds = [v.holds for v in verdicts]
    result = True if True in holds else None if None in holds else False
    return Verdict(result, "; ".join(v.note for v in verdicts), result is True or all(v.comparable for v in verdicts))


def every(flags: list[bool], what: str) -> Verdict:
    """A yes / no measured on each seed (e.g. "the curve still falls"): it agrees when every one of at
    least MIN_SEEDS seeds says yes, differs when none does, and is too close when the seeds disagree."""
    n, yes = len(flags), sum(bool(f) for f in flags)
    if n < MIN_SEEDS:
        return Verdict(None, f"too close to call ({what} in {yes} of {n}; {seeds_needed(n)})")
    if yes in (0, n):
        return Verdict(yes == n, f"{what} in {yes} of {n} seeds")
    return Verdict(None, f"too close to call ({what} in {yes} of {n} seeds)")


def prior_like(norm: Spread, std: Spread) -> Verdict:
    """Codes that follow N(0, I): their mean's length under 0.5 and their std between 0.3 and 1.5."""
    return all_of([lower(norm, Spread(0.5, 0.0, norm.n)), lower(Spread(0.3, 0.0, std.n), std),
                   lower(std, Spread(1.5, 0.0, std.n))])


def judged(claim: str, measured: str, v: Verdict) -> dict:
    """A finding whose verdict is `v`, the gap and spread (or why it is too close) after the numbers."""
    return finding(claim, f"{measured} ({v.note})" if not v.close else f"{measured}; {v.note}", v.holds, v.close)


def ranked_first(rows: list[dict], key: str, name, highest: bool = False) -> Verdict:
    """Is the row `name(row)` picks the lowest (or the highest) on `key`, beyond the spread of
    every other row?"""
    mine = [r for r in rows if name(r)]
    if not mine:
        return Verdict(False, "no such row")
    me = spread(mine[0], key)
    return all_of([lower(spread(r, key), me) if highest else lower(me, spread(r, key))
                   for r in rows if r is not mine[0]])


# ---------------------------------------------------------------- helpers

def configs(m: dict) -> list[dict]:
    return m.get("configs", [])


def runs(m: dict) -> list[dict]:
    return m.get("runs", [])


def by(rows: list[dict], needle: str) -> dict:
    """The row whose label contains `needle` (the first)."""
    found = [r for r in rows if needle in r["label"]]
    if not found:
        raise KeyError(f"no row labelled like {needle!r} among {[r['label'] for r in rows]}")
    return found[0]


def val(r: dict, key: str):
    v = r.get(key)
    return math.nan if v is None else float(v)


def best(rows: list[dict], key: str) -> dict:
    return min(rows, key=lambda r: (not math.isfinite(val(r, key)), val(r, key)))


def worst(rows: list[dict], key: str) -> dict:
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
    return label.split("layers=")[1].split(",")[0] if "layers=" in label else label
