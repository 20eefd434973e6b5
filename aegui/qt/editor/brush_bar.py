"""The Draw tab's brush: its size, and for colour models its colour, chosen in a colour dialog or
taken from a picture with the eyedropper (Pick: the next click on the canvas, the model's input
or output or a nearest image takes the colour under the pointer). Erase all is laid out by the
panel (on the noise row: the brush's row must fit beside the latent map at 1024 px)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QColorDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from aegui.qt.i18n import bind_text, tr
from aegui.qt.widgets.inputs.decimal_key import DecimalSpinBox

INK = (0.0, 0.0, 0.0)       # a colour brush's first colour: black, on the usual white


def to_qcolor(rgb) -> QColor:
    r, g, b = (int(round(float(v) * 255)) for v in list(rgb)[:3])
    return QColor(r, g, b)


class BrushBar(QWidget):
    colour_changed = Signal(object)     # RGB in [0, 1], (3,)
    picking_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.colour = np.array(INK, np.float32)
        self.label = QLabel()
        bind_text(self, self.label.setText, "Brush:")
        self.brush_spin = DecimalSpinBox()
        self.brush_spin.setRange(0.5, 8.0)
        self.brush_spin.setSingleStep(0.5)
        self.colour_button = QPushButton(clicked=self.choose_colour)
        bind_text(self, self.colour_button.setText, "Colour…")
        bind_text(self, self.colour_button.setToolTip, "The brush's colour")
        self.pick_button = QPushButton(checkable=True)
        self.pick_button.toggled.connect(self.picking_changed)
        bind_text(self, self.pick_button.setText, "Pick")
        bind_text(self, self.pick_button.setToolTip, "Eyedropper: click the canvas, the model's input or output or "
                                                     "a nearest image to paint with the colour there")
        self.clear_button = QPushButton()
        bind_text(self, self.clear_button.setText, "Erase all")    # not "Clear": two panels translate it differently
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for w in (self.label, self.brush_spin, self.colour_button, self.pick_button):
            lay.addWidget(w)
        lay.addStretch(1)
        self.set_colour_model(False)

    def set_colour_model(self, on: bool) -> None:
        """Colour controls for RGB and RGBA models only; grey ones paint ink."""
        for w in (self.colour_button, self.pick_button):
            w.setVisible(on)
        if not on:
            self.pick_button.setChecked(False)

    def picking(self) -> bool:
        return self.pick_button.isChecked()

    def choose_colour(self) -> None:
        got = QColorDialog.getColor(to_qcolor(self.colour), self, tr("Brush colour"))
        if got.isValid():
            self.set_colour((got.redF(), got.greenF(), got.blueF()))

    def set_colour(self, rgb) -> None:
        self.colour = np.clip(np.asarray(rgb, np.float32)[:3], 0.0, 1.0)
        side = self.colour_button.fontMetrics().height()
        swatch = QPixmap(QSize(side, side))
        swatch.fill(to_qcolor(self.colour))
        self.colour_button.setIcon(QIcon(swatch))
        self.colour_changed.emit(self.colour.copy())

    def take_colour(self, rgb) -> None:
        """The eyedropper's pick: the brush's colour, and picking ends."""
        self.set_colour(rgb)
        self.pick_button.setChecked(False)
