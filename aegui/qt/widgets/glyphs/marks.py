"""One colour per meaning across the window, and the legend that names it.

- WRONG (red, solid outline): the output is on the other side of 0.5 than the clean drawing or
  sample (the editor, compare, reconstructions).
- CHANGED (violet, dashed outline): the model's output differs from the noisy input it got
  (Explain's thresholded output).
- FOCUS (blue, thick outline): the keyboard's cell in the pixel editor.

Explain once drew "changed" in the editor's red for "wrong"; every view that marks pixels now
takes its pen from here, and shows a MarkLegend beside what it marks.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from aegui.qt.i18n import bind_text

WRONG, CHANGED, FOCUS = "wrong", "changed", "focus"
COLORS = {WRONG: QColor(213, 0, 0), CHANGED: QColor(123, 44, 191), FOCUS: QColor(40, 110, 230)}
ALPHA = 150         # the tint over pixels too small for an outline


def bind_name(owner, setter, meaning: str) -> None:
    """setter(what a legend calls a cell marked `meaning`) now and after every change of
    language, while `owner` lives."""
    {WRONG: lambda: bind_text(owner, setter, "wrong pixel"),
     CHANGED: lambda: bind_text(owner, setter, "changed pixel")}[meaning]()


def color(meaning: str) -> QColor:
    return QColor(COLORS[meaning])


def pen(meaning: str, width: float = 2.0) -> QPen:
    """The outline a marked cell gets: solid for wrong, dashed for changed (told apart without
    colour too), thick for the focus cell."""
    p = QPen(color(meaning), 3.0 if meaning == FOCUS else width)
    p.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    if meaning == CHANGED:
        p.setDashPattern([2.0, 1.5])
    return p


class Swatch(QWidget):
    """A cell as a view marks it, the size of a line of text."""

    def __init__(self, meaning: str, parent=None):
        super().__init__(parent)
        self.meaning = meaning
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        bind_name(self, self.setToolTip, meaning)

    def sizeHint(self) -> QSize:
        side = self.fontMetrics().height()
        return QSize(side, side)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        side = min(self.width(), self.height()) - 2
        cell = QRectF(1, (self.height() - side) / 2, side, side)
        p.fillRect(cell, QColor(255, 255, 255))
        p.setPen(pen(self.meaning))
        p.drawRect(cell.adjusted(1.5, 1.5, -1.5, -1.5))
        p.end()


class MarkLegend(QWidget):
    """Swatch and name of each meaning a view marks, on one line."""

    def __init__(self, meanings=(WRONG,), parent=None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        self.labels: dict[str, QLabel] = {}
        for meaning in meanings:
            lay.addWidget(Swatch(meaning))
            self.labels[meaning] = QLabel()
            bind_name(self, self.labels[meaning].setText, meaning)
            lay.addWidget(self.labels[meaning])
            lay.addSpacing(8)
        lay.addStretch(1)

    def meanings(self) -> list[str]:
        return list(self.labels)
