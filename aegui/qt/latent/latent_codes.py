"""How the latent canvas draws the dataset's codes: points with text labels, one colour per
class with a legend, or thumbnails of the samples; plus the prior samples and the interpolation line."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem

from aegui.core.data.display import to_rgba8
from aegui.qt.latent.latent_tray import GLYPH_SHAPE
from aegui.qt.widgets.glyph_view import to_qimage

LABEL_COLOR = (20, 30, 110)
LABEL_FILL = pg.mkBrush(255, 255, 255, 170)  # keeps labels readable over the map
LINE_PEN = pg.mkPen((40, 110, 220), width=2, style=Qt.PenStyle.DashLine)
PRIOR_PEN = pg.mkPen((120, 30, 170), width=2)
# Tableau's 20 colours, strong ones first: up to 10 classes get the clearly distinct half.
CLASS_COLORS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
                (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
                (174, 199, 232), (255, 187, 120), (152, 223, 138), (255, 152, 150), (197, 176, 213),
                (196, 156, 148), (247, 182, 210), (199, 199, 199), (219, 219, 141), (158, 218, 229)]
MAX_CLASSES = len(CLASS_COLORS)
MAX_TEXT_LABELS = 150    # more text labels than this hide the map and slow every redraw
MAX_THUMBNAILS = 300     # one small picture item per sample; beyond this they pile up
THUMB_PX = 30            # on-screen side of a thumbnail, whatever the zoom


def class_names(labels: list[str]) -> list[str] | None:
    """The distinct labels in a natural order when the labels look like classes (repeated, at
    most MAX_CLASSES of them, e.g. "0".."9" of MNIST or subfolder names), else None."""
    names = set(labels)
    if not (2 <= len(names) <= MAX_CLASSES and len(names) < len(labels)):
        return None
    try:
        return sorted(names, key=int)
    except ValueError:
        return sorted(names)


class CodeLayers:
    """Mixin of the LatentCanvas: the items drawn over the map for the dataset's codes."""

    def _set_images(self, images, labels: list[str]) -> None:
        """Which ways of drawing the codes this data allows; the combo offers just those."""
        # The owner passes a fresh view of the same samples on every training snapshot:
        # rebuild the thumbnails only when the pixels are others.
        key = None if images is None else (np.asarray(images).__array_interface__["data"][0], np.shape(images))
        if key != self._images_src:
            self._clear_thumbs()
        self._images_src = key
        self._images = None if images is None or len(images) > MAX_THUMBNAILS else np.asarray(images)
        self._classes = class_names(labels)
        glyphs = tuple(self._shape) == GLYPH_SHAPE
        modes = ["points"]
        if self._images is not None and not glyphs:
            modes.append("thumbs")
        if self._classes:
            modes.append("classes")
        have = [self.codes_combo.itemData(k) for k in range(self.codes_combo.count())]
        if modes != have:
            # Other data (the user's choice stays while the same data trains): images show
            # best as pictures, labelled data by class colour.
            default = ("classes" if self._classes and not glyphs else
                       "thumbs" if "thumbs" in modes else "points")
            self.codes_combo.blockSignals(True)
            self.codes_combo.clear()
            for m in modes:
                self.codes_combo.addItem("", m)
            self.codes_combo.setCurrentIndex(modes.index(default))
            self.codes_combo.blockSignals(False)
            self.retranslate()
        self.codes_box.setVisible(len(modes) > 1)

    def _refresh_points(self, labels: list[str]) -> None:
        xy = self._xy
        mode = self.codes_mode()
        self.scatter.setData(pos=xy)
        self.scatter.setVisible(mode == "points")
        # Text labels for a few points only; classes and thumbnails say it without text.
        n_text = len(xy) if mode == "points" and len(xy) <= MAX_TEXT_LABELS else 0
        while len(self._texts) < n_text:
            t = pg.TextItem(color=LABEL_COLOR, fill=LABEL_FILL, anchor=(0, 1))
            t.setZValue(6)
            self.plot.addItem(t, ignoreBounds=True)
            self._texts.append(t)
        old = self._labels
        for k, t in enumerate(self._texts):
            if k < n_text:
                if k >= len(old) or old[k] != labels[k] or not t.isVisible():
                    t.setText(labels[k])
                t.setPos(float(xy[k, 0]), float(xy[k, 1]))
                t.show()
            else:
                t.hide()
        self._refresh_classes(labels if mode == "classes" else None)
        self._refresh_thumbs(mode == "thumbs")
        self._update_line()
        self._update_prior_markers()

    def _refresh_classes(self, labels: list[str] | None) -> None:
        names = [item.name() for item in self._class_items]
        if labels is not None and self._classes and names == self._classes:
            # Same classes (a training snapshot): move the points, keep items and legend.
            lab = np.asarray(labels)
            for item, name in zip(self._class_items, self._classes):
                item.setData(pos=self._xy[lab == name])
            return
        self.legend.clear()
        for item in self._class_items:
            self.plot.removeItem(item)
        self._class_items = []
        if labels is None or not self._classes:
            self.legend.hide()
            return
        lab = np.asarray(labels)
        for k, name in enumerate(self._classes):
            # One item per class: the legend lists it, and clicking its entry hides the class.
            item = pg.ScatterPlotItem(pos=self._xy[lab == name], size=7, pen=pg.mkPen(255, 255, 255, 160),
                                      brush=pg.mkBrush(*CLASS_COLORS[k]), name=name)
            item.setZValue(7)
            self.plot.addItem(item, ignoreBounds=True)
            self._class_items.append(item)
            self.legend.addItem(item, name)
        self.legend.setColumnCount(1 if len(self._classes) <= 10 else 2)
        self.legend.show()

    def _clear_thumbs(self) -> None:
        for t in self._thumbs:
            self.plot.removeItem(t)
        self._thumbs = []

    def _refresh_thumbs(self, show: bool) -> None:
        if not show or self._images is None:
            for t in self._thumbs:
                t.hide()
            return
        if len(self._thumbs) != len(self._images):
            self._clear_thumbs()
            for img in self._images:
                # RGBA keeps its transparency so emoji sit on the map rather than in white boxes.
                q = to_qimage(to_rgba8(img)).scaled(THUMB_PX, THUMB_PX, Qt.AspectRatioMode.KeepAspectRatio,
                                                    Qt.TransformationMode.SmoothTransformation
                                                    if max(img.shape[:2]) > THUMB_PX // 2
                                                    else Qt.TransformationMode.FastTransformation)
                item = QGraphicsPixmapItem(QPixmap.fromImage(q))
                # Drawn in screen pixels at its point: the same size at every zoom.
                item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
                item.setOffset(-q.width() / 2, -q.height() / 2)
                item.setZValue(7)
                self.plot.addItem(item, ignoreBounds=True)
                self._thumbs.append(item)
        for t, (x, y) in zip(self._thumbs, self._xy):
            t.setPos(float(x), float(y))
            t.show()

    def _update_prior_markers(self, *args) -> None:
        z = self.tray.prior_codes()
        if len(z) == 0 or z.shape[1] != self.latent_size():
            self.prior_item.setData(pos=np.zeros((0, 2)))
            return
        self.prior_item.setData(pos=(z.astype(np.float64) - self._origin) @ self._basis.T)

    def _update_line(self) -> None:
        ends = self._strip_ends
        if ends is None or max(ends) >= len(self._xy):
            self.line_item.setData([], [])
        else:
            pts = self._xy[list(ends)]
            self.line_item.setData(pts[:, 0], pts[:, 1])
