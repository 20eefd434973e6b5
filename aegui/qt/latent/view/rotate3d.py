"""A 3-D view for 3-D latent spaces: the canvas shows the codes projected on a plane that the
user turns (yaw and pitch sliders, or dragging with the right mouse button). The projection stays
affine and orthonormal, so hovering still decodes the point under the cursor: the point of the
view plane (through the codes' mean) that it shows."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSizePolicy, QSlider, QWidget

from aegui.qt.i18n import bind_text


def view_basis(yaw_deg: float, pitch_deg: float) -> np.ndarray:
    """Rows: the screen's x and y axes in latent space [2, 3], orthonormal; (0, 0) shows z0, z1."""
    a, b = np.radians(yaw_deg), np.radians(pitch_deg)
    x = np.array([np.cos(a), 0.0, -np.sin(a)])
    y = np.array([np.sin(a) * np.sin(b), np.cos(b), np.cos(a) * np.sin(b)])
    return np.stack([x, y])


class Rotate3D(QWidget):
    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.check = QCheckBox()
        bind_text(self, self.check.setText, "3-D")
        bind_text(self, self.check.setToolTip,
                  "Turn the view of a 3-D latent space (or drag with the right mouse button)")
        self.yaw = QSlider(Qt.Orientation.Horizontal)
        self.yaw.setRange(-180, 180)
        bind_text(self, self.yaw.setToolTip, "Turn left / right")
        self.pitch = QSlider(Qt.Orientation.Horizontal)
        self.pitch.setRange(-90, 90)
        bind_text(self, self.pitch.setToolTip, "Tilt up / down")
        # Named and wide enough to aim with: two unlabelled 20 px sliders said nothing.
        self.yaw_label, self.pitch_label = QLabel(), QLabel()
        bind_text(self, self.yaw_label.setText, "Turn")
        bind_text(self, self.pitch_label.setText, "Tilt")
        for s, label in ((self.yaw, self.yaw_label), (self.pitch, self.pitch_label)):
            s.setMinimumWidth(90)
            s.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            s.setEnabled(False)
            s.valueChanged.connect(lambda _: self.changed.emit())
            label.setBuddy(s)
            label.setEnabled(False)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for w in (self.check, self.yaw_label, self.yaw, self.pitch_label, self.pitch):
            lay.addWidget(w)
        self.check.toggled.connect(self._toggled)
        self._drag = None

    def _toggled(self, on: bool) -> None:
        for s in (self.yaw, self.pitch, self.yaw_label, self.pitch_label):
            s.setEnabled(on)
        self.changed.emit()

    def active(self) -> bool:
        return self.check.isChecked() and self.isVisibleTo(self.parentWidget() or self)

    def basis(self) -> np.ndarray:
        return view_basis(self.yaw.value(), self.pitch.value())

    def set_angles(self, yaw: float, pitch: float) -> None:
        self.yaw.blockSignals(True)
        self.yaw.setValue(int(round(yaw)))
        self.yaw.blockSignals(False)
        self.pitch.setValue(int(round(pitch)))
        self.changed.emit()

    def drag(self, dx_px: float, dy_px: float) -> None:
        """A right-button drag: half a degree a pixel."""
        self.set_angles(((self.yaw.value() + 0.5 * dx_px + 180) % 360) - 180,
                        float(np.clip(self.pitch.value() + 0.5 * dy_px, -90, 90)))
