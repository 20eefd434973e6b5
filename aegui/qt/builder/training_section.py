"""The Training group of the builder: loss, optimizer and its learning-rate schedule, epochs and
batches, seeds and the wrong-pixel target, the device."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QGroupBox, QLabel

from aegui.core.config import experiment as C
from aegui.core.config.experiment import ConfigError, TrainConfig
from aegui.core.config.fields import SCIPY_BATCH_TIP, TIPS
from aegui.qt.i18n import tr
from aegui.qt.builder.layer_editor import NumberEdit


class TrainingSection:
    """Mixin of the ModelBuilder: the Training group."""

    def _build_training(self) -> QGroupBox:
        form = self._form()
        self.loss_combo = self._choice("train.loss")
        self._row(form, "train.loss", self.loss_combo)
        self.optimizer_combo = self._choice("train.optimizer")
        # Connected before _row's _on_edit, so the batch size is 0 before validation.
        self.optimizer_combo.currentIndexChanged.connect(self._optimizer_changed)
        self._row(form, "train.optimizer", self.optimizer_combo)
        self.lr_edit = NumberEdit()
        self._row(form, "train.learning_rate", self.lr_edit)
        self.momentum_edit = NumberEdit()
        self._row(form, "train.momentum", self.momentum_edit)
        self.schedule_combo = self._choice("train.schedule")
        self._row(form, "train.schedule", self.schedule_combo)
        self.decay_rate_edit = NumberEdit()
        self._row(form, "train.decay_rate", self.decay_rate_edit)
        self.step_size_spin = self._field_spin("train.step_size")
        self._text(self.step_size_spin.setSuffix, " epochs")
        self._row(form, "train.step_size", self.step_size_spin)
        self.step_gamma_edit = NumberEdit()
        self._row(form, "train.step_gamma", self.step_gamma_edit)
        self.epochs_spin = self._field_spin("train.epochs")
        self._row(form, "train.epochs", self.epochs_spin)
        self.batch_spin = self._field_spin("train.batch_size")
        self._text(self.batch_spin.setSpecialValueText, "full batch")
        self._row(form, "train.batch_size", self.batch_spin)
        self.weight_decay_edit = NumberEdit()
        self._row(form, "train.weight_decay", self.weight_decay_edit)
        self.seed_spin = self._field_spin("train.seed")
        self._row(form, "train.seed", self.seed_spin)
        self.seeds_spin = self._field_spin("train.seeds")
        self.seeds_spin.setMinimumWidth(60)
        self.seeds_label = QLabel()
        self._text(self.seeds_label.setText, "seeds")
        self._row(form, "train.seeds", self._hbox(self.seeds_spin, self.seeds_label), owner=self.seeds_spin)
        self.target_check = QCheckBox()
        self._text(self.target_check.setText, "Stop at ≤")
        self.target_spin = self._field_spin("train.target_max_wrong")
        self.target_spin.setMinimumWidth(60)
        self.target_label = QLabel()
        self._text(self.target_label.setText, "wrong pixels")
        self.target_check.toggled.connect(self._on_edit)
        # The check box is the row's label: a separate "Target" label would not fit the dock.
        self._row(form, "train.target_max_wrong", self._hbox(self.target_spin, self.target_label),
                  owner=self.target_spin, label=self.target_check)
        self._tips[self.target_check] = TIPS["train.target_max_wrong"]
        self.check_every_spin = self._field_spin("train.check_every")
        self._text(self.check_every_spin.setSuffix, " epochs")
        self._row(form, "train.check_every", self.check_every_spin)
        self.eval_samples_spin = self._field_spin("train.eval_samples")   # bounded checks (MNIST scale)
        self._text(self.eval_samples_spin.setSuffix, " samples")
        self._text(self.eval_samples_spin.setSpecialValueText, "all")
        self._row(form, "train.eval_samples", self.eval_samples_spin)
        self.device_combo = self._choice("train.device")
        self._row(form, "train.device", self.device_combo)
        self.precision_combo = self._choice("train.precision")
        self._row(form, "train.precision", self.precision_combo)
        return self._group("Training", form)

    def set_devices(self, devices) -> None:
        """[(key, label), ...] once torch knows what is there; keeps the current choice."""
        current = self.device_combo.currentData()
        self._device_labels_given = True
        self.device_combo.blockSignals(True)
        self.device_combo.clear()
        for key, label in devices:
            self.device_combo.addItem(label, key)
        self.device_combo.blockSignals(False)
        self._select(self.device_combo, current)
        self._on_edit()

    def _scipy(self) -> bool:
        return self.optimizer_combo.currentData() in C.SCIPY_OPTIMIZERS

    def _optimizer_changed(self, *_):
        """scipy needs the full batch: switching to it sets 0, switching back restores the size."""
        scipy = self._scipy()
        was, self._scipy_was = self._scipy_was, scipy
        if self._loading or scipy == was:
            return
        if scipy:
            self._batch_before_scipy = self.batch_spin.value()
            self.batch_spin.setValue(0)
        else:
            before, self._batch_before_scipy = self._batch_before_scipy, 0
            if before and self.batch_spin.value() == 0:
                self.batch_spin.setValue(before)

    def _fill_training(self, t: TrainConfig) -> None:
        self._select(self.loss_combo, t.loss)
        self._select(self.optimizer_combo, t.optimizer)
        self.lr_edit.set_value(t.learning_rate)
        self.momentum_edit.set_value(t.momentum)
        self._select(self.schedule_combo, t.schedule)
        self.decay_rate_edit.set_value(t.decay_rate)
        self.step_size_spin.setValue(t.step_size)
        self.step_gamma_edit.set_value(t.step_gamma)
        self.epochs_spin.setValue(t.epochs)
        self.batch_spin.setValue(t.batch_size)
        self.weight_decay_edit.set_value(t.weight_decay)
        self.seed_spin.setValue(t.seed)
        self.seeds_spin.setValue(t.seeds)
        self.target_check.setChecked(t.target_max_wrong is not None)
        self.target_spin.setValue(t.target_max_wrong or 0)
        self.check_every_spin.setValue(t.check_every)
        self.eval_samples_spin.setValue(t.eval_samples)
        self._select(self.device_combo, t.device)
        self._select(self.precision_combo, t.precision)

    def _train_config(self, errors: list[ConfigError]) -> TrainConfig:
        """The Training group's TrainConfig; unreadable numbers are appended to `errors`."""
        bt = self._baseline.train
        return TrainConfig(
            loss=self.loss_combo.currentData(), optimizer=self.optimizer_combo.currentData(),
            learning_rate=self._number(errors, "train.learning_rate", self.lr_edit, bt.learning_rate),
            momentum=self._number(errors, "train.momentum", self.momentum_edit, bt.momentum),
            schedule=self.schedule_combo.currentData(),
            decay_rate=self._number(errors, "train.decay_rate", self.decay_rate_edit, bt.decay_rate),
            step_size=self.step_size_spin.value(),
            step_gamma=self._number(errors, "train.step_gamma", self.step_gamma_edit, bt.step_gamma),
            epochs=self.epochs_spin.value(), batch_size=self.batch_spin.value(),
            weight_decay=self._number(errors, "train.weight_decay", self.weight_decay_edit, bt.weight_decay),
            seed=self.seed_spin.value(), seeds=self.seeds_spin.value(), device=self.device_combo.currentData(),
            precision=self.precision_combo.currentData(),
            target_max_wrong=self.target_spin.value() if self.target_check.isChecked() else None,
            check_every=self.check_every_spin.value(), eval_samples=self.eval_samples_spin.value())

    def _update_training_visibility(self) -> None:
        # scipy's line searches choose the steps: no learning rate, schedule or momentum applies.
        scipy = self._scipy()
        self._show_row(self.lr_edit, not scipy)
        self._show_row(self.momentum_edit, self.optimizer_combo.currentData() == "momentum")
        self._show_row(self.schedule_combo, not scipy)
        schedule = self.schedule_combo.currentData()
        self._show_row(self.decay_rate_edit, schedule == "exponential" and not scipy)
        self._show_row(self.step_size_spin, schedule == "step" and not scipy)
        self._show_row(self.step_gamma_edit, schedule == "step" and not scipy)
        # A batch size other than 0 stays editable, so a loaded one the validation refuses can be fixed.
        self.batch_spin.setEnabled(not scipy or self.batch_spin.value() != 0)
        tip = SCIPY_BATCH_TIP if scipy else TIPS["train.batch_size"]
        if self._tips.get(self.batch_spin) != tip:
            self._tips[self.batch_spin] = tip
            if self.batch_spin not in self._marked:
                self.batch_spin.setToolTip(tr(tip))
        self.target_spin.setEnabled(self.target_check.isChecked())
