"""The training panel's message ("Model 4 of 8 reached 0 wrong pixels", a KL warning, why a run
diverged) in a note of a fixed height above the charts.

Shown and hidden with its text, the note pushed the charts down and back up while a run went on,
and at 1024x700 a wrapped message left the loss chart 134 px of plot. Its room is kept whether or
not there is a message, and a message longer than its lines ends in "…" with the whole text in its
tooltip.
"""
from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QSizePolicy

from aegui.qt.widgets.text.note import NoteLabel

LINES = 1
PAD = 2 * (0 + 2)     # its padding and border, above and below


def fit_lines(text: str, metrics, width: int, lines: int) -> str:
    """`text` as it wraps in `width` px, cut to `lines` lines with "…" when it needs more."""
    def height(t: str) -> int:
        return metrics.boundingRect(QRect(0, 0, max(width, 1), 10**6), Qt.TextFlag.TextWordWrap, t).height()
    room = metrics.lineSpacing() * lines
    if width <= 0 or height(text) <= room:
        return text
    lo, hi = 0, len(text)
    while lo < hi:                      # the longest start that fits with its "…"
        mid = (lo + hi + 1) // 2
        if height(text[:mid].rstrip() + "…") <= room:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"


class MessageLine(NoteLabel):
    padding = "0px 4px"       # one line: the height above the charts is theirs

    def __init__(self, parent=None):
        super().__init__("info", parent)
        self._full = ""
        self._kind_shown = "info"
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * LINES + PAD)
        self.show_message("")

    def message(self) -> str:
        """The whole message shown now ("" when there is none)."""
        return self._full

    def show_message(self, text: str, kind: str = "info") -> None:
        if text == self._full and kind == self._kind_shown and text:
            return
        self._full, self._kind_shown = text, kind
        if text:
            self.set_kind(kind, bold=kind == "error")
        else:
            self.setStyleSheet("QLabel { border: none; background: transparent; }")
        self.setToolTip(text)
        self._fit()

    def _fit(self) -> None:
        width = self.contentsRect().width() - 8
        super().setText(fit_lines(self._full, self.fontMetrics(), width, LINES) if self._full else "")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _restyle(self) -> None:
        if getattr(self, "_full", ""):     # no message: no box
            super()._restyle()
