"""Text pieces several panels share: a label elided to its width, durations, and file-write
errors as one translated sentence."""
from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

from aegui.qt.i18n import register, tr

register({
    "Could not write {path}: {reason}": "No se pudo escribir {path}: {reason}",
})


def fmt_duration(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return "–"
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def write_explained(path, write):
    """Run write() (a call that writes `path`); an OSError comes back as one translated sentence
    naming the file."""
    try:
        return write()
    except OSError as e:
        raise OSError(tr("Could not write {path}: {reason}", path=path, reason=e.strerror or e)) from e


class ElidedLabel(QLabel):
    """One line, cut with … to the width it gets; the whole text is its tooltip."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def setText(self, text: str) -> None:
        self._full = text
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(self.width(), 50)
        super().setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width))
