"""A chart whose curves hold one point each: the first record of a run (one Step epoch, F6).

A line needs two points, so pyqtgraph draws nothing for one; and a curve of one point has a range
of zero width, which pyqtgraph's autorange widens by the width the view had before (a chart that
showed a 150-epoch history then read -76..78 around epoch 1, the point lost in it). While every
curve of a plot holds a single x, `LonePoints.show` marks each point with a dot in its curve's
colour and sets a narrow range around them; the plot's autorange comes back with the second epoch.
The plot's owner keeps one `LonePoints` per plot: the dots and whether the range is theirs.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from aegui.qt.widgets.charts.count_view import count_range

DOT_SIZE = 9
NO_PEN = pg.mkPen(None)


def _points(curve) -> tuple[np.ndarray, np.ndarray]:
    x, y = curve.getData()
    if x is None or y is None or len(x) == 0:
        return np.zeros(0), np.zeros(0)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    return x[keep], y[keep]


def _y_range(lo: float, hi: float, log: bool, integer: bool) -> tuple[float, float]:
    """A range around values that (nearly) coincide: a third of a decade on a log axis (its
    values are log10), from 0 to a count above on a count axis, else a tenth of the value."""
    if integer:
        return count_range(0.0, hi + 1.0) if lo >= 0 else (lo - 1.0, hi + 1.0)
    pad = 0.3 if log else max(0.1 * max(abs(lo), abs(hi)), 1e-3)
    spread = hi - lo
    return lo - max(pad, 0.1 * spread), hi + max(pad, 0.1 * spread)


class LonePoints:
    """The dots and the narrow range of one plot while its curves hold one x each."""

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        self.dots = pg.ScatterPlotItem(size=DOT_SIZE, pxMode=True)
        self.dots.setZValue(5)     # over the curves' (invisible) one-point lines and the best band
        self.ranged = False        # the view's range is ours, not pyqtgraph's autorange
        # One brush per colour, kept: pyqtgraph draws each symbol once into its atlas, keyed by
        # the pen and brush objects, so a new brush for every dot added an entry each run, a
        # thousand before pyqtgraph rebuilt it (a soak of the window, bench/soak.py: the two
        # charts' atlases held ~350 KiB after 140 runs).
        self._brushes: dict[int, object] = {}

    def show(self, curves, integer: bool = False) -> bool:
        """Dots and a narrow range while `curves` (PlotCurveItems of the plot) hold one x; back
        to the plot's autorange once one holds more. True while the dots show."""
        plot, dots = self.plot, self.dots
        if dots not in plot.items:
            plot.addItem(dots, ignoreBounds=True)   # the first time, or a new history cleared the items
        shown = [(c, *_points(c)) for c in curves if c is not None and c.isVisible()]
        shown = [(c, x, y) for c, x, y in shown if x.size]
        xs = np.array([v for _, x, _ in shown for v in (x.min(), x.max())])
        if xs.size == 0 or xs.min() != xs.max():     # nothing, or a line: pyqtgraph draws it
            if self.ranged:                           # (the usual case costs no redraw)
                self.ranged = False
                dots.setData([])
                plot.enableAutoRange()
            return False
        spots = []
        for curve, x, y in shown:
            color = curve.opts["pen"].color()
            brush = self._brushes.setdefault(color.rgba(), pg.mkBrush(color))
            spots += [{"pos": (float(a), float(b)), "brush": brush, "pen": NO_PEN} for a, b in zip(x, y)]
        dots.setData(spots)
        ys = np.concatenate([y for _, _, y in shown])
        x0 = float(xs[0])
        log = bool(plot.getAxis("left").logMode)
        # An epoch either side, never before epoch 0 (the first batch of a Step batch is at 0.06).
        plot.setRange(xRange=(max(x0 - 1.0, 0.0) if x0 >= 0 else x0 - 1.0, x0 + 1.0),
                      yRange=_y_range(float(ys.min()), float(ys.max()), log, integer), padding=0)
        self.ranged = True
        return True
