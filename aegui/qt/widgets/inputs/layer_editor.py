"""Small form helpers for the model builder: an editable list of layer sizes, a number field
that takes '1e-3', and a filter that keeps the mouse wheel scrolling the form."""
from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aegui.qt import i18n
from aegui.qt.i18n import bind_text
from aegui.qt.widgets.layout_items import empty_layout, take_widget


class WheelGuard(QObject):
    """Ignores wheel events on unfocused spin boxes, combos and sliders: inside a scroll area the
    wheel should scroll the form, not silently change whatever value passes under the pointer."""

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Wheel and not obj.hasFocus():
            event.ignore()
            return True
        return False

    def guard(self, widget: QWidget) -> None:
        if isinstance(widget, (QAbstractSpinBox, QComboBox, QSlider)):
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            widget.installEventFilter(self)


wheel_guard = WheelGuard()


def format_number(value: float) -> str:
    """Shortest text that reads back as exactly `value` (so a round trip changes nothing), with
    the interface language's decimal point (0,01 in Spanish; NumberEdit reads both)."""
    text = repr(float(value))
    return i18n.localize(text[:-2] if text.endswith(".0") else text)


class NumberEdit(QLineEdit):
    """A float in a line edit: log-scale values such as 1e-3 are easy to type here and awkward
    in a QDoubleSpinBox. `value()` raises ValueError('not a number') for text it cannot read."""

    def __init__(self, value: float = 0.0, parent=None):
        super().__init__(parent)
        self.set_value(value)

    def set_value(self, value: float) -> None:
        self.setText(format_number(value))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LocaleChange:
            # The language changed: the same value with its decimal point (text that cannot be
            # read stays as typed). Not an edit, so no textChanged.
            try:
                value = self.value()
            except ValueError:
                return
            blocked = self.blockSignals(True)
            self.set_value(value)
            self.blockSignals(blocked)

    def value(self) -> float:
        text = self.text().strip().replace(",", ".")   # a Spanish keyboard types 0,01
        try:
            out = float(text)
        except ValueError:
            raise ValueError("not a number") from None
        if math.isnan(out):
            raise ValueError("not a number")
        return out


class LayerListEditor(QWidget):
    """Hidden-layer sizes (or conv channel counts) as a wrapping grid of spin boxes with Add /
    Remove buttons. `next_value(values)` is what Add appends (default: a copy of the last);
    Add is disabled at `max_count` entries."""

    changed = Signal()

    def __init__(self, values=(), columns: int = 4, maximum: int = 4096, max_count: int | None = None,
                 next_value=None, parent=None):
        super().__init__(parent)
        self._columns, self._maximum, self._max_count = columns, maximum, max_count
        self._next_value = next_value or (lambda values: values[-1] if values else 16)
        self._spins: list[QSpinBox] = []
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(3)
        self._grid.setVerticalSpacing(3)
        self._empty = QLabel()
        self._empty.setEnabled(False)
        bind_text(self, self._empty.setText, "none")
        self.add_button = QToolButton()
        self.remove_button = QToolButton()
        bind_text(self, self.add_button.setText, "Add")
        bind_text(self, self.remove_button.setText, "Remove")
        bind_text(self, self.add_button.setToolTip, "Add a layer after the last one")
        bind_text(self, self.remove_button.setToolTip, "Remove the selected layer (or the last one)")
        for button, slot in ((self.add_button, self.add_layer), (self.remove_button, self.remove_layer)):
            # No focus, so a spin box still has it when Remove is clicked and can be the one removed.
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, s=slot: s())
        buttons = QVBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(2)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addLayout(self._grid, 1)
        row.addLayout(buttons)
        self.set_values(values)

    def set_max_count(self, max_count: int | None) -> None:
        """Add is disabled at `max_count` entries (entries already there stay)."""
        self._max_count = max_count
        self.add_button.setEnabled(max_count is None or len(self._spins) < max_count)

    def values(self) -> list[int]:
        return [s.value() for s in self._spins]

    def spin_boxes(self) -> list[QSpinBox]:
        return list(self._spins)

    def set_values(self, values) -> None:
        values = [int(v) for v in values]
        if values == self.values():
            return
        while len(self._spins) > len(values):
            self._drop(self._spins.pop())
        while len(self._spins) < len(values):
            self._spins.append(self._new_spin())
        for spin, v in zip(self._spins, values):
            spin.blockSignals(True)
            spin.setValue(v)
            spin.blockSignals(False)
        self._relayout()
        self.changed.emit()

    def add_layer(self, value: int | None = None) -> None:
        if self._max_count is not None and len(self._spins) >= self._max_count:
            return
        if value is None:
            value = self._next_value(self.values())
        spin = self._new_spin()
        spin.setValue(int(value))
        self._spins.append(spin)
        self._relayout()
        self.changed.emit()

    def remove_layer(self, index: int | None = None) -> None:
        if not self._spins:
            return
        if index is None:
            focused = [i for i, s in enumerate(self._spins) if s.hasFocus()]
            index = focused[0] if focused else len(self._spins) - 1
        self._drop(self._spins.pop(index))
        self._relayout()
        self.changed.emit()

    @staticmethod
    def _drop(spin: QSpinBox) -> None:
        # deleteLater alone leaves the box drawn until the event loop runs again.
        spin.hide()
        take_widget(spin)
        spin.setParent(None)
        spin.deleteLater()

    def _new_spin(self) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(1, self._maximum)
        spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        spin.setMinimumWidth(52)
        wheel_guard.guard(spin)
        spin.valueChanged.connect(self.changed)
        return spin

    def _relayout(self) -> None:
        empty_layout(self._grid)
        if not self._spins:
            self._grid.addWidget(self._empty, 0, 0)
            self._empty.show()
        else:
            self._empty.hide()
        for i, spin in enumerate(self._spins):
            self._grid.addWidget(spin, i // self._columns, i % self._columns)
        for c in range(self._columns):
            self._grid.setColumnStretch(c, 1)
        self.remove_button.setEnabled(bool(self._spins))
        self.add_button.setEnabled(self._max_count is None or len(self._spins) < self._max_count)
