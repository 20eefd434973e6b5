"""The view of a chart of counts (wrong pixels): its automatic range always starts at 0 and
reaches at least 1. pyqtgraph centres a flat curve in its range, so a run where every pixel was
right drew its zeros in the middle of a -5..5 axis, as if a count could be negative.

`counts` can be switched off for a chart that also shows other values (a sweep's chart shows
losses on a log axis too)."""
from __future__ import annotations

import pyqtgraph as pg


class CountViewBox(pg.ViewBox):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.counts = True

    def childrenBounds(self, frac=None, orthoRange=(None, None), items=None):
        bounds = super().childrenBounds(frac=frac, orthoRange=orthoRange, items=items)
        y = bounds[1]
        if self.counts and y is not None and y[0] >= 0:
            bounds[1] = [0.0, max(1.0, float(y[1]))]
        return bounds


def count_range(lo: float, hi: float) -> tuple[float, float]:
    """A y range for counts from `lo` to `hi` set by hand: 0 at the bottom (with the sliver of
    margin that keeps its tick label inside the axis), at least 1 at the top."""
    top = max(1.0, hi) if lo >= 0 else hi
    bottom = -0.03 * top if lo >= 0 else lo
    return bottom, top * 1.05
