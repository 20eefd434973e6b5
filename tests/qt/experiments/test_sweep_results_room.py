"""A sweep's results in the Experiments perspective: the table takes the height of its rows and
the charts the rest, all of them in sight (a 2-row table took 290 px and the charts' x axis showed
only after scrolling); a legend names each config by what differs between the configs, and one
qualitative palette colours the table's swatches, the curves and the bars alike (two configs were
drawn in near-identical blues, the bars labelled "1" and "2")."""
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from aegui.qt.window.layout_check import CHART_LEAST, room_problems
from aegui.qt.window.window_matrix import show_as
from tests.qt.experiments.test_experiments_panel import tiny_sweep

TABLEAU_10 = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
              "#bab0ac"]


def run_in_window(window, qtbot, sweep):
    panel = window.experiments
    show_as(window, (1280, 800), "en", "light", "experiments")
    panel.editor.set_sweep(sweep)
    with qtbot.waitSignal(panel.sweep_finished, timeout=60000):
        assert panel.run()
    qtbot.waitUntil(lambda: not panel.is_running())
    return panel


def swatch(panel, config: int) -> QColor:
    m = panel.table.table_model
    return m.index(config, 0).data(Qt.ItemDataRole.DecorationRole)


def test_two_configs_get_a_short_table_charts_in_sight_a_legend_and_distinct_colours(window, qtbot):
    panel = run_in_window(window, qtbot, tiny_sweep({"train.learning_rate": [0.01, 0.03]}, seeds=2, epochs=10))
    charts = panel.charts
    for lang in ("en", "es"):
        for size in ((1280, 800), (1024, 700)):
            show_as(window, size, lang, "light", "experiments")
            problems = [p for p in room_problems(window) if "experiments:" in p]
            assert not problems, (size, lang, problems)
            assert panel.table.height() <= 110, (size, panel.table.height())       # header, 2 rows, scroll bar
            for plot in (charts.band_plot, charts.bar_plot):
                assert plot.vb.height() >= CHART_LEAST, (size, plot.vb.height())
    show_as(window, (1280, 800), "en", "light", "experiments")
    # The legend names each config by what differs: the learning rate (after it, whether its runs
    # trained: 10 epochs leave one config no better than the majority picture, tested elsewhere).
    names = [label.text.split(" (")[0] for _, label in charts.band_legend.items]
    assert names == ["1: Learning rate 0.01", "2: Learning rate 0.03"], names
    # One colour per config, the same in the table, the curves and the bars, from Tableau 10.
    bars = charts.bar_item.opts["brushes"]
    for c in (0, 1):
        colour = swatch(panel, c).name()
        assert colour == TABLEAU_10[c]
        assert charts.band_items[c][0].opts["pen"].color().name() == colour
        assert pg.mkBrush(bars[c]).color().name() == colour
        sample = next(s for s, _ in charts.band_legend.items if s.item is charts.band_items[c][0])
        assert pg.mkPen(sample.item.opts["pen"]).color().name() == colour
    # The bars say which config they are by its value, as the legend does.
    ticks = charts.bar_plot.getAxis("bottom")._tickLevels[0]
    assert [t for _, t in ticks] == ["0.01", "0.03"], ticks


def test_the_palette_keeps_ten_configs_apart():
    from aegui.qt.experiments.sweep_charts import config_color
    colours = [config_color(i) for i in range(10)]
    assert [c.name() for c in colours] == TABLEAU_10
    rgb = np.array([[c.red(), c.green(), c.blue()] for c in colours], float)
    gaps = [np.abs(rgb[i] - rgb[j]).sum() for i in range(10) for j in range(i + 1, 10)]
    assert min(gaps) >= 60, min(gaps)
