"""The model builder: every field of an Experiment in one compact form, validated as you type.

The rows are laid out from the field descriptions (aegui/core/config/fields.py) by the builder's
FieldForm; the builder composes the Dataset, Model and Training sections (the rows a description
cannot say, and the checks only files or layouts can fail), the settings kept per kind of data
(families) and the config files. No torch here: the main window shows this form before torch is
imported, and hands over the real device list later through `set_devices`.
"""
from __future__ import annotations

import math
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout, QFrame, QGridLayout, QLabel, QLineEdit, QPushButton, QScrollArea, QVBoxLayout, QWidget,
)

from aegui.core.schema import experiment as C
from aegui.core.schema.experiment import ConfigError, Experiment
from aegui.core.config.fields import keep_used, label as field_label
from aegui.core.schema.kinds import kind_of
from aegui.core.config.validation import validate
from aegui.core.data.sources import sample_shape
from aegui.qt.builder.config_files import ConfigFiles
from aegui.qt.builder.data_section import DataSection, entry
from aegui.qt.builder.families import FamilySwitch
from aegui.qt.builder.form import FieldForm
from aegui.qt.builder.memory_label import MemoryLabel
from aegui.qt.builder.model_section import ModelSection
from aegui.qt.builder.training_section import TrainingSection
from aegui.qt.i18n import bind_text, on_language, tr
from aegui.qt.models.names import shown_name
from aegui.qt.widgets.inputs.field_editors import ERROR_COLOR, INVALID_STYLE
from aegui.qt.widgets.inputs.layer_editor import wheel_guard


def describe_experiment(exp: Experiment, data: str) -> str:
    """'Font3 3-D autoencoder': what a model is, for a name nobody typed."""
    kind = tr(kind_of(exp).noun or exp.model.kind)

    return tr("{data} {latent}-D {kind}", data=data, latent=exp.model.latent_dim, kind=kind)


class ModelBuilder(QWidget):
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
        self.loading = True       # until the first set_experiment: no validation of half-built forms
        self._running = False
        self._paused = False
        self.baseline = Experiment()             # as shown: a name aegui made, in the interface language
        self.loaded_experiment = Experiment()    # as given to set_experiment (Reset goes back to it)
        self._last_emitted: Experiment | None = None
        self._errors: list[ConfigError] = []
        self._info_error = False
        self._said: tuple | None = None      # (English text, data texts after it, its values, error) shown
        self.auto_name: str | None = None           # the name, while it is one made up from the data
        self._derived_name: str | None = None       # the name, while it is made up from edited settings

        self.files = ConfigFiles(self)
        self.form = FieldForm(self, self.files.start_dir)
        self.data = DataSection(self)
        self.model = ModelSection(self)
        self.training = TrainingSection(self)
        self.families = FamilySwitch(self)

        self.setStyleSheet(INVALID_STYLE)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(4, 4, 4, 4)
        column.setSpacing(6)
        column.addLayout(self._build_name())
        column.addWidget(self.data.build())
        column.addWidget(self.model.build())
        column.addWidget(self.training.build())
        column.addStretch(1)
        self.form_widget = content

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        self.scroll_area = scroll

        self.error_label = QLabel(wordWrap=True)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOR}; font-size: small;")
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
        # The model settings follow a switch between glyphs and images before the form validates.
        self.form.editor("data.source").changed.connect(self.families.source_changed)
        self.form.watch(self.on_edit)
        on_language(self, self._show_texts_made_from_state)
        on_language(self, self._say_again)
        self.loading = False
        self.set_experiment(Experiment())

    # ------------------------------------------------------------------ construction

    def _build_name(self) -> QFormLayout:
        layout = self.form.layout()
        layout.setContentsMargins(6, 0, 6, 0)
        self.name_edit = QLineEdit()
        self.form.add_row(layout, "name", self.name_edit, changed=self.name_edit.textChanged)
        return layout

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
        bind_text(self, self.train_button.setText, "Train")
        bind_text(self, self.stop_button.setText, "Stop")
        bind_text(self, self.reset_button.setText, "Reset")
        bind_text(self, self.load_button.setText, "Load config…")
        bind_text(self, self.save_button.setText, "Save config…")
        self.form.tip(self.reset_button, "Back to the loaded configuration (or the defaults)")
        self.train_button.clicked.connect(self._train_clicked)
        self.pause_button.clicked.connect(self._pause_clicked)
        self.stop_button.clicked.connect(self.stop_requested)
        self.reset_button.clicked.connect(self.reset)
        self.load_button.clicked.connect(self.files.load_dialog)
        self.save_button.clicked.connect(self.files.save_dialog)
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
        w = self.data.field_widget(base)
        if w is not None:
            return w
        owners = self.form.owners
        return owners[field] if field in owners else owners.get(base)

    def fields(self) -> dict[str, QWidget]:
        return dict(self.form.owners)

    def field_label(self, field: str) -> str:
        """The (translated) row label of a config field, as error messages name it."""
        base = field.split("[", 1)[0]
        if base == "data.path":
            field = entry(self.data.source()).path_field or base     # the row that shows it for the source
        label = field_label(field)
        return tr(label) if label != field else field

    def sample_shape(self) -> tuple[int, ...] | None:
        """Shape of one sample of the chosen data (None while it cannot be known, e.g. an IDX
        file that is not there); read from the config, never by loading the data."""
        try:
            return sample_shape(self.data.config([]))
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
        """Shows `exp` in every field; Reset comes back to it. A name aegui made (a demo model's,
        the default "experiment") shows in the interface language."""
        self.loaded_experiment = exp
        self.baseline = replace(exp, name=shown_name(exp.name))
        exp = self.baseline
        self.loading = True
        try:
            self._fill(exp)
        finally:
            self.loading = False
        self.on_edit()

    def reset(self) -> None:
        self.set_experiment(self.loaded_experiment)

    def rename_loaded(self, name: str) -> None:
        """The model whose experiment the form shows was renamed: the new name replaces the old one,
        unless the user typed another."""
        self.loaded_experiment = replace(self.loaded_experiment, name=name)
        self._show_loaded_name()

    def _show_loaded_name(self) -> None:
        shown = shown_name(self.loaded_experiment.name)
        if shown == self.baseline.name:
            return
        untouched = self.name_edit.text() == self.baseline.name
        self.baseline = replace(self.baseline, name=shown)
        if untouched:
            self.name_edit.blockSignals(True)
            self._set_name(shown)
            self.name_edit.blockSignals(False)
        if not self.loading:
            self.on_edit()

    def load_config(self, path) -> list[str]:
        return self.files.load(path)

    def save_config(self, path) -> None:
        self.files.save(path)

    def set_source(self, source: str, path=None) -> None:
        self.data.set_source(source, path)

    def set_font_path(self, path, keep_on_error: bool = False) -> bool:
        return self.data.set_font_path(path, keep_on_error)

    @property
    def last_font_error(self) -> str | None:
        return self.data.last_font_error

    def set_devices(self, devices) -> None:
        self.training.set_devices(devices)

    def set_running(self, running: bool, paused: bool = False, loading: bool = False) -> None:
        """`loading`: the dataset is being read before training starts (Stop cancels it;
        there is nothing to pause yet)."""
        self._running, self._paused = bool(running), bool(running and paused)
        if running:
            if self._info_error:
                self.info("")
            self.data.clear_stale_font_error()
        self.form_widget.setEnabled(not running)
        self.pause_button.setEnabled(running and not loading)
        self.stop_button.setEnabled(running)
        self.reset_button.setEnabled(not running)
        self.load_button.setEnabled(not running)
        self._update_buttons()

    def mark_field(self, field: str, problem: str) -> None:
        """Point at a field from outside, e.g. the learning rate after training diverged.
        The mark stays until the user edits the form."""
        w = self.field_widget(field)
        if w is not None:
            self.form.mark(w, problem)
        self.info(problem, error=True)

    def say(self, text: str, *data: str, error: bool = False, **values) -> None:
        """info() of tr(text, **values) and then `data` (a file's notes, an error's sentence),
        said again in the new language when it changes ("Loaded font3-ae2d.json." stayed English
        in the Spanish window)."""
        self.info(" ".join([tr(text, **values), *data]), error)
        self._said = (text, data, values, error)

    def _say_again(self) -> None:
        if self._said is not None:
            text, data, values, error = self._said
            self.say(text, *data, error=error, **values)

    def info(self, text: str, error: bool = False) -> None:
        """A note under the buttons. An error note lasts until the next edit, load or run: it
        is about what the user just tried, not about the form as it is now."""
        self._said = None
        self._info_error = bool(text) and error
        self.info_label.setStyleSheet(f"font-size: small; color: {ERROR_COLOR};" if error else "font-size: small;")
        self.info_label.setText(text)
        self.info_label.setVisible(bool(text))

    # ------------------------------------------------------------------ filling and reading
    def _set_name(self, name: str) -> None:
        """The name with its start in view: setText leaves the cursor at the end, and a long name
        (a demo model's) showed only its last words."""
        self.name_edit.setText(name)
        self.name_edit.setCursorPosition(0)

    def _fill(self, exp: Experiment) -> None:
        self._set_name(exp.name)
        self.form.fill(exp)
        self.data.fill(exp.data)
        self.families.reset(exp.data.source)
        self.auto_name = self._derived_name = None
        self.model.fill(exp.model)

    def _assess(self) -> tuple[Experiment, list[ConfigError]]:
        errors: list[ConfigError] = []
        data = self.data.config(errors)
        try:
            shape = sample_shape(data)
        except ConfigError as e:
            errors.append(e)
            shape = None
        else:
            self.model.input_dim = math.prod(shape)
        layers, latent_at = self.model.layer_sizes()
        base = self.baseline
        # No fields of its own: a loaded config's augmentation is kept while the data are glyphs.
        augment = base.augment if entry(data.source).glyphs else C.AugmentConfig()
        exp = Experiment(name=self.name_edit.text(), data=data, model=self.model.spec(errors, shape, layers),
                         train=self.form.config(base.train, "train", errors),
                         noise=self.form.config(base.noise, "noise", errors), augment=augment)
        exp = keep_used(exp)
        seen = {x.field for x in errors}
        errors += [e for e in self.data.checks(exp) + self.model.checks(exp, latent_at) if e.field not in seen]
        try:
            validate(exp)
        except ConfigError as e:
            fields = {x.field for x in errors}
            # One cause, one mark: conv on 5x7 glyphs is reported at the architecture only.
            conv_fields = ("model.channels", "model.input_shape", "model.layers")
            if e.field not in fields and not ("model.arch" in fields and e.field in conv_fields):
                errors.append(e)
        return exp, errors

    # ------------------------------------------------------------------ reacting to edits

    def on_edit(self, *_):
        if self.loading:
            return
        if self._info_error:
            self.info("")
        self.data.clear_stale_font_error()
        if self.auto_name is not None and self.name_edit.text() == self.auto_name:
            # A name the builder made up follows the data until the user types one.
            name = self.data.name()
            if name != self.auto_name:
                self.auto_name = name
                self.name_edit.blockSignals(True)
                self._set_name(name)
                self.name_edit.blockSignals(False)
        exp, errors = self._assess()
        self.form.update(exp)
        self.data.update(exp)
        self.model.update(exp)
        self.training.update(exp)
        exp = self._follow_name(exp)
        self._errors = errors
        self._show_errors()
        self.model.summary(exp)
        self.form.relayout()
        self.memory_label.show_estimate(exp)
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
        base, text = self.baseline, self.name_edit.text()
        if not base.name or text not in (base.name, self._derived_name):
            return exp
        same = (exp.model, exp.data, exp.noise) == (base.model, base.data, base.noise)
        name = base.name if same else describe_experiment(exp, self._data_title(exp))
        self._derived_name = None if same else name
        if name != text:
            self.name_edit.blockSignals(True)
            self._set_name(name)
            self.name_edit.blockSignals(False)
        return replace(exp, name=name)

    def _data_title(self, exp: Experiment) -> str:
        d = exp.data
        if "data.fonts" in entry(d.source).fields:     # named after the fonts chosen
            return "+".join(d.fonts) if d.fonts != ("all",) else tr("All fonts")
        return self.data.name()

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
        marked = self.form.marked
        for w in set(marked) | set(wanted):
            if marked.get(w) != wanted.get(w):
                self.form.mark(w, wanted.get(w))
        self.form.marked = wanted
        self.error_label.setText("\n".join(lines))
        self.error_label.setVisible(bool(lines))

    def _show_texts_made_from_state(self) -> None:
        """The name aegui made, the errors, the summaries and the estimate, in the new language."""
        if not self.loading:
            self._show_loaded_name()
            self.on_edit()

    # ------------------------------------------------------------------ buttons

    def _train_clicked(self) -> None:
        # Files may have changed since the last edit: check again, and mark what broke.
        self.on_edit()
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
