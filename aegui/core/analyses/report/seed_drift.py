"""Whether a row made again with other CPUs' kernels is another draw of its seeds: each mean over
seeds of the two makes compared with Welch's t.

A glyph network trained for thousands of epochs does not carry a rounding difference along, it
amplifies it: made again with AVX2's or the compatible kernels, one seed's final loss of
000-architectures came out 4x apart, and no relative tolerance holds a number like that. Double
precision does not help (bench/rounding_growth.py: two OpenBLAS kernel sets part by more than 1 %
by epoch 100-200 in float32 and by epoch 250-750 in float64, of 10,000).

What does hold is the row as a sample: the other CPU's seeds are a new draw from the same
training, so each mean over seeds stays within what the seeds' own spread allows. That is tested
here with the report's own test (verdicts/stats.py: Welch's t, on the logarithms where the values
span more than 10x), once for each mean of the row's per-seed numbers, and the row holds when no
mean differs at 5 % after Bonferroni's correction for how many were compared. Unpaired: the same
seed on another CPU is not the same run any more. Two weaknesses, stated on the page with the
result: with 5 seeds a side only a large shift is found (`detects`, in standard deviations of the
seeds), and the correction is conservative where a row's numbers move together (a config's loss
and its wrong pixels). So the count of means that differ at an uncorrected 5 % is shown beside it,
with how many chance alone gives.
"""
from __future__ import annotations

import math
from statistics import median_low
from typing import Iterator

from aegui.core.analyses.report.verdicts.stats import ALPHA, POWER, Sample, compare, noncentrality_for_power

# per-seed fields that are settings or the machine's speed, not what a run measured
NOT_MEASURED = ("seed", "seconds", "epochs", "train_samples", "test_samples")


def per_seed(record: dict) -> Iterator[tuple[str, list]]:
    """(place, per-seed values) of every measured per-seed list in a row's done.json."""
    def walk(value, at):
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "per_seed" and isinstance(item, dict):
                    for field, values in item.items():
                        if field not in NOT_MEASURED and isinstance(values, list):
                            yield f"{at}.per_seed.{field}", values
                else:
                    yield from walk(item, f"{at}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from walk(item, f"{at}[{i}]")
    yield from walk(record.get("measured"), "measured")


def _finite(values: list) -> tuple:
    return tuple(float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)
                 and math.isfinite(v))


def seed_moves(then: dict, now: dict) -> dict:
    """Each mean over seeds of two makes of a row, compared: {"means" (how many were compared:
    both sides with 2 finite values or more, not all alike), "differ" (of them, how many at an
    uncorrected ALPHA), "p" (the smallest p), "where", "what" (that mean's place and its two means),
    "sizes" ({seeds: how many compared means had that many, the fewer of their two sides})}. A
    value that is not a finite number (a target never reached, a diverged run's loss) is left out
    of its side."""
    found = {"means": 0, "differ": 0, "p": 1.0, "where": "", "what": "", "sizes": {}}
    before = dict(per_seed(then))
    for where, values in per_seed(now):
        a, b = _finite(before.get(where, [])), _finite(values)
        if len(a) < 2 or len(b) < 2 or len(set(a + b)) == 1:
            continue
        e = compare(Sample(sum(a) / len(a), n=len(a), values=a), Sample(sum(b) / len(b), n=len(b), values=b))
        found["means"] += 1
        found["differ"] += e.p < ALPHA
        n = str(min(len(a), len(b)))         # a string: the measurement is kept as JSON
        found["sizes"][n] = found["sizes"].get(n, 0) + 1
        if e.p < found["p"] or not found["where"]:
            found.update(p=e.p, where=where, what=f"{_g(a)} against {_g(b)}" + (" (on the log scale)" if e.log else ""))
    return found


def _g(values: tuple) -> str:
    return f"{sum(values) / len(values):.3g}"


def combined(per_variant: list[dict]) -> dict | None:
    """The seed test over every kernel set of a row: the means of all of them counted together
    for the correction. {"means", "differ", "p", "corrected" (p x means, at most 1), "where",
    "what", "holds", "seeds" (the median of the compared means' seeds), "detects" (the shift in the
    seeds' standard deviations that that many seeds a side find with POWER at the corrected level)};
    None where no set compared a mean."""
    made = [v for v in per_variant if v and v.get("means")]
    if not made:
        return None
    means = sum(v["means"] for v in made)
    worst = min(made, key=lambda v: v["p"])
    corrected = min(1.0, worst["p"] * means)
    # a few means rest on fewer seeds (a target some runs never reached): the typical one is stated
    n = median_low([int(k) for v in made for k, count in v["sizes"].items() for _ in range(count)])
    # two independent sides of n seeds: the shift's standard error is sqrt(2 / n) standard deviations; Welch's
    # degrees of freedom lie between n - 1 and 2n - 2: the fewer, so that the shift is found at least that often
    detects = noncentrality_for_power(n - 1, POWER, ALPHA / means) * math.sqrt(2 / n) if n >= 2 else math.inf
    return {"means": means, "differ": sum(v["differ"] for v in made), "p": worst["p"], "corrected": corrected,
            "where": worst["where"], "what": worst["what"], "holds": corrected >= ALPHA, "detects": detects,
            "seeds": n}


def expected_by_chance(means: int) -> float:
    """How many of that many means differ at an uncorrected ALPHA when nothing moved."""
    return means * ALPHA
