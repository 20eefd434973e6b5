"""The '.' key types the decimal comma in a number box when the language writes one.

Qt's QDoubleSpinBox reads the locale's decimal point only; in Spanish it took '.' (the numeric
keypad's key, and what half the class types out of habit) for a thousands separator, so typing
0.15 gave 15. One application-wide filter turns that key into ',' in double spin boxes.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDoubleSpinBox


def _spin_box(obj) -> QDoubleSpinBox | None:
    """The double spin box a key event is for (it goes to the box's line edit)."""
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


_filter: list[DecimalKey] = []


def install() -> None:
    """Once per application (later calls do nothing)."""
    app = QApplication.instance()
    if app is not None and not _filter:
        _filter.append(DecimalKey(app))
        app.installEventFilter(_filter[0])
