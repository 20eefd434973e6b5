"""Axes that read well: on a log scale, powers of ten written as people write them.

pyqtgraph labels a log axis at whatever values its tick spacing lands on and writes them with
one significant digit, so a loss from 2 to 6e-9 read "2, 0.09, 0.007, 3e-5, 1e-6, 8e-8, 6e-9".
LogAxis labels powers of ten (every second, fifth... decade when they do not all fit), adds
2x and 5x only when fewer than two decades show, and writes 1, 0.1, 0.01, 1e-3, 1e-4... (with
the language's decimal point: 0,1 in Spanish).
"""
from __future__ import annotations

from aegui.core.analyses.figures import decade_text, log_ticks   # one rule for the window and the report
from aegui.qt.i18n import localize
from aegui.qt.widgets.charts.locale_axis import LocaleAxis

PX_PER_LABEL = 18   # vertical room one label needs


class LogAxis(LocaleAxis):
    """A left axis that labels a log scale (setLogMode) with powers of ten, in the interface
    language (0,01 in Spanish)."""

    def tickValues(self, minVal, maxVal, size):
        if not self.logMode:
            return super().tickValues(minVal, maxVal, size)
        return [(None, log_ticks(minVal, maxVal, int(size // PX_PER_LABEL)))]

    def tickStrings(self, values, scale, spacing):
        if not self.logMode:
            return super().tickStrings(values, scale, spacing)
        return [localize(decade_text(10 ** v)) for v in values]
