"""The room of the tray under the latent map (generated samples, the interpolation strip, the
arithmetic). It is given from the start, at the height the tray needs, and kept: nothing the user
does on the map (a pin, a sample, an interpolation) makes the map shorter under the pointer. A tray
that opened at the first pin shrank the plot by 174 px at 1280x800, and the next click, aimed at a
point, pinned empty space.

A canvas too short for both (the Train perspective's map above the charts) keeps all its height
for the map: the tray is left out until the canvas is tall enough again, whatever it holds. What
goes in or out of the tray then is a change in size only, never one the map's user caused.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QSplitter, QWidget

TRAY_FROM_PX = 460     # px of canvas height from which the tray is shown under the map


class TrayRoom(QObject):
    """Lays `upper` (the map and what is around it) over `tabs` (the tray) in a splitter the user
    may drag, and shows the tray whenever `canvas` is tall enough."""

    def __init__(self, canvas: QWidget, upper: QWidget, tabs: QWidget):
        super().__init__(canvas)
        self.canvas, self.tabs = canvas, tabs
        split = self.split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        split.addWidget(tabs)
        # A taller canvas grows the map, not the tray (it keeps the height it was given).
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        split.setChildrenCollapsible(False)
        tabs.hide()
        canvas.installEventFilter(self)

    def shown(self) -> bool:
        return self.tabs.isVisibleTo(self.canvas)

    def show_page(self, page: QWidget) -> bool:
        """Bring `page` to the front of the tray; whether the tray is on the canvas to show it."""
        self.tabs.setCurrentWidget(page)
        return self.shown()

    def height(self) -> int:
        """What the tray takes when it is shown: the least its pages need, the tab bar included."""
        return self.tabs.minimumSizeHint().height()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.canvas and event.type() == QEvent.Type.Resize:
            self.fit(event.size().height())
        return super().eventFilter(obj, event)

    def fit(self, canvas_height: int) -> None:
        room = canvas_height >= TRAY_FROM_PX
        if room == self.shown():
            return
        if not room:
            self.tabs.hide()
            return
        self.tabs.show()
        margins = self.canvas.layout().contentsMargins()
        total = canvas_height - margins.top() - margins.bottom()
        tray = self.height()
        self.split.setSizes([total - tray - self.split.handleWidth(), tray])
