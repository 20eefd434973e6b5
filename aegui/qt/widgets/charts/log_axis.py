"""Axes that read well: on a log scale, powers of ten written as people write them.

pyqtgraph labels a log axis at whatever values its tick spacing lands on and writes them with
one significant digit, so a loss from 2 to 6e-9 read "2, 0.09, 0.007, 3e-5, 1e-6, 8e-8, 6e-9".
LogAxis labels powers of ten (every second, fifth... decade when they do not all fit), adds
2x and 5x only when fewer than two decades show, and writes 1, 0.1, 0.01, 1e-3, 1e-4... (with
the language's decimal point: 0,1 in Spanish).
"""
from __future__ import annotations

import math

from aegui.qt.i18n import localize
from aegui.qt.widgets.charts.locale_axis import LocaleAxis

PX_PER_LABEL = 18   # vertical room one label needs


def decade_text(value: float) -> str:
    """10**exponent as '1000', '1', '0.01', '1e-3', '1e6'."""
    if value <= 0 or not math.isfinite(value):
        return ""
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = value / 10 ** exponent
    if -2 <= exponent <= 3:
        return f"{value:.{max(0, -exponent)}f}" if round(mantissa, 6) == 1 else f"{value:g}"
    m = f"{mantissa:.3g}"
    return f"1e{exponent}" if m == "1" else f"{m}e{exponent}"


def log_ticks(lo: float, hi: float, room: int) -> list[float]:
    """Tick positions (log10 values) between lo and hi, at most `room` of them."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return []
    room = max(2, room)
    first, last = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
    decades = list(range(first, last + 1))
    if len(decades) >= 2:
        for step in (1, 2, 3, 5, 10, 20, 50, 100):
            # Steps count from 10^0 = 1, so 1 stays among the labels when it is shown.
            picked = [float(d) for d in decades if d % step == 0]
            if 2 <= len(picked) <= room:
                return picked
        return [float(decades[0]), float(decades[-1])]   # the ends, when nothing finer fits
    values = []
    for d in range(first - 1, last + 1):
        for m in (1, 2, 5):
            v = d + math.log10(m)
            if lo - 1e-9 <= v <= hi + 1e-9:
                values.append(v)
    if len(values) >= 2:
        return values[:room]
    # Less than a factor of 2 to 5 on screen: the round value there is, and values near the
    # ends rounded to 2 digits, so there are always two labels to read the scale from.
    ends = [math.log10(float(f"{10 ** v:.2g}")) for v in (lo + 0.1 * (hi - lo), hi - 0.1 * (hi - lo))]
    if values:
        far = max(ends, key=lambda e: abs(e - values[0]))
        return sorted([values[0], far])
    return ends


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
