"""A folder's path as a link: the whole path, elided in the middle when the room is short (its
start and the folder's name stay), whole in the tooltip; a click opens the folder in the
desktop's file manager."""
from __future__ import annotations

import html
import os

from PySide6.QtCore import QEvent, QRect, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy


def elide_path(path: str, fm, room: int) -> str:
    """`path` in `room` px: whole if it fits, else its start, "…" and the folder's name whole (the
    part that tells one folder from the next), else elided in the middle."""
    if fm.horizontalAdvance(path) <= room:
        return path
    head, sep, name = path.rpartition(os.sep)
    tail = sep + name
    left = room - fm.horizontalAdvance(tail)
    if head and left >= fm.horizontalAdvance("/…") + fm.averageCharWidth() * 3:
        return fm.elidedText(head, Qt.TextElideMode.ElideRight, left) + tail
    return fm.elidedText(path, Qt.TextElideMode.ElideMiddle, room)


class FolderLink(QLabel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._path = ""
        self._shown = ""
        self.setTextFormat(Qt.TextFormat.RichText)
        # The path's width must not widen the panel: it is elided to the width the layout gives.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(60)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                     | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.linkActivated.connect(self.open)

    def set_path(self, path) -> None:
        self._path = str(path or "")
        self.setToolTip(self._path)
        self._elide()

    def path(self) -> str:
        return self._path

    def shown_path(self) -> str:
        """The path as drawn (with "…" in its middle when elided)."""
        return self._shown

    def link_rect(self) -> QRect:
        """Where the link is drawn, in the label's coordinates (left-aligned, centred vertically)."""
        fm = self.fontMetrics()
        r = self.contentsRect()
        height = fm.height()
        return QRect(r.left(), r.top() + (r.height() - height) // 2, fm.horizontalAdvance(self._shown), height)

    def open(self, *_) -> None:
        if self._path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(self._path))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = max(20, self.contentsRect().width() - 4)
        shown = elide_path(self._path, self.fontMetrics(), room)
        if shown == self._shown and self.text():
            return
        self._shown = shown
        url = QUrl.fromLocalFile(self._path).toString()
        colour = self.link_colour().name()
        self.setText(f'<a href="{html.escape(url)}" style="color: {colour}">{html.escape(shown)}</a>'
                     if self._path else "")

    def link_colour(self) -> QColor:
        """The palette's link colour, lightened on a dark theme (Qt's default blue is hard to read
        on dark grey)."""
        pal = self.palette()
        link = pal.color(QPalette.ColorRole.Link)
        if pal.color(QPalette.ColorRole.Window).lightness() < 128 and link.lightness() < 150:
            return QColor("#8ab4f8")
        return link

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._shown = ""      # drawn again in the theme's colour
            self._elide()
