"""How far a row made again moved from the row on the page: every number of its done.json, its
tables and its page text compared, each relative to its own size, and its verdicts side by side.

The same code, data and libraries give other rounding on another CPU (MKL and OpenBLAS pick their
matrix kernels by instruction set), and a training of a few thousand steps carries it on. A
spread (a standard deviation over seeds: a `*_std` field, a number written after "±") is the
difference of numbers that each moved that much, so it is held to the size of the number it
spreads, not of itself: 0.00096 against 0.00099 for a loss of 0.275 is a move of 0.01 % of that
loss. Likewise an estimate printed with its confidence interval ("difference -1.7e-05 (95 % CI
-0.034 to 0.034)") and the interval's ends are held to the larger of the estimate and the
interval's half-width: a difference near 0 that moves by a tiny part of its own uncertainty has
not moved, whatever its relative change. A number is also allowed its printed rounding (0.275
against 0.2751 is no move).

The codes' mean length (`code_mean_norm`, how far the centre of a model's codes lies from the
origin) is held to the larger of itself and the codes' spread (`code_std`): a VAE's codes centred at
0.22 and 0.31 from the origin in a cloud of spread 2.0 have moved by 4.5 % of the cloud, not by 29 %.

A p-value is not held to its size. It is a steep function of the numbers it is computed from:
made again with other kernels, 004-conv-vs-linear's numbers (3 seeds) moved by at most 8.4 % while
one of its p-values went from 0.0036 to 0.0021. What a
p-value says on the page is its verdict, and the verdict is compared as words (a changed verdict is
no number's move). So a p-value's move (a finding's "p", a "p = ..." or "p < ..." of a text) is
found and named by `is_p_value`, kept apart from the numbers' tolerance, and shown beside it.

tests/cli/test_report_reproduces.py holds 002's committed page to its stated tolerance with
`differences`; report/kernels.py measures each row's tolerance with `row_moves`.
"""
from __future__ import annotations

import csv
import io
import math
import re
from typing import Iterator

NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
# The run's own circumstances, not its numbers.
SKIPPED = ("second", "load", "started", "cores", "resumed")
# The same in a text: a duration ("280 s and 21 s") is the machine's speed and load, not rounding.
DURATION = re.compile(r" ?(?:ms|s|min|h)\b")
# done.json's fields that hold what the row measured and concluded.
COMPARED = ("aegui", "findings", "differs", "measured", "settings", "files", "tables", "health")
# The text between an interval's level and its lower end, and between its ends: "(95 % CI -0.03 to 0.03)".
INTERVAL = re.compile(r" ?% CI $")
# The smallest difference a test's seeds find, after its interval: a spread of that estimate.
DETECTS = re.compile(r"detect a difference of $")
# "p < 0.001" where the p-value is below what the page prints, "p = 0.0012" above it.
BOUND = re.compile(r"(<|=) ?$")
# The text before a p-value, once its relation is split off: "(paired t, ...), p " of "p = 0.004".
P_BEFORE = re.compile(r"(?:^|[\s(,;])p ?$")
# Where a p-value's move is found: a finding's "p" field, or a p-value of a text (`_text_moves` adds ".p").
P_VALUE = re.compile(r"\.p$")
WORDS = math.inf      # the move of two texts whose words differ: no tolerance covers it
# report/kernels.py's measurements, beside the rows (the page reads them).
RESULTS = "kernels.json"
# The tolerances a row can state: the next step above its largest move across kernels.
TOLERANCES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2)
# The tolerance of a row that holds as a sample, not number by number (report/seed_drift.py).
SEEDS = "seeds"


def stated(move: float) -> float | None:
    """The tolerance a row states for its largest move: the next step up, or None past the last."""
    return next((t for t in TOLERANCES if move <= t), None)


def is_p_value(where: str) -> bool:
    """Whether a move's place (`moves`' where) is a p-value's: held by its verdict, not its size."""
    return bool(P_VALUE.search(where))


def _unit(token: str) -> float:
    """The size of the last printed digit of a number as the page prints it (rounding)."""
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 10.0 ** (int(exponent or 0) - decimals)


def _relation(word: str) -> tuple[str, str]:
    """A text before a number, split into the rest and the relation it ends with ("<" or "=")."""
    found = BOUND.search(word)
    return (word[:found.start()], found.group(1)) if found else (word, "")


def _interval_sizes(words: list[str], numbers: list[str]) -> dict[int, float]:
    """{index of a number: the least size it is held to} for each estimate printed with its
    interval ("difference D (95 % CI L to U)"), the interval's ends and the smallest difference
    its seeds detect ("3 seeds detect a difference of X"): the larger of |D| and (U - L) / 2."""
    sizes, last = {}, None
    for k in range(len(numbers)):
        if 2 <= k < len(numbers) - 1 and INTERVAL.search(words[k]) and words[k + 1].strip() == "to" \
                and words[k - 1].endswith("("):
            low, high, estimate = float(numbers[k]), float(numbers[k + 1]), float(numbers[k - 2])
            last = max(abs(estimate), abs(high - low) / 2)
            for i in (k - 2, k, k + 1):
                sizes[i] = last
        elif last is not None and DETECTS.search(words[k]):
            sizes[k] = last
    return sizes


def _text_moves(a: str, b: str, where: str) -> Iterator[tuple[str, float, str]]:
    """(where, relative move beyond printed rounding, what) for each number of two texts but durations.
    A bound against a value ("p < 0.001" / "p = 0.0012") is a number that moved by as much as the
    value lies outside the bound; other differing words are no number's move."""
    words_a, words_b = NUMBER.split(a), NUMBER.split(b)
    # only a text that a number follows can end in that number's relation; the last is compared whole
    split_a = [_relation(w) for w in words_a[:-1]] + [(words_a[-1], "")]
    split_b = [_relation(w) for w in words_b[:-1]] + [(words_b[-1], "")]
    if [w for w, _ in split_a] != [w for w, _ in split_b]:
        yield where, WORDS, f"the words differ: {a!r} / {b!r}"
        return
    numbers_a, numbers_b = NUMBER.findall(a), NUMBER.findall(b)
    held_a, held_b = _interval_sizes(words_a, numbers_a), _interval_sizes(words_b, numbers_b)
    previous = None
    for i, (x, y) in enumerate(zip(numbers_a, numbers_b)):
        if DURATION.match(words_a[i + 1]):
            continue
        fx, fy = float(x), float(y)
        ra, rb = split_a[i][1], split_b[i][1]
        at = f"{where}.p" if P_BEFORE.search(split_a[i][0]) else where
        if {ra, rb} == {"<", "="}:
            # one side printed only a bound: the other's value moved as far as it lies past it (the
            # bound is exact, the value allowed its printed rounding)
            (bound, value), printed = ((fx, fy), y) if ra == "<" else ((fy, fx), x)
            beyond = value - bound - _unit(printed)
            if beyond > 0:
                yield at, beyond / abs(value), f"{x} against {y} (a bound against a value, in {a[:120]!r})"
            previous = (fx, fy)
            continue
        if ra != rb:
            yield where, WORDS, f"the words differ: {a!r} / {b!r}"
            return
        spread = words_a[i].rstrip().endswith("±") and previous is not None
        size = max(abs(previous[0]), abs(previous[1])) if spread else max(abs(fx), abs(fy))
        if i in held_a and i in held_b:
            size = max(size, held_a[i], held_b[i])
        beyond = abs(fx - fy) - max(_unit(x), _unit(y))
        if beyond > 0:
            yield at, (beyond / size if size else WORDS), f"{x} against {y} (in {a[:120]!r})"
        previous = (fx, fy)


# A field held to another's size where that is larger: {field: the field whose size it is held to}.
HELD_TO = {"code_mean_norm": "code_std"}


def _larger(x, y):
    """The larger size of two numbers, or of two lists' numbers item by item; x where they do not pair."""
    if isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
        return [_larger(i, j) for i, j in zip(x, y)]
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (x, y))
    return max(abs(x), abs(y)) if numbers else x


def _spread_of(key: str, a: dict, b: dict):
    """The (a, b) sizes a field is held to, or None (its own): for a `*_std` field the values it
    spreads (the field without `_std`), for a HELD_TO field the larger of it and the other field."""
    if not isinstance(key, str):
        return None
    if key.endswith("_std") and key[:-4] in a and key[:-4] in b:
        return _spread_of(key[:-4], a, b) or (a[key[:-4]], b[key[:-4]])
    other = HELD_TO.get(key)
    if other and other in a and other in b:
        return _larger(a[key], a[other]), _larger(b[key], b[other])
    return None


def moves(a, b, where: str = "", spreads=None) -> Iterator[tuple[str, float, str]]:
    """(where, relative move, what) for each number of two JSON values that differs: a move is
    |a - b| over the size of the larger (or of what `_spread_of` holds it to); a difference that is
    not a number's (other fields, other words) is an infinite move."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            yield where, WORDS, f"fields {sorted(set(a) ^ set(b))}"
            return
        for k in a:
            if not any(s in k for s in SKIPPED):
                yield from moves(a[k], b[k], f"{where}.{k}", _spread_of(k, a, b))
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            yield where, WORDS, f"{len(a)} items against {len(b)}"
            return
        of = list(zip(*spreads)) if spreads and all(isinstance(s, list) and len(s) == len(a) for s in spreads) \
            else [None] * len(a)
        for i, (x, y) in enumerate(zip(a, b)):
            yield from moves(x, y, f"{where}[{i}]", of[i])
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b) or a == b:
            return
        numbers = spreads is not None and all(isinstance(s, (int, float)) and not isinstance(s, bool)
                                              for s in spreads)
        size = max(abs(spreads[0]), abs(spreads[1])) if numbers else max(abs(a), abs(b))
        move = abs(a - b) / size if size and math.isfinite(size) else WORDS
        yield where, move, f"{a} against {b}" + (f" (held to the size {size:.3g})" if numbers else "")
    elif isinstance(a, str) and isinstance(b, str):
        yield from _text_moves(a, b, where)
    elif a != b:
        yield where, WORDS, f"{a!r} against {b!r}"


def breaks(found, tolerance: float) -> bool:
    """Whether a move (where, move, what) breaks a tolerance: a number past it, or changed words; a
    p-value's move does not (its verdict's words are compared)."""
    where, move, _ = found
    return move > tolerance and (move == WORDS or not is_p_value(where))


def differences(a, b, tolerance: float, where: str = "") -> list[str]:
    """Every difference between two JSON values beyond `tolerance` (relative), by its place."""
    return [f"{m[0]}: {m[2]}" for m in moves(a, b, where) if breaks(m, tolerance)]


def same_text(a: str, b: str, tolerance: float) -> str | None:
    """None when two texts are the same but for numbers within `tolerance` (relative, plus the
    printed rounding; a number after "±" relative to the number before it) and p-values; else what
    differs."""
    for m in _text_moves(a, b, ""):
        if breaks(m, tolerance):
            return m[2]
    return None


def table_cells(text: str) -> list[list[str]]:
    """A CSV table's header and rows, without the columns of the run's circumstances."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    kept = [i for i, name in enumerate(rows[0]) if not any(s in name for s in SKIPPED)]
    return [[r[i] for i in kept if i < len(r)] for r in rows]


def table_moves(a: str, b: str, where: str) -> Iterator[tuple[str, float, str]]:
    """moves() over two CSV tables' cells (texts: a number is allowed its printed rounding)."""
    rows_a, rows_b = table_cells(a), table_cells(b)
    if not rows_a or not rows_b or rows_a[0] != rows_b[0]:
        yield where, WORDS, "the columns differ"
        return
    yield from moves(rows_a[1:], rows_b[1:], where)


def verdict_word(agrees, close: bool = False) -> str:
    """A finding's verdict as the page words it."""
    if close:
        return "too close to call"
    return {True: "agrees", False: "differs", None: "not comparable"}.get(agrees, str(agrees))


def verdicts(record: dict) -> list[tuple[str, str]]:
    """(claim, verdict word) of each finding of a row's done.json."""
    return [(f.get("claim", ""), verdict_word(f.get("agrees"), f.get("close", False)))
            for f in record.get("findings", []) if isinstance(f, dict)]


def flips(then: dict, now: dict) -> list[dict]:
    """The findings whose verdict differs between two makes of one row: {"claim", "here" (the
    verdict of `then`), "there" (of `now`)}."""
    a, b = verdicts(then), verdicts(now)
    if [c for c, _ in a] != [c for c, _ in b]:
        return [{"claim": "", "here": f"{len(a)} findings", "there": f"{len(b)} findings"}]
    return [{"claim": claim, "here": x, "there": y} for (claim, x), (_, y) in zip(a, b) if x != y]


def health_changes(then: dict, now: dict) -> list[str]:
    """The runs judged healthy in one make of a row and failed in the other (report/health.py)."""
    def by_run(record):
        return {(h.get("label"), h.get("seed")): h for h in record.get("health", []) if isinstance(h, dict)}
    a, b = by_run(then), by_run(now)
    def said(h):
        return "healthy" if h.get("ok") else (h.get("reason") or "failed").split(":")[0]
    named = lambda label, seed: label if f"seed {seed}" in str(label) else f"{label}, seed {seed}"
    return [f"{named(*k)}: {said(a[k])} here, {said(b[k])} there" for k in a if k in b and a[k].get("ok") != b[k].get("ok")]
