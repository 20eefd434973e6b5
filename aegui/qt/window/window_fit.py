"""The main window on the screen it opens on. The size it asks for (its default, or the geometry
saved last time, maybe on a larger screen) is fitted to the screen's available area, frame and
title bar included: at 1280x800 plus a title bar, a 1366x768 or 1280x720 laptop had the Play row,
the notices and the status bar below its bottom edge.

Only a window manager knows the frame, and it tells once the window is shown (X11 reparents it into
its frame). So the window is fitted before it shows, with a frame guessed, and once more when the
real frame is known, unless something else has sized it by then (a test, `--size`).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QMargins, QObject, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication

# left, top (the title bar), right, bottom: about what common window managers draw (openbox 1, 20,
# 1, 5; KDE's Breeze and XFCE about 30 px of title bar). A wrong guess is put right once shown.
FRAME_GUESS = QMargins(4, 32, 4, 6)


def fit_to(available: QRect, wanted: QRect, frame: QMargins, minimum: QSize = QSize(0, 0),
           centre: bool = False) -> QRect:
    """The client rectangle (the window without its frame) nearest to `wanted` whose frame lies
    inside `available`: no larger than the room the frame leaves, moved in where it sticks out,
    centred in the room when `centre` (a window with no place of its own). A window whose
    `minimum` is more than the room keeps its title bar on screen: its frame starts at the top
    left of the room."""
    room = available.marginsRemoved(frame)
    w = max(min(wanted.width(), room.width()), minimum.width())
    h = max(min(wanted.height(), room.height()), minimum.height())
    if centre:
        x, y = room.x() + (room.width() - w) // 2, room.y() + (room.height() - h) // 2
    else:
        x, y = wanted.x(), wanted.y()
    x = max(room.left(), min(x, room.x() + room.width() - w))
    y = max(room.top(), min(y, room.y() + room.height() - h))
    return QRect(x, y, w, h)


def frame_of(window) -> QMargins | None:
    """The frame the window manager put around the window, or None while none is known."""
    handle = window.windowHandle()
    margins = handle.frameMargins() if handle is not None else QMargins()
    return None if margins.isNull() else margins


class WindowFit(QObject):
    """Fits `window` to its screen: `place()` before it is shown, then once more when its frame is
    known (watching its Move, Resize and Paint events until then: on X11 the frame is there by the
    first paint, which no Move or Resize may follow)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self._wanted: QRect | None = None      # what the window asked for (its default or saved geometry)
        self._centre = False
        self._size: QSize | None = None        # the size it was given; another one: hands off
        window.installEventFilter(self)

    def place(self, wanted: QRect, centre: bool) -> None:
        """Fit `wanted` to the screen it is on (the primary screen if none), with the frame known or
        guessed; the window is placed again when its real frame is known."""
        w = self.window
        if w.windowState() & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
            self._size = None        # the window manager fits a maximized window
            return
        self._wanted, self._centre = QRect(wanted), centre
        self._fit(frame_of(w) or FRAME_GUESS)
        self._size = w.size()

    def _screen(self):
        return (QGuiApplication.screenAt(self._wanted.center()) or self.window.screen()
                or QGuiApplication.primaryScreen())

    def _fit(self, frame: QMargins) -> None:
        w = self.window
        screen = self._screen()
        if screen is None:
            return
        rect = fit_to(screen.availableGeometry(), self._wanted, frame, w.minimumSize(), self._centre)
        if rect != w.geometry():
            w.setGeometry(rect)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.window and self._size is not None and event.type() in (
                QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Paint):
            self._frame_known()
        return super().eventFilter(obj, event)

    def _frame_known(self) -> None:
        """Once shown with a frame: fitted again with it, once, if nothing else sized the window."""
        w = self.window
        if not w.isVisible():
            return
        frame = frame_of(w)
        if w.size() != self._size:
            self._size = None        # sized by someone else since (a test, --size, the user)
        elif frame is not None:
            self._size = None       # once: from now on where the window goes is the user's
            # Where the window manager put it, at the size it was meant to have.
            self._wanted, self._centre = QRect(w.geometry().topLeft(), self._wanted.size()), False
            self._fit(frame)
