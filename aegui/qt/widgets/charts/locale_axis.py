"""Chart axes whose tick labels follow the interface language: 0,5 in Spanish, 0.5 in English.

pyqtgraph writes tick labels with Python's "%g" / "%.1f", always with a decimal point. Every chart
the app makes gets its axes from `locale_axes()` (a PlotItem or PlotWidget's axisItems), so the
labels are written by i18n.localize and redrawn when the language changes.
"""
from __future__ import annotations

import pyqtgraph as pg

from aegui.qt import i18n

SIDES = ("left", "bottom")    # pyqtgraph shows every axis it is given; right and top stay hidden


class LocaleAxis(pg.AxisItem):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Owned by the axis: the redraw goes when the axis is destroyed.
        i18n.on_language(self, self.relabel)

    def tickStrings(self, values, scale, spacing):
        return [i18n.localize(text) for text in super().tickStrings(values, scale, spacing)]

    def relabel(self) -> None:
        self.picture = None     # pyqtgraph draws the labels once and keeps the picture
        self.update()


def locale_axes(**given: pg.AxisItem) -> dict[str, pg.AxisItem]:
    """The left and bottom axes of a plot: LocaleAxis unless `given` names one (left=LogAxis("left"))."""
    return {side: given.get(side) or LocaleAxis(side) for side in (*SIDES, *given)}
