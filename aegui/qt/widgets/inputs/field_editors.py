"""The editor of a field description (aegui/core/config/fields.py): the widget a form shows for it,
its value read and written, its texts in the interface language (bound to its widget, so they go
with it). The editors are chosen by the
field's type from one registry (as pyqtgraph's parameter tree chooses its items), so the model
builder lays its rows out from the descriptions and the sweep editor offers the same widgets.

`value()` raises ValueError with an English problem (to be translated) for text it cannot read.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QSlider, QSpinBox, QWidget,
)

from aegui.core.config.fields import INTS_PROBLEM, Field, parse_ints
from aegui.qt.i18n import bind_text, on_language, tr
from aegui.qt.widgets.inputs.layer_editor import NumberEdit
from aegui.qt.widgets.inputs.path_edit import PathEdit
from aegui.qt.widgets.text.terms import with_terms
from aegui.qt.widgets.inputs.decimal_key import DecimalSpinBox

ERROR_COLOR = "#c62828"
# Outlines the widgets marked invalid (a dynamic property) inside the widget given this style sheet.
INVALID_STYLE = f'*[invalid="true"] {{ border: 1px solid {ERROR_COLOR}; border-radius: 3px; }}'
_INT_RANGE = (-2**31, 2**31 - 1)


def mark(widget: QWidget, problem: str | None, tip: str = "") -> None:
    """Outlines `widget` in red with `problem` (already translated) as its tooltip; None takes the
    outline off and gives back the tooltip `tip` (English)."""
    widget.setProperty("invalid", problem is not None)
    widget.setToolTip(problem if problem is not None else tr(tip) if tip else "")
    # Dynamic properties only restyle after a re-polish.
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


def hbox(*items: QWidget, fill: bool = False) -> QWidget:
    """Widgets side by side in one holder; without `fill` they keep their size, flush left."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(4)
    for item in items:
        row.addWidget(item)
    if not fill:
        row.addStretch(1)
    return holder


class FieldEditor(QObject):
    """`widget` goes in a form row; `owner` is the part outlined when the value is invalid;
    `label_widget`, when not None, replaces the row's label (an optional value's check box).
    `changed` fires on every edit, also when the value is set from code."""

    changed = Signal()
    # Typed text can hold any value; a box or list only the ones it offers, or a loaded one it keeps.
    typed = False

    def __init__(self, field: Field, start_dir: Callable[[], str] | None = None):
        super().__init__()
        self.field = field
        self.label_widget: QWidget | None = None
        self.owner: QWidget | None = None      # _make sets it where it is not the widget itself
        self.widget = self._make(start_dir)
        self.owner = self.owner or self.widget

    def _make(self, start_dir) -> QWidget:
        raise NotImplementedError

    def value(self):
        raise NotImplementedError

    def set_value(self, value) -> None:
        raise NotImplementedError

    def set_enabled(self, enabled: bool) -> None:
        self.owner.setEnabled(enabled)


class ChoiceEditor(FieldEditor):
    """A combo box of the field's choices under their names; a value it does not offer (a loaded
    'cuda' without a GPU) is added and kept, so nothing is lost."""

    def _make(self, start_dir) -> QComboBox:
        self._own_labels = False
        self._added: set = set()       # values the field does not offer, named by `unknown`
        combo = QComboBox()
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(6)
        for key in self.field.choices:
            combo.addItem(self.field.choice_labels.get(key, str(key)), key)
        combo.currentIndexChanged.connect(self.changed)
        self._name_choices(combo)
        on_language(combo, lambda: self._name_choices(combo))
        return combo

    def _name_choices(self, combo: QComboBox) -> None:
        """The field's choices under their names in the interface language (names given by
        set_choices, and values it does not offer, stay as they are)."""
        if self._own_labels:
            return
        labels = self.field.choice_labels
        for i in range(combo.count()):
            key = combo.itemData(i)
            if key in labels and key not in self._added:
                combo.setItemText(i, tr(labels[key]))
        self._explain_items(combo)

    def _explain_items(self, combo: QComboBox) -> None:
        # In the open list, "BCE (cross-entropy)" or "SGD + momentum" says what its term means.
        labels = self.field.choice_labels
        for i in range(combo.count()):
            key = combo.itemData(i)
            english = labels.get(key, "") if not self._own_labels and key not in self._added else ""
            combo.setItemData(i, with_terms("", english) or None, Qt.ItemDataRole.ToolTipRole)

    def value(self):
        return self.widget.currentData()

    def set_value(self, value) -> None:
        combo = self.widget
        i = combo.findData(value)
        if i < 0:
            unknown = self.field.unknown
            combo.addItem(tr(unknown, key=value) if unknown else str(value), value)
            self._added.add(value)
            i = combo.count() - 1
        combo.setCurrentIndex(i)

    def set_choices(self, pairs) -> None:
        """[(value, name), ...] with names already in the interface language (e.g. the devices
        torch found); keeps the current value."""
        current = self.value()
        self._own_labels = True
        self.widget.blockSignals(True)
        self.widget.clear()
        self._added.clear()
        for key, name in pairs:
            self.widget.addItem(name, key)
        self.widget.blockSignals(False)
        self.set_value(current)


class IntEditor(FieldEditor):
    """A spin box over the field's range; an optional field (None allowed) gets a check box as
    its label that turns the value on."""

    def _make(self, start_dir) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(*(self.field.range or _INT_RANGE))
        spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        spin.valueChanged.connect(self.changed)
        f = self.field
        if f.suffix:
            bind_text(spin, spin.setSuffix, f.suffix)
        if f.special:
            bind_text(spin, spin.setSpecialValueText, f.special)
        if f.optional:
            self.check = QCheckBox()
            bind_text(self.check, self.check.setText, f.optional)
            self.check.toggled.connect(spin.setEnabled)
            self.check.toggled.connect(self.changed)
            spin.setEnabled(False)
            self.label_widget = self.check
        return spin

    def value(self):
        if self.field.optional and not self.check.isChecked():
            return None
        return self.widget.value()

    def set_value(self, value) -> None:
        if self.field.optional:
            self.check.setChecked(value is not None)
        self.widget.setValue(int(value or 0))

    def set_enabled(self, enabled: bool) -> None:
        if self.field.optional:
            self.check.setEnabled(enabled)
            enabled = enabled and self.check.isChecked()
        self.widget.setEnabled(enabled)


class FloatEditor(FieldEditor):
    """A number typed as text: 1e-3 is easy to type here and awkward in a spin box."""

    typed = True

    def _make(self, start_dir) -> NumberEdit:
        edit = NumberEdit()
        edit.textChanged.connect(self.changed)
        return edit

    def value(self) -> float:
        return self.widget.value()

    def set_value(self, value) -> None:
        self.widget.set_value(value)


class PercentEditor(FieldEditor):
    """A fraction as a percentage (0.1 shows as 10 %), with a slider beside it when the field asks.
    The box shows few decimals, so a loaded value is kept exactly until the box is edited."""

    def _make(self, start_dir) -> QWidget:
        f = self.field
        lo, hi = (100 * v for v in (f.range or (0.0, 1.0)))
        # A bound the value may not reach (100 % sure) is one step inside the box's range.
        lo += f.step if f.open in ("low", "both") else 0
        hi -= f.step if f.open in ("high", "both") else 0
        if f.decimals:
            spin = DecimalSpinBox()
            spin.setDecimals(f.decimals)
            spin.setSingleStep(f.step)
            spin.setRange(lo, hi)
        else:
            spin = QSpinBox()
            spin.setRange(round(lo), round(hi))
        spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        spin.valueChanged.connect(self.changed)
        if f.suffix:
            bind_text(spin, spin.setSuffix, f.suffix)
        self.spin, self.slider, self.owner = spin, None, spin
        self._exact: tuple[float, float] | None = None
        if not f.slider:
            return spin
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(round(lo), round(hi))
        self.slider.valueChanged.connect(self._slider_moved)
        spin.valueChanged.connect(self._spin_changed)
        return hbox(self.slider, spin, fill=True)

    def _slider_moved(self, value: int) -> None:
        if round(self.spin.value()) != value:
            self.spin.setValue(value)

    def _spin_changed(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(round(value))
        self.slider.blockSignals(False)

    def value(self) -> float:
        shown = self.spin.value()
        if self._exact and self._exact[0] == shown:
            return self._exact[1]
        return round(shown / 100, 8)

    def set_value(self, value) -> None:
        self.spin.setValue(value * 100 if self.field.decimals else round(value * 100))
        self._exact = (self.spin.value(), value)

    def set_enabled(self, enabled: bool) -> None:
        self.widget.setEnabled(enabled)


class BoolEditor(FieldEditor):
    """A check box that carries the field's label itself (its row has none)."""

    def _make(self, start_dir) -> QCheckBox:
        check = QCheckBox()
        bind_text(check, check.setText, self.field.label)
        check.toggled.connect(self.changed)
        return check

    def value(self) -> bool:
        return self.widget.isChecked()

    def set_value(self, value) -> None:
        self.widget.setChecked(bool(value))


class TextEditor(FieldEditor):
    typed = True

    def _make(self, start_dir) -> QLineEdit:
        edit = QLineEdit()
        if self.field.placeholder:
            bind_text(edit, edit.setPlaceholderText, self.field.placeholder)
        edit.textChanged.connect(self.changed)
        return edit

    def value(self) -> str:
        return self.widget.text()

    def set_value(self, value) -> None:
        self.widget.setText(str(value))


class IntListEditor(TextEditor):
    """Whole numbers typed as '0, 1, 7'."""

    def value(self) -> tuple[int, ...]:
        return parse_ints(self.widget.text(), self.field.unreadable or INTS_PROBLEM)

    def set_value(self, value) -> None:
        self.widget.setText(",".join(map(str, value)))


class PathEditor(FieldEditor):
    """A path typed or picked in a dialog; the line is what an invalid path outlines."""

    def _make(self, start_dir) -> PathEdit:
        f = self.field
        edit = PathEdit(folder=f.folder, title=f.dialog, file_filter=f.file_filter, start_dir=start_dir)
        edit.changed.connect(self.changed)
        self.owner = edit.line
        return edit

    def value(self) -> str:
        return self.widget.path()

    def set_value(self, value) -> None:
        self.widget.set_path(value)


# The editor of each field type; register_editor adds or replaces one.
EDITORS: dict[str, type[FieldEditor]] = {
    "choice": ChoiceEditor, "int": IntEditor, "float": FloatEditor, "bool": BoolEditor, "text": TextEditor,
    "ints": IntListEditor, "path": PathEditor,
}


def register_editor(type_: str, cls: type[FieldEditor]) -> None:
    EDITORS[type_] = cls


def make_editor(field: Field, start_dir: Callable[[], str] | None = None) -> FieldEditor:
    """The editor of a field description, its texts in the interface language for as long as its
    widget lives."""
    cls = PercentEditor if field.percent else EDITORS.get(field.type)
    if cls is None:
        raise ValueError(f"no editor for {field.key}: its type {field.type!r} has none registered")
    return cls(field, start_dir)
