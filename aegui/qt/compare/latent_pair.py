"""Two latent maps side by side with linked hover: the sample nearest the cursor on one map is
ringed on both (aegui.core.analyses.compare.two_models.Comparison.nearest), so a student sees where each
model put the same glyph or picture."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from aegui.qt.widgets.charts.locale_axis import locale_axes

RING = pg.mkPen((255, 120, 0), width=3)
POINTS = pg.mkBrush(40, 110, 230, 170)
MAX_LABELS = 120        # samples labelled with their text on the maps (more would hide the points)


class LatentPair(QWidget):
    """set_comparison(c); hover(side, (x, y)) rings sample c.nearest(side, point) on both maps."""
    hovered = Signal(int)        # the sample ringed (-1: none)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.comparison = None
        self.ringed: int | None = None
        self.titles = [QLabel(wordWrap=True, alignment=Qt.AlignmentFlag.AlignHCenter) for _ in range(2)]
        self.plots, self.points, self.rings, self._texts = [], [], [], [[], []]
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for side in (0, 1):
            plot = pg.PlotWidget(background="w", axisItems=locale_axes())
            plot.setMinimumSize(140, 140)
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            plot.setMenuEnabled(False)
            points = pg.ScatterPlotItem(size=7, pen=None, brush=POINTS)
            ring = pg.ScatterPlotItem(size=20, pen=RING, brush=None, symbol="o")
            plot.addItem(points)
            plot.addItem(ring)
            plot.scene().sigMouseMoved.connect(lambda pos, side=side: self._moved(side, pos))
            grid.addWidget(self.titles[side], 0, side)
            grid.addWidget(plot, 1, side)
            grid.setColumnStretch(side, 1)
            self.plots.append(plot)
            self.points.append(points)
            self.rings.append(ring)

    def set_titles(self, a: str, b: str) -> None:
        for label, text in zip(self.titles, (a, b)):
            label.setText(text)

    def set_comparison(self, c) -> None:
        self.comparison = c
        self.ringed = None
        for side in (0, 1):
            for item in self._texts[side]:
                self.plots[side].removeItem(item)
            self._texts[side] = []
            self.rings[side].setData([], [])
            if c is None:
                self.points[side].setData([], [])
                continue
            xy = c.xy[side]
            self.points[side].setData(xy[:, 0], xy[:, 1])
            if len(xy) <= MAX_LABELS:
                for (x, y), label in zip(xy, c.labels):
                    text = pg.TextItem(str(label), color=(30, 30, 30), anchor=(0.5, 1.2))
                    text.setPos(float(x), float(y))
                    self.plots[side].addItem(text)
                    self._texts[side].append(text)
            self.plots[side].getPlotItem().getViewBox().autoRange(padding=0.08)

    def hover(self, side: int, point) -> int | None:
        """Ring, on both maps, the sample nearest `point` on map `side`; its index."""
        c = self.comparison
        if c is None or not len(c.labels):
            return None
        i = c.nearest(side, point)
        self.ring(i)
        return i

    def ring(self, i: int | None) -> None:
        self.ringed = i
        for side in (0, 1):
            if i is None:
                self.rings[side].setData([], [])
            else:
                x, y = self.comparison.xy[side][i]
                self.rings[side].setData([float(x)], [float(y)])
        self.hovered.emit(-1 if i is None else i)

    def ring_position(self, side: int) -> tuple[float, float] | None:
        """Where the ring is drawn on map `side` (tests)."""
        x, y = self.rings[side].getData()
        return (float(x[0]), float(y[0])) if len(x) else None

    def _moved(self, side: int, pos) -> None:
        vb = self.plots[side].getPlotItem().getViewBox()
        if self.comparison is None or not vb.sceneBoundingRect().contains(pos):
            return
        p = vb.mapSceneToView(pos)
        self.hover(side, np.array([p.x(), p.y()]))
