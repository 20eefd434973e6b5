"""Charts of counts (wrong pixels) start at 0: a curve of zeros was drawn in the middle of a
-5..5 axis, as if the count could go negative."""
import numpy as np

from tests.qt.training.test_training_panel import feed, make_records, panel  # noqa: F401  (fixture, helpers)


def zero_records(n):
    recs = make_records(n, 1)
    for r in recs:
        r.max_wrong, r.mean_wrong = 0, 0.0
        r.max_wrong_per_model, r.mean_wrong_per_model = np.zeros(1), np.zeros(1)
        r.glyph_wrong = np.zeros(6, int)
    return recs


def shown_ticks(plot):
    axis = plot.getAxis("left")
    lo, hi = plot.vb.viewRange()[1]
    return [v for _, vs in axis.tickValues(lo, hi, axis.height()) for v in vs]


def assert_zero_at_the_bottom(plot):
    lo, hi = plot.vb.viewRange()[1]
    assert -0.1 * (hi - lo) <= lo <= 0 < 1 <= hi, (lo, hi)
    assert 0 in shown_ticks(plot), shown_ticks(plot)       # "0" is written at the bottom
    assert min(shown_ticks(plot)) >= 0, shown_ticks(plot)  # and nothing below it


def test_wrong_pixels_per_epoch_of_all_zeros_sit_on_the_bottom_of_the_axis(panel, qtbot):
    panel.resize(900, 400)
    panel.show()
    feed(panel, zero_records(30), 1)
    panel.charts.grab()        # painting applies the automatic range
    assert_zero_at_the_bottom(panel.wrong_plot)


def test_a_single_epoch_of_zeros_sits_on_the_bottom_too(panel, qtbot):
    panel.resize(900, 400)
    panel.show()
    feed(panel, zero_records(1), 1)
    panel.charts.grab()        # painting applies the automatic range
    assert_zero_at_the_bottom(panel.wrong_plot)


def test_counts_above_zero_still_start_the_axis_at_zero(panel, qtbot):
    recs = make_records(30, 1)
    for i, r in enumerate(recs):
        r.max_wrong, r.mean_wrong = 12 - i // 3, 5.0 - i / 10
    panel.resize(900, 400)
    panel.show()
    feed(panel, recs, 1)
    panel.charts.grab()        # painting applies the automatic range
    assert_zero_at_the_bottom(panel.wrong_plot)
    assert 12 <= panel.wrong_plot.vb.viewRange()[1][1] < 15
