"""A chart's lone-point dots (aegui/qt/widgets/charts/lone_points.py) are drawn with the same pen and
brush run after run. pyqtgraph keeps each symbol it draws in an atlas keyed by the pen and brush
objects; dots drawn with new ones at every run added an entry each time, about a thousand before
pyqtgraph rebuilt it (a soak of the window, bench/soak.py, saw its memory grow with them)."""
import pyqtgraph as pg

from aegui.qt.widgets.charts.lone_points import LonePoints


def test_dots_of_run_after_run_keep_one_symbol_per_colour(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    plot = widget.getPlotItem()
    lone = LonePoints(plot)
    for run in range(50):
        plot.clear()      # a new run's history: the panel clears its charts
        curves = [pg.PlotCurveItem([1.0], [float(run + 1)], pen=pg.mkPen(color)) for color in ("r", "b")]
        for curve in curves:
            plot.addItem(curve)
        assert lone.show(curves)
        assert len(lone.dots.data) == 2
        curves[0].setData([1.0, 2.0], [float(run + 1), float(run)])
        assert not lone.show(curves)      # the second epoch: lines, no dots
    assert len(lone.dots.fragmentAtlas) == 2
