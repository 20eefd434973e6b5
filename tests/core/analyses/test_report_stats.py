"""The report's verdict rule, tested as a rule: simulated rows whose truth is known (no difference,
or a difference as small as the one the rule says it detects) get the right verdict at the rate
the page states. Every verdict is Student's t at 5 % two-sided, so under no difference a verdict
is decided (agrees or differs) at most 5 % of the time, wrongly "differs" at most 2.5 %; at the
minimum detectable effect it agrees at least 80 % of the time. Each rate is over 1,000 rows drawn
from fixed seeds; the margin is three binomial standard errors (0.021 at 5 %, 0.038 at 80 %).
The old rule ("the gap exceeds the two standard deviations added") decided 12 % of null rows at
3 seeds, which is what the first test catches."""
import math

import numpy as np
import pytest

from aegui.core.analyses.report.verdicts import stats as S
from aegui.core.analyses.report.verdicts.claims import (Spread, all_of, const, lower, near, of_values, scaled)

ROWS = 1000
ALPHA_MARGIN = 3 * math.sqrt(0.05 * 0.95 / ROWS)
POWER_MARGIN = 3 * math.sqrt(0.8 * 0.2 / ROWS)


def _rates(verdicts) -> tuple[float, float, float]:
    """Shares of verdicts that agree, differ, and are decided at all."""
    holds = [v.holds for v in verdicts]
    agrees, differs = holds.count(True) / len(holds), holds.count(False) / len(holds)
    return agrees, differs, agrees + differs


def _summary(x) -> Spread:
    """A side known only by its mean, population std and count (as results.csv keeps a sweep)."""
    return Spread(float(np.mean(x)), float(np.std(x)), len(x))


@pytest.mark.parametrize("n", [3, 5])
def test_with_no_difference_a_summary_comparison_is_decided_at_most_5_percent_of_the_time(n):
    """Two variants with the same true mean, known by mean ± std over n seeds: the old rule
    decided 12 % of such rows at 3 seeds; Welch's t decides at most 5 % (plus the margin)."""
    rng = np.random.default_rng(1)
    got = [lower(_summary(rng.normal(0, 1, n)), _summary(rng.normal(0, 1, n))) for _ in range(ROWS)]
    agrees, differs, decided = _rates(got)
    assert decided <= S.ALPHA + ALPHA_MARGIN, (n, decided)
    assert differs <= S.ALPHA / 2 + ALPHA_MARGIN and agrees <= S.ALPHA / 2 + ALPHA_MARGIN, (agrees, differs)


@pytest.mark.parametrize("n", [3, 5])
def test_paired_seeds_hold_the_false_rate_and_find_the_effect_they_claim_to_detect(n):
    """Runs of one seed share a large seed effect (sd 3) and differ by their own noise (sd 1 each):
    pairing by seed removes the seed effect. Under no difference a verdict is decided at most 5 %
    of the time; at the detectable difference the verdict text states (80 % power), it agrees at
    least 80 % of the time."""
    rng = np.random.default_rng(2)
    seeds = list(range(n))

    def row(effect):
        base = rng.normal(0, 3, n)
        return lower(of_values(base + rng.normal(0, 1, n) - effect, seeds), of_values(base + rng.normal(0, 1, n), seeds))
    null = [row(0.0) for _ in range(ROWS)]
    assert _rates(null)[2] <= S.ALPHA + ALPHA_MARGIN
    # The difference of two seeds' noise has sd sqrt(2): the effect the test detects with 80 % power.
    mde = S.noncentrality_for_power(n - 1) * math.sqrt(2) / math.sqrt(n)
    powered = [row(mde) for _ in range(ROWS)]
    agrees, differs, _ = _rates(powered)
    assert agrees >= S.POWER - POWER_MARGIN and differs <= ALPHA_MARGIN, (n, agrees, differs)
    # The verdict itself names that effect when it rests on fewer than 5 seeds.
    if n < 5:
        assert "seeds detect a difference of" in powered[0].note


def test_losses_over_orders_of_magnitude_compare_as_per_seed_ratios():
    """Log-normal losses (a seed's loss anywhere from 1e-7 to 1e-4): the test runs on logs (the
    per-seed ratios), keeps the false rate, and finds a twofold loss with 5 seeds."""
    rng = np.random.default_rng(3)
    seeds = list(range(5))

    def row(factor):
        base = rng.normal(math.log(1e-5), 2.0, 5)
        a, b = np.exp(base + rng.normal(0, 0.3, 5)) * factor, np.exp(base + rng.normal(0, 0.3, 5))
        return lower(of_values(a, seeds), of_values(b, seeds))
    null = [row(1.0) for _ in range(ROWS)]
    assert "paired t on logs" in null[0].note
    assert _rates(null)[2] <= S.ALPHA + ALPHA_MARGIN
    agrees = _rates([row(0.5) for _ in range(ROWS)])[0]
    assert agrees >= S.POWER - POWER_MARGIN, agrees


def test_a_document_number_agrees_within_its_tolerance_and_differs_outside_it_at_the_stated_rate():
    """The true mean on the tolerance's edge: it neither agrees nor differs more than 2.5 % of the
    time (each a one-sided test at 2.5 %); well inside the band, it agrees."""
    rng = np.random.default_rng(4)
    doc, tol = 0.93, 0.01
    edge = [near(of_values(rng.normal(doc + tol, 0.005, 5)), doc, tol) for _ in range(ROWS)]
    agrees, differs, _ = _rates(edge)
    assert agrees <= S.ALPHA / 2 + ALPHA_MARGIN and differs <= S.ALPHA / 2 + ALPHA_MARGIN, (agrees, differs)
    inside = _rates([near(of_values(rng.normal(doc, 0.001, 5)), doc, tol) for _ in range(ROWS)])[0]
    assert inside >= S.POWER, inside


def test_a_claim_of_several_comparisons_differs_wrongly_at_most_at_the_stated_rate():
    """"The balanced network is lowest" is five comparisons; under no difference at all the claim
    differs (one part below it by chance) at most 2.5 % of the time (Bonferroni), and agrees almost
    never (every part would have to agree)."""
    rng = np.random.default_rng(5)
    seeds = list(range(5))

    def row():
        base = rng.normal(0, 3, 5)
        me = of_values(base + rng.normal(0, 1, 5), seeds)
        return all_of([lower(me, of_values(base + rng.normal(0, 1, 5), seeds)) for _ in range(5)])
    agrees, differs, _ = _rates([row() for _ in range(ROWS)])
    assert differs <= S.ALPHA / 2 + ALPHA_MARGIN and agrees <= ALPHA_MARGIN, (agrees, differs)


def test_pairs_are_the_common_seeds_and_a_missing_seed_is_left_out():
    """A seed that diverged has no value: the pairs are the seeds both sides have, and too few pairs
    decide nothing."""
    a, b = of_values([1.0, 2.0, None], [0, 1, 2]), of_values([1.5, 2.5, 3.5], [0, 1, 2])
    assert S.pairs(a, b) == [(0, 1.0, 1.5), (1, 2.0, 2.5)]
    v = lower(a, b)
    assert v.holds is None and "2 seeds, 3 needed" in v.note


def test_the_estimate_is_the_geometric_mean_of_per_seed_ratios_not_a_ratio_of_means():
    """Seed losses 1e-6 / 1e-4 / 1e-2 against 1e-7 / 1e-5 / 1e-4: per-seed ratios 10, 10 and 100,
    whose geometric mean is 21.5; the ratio of the means, 92, is the largest seed's alone."""
    a = of_values([1e-6, 1e-4, 1e-2], [0, 1, 2])
    b = of_values([1e-7, 1e-5, 1e-4], [0, 1, 2])
    e = S.compare(a, b)
    assert e.test == "paired t" and e.log
    assert math.exp(e.diff) == pytest.approx(10 * 10 ** (1 / 3), rel=1e-9)       # (10 * 10 * 100) ** (1/3)
    assert a.mean / b.mean == pytest.approx(92.0, rel=0.01)
    mean, low, high = S.mean_interval(of_values([10.0, 10.0, 10.0]), log=True)
    assert (mean, low, high) == pytest.approx((10.0, 10.0, 10.0))


def test_fixed_numbers_and_seeds_without_spread_are_decided_by_their_values():
    """A bar (1.5 wrong pixels) against three seeds of 0 wrong pixels: known exactly, it holds; two
    fixed numbers compare as they stand."""
    zero = of_values([0.0, 0.0, 0.0])
    assert lower(zero, const(1.5)).holds is True and "in every seed (no spread)" in lower(zero, const(1.5)).note
    assert lower(const(0.4), const(0.9)).holds is True
    assert lower(const(math.nan), const(0.9)).holds is None
    assert lower(scaled(of_values([1.0, 1.1, 0.9]), 10), const(5.0)).holds is False


def test_the_detectable_effect_shrinks_with_more_seeds():
    """The noncentrality at 80 % power: 3.76 standard errors at 4 degrees of freedom (5 seeds), 5.65
    at 2 (3 seeds): in standard deviations of a seed, 1.68 against 3.26, nearly twice the effect,
    which is why a 3-seed row says what it can detect."""
    five, three = S.noncentrality_for_power(4) / math.sqrt(5), S.noncentrality_for_power(2) / math.sqrt(3)
    assert five == pytest.approx(1.68, abs=0.01) and three == pytest.approx(3.26, abs=0.01)
