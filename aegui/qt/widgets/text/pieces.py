"""Text pieces several panels share: a label elided to its width, durations, and file-write
errors as one translated sentence."""
from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

from aegui.qt.i18n import number, tr


def fmt_duration(seconds: float) -> str:
    """m:ss or h:mm:ss; under 10 s, seconds to a tenth, since a font trains in a fraction of a
    second and "0:00 elapsed" read as nothing measured."""
    if not math.isfinite(seconds) or seconds < 0:
        return "–"
    if seconds < 9.95:
        return f"{number(seconds, '.1f')} s"
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


ZWSP = "\u200b"   # a break opportunity that draws nothing


def breakable(text: str) -> str:
    """Text that may wrap inside long paths and lists too (after / \\ , and _)."""
    for ch in ("/", "\\", ",", "_"):
        text = text.replace(ch, ch + ZWSP)
    return text


class WrapLabel(QLabel):
    """Text shown whole, on as many lines as it needs; a long path wraps at its separators
    instead of widening the panel. (It replaced a label that cut its text with '…': the end of
    a sweep summary or of a file path is often the part that matters.)"""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._full = ""
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)
        self.setMinimumHeight(self.fontMetrics().height())   # one line, as when it elided
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def setText(self, text: str) -> None:
        self._full = text
        super().setText(breakable(text))

    def set_full_text(self, text: str) -> None:
        self.setText(text)
        self.setToolTip(text)

    def full_text(self) -> str:
        return self._full

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return super().heightForWidth(width)


ElidedLabel = WrapLabel   # the old name, for code written against it


def message_text(rec) -> str:
    """A progress record's sentence in the interface language (records built elsewhere carry only
    their English text)."""
    from aegui.core.train.progress import MESSAGES, render
    if rec.extra.get("message_id") in MESSAGES:
        return render(rec.extra["message_id"], rec.extra.get("message_args", {}), fill=tr)
    return rec.message
