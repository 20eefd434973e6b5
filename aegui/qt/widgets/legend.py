"""Chart legends under the plot, never over its data.

A legend anchored inside the plot covered the curves it names (the emoji VAE's KL curve ran
under the loss legend) and was cut at the plot's edge in Spanish. `legend_below(plot)` puts it
in the plot's own layout under the x axis, in as many columns as the plot's width holds.
"""
from __future__ import annotations

import math

import pyqtgraph as pg

ROW = 4   # PlotItem's layout: title 0, top axis 1, view 2, bottom axis 3


class LegendBelow(pg.LegendItem):
    def __init__(self, **kwargs):
        kwargs.setdefault("labelTextSize", "8pt")
        kwargs.setdefault("verSpacing", -6)
        super().__init__(offset=None, **kwargs)
        self.setPen(pg.mkPen(None))
        self.setBrush(pg.mkBrush(None))
        self._room = 0.0

    def updateSize(self):
        super().updateSize()
        rect = self.geometry()
        # In a layout: the layout must know how much room the legend needs.
        self.setMinimumHeight(rect.height())
        self.setMaximumHeight(rect.height())
        self.setMinimumWidth(0)
        self.updateGeometry()

    def addItem(self, item, name):
        super().addItem(item, name)
        self.fit_width(self._room)

    def removeItem(self, item):
        super().removeItem(item)
        self.fit_width(self._room)

    def entry_widths(self) -> list[float]:
        return [sample.boundingRect().width() + label.boundingRect().width() + 6 for sample, label in self.items]

    def fit_width(self, width: float) -> None:
        """As many columns as fit in `width` px (one row when all do)."""
        self._room = width
        n = len(self.items)
        if n == 0:
            return
        widths = self.entry_widths()
        cols = n
        while cols > 1 and max(sum(widths[i:i + cols]) for i in range(0, n, cols)) > max(width, 1) - 4:
            cols -= 1
        if cols != self.columnCount:
            self.setColumnCount(cols)
        self.rowCount = math.ceil(n / cols)
        self.updateSize()

    def needed_width(self) -> float:
        """Width of the widest row, to check nothing is cut."""
        widths = self.entry_widths()
        cols = max(1, self.columnCount)
        return max((sum(widths[i:i + cols]) for i in range(0, len(widths), cols)), default=0.0)


def legend_below(plot: pg.PlotItem, **kwargs) -> LegendBelow:
    legend = LegendBelow(**kwargs)
    plot.layout.addItem(legend, ROW, 1)
    plot.legend = legend   # named curves added later join it, as with plot.addLegend()
    plot.vb.sigResized.connect(lambda *_: legend.fit_width(plot.vb.width()))
    return legend
