"""The builder's rows, laid out from the field descriptions (aegui/core/config/fields.py): a row a
field, made by the shared editor factory unless a section makes it itself (the special rows).
Here is what every row needs, whoever made it: its label and tooltip in the interface language
(bound to the builder, so they go with it),
the red outline while its field is invalid, hiding when its field does not apply and greying
out when it cannot be edited, and its value filled from and read back into an Experiment."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLabel, QSizePolicy, QSpinBox, QWidget,
)

from aegui.core.schema.experiment import ConfigError
from aegui.core.config.fields import FIELDS, Field, always, in_group
from aegui.qt.i18n import bind_text, on_language, tr
from aegui.qt.widgets.inputs.field_editors import FieldEditor, hbox, make_editor, mark
from aegui.qt.widgets.inputs.layer_editor import NumberEdit
from aegui.qt.widgets.text.terms import field_tip

_NUMBER_WIDTH = 120        # a number alone in its row: short boxes read better than stretched ones
_PERCENT_WIDTH = 80        # a percentage beside another box
_BESIDE_WIDTH = 60         # the least a whole number beside a word or another box gets


class _WholeLabels(QObject):
    """Keeps a wrapped label in a form row whole. A form distributes its height by the heights its
    rows had for the previous label column: when a wider label (Peso de dispersión) narrows the
    field column, the layer chain needs one more line than it gets and its last one is cut, until
    the form lays out again."""

    def eventFilter(self, label, event) -> bool:
        if event.type() == QEvent.Type.Resize and label.height() < label.heightForWidth(label.width()):
            # Again once this layout pass is over (an invalidate inside it is forgotten).
            layout = label.parentWidget().layout()
            QTimer.singleShot(0, layout, layout.invalidate)
        return False


class FieldForm:
    """`editors`: the factory's editor of each field it made a row for; `owners`: the widget
    outlined when a config field (e.g. 'train.learning_rate') is invalid. Its texts are bound to
    `panel` (the builder), which holds every row."""

    def __init__(self, panel: QWidget, start_dir: Callable[[], str]):
        self.panel = panel
        self.start_dir = start_dir
        self.editors: dict[str, FieldEditor] = {}
        self.owners: dict[str, QWidget] = {}
        self.marked: dict[QWidget, str] = {}
        # field -> (its description, its form, its row's widget)
        self._rows: dict[str, tuple[Field, QFormLayout, QWidget]] = {}
        self._shown: dict[str, bool] = {}        # field -> its row is shown
        self._leads: dict[str, QLabel] = {}      # field -> the word before it in another field's row
        # widget -> its tooltip in the interface language, asked again after a change of language
        self._tips: dict[QWidget, Callable[[], str]] = {}
        self._changes = []                               # the signals of every edit (see watch)
        self._groups: list[QGroupBox] = []
        self._whole = _WholeLabels()
        on_language(panel, self._show_tips)

    # ------------------------------------------------------------------ laying out

    @staticmethod
    def layout() -> QFormLayout:
        form = QFormLayout()
        form.setContentsMargins(6, 4, 6, 6)
        form.setHorizontalSpacing(6)
        form.setVerticalSpacing(4)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        return form

    def group(self, form: QFormLayout) -> QGroupBox:
        """A group of rows (its section binds its title)."""
        box = QGroupBox()
        box.setLayout(form)
        self._groups.append(box)
        return box

    def lay_out(self, group: str, form: QFormLayout, special: dict[str, Callable[[QFormLayout], None]]) -> None:
        """The rows of a group (data, model, train) in the descriptions' order: `special[key](form)`
        adds the row of a field a section shows its own way, the editor factory every other."""
        fields = in_group(group)
        joined: dict[str, list[Field]] = {}
        for f in fields:
            if f.joins:
                joined.setdefault(f.joins, []).append(f)
        for f in fields:
            if f.key in special:
                special[f.key](form)
            elif not f.joins:
                self._add_field(form, f, joined.get(f.key, []))

    def _add_field(self, form: QFormLayout, f: Field, joined: list[Field]) -> None:
        editor = self._editor(f)
        if f.unit or joined:
            items = [editor.widget] + ([self._word(f.unit)] if f.unit else [])
            for j in joined:
                other = self._editor(j)
                if j.lead:
                    self._leads[j.key] = self._word(j.lead)
                    items.append(self._leads[j.key])
                items.append(other.widget)
                if j.unit:
                    items.append(self._word(j.unit))
            fill = isinstance(editor.widget, QComboBox)    # a list takes the room the boxes leave
            if fill:
                editor.widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            for w in items:
                if isinstance(w, QDoubleSpinBox):
                    w.setFixedWidth(_PERCENT_WIDTH)
                elif isinstance(w, QSpinBox):
                    w.setMinimumWidth(_BESIDE_WIDTH)
            row = hbox(*items, fill=fill)
        else:
            row = editor.widget
        self.add_row(form, f.key, row, owner=editor.owner, label=editor.label_widget)

    def _editor(self, f: Field) -> FieldEditor:
        editor = make_editor(f, self.start_dir)
        self.editors[f.key] = editor
        if not f.of:
            self.owners[f.key] = editor.owner
        if field_tip(f):    # its own tip, and the terms it names explained (β, momentum, BCE...)
            self._tip(editor.owner, lambda f=f: field_tip(f))
            if editor.label_widget is not None:
                self._tip(editor.label_widget, lambda f=f: field_tip(f))
        self._changes.append(editor.changed)
        return editor

    def _word(self, english: str) -> QLabel:
        label = QLabel()
        bind_text(self.panel, label.setText, english)
        return label

    def add_row(self, form: QFormLayout, key: str, widget: QWidget, owner: QWidget | None = None,
                label: QWidget | None = None, changed=None) -> QWidget:
        """Adds the row of field `key` labelled as its description says (or with `label`);
        `owner` (default: `widget`) is outlined when the field is invalid; a section's own row
        says with `changed` (a signal) when it is edited."""
        f = FIELDS[key]
        if isinstance(widget, (QSpinBox, NumberEdit)):
            widget.setFixedWidth(_NUMBER_WIDTH)
        if label is None and f.type == "bool":
            form.addRow("", widget)        # a check box carries its own label
        else:
            if label is None:
                label = QLabel()
                bind_text(self.panel, label.setText, f.label)
                if field_tip(f):     # "Momentum", "β (KL weight)": the word hovered is explained
                    self._tip(label, lambda f=f: field_tip(f))
            form.addRow(label, widget)
        if isinstance(widget, QLabel) and widget.wordWrap():
            widget.installEventFilter(self._whole)
        self._rows[key] = (f, form, widget)
        owner = owner or widget
        if key not in self.editors:
            if not f.of:
                self.owners[key] = owner
            if field_tip(f):
                self._tip(owner, lambda f=f: field_tip(f))
        if changed is not None:
            self._changes.append(changed)
        return widget

    def tip(self, widget: QWidget, english: str) -> None:
        """`widget`'s tooltip while it is not marked invalid, in the interface language."""
        self._tip(widget, lambda: tr(english))

    def _tip(self, widget: QWidget, tip: Callable[[], str]) -> None:
        self._tips[widget] = tip
        if widget not in self.marked:
            widget.setToolTip(tip())

    def watch(self, slot) -> None:
        """Calls `slot` after every edit of any row; connected last, so the sections' own
        reactions (e.g. other settings for images) come first."""
        for signal in self._changes:
            signal.connect(slot)

    # ------------------------------------------------------------------ values

    def editor(self, key: str) -> FieldEditor:
        return self.editors[key]

    def widget(self, key: str) -> QWidget:
        return self.editors[key].widget

    def fill(self, exp) -> None:
        """Shows `exp` in every row the factory made (the special rows are their sections')."""
        for key, editor in self.editors.items():
            f = editor.field
            if not f.of and f.section:
                editor.set_value(f.value(exp))

    def config(self, part, section: str, errors: list[ConfigError], **given):
        """`part` (the loaded DataConfig, ModelSpec ...) with the values of the section's rows and
        `given` (what the section reads itself); what cannot be read or is out of range is appended
        to `errors` and keeps its value in `part`."""
        values = {}
        for key, editor in self.editors.items():
            f = editor.field
            if f.section != section or f.of or f.name in given:
                continue
            try:
                value = editor.value()
            except ValueError as e:
                errors.append(ConfigError(key, str(e)))
                continue
            # The field's own rule, as validate() applies it to a config file (a box or a list
            # offers only values it accepts).
            error = f.error(value) if editor.typed else None
            if error is not None:
                errors.append(error)
            values[f.name] = value
        return replace(part, **values, **given)

    # ------------------------------------------------------------------ showing

    def update(self, exp) -> None:
        """Shows the rows of the fields that apply to `exp`, greys out the ones it cannot edit."""
        for key, (f, form, widget) in self._rows.items():
            visible = bool(f.applies(exp))
            if self._shown.get(key) != visible:
                self._shown[key] = visible
                form.setRowVisible(widget, visible)
        for key, editor in self.editors.items():
            f = editor.field
            if f.enabled is not always:
                on = bool(f.enabled(exp))
                editor.set_enabled(on)
                if key in self._leads:
                    self._leads[key].setEnabled(on)

    def relayout(self) -> None:
        """After the rows and the texts of an edit: Qt keeps a group's old size where rows came
        or went before the window showed, or where a wrapped label (the layer chain) changed
        height with the field column's width, and then leaves a gap or cuts the label."""
        for box in self._groups:
            box.layout().invalidate()
            box.updateGeometry()

    def mark(self, widget: QWidget, problem: str | None) -> None:
        mark(widget, problem)
        if problem is None:
            widget.setToolTip(self._tips[widget]() if widget in self._tips else "")

    def _show_tips(self) -> None:
        """The tooltips of the rows not marked invalid (a marked one shows its problem)."""
        for w, tip in self._tips.items():
            if w not in self.marked:
                w.setToolTip(tip())
