"""Pieces of the latent canvas below the plot: the tray of generated samples (pinned or
sampled from the prior) and the interpolation strip. Kept apart so latent_canvas.py stays
about the plot itself."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QImage, QPainter
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFrame, QHBoxLayout, QLabel, QMenu, QMessageBox,
                               QPushButton, QScrollArea, QSizePolicy, QSpinBox, QToolButton, QVBoxLayout,
                               QWidget)

from aegui.core.data.dataset import GLYPH_SHAPE
from aegui.core.data.display import is_gray, mosaic, to_uint8
from aegui.qt.i18n import bind_text, number_list, on_language, plural, tr
from aegui.qt.widgets.glyphs.glyph_view import GlyphView, to_qimage
from aegui.qt.widgets.layout_items import take_widget
from aegui.qt.widgets.text.pieces import write_explained

# Only 5x7 glyphs go to the library and the pixel editor.


def strip_array(images: np.ndarray, scale: int = 1) -> np.ndarray:
    """Tiles side by side, each pixel enlarged to scale x scale, one glyph pixel of gap.

    Size: height H*scale, width N*W*scale + (N-1)*scale.
    """
    images = np.asarray(images, dtype=np.float32)
    tiles = to_uint8(images, gray=is_gray(images.shape[1:]))
    out = mosaic(tiles[None])
    if scale > 1:
        out = np.repeat(np.repeat(out, scale, axis=0), scale, axis=1)
    return out


def _save_dialog(parent, title: str, name: str, filt: str, suffix: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, title, name, filt)
    if path and not path.lower().endswith(suffix):
        path += suffix
    return path


def _write(parent, title: str, write) -> None:
    """Run a file-writing call; a failure becomes one message box that names the file."""
    try:
        write()
    except OSError as e:
        QMessageBox.warning(parent, title, str(e))


class _TrayItem(QFrame):
    def __init__(self, z: np.ndarray, image: np.ndarray, tray: "GeneratedTray", prior: bool = False):
        super().__init__()
        self.z, self.image, self.prior = z, image, prior
        glyph = image.shape == GLYPH_SHAPE
        self.setFrameShape(QFrame.Shape.StyledPanel)
        side = max(image.shape[:2])
        self.view = GlyphView(cell_size=6 if side <= 16 else tray.THUMB_PX / side, grid=False)
        self.view.set_image(image)
        self.view.setToolTip(number_list(z[:8], ".2f") + (" …" if len(z) > 8 else ""))
        self.menu = QMenu(self)
        self.act_save = QAction(self.menu)
        bind_text(self, self.act_save.setText, "Save to library")
        self.act_edit = QAction(self.menu)
        bind_text(self, self.act_edit.setText, "Send to editor")
        self.act_png = QAction(self.menu)
        bind_text(self, self.act_png.setText, "Save image PNG...")
        self.act_remove = QAction(self.menu)
        bind_text(self, self.act_remove.setText, "Remove")
        self.act_save.triggered.connect(lambda: tray.save_requested.emit(self.image.copy()))
        self.act_edit.triggered.connect(lambda: tray.send_to_editor.emit(self.image.copy()))
        self.act_png.triggered.connect(lambda: tray.save_png(self))
        self.act_remove.triggered.connect(lambda: tray.remove(self))
        # The library and the pixel editor hold 5x7 glyphs; an image can only be saved as a file.
        self.act_save.setVisible(glyph)
        self.act_edit.setVisible(glyph)
        self.menu.addActions([self.act_save, self.act_edit, self.act_png])
        self.arithmetic_menu = self.menu.addMenu("")
        bind_text(self, self.arithmetic_menu.setTitle, "Latent arithmetic")
        self.act_slots = {}
        for slot in ("a", "b", "c"):
            act = self.arithmetic_menu.addAction("")
            bind_text(self, act.setText, "Use as {slot}", slot=slot)
            act.triggered.connect(lambda _=False, s=slot: tray.arithmetic_requested.emit(s, self.z.copy()))
            self.act_slots[slot] = act
        self.menu.addAction(self.act_remove)
        self.button = QToolButton()
        self.button.setText("⋯")
        bind_text(self, self.button.setToolTip, "Actions")
        self.button.setMenu(self.menu)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setAutoRaise(True)
        # The button beside the picture, not under it: the tray's height is the map's loss.
        lay = QHBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(0)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(lambda p: self.menu.exec(self.mapToGlobal(p)))


class GeneratedTray(QWidget):
    """A horizontal strip of generated samples, newest first: decodes pinned from the canvas
    and samples from the prior (VAE). The canvas does the decoding."""

    save_requested = Signal(object)
    send_to_editor = Signal(object)
    sample_requested = Signal(int, int, bool)   # how many, seed, replace the last batch
    arithmetic_requested = Signal(str, object)  # slot "a" / "b" / "c", the item's code z
    changed = Signal()                          # items added or removed
    MAX_ITEMS = 64  # oldest drop off so a long session does not pile up widgets
    THUMB_PX = 48   # on-screen side of an image at most (glyphs: 6 px cells); the row's height may shrink it
    BUTTON_PX = 26  # a sample's actions button, beside its picture
    ROW_PX = 60     # the samples' row, its scroll bar included: 5x7 glyphs at 5 px cells, images fitted

    def __init__(self, parent=None):
        super().__init__(parent)
        self._items: list[_TrayItem] = []
        self._prior_ok = False
        self._hint = QLabel()
        self._hint.setWordWrap(True)
        bind_text(self, self._hint.setText, "Click the canvas to pin generated samples here.")
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
        self._scroll.setMinimumHeight(self.ROW_PX)     # the tray's height: not a scroll area's 70 px default

        self.sample_button = QPushButton()
        bind_text(self, self.sample_button.setText, "Sample from prior")
        self.count = QSpinBox()
        self.count.setRange(1, 32)
        self.count.setValue(8)
        self.seed_label = QLabel()
        bind_text(self, self.seed_label.setText, "Seed:")
        self.seed = QSpinBox()
        self.seed.setRange(0, 999_999)
        self.reroll_button = QPushButton()
        bind_text(self, self.reroll_button.setText, "Re-roll")
        self.clear_button = QPushButton()
        bind_text(self, self.clear_button.setText, "Empty")   # not "Clear": the pixel editor's is "Limpiar"
        bind_text(self, self.clear_button.setToolTip, "Remove every sample from the tray.")
        # Two rows beside the samples: the tray's height is the map's loss, kept to a row of them.
        controls = QVBoxLayout()
        controls.setSpacing(2)
        row = QHBoxLayout()
        row.addWidget(self.sample_button)
        row.addWidget(self.count)
        row.addStretch(1)
        buttons = QHBoxLayout()
        for w in (self.seed_label, self.seed, self.reroll_button, self.clear_button):
            buttons.addWidget(w)
        controls.addLayout(row)
        controls.addLayout(buttons)
        controls.addStretch(1)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(controls)
        lay.addWidget(self._scroll, 1)
        self.sample_button.clicked.connect(
            lambda: self.sample_requested.emit(self.count.value(), self.seed.value(), False))
        self.reroll_button.clicked.connect(self.reroll)
        self.clear_button.clicked.connect(self.clear)
        self.count.valueChanged.connect(lambda _: self._explain_sampling())
        on_language(self, self._explain_sampling)
        self.set_prior_available(False)

    def set_prior_available(self, ok: bool) -> None:
        """Whether the model on the canvas is a VAE (the only kind with a prior to sample)."""
        self._prior_ok = bool(ok)
        for w in (self.sample_button, self.count, self.seed, self.reroll_button):
            w.setEnabled(self._prior_ok)
        self._explain_sampling()

    def reroll(self) -> None:
        self.seed.setValue(self.seed.value() + 1)
        self.sample_requested.emit(self.count.value(), self.seed.value(), True)

    def add(self, z: np.ndarray, image: np.ndarray, prior: bool = False) -> None:
        item = _TrayItem(np.array(z, np.float32), np.array(image, np.float32), self, prior)
        # The picture's width and the actions button's beside it (BUTTON_PX).
        item.setFixedWidth(58 if max(item.image.shape[:2]) <= 16 else self.THUMB_PX + self.BUTTON_PX)
        self._row.insertWidget(0, item)
        self._items.insert(0, item)
        while len(self._items) > self.MAX_ITEMS:
            self.remove(self._items[-1])
        self._hint.setVisible(False)
        self._scroll.horizontalScrollBar().setValue(0)
        self.changed.emit()

    def add_samples(self, zs: np.ndarray, images: np.ndarray, replace: bool = False) -> None:
        """Samples from the prior, first sample leftmost; `replace` drops the previous batch."""
        if replace:
            for item in [it for it in self._items if it.prior]:
                self.remove(item)
        for item in [it for it in self._items if it.prior]:
            item.prior = False   # an older batch is kept like a pinned sample from now on
        for z, img in zip(zs[::-1], images[::-1]):
            self.add(z, img, prior=True)

    def remove(self, item: _TrayItem) -> None:
        self._items.remove(item)
        take_widget(item)
        item.hide()
        item.deleteLater()
        self._hint.setVisible(not self._items)
        self.changed.emit()

    def clear(self) -> None:
        for item in list(self._items):
            self.remove(item)

    def items(self) -> list[_TrayItem]:
        return list(self._items)

    def samples_area(self) -> QWidget:
        """Where the samples are shown (the guided tour leaves it uncovered)."""
        return self._scroll

    def images(self) -> list[np.ndarray]:
        return [it.image for it in self._items]

    def prior_codes(self) -> np.ndarray:
        """z of the latest batch sampled from the prior still in the tray, [M, L]."""
        return self._codes(True)

    def pinned_codes(self) -> np.ndarray:
        """z of the other samples in the tray (pinned, or of an older batch), [M, L]."""
        return self._codes(False)

    def _codes(self, prior: bool) -> np.ndarray:
        zs = [it.z for it in self._items if it.prior == prior]
        return np.array(zs, np.float32) if zs else np.zeros((0, 0), np.float32)

    def save_png(self, item: _TrayItem) -> None:
        from aegui.core.analyses.figures import save_image  # Pillow only when a file is written
        path = _save_dialog(self, tr("Save image PNG..."), "sample.png", tr("PNG images (*.png)"), ".png")
        if path:
            _write(self, tr("Save image PNG..."), lambda: save_image(item.image, path))

    def _explain_sampling(self) -> None:
        """The sampling buttons' tooltips: how many points a VAE decodes, or why a plain
        autoencoder cannot sample."""
        n = self.count.value()
        tip = (plural(n, tr("Decode 1 point z ~ N(0, I) (the VAE's prior) into a new sample."),
                      tr("Decode {n} points z ~ N(0, I) (the VAE's prior) into new samples.", n=n))
               if self._prior_ok else tr("Only a VAE has a prior to sample from; this model is a plain autoencoder."))
        self.sample_button.setToolTip(tip)
        self.reroll_button.setToolTip(tr("Replace the last samples from the prior with new ones (next seed).")
                                      if self._prior_ok else tip)


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
        on_language(self, self.update)     # the empty strip paints a sentence

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
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, s != int(s))
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
            c.setMaximumWidth(180)   # long emoji names must not push Steps off the panel
        self.steps = QSpinBox()
        self.steps.setRange(2, 64)
        self.steps.setValue(10)
        self.steps_label = QLabel()
        bind_text(self, self.steps_label.setText, "Steps:")
        self.interp_button = QPushButton()
        bind_text(self, self.interp_button.setText, "Interpolate")
        self.export_button = QPushButton()
        bind_text(self, self.export_button.setText, "Export strip PNG...")
        self.export_button.setEnabled(False)
        self.gif_button = QPushButton()
        bind_text(self, self.gif_button.setText, "Export GIF...")
        self.gif_button.setEnabled(False)
        self.strip_view = StripView()
        # Two short rows beside the strip, as in the Generated tab: the tray's height is the map's
        # loss, and the canvas dock must fit beside the editor at 1024 px.
        ends = QHBoxLayout()
        for w in (self.combo_a, QLabel("→"), self.combo_b, self.steps_label, self.steps):
            ends.addWidget(w)
        ends.addStretch(1)
        actions = QHBoxLayout()
        for w in (self.interp_button, self.export_button, self.gif_button):
            actions.addWidget(w)
        actions.addStretch(1)
        controls = QVBoxLayout()
        controls.setSpacing(2)
        controls.addLayout(ends)
        controls.addLayout(actions)
        controls.addStretch(1)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(controls)
        lay.addWidget(self.strip_view, 1)
        self.interp_button.clicked.connect(
            lambda: self.requested.emit(self.combo_a.currentIndex(), self.combo_b.currentIndex(), self.steps.value()))
        self.export_button.clicked.connect(self._export_clicked)
        self.gif_button.clicked.connect(self._export_gif_clicked)

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
        for w in (self.export_button, self.gif_button):
            w.setEnabled(ready and self._images is not None)

    def set_strip(self, images: np.ndarray, ends: tuple[str, str]) -> None:
        self._images, self._ends = images, ends
        self.strip_view.set_strip(images, ends)
        self.export_button.setEnabled(True)
        self.gif_button.setEnabled(True)

    def clear_strip(self) -> None:
        """No strip (its ends were samples of another model's data)."""
        self._images, self._ends = None, ("", "")
        self.strip_view.set_strip(None)
        self.export_button.setEnabled(False)
        self.gif_button.setEnabled(False)

    def images(self) -> np.ndarray | None:
        return self._images

    def ends(self) -> tuple[str, str]:
        return self._ends

    def export(self, path, scale: int | None = None) -> None:
        """The strip as a PNG with the end labels under it (see figures.interpolation_strip)."""
        from aegui.core.analyses.figures import interpolation_strip  # Pillow only when a file is written
        self._write(path, lambda: interpolation_strip(self._images, self._ends, scale, path=path))

    def export_gif(self, path, scale: int | None = None) -> int:
        """The strip as an animated GIF, there and back; returns the number of frames."""
        from aegui.core.analyses.figures import interpolation_gif
        return self._write(path, lambda: interpolation_gif(self._images, path, scale))

    def _write(self, path, write):
        if self._images is None:
            raise RuntimeError("no interpolation strip to export")
        return write_explained(path, write)

    def _file_name(self, suffix: str) -> str:
        return "{}_to_{}".format(*self._ends).replace("/", "_") + suffix

    def _export_clicked(self) -> None:
        path = _save_dialog(self, tr("Export strip PNG"), self._file_name(".png"), tr("PNG images (*.png)"), ".png")
        if path:
            _write(self, tr("Export strip PNG"), lambda: self.export(path))

    def _export_gif_clicked(self) -> None:
        path = _save_dialog(self, tr("Export strip GIF"), self._file_name(".gif"), tr("GIF animations (*.gif)"),
                            ".gif")
        if path:
            _write(self, tr("Export strip GIF"), lambda: self.export_gif(path))
