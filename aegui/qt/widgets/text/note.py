"""A coloured note (info, warning, error) whose colours follow the light or dark theme.

Hard-coded pastel backgrounds stayed light in the dark theme ("Stopped at epoch ..." on a white
bar); a NoteLabel picks its colours from the palette it is shown with, again on every change.
"""
from __future__ import annotations

import re

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel

# (border, background, text) for a light and a dark window.
_COLORS = {
    "info": (("#1565c0", "#e3f2fd", "#0d2a4d"), ("#5c9ce6", "#1d3147", "#d6e7fb")),
    "warning": (("#e0b64c", "#fff4d6", "#5a4300"), ("#b38b2e", "#3d3220", "#f5dfa6")),
    "error": (("#c62828", "#fdecea", "#7f0000"), ("#e57373", "#4a2323", "#ffd6d6")),
}


def is_dark(palette) -> bool:
    return palette.window().color().lightness() < 128


def note_style(kind: str, dark: bool, bold: bool = False, padding: str = "4px") -> str:
    border, bg, fg = _COLORS[kind][1 if dark else 0]
    width = 2 if kind == "error" else 1
    weight = " font-weight: bold;" if bold else ""
    return (f"QLabel {{ border: {width}px solid {border}; background: {bg}; color: {fg};"
            f" padding: {padding}; border-radius: 3px;{weight} }}")


class NoteLabel(QLabel):
    padding = "4px"

    def __init__(self, kind: str = "info", parent=None, bold: bool = False):
        super().__init__(parent)
        self.setWordWrap(True)
        self._kind, self._bold = kind, bold
        self._raw = ""
        self._restyle()

    def setText(self, text: str) -> None:
        """Links take the note's text colour: the palette's blue was unreadable on the dark
        notes' backgrounds (a style sheet does not reach a rich text's anchors)."""
        self._raw = text
        if "<a " not in text:
            super().setText(text)
            return
        from PySide6.QtWidgets import QApplication
        fg = _COLORS[self._kind][1 if is_dark(QApplication.palette()) else 0][2]
        super().setText(re.sub(r"<a ", f'<a style="color: {fg};" ', text))

    def kind(self) -> str:
        return self._kind

    def set_kind(self, kind: str, bold: bool = False) -> None:
        self._kind, self._bold = kind, bold
        self._restyle()

    def _restyle(self) -> None:
        from PySide6.QtWidgets import QApplication
        style = note_style(self._kind, is_dark(QApplication.palette()), self._bold, self.padding)
        if self.styleSheet() != style:   # re-polishing re-enters changeEvent: only on change
            self.setStyleSheet(style)
            if "<a " in self._raw:
                self.setText(self._raw)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange):
            self._restyle()
