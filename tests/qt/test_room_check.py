"""The size check measures room, not only cut text: a chart too short to read, a title
drawn over its plot, a legend over the data or cut at the chart's edge are each reported."""
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from aegui.qt.window.layout_check import CHART_LEAST, room, room_problems
from aegui.qt.window.window_matrix import settle


def _root(qtbot, height: int):
    root = QWidget()
    qtbot.addWidget(root)
    lay = QVBoxLayout(root)
    plot = pg.PlotWidget()
    lay.addWidget(plot)
    root.resize(420, height)
    root.show()
    qtbot.waitExposed(root)
    return root, plot


def test_a_short_chart_is_reported_with_its_height(qtbot):
    root, plot = _root(qtbot, 150)
    plot.setTitle("Loss")
    plot.plot([0, 1, 2], [3, 1, 2])
    settle()
    got = room(root)
    (name, height), = got["charts"].items()
    assert name.endswith("Loss") and height < CHART_LEAST
    assert any("px of height, less than 140" in p for p in room_problems(root))
    root.resize(420, 400)
    settle()
    assert room(root)["charts"][name] >= CHART_LEAST and room_problems(root) == []


def test_a_legend_over_the_data_or_cut_is_reported(qtbot):
    root, plot = _root(qtbot, 320)
    legend = plot.addLegend(offset=(-4, 4))
    for k in range(9):
        plot.plot([0, 1], [k, k + 1], name=f"a rather long series name {k}")
    settle()
    problems = room_problems(root)
    assert any("the legend covers" in p for p in problems), problems
    legend.anchor((0, 0), (0, 0), offset=(300, 250))     # pushed past the chart's edge
    settle()
    assert any("the legend is cut" in p for p in room_problems(root))


def test_a_title_over_the_plot_is_reported(qtbot):
    root, plot = _root(qtbot, 320)
    plot.setTitle("Wrong pixels per epoch")
    plot.plot([0, 1], [0, 1])
    settle()
    assert room_problems(root) == []
    item = plot.getPlotItem()
    item.layout.setRowFixedHeight(0, 2)                  # the title's row squeezed: drawn over the plot
    item.titleLabel.setMaximumHeight(2)
    settle()
    assert any("the title overlaps" in p for p in room_problems(root)), room_problems(root)


def test_a_legend_under_a_narrow_chart_breaks_long_names_into_lines_instead_of_being_cut(qtbot):
    """The seed-001 sweep's per-font chart listed "layers=35-25-17-8-4-2, optimizer=without
    momentum" in a column 200 px wide: cut at the edge. The names now break at their commas."""
    from aegui.qt.window.layout_check import layout_problems
    from aegui.qt.widgets.charts.plot_text import legend_below
    root, plot = _root(qtbot, 420)
    root.resize(230, 420)
    legend = legend_below(plot.getPlotItem())
    names = [f"layers=35-25-17-8-4-{k}, optimizer=without momentum" for k in range(4)]
    for k, name in enumerate(names):
        legend.addItem(pg.BarGraphItem(x=[k], height=[1], width=0.5), name)
    settle()
    item = plot.getPlotItem()
    assert legend.needed_width() <= item.width() + 1, (legend.needed_width(), item.width())
    assert not [p for p in layout_problems(root) if "legend" in p]
    assert [label.text.replace("<br>", " ") for _, label in legend.items] == names     # nothing lost
    root.resize(900, 420)                                  # room again: one line each
    settle()
    assert [label.text for _, label in legend.items] == names


def test_a_legend_taller_than_its_chart_allows_folds_into_the_chart_s_tooltip(qtbot):
    """Twelve series under a short chart left the bars no room (the seed-001 sweep's per-font
    chart): the legend folds away, its entries become the chart's tooltip, and comes back when
    the chart has room for it."""
    from aegui.qt.window.layout_check import room
    from aegui.qt.widgets.charts.plot_text import legend_below
    root, plot = _root(qtbot, 300)
    item = plot.getPlotItem()
    item.setTitle("Final value per font")
    legend = legend_below(item)
    for k in range(12):
        legend.addItem(pg.BarGraphItem(x=[k], height=[1], width=0.5, brush=pg.intColor(k)),
                       f"layers=35-25-17-8-4-{k}, without momentum")
    settle()
    assert legend.folded and not legend.isVisible(), (legend.geometry().height(), item.height())
    (height,) = room(root)["charts"].values()
    assert height >= CHART_LEAST, room(root)
    tip = item.toolTip()
    assert all(f"layers=35-25-17-8-4-{k}, without momentum" in tip for k in range(12)) and tip.count("&#9632;") == 12
    for sample, _label in list(legend.items)[3:]:          # three series: room for them again
        legend.removeItem(sample.item)
    settle()
    assert not legend.folded, (len(legend.items), legend.geometry().height(), legend._chart_height)
    assert legend.isVisible() and item.toolTip() == ""


def test_a_chart_that_runs_past_the_bottom_of_a_scrolled_panel_is_reported(qtbot):
    """A chart in a scrolled panel whose x axis is below the visible part (the Experiments charts
    read only after scrolling) has room on paper but not on screen."""
    from PySide6.QtWidgets import QScrollArea
    root = QWidget()
    qtbot.addWidget(root)
    scroll = QScrollArea(root)
    scroll.setWidgetResizable(True)
    page = QWidget()
    page.setMinimumHeight(700)
    lay = QVBoxLayout(page)
    lay.addSpacing(300)
    plot = pg.PlotWidget()
    plot.setTitle("Loss")
    plot.plot([0, 1, 2], [3, 1, 2])
    lay.addWidget(plot)
    scroll.setWidget(page)
    QVBoxLayout(root).addWidget(scroll)
    root.resize(420, 500)
    root.show()
    qtbot.waitExposed(root)
    settle()
    problems = room_problems(root)
    assert any("runs past the visible part" in p for p in problems), problems
    root.resize(420, 800)                                  # all of it in sight
    settle()
    assert room_problems(root) == []
