"""Verdicts over seeds: a course report's comparison ("A beats B") agrees or differs when the 95 %
interval of Student's t over at least 3 seeds lies wholly on one side of no difference (paired by
seed where the row keeps its seeds' values, Welch's otherwise); else it is too close to call. A
number the document gives is compared within a stated tolerance in its own units, and a number in
a unit the document does not state is not comparable. The checks are fed fabricated measurements,
as the report's render step would hand them over."""
import pytest

from aegui.core.analyses.report.verdicts.checks import CHECKS
from aegui.core.analyses.report.verdicts.claims import Spread, all_of, lower, near, of_values
from aegui.core.analyses.report.page import _mark


def test_an_interval_clear_of_no_difference_decides_and_one_across_it_is_too_close():
    # 1.0 ± 0.1 against 2.0 ± 0.2 over 3 seeds each (Welch: means and stds only): decided either way round
    v = lower(Spread(1.0, 0.1, 3), Spread(2.0, 0.2, 3))
    assert v.holds is True and v.note.startswith("Welch t, 3 and 3 seeds: difference -1 (95 % CI -1.5 to -0.49)")
    assert "3 seeds detect a difference of 0.69 or more (80 % power)" in v.note
    assert lower(Spread(2.0, 0.2, 3), Spread(1.0, 0.1, 3)).holds is False
    # the 000 denoising case: 6.09 vs 6.32 wrong pixels over 5 seeds
    v = lower(Spread(6.09, 0.15, 5), Spread(6.32, 0.2, 5))
    assert v.holds is None and v.note.startswith("too close to call (Welch t, 5 and 5 seeds: difference -0.23")
    # the same gap, paired by seed: each seed's difference is -0.23 ± 0.01, which decides
    paired = lower(of_values([6.09 + d for d in (-0.2, 0, 0.2, 0.1, -0.1)]),
                   of_values([6.32 + d + e for d, e in zip((-0.2, 0, 0.2, 0.1, -0.1), (0.01, -0.01, 0, 0.005, -0.005))]))
    assert paired.holds is True and paired.note.startswith("paired t, 5 seeds: difference -0.23"), paired
    # one seed has no spread: never decided, however wide the gap
    v = lower(Spread(1.0, 0.0, 1), Spread(9.0, 0.0, 1))
    assert v.holds is None and v.note == "too close to call (1 seed, 3 needed)"


def test_a_document_number_agrees_with_its_interval_inside_the_tolerance_and_differs_wholly_outside():
    assert near(Spread(0.925, 0.0, 3), 0.93, 0.01).holds is True          # 0.925 exactly, within 0.93 ± 0.01
    assert near(Spread(0.945, 0.0, 3), 0.93, 0.01).holds is False         # 0.945 exactly, outside it
    # one seed decides nothing, however near or far (it agreed and differed from one run)
    v = near(Spread(0.945), 0.93, 0.01)
    assert v.holds is None and "1 seed, 3 needed" in v.note
    v = near(Spread(0.945, 0.01, 3), 0.93, 0.01)                          # 95 % CI 0.915 to 0.975
    assert v.holds is None and v.note.startswith("too close to call (one-sample t, 3 seeds: mean 0.945 (95 % CI")
    # inside the band on average, but the interval reaches out of it: not yet agreeing
    assert near(Spread(0.935, 0.004, 3), 0.93, 0.01).holds is None


def test_a_claim_of_several_comparisons_differs_if_one_differs_and_agrees_only_if_all_agree():
    yes, no, close = (lower(Spread(a, 0.1, 3), Spread(b, 0.1, 3)) for a, b in ((1, 2), (2, 1), (1, 1.1)))
    assert all_of([yes, yes]).holds is True
    assert all_of([yes, close]).holds is None
    assert all_of([close, no]).holds is False
    assert _mark(None, True) == "too close to call" and _mark(None) == "not comparable"


def _denoise_models(deep_20, shallow_20, std, runs):
    models = {}
    for layers, at20 in (("35-25-10-2", shallow_20), ("35-50-25-10-2", deep_20)):
        for level, wrong in (("20 %", at20), ("50 %", at20 + 3), ("90 %", 12.0)):
            deeper = layers.startswith("35-50")
            models[f"{layers}, level={level}"] = {
                "noisy_input_wrong": 7.0, "denoised_wrong": wrong - (1.0 if deeper and level == "50 %" else 0),
                "denoised_wrong_std": std, "runs": runs}
    return models


def test_denoising_more_layers_help_is_too_close_on_a_fraction_of_a_pixel_and_agrees_on_a_clear_gap():
    """000's 'more layers help at 20 and 50 %' once flipped between runs on a 0.2-pixel gap: one
    seed, or an interval across no difference, is now too close to call; a clear gap agrees."""
    one_seed = CHECKS["000-denoising"]({"models": _denoise_models(6.09, 6.32, 0.0, 1)})
    more = one_seed["findings"][1]
    assert more["agrees"] is None and more["close"] and "too close to call" in more["measured"]
    noisy = CHECKS["000-denoising"]({"models": _denoise_models(6.09, 6.32, 0.3, 5)})
    assert noisy["findings"][1]["agrees"] is None and "difference -0.23 (95 % CI" in noisy["findings"][1]["measured"]
    clear = CHECKS["000-denoising"]({"models": _denoise_models(3.0, 6.3, 0.3, 5)})
    assert clear["findings"][1]["agrees"] is True and "± 0.3" in clear["findings"][1]["measured"]
    assert [f["agrees"] for f in clear["findings"]] == [True, True, True]


def _vae_run(label, train, train_std, test, runs):
    return {"label": label, "runs": runs, "final_train_loss": train, "final_train_loss_std": train_std,
            "final_test_loss": test, "final_test_loss_std": train_std, "epochs": [5, 10], "train_curve": [train, train]}


def test_vae_depth_one_loss_spike_in_the_spread_is_too_close_to_call():
    """A deep VAE whose seeds include one loss spike (489 ± 350 against 133 ± 10) cannot be said to
    be worse; without the spike (58 ± 5 against 99 ± 8) it is better."""
    spiky = {"runs": [_vae_run("shallow 256", 133, 10, 140, 3), _vae_run("deep 256-128", 489, 350, 500, 3)]}
    f = CHECKS["000-vae-depth"](spiky)["findings"][0]
    assert f["agrees"] is None and "too close to call (Welch t, 3 and 3 seeds: difference 356" in f["measured"]
    calm = {"runs": [_vae_run("shallow 256", 99, 8, 110, 3), _vae_run("deep 256-128", 58.4, 5, 70, 3)]}
    assert CHECKS["000-vae-depth"](calm)["findings"][0]["agrees"] is True


def _sweep_row(label, loss, std, wrong=1.0, n=5, **extra):
    return {"label": label, "final_loss_mean": loss, "final_loss_std": std, "final_mean_wrong_mean": wrong,
            "final_mean_wrong_std": std, "final_max_wrong_mean": wrong, "n_runs": n, **extra}


def test_loss_and_learning_rate_checks_judge_by_the_spread():
    close = {"configs": [_sweep_row("MSE", 0.1, 0.05, wrong=0.39), _sweep_row("cross-entropy", 0.1, 0.05, wrong=0.35)]}
    assert CHECKS["000-loss"](close)["findings"][0]["agrees"] is None          # gap 0.04 < spread 0.1
    apart = {"configs": [_sweep_row("MSE", 0.1, 0.01, wrong=0.39), _sweep_row("cross-entropy", 0.1, 0.01, wrong=0.18)]}
    assert CHECKS["000-loss"](apart)["findings"][0]["agrees"] is True
    lr = {"runs": [{"label": f"{name}", "runs": 5, "final_train_loss": loss, "final_train_loss_std": 0.01,
                    "train_mean_wrong": 0.0} for name, loss in (("constant 0.01", 0.10), ("0.01 x 0.995", 0.105),
                                                                 ("0.1 x 0.9995", 3.0))]}
    first, worst = CHECKS["000-learning-rate"](lr)["findings"]
    assert first["agrees"] is None and worst["agrees"] is True


def test_architectures_balanced_lowest_is_too_close_when_the_over_parametrised_one_matches_it():
    rows = [_sweep_row("over-parametrised 35-50-100-2", 0.0011, 0.0005, wrong=0.0),
            _sweep_row("balanced 35-25-10-2", 0.0010, 0.0005, wrong=0.0),
            _sweep_row("under-parametrised 35-10-5-2", 0.5, 0.05, wrong=4.0)]
    first, under = CHECKS["000-architectures"]({"configs": rows})["findings"]
    assert first["agrees"] is None and under["agrees"] is True


def test_training_fraction_numbers_are_not_comparable_their_unit_unstated():
    """0.4575 / 3.6054 / 1.8284 are "error de entrenamiento" with no unit: per pixel, per glyph and
    summed over the training glyphs all fit numbers of that size. The page once read them as summed
    errors and "differed"; now it shows aegui's error in all three readings and compares none.
    Which share is lowest needs no unit (it is 30 % in each reading) and is still judged."""
    def row(share, split, loss):
        return _sweep_row(f"train on {share}", loss, 0.001, **{"data.val_split": split,
                                                                "heldout_mean_wrong_mean": 5.0})
    m = {"configs": [row("30 %", 0.7, 0.0185), row("50 %", 0.5, 0.0429), row("70 %", 0.3, 0.0663)]}
    order, numbers = CHECKS["001-training-fraction"](m)["findings"]
    assert order["agrees"] is True
    assert numbers["agrees"] is None and not numbers.get("close") and "unit unstated" in numbers["measured"]
    assert "30 %: 0.0185 ± 0.001 per pixel, 0.647 ± 0.035 per glyph, 18.8 ± 1 summed over its 29 training glyphs" \
        in numbers["measured"], numbers["measured"]


def _stages(runs=3, std=0.001, **accuracy):
    """measured.stages as the report gives them: each stage's mean, population std and seeds."""
    acc = {"fine-tuned": 0.976, "frozen": 0.90, "pixels": 0.92, **accuracy}
    return {k.replace("_", "-"): {"accuracy": a, "accuracy_std": std, "macro_f1": a, "macro_f1_std": std,
                                  "runs": runs, "seconds": 1.0} for k, a in acc.items()}


def test_fashion_accuracy_is_the_document_s_093_within_001_not_a_threshold():
    m = {"stages": _stages(fine_tuned=0.945)}
    f = CHECKS["003-classifier-fashion"](m)["findings"][0]
    assert f["agrees"] is False and "tolerance 0.01" in f["measured"]
    m["stages"]["fine-tuned"]["accuracy"] = 0.925
    assert CHECKS["003-classifier-fashion"](m)["findings"][0]["agrees"] is True


# The per-seed validation losses of the fine-tuned stage: lowest at epoch 2, then up 10 % (over-fits),
# or still falling at the last epoch (does not).
OVERFITS, KEEPS_FALLING = [0.5, 0.3, 0.33], [0.5, 0.4, 0.3]


@pytest.mark.parametrize("check", ["003-classifier", "003-classifier-fashion"])
def test_a_classifier_measured_on_one_seed_decides_nothing(check):
    """The committed MNIST row was one run: each of its verdicts (the accuracy against the bar or
    the document's 0.93, fine-tuning against frozen codes and pixels, over-fitting, the hardest
    class) is too close to call on one seed, however clear the numbers look."""
    m = {"stages": _stages(runs=1, std=0.0, fine_tuned=0.93), "val_loss_curves": [OVERFITS],
         "class_f1": [{"Shirt": 0.7, "Trouser": 0.99, "Bag": 0.98}]}
    findings = CHECKS[check](m)["findings"]
    assert len(findings) == (4 if "fashion" in check else 3)
    for f in findings:
        assert f["agrees"] is None and "1 seed, 3 needed" in f["measured"], f


def test_a_classifier_over_three_seeds_agrees_beyond_the_spread():
    """0.975 / 0.976 / 0.977 is above 0.97 by more than its std (0.0008); frozen codes 0.90 and
    pixels 0.92 (± 0.01) are below it beyond the two stds; every seed's validation loss over-fits."""
    m = {"stages": _stages(std=0.01, fine_tuned=0.976), "val_loss_curves": [OVERFITS] * 3}
    m["stages"]["fine-tuned"]["accuracy_std"] = 0.000816
    bar, beats, overfits = CHECKS["003-classifier"](m)["findings"]
    assert bar["agrees"] is True and "0.976" in bar["measured"]
    assert beats["agrees"] is True and overfits["agrees"] is True and "3 of 3 seeds" in overfits["measured"]
    # the bar within the spread: 0.971 ± 0.002 is too close to 0.97 to tell
    m["stages"]["fine-tuned"].update(accuracy=0.971, accuracy_std=0.002)
    assert CHECKS["003-classifier"](m)["findings"][0]["agrees"] is None
    # frozen codes within the spread of the fine-tuned accuracy: too close to call
    m["stages"]["frozen"].update(accuracy=0.968, accuracy_std=0.01)
    assert CHECKS["003-classifier"](m)["findings"][1]["agrees"] is None


@pytest.mark.parametrize("curves, agrees", [([OVERFITS] * 3, True), ([KEEPS_FALLING] * 3, False),
                                            ([OVERFITS, OVERFITS, KEEPS_FALLING], None)])
def test_over_fitting_holds_when_every_seed_shows_it_and_fails_when_none_does(curves, agrees):
    f = CHECKS["003-classifier"]({"stages": _stages(), "val_loss_curves": curves})["findings"][2]
    assert f["agrees"] is agrees and f"{sum(c is OVERFITS for c in curves)} of 3 seeds" in f["measured"]


def test_the_hardest_fashion_class_is_judged_on_every_seed():
    hard = {"Shirt": 0.78, "Trouser": 0.99, "Pullover": 0.85}
    other = {"Shirt": 0.86, "Trouser": 0.99, "Pullover": 0.80}
    check = CHECKS["003-classifier-fashion"]
    shirts = lambda f1: check({"stages": _stages(fine_tuned=0.93), "class_f1": f1})["findings"][-1]   # noqa: E731
    assert shirts([hard] * 3)["agrees"] is True and "0.78" in shirts([hard] * 3)["measured"]
    assert shirts([other] * 3)["agrees"] is False
    assert shirts([hard, hard, other])["agrees"] is None


def _curve_run(label, test, std, runs=3):
    return {"label": label, "runs": runs, "seconds": 10.0, "epochs": list(range(1, len(test) + 1)),
            "train_curve": test, "train_curve_std": [std] * len(test),
            "test_curve": test, "test_curve_std": [std] * len(test)}


def test_conv_vs_linear_compares_every_epoch_of_the_curves_and_states_the_conclusion():
    """Linear below convolutional for epochs 1-4, then above: the final values alone would say
    agrees; epoch by epoch it differs, and the page names the epochs."""
    conv = [0.09, 0.07, 0.05, 0.04, 0.02, 0.015, 0.012, 0.010]
    lin = [0.06, 0.04, 0.03, 0.03, 0.03, 0.029, 0.028, 0.027]
    m = {"runs": [_curve_run("convolutional AE", conv, 0.001), _curve_run("linear AE (784-64-784)", lin, 0.001)]}
    out = CHECKS["004-conv-vs-linear"](m)
    faster, _, slightly = out["findings"]
    assert faster["agrees"] is False and "linear below at epochs 1, 2, 3, 4" in faster["measured"]
    assert "slightly better" in slightly["claim"] and slightly["agrees"] is True
    spread_wide = {"runs": [_curve_run("convolutional AE", conv, 0.02), _curve_run("linear AE (784-64-784)", lin, 0.02)]}
    assert CHECKS["004-conv-vs-linear"](spread_wide)["findings"][2]["agrees"] is None


def _seeded_run(label, finals, seeds=(1, 2, 3, 4, 5)):
    """A compare row whose seeds' test curves end at `finals` (one per seed)."""
    curves = [[0.05, f] for f in finals]
    mean = sum(finals) / len(finals)
    return {**_curve_run(label, [0.05, mean], 0.0, runs=len(finals)), "seed_test_curves": curves,
            "seed_train_curves": curves, "per_seed": {"seed": list(seeds)}}


def test_the_grid_choice_pairs_the_two_configurations_seed_by_seed():
    """The report's batch 1000 against the grid's batch 128 on the same seeds: a seed-to-seed spread
    larger than the gap still gives a verdict when every seed's pair moves together, and a failed
    configuration makes the claim not comparable rather than a loss."""
    doc = "the report's choice: Adam, batch 1000, learning rate 0.001"
    best = "the grid's best here: Adam, batch 128, learning rate 0.001"
    check = CHECKS["004-grid-choice"]
    worse = [0.0058, 0.0061, 0.0055, 0.0064, 0.0057]
    out = check({"runs": [_seeded_run(doc, worse), _seeded_run(best, [v / 2.7 for v in worse])]})
    (claim,) = out["findings"]
    assert claim["agrees"] is False and "paired t, 5 seeds" in claim["measured"] and claim["p"] < 0.001
    assert "2.7 times lower" in out["differs"]
    # 2 % lower in every seed, a gap under half the seeds' spread: paired by seed, it decides.
    close = check({"runs": [_seeded_run(doc, worse), _seeded_run(best, [v * 0.98 for v in worse])]})
    assert close["findings"][0]["agrees"] is False and "paired t" in close["findings"][0]["measured"]
    # The same seeds, batch 128 above in two and below in three: no verdict either way.
    mixed = [v * k for v, k in zip(worse, (0.97, 1.04, 0.98, 1.02, 1.01))]
    tied = check({"runs": [_seeded_run(doc, worse), _seeded_run(best, mixed)]})
    assert tied["findings"][0]["agrees"] is None and tied["differs"] == ""
    dead = {**_seeded_run(best, worse), "failed": "the grid's best here did not train (all 5 dead)"}
    gone = check({"runs": [_seeded_run(doc, worse), dead]})["findings"][0]
    assert gone["agrees"] is None and "not comparable" in gone["measured"]


@pytest.mark.parametrize("check, m, which", [
    ("000-vae-latent", {"runs": [{**_vae_run(f"latent {k}", 10 - k / 100, 0.0, 11, 1), "test_mse": 0.05 + k / 1000}
                                 for k in (1, 2, 4, 64, 128)]}, 0),
    ("000-vae-bad", {"runs": [_vae_run("bad", 50, 0, 50, 1), _vae_run("reference", 10, 0, 10, 1)],
                     "models": {"bad": {"output_spread": 0.001, "runs": 1}, "reference": {"output_spread": 0.8, "runs": 1}}},
     1),
    ("000-epochs", {"configs": [_sweep_row(str(e), 1 / e, 0.0, n=1, **{"train.epochs": e}) for e in (6000, 12000)]}, 0),
])
def test_one_seed_never_decides_a_comparison(check, m, which):
    """However wide the gap, a comparison measured on one seed is too close to call."""
    f = CHECKS[check](m)["findings"][which]
    assert f["agrees"] is None and "1 seed" in f["measured"], f


def test_seed_curves_of_unequal_length_average_the_seeds_that_reached_each_epoch():
    """A seed that diverged stops early, so its curve is shorter than the others': the per-epoch
    mean and spread average the seeds that reached each epoch (the report failed on such a row
    with "inhomogeneous shape")."""
    from aegui.core.analyses.report.render import per_epoch_mean_std
    mean, std = per_epoch_mean_std([[4.0, 2.0, 1.0], [2.0], [3.0, 4.0, float("nan")]])
    assert mean == [3.0, 3.0, 1.0]
    assert std == pytest.approx([(2 / 3) ** 0.5, 1.0, 0.0])
    assert per_epoch_mean_std([[1.0, float("inf")], [3.0]]) == ([2.0, None], [1.0, None])


def test_a_vae_rate_that_diverges_before_its_first_check_is_the_divergence_the_document_allows():
    """000's VAE at learning rate 0.01 with the document's L2-norm loss has no finite loss at its
    first check and stops: the document expects "fast convergence or divergence", so a divergence
    counts as the roughest curve there is (the whole of it spent rising), set against 0.0001's
    curve of the same seed; three seeds that all diverge agree (it read "no finite loss" and differed)."""
    from aegui.core.analyses.report.verdicts.checks_vae import c000_vae_lr
    calm = [45.8, 40.0, 35.0, 28.0]
    slow = {"label": "learning rate 0.0001", "runs": 3, "epochs": [5, 10, 15, 100], "train_curve": calm,
            "seed_train_curves": [calm, calm, calm], "seed_last_epochs": [100, 100, 100], "final_train_loss": 28.0}
    fast = {"label": "learning rate 0.01", "runs": 3, "epochs": [5], "train_curve": [None],
            "seed_train_curves": [[None]] * 3, "seed_last_epochs": [5, 5, 5]}
    first, second = c000_vae_lr({"runs": [slow, fast]})["findings"]
    assert second["agrees"] is True and "diverged in 3 of 3 seeds" in second["measured"], second
    assert "(a divergence: 1): 1, 1, 1, against 0, 0, 0 at 0.0001" in second["measured"], second
    assert first["agrees"] is True and "spent rising: 0, 0, 0" in first["measured"], first


def test_the_vae_learning_rate_verdicts_are_judged_seed_by_seed():
    """Whether 0.0001 is smooth and 0.01 is wild is a shape of each seed's curve: one seed decides
    nothing (it once agreed from a single run), and one bumpy seed of three leaves the share of
    the curve spent rising too uncertain to call it under 0.1."""
    from aegui.core.analyses.report.verdicts.checks_vae import c000_vae_lr
    calm, bumpy = [45.8, 40.0, 35.0, 28.0], [45.8, 30.0, 44.0, 28.0]
    slow = {"label": "learning rate 0.0001", "runs": 1, "epochs": [5, 10, 15, 100], "train_curve": calm,
            "final_train_loss": 28.0}
    fast = {"label": "learning rate 0.01", "runs": 1, "epochs": [5], "train_curve": [None]}
    one = c000_vae_lr({"runs": [slow, fast]})["findings"]
    assert [f["agrees"] for f in one] == [None, None] and all("1 seed, 3 needed" in f["measured"] for f in one), one
    mixed = {**slow, "runs": 3, "seed_train_curves": [calm, bumpy, calm], "seed_last_epochs": [100] * 3}
    first = c000_vae_lr({"runs": [mixed, fast]})["findings"][0]
    assert first["agrees"] is None and "spent rising: 0, 0.44, 0" in first["measured"], first


def _vae_row(label, curve, final=None, failed=""):
    """A compare row as render makes it: 3 seeds of one curve, or none that counts (`failed`)."""
    r = {"label": label, "runs": 0 if failed else 3, "seeds": 3,
         "epochs": [5 * (i + 1) for i in range(len(curve))],
         "train_curve": [None] * len(curve) if failed else curve, "train_curve_std": [0.1] * len(curve)}
    if failed:
        r.update(failed=failed, seed_train_curves=[], per_seed={"seed": []})
    elif final is not None:
        r.update(final_train_loss=final, final_train_loss_std=0.1)
    return r


def test_a_vae_activation_that_did_not_train_leaves_the_claims_on_it_not_comparable():
    """A variant none of whose seeds trained has no loss to rank: a claim that ranks it is not
    comparable and names it by its own failure (a dead sigmoid once read "sigmoid diverged" and
    "too close to call (a value is missing)" beside an "n/a"); claims between variants that
    trained are still decided."""
    from aegui.core.analyses.report.verdicts.checks_vae import c000_vae_activation
    cosh = "cosh did not train (no seed trained: all 3 diverged at epoch 5)"
    relu, sigmoid = _vae_row("ReLU", [50, 40, 30, 20, 10], 10.0), _vae_row("sigmoid", [60, 58, 56, 54, 52], 52.0)
    out = c000_vae_activation({"runs": [relu, sigmoid, _vae_row("cosh", [None], failed=cosh)]})
    early, sharpest = out["findings"]
    assert early["agrees"] is True, early
    assert sharpest["agrees"] is None and "close" not in sharpest, sharpest
    assert f"not comparable: {cosh}" in sharpest["measured"], sharpest
    assert out["differs"] == cosh
    dead = "sigmoid did not train (no seed trained: all 3 dead)"
    out = c000_vae_activation({"runs": [relu, _vae_row("sigmoid", [60, 58, 56, 54], failed=dead),
                                        _vae_row("cosh", [None], failed=cosh)]})
    for f in out["findings"]:
        assert f["agrees"] is None and "close" not in f and "n/a" not in f["measured"], f
    assert f"not comparable: {dead}" in out["findings"][0]["measured"]
    assert out["differs"] == f"{dead}; {cosh}" and "sigmoid diverged" not in out["differs"]


def test_a_vae_rate_that_did_not_train_leaves_both_rate_claims_not_comparable():
    """0.0001 dead in every seed keeps no curve: "smooth and still falling" and "rougher than
    0.0001" both rest on its curve, so both are not comparable and name it (they read "too close
    to call (a value is missing)", "n/a" and an empty list of 0.0001's values)."""
    from aegui.core.analyses.report.verdicts.checks_vae import c000_vae_lr
    dead = "learning rate 0.0001 did not train (no seed trained: all 3 dead)"
    slow = _vae_row("learning rate 0.0001", [45.8, 40.0, 35.0, 28.0], failed=dead)
    slow["epochs"] = [5, 10, 15, 100]
    fast = {"label": "learning rate 0.01", "runs": 3, "epochs": [5], "train_curve": [None],
            "seed_train_curves": [[None]] * 3, "seed_last_epochs": [5, 5, 5]}
    findings = c000_vae_lr({"runs": [slow, fast]})["findings"]
    for f in findings:
        assert f["agrees"] is None and "close" not in f and f"not comparable: {dead}" in f["measured"], f
        assert not any(bad in f["measured"] for bad in ("n/a", "against  at", "(x2)")), f
    assert "diverged in 3 of 3 seeds" in findings[1]["measured"]


def _epoch_rows(losses: dict, seeds=(0, 1, 2, 3, 4)):
    """000-epochs' config rows with each seed's loss kept (render's per_seed)."""
    return {"configs": [_sweep_row(str(e), sum(v) / len(v), 0.0, n=len(v), **{"train.epochs": e},
                                   per_seed={"seed": list(seeds), "final_loss": list(v)}) for e, v in losses.items()]}


def test_000_epochs_falls_at_every_step_seed_by_seed():
    """"The error falls steadily from 6,000 to 12,000 epochs": each 1,000 more epochs end lower in
    every seed, by about half, with losses from 4e-6 to 3e-4 (a paired t on their logs). Compared
    as means ± std (9.4e-5 ± 1.1e-4 then 4e-5 ± 4.4e-5) it was too close to call at every step."""
    from aegui.core.analyses.report.verdicts.checks_glyphs import c000_epochs
    first = [3.85e-06, 8.72e-06, 7.37e-05, 3.10e-04, 7.39e-05]      # the committed seeds at 6,000 epochs
    falling = _epoch_rows({6000 + 1000 * k: [v * 0.5 ** k * (1 + 0.02 * (i - 2) * k) for i, v in enumerate(first)]
                           for k in range(7)})
    steady, shrink = c000_epochs(falling)["findings"]
    assert steady["agrees"] is True and "at 6 of 6 steps" in steady["measured"], steady
    assert "paired t on logs, 5 seeds: ratio 0.5" in steady["measured"]
    bump = _epoch_rows({6000: first, 7000: [v * 0.5 for v in first], 8000: [v * 0.7 for v in first]})
    assert c000_epochs(bump)["findings"][0]["agrees"] is False


def test_000_epochs_shrink_factor_is_a_geometric_mean_and_not_comparable_its_normalisation_unstated():
    """The document's "normalised" errors (0.0047 at 6,000 epochs, 0.0001 at 12,000) do not say what
    they are normalised by: only an error proportional to aegui's loss would shrink by the same
    factor, so it is not compared. The factor shown is each seed's ratio averaged as a geometric
    mean with its interval (a ratio of means would follow the largest seed alone)."""
    from aegui.core.analyses.report.verdicts.checks_glyphs import c000_epochs
    first = [3.85e-06, 8.72e-06, 7.37e-05, 3.10e-04, 7.39e-05]
    last = [1.08e-07, 2.42e-07, 1.48e-06, 4.12e-06, 1.52e-06]
    f = c000_epochs(_epoch_rows({6000: first, 12000: last}))["findings"][1]
    assert f["agrees"] is None and not f.get("close") and "unit unstated" in f["measured"], f
    assert "geometric mean 47.2 times (95 % CI 32 to 69, 5 seeds; within 31 to 95" in f["measured"], f["measured"]
    summary = c000_epochs({"configs": [_sweep_row("6000", 9.4e-5, 1e-4, **{"train.epochs": 6000}),
                                       _sweep_row("12000", 1.5e-6, 1e-6, **{"train.epochs": 12000})]})
    assert "a ratio of means" in summary["findings"][1]["measured"]


def test_the_final_network_the_fonts_and_the_linear_autoencoder_are_judged_over_seeds():
    """Three claims once decided on one run or on the means alone: 000's final network within 1
    wrong pixel (one run), 001's "the same architecture is best in every font" (the lowest mean,
    whatever the spread) and 004's "the linear autoencoder learns almost nothing" (the mean curve's
    fall). Each is now a comparison over the seeds."""
    final = {"label": "final", "train_max_wrong": 0.0, "train_max_wrong_std": 0.0, "train_mean_wrong": 0.0,
             "final_train_loss": 1e-7}
    one = CHECKS["000-final"]({"runs": [{**final, "runs": 1}]})["findings"][0]
    assert one["agrees"] is None and "1 seed, 3 needed" in one["measured"], one
    assert CHECKS["000-final"]({"runs": [{**final, "runs": 3}]})["findings"][0]["agrees"] is True
    assert CHECKS["000-final"]({"runs": [{**final, "runs": 3, "train_max_wrong": 4.0}]})["findings"][0]["agrees"] is False

    def font_rows(gap):
        return {"configs": [_sweep_row(f"{f} {a}", loss, 0.01, **{"data.fonts": f, "model.layers": a,
                                                                   "train.optimizer": "momentum"})
                            for f in ("Font1", "Font2") for a, loss in (("35-25-17-2", 0.10), ("35-2", 0.10 + gap))]}
    assert CHECKS["001-per-font"](font_rows(0.005))["findings"][0]["agrees"] is None    # best by a hair
    assert CHECKS["001-per-font"](font_rows(0.05))["findings"][0]["agrees"] is True

    conv = [0.05, 0.02, 0.01]
    flat = {"runs": [_curve_run("convolutional AE", conv, 0.001), _curve_run("linear AE", [0.02, 0.016, 0.015], 0.001)]}
    assert CHECKS["004-conv-vs-linear"](flat)["findings"][1]["agrees"] is True           # falls 1.3x
    learns = {"runs": [_curve_run("convolutional AE", conv, 0.001), _curve_run("linear AE", [0.06, 0.02, 0.01], 0.001)]}
    assert CHECKS["004-conv-vs-linear"](learns)["findings"][1]["agrees"] is False        # falls 6x
    one_seed = {"runs": [_curve_run("convolutional AE", conv, 0.0, 1), _curve_run("linear AE", [0.06, 0.02, 0.01], 0.0, 1)]}
    assert CHECKS["004-conv-vs-linear"](one_seed)["findings"][1]["agrees"] is None


def test_a_compare_row_s_summary_gives_each_mean_with_its_spread():
    """The page's "aegui" column of a compare row gave bare means ("train loss 52.2") while its
    verdict weighed their spread: a reader could not see why 58 against 99 was too close."""
    from aegui.core.analyses.report.verdicts.claims import generic
    three = {"runs": [{"label": "shallow", "runs": 3, "final_train_loss": 52.2, "final_train_loss_std": 3.1,
                       "final_test_loss": 65.5, "final_test_loss_std": 2.0},
                      {"label": "deep", "runs": 3, "final_train_loss": 20.1, "final_train_loss_std": 0.4}]}
    assert generic(three) == ("mean ± std over 3 seeds: shallow: train loss 52.2 ± 3.1, test 65.5 ± 2; "
                              "deep: train loss 20.1 ± 0.4")
    one = {"runs": [{"label": "alone", "runs": 1, "final_train_loss": 52.2, "final_train_loss_std": 0.0}]}
    assert generic(one) == "alone: train loss 52.2"


def test_the_page_shows_each_tested_verdict_s_p_value():
    """The page's table gives each verdict its p-value beside it ("agrees (p = 0.0085): ..."); a
    finding no test decides (a picture, a unit the document does not state) shows none."""
    from aegui.core.analyses.report.verdicts.claims import finding, judged
    from aegui.core.analyses.report.page import _p
    decided = judged("lower", "1 against 2", lower(Spread(1.0, 0.1, 3), Spread(2.0, 0.2, 3)))
    assert decided["p"] == pytest.approx(0.0085, abs=0.0005) and _p(decided) == " (p = 0.0085)"
    close = judged("lower", "6.09 against 6.32", lower(Spread(6.09, 0.15, 5), Spread(6.32, 0.2, 5)))
    assert close["close"] and _p(close).startswith(" (p = 0.")
    assert _p(finding("a picture", "see latent.png", None)) == ""
    assert "p" not in judged("one seed", "1 against 9", lower(Spread(1.0), Spread(9.0)))


def test_a_p_value_is_never_rounded_onto_the_line_its_verdict_is_drawn_at():
    """A p-value is printed to two significant digits, with more where two would put it on or across
    the 5 % line: an "agrees" at p = 0.047 printed "p = 0.05" reads as a verdict at the edge of the
    rule, and 0.0496 printed "0.05" as one on the wrong side of it."""
    from aegui.core.analyses.report.verdicts.claims import p_text
    assert p_text(0.0004) == "p < 0.001" and p_text(0.001) == "p = 0.001"
    assert p_text(0.0036) == "p = 0.0036" and p_text(0.83) == "p = 0.83" and p_text(1.0) == "p = 1"
    assert p_text(0.047) == "p = 0.047" and p_text(0.054) == "p = 0.054"
    assert p_text(0.0496) == "p = 0.0496" and p_text(0.0504) == "p = 0.0504" and p_text(0.05) == "p = 0.05"
    for p in (0.0011, 0.0123, 0.04996, 0.05004, 0.0499999, 0.31, 0.999):
        shown = float(p_text(p).split("= ")[1])
        assert (shown <= 0.05) == (p <= 0.05) and (shown != 0.05 or p == 0.05), p
