"""What a person would see as broken in a window, found from the widgets: text cut at a label's
edge, a button narrower than its text, a tab whose title is elided, a progress bar's text cut, a
table cell elided past reading ("/t…48") or without its whole text in a tooltip. `--screenshot`
prints these, and the window-size test matrix asserts there are none."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractButton, QComboBox, QLabel, QProgressBar, QStyle, QTableWidget, QTabBar,
                               QTreeWidget, QWidget)

SLACK = 2   # px: rounding in font metrics
ELIDED_LEAST = 16   # characters an elided table cell still shows (its whole text is in its tooltip)


def _name(w: QWidget) -> str:
    chain, p = [], w
    while p is not None and len(chain) < 4:
        chain.append(p.objectName() or type(p).__name__)
        p = p.parentWidget()
    return "/".join(reversed(chain))


def _shown(w: QWidget) -> bool:
    """Visible on screen: shown, with an area, and not inside a hidden tab or a collapsed part."""
    if not w.isVisible() or w.width() <= 0 or w.height() <= 0:
        return False
    r = w.visibleRegion()
    if r.isEmpty() and hasattr(w, "viewport"):
        r = w.viewport().visibleRegion()   # a scroll or graphics view: its viewport is what shows
    return not r.isEmpty()


def label_problem(label: QLabel) -> str | None:
    text = label.text()
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and "<" in text and ">" in text)
    if not text or rich:
        return None
    if label.pixmap() is not None and not label.pixmap().isNull():
        return None
    full = getattr(label, "full_text", None)
    if callable(full) and full() and full().replace("\u200b", "") != text.replace("\u200b", ""):
        return "its text is elided"
    fm = label.fontMetrics()
    room = label.contentsRect().width() - 2 * max(0, label.margin()) - max(0, label.indent())
    if label.wordWrap():
        word = max((fm.horizontalAdvance(w) for w in text.replace("\u200b", " ").split()), default=0)
        if word > room + SLACK:
            return f"a word needs {word} px, the label has {room}"
        need = label.heightForWidth(label.width())
        if need > label.height() + SLACK:
            return f"needs {need} px of height, has {label.height()}"
        return None
    need = max(fm.horizontalAdvance(line) for line in text.split("\n"))
    if need > room + SLACK:
        return f"needs {need} px, has {room}"
    lines = text.count("\n") + 1
    if fm.height() * lines > label.contentsRect().height() + fm.leading() * lines + SLACK + 2:
        return f"needs {fm.height() * lines} px of height, has {label.contentsRect().height()}"
    return None


def button_problem(button: QAbstractButton) -> str | None:
    if not button.text():
        return None
    need = button.sizeHint().width()
    if need > button.width() + SLACK:
        return f"needs {need} px, has {button.width()}"
    return None


def combo_problem(combo: QComboBox) -> str | None:
    """The chosen entry cut ("SGD + m…tum 0.9", "Lo más rápi"): a choice the user cannot read."""
    from PySide6.QtWidgets import QStyleOptionComboBox
    text = combo.currentText()
    if not text or combo.isEditable():
        return None
    opt = QStyleOptionComboBox()
    opt.initFrom(combo)
    opt.frame = combo.hasFrame()
    room = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                        QStyle.SubControl.SC_ComboBoxEditField, combo).width()
    icon = combo.iconSize().width() + 4 if not combo.itemIcon(combo.currentIndex()).isNull() else 0
    need = combo.fontMetrics().horizontalAdvance(text) + icon
    if need > room + SLACK:
        return f"needs {need} px, has {room}"
    return None


def progress_problem(bar: QProgressBar) -> str | None:
    """The text drawn on a progress bar cut at its edges ("t50 / 500" in half the room it needed)."""
    from PySide6.QtWidgets import QStyleOptionProgressBar
    text = bar.text()
    if not bar.isTextVisible() or not text:
        return None
    opt = QStyleOptionProgressBar()
    bar.initStyleOption(opt)
    room = bar.style().subElementRect(QStyle.SubElement.SE_ProgressBarLabel, opt, bar).width()
    need = bar.fontMetrics().horizontalAdvance(text)
    if need > room + SLACK:
        return f"needs {need} px, has {room}"
    return None


def table_problems(table: QTableWidget) -> list[str]:
    """A cell's text elided past reading (fewer than ELIDED_LEAST characters left: "/t…48"), or
    elided with no tooltip saying it whole; in a table that wraps, more lines than its row holds."""
    from PySide6.QtCore import QRect
    out = []
    fm = table.fontMetrics()
    margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1)
    shown = table.viewport().rect()
    for row in range(table.rowCount()):
        for col in range(table.columnCount()):
            item = table.item(row, col)
            if item is None or not item.text() or table.isColumnHidden(col):
                continue
            if not shown.intersects(table.visualItemRect(item)):
                continue
            text, width = item.text(), table.columnWidth(col) - margin
            if table.wordWrap():
                need = fm.boundingRect(QRect(0, 0, max(1, width), 100000),
                                       Qt.TextFlag.TextWrapAnywhere | Qt.TextFlag.TextWordWrap, text).height()
                if need <= table.rowHeight(row) + SLACK:
                    continue
                kept = len(text) * table.rowHeight(row) // need      # the lines that show
            elif fm.horizontalAdvance(text) <= width + SLACK:
                continue
            else:
                kept = len(fm.elidedText(text, table.textElideMode(), width).replace("…", ""))
            if kept < min(ELIDED_LEAST, len(text)):
                out.append(f"cell {text!r} is elided to {kept} characters in {width} px")
            elif text not in (item.toolTip() or ""):
                out.append(f"cell {text!r} is elided and its tooltip does not say it whole")
    return out


def tab_problems(bar: QTabBar) -> list[str]:
    out = []
    fm = bar.fontMetrics()
    for i in range(bar.count()):
        if not bar.isTabVisible(i):    # hidden on purpose (e.g. Search until a search runs)
            continue
        text = bar.tabText(i).replace("&", "")
        rect = bar.tabRect(i)
        if rect.isEmpty() or not bar.rect().intersects(rect):
            out.append(f"tab {text!r} is scrolled out of the bar")
        else:
            # What the style draws around a title (Qt elides the title below this).
            need = fm.horizontalAdvance(text) + bar.style().pixelMetric(QStyle.PixelMetric.PM_TabBarTabHSpace, None, bar) // 2
            if need > rect.width() + SLACK:
                out.append(f"tab {text!r} needs {need} px, has {rect.width()}")
    return out


def tree_problems(tree: QTreeWidget) -> list[str]:
    """A row's text cut at its column's edge: elided on one line, or wrapped into more lines than
    the row has room for."""
    from PySide6.QtCore import QRect
    out = []
    fm = tree.fontMetrics()
    margin = 2 * (tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, tree) + 1)
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        for col in range(tree.columnCount()):
            text = item.text(col)
            rect = tree.visualItemRect(item)
            width = tree.columnWidth(col) - margin
            if not text or rect.isEmpty():
                continue
            if tree.wordWrap():
                need = fm.boundingRect(QRect(0, 0, max(1, width), 100000), Qt.TextFlag.TextWordWrap, text).height()
                if need > rect.height() + SLACK:
                    out.append(f"row {text!r} needs {need} px of height, has {rect.height()}")
            elif fm.horizontalAdvance(text) > width + SLACK:
                out.append(f"row {text!r} needs {fm.horizontalAdvance(text)} px, has {width}")
    return out


def plot_problems(plot) -> list[str]:
    """A chart's title or legend wider than the chart."""
    from aegui.qt.widgets.charts.plot_text import LegendBelow, title_width
    out = []
    title = (plot.titleLabel.text or "").replace("<br>", " ")
    if title and plot.titleLabel.isVisible() and title_width(plot) > plot.width() + SLACK:
        out.append(f"chart title {title!r} needs {title_width(plot):.0f} px, the chart has {plot.width():.0f}")
    legend = getattr(plot, "legend", None)
    if isinstance(legend, LegendBelow) and legend.items and legend.needed_width() > plot.width() + SLACK:
        out.append(f"legend of {title!r} needs {legend.needed_width():.0f} px, the chart has {plot.width():.0f}")
    return out


def layout_problems(root: QWidget) -> list[str]:
    """One line per cut text among the visible widgets under `root`."""
    import pyqtgraph as pg
    problems = []
    for view in root.findChildren(pg.GraphicsView):
        if _shown(view):
            for item in view.scene().items():
                if isinstance(item, pg.PlotItem) and item.isVisible():
                    problems += [f"{_name(view)}: {p}" for p in plot_problems(item)]
    for w in root.findChildren(QWidget):
        if not _shown(w):
            continue
        if isinstance(w, QComboBox):
            p = combo_problem(w)
            what = w.currentText()
        elif isinstance(w, QLabel):
            p = label_problem(w)
            what = w.text()
        elif isinstance(w, QAbstractButton) and not isinstance(w.parentWidget(), QTabBar):
            p = button_problem(w)
            what = w.text()
        elif isinstance(w, QTabBar):
            problems += [f"{_name(w)}: {t}" for t in tab_problems(w)]
            continue
        elif isinstance(w, QProgressBar):
            p = progress_problem(w)
            what = w.text()
        elif isinstance(w, QTreeWidget):
            problems += [f"{_name(w)}: {t}" for t in tree_problems(w)]
            continue
        elif isinstance(w, QTableWidget):
            problems += [f"{_name(w)}: {t}" for t in table_problems(w)]
            continue
        else:
            continue
        if p:
            problems.append(f"{_name(w)} {what!r}: {p}")
    return problems


# ---------------------------------------------------------------- room
# What a panel needs to be of use, not only to show its text (issue: the map got 5 % of the window
# while every text fitted).
MAP_SHARE = 0.35              # of the window, in the Explore perspective, from 1280x800 up
MAP_LEAST = (450, 300)        # px of plot area in the Explore perspective, from 1024x700 up
MAP_LEAST_BESIDE = (300, 200) # px where the map shares the window with other work (Train)
CHART_LEAST = 140             # px of plot-area height for every chart on screen
GRID_LEAST = 200              # px of height for the pixel editor's grid
LEGEND_COVER = 0.15           # of a plot's area, for a legend drawn over it


def _dock_of(w: QWidget) -> str:
    from PySide6.QtWidgets import QDockWidget
    p = w
    while p is not None and not isinstance(p, QDockWidget):
        p = p.parentWidget()
    return p.objectName().removeprefix("dock-") if p is not None else "window"


def _scene_rect_in_view(view, item):
    """An item's rectangle in its view's viewport coordinates."""
    return view.mapFromScene(item.sceneBoundingRect()).boundingRect()


def charts(root: QWidget) -> list[tuple[str, object, object]]:
    """(name, view, plot) of every chart on screen, the latent canvas's map left out."""
    import pyqtgraph as pg
    latent = getattr(root, "latent", None)
    out = []
    for view in root.findChildren(pg.GraphicsView):
        if not _shown(view) or (latent is not None and view is latent.plot):
            continue
        for item in view.scene().items():
            if isinstance(item, pg.PlotItem) and item.isVisible() and item.vb.width() > 0 \
                    and view.viewport().rect().intersects(_scene_rect_in_view(view, item.vb)):
                title = (item.titleLabel.text or "").replace("<br>", " ").strip() or type(view).__name__
                out.append((f"{_dock_of(view)}: {title}", view, item))
    return sorted(out, key=lambda c: c[0])


def room(root: QWidget) -> dict:
    """The room the panels on screen have: the map's plot area and its share of the window, the
    pixel editor's grid height, each chart's plot-area height (px)."""
    out: dict = {"map": None, "map_share": 0.0, "editor_grid": None, "charts": {}}
    latent = getattr(root, "latent", None)
    if latent is not None and _shown(latent.plot):
        vb = latent.vb
        out["map"] = [round(vb.width()), round(vb.height())]
        out["map_share"] = round(vb.width() * vb.height() / max(1, root.width() * root.height()), 3)
    editor = getattr(root, "editor", None)
    if editor is not None and _shown(editor.grid):
        out["editor_grid"] = round(editor.grid.grid_rect().height())
    for name, _view, plot in charts(root):
        out["charts"][name] = round(plot.vb.height())
    return out


def out_of_sight(view, plot) -> str | None:
    """What of a chart's plot area and x axis its panel does not show (a scroll area's edge, the
    window's), as "N px of the plot / the x axis"; None when all of it shows."""
    visible = view.viewport().visibleRegion().boundingRect()
    parts = [("the plot", plot.vb), ("the x axis", plot.getAxis("bottom"))]
    for what, item in parts:
        if not item.isVisible():
            continue
        rect = _scene_rect_in_view(view, item)
        if rect.height() <= 0 or rect.width() <= 0:
            continue
        cut = max(0, rect.bottom() - visible.bottom(), visible.top() - rect.top())
        if cut > SLACK + 1:
            return f"{cut} px of {what}"
    return None


def plot_room_problems(view, plot) -> list[str]:
    """A title drawn over the plot or its ticks; a legend cut, or covering too much of the plot."""
    import pyqtgraph as pg
    from aegui.qt.widgets.charts.plot_text import LegendBelow
    out = []
    title = plot.titleLabel
    if title.isVisible() and (title.text or "").strip():
        text = title.item.sceneBoundingRect()
        for what, item in (("plot", plot.vb), ("left axis", plot.getAxis("left")), ("top axis", plot.getAxis("top"))):
            if item.isVisible() and item.sceneBoundingRect().adjusted(1, 1, -1, -1).intersects(text):
                out.append(f"the title overlaps the {what}")
    legend = getattr(plot, "legend", None)
    if isinstance(legend, pg.LegendItem) and legend.isVisible() and legend.items:
        rect = legend.sceneBoundingRect()
        shown = view.mapToScene(view.viewport().rect()).boundingRect()
        if not shown.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(rect):
            out.append("the legend is cut at the edge of the chart")
        if not isinstance(legend, LegendBelow):
            vb = plot.vb.sceneBoundingRect()
            cover = rect.intersected(vb)
            share = cover.width() * cover.height() / max(1.0, vb.width() * vb.height())
            if share > LEGEND_COVER:
                out.append(f"the legend covers {share:.0%} of the plot")
    return out


def room_problems(root: QWidget) -> list[str]:
    """Each room rule the window breaks at its size, in its perspective."""
    got = room(root)
    problems = []
    arranger = getattr(root, "arranger", None)
    explore = arranger is not None and arranger.current() == "explore"
    W, H = root.width(), root.height()
    if got["map"] is not None:
        w, h = got["map"]
        least = MAP_LEAST if explore else MAP_LEAST_BESIDE
        if w < least[0] or h < least[1]:
            problems.append(f"the latent map is {w}x{h} px, less than {least[0]}x{least[1]}")
        if explore and W >= 1280 and H >= 800 and got["map_share"] < MAP_SHARE:
            problems.append(f"the latent map has {got['map_share']:.0%} of the window, less than {MAP_SHARE:.0%}")
    elif explore:
        problems.append("the latent map is not on screen in the Explore perspective")
    if got["editor_grid"] is not None and got["editor_grid"] < GRID_LEAST:
        problems.append(f"the pixel editor's grid is {got['editor_grid']} px tall, less than {GRID_LEAST}")
    for name, view, plot in charts(root):
        if plot.vb.height() < CHART_LEAST:
            problems.append(f"chart {name!r} has {plot.vb.height():.0f} px of height, less than {CHART_LEAST}")
        hidden = out_of_sight(view, plot)
        if hidden:
            problems.append(f"chart {name!r} runs past the visible part of its panel: {hidden} out of sight")
        problems += [f"chart {name!r}: {p}" for p in plot_room_problems(view, plot)]
    if getattr(root, "latent", None) is not None and _shown(root.latent.plot):
        problems += [f"latent map: {p}" for p in plot_room_problems(root.latent.plot, root.latent.plot.getPlotItem())]
    return problems
