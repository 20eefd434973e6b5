"""Esc stops a run from anywhere in the window: whatever has the focus (the map, the editor's grid,
a field of the builder, nothing at all after the run disabled the field), a panel floated out of
the window, or a tooltip on screen that the key reached instead of the window.

A window shortcut (QAction with Qt.WindowShortcut) is matched against the active window only: a
floated panel is a window of its own, and a key that lands on a tooltip's window can miss it, so
the first Esc did nothing. An application event filter sees every key before any widget does.
An open menu or a modal dialog keeps its Esc (it closes them); the next Esc stops the run.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

KEYS = (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)


class StopKey(QObject):
    def __init__(self, window, workspace):
        super().__init__(window)
        self.window, self.ws = window, workspace
        self._swallow = False         # the KeyPress after the ShortcutOverride that stopped the run
        self._installed = False
        # Only while a run goes on: a filter on the application sees every event of the app.
        workspace.training_changed.connect(lambda state: self._watch(state.busy))

    def _watch(self, on: bool) -> None:
        if on != self._installed:
            app = QApplication.instance()
            (app.installEventFilter if on else app.removeEventFilter)(self)
            self._installed, self._swallow = on, False

    def _aimed_here(self, obj) -> bool:
        if not isinstance(obj, QWidget):
            return False
        top = obj.window()
        return (top is self.window or top.windowType() == Qt.WindowType.ToolTip
                or (isinstance(top, QDockWidget) and top.parentWidget() is self.window))

    def eventFilter(self, obj, event) -> bool:
        t = event.type()
        if t not in KEYS or event.key() != Qt.Key.Key_Escape:
            return False
        if t == QEvent.Type.KeyPress and self._swallow:
            self._swallow = False
            return True
        self._swallow = False
        if (not self.ws.training.busy or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
                or QApplication.activePopupWidget() is not None or QApplication.activeModalWidget() is not None
                or not self._aimed_here(obj)):
            return False
        self.ws.stop()
        if t == QEvent.Type.ShortcutOverride:
            # Taken: no shortcut fires, and the key press that follows is ours too.
            event.accept()
            self._swallow = True
        return True
