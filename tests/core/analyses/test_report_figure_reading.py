"""The report's figures must be readable as a scientist would sign them: a log axis labelled at
powers of ten and never "0" (000-architectures' axis read "0.000001 ... 0" down to a "0"), the
axis name clear of the tick labels (000-learning-rate's "loss (log scale)" lay on "0.00010"), a
VAE's loss (reconstruction + KL per image, ~24) on its own axis instead of squashing five
per-pixel losses (~0.25) into a line, curves that cross back and forth drawn one panel each, a
seed that diverged marked where it stopped (000-vae-latent's "latent 1, seed 2" stopped at epoch
5 and nothing said so), a grid search as a heatmap with one cell per grid point (004's 45 small
panels made a picture 4,068 px tall), latent plots with axes and no label over another, and
accuracies on an axis that shows the train / test gap. Each figure records its labels' boxes
(img.info["labels"]); nothing is read back from pixels."""
import math

import numpy as np
import pytest

from aegui.core.analyses.report.figures import figures as RF
from aegui.core.analyses.report.figures.curves import compare_curves, loss_curves


def _labels(img, kind):
    return [lab for lab in img.info.get("labels", []) if lab["kind"] == kind]


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _is_power_of_ten(text: str) -> bool:
    v = float(text)
    return v > 0 and abs(math.log10(v) - round(math.log10(v))) < 1e-9


EPOCHS = np.arange(100, 10001, 100)


@pytest.mark.parametrize("lo, hi", [(1e-7, 0.4), (3e-6, 0.5), (0.002, 0.2), (1e-3, 1e5)])
def test_a_log_axis_spanning_decades_is_labelled_at_powers_of_ten_never_0(lo, hi):
    """000-architectures: losses from 0.4 down to 1e-7 over 10,000 epochs, on a log axis."""
    curve = np.geomspace(hi, lo, len(EPOCHS))
    img = loss_curves([{"label": "a", "epochs": EPOCHS, "train": curve}], title="t")
    ticks = [lab["text"] for lab in _labels(img, "ytick")]
    assert len(ticks) >= 2, ticks
    assert "0" not in ticks and all(float(t) > 0 for t in ticks), ticks
    assert all(_is_power_of_ten(t) for t in ticks), ticks


@pytest.mark.parametrize("lo, hi", [(0.32, 0.63), (0.245, 0.4), (22.6, 26.3), (0.2495, 0.2497)])
def test_a_short_log_axis_still_has_three_round_labels_and_no_0(lo, hi):
    """001-scipy's losses of 0.32 to 0.63 hold no power of ten: 2x and 5x, the whole multiples
    (0.4, 0.5, 0.6) or round values are labelled instead, at least three of them."""
    img = loss_curves([{"label": "a", "epochs": np.arange(1, 21), "train": np.linspace(hi, lo, 20)}], title="t")
    ticks = [lab["text"] for lab in _labels(img, "ytick")]
    assert len(ticks) >= 3 and len(set(ticks)) == len(ticks), ticks
    assert all(float(t) > 0 for t in ticks) and "0" not in ticks, ticks


@pytest.mark.parametrize("log", [True, False])
def test_the_axis_name_is_clear_of_the_tick_labels(log):
    """"loss (log scale)" is written up the left side; the plot starts right of the widest tick
    label ("0.00001", "1e-5"), so the two never touch."""
    curve = np.geomspace(0.4, 5e-6, len(EPOCHS))
    img = loss_curves([{"label": "a", "epochs": EPOCHS, "train": curve}], title="t", log=log)
    (name,) = _labels(img, "ylabel")
    ticks = _labels(img, "ytick")
    assert ticks
    for t in ticks:
        assert not _overlap(name["box"], t["box"]), f"{name['box']} overlaps {t['text']!r} at {t['box']}"
    (xname,) = _labels(img, "xlabel")
    for t in _labels(img, "xtick"):
        assert not _overlap(xname["box"], t["box"])


def _row(label, curve, seeds=3, lasts=None, std=0.01, test=None):
    n = len(curve)
    return {"label": label, "runs": seeds, "epochs": list(range(10, 10 * n + 1, 10)), "train_curve": list(curve),
            "train_curve_std": [std] * n, "test_curve": test, "seed_train_curves": [list(curve)] * seeds,
            "seed_last_epochs": lasts or [10 * n] * seeds}


def test_a_vae_loss_gets_its_own_panel_and_axis():
    """002: five per-pixel losses of 0.25 to 0.4 and a VAE's 24 (summed per image, with its KL
    term). On one log axis the five lay in a line at the bottom; each group gets its axis."""
    plain = [_row(f"kind {i}", np.linspace(0.4 - 0.02 * i, 0.25 + 0.005 * i, 30)) for i in range(5)]
    vae = _row("variational (VAE)", np.linspace(26, 24, 30))
    facts = {r["label"]: {"epochs": 300, "kl": False} for r in plain} | {vae["label"]: {"epochs": 300, "kl": True}}
    img = compare_curves(plain + [vae], facts, test="none")
    ticks = [float(lab["text"]) for lab in _labels(img, "ytick")]
    first = ticks[: next(i for i, t in enumerate(ticks) if t > 1)]          # the per-pixel panel's ticks come first
    assert first and max(first) < 1 and min(ticks[len(first):]) > 10, ticks
    # The per-pixel panel's ticks span its own losses: at least three labels between 0.2 and 0.5.
    assert len([t for t in first if 0.2 <= t <= 0.5]) >= 3, first


def test_curves_that_tangle_are_drawn_one_panel_each():
    """000-denoising: six noisy curves crossing 22 times among 15 pairs. One panel each (titled by
    its run), on shared axes."""
    rng = np.random.default_rng(0)
    runs = [{"label": f"level={k}", "epochs": np.arange(1, 25), "train": 0.3 + 0.05 * rng.random(24)} for k in range(5)]
    img = loss_curves(runs, title="tangled")
    assert [lab["text"] for lab in _labels(img, "title")] == [r["label"] for r in runs]
    apart = [{"label": f"lr {k}", "epochs": np.arange(1, 25), "train": np.geomspace(1, 0.01 * (k + 1), 24)}
             for k in range(5)]
    assert not _labels(loss_curves(apart, title="apart"), "title")        # curves that keep apart share a panel


def test_each_seed_that_diverged_is_marked_where_it_stopped():
    """000-vae-latent: "latent 1, seed 2" stopped at epoch 5 with no finite loss while seeds 0
    and 1 ran 200 epochs. The mean curve goes on; a cross at epoch 5 says one seed stopped."""
    rows = [_row("latent 1", np.linspace(50, 22, 20), lasts=[200, 200, 5]), _row("latent 2", np.linspace(50, 35, 20))]
    rows[0]["seed_train_curves"][2] = [None]
    img = compare_curves(rows, {"latent 1": {"epochs": 200}, "latent 2": {"epochs": 200}}, test="none")
    notes = " ".join(lab["text"] for lab in _labels(img, "note"))
    assert "1 of 3 seeds diverged at epoch 5" in notes and "(loss not finite)" in notes, notes
    assert len(_labels(img, "cross")) == 1
    inside = img.info["labels"]
    for lab in _labels(img, "note"):
        assert 0 <= lab["box"][0] and lab["box"][2] <= img.width, lab
    assert inside


def test_a_sweep_marks_its_diverged_seeds_at_their_last_finite_check():
    from types import SimpleNamespace
    from aegui.core.analyses.report.render import sweep_stops
    ok = SimpleNamespace(diverged=False, history_epochs=np.array([10, 20, 30]), history_loss=np.array([1.0, 0.5, 0.2]))
    dead = SimpleNamespace(diverged=True, history_epochs=np.array([10, 20, 30]), history_loss=np.array([1.0, 3.0, np.nan]),
                           history_mean_wrong=np.array([5.0, 9.0, np.nan]))
    assert sweep_stops([ok, dead], "history_loss") == [{"epoch": 20, "loss": 3.0, "why": "1 of 2 seeds diverged after epoch 20"}]
    assert sweep_stops([dead], "history_mean_wrong")[0]["loss"] == 9.0


def _grid_spec():
    from aegui.core.analyses.compare.runs import spec_from_dict
    return spec_from_dict({"analysis": "compare", "name": "grid", "base": {"name": "g", "data": {"fonts": ["Font3"]},
                                                                           "model": {"layers": [35, 4, 2, 4, 35]}},
                           "runs": [{"label": "Adam", "changes": {}}] + [
                               {"label": f"SGD momentum {m}", "changes": {"train": {"optimizer": "momentum",
                                                                                     "momentum": m}}}
                               for m in (0.2, 0.4, 0.6, 0.8)],
                           "grid": {"train.batch_size": [128, 256, 1000], "train.learning_rate": [0.1, 0.01, 0.001]},
                           "test": "none"})


def test_a_grid_search_is_a_heatmap_with_one_cell_per_grid_point():
    """004's grid: 5 runs x 3 batch sizes x 3 learning rates = 45 configurations, read after 8 and
    16 epochs. Each panel has 45 cells, each holding the loss of the configuration in its row and
    columns; the picture is one screen tall (the small multiples were 4,068 px)."""
    from aegui.core.analyses.report.figures.heatmap import grid_heatmap
    spec = _grid_spec()
    labels = [p.label for p in spec.plans()]
    assert len(labels) == 45
    rng = np.random.default_rng(1)
    measured = [{"label": lab, "runs": 1, "loss_at_8": float(v), "loss_at_16": float(v) / 2}
                for lab, v in zip(labels, rng.uniform(0.002, 0.2, 45))]
    measured[7]["loss_at_16"] = None            # a run that diverged: no value, its cell says so
    img = grid_heatmap(spec, measured, [8, 16])
    cells = _labels(img, "cell")
    assert len(cells) == 2 * 45
    by_label = {m["label"]: m for m in measured}
    rows = [lab for lab in _labels(img, "row")]
    assert [r["text"] for r in rows[:5]] == ["Adam"] + [f"SGD momentum {m}" for m in (0.2, 0.4, 0.6, 0.8)]
    combos = [(b, lr) for b in ("128", "256", "1000") for lr in ("0.1", "0.01", "0.001")]
    for k, cell in enumerate(cells):
        panel, i, j = divmod(k, 45)[0], divmod(k % 45, 9)[0], (k % 45) % 9
        label = f"{cell['text']}, batch_size={combos[j][0]}, learning_rate={combos[j][1]}"
        want = by_label[label][f"loss_at_{(8, 16)[panel]}"]
        assert (want is None and math.isnan(cell["value"])) or cell["value"] == pytest.approx(want), label
    assert "n/a" in [lab["text"] for lab in _labels(img, "value")]
    assert img.height < 800
    boxes = [c["box"] for c in cells]
    assert all(not _overlap(a, b) for n, a in enumerate(boxes) for b in boxes[n + 1:])


def test_latent_plots_have_axes_and_no_label_over_another():
    """001's latent spaces: 96 glyphs, many crowded near the origin, each named by its label. The
    names drawn touched and covered each other; each is now beside its dot where it overlaps no
    other, the rest are dots, and the panel says how many are named."""
    rng = np.random.default_rng(0)
    labels = [chr(c) for c in range(33, 127)] + ["space", "DEL"]
    xy = np.concatenate([rng.normal(size=(60, 2)) * 0.3, rng.normal(size=(36, 2)) * 2])
    img = RF.latent_scatter([{"title": "35-25-17-2", "xy": xy, "labels": labels}])
    points = _labels(img, "point")
    assert 20 <= len(points) < 96
    for n, a in enumerate(points):
        for b in points[n + 1:]:
            assert not _overlap(a["box"], b["box"]), f"{a['text']!r} and {b['text']!r} overlap"
    (note,) = _labels(img, "note")
    assert note["text"].startswith(f"{len(points)} of 96 named")
    assert [lab["text"] for lab in _labels(img, "xlabel")] == ["z0"]
    assert [lab["text"] for lab in _labels(img, "ylabel")] == ["z1"]
    xt = [float(lab["text"]) for lab in _labels(img, "xtick")]
    assert len(xt) >= 3 and min(xt) >= xy[:, 0].min() - 1 and max(xt) <= xy[:, 0].max() + 1
    spread = RF.latent_scatter([{"title": "few", "xy": np.array([[0, 0], [5, 5], [10, 0]]), "labels": ["a", "b", "c"]}])
    assert len(_labels(spread, "point")) == 3 and not _labels(spread, "note")


def test_accuracies_sit_on_an_axis_that_shows_the_train_test_gap():
    """003's classifier: 0.997 on its training images and 0.977 on the test images (fine-tuned),
    0.889 / 0.896 (frozen), 0.937 / 0.925 (pixels). Bars from 0 made them look alike; dots on an
    axis spanning the values set the gap a fifth of the axis apart, and the std is drawn."""
    from aegui.core.analyses.report.render import accuracy_dots
    stages = {"fine-tuned": {"accuracy": 0.9765, "accuracy_std": 0.0011, "train_accuracy": 0.9974, "runs": 3},
              "frozen": {"accuracy": 0.8964, "accuracy_std": 0.001, "train_accuracy": 0.8889, "runs": 3},
              "pixels": {"accuracy": 0.9254, "accuracy_std": 0.0003, "train_accuracy": 0.9372, "runs": 3}}
    img = accuracy_dots(stages, {"fine-tuned together": "fine-tuned", "frozen codes": "frozen", "raw pixels": "pixels"})
    ticks = [float(lab["text"]) for lab in _labels(img, "ytick")]
    assert min(ticks) >= 0.85 and max(ticks) <= 1.0, ticks
    assert [lab["text"] for lab in _labels(img, "key")] == ["training images", "official test images"]
    hist = loss_curves([{"label": "accuracy", "epochs": np.arange(1, 21), "train": np.linspace(0.92, 0.997, 20),
                         "test": np.linspace(0.92, 0.977, 20)}], title="t", ylabel="accuracy", log=False,
                       from_zero=False, width=460)
    ticks = [float(lab["text"]) for lab in _labels(hist, "ytick")]
    assert min(ticks) >= 0.9 and len(ticks) >= 3, ticks


def test_curves_of_two_checks_say_the_lines_between_were_not_measured():
    """001-scipy-optimizers: its runs are checked every 10 of 20 iterations, so each curve is two
    points joined by a straight line that looks like a measured steady fall."""
    runs = [{"label": f"optimizer={o}", "epochs": np.array([10, 20]), "train": np.array([0.6, 0.5]) - 0.1 * k}
            for k, o in enumerate(("CG", "BFGS", "Powell"))]
    (note,) = _labels(loss_curves(runs, title="t"), "note")
    assert note["text"] == "measured at epochs 10 and 20 only: the lines between are not measurements"
    many = [{"label": "a", "epochs": np.arange(1, 21), "train": np.linspace(0.6, 0.3, 20)}]
    assert not _labels(loss_curves(many, title="t"), "note")


def test_a_seed_a_health_verdict_calls_failed_is_marked_where_it_failed():
    """A run can train all its epochs and still fail (its codes collapsed at epoch 40): a per-seed
    verdict in the row ("seed_failed") puts its cross at that epoch, on that seed's curve."""
    from aegui.core.analyses.report.figures.curves import seed_stops
    row = _row("bad", np.linspace(50, 20, 20), lasts=[200, 200, 200])
    row["seed_failed"] = [None, {"epoch": 40, "why": "collapsed"}, None]
    assert seed_stops(row, 200, False) == [{"epoch": 40, "loss": pytest.approx(np.linspace(50, 20, 20)[3]),
                                            "why": "1 of 3 seeds collapsed at epoch 40"}]
    img = compare_curves([row], {"bad": {"epochs": 200}}, test="none")
    assert [lab["text"] for lab in _labels(img, "cross")] == ["1 of 3 seeds collapsed at epoch 40"]


def test_runs_that_blew_up_at_the_same_check_keep_their_crosses_apart():
    """A variant's seed and another variant's seeds whose loss was not finite at epoch 5 all go on
    the plot's top edge at that epoch; drawn there together one cross and note hid the other's.
    Each failed run drawn alone keeps its cross, and no cross lies on another."""
    calm = {"label": "calm", "epochs": np.arange(5, 41, 5), "train": np.geomspace(0.3, 0.18, 8)}
    lost = [{"label": name, "epochs": np.array([5]), "train": np.array([np.nan]), "stopped": "diverged at epoch 5"}
            for name in ("edge, seed 0", "wild, seeds 0, 1, 2")]
    near_top = {"label": "edge, seed 1", "epochs": np.array([5, 10]), "train": np.array([0.5, np.nan]),
                "stopped": "diverged at epoch 10"}
    img = loss_curves([calm, *lost, near_top], title="t")
    crosses = _labels(img, "cross")
    assert sorted(c["text"] for c in crosses) == ["diverged at epoch 10"] + ["diverged at epoch 5 (loss not finite)"] * 2
    for i, a in enumerate(crosses):
        for b in crosses[i + 1:]:
            assert not _overlap(a["box"], b["box"]), (a, b)


def test_seeds_that_failed_at_one_point_share_a_note_clear_of_the_others_and_of_the_curves():
    """001-scipy-optimizers: three of Adam's and two of BFGS' seeds ended dead at epoch 20 near
    one loss; their five notes were written over each other, then (kept apart) over BFGS' mean
    curve. A setting's seeds that end alike at one spot now share one note in its colour (each
    keeps its cross; the legend names each seed), and the notes lie clear of each other and of
    every curve."""
    blue, green = RF.color(0), RF.color(2)
    epochs = list(range(1, 21))
    runs = [{"label": "Adam", "epochs": epochs, "train": np.geomspace(0.7, 0.6, 20), "train_std": [0.01] * 20,
             "color": blue},
            {"label": "BFGS", "epochs": epochs, "train": np.geomspace(0.66, 0.505, 20), "train_std": [0.02] * 20,
             "color": green}]
    ends = {blue: (0.6095, 0.6105, 0.61), green: (0.578, 0.5785)}
    runs += [{"label": f"seed {i}", "epochs": epochs, "train": np.geomspace(0.69, b, 20), "stopped": "dead",
              "color": c, "dash": True} for c, bs in ends.items() for i, b in enumerate(bs)]
    img = loss_curves(runs, title="t")
    assert len(_labels(img, "cross")) == 5
    notes = _labels(img, "note")
    assert [n["text"] for n in notes] == ["dead", "dead"], notes
    for i, a in enumerate(notes):
        for b in notes[i + 1:]:
            assert not _overlap(a["box"], b["box"]), (a, b)
    from aegui.core.analyses.report.figures.curves import _crosses_a_line
    drawn = img.info.get("curve_pixels")
    assert drawn and len(drawn) == len(runs)        # where the chart drew each curve
    for n in notes:
        assert not _crosses_a_line(n["box"], drawn), n


def test_a_sweeps_failed_seed_is_drawn_dashed_in_its_settings_colour():
    from aegui.core.analyses.report.figures.curves import _series
    s = _series({"label": "Adam, seed 1", "epochs": [10, 20], "train": [0.6, 0.58], "color": RF.color(0),
                 "dash": True, "stopped": "dead"}, True, "test")
    assert s[0]["dash"] and s[0]["color"] == RF.color(0)


def test_a_grid_cell_none_of_whose_seeds_trained_says_failed_and_the_title_which_seeds_it_covers(monkeypatch):
    """A grid point whose every seed failed its health check (report/health.py) has no mean: its
    cell says "failed" (not "n/a", which a run without a reading gets), and where some cells' means
    cover fewer seeds than ran, the title says the means are over the seeds that trained."""
    from aegui.core.analyses.report.figures import heatmap
    titles = []
    real = heatmap.title_bar
    monkeypatch.setattr(heatmap, "title_bar", lambda img, text: titles.append(text) or real(img, text))
    spec = _grid_spec()
    labels = [p.label for p in spec.plans()]
    measured = [{"label": lab, "runs": 3, "seeds": 3, "loss_at_8": 0.1, "loss_at_16": 0.05} for lab in labels]
    measured[4] = {**measured[4], "runs": 0, "loss_at_8": None, "loss_at_16": None,
                   "failed": f"{labels[4]} did not train (no seed trained: all 3 diverged at epoch 1)"}
    measured[9] = {**measured[9], "runs": 2}
    img = heatmap.grid_heatmap(spec, measured, [8, 16])
    said = [lab["text"] for lab in _labels(img, "value")]
    assert said.count("failed") == 2 and "n/a" not in said
    assert [c["failed"] for c in _labels(img, "cell")].count(True) == 2
    assert titles == ["the grid: training loss of each of the 45 configurations (mean of the seeds that trained, "
                      "of 3; failed: no seed trained)"]


def test_an_epoch_axis_is_ticked_at_whole_epochs():
    """004-conv-vs-linear's 16 epochs were ticked "2.5, 5, 7.5, ...": an epoch axis says whole epochs
    only, in the plain chart and in small multiples."""
    runs = [{"label": "conv", "epochs": np.arange(1, 17), "train": np.geomspace(0.1, 0.006, 16)},
            {"label": "linear", "epochs": np.arange(1, 17), "train": np.geomspace(0.09, 0.012, 16)}]
    for img in (loss_curves(runs, title="t"),
                loss_curves([{**runs[0], "train": np.geomspace(0.1, 0.0061, 16)}, runs[0]], title="t")):
        ticks = [float(lab["text"]) for lab in _labels(img, "xtick")]
        assert len(ticks) >= 2 and all(t.is_integer() for t in ticks), ticks
