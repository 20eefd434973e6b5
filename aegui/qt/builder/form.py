"""The pieces every section of the builder's form is made of: rows labelled from the field
descriptions, combo boxes of named choices, spin boxes with the field's range, error outlines."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox,
    QWidget,
)

from aegui.core.config.experiment import ConfigError
from aegui.core.config.fields import CHOICES, FIELD_LABELS, RANGES, TIPS
from aegui.qt.i18n import tr
from aegui.qt.builder.layer_editor import LayerListEditor, NumberEdit

ERROR_COLOR = "#c62828"
_NUMBER_WIDTH = 120


class FormParts:
    """Mixin of the ModelBuilder: how rows, combos and marks are made. Needs the builder's
    `_texts`, `_tips`, `_combos`, `_fields`, `_row_form` and `_on_edit`."""

    def _text(self, setter, english: str) -> None:
        self._texts.append((setter, english))

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.setContentsMargins(6, 4, 6, 6)
        form.setHorizontalSpacing(6)
        form.setVerticalSpacing(4)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        return form

    def _group(self, english: str, form: QFormLayout) -> QGroupBox:
        box = QGroupBox()
        box.setLayout(form)
        self._text(box.setTitle, english)
        return box

    def _row(self, form: QFormLayout, key: str, widget: QWidget, owner: QWidget | None = None,
             is_field: bool = True, label: QWidget | None = None) -> QWidget:
        """Adds the row labelled FIELD_LABELS[key] (or `label`); `owner` (default: `widget`) is
        the widget outlined when the config field `key` is invalid."""
        if label is None:
            label = QLabel()
            self._text(label.setText, FIELD_LABELS[key])
        if isinstance(widget, (QSpinBox, NumberEdit)):
            # Numbers read better in a short box than stretched across the dock.
            widget.setFixedWidth(_NUMBER_WIDTH)
        form.addRow(label, widget)
        self._row_form[widget] = form
        owner = owner or widget
        if is_field:
            self._fields[key] = owner
        if key in TIPS:
            self._tips[owner] = TIPS[key]
        self._watch(owner)
        return widget

    def _combo(self, labels: dict, keys=None) -> QComboBox:
        combo = QComboBox()
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(6)
        for key in keys or labels:
            combo.addItem(labels.get(key, key), key)
        self._combos.append((combo, labels))
        return combo

    def _choice(self, key: str) -> QComboBox:
        """A combo box of the values of the choice field `key`, named as the field description says."""
        keys, labels = CHOICES[key]
        return self._combo(labels, keys)

    def _field_spin(self, key: str) -> QSpinBox:
        """A spin box over the range of the whole-number field `key`."""
        return self._spin(*RANGES[key])

    @staticmethod
    def _spin(lo: int, hi: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(lo, hi)
        spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        return spin

    def _watch(self, w: QWidget) -> None:
        if isinstance(w, QLineEdit):
            w.textChanged.connect(self._on_edit)
        elif isinstance(w, QComboBox):
            w.currentIndexChanged.connect(self._on_edit)
        elif isinstance(w, (QSpinBox, QDoubleSpinBox)):
            w.valueChanged.connect(self._on_edit)
        elif isinstance(w, QCheckBox):
            w.toggled.connect(self._on_edit)
        elif isinstance(w, LayerListEditor):
            w.changed.connect(self._on_edit)

    @staticmethod
    def _hbox(*items, fill=False) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        for item in items:
            row.addWidget(item)
        if not fill:
            row.addStretch(1)
        return holder

    def _select(self, combo: QComboBox, key) -> None:
        i = combo.findData(key)
        if i < 0:
            # Keep a value this build cannot offer (e.g. 'cuda' with no GPU) so nothing is lost.
            label = tr("{key} (not available)", key=key) if combo is self.device_combo else str(key)
            combo.addItem(label, key)
            i = combo.count() - 1
        combo.setCurrentIndex(i)

    def _show_row(self, widget: QWidget, visible: bool) -> None:
        self._row_form[widget].setRowVisible(widget, visible)

    def _mark(self, w: QWidget, problem: str | None) -> None:
        w.setProperty("invalid", problem is not None)
        w.setToolTip(problem if problem is not None else tr(self._tips.get(w, "")))
        # Dynamic properties only restyle after a re-polish.
        w.style().unpolish(w)
        w.style().polish(w)
        w.update()

    def _info(self, text: str, error: bool = False) -> None:
        """A note under the buttons. An error note lasts until the next edit, load or run: it
        is about what the user just tried, not about the form as it is now."""
        self._info_error = bool(text) and error
        self.info_label.setStyleSheet(f"font-size: small; color: {ERROR_COLOR};" if error else "font-size: small;")
        self.info_label.setText(text)
        self.info_label.setVisible(bool(text))

    @staticmethod
    def _number(errors: list[ConfigError], field: str, edit: NumberEdit, fallback: float) -> float:
        """The value of a number box; while it does not parse, `fallback`, and an error at `field`."""
        try:
            return edit.value()
        except ValueError as e:
            errors.append(ConfigError(field, str(e)))
            return fallback
