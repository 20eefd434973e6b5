"""How the latent canvas draws the dataset's codes: points with text labels, one colour per
class with a legend under the plot, or thumbnails of the samples; plus the prior samples and the
interpolation line. One object the canvas owns (`canvas.codes`); it reads the canvas's projected
codes and writes only its own plot items."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem

from aegui.core.data.display import to_rgba8
from aegui.qt.latent.label_layout import place_labels
from aegui.qt.latent.tray.latent_tray import GLYPH_SHAPE
from aegui.qt.widgets.glyphs.glyph_view import to_qimage
from aegui.qt.widgets.charts.plot_text import legend_below

LABEL_COLORS = ((20, 30, 110), (200, 215, 255))            # light, dark theme
LABEL_FILLS = ((255, 255, 255, 170), (30, 30, 36, 170))    # keeps labels readable over the map
LINE_PEN = pg.mkPen((40, 110, 220), width=2, style=Qt.PenStyle.DashLine)
PRIOR_PEN = pg.mkPen((120, 30, 170), width=2)
PIN_PEN = pg.mkPen((20, 20, 20), width=1.5)
PIN_BRUSH = pg.mkBrush(0, 150, 136)       # teal: no class colour, the star or the rings use it
POINT_BRUSH = pg.mkBrush(230, 90, 20)
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
    """The items drawn over the map for the dataset's codes."""

    def __init__(self, canvas):
        self.canvas = canvas
        plot = canvas.plot
        self.scatter = pg.ScatterPlotItem(size=8, pen=pg.mkPen("w"), brush=POINT_BRUSH)
        self.scatter.setZValue(7)  # above the label backgrounds
        self.line_item = pg.PlotDataItem(pen=LINE_PEN)
        self.prior_item = pg.ScatterPlotItem(size=11, symbol="x", pen=PRIOR_PEN, brush=pg.mkBrush(120, 30, 170))
        self.prior_item.setZValue(9)
        # A pinned point: a marker on the map where it was pinned (the tray shows its picture).
        self.pin_item = pg.ScatterPlotItem(size=14, symbol="t", pen=PIN_PEN, brush=PIN_BRUSH)
        self.pin_item.setZValue(9)
        for it in (self.line_item, self.scatter, self.prior_item, self.pin_item):
            plot.addItem(it, ignoreBounds=True)
        # Under the plot, never over it: a legend inside covered points and was cut at the edge.
        self.legend = legend_below(plot.getPlotItem(), labelTextSize="9pt")
        self.legend.hide()
        self.dark = False
        self.texts: list[pg.TextItem] = []
        self.n_text = 0                             # texts[:n_text] are labels of points now
        # A label hidden for want of room, shown while the pointer rests on its point.
        self.hover_text = self._text_item(8)
        self.hover_text.hide()
        canvas.vb.sigRangeChanged.connect(self.layout_labels)
        canvas.vb.sigResized.connect(self.layout_labels)
        self.images: np.ndarray | None = None       # dataset samples, for thumbnails
        self.images_src = None
        self.thumbs: list[QGraphicsPixmapItem] = []
        self.classes: list[str] | None = None
        self.class_items: list[pg.ScatterPlotItem] = []

    # -- which ways of drawing this data allows --------------------------------------------------
    def set_images(self, images, labels: list[str]) -> None:
        """Which ways of drawing the codes this data allows; the combo offers just those."""
        c = self.canvas
        # The owner passes a fresh view of the same samples on every training snapshot:
        # rebuild the thumbnails only when the pixels are others.
        key = None if images is None else (np.asarray(images).__array_interface__["data"][0], np.shape(images))
        if key != self.images_src:
            self.clear_thumbs()
        self.images_src = key
        self.images = None if images is None or len(images) > MAX_THUMBNAILS else np.asarray(images)
        self.classes = class_names(labels)
        glyphs = tuple(c.state.shape) == GLYPH_SHAPE
        modes = ["points"]
        if self.images is not None and not glyphs:
            modes.append("thumbs")
        if self.classes:
            modes.append("classes")
        combo = c.codes_combo
        have = [combo.itemData(k) for k in range(combo.count())]
        if modes != have:
            # Other data (the user's choice stays while the same data trains): images show
            # best as pictures, labelled data by class colour.
            default = ("classes" if self.classes and not glyphs else
                       "thumbs" if "thumbs" in modes else "points")
            combo.blockSignals(True)
            combo.clear()
            for m in modes:
                combo.addItem("", m)
            combo.setCurrentIndex(modes.index(default))
            combo.blockSignals(False)
            c.side.name_code_modes()
        c.codes_box.setVisible(len(modes) > 1)

    # -- drawing ---------------------------------------------------------------------------------
    def refresh(self, labels: list[str], old: list[str]) -> None:
        c = self.canvas
        xy = c.state.xy
        mode = c.codes_mode()
        self.scatter.setData(pos=xy)
        self.scatter.setVisible(mode == "points")
        # Text labels for a few points only; classes and thumbnails say it without text.
        n_text = len(xy) if mode == "points" and len(xy) <= MAX_TEXT_LABELS else 0
        while len(self.texts) < n_text:
            self.texts.append(self._text_item(6))
        self.n_text = n_text
        for k, t in enumerate(self.texts):
            if k < n_text:
                if k >= len(old) or old[k] != labels[k] or not t.isVisible():
                    t.setText(labels[k])
                t.setPos(float(xy[k, 0]), float(xy[k, 1]))
                t.show()
            else:
                t.hide()
        self.layout_labels()
        self.refresh_classes(labels if mode == "classes" else None)
        self.refresh_thumbs(mode == "thumbs")
        self.update_line()
        self.update_markers()

    def _text_item(self, z: float) -> pg.TextItem:
        t = pg.TextItem(color=LABEL_COLORS[self.dark], fill=pg.mkBrush(*LABEL_FILLS[self.dark]), anchor=(0, 1))
        t.setZValue(z)
        self.canvas.plot.addItem(t, ignoreBounds=True)
        return t

    def layout_labels(self, *_) -> None:
        """Labels of nearby points never cover one another (label_layout); on every view change,
        as the distances on screen change with it."""
        texts = self.texts[:self.n_text]
        if not texts:
            return
        vb = self.canvas.vb
        points = [vb.mapViewToScene(QPointF(t.pos())) for t in texts]
        sizes = [(t.textItem.boundingRect().width(), t.textItem.boundingRect().height()) for t in texts]
        for t, anchor in zip(texts, place_labels(points, sizes)):
            if anchor is None:
                t.hide()
            else:
                if tuple(t.anchor) != anchor:
                    t.setAnchor(anchor)
                t.show()
        self.hover_text.hide()

    def hover_point(self, k: int | None) -> None:
        """The pointer rests on point k (None: on none): show its label if there was no room for it."""
        c = self.canvas
        if k is None or k >= self.n_text or self.texts[k].isVisible():
            self.hover_text.hide()
            return
        x, y = c.state.xy[k]
        self.hover_text.setText(c.state.labels[k])
        self.hover_text.setPos(float(x), float(y))
        self.hover_text.show()

    def set_dark(self, dark: bool) -> None:
        """Label colours for the theme (the map under them turns dark too)."""
        if dark == self.dark:
            return
        self.dark = dark
        for t in self.texts + [self.hover_text]:
            t.setColor(LABEL_COLORS[dark])
            t.fill = pg.mkBrush(*LABEL_FILLS[dark])
            t.update()
        self.scatter.setPen(pg.mkPen((30, 30, 30) if dark else "w"))

    def set_text_color(self, color: QColor) -> None:
        self.legend.setLabelTextColor(color)

    def refresh_classes(self, labels: list[str] | None) -> None:
        c = self.canvas
        names = [item.name() for item in self.class_items]
        if labels is not None and self.classes and names == self.classes:
            # Same classes (a training snapshot): move the points, keep items and legend.
            lab = np.asarray(labels)
            for item, name in zip(self.class_items, self.classes):
                item.setData(pos=c.state.xy[lab == name])
            return
        self.legend.clear()
        for item in self.class_items:
            c.plot.removeItem(item)
        self.class_items = []
        if labels is None or not self.classes:
            self.legend.hide()
            return
        lab = np.asarray(labels)
        for k, name in enumerate(self.classes):
            # One item per class: the legend lists it, and clicking its entry hides the class.
            item = pg.ScatterPlotItem(pos=c.state.xy[lab == name], size=7, pen=pg.mkPen(255, 255, 255, 160),
                                      brush=pg.mkBrush(*CLASS_COLORS[k]), name=name)
            item.setZValue(7)
            c.plot.addItem(item, ignoreBounds=True)   # a named item: the plot adds it to the legend
            self.class_items.append(item)
        self.legend.show()

    def clear_thumbs(self) -> None:
        for t in self.thumbs:
            self.canvas.plot.removeItem(t)
        self.thumbs = []

    def refresh_thumbs(self, show: bool) -> None:
        if not show or self.images is None:
            for t in self.thumbs:
                t.hide()
            return
        if len(self.thumbs) != len(self.images):
            self.clear_thumbs()
            for img in self.images:
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
                self.canvas.plot.addItem(item, ignoreBounds=True)
                self.thumbs.append(item)
        for t, (x, y) in zip(self.thumbs, self.canvas.state.xy):
            t.setPos(float(x), float(y))
            t.show()

    def update_markers(self, *args) -> None:
        """The tray's samples from the prior (crosses) and pinned points (triangles) on the map."""
        c = self.canvas
        for item, z in ((self.prior_item, c.tray.prior_codes()), (self.pin_item, c.tray.pinned_codes())):
            if len(z) == 0 or z.shape[1] != c.latent_size():
                item.setData(pos=np.zeros((0, 2)))
            else:
                item.setData(pos=c.project(z))

    def update_line(self) -> None:
        c = self.canvas
        ends = c.state.strip_ends
        if ends is None or max(ends) >= len(c.state.xy):
            self.line_item.setData([], [])
        else:
            pts = c.state.xy[list(ends)]
            self.line_item.setData(pts[:, 0], pts[:, 1])
