"""The report's figures must be pasteable into slides as they come: every kind (loss curves,
small multiples, bars, the classifier's table) drawn from awkward data (losses of 1e-4..1e-3,
losses spanning eight decades, seven identical curves, a run that diverged after one point,
10,000 epochs) keeps its tick labels distinct on each axis and wholly inside the picture, and
says what it shows: "validation" for the validation split, a diverged run marked where it
stopped. The drawing code records each label's box (img.info["labels"]); nothing is read back
from pixels."""
import numpy as np
import pytest

from aegui.core.analyses.report.figures import figures as RF
from aegui.core.analyses.report.figures.curves import loss_curves


def _labels(img, kind):
    return [lab for lab in img.info.get("labels", []) if lab["kind"] == kind]


def _check_axes(img, panels: int = 1):
    """Every tick label inside the picture; on each axis (a panel's ticks are recorded one
    axis after the other) the labels are distinct."""
    labels = img.info.get("labels", [])
    assert labels, "the figure recorded no labels"
    for lab in labels:
        x0, y0, x1, y1 = lab["box"]
        assert 0 <= x0 and 0 <= y0 and x1 <= img.width and y1 <= img.height, \
            f"{lab['kind']} {lab['text']!r} at {lab['box']} is cut off by the {img.width}x{img.height} picture"
    axes, current = [], None
    for lab in labels:                      # consecutive labels of one kind form one axis
        if lab["kind"] not in ("xtick", "ytick"):
            current = None
            continue
        if current is None or current[0] != lab["kind"]:
            current = (lab["kind"], [])
            axes.append(current)
        current[1].append(lab["text"])
    assert len(axes) >= 2 * panels
    for kind, texts in axes:
        assert len(set(texts)) == len(texts), f"{kind} labels repeat: {texts}"


TINY = np.linspace(1e-3, 1e-4, 21)
EPOCHS = np.arange(0, 10001, 500)


def test_tick_labels_are_distinct_in_the_values_own_precision():
    from aegui.core.analyses.figures import tick_labels
    assert tick_labels([0, 1e-4, 2e-4, 3e-4]) == ["0", "1e-4", "2e-4", "3e-4"]
    assert tick_labels([0, 0.0005, 0.001, 0.0015]) == ["0", "0.0005", "0.0010", "0.0015"]
    assert tick_labels([0, 2500, 5000, 7500, 10000]) == ["0", "2500", "5000", "7500", "10000"]
    assert tick_labels([0, 5e5, 1e6]) == ["0", "5e5", "1e6"]


@pytest.mark.parametrize("log", [False, True])
def test_curves_of_tiny_losses_over_10000_epochs(log):
    img = loss_curves([{"label": "a", "epochs": EPOCHS, "train": TINY, "test": TINY * 1.1},
                          {"label": "b", "epochs": EPOCHS, "train": TINY * 0.5}], title="tiny", log=log,
                         width=460)
    _check_axes(img)
    assert _labels(img, "xtick")[-1]["text"] == "10000"


def test_bars_of_tiny_values_say_them():
    img = RF.bars([f"epochs={n}" for n in range(6000, 13000, 1000)],
                  [{"label": "final loss", "values": np.geomspace(1.9e-4, 2e-6, 7), "std": np.full(7, 3e-4)}],
                  title="final loss", ylabel="final loss")
    _check_axes(img, panels=0)
    ticks = [lab["text"] for lab in _labels(img, "ytick")]
    assert len(ticks) >= 3 and len(set(ticks)) == len(ticks), ticks


def test_bars_name_their_categories_when_the_names_fit_and_number_them_when_not():
    """000's seven "epochs=6000".."epochs=12000" fit under their bars (about 100 px each) and are
    written there; names wider than their bars become 1..n with the names in rows below."""
    short = RF.bars([f"epochs={n}" for n in range(6000, 13000, 1000)], [{"label": "x", "values": np.arange(1, 8)}],
                    title="t", ylabel="y")
    assert [lab["text"] for lab in _labels(short, "category")] == [f"epochs={n}" for n in range(6000, 13000, 1000)]
    _check_axes(short, panels=0)
    boxes = [lab["box"] for lab in _labels(short, "category")]
    assert all(a[2] < b[0] for a, b in zip(boxes, boxes[1:]))          # side by side, none touching
    names = [f"35-{n}-2-{n}-35 with a tanh code" for n in (10, 20, 30, 40, 50, 60, 70)]
    numbered = RF.bars(names, [{"label": "x", "values": np.arange(1, 8)}], title="t", ylabel="y")
    assert [lab["text"] for lab in _labels(numbered, "category")] == [str(i) for i in range(1, 8)]


def test_bars_of_32_glyphs_are_named_by_their_glyphs():
    """A denoiser's per-glyph chart, 900 px wide: 32 slots of about 26 px hold "a" and "DEL"."""
    glyphs = ["`"] + [chr(c) for c in range(ord("a"), ord("z") + 1)] + ["{", "|", "}", "~", "DEL"]
    img = RF.bars(glyphs, [{"label": "noisy input", "values": np.full(32, 3.0)},
                           {"label": "denoised", "values": np.full(32, 1.0)}], title="t", ylabel="y", width=900, height=300)
    names = _labels(img, "category")
    assert [lab["text"] for lab in names] == glyphs
    assert all(a["box"][2] < b["box"][0] for a, b in zip(names, names[1:]))


def test_bars_that_are_all_zero_say_so():
    """Every glyph right at every epoch count: seven bars of height 0 would look like a blank chart."""
    img = RF.bars([f"epochs={n}" for n in range(6000, 13000, 1000)], [{"label": "x", "values": np.zeros(7)}],
                  title="mean wrong pixels", ylabel="wrong pixels")
    assert [lab["text"] for lab in _labels(img, "note")] == ["all 7 bars are 0"]
    some = RF.bars(["a", "b"], [{"label": "x", "values": [0.0, 1.0]}], title="t", ylabel="y")
    assert not _labels(some, "note")


def test_the_key_of_grouped_bars_lies_under_the_chart_off_the_bars():
    """001's held-out chart: two groups, the first bar as tall as the plot. Its key, drawn in the
    plot's corner, lay on that bar; it goes in a row under the chart, below the category names."""
    img = RF.bars(["30 %", "50 %", "70 %"], [{"label": "held-out glyphs", "values": [11.7, 10.5, 10.1]},
                                             {"label": "training glyphs", "values": [0.2, 1.1, 2.2]}],
                  title="wrong pixels", ylabel="wrong pixels per glyph")
    _check_axes(img, panels=0)
    keys = _labels(img, "key")
    assert [lab["text"] for lab in keys] == ["held-out glyphs", "training glyphs"]
    lowest_name = max(lab["box"][3] for lab in _labels(img, "category"))
    assert all(lab["box"][1] > lowest_name for lab in keys)
    assert keys[0]["box"][2] < keys[1]["box"][0]


def test_a_stack_of_bars_keeps_each_panels_labels_inside():
    one = RF.bars(["a", "b"], [{"label": "x", "values": [1e-4, 3e-4]}], title="t", ylabel="y")
    _check_axes(RF.stack([one, one], titles=["first", "second"]), panels=0)


def test_identical_curves_are_drawn_one_panel_each_on_shared_axes():
    """The same seed trained for 6000..12000 epochs: each curve is the start of the next. Drawn
    together only the longest would show; each gets its own panel, titled by its config."""
    full = np.abs(np.sin(np.arange(24))) + 0.1
    runs = [{"label": f"epochs={n}", "epochs": np.arange(500, n + 1, 500), "train": full[: n // 500]}
            for n in range(6000, 13000, 1000)]
    img = loss_curves(runs, title="mean wrong pixels", ylabel="mean wrong pixels", log=False)
    _check_axes(img, panels=7)
    assert len(_labels(img, "xtick")) >= 7 * 2
    ytexts = [lab["text"] for lab in _labels(img, "ytick")]
    assert len(set(ytexts)) == len(ytexts) // 7      # shared axes: every panel has the same y ticks


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("width", [760, 460])
def test_small_multiples_titles_stay_in_their_own_panel(width):
    """A grid search's curves (004: every run stuck at the same loss coincides, so each gets its
    panel): titles such as "SGD momentum 0.2, batch_size=1000, learning_rate=0.001" are wider than
    a third of the figure. Each must be whole, inside its own column, and touch no other label."""
    flat = np.full(16, 0.112)
    labels = [f"{opt}, batch_size={b}, learning_rate={lr}" for opt in ("Adam", "SGD momentum 0.2")
              for b in (128, 1000) for lr in (0.1, 0.001)]
    runs = [{"label": lab, "epochs": np.arange(1, 17), "train": flat, "test": flat * 1.01} for lab in labels]
    runs[-1]["stopped"] = "diverged at epoch 16"
    img = loss_curves(runs, title="loss vs epoch", log=True, width=width)
    _check_axes(img, panels=len(runs))
    cols = 3 if width >= 700 else 2
    cell = width // cols
    titles = iter(_labels(img, "title"))            # recorded panel by panel, line by line
    for k, run in enumerate(runs):
        want = run["label"] + (f" ({run['stopped']})" if run.get("stopped") else "")
        lines = [next(titles)]
        while len(" ".join(lab["text"] for lab in lines)) < len(want):
            lines.append(next(titles))
        assert " ".join(lab["text"] for lab in lines) == want
        left = (k % cols) * cell
        for lab in lines:
            assert left <= lab["box"][0] and lab["box"][2] <= left + cell - 6, \
                f"{lab['text']!r} at {lab['box']} leaves column {k % cols} ({left}..{left + cell - 6})"
    boxes = [lab["box"] for lab in img.info["labels"]]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not _overlap(a, b), f"labels at {a} and {b} overlap"


def test_a_diverged_run_is_marked_where_it_stopped_and_the_split_is_named():
    runs = [{"label": "learning rate 0.0001", "epochs": np.arange(5, 101, 5),
             "train": np.linspace(1974, 373, 20), "test": np.linspace(2102, 724, 20)},
            {"label": "learning rate 0.01", "epochs": np.array([5]), "train": np.array([4.85e8]),
             "test": np.array([2272.3]), "stopped": "diverged at epoch 5"}]
    img = loss_curves(runs, title="loss", test_name="validation")
    _check_axes(img)
    notes = [lab["text"] for lab in _labels(img, "note")]
    assert notes == ["diverged at epoch 5"]
    ticks = [lab["text"] for lab in _labels(img, "ytick")]
    assert "1e8" in ticks and "1000" in ticks       # a log axis that says the losses themselves


def test_a_run_whose_loss_became_nan_is_still_marked_at_the_epoch_it_stopped():
    """000's VAE at learning rate 0.01 ends at epoch 5 with a NaN loss: it has no point to draw,
    so only the legend said it existed. Its cross goes on the plot's top edge at epoch 5."""
    runs = [{"label": "learning rate 0.0001", "epochs": np.arange(5, 101, 5),
             "train": np.linspace(46, 27, 20), "test": np.linspace(48, 38, 20)},
            {"label": "learning rate 0.01", "epochs": np.array([5]), "train": np.array([np.nan]),
             "test": np.array([np.nan]), "stopped": "diverged at epoch 5"}]
    img = loss_curves(runs, title="loss", test_name="validation")
    _check_axes(img)
    (note,) = _labels(img, "note")
    assert note["text"] == "diverged at epoch 5 (loss not finite)"
    xticks = {lab["text"]: lab["box"] for lab in _labels(img, "xtick")}
    top_of_axes = min(lab["box"][1] for lab in _labels(img, "ytick"))
    assert note["box"][0] < (xticks["20"][0] + xticks["20"][2]) / 2       # beside epoch 5, left of 20
    assert note["box"][1] < top_of_axes + 40                            # at the top, where losses run off


def test_the_classifier_table_lines_up_its_columns():
    from aegui.core.analyses.classify.classifier import report_rows
    report = {"classes": [{"class": str(i), "precision": 0.98, "recall": 0.9, "f1": 0.95, "support": 980 + 37 * i}
                          for i in range(10)],
              "accuracy": 0.97, "support": 10000,
              "macro": {"precision": 0.97, "recall": 0.97, "f1": 0.97},
              "weighted": {"precision": 0.97, "recall": 0.97, "f1": 0.97}}
    img = RF.table(*report_rows(report), width=560)
    cells = _labels(img, "cell")
    # Each number column ends on one right edge: the supports (4 and 5 digits) share theirs.
    supports = [lab for lab in cells if lab["text"].isdigit() and int(lab["text"]) >= 980]
    assert len({round(lab["box"][2]) for lab in supports}) == 1
    for lab in cells:
        assert 0 <= lab["box"][0] and lab["box"][2] <= img.width


def test_latent_titles_fit_their_own_panel_however_long():
    """004's first latent title ("convolutional AE (bottleneck: 64 filters of 1x2) (PCA of the
    128-D code)") was centred on its 380 px panel wider than it and lost its start off the left
    edge: each title must be whole (on two lines if need be) and inside its own panel."""
    rng = np.random.default_rng(0)
    titles = ["convolutional AE (bottleneck: 64 filters of 1x2) (PCA of the 128-D code)",
              "VAE (2-D code)", "dense AE, 784-512-256-2, ReLU code (t-SNE of the 2-D codes)"]
    panels = [{"title": t, "xy": rng.normal(size=(300, 2)), "labels": [str(i % 10) for i in range(300)]}
              for t in titles]
    cell = 380
    img = RF.latent_scatter(panels, cell=cell)
    found = _labels(img, "title")
    for c, title in enumerate(titles):
        mine = [lab for lab in found if c * cell <= lab["box"][0] < (c + 1) * cell]
        assert " ".join(lab["text"] for lab in mine) == title
        for lab in mine:
            x0, y0, x1, y1 = lab["box"]
            assert 0 <= y0 and y1 <= img.height
            assert c * cell <= x0 and x1 <= (c + 1) * cell - 8, f"{lab['text']!r} at {lab['box']} leaves panel {c}"
    assert len([lab for lab in found if lab["box"][0] < cell]) == 2       # the long first title: two lines
