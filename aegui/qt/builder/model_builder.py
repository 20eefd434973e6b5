"""The model builder: every field of an Experiment in one compact form, validated as you type.

The form is put together here from its sections (data_section, model_section, training_section),
the row pieces they share (form), the per-kind settings (families) and config files (config_files).
No torch here: the main window shows this form before torch is imported, and hands over the
real device list later through `set_devices`.
"""
from __future__ import annotations

import math
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QFrame, QGridLayout, QLabel, QLineEdit, QPushButton, QScrollArea, QVBoxLayout,
    QWidget,
)

from aegui.core.config import experiment as C
from aegui.core.config.experiment import ConfigError, Experiment
from aegui.core.config.fields import FIELD_LABELS
from aegui.core.config.validation import validate
from aegui.core.data.data_shape import sample_shape
from aegui.qt import i18n
from aegui.qt.builder.memory_label import MemoryLabel
from aegui.qt.i18n import tr
from aegui.qt.builder.config_files import ConfigFiles
from aegui.qt.builder.data_section import DataSection, course_font_names, data_family
from aegui.qt.builder.families import FamilySwitch
from aegui.qt.builder.form import ERROR_COLOR as _ERROR_COLOR, FormParts
from aegui.qt.builder.layer_editor import wheel_guard
from aegui.qt.builder.model_section import ModelSection
from aegui.qt.builder.training_section import TrainingSection


KIND_WORDS = {"ae": "autoencoder", "dae": "denoising autoencoder", "vae": "VAE"}


def describe_experiment(exp: Experiment, data: str) -> str:
    """'Font3 3-D autoencoder': what a model is, for a name nobody typed."""
    kind = tr(KIND_WORDS.get(exp.model.kind, exp.model.kind))
    return tr("{data} {latent}-D {kind}", data=data, latent=exp.model.latent_dim, kind=kind)


class ModelBuilder(DataSection, ModelSection, TrainingSection, FamilySwitch, ConfigFiles, FormParts, QWidget):
    """Form for an Experiment with Train / Pause / Stop controls.

    `experiment_changed` carries each new valid Experiment; while a field is invalid the widget
    that owns it is outlined in red, the reason is its tooltip and Train is disabled.
    """

    train_requested = Signal(object)
    pause_requested = Signal()
    resume_requested = Signal()
    stop_requested = Signal()
    experiment_changed = Signal(object)
    # After every edit: (the experiment, None) when the form is valid, (None, first ConfigError) when not.
    checked = Signal(object, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._loading = True      # until the first set_experiment: no validation of half-built forms
        self._running = False
        self._paused = False
        self._input_dim = 35
        self._baseline = Experiment()
        self._font_path = ""
        self._font_names = course_font_names()
        self._path_error: str | None = None
        self._level_exact: tuple[float, float] | None = None
        self._last_emitted: Experiment | None = None
        self._errors: list[ConfigError] = []
        self._marked: dict[QWidget, str] = {}
        self._scipy_was = False          # the optimizer was a scipy one (see _optimizer_changed)
        self._batch_before_scipy = 0
        self._texts: list[tuple[object, str]] = []        # (setter, English text)
        self._tips: dict[QWidget, str] = {}               # widget -> English tooltip
        self._combos: list[tuple[QComboBox, dict]] = []   # combo -> {key: English label}
        self._fields: dict[str, QWidget] = {}             # config field -> widget to mark
        self._row_form: dict[QWidget, QFormLayout] = {}
        self._device_labels_given = False
        self._last_dir = ""
        self._val_exact: tuple[float, float] | None = None
        self._family_now = "glyph"
        self._family_saved: dict[str, dict] = {}   # the other kind of data's model settings
        self._auto_name: str | None = None          # the name, while it is one made up from the data
        self._derived_name: str | None = None       # the name, while it is made up from edited settings

        self.setStyleSheet(
            f'*[invalid="true"] {{ border: 1px solid {_ERROR_COLOR}; border-radius: 3px; }}')
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(4, 4, 4, 4)
        column.setSpacing(6)
        column.addLayout(self._build_name())
        column.addWidget(self._build_dataset())
        column.addWidget(self._build_model())
        column.addWidget(self._build_training())
        column.addStretch(1)
        self.form_widget = content

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        self.scroll_area = scroll

        self.error_label = QLabel(wordWrap=True)
        self.error_label.setStyleSheet(f"color: {_ERROR_COLOR}; font-size: small;")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        self.info_label = QLabel(wordWrap=True)
        self.info_label.setStyleSheet("font-size: small;")
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info_label.hide()
        self.memory_label = MemoryLabel()

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.error_label)
        outer.addLayout(self._build_buttons())
        outer.addWidget(self.info_label)
        outer.addWidget(self.memory_label)

        for w in content.findChildren(QWidget):
            wheel_guard.guard(w)
        self.retranslate()
        i18n.notifier.changed.connect(self.retranslate)
        self._loading = False
        self.set_experiment(Experiment())

    # ------------------------------------------------------------------ construction

    def _build_name(self) -> QFormLayout:
        form = self._form()
        form.setContentsMargins(6, 0, 6, 0)
        self.name_edit = QLineEdit()
        self._row(form, "name", self.name_edit)
        return form

    def _build_buttons(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setContentsMargins(4, 0, 4, 4)
        grid.setSpacing(4)
        self.train_button = QPushButton()
        self.pause_button = QPushButton()
        self.stop_button = QPushButton()
        self.reset_button = QPushButton()
        self.load_button = QPushButton()
        self.save_button = QPushButton()
        for button, text in ((self.train_button, "Train"), (self.stop_button, "Stop"),
                             (self.reset_button, "Reset"), (self.load_button, "Load config…"),
                             (self.save_button, "Save config…")):
            self._text(button.setText, text)
        self._tips[self.reset_button] = "Back to the loaded configuration (or the defaults)"
        self.train_button.clicked.connect(self._train_clicked)
        self.pause_button.clicked.connect(self._pause_clicked)
        self.stop_button.clicked.connect(self.stop_requested)
        self.reset_button.clicked.connect(self.reset)
        self.load_button.clicked.connect(self._load_dialog)
        self.save_button.clicked.connect(self._save_dialog)
        for col, b in enumerate((self.train_button, self.pause_button, self.stop_button, self.reset_button)):
            b.setMinimumWidth(0)
            grid.addWidget(b, 0, col)
        grid.addWidget(self.load_button, 1, 0, 1, 2)
        grid.addWidget(self.save_button, 1, 2, 1, 2)
        from aegui.qt.builder.step_controls import StepControls
        self.step_controls = StepControls()      # step mode and the speed cap (the window wires it)
        grid.addWidget(self.step_controls, 2, 0, 1, 4)
        self.pause_button.setEnabled(False)
        self.stop_button.setEnabled(False)
        return grid

    # ------------------------------------------------------------------ public API

    def field_widget(self, field: str) -> QWidget | None:
        """The widget that shows `field` (a ConfigError field such as 'model.layers[2]') for
        the current source: data.path is the font file, the image folder or the IDX file."""
        base = field.split("[", 1)[0]
        source = self.source_combo.currentData()
        if base in ("data.path", "data.catalogue"):    # a catalogue dataset stands in for the IDX file
            return {"folder": self.folder_edit.line, "idx": self.idx_edit.line}.get(source, self.path_edit)
        if base == "data.size" and source == "emoji":
            return self.emoji_size_combo
        if field in self._fields:
            return self._fields[field]
        return self._fields.get(base)

    def fields(self) -> dict[str, QWidget]:
        return dict(self._fields)

    def field_label(self, field: str) -> str:
        """The (translated) row label of a config field, as error messages name it."""
        base = field.split("[", 1)[0]
        if base == "data.path":
            field = base = {"folder": "data.folder", "idx": "data.images"}.get(self.source_combo.currentData(), base)
        label = FIELD_LABELS.get(field) or FIELD_LABELS.get(base)
        return tr(label) if label else field

    def sample_shape(self) -> tuple[int, ...] | None:
        """Shape of one sample of the chosen data (None while it cannot be known, e.g. an IDX
        file that is not there); read from the config, never by loading the data."""
        try:
            return sample_shape(self._data_config([]))
        except ConfigError:
            return None

    def experiment(self) -> Experiment:
        exp, errors = self._assess()
        if errors:
            raise errors[0]
        return exp

    def validate_fields(self) -> list[ConfigError]:
        return self._assess()[1]

    def set_experiment(self, exp: Experiment) -> None:
        """Shows `exp` in every field; Reset comes back to it."""
        self._baseline = exp
        self._loading = True
        try:
            self._fill(exp)
        finally:
            self._loading = False
        self._on_edit()

    def reset(self) -> None:
        self.set_experiment(self._baseline)

    def set_running(self, running: bool, paused: bool = False, loading: bool = False) -> None:
        """`loading`: the dataset is being read before training starts (Stop cancels it;
        there is nothing to pause yet)."""
        self._running, self._paused = bool(running), bool(running and paused)
        if running:
            if getattr(self, "_info_error", False):
                self._info("")
            self.clear_stale_font_error()
        self.form_widget.setEnabled(not running)
        self.pause_button.setEnabled(running and not loading)
        self.stop_button.setEnabled(running)
        self.reset_button.setEnabled(not running)
        self.load_button.setEnabled(not running)
        self._update_buttons()

    # ------------------------------------------------------------------ filling and reading

    def _fill(self, exp: Experiment) -> None:
        self.name_edit.setText(exp.name)
        self._fill_data(exp.data)
        self._family_now, self._family_saved = data_family(exp.data.source), {}
        self._auto_name = self._derived_name = None
        self._fill_model(exp.model, exp.noise)
        self._fill_training(exp.train)

    def _assess(self) -> tuple[Experiment, list[ConfigError]]:
        errors: list[ConfigError] = []
        data = self._data_config(errors)
        try:
            shape = sample_shape(data)
        except ConfigError as e:
            errors.append(e)
            shape = None
        else:
            self._input_dim = math.prod(shape)
        layers, latent_at = self._layer_sizes()
        # No fields of its own: a loaded config's augmentation is kept while the data are glyphs.
        augment = self._baseline.augment if data.source == "font" else C.AugmentConfig()
        exp = Experiment(name=self.name_edit.text(), data=data, model=self._model_spec(errors, shape, layers),
                         train=self._train_config(errors), noise=self._noise_config(), augment=augment)
        errors += [e for e in self._builder_checks(exp, latent_at) if e.field not in {x.field for x in errors}]
        try:
            validate(exp)
        except ConfigError as e:
            fields = {x.field for x in errors}
            # One cause, one mark: conv on 5x7 glyphs is reported at the architecture only.
            conv_fields = ("model.channels", "model.input_shape", "model.layers")
            if e.field not in fields and not ("model.arch" in fields and e.field in conv_fields):
                errors.append(e)
        return exp, errors

    def _builder_checks(self, exp: Experiment, latent_at: int) -> list[ConfigError]:
        """Rules the form adds to config.validate: ones that only a file or the layout can break."""
        return self._data_checks(exp) + self._model_checks(exp, latent_at)

    # ------------------------------------------------------------------ reacting to edits

    def _on_edit(self, *_):
        if self._loading:
            return
        if getattr(self, "_info_error", False):
            self._info("")
        self.clear_stale_font_error()
        if self._auto_name is not None and self.name_edit.text() == self._auto_name:
            # A name the builder made up follows the data until the user types one.
            name = self._data_name()
            if name != self._auto_name:
                self._auto_name = name
                self.name_edit.blockSignals(True)
                self.name_edit.setText(name)
                self.name_edit.blockSignals(False)
        self._update_visibility()
        exp, errors = self._assess()
        exp = self._follow_name(exp)
        self._errors = errors
        self._show_errors()
        self._update_summary(exp)
        self._update_buttons()
        if not errors and exp != self._last_emitted:
            self._last_emitted = exp
            self.experiment_changed.emit(exp)
        self.checked.emit(None if errors else exp, errors[0] if errors else None)

    def _follow_name(self, exp: Experiment) -> Experiment:
        """A loaded experiment's name describes its settings ("Font3 2-D autoencoder"). Once
        those change (latent size 2 -> 3), a name made from the settings replaces it, so the
        trained model is not listed under a name that says otherwise; back to the loaded
        settings, back to its name. A name the user typed is left alone."""
        base, text = self._baseline, self.name_edit.text()
        if not base.name or text not in (base.name, self._derived_name):
            return exp
        same = (exp.model, exp.data, exp.noise) == (base.model, base.data, base.noise)
        name = base.name if same else describe_experiment(exp, self._data_title(exp))
        self._derived_name = None if same else name
        if name != text:
            self.name_edit.blockSignals(True)
            self.name_edit.setText(name)
            self.name_edit.blockSignals(False)
        return replace(exp, name=name)

    def _data_title(self, exp: Experiment) -> str:
        d = exp.data
        if d.source == "font":
            return "+".join(d.fonts) if d.fonts != ("all",) else tr("All fonts")
        return self._data_name()

    def _update_visibility(self) -> None:
        self._update_data_visibility()
        self._update_model_visibility()
        self._update_training_visibility()

    def _update_buttons(self) -> None:
        self.train_button.setEnabled(not self._running and not self._errors)
        self.train_button.setToolTip("" if not self._errors else tr("Fix the marked fields to train"))
        self.pause_button.setText(tr("Resume") if self._paused else tr("Pause"))

    def _show_errors(self) -> None:
        wanted: dict[QWidget, str] = {}
        lines = []
        for e in self._errors:
            problem = tr(e.problem)
            w = self.field_widget(e.field)
            if w is not None:
                wanted[w] = f"{wanted[w]}\n{problem}" if w in wanted else problem
            lines.append(f"{self.field_label(e.field)}: {problem}")
        for w in set(self._marked) | set(wanted):
            if self._marked.get(w) != wanted.get(w):
                self._mark(w, wanted.get(w))
        self._marked = wanted
        self.error_label.setText("\n".join(lines))
        self.error_label.setVisible(bool(lines))

    def mark_field(self, field: str, problem: str) -> None:
        """Point at a field from outside, e.g. the learning rate after training diverged.
        The mark stays until the user edits the form."""
        w = self.field_widget(field)
        if w is not None:
            self._mark(w, problem)
        self._info(problem, error=True)

    def retranslate(self, *_):
        for setter, english in self._texts:
            setter(tr(english))
        for combo, labels in self._combos:
            if combo is self.device_combo and self._device_labels_given:
                continue
            for i in range(combo.count()):
                key = combo.itemData(i)
                if key in labels:
                    combo.setItemText(i, tr(labels[key]))
        i = self._font_index(("all",))
        if i >= 0:
            self.font_combo.setItemText(i, tr("All fonts"))
        for w, english in self._tips.items():
            if w not in self._marked:
                w.setToolTip(tr(english))
        if not self._loading and hasattr(self, "train_button"):
            self._on_edit()

    # ------------------------------------------------------------------ buttons

    def _train_clicked(self) -> None:
        # Files may have changed since the last edit: check again, and mark what broke.
        self._on_edit()
        try:
            exp = self.experiment()
        except ConfigError:
            return
        self.train_requested.emit(exp)

    def _pause_clicked(self) -> None:
        if self._paused:
            self._paused = False
            self.resume_requested.emit()
        else:
            self._paused = True
            self.pause_requested.emit()
        self._update_buttons()
