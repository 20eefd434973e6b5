"""The '.' key types the decimal comma in a number box when the language writes one.

Qt's QDoubleSpinBox reads the locale's decimal point only; in Spanish it took '.' (the numeric
keypad's key, and what half the class types out of habit) for a thousands separator, so typing
0.15 gave 15. DecimalSpinBox turns that key into ',' for itself. The filter sits on each box and
its line edit, not on the application: one there ran Python for every event of every widget.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDoubleSpinBox


def _spin_box(obj) -> QDoubleSpinBox | None:
    """The double spin box a key event is for (it goes to the box or to its line edit)."""
    if isinstance(obj, QDoubleSpinBox):
        return obj
    parent = obj.parent() if isinstance(obj, QObject) else None
    return parent if isinstance(parent, QDoubleSpinBox) else None


class DecimalKey(QObject):
    def eventFilter(self, obj, event) -> bool:
        if event.type() != QEvent.Type.KeyPress or event.text() != ".":
            return False
        box = _spin_box(obj)
        if box is None or box.locale().decimalPoint() == ".":
            return False
        comma = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Comma, event.modifiers(), box.locale().decimalPoint())
        QCoreApplication.sendEvent(obj, comma)
        return True


class DecimalSpinBox(QDoubleSpinBox):
    """A QDoubleSpinBox that takes the '.' key as the language's decimal point. Keys reach the
    box (the focus widget) or its line edit directly (tests, input methods): both are watched."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._decimal_key = DecimalKey(self)
        self.installEventFilter(self._decimal_key)
        self.lineEdit().installEventFilter(self._decimal_key)
