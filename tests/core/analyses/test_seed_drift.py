"""A row whose training amplifies rounding holds across CPUs as another draw of its seeds, or does
not (report/seed_drift.py): the rule is tried on simulated rows with no shift, where it must hold
at least as often as its 5 % level promises, and with a shift, which it must find; then through
report/kernels.py (which tolerance a row states) and the page (what it says)."""
from __future__ import annotations

import json

import numpy as np

from aegui.core.analyses.report import kernels as K
from aegui.core.analyses.report.drift import SEEDS
from aegui.core.analyses.report.seed_drift import combined, per_seed, seed_moves


def row(values: list[list[float]], seeds=(42, 43, 44, 45, 46)) -> dict:
    """A done.json of a sweep row: one config per list of per-seed final losses."""
    return {"measured": {"configs": [{"per_seed": {"final_loss": [None if x is None else float(x) for x in v], "seed": list(seeds),
                                                   "seconds": [1.0] * len(v)}} for v in values]}}


def draw(rng, centres, n=5) -> list[list[float]]:
    # losses are log-normal across seeds: the test runs on their logarithms where they span > 10x
    return [list(np.exp(rng.normal(np.log(c), 1.0, n))) for c in centres]


def test_only_measured_per_seed_numbers_are_compared():
    found = dict(per_seed(row([[1, 2, 3, 4, 5]])))
    assert list(found) == ["measured.configs[0].per_seed.final_loss"]      # not the seeds, not the seconds


def test_a_new_draw_of_the_seeds_holds_and_a_shift_does_not():
    """Simulated rows of 8 means over 5 seeds made twice. Drawn from the same distributions, no more
    than 5 % fail (Bonferroni is conservative: fewer; uncorrected, about a third would). With one
    mean shifted by the `detects` the page states, at least 4 rows in 5 are caught, as it says."""
    rng = np.random.default_rng(7)
    centres = [1e-6, 1e-5, 1e-4, 0.01, 0.1, 1.0, 3.0, 10.0]
    held = caught = 0
    detects = combined([seed_moves(row(draw(rng, centres)), row(draw(rng, centres)))])["detects"]
    for _ in range(200):
        then = row(draw(rng, centres))
        same = combined([seed_moves(then, row(draw(rng, centres)))])
        held += same["holds"]
        shifted = draw(rng, centres)
        shifted[3] = list(np.asarray(shifted[3]) * np.exp(detects))       # in sd of the logarithms
        caught += not combined([seed_moves(then, row(shifted))])["holds"]
    assert same["means"] == 8 and same["seeds"] == 5 and same["detects"] == detects
    assert held >= 190, held
    assert 2 < detects < 6 and caught >= 160, (detects, caught)


def test_a_value_that_is_no_finite_number_is_left_out_of_its_side():
    """A target never reached (None) or a diverged run (NaN) is no number to average."""
    then = row([[1.0, 1.1, None, 0.9, 1.0]])
    now = row([[1.05, float("nan"), 1.0, 0.95, 1.1]])
    found = seed_moves(then, now)
    assert found["means"] == 1 and found["sizes"] == {"4": 1} and found["p"] > 0.05
    # one value a side: nothing to compare; all alike on both sides: nothing moved
    assert seed_moves(row([[1.0]], seeds=(1,)), row([[2.0]], seeds=(1,)))["means"] == 0
    assert seed_moves(row([[0, 0, 0]], seeds=(1, 2, 3)), row([[0, 0, 0]], seeds=(1, 2, 3)))["means"] == 0


def chaotic(then: dict, now: dict, flips=()) -> dict:
    """A kernel set's measurement of a row whose numbers moved 90 % (past the last step), with its
    seed comparison."""
    return {"move": 0.9, "p_move": 0.0, "where": "measured.configs[0].per_seed.final_loss[0]", "what": "1 against 10",
            "flips": list(flips), "health": ["c, seed 42: healthy here, did not learn there"], "words": [],
            "seeds": seed_moves(then, now)}


def test_a_row_past_every_relative_step_states_seeds_where_its_means_hold():
    rng = np.random.default_rng(3)
    then = row(draw(rng, [1e-5, 1e-3]))
    found = K.settle({"variants": {"avx2": chaotic(then, row(draw(rng, [1e-5, 1e-3]))),
                                   "compatible": chaotic(then, row(draw(rng, [1e-5, 1e-3])))}})
    assert found["tolerance"] == SEEDS and found["seeds"]["means"] == 4 and found["seeds"]["holds"]
    # a changed verdict: no tolerance, whatever the means do
    flip = {"claim": "c", "here": "agrees", "there": "too close to call"}
    found = K.settle({"variants": {"avx2": chaotic(then, row(draw(rng, [1e-5, 1e-3])), [flip])}})
    assert found["tolerance"] is None and found["seeds"]["holds"]
    # a mean that moved 1000x: no tolerance
    found = K.settle({"variants": {"avx2": chaotic(then, row(draw(rng, [1e-2, 1e-3])))}})
    assert found["tolerance"] is None and not found["seeds"]["holds"]
    assert found["seeds"]["where"] == "measured.configs[0].per_seed.final_loss"


def test_a_set_whose_means_were_never_compared_keeps_the_row_from_holding(tmp_path):
    """A kernel set measured before means were compared, whose numbers moved past every step, has
    not shown it is another draw of the seeds: another set's means that hold do not vouch for it,
    and the page says which set was never compared."""
    from aegui.core.analyses.report.page import _reproduces
    from aegui.core.analyses.report.run import ReportExperiment
    rng = np.random.default_rng(3)
    then = row(draw(rng, [1e-5, 1e-3]))
    old = {**chaotic(then, row(draw(rng, [1e-5, 1e-3]))), "health": []}
    del old["seeds"]
    found = K.settle({"variants": {"avx2": chaotic(then, row(draw(rng, [1e-5, 1e-3]))), "compatible": old}})
    assert found["seeds"]["holds"] and found["unseeded"] == ["COMPATIBLE"] and found["tolerance"] is None
    text = _reproduces(ReportExperiment("x", "t", tmp_path / "p.json", "d"), found)
    assert "no tolerance is stated: rounding carried on through training moved a number past 20 %" in text
    assert ("; COMPATIBLE's means over seeds were never compared (it was made before that comparison), so the row "
            "does not yet hold as another draw of its seeds (AVX2's: no mean over seeds moved") in text
    # a set whose numbers hold on their own needs no comparison of its means
    calm = {**old, "move": 0.004}
    found = K.settle({"variants": {"avx2": chaotic(then, row(draw(rng, [1e-5, 1e-3]))), "compatible": calm}})
    assert found["unseeded"] == [] and found["tolerance"] == SEEDS


def test_the_page_says_how_a_row_holds_as_a_draw_of_its_seeds(tmp_path):
    """The page names the test, the count of means, the smallest p before and after the correction,
    how many differ uncorrected against chance, and the shift its seeds find; a row whose means
    moved says which one."""
    from dataclasses import replace

    from aegui.core.analyses.report.page import _reproduces
    from aegui.core.analyses.report.run import ReportExperiment
    rng = np.random.default_rng(3)
    then = row(draw(rng, [1e-5, 1e-3]))
    found = K.settle({"variants": {"avx2": chaotic(then, row(draw(rng, [1e-5, 1e-3])))}})
    found["kernels"] = ["AVX2"]
    exp = ReportExperiment("x", "t", tmp_path / "p.json", "d", tolerance=SEEDS)
    text = _reproduces(exp, found)
    assert "these numbers hold as another draw of its seeds: no mean over seeds moved more than its seeds' spread allows " \
           "(Welch's t on each of 2 means, Bonferroni at 5 %: the smallest p " in text
    assert "differ at an uncorrected 5 %, 0.1 expected by chance; with 5 seeds a side it finds a shift of " in text
    # stated, but its measurement not beside the rows (kernels.json)
    assert _reproduces(exp, None) == " (made again on other CPUs, these numbers hold as another draw of its seeds)"
    # measured but not written to the report's file yet
    assert "these numbers would hold as another draw of its seeds: " in _reproduces(replace(exp, tolerance=None), found)
    moved = K.settle({"variants": {"avx2": chaotic(then, row(draw(rng, [1e-2, 1e-3])))}})
    moved["kernels"] = ["AVX2"]
    text = _reproduces(replace(exp, tolerance=None), moved)
    assert "no tolerance is stated: rounding carried on through training moved a number past 20 %" in text
    assert "; nor does it hold as another draw of its seeds: the mean final loss (configuration 1) moved more " \
           "than its seeds' spread allows (" in text


def test_a_report_file_may_state_seeds_and_nothing_else_in_words(tmp_path):
    from aegui.core.analyses.report import run as R
    preset = tmp_path / "p.json"
    preset.write_text("{}")
    for tolerance, ok in ((SEEDS, True), (0.05, True), ("seed", False), (1.5, False)):
        spec = tmp_path / "900.json"
        spec.write_text(json.dumps({"id": "900", "document": "d", "title": "t", "experiments": [
            {"id": "x", "title": "t", "preset": "p.json", "document": "d", "tolerance": tolerance}]}))
        try:
            loaded = R.load_report(spec)
        except Exception as e:                           # noqa: BLE001 - the message is what is checked
            assert not ok and "tolerance" in str(e) and "'seeds'" in str(e), e
        else:
            assert ok and loaded[0].experiments[0].tolerance == tolerance
