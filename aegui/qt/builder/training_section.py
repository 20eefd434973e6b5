"""The Training group of the builder: loss, optimizer and its learning-rate schedule, epochs and
batches, seeds and the wrong-pixel target, the device. Every row comes from the field
descriptions; what is here is the behaviour of two of them: scipy's optimizers take the whole
batch, and the devices are the ones torch finds."""
from __future__ import annotations

from PySide6.QtWidgets import QGroupBox

from aegui.core.schema import experiment as C
from aegui.core.schema.experiment import Experiment
from aegui.core.config.fields import FIELDS, SCIPY_BATCH_TIP
from aegui.qt.i18n import bind_text


class TrainingSection:
    """The Training group of `builder` (a ModelBuilder: its form and loading flag)."""

    def __init__(self, builder):
        self.builder = builder
        self.form = builder.form
        self._scipy_was = False          # the optimizer was a scipy one (see _optimizer_changed)
        self._batch_before_scipy = 0

    def build(self) -> QGroupBox:
        form = self.form
        layout = form.layout()
        form.lay_out("train", layout, {})
        self.batch_spin = form.widget("train.batch_size")
        # Before the form's own reaction, so the batch size is 0 before validation.
        form.editor("train.optimizer").changed.connect(self._optimizer_changed)
        box = form.group(layout)
        bind_text(self.builder, box.setTitle, "Training")
        return box

    def set_devices(self, devices) -> None:
        """[(key, label), ...] once torch knows what is there; keeps the current choice."""
        self.form.editor("train.device").set_choices(devices)
        self.builder.on_edit()

    def _scipy(self) -> bool:
        return self.form.editor("train.optimizer").value() in C.SCIPY_OPTIMIZERS

    def _optimizer_changed(self) -> None:
        """scipy needs the full batch: switching to it sets 0, switching back restores the size."""
        scipy = self._scipy()
        was, self._scipy_was = self._scipy_was, scipy
        if self.builder.loading or scipy == was:
            return
        if scipy:
            self._batch_before_scipy = self.batch_spin.value()
            self.batch_spin.setValue(0)
        else:
            before, self._batch_before_scipy = self._batch_before_scipy, 0
            if before and self.batch_spin.value() == 0:
                self.batch_spin.setValue(before)

    def update(self, exp: Experiment) -> None:
        # A batch size other than 0 stays editable, so a loaded one the validation refuses can be fixed.
        scipy = self._scipy()
        self.batch_spin.setEnabled(not scipy or self.batch_spin.value() != 0)
        self.form.tip(self.batch_spin, SCIPY_BATCH_TIP if scipy else FIELDS["train.batch_size"].tip)
