"""Chart text that is never cut: legends under the plot, titles on two lines when narrow.

A legend anchored inside the plot covered the curves it names (the emoji VAE's KL curve ran
under the loss legend) and was cut at the plot's edge in Spanish. `legend_below(plot)` puts it
in the plot's own layout under the x axis, in as many columns as the plot's width holds.
"""
from __future__ import annotations

import html
import math

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QSizePolicy

ROW = 4   # PlotItem's layout: title 0, top axis 1, view 2, bottom axis 3
TITLE_SIZE = "10pt"   # pyqtgraph's 11pt titles wrapped at the chart widths of a 1024 px window


class LegendBelow(pg.LegendItem):
    def __init__(self, **kwargs):
        kwargs.setdefault("labelTextSize", "8pt")
        kwargs.setdefault("verSpacing", -6)
        super().__init__(offset=None, **kwargs)
        self.columnCount = 1
        self._relayout(1)
        self.setPen(pg.mkPen(None))
        self.setBrush(pg.mkBrush(None))
        self._room = 0.0
        self.folded = False
        self._chart_height: float | None = None

    MOST_SHARE = 0.4   # of the chart's height: a longer legend is folded into the chart's tooltip

    def updateSize(self):
        super().updateSize()   # sizes the legend at (0, 0) of its holder
        holder = self.parentItem()
        if isinstance(holder, pg.GraphicsWidget):
            # The layout reserves the room under the plot through the holder.
            height = 0.0 if self.folded else self.geometry().height()
            holder.setMinimumHeight(height)
            holder.setMaximumHeight(height)
            holder.updateGeometry()

    def fold(self, chart_height: float | None) -> None:
        """Hide the legend when it would take more than MOST_SHARE of the chart's height (a
        sweep's twelve series left the bars no room at all); its entries become the chart's
        tooltip. The legend's own height does not change the chart's, so this cannot flip-flop."""
        self._chart_height = chart_height
        if chart_height is None:
            return
        folded = bool(self.items) and self.natural_height() > self.MOST_SHARE * max(chart_height, 1.0)
        plot = self.parentItem().parentItem() if self.parentItem() is not None else None
        if plot is not None:
            plot.setToolTip(self.key_html() if folded else "")
        if folded != self.folded:
            self.folded = folded
            self.setVisible(not folded)
            self.updateSize()

    def natural_height(self) -> float:
        """Height of the entries as arranged now, shown or not (the geometry of a hidden legend
        is not kept up to date)."""
        cols = max(1, self.columnCount)
        heights = [max(sample.boundingRect().height(), label.item.boundingRect().height())
                   for sample, label in self.items]
        return sum(max(heights[r:r + cols]) for r in range(0, len(heights), cols))

    def key_html(self) -> str:
        """The entries as lines of HTML, each with a square of its colour."""
        rows = []
        for sample, label in self.items:
            opts = getattr(sample.item, "opts", {})
            if opts.get("brush") is not None:
                colour = pg.mkBrush(opts["brush"]).color().name()
            elif opts.get("pen") is not None:
                colour = pg.mkPen(opts["pen"]).color().name()
            else:
                colour = "#888888"
            text = getattr(label, "whole_text", None) or label.text
            rows.append(f'<span style="color:{colour}">&#9632;</span> {html.escape(text)}')
        return "<br>".join(rows)

    def paint(self, p, *args):
        pass   # no frame: under the plot the legend is a line of text, not a box over data

    def _addItemToLayout(self, sample, label):
        self._relayout(self.columnCount)

    def _relayout(self, cols: int) -> None:
        """Every entry placed again by its index: pyqtgraph places a new entry from the grid's
        row and column counts, which keep earlier arrangements, so entries landed in the wrong
        cells. (The grid itself stays: replacing a widget's layout crashed at exit.)"""
        grid = self.layout
        for i in range(grid.count() - 1, -1, -1):
            grid.removeAt(i)
        grid.setContentsMargins(2, 0, 2, 0)
        grid.setVerticalSpacing(0)
        grid.setHorizontalSpacing(5)
        for i, (sample, label) in enumerate(self.items):
            row, col = divmod(i, cols)
            grid.addItem(sample, row, 2 * col, Qt.AlignmentFlag.AlignVCenter)
            grid.addItem(label, row, 2 * col + 1)
        self.columnCount, self.rowCount = cols, max(1, math.ceil(len(self.items) / cols))

    def addItem(self, item, name):
        super().addItem(item, name)
        self.fit_width(self._room)
        self.fold(self._chart_height)

    def removeItem(self, item):
        super().removeItem(item)
        self.fit_width(self._room)
        self.fold(self._chart_height)

    def entry_widths(self) -> list[float]:
        # sample, spacing, label, spacing (the grid's horizontal spacing is 5 px)
        return [sample.boundingRect().width() + label.item.boundingRect().width() + 12
                for sample, label in self.items]

    def grid_width(self, cols: int) -> float:
        """Width of the legend in `cols` columns: a column is as wide as its widest entry."""
        widths = self.entry_widths()
        return sum(max(widths[c::cols], default=0.0) for c in range(cols))

    def fit_width(self, width: float) -> None:
        """As many columns as fit in `width` px (one row when all do); in one column, a label
        wider than the room is broken into lines at its commas (a sweep's long config names were
        cut at the chart's edge)."""
        self._room = width
        n = len(self.items)
        if n == 0:
            return
        self._wrap_labels(None)
        cols = n
        while cols > 1 and self.grid_width(cols) > max(width, 1) - 4:
            cols -= 1
        if cols != self.columnCount:
            self._relayout(cols)
        if cols == 1 and self.grid_width(1) > max(width, 1) - 4:
            self._wrap_labels(max(width, 1) - 4)
        self.updateSize()

    def _wrap_labels(self, room: float | None) -> None:
        """Each label whole (room None), or broken at ", " into lines no wider than `room`."""
        for sample, label in self.items:
            whole = getattr(label, "whole_text", None)
            if whole is None or label.text != getattr(label, "shown_text", None):
                whole = label.whole_text = label.text     # new, or renamed by its owner since
            text = whole
            if room is not None:
                metrics = QFontMetricsF(label.item.font())
                margins = 2 * label.item.document().documentMargin()    # drawn around the text
                free = room - sample.boundingRect().width() - 12 - margins
                text = "<br>".join(_wrap(whole, lambda t: metrics.horizontalAdvance(t) <= free))
            if text != label.text:
                label.setText(text)
            label.shown_text = text

    def needed_width(self) -> float:
        """Width of the legend as arranged now, to check nothing is cut."""
        return self.grid_width(max(1, self.columnCount))


def _wrap(text: str, fits) -> list[str]:
    """`text` in lines that fit: broken after its commas first, then at spaces."""
    lines: list[str] = []
    for part in text.split(", "):
        part_lines: list[str] = []
        for word in part.split(" ") if not fits(part) else [part]:
            if part_lines and fits(part_lines[-1] + " " + word):
                part_lines[-1] += " " + word
            else:
                part_lines.append(word)
        for line in part_lines:
            if lines and lines[-1].endswith(",") and fits(lines[-1] + " " + line):
                lines[-1] += " " + line
            else:
                lines.append(line)
        lines[-1] += ","
    lines[-1] = lines[-1][:-1]
    return lines


class _Fitter(QObject):
    """Refits a plot's text when its view is resized. A QObject child of the plot, so Qt drops
    the connection when the plot is destroyed (a Python lambda would be called on a half-deleted
    plot at exit). Found again among the plot's children (`_fitter`): nothing is stored on the
    plot itself."""

    def __init__(self, plot: pg.PlotItem):
        super().__init__(plot)
        self.plot = plot
        self.title = False      # fit_text: keep the title fitted too
        plot.vb.sigResized.connect(self.refit)

    @Slot(object)
    def refit(self, *_):
        plot = self.plot
        legend = getattr(plot, "legend", None)
        if isinstance(legend, LegendBelow):
            legend.fit_width(plot.width())
            # The view's height, not the plot's: a shown legend's minimum makes the plot itself
            # taller than its view (cut at the bottom), so the plot's height would keep it shown.
            views = plot.scene().views() if plot.scene() is not None else []
            legend.fold(min([plot.height()] + [v.height() for v in views]))
        if self.title:
            fit_title(plot)


def _fitter(plot: pg.PlotItem) -> _Fitter:
    """The plot's one fitter, made on first use."""
    found = plot.findChild(_Fitter, "", Qt.FindChildOption.FindDirectChildrenOnly)
    return found if found is not None else _Fitter(plot)


def legend_below(plot: pg.PlotItem, **kwargs) -> LegendBelow:
    # The legend sits in a plain holder that the plot's layout places under the x axis; a
    # LegendItem put in a layout itself crashed Qt at exit.
    holder = pg.GraphicsWidget()
    holder.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    plot.layout.addItem(holder, ROW, 0, 1, 3)   # the whole chart's width, under the axis too
    legend = LegendBelow(**kwargs)
    legend.setParentItem(holder)
    plot.legend = legend   # named curves added later join it, as with plot.addLegend()
    _fitter(plot)
    return legend


def _plain_title(plot: pg.PlotItem) -> str:
    return (plot.titleLabel.text or "").replace("<br>", " ")


def title_width(plot: pg.PlotItem) -> float:
    """Width of the title's widest line as drawn now."""
    return plot.titleLabel.item.boundingRect().width()


def fit_title(plot: pg.PlotItem) -> None:
    """A title wider than its plot is broken at the space nearest its middle (and kept whole
    when there is room): pyqtgraph draws a title on one line and cuts it at the plot's edge."""
    text = _plain_title(plot)
    if not text or not plot.titleLabel.isVisible():
        return
    metrics = QFontMetricsF(plot.titleLabel.item.font())
    # The title is drawn at its own size (an HTML style): scale the metrics by what is drawn now.
    lines = (plot.titleLabel.text or "").split("<br>")
    drawn = title_width(plot)
    longest = max(metrics.horizontalAdvance(line) for line in lines)
    ratio = drawn / longest if drawn > 0 and longest > 0 else 1.0
    wrapped = text
    if metrics.horizontalAdvance(text) * ratio + 12 > plot.width() and " " in text:
        middle = len(text) / 2
        cut = min((i for i, ch in enumerate(text) if ch == " "), key=lambda i: abs(i - middle))
        wrapped = text[:cut] + "<br>" + text[cut + 1:]
    if wrapped != plot.titleLabel.text:
        plot.titleLabel.setText(wrapped)
    plot.titleLabel.setMinimumWidth(0)   # setText forces the one-line width on the plot
    # pyqtgraph gives the title a 30 px row whatever it holds: a title on two lines was drawn over
    # the plot and its tick labels. The row takes the text's height.
    height = math.ceil(plot.titleLabel.item.boundingRect().height()) + 2
    if plot.titleLabel.maximumHeight() != height:
        plot.titleLabel.setMaximumHeight(height)
        plot.layout.setRowFixedHeight(0, height)


def fit_text(*plots: pg.PlotItem) -> None:
    """Keep each plot's title fitted as it is resized or retitled."""
    for plot in plots:
        # Else the title's one-line width is forced on the plot, which then overflows its view.
        plot.titleLabel.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        plot.titleLabel.opts["size"] = TITLE_SIZE
        set_title = plot.setTitle

        def retitle(title=None, _set=set_title, _plot=plot, **args):
            _set(title, **args)
            fit_title(_plot)
        plot.setTitle = retitle
        _fitter(plot).title = True
        fit_title(plot)
