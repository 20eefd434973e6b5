"""Pieces of the latent canvas below the plot: the tray of pinned glyphs and the
interpolation strip. Kept apart so latent_canvas.py stays about the plot itself."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QImage, QPainter
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFrame, QHBoxLayout, QLabel, QMenu, QMessageBox,
                               QPushButton, QScrollArea, QSizePolicy, QSpinBox, QToolButton, QVBoxLayout,
                               QWidget)

from aegui.qt.i18n import notifier, register, tr
from aegui.qt.widgets.glyph_view import GlyphView

register({
    "Save to library": "Guardar en la biblioteca",
    "Send to editor": "Enviar al editor",
    "Remove": "Quitar",
    "Actions": "Acciones",
    "Click the canvas to pin generated glyphs here.":
        "Haz clic en el lienzo para fijar aquí los glifos generados.",
    "Interpolate": "Interpolar",
    "Steps:": "Pasos:",
    "Export strip PNG...": "Exportar tira PNG...",
    "Export strip PNG": "Exportar tira PNG",
    "PNG images (*.png)": "Imágenes PNG (*.png)",
    "Could not write {path}.": "No se pudo escribir {path}.",
    "Choose two points (or Shift+click them on the canvas) and press Interpolate.":
        "Elige dos puntos (o haz Mayús+clic sobre ellos en el lienzo) y pulsa Interpolar.",
})

GAP_COLOR = 205  # light grey: separates white-backed tiles without looking like ink


def display_array(img: np.ndarray, gray: bool | None = None) -> np.ndarray:
    """uint8 pixels as GlyphView shows them: grey levels are ink, drawn black on white.

    `gray` says whether the trailing axes are (H, W) rather than (H, W, 3); by default a 2-D
    array is grey, so batches must say.
    """
    img = np.clip(np.asarray(img, dtype=np.float32), 0.0, 1.0)
    if img.ndim == 2 if gray is None else gray:
        img = 1.0 - img
    return (img * 255.0 + 0.5).astype(np.uint8)


def to_qimage(pixels: np.ndarray) -> QImage:
    a = np.ascontiguousarray(pixels, dtype=np.uint8)
    h, w = a.shape[:2]
    if a.ndim == 2:
        q = QImage(a.data, w, h, w, QImage.Format.Format_Grayscale8)
    else:
        q = QImage(a.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return q.copy()  # the QImage must not outlive the numpy buffer it borrowed


def strip_array(images: np.ndarray, scale: int = 1) -> np.ndarray:
    """Tiles side by side, each pixel enlarged to scale x scale, one glyph pixel of gap.

    Size: height H*scale, width N*W*scale + (N-1)*scale.
    """
    tiles = [display_array(t) for t in images]
    h, w = tiles[0].shape[:2]
    n = len(tiles)
    out = np.full((h, n * (w + 1) - 1) + tiles[0].shape[2:], GAP_COLOR, np.uint8)
    for i, t in enumerate(tiles):
        out[:, i * (w + 1): i * (w + 1) + w] = t
    if scale > 1:
        out = np.repeat(np.repeat(out, scale, axis=0), scale, axis=1)
    return out


class _TrayItem(QFrame):
    def __init__(self, z: np.ndarray, image: np.ndarray, tray: "GeneratedTray"):
        super().__init__()
        self.z, self.image = z, image
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.view = GlyphView(cell_size=6, grid=False)
        self.view.set_image(image)
        self.view.setToolTip(", ".join(f"{v:.2f}" for v in z[:8]) + (" …" if len(z) > 8 else ""))
        self.menu = QMenu(self)
        self.act_save = QAction(self.menu)
        self.act_edit = QAction(self.menu)
        self.act_remove = QAction(self.menu)
        self.act_save.triggered.connect(lambda: tray.save_requested.emit(self.image.copy()))
        self.act_edit.triggered.connect(lambda: tray.send_to_editor.emit(self.image.copy()))
        self.act_remove.triggered.connect(lambda: tray.remove(self))
        self.menu.addActions([self.act_save, self.act_edit, self.act_remove])
        self.button = QToolButton()
        self.button.setText("⋯")
        self.button.setMenu(self.menu)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setAutoRaise(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(0)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(lambda p: self.menu.exec(self.mapToGlobal(p)))
        self.retranslate()

    def retranslate(self) -> None:
        self.act_save.setText(tr("Save to library"))
        self.act_edit.setText(tr("Send to editor"))
        self.act_remove.setText(tr("Remove"))
        self.button.setToolTip(tr("Actions"))


class GeneratedTray(QWidget):
    """A horizontal strip of pinned decodes; newest first."""

    save_requested = Signal(object)
    send_to_editor = Signal(object)
    MAX_ITEMS = 64  # oldest drop off so a long session does not pile up widgets

    def __init__(self, parent=None):
        super().__init__(parent)
        self._items: list[_TrayItem] = []
        self._hint = QLabel()
        self._hint.setWordWrap(True)
        self._row = QHBoxLayout()
        self._row.setContentsMargins(2, 2, 2, 2)
        self._row.addWidget(self._hint)
        self._row.addStretch(1)
        inner = QWidget()
        inner.setLayout(self._row)
        self._scroll = QScrollArea()
        self._scroll.setWidget(inner)
        self._scroll.setWidgetResizable(True)
        self._scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self._scroll)
        notifier.changed.connect(self.retranslate)
        self.retranslate()

    def add(self, z: np.ndarray, image: np.ndarray) -> None:
        item = _TrayItem(np.array(z, np.float32), np.array(image, np.float32), self)
        item.setFixedWidth(58)
        self._row.insertWidget(0, item)
        self._items.insert(0, item)
        while len(self._items) > self.MAX_ITEMS:
            self.remove(self._items[-1])
        self._hint.setVisible(False)
        self._scroll.horizontalScrollBar().setValue(0)

    def remove(self, item: _TrayItem) -> None:
        self._items.remove(item)
        item.hide()
        item.deleteLater()
        self._hint.setVisible(not self._items)

    def items(self) -> list[_TrayItem]:
        return list(self._items)

    def images(self) -> list[np.ndarray]:
        return [it.image for it in self._items]

    def retranslate(self) -> None:
        self._hint.setText(tr("Click the canvas to pin generated glyphs here."))
        for it in self._items:
            it.retranslate()


class StripView(QWidget):
    """Paints the interpolation strip scaled to fit, endpoint labels under the end tiles."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._qimage: QImage | None = None
        self._tile = (7, 5)
        self._n = 0
        self._ends = ("", "")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(40)
        notifier.changed.connect(self.update)

    def set_strip(self, images: np.ndarray | None, ends: tuple[str, str] = ("", "")) -> None:
        if images is None or len(images) == 0:
            self._qimage, self._n = None, 0
        else:
            self._qimage = to_qimage(strip_array(images))
            self._tile, self._n = images.shape[1:3], len(images)
        self._ends = ends
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(400, 70)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        fm = self.fontMetrics()
        if self._qimage is None:
            p.setPen(self.palette().placeholderText().color())
            p.drawText(self.rect().adjusted(4, 0, -4, 0), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       tr("Choose two points (or Shift+click them on the canvas) and press Interpolate."))
            return
        label_h = fm.height() + 2
        iw, ih = self._qimage.width(), self._qimage.height()
        s = min((self.width() - 4) / iw, (self.height() - label_h - 4) / ih)
        # Whole screen pixels per glyph pixel keep cells even; fractions only when tiny.
        s = max(float(int(s)), s if s < 1 else 1.0)
        x0 = (self.width() - iw * s) / 2
        target = QRectF(x0, 2, iw * s, ih * s)
        p.drawImage(target, self._qimage)
        p.setPen(QColor(150, 150, 150))
        p.drawRect(target.adjusted(-0.5, -0.5, 0.5, 0.5))
        p.setPen(self.palette().windowText().color())
        tile_w = self._tile[1] * s
        y = int(target.bottom()) + 1
        for text, left, align in ((self._ends[0], x0, Qt.AlignmentFlag.AlignLeft),
                                  (self._ends[1], x0 + iw * s - tile_w, Qt.AlignmentFlag.AlignRight)):
            w = max(int(tile_w), fm.horizontalAdvance(text) + 2)
            x = int(left) if align == Qt.AlignmentFlag.AlignLeft else int(left + tile_w) - w
            p.drawText(QRect(QPoint(x, y), QSize(w, label_h)), align | Qt.AlignmentFlag.AlignTop, text)


class InterpolationPanel(QWidget):
    """Endpoint combos, step count, the strip and its PNG export. The canvas does the decoding."""

    requested = Signal(int, int, int)  # index a, index b, steps

    def __init__(self, parent=None):
        super().__init__(parent)
        self._images: np.ndarray | None = None
        self._ends = ("", "")
        self.combo_a = QComboBox()
        self.combo_b = QComboBox()
        for c in (self.combo_a, self.combo_b):
            c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.steps = QSpinBox()
        self.steps.setRange(2, 64)
        self.steps.setValue(10)
        self.steps_label = QLabel()
        self.interp_button = QPushButton()
        self.export_button = QPushButton()
        self.export_button.setEnabled(False)
        self.strip_view = StripView()
        # Two short rows rather than one long one: the canvas dock must fit beside the editor
        # at 1280 px.
        ends = QHBoxLayout()
        for w in (self.combo_a, QLabel("→"), self.combo_b, self.steps_label, self.steps):
            ends.addWidget(w)
        ends.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.interp_button)
        actions.addWidget(self.export_button)
        actions.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(ends)
        lay.addLayout(actions)
        lay.addWidget(self.strip_view, 1)
        self.interp_button.clicked.connect(
            lambda: self.requested.emit(self.combo_a.currentIndex(), self.combo_b.currentIndex(), self.steps.value()))
        self.export_button.clicked.connect(self._export_clicked)
        notifier.changed.connect(self.retranslate)
        self.retranslate()

    def retranslate(self) -> None:
        self.steps_label.setText(tr("Steps:"))
        self.interp_button.setText(tr("Interpolate"))
        self.export_button.setText(tr("Export strip PNG..."))

    def set_labels(self, labels: list[str]) -> None:
        for combo, default in ((self.combo_a, 0), (self.combo_b, 1)):
            cur = combo.currentIndex()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(labels)
            if labels:
                combo.setCurrentIndex(min(cur if cur >= 0 else default, len(labels) - 1))
            combo.blockSignals(False)

    def set_endpoints(self, a: int, b: int | None = None) -> None:
        self.combo_a.setCurrentIndex(a)
        if b is not None:
            self.combo_b.setCurrentIndex(b)

    def set_ready(self, ready: bool) -> None:
        for w in (self.interp_button, self.combo_a, self.combo_b, self.steps):
            w.setEnabled(ready)
        self.export_button.setEnabled(ready and self._images is not None)

    def set_strip(self, images: np.ndarray, ends: tuple[str, str]) -> None:
        self._images, self._ends = images, ends
        self.strip_view.set_strip(images, ends)
        self.export_button.setEnabled(True)

    def images(self) -> np.ndarray | None:
        return self._images

    def ends(self) -> tuple[str, str]:
        return self._ends

    def export(self, path, scale: int = 8) -> None:
        if self._images is None:
            raise RuntimeError("no interpolation strip to export")
        if not to_qimage(strip_array(self._images, scale)).save(str(path), "PNG"):
            raise OSError(tr("Could not write {path}.", path=path))

    def _export_clicked(self) -> None:
        name = "{}_to_{}.png".format(*self._ends)
        path, _ = QFileDialog.getSaveFileName(self, tr("Export strip PNG"), name, tr("PNG images (*.png)"))
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        try:
            self.export(path)
        except OSError as e:
            QMessageBox.warning(self, tr("Export strip PNG"), str(e))
