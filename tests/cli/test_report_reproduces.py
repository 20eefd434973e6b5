"""The committed course report page is what the code makes: the quickest document's report (002,
about a minute on 2 cores) is made again from scratch, and every number its rows show on the page
(docs/course-reports.md), in their done.json and in their tables is the same within the
tolerance each row states. A page recorded by older code, or by hand, fails here.

The page may have been made on another machine than the one this runs on: the same code, data and
libraries give other rounding on another CPU (MKL picks its matrix kernels by instruction set),
and a training of a few hundred steps carries it on. A spread (a standard deviation over seeds: a
`*_std` field, a number written after "±") is the difference of numbers that each moved that
much, so it is held within the tolerance of the number it spreads, not of itself: 0.00096 against
0.00099 for a loss of 0.275 is a move of 0.01 % of that loss.

When the code that makes these rows changes on purpose, make the page again (the failure says
how) and commit it with the change.
"""
import json
import re

import pytest

from aegui.core.analyses.report import run as R
from aegui.core.analyses.report.drift import differences, is_p_value, moves, same_text, table_moves

from core_helpers import ROOT

DOCS = ROOT / "docs"
REMAKE = ("python -m aegui report all --only {ids} --out docs/course-reports "
          "--markdown docs/course-reports.md")


def table_differences(a: str, b: str, tolerance: float, where: str) -> list[str]:
    return [f"{at}: {what}" for at, move, what in table_moves(a, b, where) if move > tolerance]


def page_rows(text: str, names) -> dict[str, list[str]]:
    """The page's table rows of these experiments, by name, as cells without the time (the last
    cell: the machine's, not the code's)."""
    rows = {}
    for line in text.splitlines():
        for name in names:
            if f"index.html#{name})" in line:
                rows[name] = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-2]]
    return rows


@pytest.mark.acceptance
@pytest.mark.timeout(1800)
def test_the_committed_002_page_is_what_the_code_makes_from_scratch(tmp_path):
    """002's rows made again from scratch in tmp_path: their page rows, done.json numbers and
    tables equal the committed ones within each row's stated tolerance."""
    spec = R.load_report("002")[0]
    names = [R.ReportJob.qualified(spec, exp) for exp in spec.experiments]
    remake = REMAKE.format(ids=",".join(names))
    for exp in spec.experiments:
        assert exp.tolerance is not None, f"{spec.id}-{exp.id} states no tolerance (resources/reports/002.json)"
    committed_page = (DOCS / "course-reports.md").read_text(encoding="utf-8")

    out = tmp_path / "course-reports"
    # what the rows state about other CPUs' kernels (report/kernels.py) is read from the page's folder
    from aegui.core.analyses.report.kernels import RESULTS
    if (DOCS / "course-reports" / RESULTS).is_file():
        out.mkdir()
        (out / RESULTS).write_bytes((DOCS / "course-reports" / RESULTS).read_bytes())
    job = R.ReportJob([spec], out, markdown=tmp_path / "course-reports.md")
    states = [p.state for p in job.steps()]
    assert states[-1] == "finished" and "failed" not in states, states
    fresh_page = (tmp_path / "course-reports.md").read_text(encoding="utf-8")

    found = []
    committed_rows, fresh_rows = page_rows(committed_page, names), page_rows(fresh_page, names)
    for exp, name in zip(spec.experiments, names):
        tolerance = exp.tolerance
        assert name in committed_rows, f"docs/course-reports.md has no row for {name}"
        found += differences(committed_rows[name], fresh_rows[name], tolerance, f"page row {name}")
        then = json.loads((DOCS / "course-reports" / name / "done.json").read_text())
        now = json.loads((out / name / "done.json").read_text())
        for field in ("aegui", "findings", "differs", "measured", "settings", "files", "tables"):
            found += differences(then.get(field), now.get(field), tolerance, f"{name}/done.json {field}")
        for table in now.get("tables", []):
            found += table_differences((DOCS / "course-reports" / name / table).read_text(),
                                       (out / name / table).read_text(), tolerance, f"{name}/{table}")
    assert not found, (f"{len(found)} numbers of the committed page differ from what the code makes "
                       f"(first: {found[:5]}); if the change is meant, make the page again: {remake}")


def test_a_spread_is_held_to_the_size_of_what_it_spreads():
    """The comparison above: a std that moves by a small part of its mean passes where a mean
    that moves as much relative to itself fails, in done.json fields, their per-epoch lists and
    the page's "mean ± std" text; printed rounding is allowed, other words are not."""
    then = {"loss": 0.275, "loss_std": 0.00096, "curve": [0.3, 0.28], "curve_std": [0.0013, 0.0009]}
    moved_spread = {"loss": 0.2751, "loss_std": 0.00099, "curve": [0.3, 0.28], "curve_std": [0.0012, 0.00083]}
    assert differences(then, moved_spread, 0.02) == []
    assert len(differences(then, moved_spread, 0.0001)) == 4          # 0.00003 > 0.0001 x 0.275
    moved_mean = dict(then, loss=0.29)
    assert differences(then, moved_mean, 0.02) == [".loss: 0.275 against 0.29"]
    alone = {"accuracy_std": 0.076}                                   # no mean beside it: held to itself
    assert differences(alone, {"accuracy_std": 0.0737}, 0.02) == [".accuracy_std: 0.076 against 0.0737"]

    assert same_text("train loss 0.275 ± 0.00096, test 0.288", "train loss 0.275 ± 0.00099, test 0.288", 0.02) is None
    assert same_text("train loss 0.275 ± 0.00096", "train loss 0.275 ± 0.0096", 0.02) is not None
    assert same_text("train loss 0.275", "train loss 0.2751", 0.0) is None        # within its last digit
    assert same_text("train loss 0.275", "test loss 0.275", 0.02).startswith("the words differ")


def test_the_codes_mean_length_is_held_to_the_codes_spread():
    """001-vae made again with other kernels: its VAE's codes centred 0.22 from the origin, then 0.31,
    in a cloud of spread 2.0 (29 % of the length, 4.5 % of the cloud). The mean length is held to the
    larger of itself and the codes' spread, per seed and over seeds; a centre that moves by a quarter
    of its cloud still counts, and a mean length with no spread beside it is held to itself."""
    then = {"per_seed": {"code_mean_norm": [0.224, 12.5], "code_std": [2.0, 14.1]},
            "code_mean_norm": 0.224, "code_mean_norm_std": 0.01, "code_std": 2.0}
    now = {"per_seed": {"code_mean_norm": [0.315, 12.6], "code_std": [1.97, 14.1]},
           "code_mean_norm": 0.315, "code_mean_norm_std": 0.02, "code_std": 1.97}
    assert differences(then, now, 0.1) == []
    assert differences(then, now, 0.04) == [
        ".per_seed.code_mean_norm[0]: 0.224 against 0.315 (held to the size 2)",
        ".code_mean_norm: 0.224 against 0.315 (held to the size 2)"]
    far = dict(now, per_seed={"code_mean_norm": [0.224, 9.0], "code_std": [2.0, 14.1]})
    assert differences(then, far, 0.1) == [".per_seed.code_mean_norm[1]: 12.5 against 9.0 (held to the size 14.1)"]
    assert differences({"code_mean_norm": 0.2}, {"code_mean_norm": 0.3}, 0.1) != []     # no spread beside it


def test_a_duration_in_a_rows_text_is_not_one_of_its_numbers():
    """A row's text that gives its runs' times (004-conv-vs-linear's "280 s and 21 s") is made again
    on a machine of another speed or load: the times move, the numbers do not, and only the
    numbers count (as done.json's seconds fields are left out)."""
    then = "test 0.00571 ± 7.7e-05 after 16 epochs; 280 s and 21 s, 2.5 min, 1.2 h, 40 ms a step"
    assert same_text(then, "test 0.00571 ± 7.7e-05 after 16 epochs; 645 s and 219 s, 9 min, 3 h, 90 ms a step",
                     0.0) is None
    assert same_text(then, "test 0.00590 ± 7.7e-05 after 16 epochs; 280 s and 21 s, 2.5 min, 1.2 h, 40 ms a step",
                     0.02) is not None
    assert same_text("5 seeds", "8 seeds", 0.02) is not None      # a count before a word, not a time
    assert same_text(then, then.replace("280 s", "280 steps"), 0.02).startswith("the words differ")


def test_a_p_value_printed_as_a_bound_is_compared_with_the_value_printed_elsewhere():
    """The page prints a p-value below 0.001 as "p < 0.001" and one above as "p = 0.004": made again
    with other kernels, 004-conv-vs-linear's p crossed that line and the text's words differed, so no
    tolerance could be stated though every number held. The bound counts as a number: the value
    has moved as far as it lies past the bound (beyond its printed rounding), relative to itself."""
    then = "agrees (p < 0.001): the convolutional autoencoder learns faster"
    def moved(a, b):
        return [(where, round(move, 3)) for where, move, _ in moves(a, b, "f")]
    assert moved(then, then.replace("p < 0.001", "p = 0.001")) == []                  # within its last digit
    assert moved(then, then.replace("p < 0.001", "p = 0.004")) == [("f.p", 0.5)]      # 0.002 past the bound of 0.004
    assert moved(then.replace("p < 0.001", "p = 0.004"), then) == [("f.p", 0.5)]      # either way round
    assert same_text(then, then.replace("p < 0.001", "p = 0.001").replace("agrees", "differs"),
                     0.5).startswith("the words differ")
    assert same_text("a = 3", "a 3", 0.5).startswith("the words differ")         # a relation against none
    assert [w for w, *_ in moves("a < 3", "a = 9", "f")] == ["f"]                # a bound that is no p-value


def test_a_p_value_is_held_by_its_verdict_not_its_size():
    """004-conv-vs-linear made again with the compatible kernels: its numbers moved by at most 7 %, a
    p-value from 0.0036 to 0.0021 (41 %), every verdict held. A p-value is a steep function of the
    numbers it comes from, so its move is found and named (a finding's "p", a "p = " of a text) but
    breaks no tolerance; its verdict's words still must match, and a number beside it still counts."""
    then = ("agrees (p = 0.0036): final test loss: convolutional 0.00571 ± 7.7e-05 (paired t, 3 seeds: "
            "difference -0.0054 (95 % CI -0.0068 to -0.004), p = 0.0036)")
    now = then.replace("0.0036", "0.0021")
    assert same_text(then, now, 0.1) is None
    assert [(w, round(m, 2)) for w, m, _ in moves(then, now, "f")] == [("f.p", 0.39), ("f.p", 0.39)]
    assert differences({"p": 0.0036, "agrees": True}, {"p": 0.0021, "agrees": True}, 0.1) == []
    assert differences({"p": 0.0036, "agrees": True}, {"p": 0.0021, "agrees": False}, 0.1) \
        == [".agrees: True against False"]
    assert same_text(then, now.replace("agrees", "too close to call"), 0.1).startswith("the words differ")
    assert same_text(then, now.replace("0.00571", "0.0065"), 0.1) is not None     # a loss 12 % off
    assert is_p_value("findings[2].p") and is_p_value("findings[0].measured.p")
    assert not is_p_value("measured.models.sparse.per_seed.code_shift[4]")


def test_an_estimate_near_zero_is_held_to_its_interval():
    """A paired difference near 0 ("difference -1.71e-05 (95 % CI -0.034 to 0.034)") made again
    with other kernels came out 0.000144: 111 % of itself, 0.5 % of its interval's half-width. An
    estimate, its interval's ends and the smallest difference its seeds detect are held to the
    larger of the estimate and that half-width; the same move of a lone number still counts."""
    then = ("too close to call (paired t, 3 seeds: difference -1.71e-05 (95 % CI -0.034 to 0.034), p = 1.00; "
            "3 seeds detect a difference of 0.045 or more (80 % power)); paired t, 3 seeds: difference -0.00798 "
            "(95 % CI -0.0082 to -0.0078), p < 0.001; 3 seeds detect a difference of 0.0003 or more (80 % power)")
    again = ("too close to call (paired t, 3 seeds: difference 0.000144 (95 % CI -0.035 to 0.035), p = 0.99; "
             "3 seeds detect a difference of 0.046 or more (80 % power)); paired t, 3 seeds: difference -0.00802 "
             "(95 % CI -0.0086 to -0.0074), p < 0.001; 3 seeds detect a difference of 0.0008 or more (80 % power)")
    assert same_text(then, again, 0.06) is None          # the largest: 0.0005, less 0.0001 of rounding, over 0.00802
    assert same_text(then, again, 0.04) is not None
    assert same_text("loss -1.71e-05, 95 % CI -0.034 to 0.034", "loss 0.000144, 95 % CI -0.035 to 0.035",
                     0.5) is not None                     # no interval in brackets after it: held to itself
    assert same_text("difference 0.0126 (95 % CI -0.0015 to 0.027)", "difference 0.0126 (95 % CI -0.0013 to 0.027)",
                     0.01) is None                        # an end near 0: 0.0001 past rounding over 0.0143
