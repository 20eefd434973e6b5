"""The sweep editor: a base experiment, the fields to vary with their values, seeds and target.

Values are typed one per line, as students write them in reports: layer lists as
35-10-2-10-35, numbers as 0.01 or 1e-3 (a trailing % divides by 100), names as config files
spell them (sgd, momentum, ...), or picked in the field's own editor (the builder's, made from the
field descriptions) and added with Add value. Every edit rebuilds the sweep through
aegui.core.analyses.sweeps.sweep, so the rules and messages are the CLI's, and a problem outlines the row
or box it names; a varied field that applies to none of the configs (β of a sweep without a VAE)
says so, with the predicates the builder hides its rows by.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFileDialog, QFormLayout, QFrame, QGridLayout, QGroupBox, QHBoxLayout,
    QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QPushButton, QScrollArea, QSpinBox, QToolButton,
    QVBoxLayout, QWidget,
)

from aegui.core.schema.experiment import ConfigError, Experiment
from aegui.core.config.fields import FIELDS, choice_keys, config_fields
from aegui.core.files.paths import resources_dir, safe_name
from aegui.core.analyses.sweeps.sweep import MAX_SEEDS, Sweep, expand, load_sweep, plan, sweep_from_dict
from aegui.qt.i18n import bind_text, on_language, plural, tr
from aegui.qt.models.names import shown_name
from aegui.qt.widgets.inputs.field_editors import ERROR_COLOR, INVALID_STYLE, FieldEditor, make_editor, mark
from aegui.qt.widgets.inputs.fields import field_label
from aegui.qt.widgets.inputs.layer_editor import format_number, wheel_guard
from aegui.qt.widgets.layout_items import take_widget
from aegui.qt.widgets.text.note import NoteLabel
from aegui.qt.widgets.text.terms import field_tip

# The fields the course varies, first in the list; every other field follows.
COMMON_FIELDS = ("model.layers", "train.learning_rate", "train.schedule", "model.hidden_activation",
                 "model.init", "train.loss", "train.optimizer", "train.momentum", "train.batch_size",
                 "train.epochs", "noise.level", "noise.kind", "model.beta", "model.kind", "data.fonts")
_NOT_VARIED = ("train.seeds", "train.target_max_wrong")
# Field types whose single value the field's own editor can pick (lists are typed).
_PICKED = ("choice", "int", "float", "bool")


def field_types() -> dict[str, str]:
    """Every field a sweep may vary -> its type in the field descriptions ('float', 'ints', ...)."""
    return {f.key: "int | None" if f.optional else f.type for f in config_fields() if f.key not in _NOT_VARIED}


def value_text(key: str, value) -> str:
    """A value as the editor shows it; parse_value reads it back unchanged."""
    if isinstance(value, (list, tuple)):
        sep = "-" if all(isinstance(v, int) for v in value) and value else "+"
        return sep.join(str(v) for v in value)
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def parse_value(type_: str, text: str, line: int):
    """One line of the values box -> a JSON value for the sweep; ValueError says what is wrong."""
    t = text.strip()
    if type_ == "ints":
        parts = [p for p in re.split(r"[\s,;x\-]+", t.strip("[]()")) if p]
        try:
            return [int(p) for p in parts]
        except ValueError:
            raise ValueError(tr("line {line}: {value!r} is not a list of whole numbers like 35-10-2-10-35",
                                line=line, value=t)) from None
    if type_ == "names":
        return [p for p in re.split(r"[\s,;+]+", t.strip("[]()")) if p]
    if type_ == "float":
        s = t.replace(",", ".")
        scale = 1.0
        if s.endswith("%"):
            s, scale = s[:-1].strip(), 0.01
        try:
            value = float(s)
        except ValueError:
            raise ValueError(tr("line {line}: {value!r} is not a number", line=line, value=t)) from None
        return value if scale == 1.0 else round(value * scale, 12)   # 20% -> 0.2, not 0.2000000004
    if type_ in ("int", "int | None"):
        if type_ == "int | None" and t.lower() in ("none", "null"):
            return None
        try:
            return int(t)
        except ValueError:
            raise ValueError(tr("line {line}: {value!r} is not a whole number", line=line, value=t)) from None
    if type_ == "bool":
        low = t.lower()
        if low in ("true", "yes", "1", "on"):
            return True
        if low in ("false", "no", "0", "off"):
            return False
        raise ValueError(tr("line {line}: {value!r} is not true or false", line=line, value=t))
    return t


def _hint(key: str, type_: str) -> str:
    if choice_keys(key):
        return tr("Choices: {choices}", choices=", ".join(map(str, choice_keys(key))))
    if type_ == "ints":
        return tr("e.g. 35-10-2-10-35 (sizes from input to output)")
    if type_ == "names":
        return tr("names separated by +, e.g. Font1+Font2")
    return {"float": tr("e.g. 0.01 or 1e-3; 20% = 0.2"), "int": tr("a whole number"),
            "bool": tr("true or false"), "int | None": tr("a whole number, or none")}.get(type_, "")


def _lines(edit: QPlainTextEdit) -> list[tuple[int, str]]:
    return [(i + 1, s) for i, s in enumerate(edit.toPlainText().splitlines()) if s.strip()]


class _VaryRow(QFrame):
    """One varied field: which field, its values one per line, optional labels, and the field's own
    editor (from the builder's row factory) to pick a value and add it as a line."""
    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, types: dict[str, str], base: Callable[[], Experiment], parent=None):
        super().__init__(parent)
        self.types, self._base = types, base
        self.picker: FieldEditor | None = None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.field_combo = QComboBox()
        self.field_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.field_combo.setMinimumContentsLength(12)
        self.remove_button = QToolButton()
        self.remove_button.setText("✕")
        bind_text(self, self.remove_button.setToolTip, "Remove this field")
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        self.values_label, self.labels_label = QLabel(), QLabel()
        bind_text(self, self.values_label.setText, "Values, one per line")
        bind_text(self, self.labels_label.setText, "Labels (optional)")
        self.values_edit, self.labels_edit = QPlainTextEdit(), QPlainTextEdit()
        bind_text(self, self.labels_edit.setPlaceholderText, "one label per value, in the same order")
        for edit in (self.values_edit, self.labels_edit):
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 4 + 12)
            edit.textChanged.connect(self.changed)
        self.pick_row = QHBoxLayout()
        self.pick_row.setContentsMargins(0, 0, 0, 0)
        self.pick_row.setSpacing(4)
        self.add_value_button = QPushButton()
        bind_text(self, self.add_value_button.setText, "Add value")
        bind_text(self, self.add_value_button.setToolTip, "Add the value picked here as a new line")
        self.add_value_button.clicked.connect(self.add_picked)
        self.hint_label = QLabel(wordWrap=True)
        self.hint_label.setStyleSheet("color: gray; font-size: small;")
        self.note = NoteLabel("warning")
        self.note.hide()
        self._fill_fields()
        self.field_combo.currentIndexChanged.connect(self._field_changed)
        wheel_guard.guard(self.field_combo)

        grid = QGridLayout()
        grid.setSpacing(3)
        grid.addWidget(self.field_combo, 0, 0, 1, 2)
        grid.addWidget(self.remove_button, 0, 2)
        grid.addWidget(self.values_label, 1, 0)
        grid.addWidget(self.labels_label, 1, 1, 1, 2)
        grid.addWidget(self.values_edit, 2, 0)
        grid.addWidget(self.labels_edit, 2, 1, 1, 2)
        grid.addLayout(self.pick_row, 3, 0)
        grid.addWidget(self.add_value_button, 3, 1, 1, 2, Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        # The wrapped texts below the grid, not spanning its columns.
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.setSpacing(3)
        column.addLayout(grid)
        column.addWidget(self.hint_label)
        column.addWidget(self.note)
        self._make_picker()
        self._show_hint()
        on_language(self, self._fill_fields)
        on_language(self, self._show_hint)
        on_language(self, self._translate_picker)

    def _fill_fields(self) -> None:
        key = self.key()
        combo = self.field_combo
        combo.blockSignals(True)
        combo.clear()
        rest = sorted(k for k in self.types if k not in COMMON_FIELDS)
        for k in [k for k in COMMON_FIELDS if k in self.types]:
            combo.addItem(f"{field_label(k)} ({k})", k)
        combo.insertSeparator(combo.count())
        for k in rest:
            combo.addItem(f"{field_label(k)} ({k})", k)
        for i in range(combo.count()):     # what β, momentum... mean, in the open list
            k = combo.itemData(i)
            if k in FIELDS and field_tip(FIELDS[k]):
                combo.setItemData(i, field_tip(FIELDS[k]), Qt.ItemDataRole.ToolTipRole)
        i = combo.findData(key) if key else 0
        combo.setCurrentIndex(max(i, 0))
        combo.blockSignals(False)

    def key(self) -> str | None:
        return self.field_combo.currentData()

    def set_key(self, key: str) -> None:
        i = self.field_combo.findData(key)
        if i >= 0:
            self.field_combo.setCurrentIndex(i)

    def set_values(self, key: str, values, labels=None) -> None:
        self.set_key(key)
        self.values_edit.setPlainText("\n".join(value_text(key, v) for v in values))
        self.labels_edit.setPlainText("\n".join(labels or []))

    def _field_changed(self, *_):
        self._show_hint()
        self._make_picker()
        self.changed.emit()

    def _show_hint(self) -> None:
        """How to type the field's values (its choices, a layer list's form, ...)."""
        self.hint_label.setText(_hint(self.key(), self.types.get(self.key(), "")))

    # ---------------------------------------------------------------- picking a value

    def _make_picker(self) -> None:
        """The field's own editor, at the base's value; none for lists, which are typed."""
        if self.picker is not None:
            take_widget(self.picker.widget)
            self.picker.widget.setParent(None)
            self.picker.widget.deleteLater()
            self.picker = None
        f = FIELDS.get(self.key())
        if f is not None and f.type in _PICKED and not f.optional:
            self.picker = make_editor(f)
            for w in [self.picker.widget, *self.picker.widget.findChildren(QWidget)]:
                wheel_guard.guard(w)
            self.pick_row.addWidget(self.picker.widget)
            self.picker.widget.show()   # at once, not at the next event loop turn (size hints)
            self.show_base_value()
        self.add_value_button.setVisible(self.picker is not None)

    def show_base_value(self) -> None:
        if self.picker is not None:
            self.picker.set_value(self.picker.field.value(self._base()))
            self._mark_picker(None)

    def add_picked(self) -> None:
        """The picked value becomes a line of the values box (unless it is one already)."""
        try:
            value = self.picker.value()
        except ValueError as e:
            self._mark_picker(tr(str(e)))
            return
        self._mark_picker(None)
        text = value_text(self.key(), value)
        lines = [s.strip() for _, s in _lines(self.values_edit)]
        if text not in lines:
            self.values_edit.setPlainText("\n".join([*lines, text]))

    def set_applies(self, applies: bool) -> None:
        """Warns when the field applies to none of the sweep's configs (the builder hides its row)."""
        self.note.setVisible(not applies)
        self.note.setText("" if applies else tr(
            "{field} applies to none of these configs (the builder hides it for them): its values change "
            "nothing", field=field_label(self.key())))

    def _mark_picker(self, problem: str | None) -> None:
        """Outlines the picker with why its value cannot be added; else its tooltip says what the
        field means (as the builder's row does)."""
        mark(self.picker.owner, problem)
        if problem is None:
            self.picker.owner.setToolTip(field_tip(self.picker.field))

    def _translate_picker(self) -> None:
        # The editor binds its own texts; its tooltip is the row's (a problem, or the field's meaning).
        if self.picker is not None:
            if not self.picker.owner.property("invalid"):
                self.picker.owner.setToolTip(field_tip(self.picker.field))


class SweepEditor(QWidget):
    """Edits a Sweep. `changed` carries the sweep after each edit (None while it is invalid);
    `use_builder_requested` asks the window for the builder's experiment (see set_base)."""
    changed = Signal(object)
    use_builder_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.types = field_types()
        self._base = Experiment()
        self._origin = ("default", "")   # where the base came from: default, builder, file (name), sweep
        self._builder: Experiment | None = None   # the builder's config now (None: its form is invalid)
        self._rows: list[_VaryRow] = []
        self._sweep: Sweep | None = None
        self._errors: list[tuple[QWidget | None, str]] = []
        self._marked: set[QWidget] = set()
        self._loading = False
        self._last_dir = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)   # one validation per pause in typing, not per key
        self._timer.timeout.connect(self.validate)
        self.setStyleSheet(INVALID_STYLE)
        self._made_name: tuple[str, str] | None = None   # a name aegui made: (English, as shown)
        self._said: tuple[str, dict] | None = None       # the note under the buttons: (English, values)
        self._build()
        self.set_base(Experiment(), origin="default")
        on_language(self, self._translate_made_name)
        on_language(self, self._show_base)
        on_language(self, lambda: self._show(self._sweep))
        on_language(self, lambda: self._said and self.say(self._said[0], **self._said[1]))

    # ---------------------------------------------------------------- building
    def _build(self) -> None:
        """The form (name and base, its buttons, the varied fields, the runs) in a scroll area,
        and the sweep's size, errors and messages under it."""
        content = QWidget()
        col = QVBoxLayout(content)
        col.setContentsMargins(4, 4, 4, 4)
        col.setSpacing(6)
        col.addLayout(self._build_name_and_base())
        col.addLayout(self._build_base_buttons())
        col.addWidget(self._build_vary_box())
        col.addLayout(self._build_runs())
        col.addStretch(1)
        self.form_widget = content
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        outer.addWidget(scroll, 1)
        for label in self._build_status():
            outer.addWidget(label)

    def _build_name_and_base(self) -> QFormLayout:
        """The sweep's name, and its base config with where that came from."""
        self.name_edit = QLineEdit()
        self.name_edit.textChanged.connect(self._edited)
        self.base_label = QLabel(wordWrap=True)
        self.base_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form_top = QFormLayout()
        self.form_top.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.name_title, self.base_title = QLabel(), QLabel()
        bind_text(self, self.name_title.setText, "Name")
        bind_text(self, self.base_title.setText, "Base")
        self.form_top.addRow(self.name_title, self.name_edit)
        # Which config the base is: the builder's form shows one model, the base may be another.
        self.origin_label = QLabel(wordWrap=True)
        self.origin_label.setStyleSheet("font-size: small;")
        base_box = QWidget()
        base_lay = QVBoxLayout(base_box)
        base_lay.setContentsMargins(0, 0, 0, 0)
        base_lay.setSpacing(0)
        base_lay.addWidget(self.base_label)
        base_lay.addWidget(self.origin_label)
        self.form_top.addRow(self.base_title, base_box)
        return self.form_top

    def _build_base_buttons(self) -> QHBoxLayout:
        """Use the builder's config, Open sweep…, Save sweep…"""
        self.builder_button = QPushButton()
        self.builder_button.clicked.connect(self.use_builder_requested)
        self.open_button, self.save_button = QPushButton(), QPushButton()
        self.open_button.clicked.connect(self.open_dialog)
        self.save_button.clicked.connect(self.save_dialog)
        bind_text(self, self.builder_button.setText, "Use the builder's config")
        bind_text(self, self.open_button.setText, "Open sweep…")
        bind_text(self, self.save_button.setText, "Save sweep…")
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for b in (self.builder_button, self.open_button, self.save_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        return buttons

    def _build_vary_box(self) -> QGroupBox:
        """The box the varied fields' rows go in, above its Add button."""
        self.vary_box = QGroupBox()
        bind_text(self, self.vary_box.setTitle, "Vary")
        self.rows_layout = QVBoxLayout(self.vary_box)
        self.rows_layout.setContentsMargins(4, 4, 4, 4)
        self.rows_layout.setSpacing(4)
        self.add_button = QPushButton()
        bind_text(self, self.add_button.setText, "Add a field to vary")
        self.add_button.clicked.connect(lambda: self.add_row())
        self.rows_layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        return self.vary_box

    def _build_runs(self) -> QFormLayout:
        """Seeds per config, epochs per run, and the wrong-pixel target."""
        self.seeds_spin = QSpinBox()
        self.seeds_spin.setRange(1, MAX_SEEDS)
        self.seeds_spin.valueChanged.connect(self._edited)
        bind_text(self, self.seeds_spin.setToolTip, "The training runs of every config: base seed, base seed + 1, …")
        self.epochs = make_editor(FIELDS["train.epochs"])      # the builder's epochs box
        self.epochs_spin = self.epochs.widget
        self.epochs.changed.connect(self._edited)
        self.target_check = QCheckBox()
        bind_text(self, self.target_check.setText, "Epochs to reach ≤")
        bind_text(self, self.target_check.setToolTip, "Record the first epoch at which a run's worst glyph has at "
                                                      "most this many wrong pixels (runs never stop early)")
        self.target_check.toggled.connect(self._edited)
        self.target_check.toggled.connect(lambda on: self.target_spin.setEnabled(on))
        self.target_spin = QSpinBox()
        self.target_spin.setRange(*FIELDS["train.target_max_wrong"].range)
        self.target_spin.valueChanged.connect(self._edited)
        self.target_unit = QLabel()
        bind_text(self, self.target_unit.setText, "wrong pixels")
        target_row = QHBoxLayout()
        target_row.setContentsMargins(0, 0, 0, 0)
        target_row.addWidget(self.target_spin)
        target_row.addWidget(self.target_unit)
        target_row.addStretch(1)
        for spin in (self.seeds_spin, self.epochs_spin, self.target_spin):
            spin.setFixedWidth(110)
            spin.setAlignment(Qt.AlignmentFlag.AlignRight)
            wheel_guard.guard(spin)
        self.form_runs = QFormLayout()
        self.seeds_title, self.epochs_title = QLabel(), QLabel()
        bind_text(self, self.seeds_title.setText, "Seeds per config")
        bind_text(self, self.epochs_title.setText, "Epochs per run")
        self.form_runs.addRow(self.seeds_title, self.seeds_spin)
        self.form_runs.addRow(self.epochs_title, self.epochs_spin)
        self.form_runs.addRow(self.target_check, target_row)
        return self.form_runs

    def _build_status(self) -> tuple[QLabel, QLabel, QLabel]:
        """Under the form: the sweep's size, its errors, and the last open/save/run message."""
        self.count_label = QLabel(wordWrap=True)
        self.count_label.setStyleSheet("font-weight: bold;")
        self.error_label = QLabel(wordWrap=True)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        self.info_label = QLabel(wordWrap=True)
        self.info_label.setStyleSheet("font-size: small;")
        self.info_label.hide()
        return self.count_label, self.error_label, self.info_label

    # ---------------------------------------------------------------- public API
    def rows(self) -> list[_VaryRow]:
        return list(self._rows)

    def row(self, key: str) -> _VaryRow | None:
        return next((r for r in self._rows if r.key() == key), None)

    def add_row(self, key: str | None = None, values=(), labels=None) -> _VaryRow:
        row = _VaryRow(self.types, lambda: self._base)
        used = {r.key() for r in self._rows}
        if key is None:   # the first common field not varied yet
            key = next((k for k in COMMON_FIELDS if k not in used), COMMON_FIELDS[0])
        row.set_values(key, values, labels)
        row.changed.connect(self._edited)
        row.remove_requested.connect(self.remove_row)
        self.rows_layout.insertWidget(self.rows_layout.count() - 1, row)
        row.show()   # at once, not at the next event loop turn (screenshots, size hints)
        self._rows.append(row)
        self._edited()
        return row

    def remove_row(self, row: _VaryRow) -> None:
        if row in self._rows:
            self._rows.remove(row)
            self._marked.discard(row.values_edit)
            self._marked.discard(row.labels_edit)
            take_widget(row)
            row.setParent(None)
            row.deleteLater()
            self._edited()

    def base(self) -> Experiment:
        return self._base

    def set_base(self, exp: Experiment, origin: str = "builder") -> None:
        """A new base experiment (by default the builder's, see `origin`); the varied fields stay."""
        self._base = exp
        self._origin = (origin, "")
        self._loading = True
        try:
            if not self.name_edit.text().strip() or self._sweep is None:
                self._show_name(exp.name)
            self.epochs.set_value(exp.train.epochs)
            if exp.train.target_max_wrong is not None:
                self.target_check.setChecked(True)
                self.target_spin.setValue(exp.train.target_max_wrong)
            for row in self._rows:
                row.show_base_value()
        finally:
            self._loading = False
        self._show_base()
        self.validate()

    def new_sweep(self, base: Experiment, origin: str = "builder") -> None:
        """An empty sweep over `base` (the builder's config unless `origin` says otherwise): no
        varied fields yet, 5 seeds."""
        self.set_sweep(Sweep(name=base.name, base=base, seeds=5,
                             target_max_wrong=base.train.target_max_wrong), origin=(origin, ""))

    def set_sweep(self, sweep: Sweep, origin: tuple[str, str] = ("sweep", "")) -> None:
        """Edit `sweep`; `origin` says where its base came from ("file", name) for the label."""
        self._origin = origin
        self._loading = True
        try:
            for row in list(self._rows):
                self._rows.remove(row)
                take_widget(row)
                row.setParent(None)
                row.deleteLater()
            self._marked.clear()
            self._base = sweep.base
            # Kept as loaded (no widget): how a denoising sweep measures its noisy copies.
            self._evaluate = sweep.evaluate.to_dict()
            self._show_name(sweep.name)
            for key, values in sweep.vary.items():
                self.add_row(key, values, sweep.labels.get(key))
            self.seeds_spin.setValue(sweep.seeds)
            self.epochs_spin.setValue(sweep.base.train.epochs)
            self.target_check.setChecked(sweep.target is not None)
            self.target_spin.setValue(sweep.target or 0)
        finally:
            self._loading = False
        self._show_base()
        self.validate()

    def sweep(self) -> Sweep:
        """The sweep as edited; raises the first ConfigError while something is wrong."""
        sweep, errors = self._assess()
        if sweep is None:
            raise errors[0][1]
        return sweep

    def current_sweep(self) -> Sweep | None:
        return self._sweep

    def errors(self) -> list[str]:
        return [self._error_text(e) for _, e in self._errors]

    def marked_widgets(self) -> set[QWidget]:
        return set(self._marked)

    def set_running(self, running: bool) -> None:
        self.form_widget.setEnabled(not running)

    def load(self, path) -> Sweep:
        """Opens a sweep JSON; raises ConfigError (naming the key) when it cannot."""
        try:
            sweep = load_sweep(path)
        except ConfigError as e:
            self.show_info(f"{tr('Could not open the sweep')}: {e}", error=True)
            raise
        self.set_sweep(sweep, origin=("file", Path(path).name))
        self.say("Loaded {file}.", file=Path(path).name)
        return sweep

    def save(self, path) -> None:
        from aegui.core.files.atomic import atomic_write_text
        sweep = self.sweep()
        atomic_write_text(Path(path), sweep.to_json(inline_base=True) + "\n")
        self.say("Saved {file}.", file=Path(path).name)

    def open_dialog(self) -> None:
        start = self._last_dir or str(resources_dir() / "sweeps")
        path, _ = QFileDialog.getOpenFileName(self, tr("Open sweep…"), start, tr("Sweeps (*.json);;All files (*)"))
        if not path:
            return
        self._last_dir = str(Path(path).parent)
        try:
            self.load(path)
        except ConfigError as e:
            QMessageBox.warning(self, tr("Could not open the sweep"), str(e))

    def save_dialog(self) -> None:
        try:
            sweep = self.sweep()
        except ConfigError as e:
            QMessageBox.warning(self, tr("Could not save the sweep"), self._error_text(e))
            return
        name = safe_name(sweep.name, "sweep")
        start = str(Path(self._last_dir or Path.home()) / f"{name}.json")
        path, _ = QFileDialog.getSaveFileName(self, tr("Save sweep…"), start, tr("Sweeps (*.json);;All files (*)"))
        if not path:
            return
        self._last_dir = str(Path(path).parent)
        try:
            self.save(path)
        except (ConfigError, OSError) as e:
            QMessageBox.warning(self, tr("Could not save the sweep"), str(e))

    def mark_message(self, message: str) -> None:
        """Outline the row a message from a failed run names (e.g. 'model.layers: ...')."""
        for row in self._rows:
            if row.key() and row.key() in message:
                mark(row.values_edit, message)
                self._marked.add(row.values_edit)
                break
        self.show_info(message, error=True)

    # ---------------------------------------------------------------- validation
    def _edited(self, *_):
        if not self._loading:
            self.info_label.hide()
            self._timer.start()

    def validate(self) -> Sweep | None:
        self._timer.stop()
        sweep, errors = self._assess()
        self._sweep, self._errors = sweep, errors
        self._show(sweep)
        self.changed.emit(sweep)
        return sweep

    def _show(self, sweep: Sweep | None) -> None:
        """The errors, the size of the sweep, and which varied fields apply to none of its configs
        (the same predicates the builder hides their rows by)."""
        self._show_errors()
        configs = expand(sweep) if sweep is not None else []
        for row in self._rows:
            f = FIELDS.get(row.key())
            row.set_applies(not configs or f is None or any(f.applies(c.experiment) for c in configs))
        self._show_count(sweep, configs)

    def _raw(self) -> tuple[dict, dict, list]:
        """The sweep as JSON, and (widget per varied field, parse errors)."""
        errors: list[tuple[QWidget | None, ConfigError]] = []
        vary, labels, widgets = {}, {}, {}
        for row in self._rows:
            key = row.key()
            if key in vary or key in widgets:
                errors.append((row.field_combo, ConfigError(f"vary.{key}", tr("this field is already varied above"))))
                continue
            widgets[key] = row
            values = []
            for line, text in _lines(row.values_edit):
                try:
                    values.append(parse_value(self.types[key], text, line))
                except ValueError as e:
                    errors.append((row.values_edit, ConfigError(f"vary.{key}", str(e))))
            if not _lines(row.values_edit):
                errors.append((row.values_edit, ConfigError(f"vary.{key}", tr("no values yet: type one per line"))))
            vary[key] = values
            names = [s.strip() for _, s in _lines(row.labels_edit)]
            if names:
                labels[key] = names
        base = self._base.to_dict()
        base["train"]["epochs"] = self.epochs_spin.value()
        base["train"]["target_max_wrong"] = None   # the sweep's own target below, or none
        raw = {"name": self.name_edit.text(), "base": base, "vary": vary, "seeds": self.seeds_spin.value(),
               "target_max_wrong": self.target_spin.value() if self.target_check.isChecked() else None}
        if labels:
            raw["labels"] = labels
        if getattr(self, "_evaluate", None):
            raw["evaluate"] = self._evaluate
        return raw, widgets, errors

    def _assess(self) -> tuple[Sweep | None, list[tuple[QWidget | None, ConfigError]]]:
        raw, rows, errors = self._raw()
        if errors:
            return None, errors
        try:
            return sweep_from_dict(raw), []
        except ConfigError as e:
            return None, [(self._widget_for(e.field, rows), e)]

    def _widget_for(self, field: str, rows: dict[str, _VaryRow]) -> QWidget | None:
        top = {"seeds": self.seeds_spin, "target_max_wrong": self.target_spin, "name": self.name_edit}
        if field in top:
            return top[field]
        if field.startswith("base"):
            return self.base_label
        for prefix, attr in (("vary.", "values_edit"), ("labels.", "labels_edit")):
            if field.startswith(prefix):
                key = field[len(prefix):].split("[", 1)[0]
                return getattr(rows[key], attr) if key in rows else self.vary_box
        key = field.split("[", 1)[0]
        if key in rows:
            return rows[key].values_edit
        if key == "train.epochs":
            return self.epochs_spin
        return self.base_label if "." in key else None

    def _error_text(self, e: ConfigError) -> str:
        key = e.field
        for prefix in ("vary.", "labels."):
            if key.startswith(prefix):
                key = key[len(prefix):]
        key = key.split("[", 1)[0]
        label = field_label(key) if key in self.types else {
            "seeds": tr("Seeds per config"), "name": tr("Name"), "target_max_wrong": tr("Epochs to reach ≤"),
        }.get(key, e.field)
        where = ""
        m = re.search(r"config (\d+) \((.*)\)$", e.source or "")
        if m:
            where = f" ({tr('config {index}', index=int(m.group(1)) + 1)}: {m.group(2)})"
        return f"{label}: {tr(e.problem)}{where}"

    def _show_errors(self) -> None:
        wanted: dict[QWidget, str] = {}
        for w, e in self._errors:
            if w is not None:
                text = self._error_text(e)
                wanted[w] = f"{wanted[w]}\n{text}" if w in wanted else text
        for w in self._marked | set(wanted):
            mark(w, wanted.get(w))
        self._marked = set(wanted)
        lines = [self._error_text(e) for _, e in self._errors]
        self.error_label.setText("\n".join(lines))
        self.error_label.setVisible(bool(lines))

    def _show_count(self, sweep: Sweep | None, configs) -> None:
        if sweep is None:
            self.count_label.setText("")
            return
        sessions = len(plan(sweep, configs))
        self.count_label.setText(tr(
            "{configs} × {seeds} = {runs} in {sessions}",
            configs=plural(sweep.n_configs, tr("1 config"), tr("{n} configs", n=sweep.n_configs)),
            seeds=plural(sweep.seeds, tr("1 seed"), tr("{n} seeds", n=sweep.seeds)),
            runs=plural(sweep.n_runs, tr("1 run"), tr("{n} runs", n=sweep.n_runs)),
            sessions=plural(sessions, tr("1 training session"), tr("{n} training sessions", n=sessions))))
        varied = "train.epochs" in sweep.vary
        self.epochs_spin.setEnabled(not varied)
        self.epochs_spin.setToolTip(tr("The sweep varies the epochs") if varied else "")

    def _show_base(self) -> None:
        b = self._base
        fonts = "+".join(b.data.fonts) if FIELDS["data.fonts"].applies(b) else b.data.source     # the fonts chosen name it
        # Epochs, seeds and target have their own boxes below.
        self.base_label.setText(tr("{name} — {data}, {layers}, {optimizer}, lr {lr}",
                                   name=shown_name(b.name), data=fonts, layers=value_text("model.layers", b.model.full_layers),
                                   optimizer=b.train.optimizer, lr=format_number(b.train.learning_rate)))
        self._show_origin()

    def origin(self) -> str:
        """Where the base came from: "default", "builder", "file" or "sweep"."""
        return self._origin[0]

    def set_builder_config(self, exp: Experiment | None) -> None:
        """The builder's config now (None while its form is invalid): the origin label compares."""
        self._builder = exp
        self._show_origin()

    def _show_origin(self) -> None:
        kind, name = self._origin
        if kind == "builder":
            text = (tr("The builder's config, as the builder has it now.") if self._base == self._builder else
                    tr("The builder's config as it was when you took it; the builder has changed since "
                       "(“Use the builder's config” takes it again)."))
        elif kind == "file":
            text = tr("From the sweep file {file}, not the builder's config.", file=name)
        elif kind == "sweep":
            text = tr("The sweep's own base config, not the builder's.")
        else:
            text = tr("The default config, not the builder's: “Use the builder's config” takes the builder's.")
        self.origin_label.setText(text)

    def _show_name(self, name: str) -> None:
        """A name aegui made (the default "experiment", a demo model's) in the interface language."""
        self._made_name = (name, shown_name(name))
        self.name_edit.setText(self._made_name[1])

    def say(self, text: str, **values) -> None:
        """show_info() in today's language, said again when it changes."""
        self.show_info(tr(text, **values))
        self._said = (text, values)

    def show_info(self, text: str, error: bool = False) -> None:
        self._said = None
        self.info_label.setStyleSheet(f"font-size: small; color: {ERROR_COLOR};" if error else "font-size: small;")
        self.info_label.setText(text)
        self.info_label.setVisible(bool(text))

    def _translate_made_name(self) -> None:
        """A name aegui made, not edited since, follows the language; a typed one stays."""
        made = self._made_name
        if made is not None and self.name_edit.text() == made[1]:
            loading, self._loading = self._loading, True
            self._show_name(made[0])
            self._loading = loading
