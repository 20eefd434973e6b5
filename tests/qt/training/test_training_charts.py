"""The training charts' axes, legends, bars and message bar: readable at any size, in both
languages and themes."""
import numpy as np
from PySide6.QtWidgets import QApplication

from aegui.qt import i18n
from tests.qt.training.test_training_panel import feed, make_records, panel  # noqa: F401  (fixtures, helpers)


def test_legends_sit_under_the_charts_and_are_whole_in_spanish(panel, qtbot):
    from aegui.qt.window.layout_check import plot_problems
    i18n.set_language("es")
    panel.resize(900, 260)
    panel.show()
    feed(panel, make_records(40, 3, kl=True, val=True), 3)
    QApplication.processEvents()     # laid out before it is measured
    for plot, legend in ((panel.loss_plot, panel.loss_legend), (panel.wrong_plot, panel.wrong_legend)):
        view = plot.vb.mapRectToScene(plot.vb.boundingRect())
        box = legend.mapRectToScene(legend.boundingRect())
        assert legend.items and not view.intersects(box), "the legend covers the plot's data"
        assert plot_problems(plot) == []
    names = [label.text for _, label in panel.loss_legend.items]
    assert "mejor modelo actual" in names


def test_the_training_message_bar_follows_the_theme(panel, qtbot):
    from aegui.core.train.progress import STOPPED
    from aegui.qt import theme
    recs = make_records(3, 1)
    recs[-1].state, recs[-1].message = STOPPED, "Stopped at epoch 3."
    try:
        theme.apply("dark")
        feed(panel, recs, 1)
        assert panel.message_box.message() and "#1d3147" in panel.message_box.styleSheet()
    finally:
        theme.apply("light")


def test_log_ticks_are_powers_of_ten_written_plainly():
    from aegui.qt.widgets.charts.log_axis import decade_text, log_ticks
    ticks = log_ticks(np.log10(6e-9), np.log10(2), 7)
    labels = [decade_text(10 ** v) for v in ticks]
    assert labels == ["1e-8", "1e-6", "1e-4", "0.01", "1"]
    assert len(log_ticks(np.log10(0.05), np.log10(0.2), 5)) >= 2     # a short range still reads


def test_the_loss_axis_uses_them(panel, qtbot):
    # A loss from 2 down to 6e-9 on a short chart: pyqtgraph's ticks read "2, 0.09, 0.007, 3e-5".
    recs = make_records(60, 1)
    for i, r in enumerate(recs):
        r.losses = {"total": 2 * (3e-9) ** (i / 59)}
        r.loss_per_model = np.array([r.losses["total"]])
    panel.resize(900, 200)
    panel.show()
    feed(panel, recs, 1)
    QApplication.processEvents()     # laid out before it is measured
    axis = panel.loss_plot.getAxis("left")
    lo, hi = panel.loss_plot.vb.viewRange()[1]
    values = [v for _, vs in axis.tickValues(lo, hi, axis.height()) for v in vs]
    strings = axis.tickStrings(values, 1, 1)
    assert len(values) >= 2, (strings, lo, hi, axis.height())
    for s in strings:
        exponent = np.log10(float(s))
        assert abs(exponent - round(exponent)) < 1e-9, strings   # powers of ten only


def test_when_every_glyph_is_right_the_bars_still_show_them(panel, qtbot):
    recs = make_records(3, 1)
    recs[-1].glyph_wrong = np.zeros(6, int)
    feed(panel, recs, 1)
    assert len(panel.ok_bars.opts["x"]) == 6 and (panel.ok_bars.opts["height"] > 0).all()
