"""Step mode: train one batch or one epoch at a time, and a cap on epochs per second, so a
student can watch the charts, the latent canvas and the network view change step by step."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from aegui.qt.i18n import bind_text, number
from aegui.qt.widgets.text.terms import with_terms

CAPS = (None, 0.5, 1, 2, 5, 10, 30)


class StepControls(QWidget):
    step_requested = Signal(str)          # "epoch" or "batch"
    cap_changed = Signal(object)          # epochs per second, or None

    def __init__(self, parent=None):
        super().__init__(parent)
        self.epoch_button = QPushButton()
        self.batch_button = QPushButton()
        self.speed_label = QLabel()
        self.speed_combo = QComboBox()
        for k, cap in enumerate(CAPS):
            self.speed_combo.addItem("", cap)
            name = lambda text, k=k: self.speed_combo.setItemText(k, text)   # noqa: E731
            if cap is None:
                bind_text(self, name, "As fast as it goes")
            elif cap == 1:      # not "1 epochs/s"
                bind_text(self, name, "1 epoch/s")
            else:       # a number written in the language's way: "0,5 épocas/s"
                bind_text(self, name, "{n} epochs/s", n=number(cap, "g"))
        bind_text(self, self.epoch_button.setText, "Step epoch")
        bind_text(self, self.batch_button.setText, "Step batch")
        bind_text(self, self.epoch_button.setToolTip,
                  "Train one more epoch, then pause (F6); starts a run paused if none is running")
        bind_text(self, self.batch_button.setToolTip, "Train one more batch, then pause (Shift+F6)")
        bind_text(self, self.speed_label.setText, "Speed:")
        bind_text(self, lambda text: self.speed_combo.setToolTip(with_terms(text, "latent space")),
                  "At most this many epochs a second, to watch the latent space form")
        # The speed on a row of its own, its choice whole: beside the two buttons in a builder
        # column it was cut ("Lo más rápi").
        self.speed_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        lay = QGridLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self.epoch_button, 0, 0)
        lay.addWidget(self.batch_button, 0, 1)
        speed = QHBoxLayout()
        speed.addWidget(self.speed_label)
        speed.addWidget(self.speed_combo)
        speed.addStretch(1)
        lay.addLayout(speed, 1, 0, 1, 2)
        for b in (self.epoch_button, self.batch_button):
            b.setMinimumWidth(0)
        self.epoch_button.clicked.connect(lambda: self.step_requested.emit("epoch"))
        self.batch_button.clicked.connect(lambda: self.step_requested.emit("batch"))
        self.speed_combo.currentIndexChanged.connect(lambda _: self.cap_changed.emit(self.cap()))
        # F6 and Shift+F6 are the window's (aegui/qt/window/menus.py), so they work wherever the focus is.

    def cap(self) -> float | None:
        return self.speed_combo.currentData()

    def set_cap(self, cap: float | None) -> None:
        k = self.speed_combo.findData(cap)
        self.speed_combo.setCurrentIndex(max(0, k))
