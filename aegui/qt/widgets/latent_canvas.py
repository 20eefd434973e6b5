"""Latent space explorer: hover to decode, a decoded background map, pin and interpolate.

The widget never sees a model: its owner passes a decoder function (numpy in, numpy out) and
the dataset codes, so it works the same for any architecture and never imports torch.
"""
from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QTransform
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QSplitter,
                               QTabWidget, QVBoxLayout, QWidget)

from aegui.qt.i18n import notifier, register, tr
from aegui.qt.widgets.glyph_view import GlyphView
from aegui.qt.widgets.latent_tray import GAP_COLOR, GeneratedTray, InterpolationPanel, display_array

# Without this pyqtgraph reads arrays column-major and 7x5 glyphs come out transposed.
pg.setConfigOptions(imageAxisOrder="row-major")

register({
    "Projection:": "Proyección:",
    "dims i,j": "dims i,j",
    "PCA": "PCA",
    "Latent map": "Mapa latente",
    "Reset view": "Restablecer vista",
    "Generated": "Generados",
    "Interpolation": "Interpolación",
    "No model: build or load one to explore its latent space.":
        "Sin modelo: crea o carga uno para explorar su espacio latente.",
    "No latent codes yet: train the model or encode the dataset.":
        "Aún no hay códigos latentes: entrena el modelo o codifica el conjunto de datos.",
    "Hover to decode. Click to pin. Shift+click two points to interpolate.":
        "Pasa el ratón para decodificar. Clic para fijar. Mayús+clic en dos puntos para interpolar.",
    "Latent dimension shown horizontally": "Dimensión latente en horizontal",
    "Latent dimension shown vertically": "Dimensión latente en vertical",
})

POINT_BRUSH = pg.mkBrush(230, 90, 20)
LABEL_COLOR = (20, 30, 110)
LABEL_FILL = pg.mkBrush(255, 255, 255, 170)  # keeps labels readable over the map
LINE_PEN = pg.mkPen((40, 110, 220), width=2, style=Qt.PenStyle.DashLine)


def _place(item: pg.ImageItem, left: float, top: float, width: float, height: float, shape) -> None:
    """Put an image with its row 0 at the top: latent y grows upwards, image rows downwards."""
    rows, cols = shape[:2]
    item.setTransform(QTransform(width / cols, 0.0, 0.0, -height / rows, left, top))


def _hbox(*widgets, parent: QWidget | None = None) -> QHBoxLayout:
    """A row of widgets (None: stretch); with a parent it becomes that widget's margin-less layout."""
    lay = QHBoxLayout(parent) if parent is not None else QHBoxLayout()
    if parent is not None:
        lay.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        if w is None:
            lay.addStretch(1)
        else:
            lay.addWidget(w)
    return lay


class LatentCanvas(QWidget):
    pinned = Signal(object, object)      # z (L,), image
    save_requested = Signal(object)      # image
    send_to_editor = Signal(object)      # image

    MAP_TILES = 144        # decodes per background map, in one batched call
    MAP_DELAY_MS = 100     # let pan/zoom settle before decoding the map
    HOVER_INTERVAL_MS = 16
    CURSOR_PX = 44         # on-screen height of the glyph that follows the cursor

    def __init__(self, parent=None):
        super().__init__(parent)
        self._fn = None
        self._shape: tuple[int, ...] = (7, 5)
        self._codes = np.zeros((0, 0), np.float32)
        self._labels: list[str] = []
        self._xy = np.zeros((0, 2))
        # Every projection is affine: z = xy @ basis + origin, xy = (z - origin) @ basis.T
        # (basis rows orthonormal), so hover, map and points share one code path.
        self._basis = np.eye(2)
        self._origin = np.zeros(2)
        self._hover_xy = np.zeros((1, 2))
        self._preview: np.ndarray | None = None
        self._map: np.ndarray | None = None
        self._strip_ends: tuple[int, int] | None = None
        self._last_hover: tuple[float, float] | None = None
        self._pending_pos: QPointF | None = None
        self._last_hover_t = 0.0
        self._pick_second = False
        self._texts: list[pg.TextItem] = []
        self._build_ui()
        notifier.changed.connect(self.retranslate)
        self.retranslate()
        self._update_state()

    # -- construction ------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.plot = pg.PlotWidget(background="w")
        item = self.plot.getPlotItem()
        item.hideButtons()
        item.showGrid(x=True, y=True, alpha=0.15)
        self.vb = item.getViewBox()
        self.vb.disableAutoRange()  # training updates must not move the user's view
        self.map_item = pg.ImageItem()
        self.map_item.setOpacity(0.35)
        self.map_item.setZValue(-10)
        self.line_item = pg.PlotDataItem(pen=LINE_PEN)
        self.scatter = pg.ScatterPlotItem(size=8, pen=pg.mkPen("w"), brush=POINT_BRUSH)
        self.scatter.setZValue(7)  # above the label backgrounds
        self.cursor_item = pg.ImageItem()
        self.cursor_item.setBorder(pg.mkPen((60, 60, 60)))
        self.cursor_item.setZValue(20)
        self.cursor_item.hide()
        for it in (self.map_item, self.line_item, self.scatter, self.cursor_item):
            self.plot.addItem(it, ignoreBounds=True)

        self.proj_label = QLabel()
        self.proj_combo = QComboBox()
        self.proj_combo.addItems(["", ""])
        self.dim_i = QSpinBox()
        self.dim_j = QSpinBox()
        self.dims_box = QWidget()
        _hbox(QLabel("x"), self.dim_i, QLabel("y"), self.dim_j, parent=self.dims_box)
        self.proj_box = QWidget()
        _hbox(self.proj_label, self.proj_combo, self.dims_box, parent=self.proj_box)
        self.proj_box.setVisible(False)   # only for latent spaces of more than 2 dimensions
        self.map_check = QCheckBox()
        self.map_check.setChecked(True)
        self.reset_button = QPushButton()

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("padding: 4px; background: #fff4d6; color: #5a4300;")
        self.preview = GlyphView(cell_size=20)
        self.preview.setMinimumWidth(150)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(mid);")
        left = QVBoxLayout()
        left.addWidget(self.message)
        left.addWidget(self.plot, 1)
        side = QVBoxLayout()
        side.addWidget(self.preview, 1)
        side.addWidget(self.hint)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(side, 1)
        upper = QWidget()
        ul = QVBoxLayout(upper)
        ul.setContentsMargins(0, 0, 0, 0)
        ul.addLayout(_hbox(self.proj_box, None, self.map_check, self.reset_button))
        ul.addLayout(body, 1)

        self.tray = GeneratedTray()
        self.tray.save_requested.connect(self.save_requested)
        self.tray.send_to_editor.connect(self.send_to_editor)
        self.interp = InterpolationPanel()
        self.interp.requested.connect(self.interpolate)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.tray, "")
        self.tabs.addTab(self.interp, "")

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        split.setSizes([330, 150])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(split)

        self._hover_timer = QTimer(self, singleShot=True)
        self._hover_timer.timeout.connect(self._flush_hover)
        self._map_timer = QTimer(self, singleShot=True, interval=self.MAP_DELAY_MS)
        self._map_timer.timeout.connect(self._compute_map)
        scene = self.plot.scene()
        scene.sigMouseMoved.connect(self._on_mouse_moved)
        scene.sigMouseClicked.connect(self._on_mouse_clicked)
        self.vb.sigRangeChanged.connect(self._schedule_map)
        self.vb.sigResized.connect(self._schedule_map)
        self.plot.viewport().installEventFilter(self)
        self.map_check.toggled.connect(self._on_map_toggled)
        self.reset_button.clicked.connect(self.reset_view)
        self.proj_combo.currentIndexChanged.connect(self._on_projection_changed)
        self.dim_i.valueChanged.connect(lambda _: self._on_dims_changed(self.dim_i, self.dim_j))
        self.dim_j.valueChanged.connect(lambda _: self._on_dims_changed(self.dim_j, self.dim_i))

    def retranslate(self) -> None:
        self.proj_label.setText(tr("Projection:"))
        self.proj_combo.setItemText(0, tr("dims i,j"))
        self.proj_combo.setItemText(1, tr("PCA"))
        self.dim_i.setToolTip(tr("Latent dimension shown horizontally"))
        self.dim_j.setToolTip(tr("Latent dimension shown vertically"))
        self.map_check.setText(tr("Latent map"))
        self.reset_button.setText(tr("Reset view"))
        self.hint.setText(tr("Hover to decode. Click to pin. Shift+click two points to interpolate."))
        self.tabs.setTabText(0, tr("Generated"))
        self.tabs.setTabText(1, tr("Interpolation"))
        self._update_state()

    # -- inputs ------------------------------------------------------------------------------
    def set_decoder(self, fn, image_shape) -> None:
        """fn(z [M, L] float32) -> [M, *image_shape] in [0, 1]; None means no model."""
        self._fn = fn
        self._shape = tuple(int(s) for s in image_shape)
        if fn is None:
            self._map = None
            self.map_item.clear()
            self.cursor_item.hide()
        self._update_state()
        self._redecode()

    def set_codes(self, codes, labels, autorange: bool = False) -> None:
        """Dataset codes [N, L]. Cheap; keeps the view unless autorange (or the latent size changed)."""
        codes = np.asarray(codes, dtype=np.float32)
        if codes.ndim == 1:
            codes = codes[:, None]
        labels = [str(s) for s in labels]
        if len(labels) != len(codes):
            raise ValueError(f"{len(codes)} codes but {len(labels)} labels")
        if codes.shape[1] != self._codes.shape[1]:
            self._codes = codes
            self._configure_projection_controls()
            autorange = True
        self._codes = codes
        self._update_projection()
        self._refresh_points(labels)
        if labels != self._labels:
            self.interp.set_labels(labels)
        self._labels = labels
        self._update_state()
        if autorange:
            self.reset_view()
        self._redecode()

    # -- public queries and actions ----------------------------------------------------------
    def latent_size(self) -> int:
        return int(self._codes.shape[1])

    def preview_image(self) -> np.ndarray | None:
        return self._preview

    def map_image(self) -> np.ndarray | None:
        """Last background map: decoded tiles [rows, cols, *image_shape], row 0 at the top."""
        return self._map

    def strip_images(self) -> np.ndarray | None:
        return self.interp.images()

    def projected_codes(self) -> np.ndarray:
        """Where the dataset points are drawn: [N, 2] view coordinates."""
        return self._xy

    def lift(self, x: float, y: float) -> np.ndarray:
        """The latent vector [L] that view point (x, y) stands for."""
        return self._lift(np.array([[x, y]]))[0]

    def hover_at(self, x: float, y: float) -> np.ndarray | None:
        """Decode view point (x, y): big preview plus a small glyph at the cursor."""
        if not self._ready():
            return None
        self._hover_xy[0, 0] = x
        self._hover_xy[0, 1] = y
        z = self._lift(self._hover_xy)
        img = self._decode(z)[0]
        self._preview = img
        self._last_hover = (x, y)
        self.preview.set_image(img)
        self.preview.set_caption(self._coords_text(x, y, z[0]))
        self.cursor_item.setImage(display_array(img, len(self._shape) == 2), levels=(0, 255))
        sx, sy = self._pixel_size()
        h, w = self._shape[:2]
        gap = 12  # px, keeps the glyph clear of the mouse pointer
        _place(self.cursor_item, x + gap * sx, y - gap * sy, self.CURSOR_PX * w / h * sx, self.CURSOR_PX * sy,
               self._shape)
        self.cursor_item.show()
        return img

    def pin_at(self, x: float, y: float):
        """Decode (x, y) into the Generated tray; returns (z, image)."""
        if not self._ready():
            return None
        z = self.lift(x, y)
        img = self._decode(z[None])[0]
        self.tray.add(z, img)
        self.tabs.setCurrentWidget(self.tray)
        self.pinned.emit(z.copy(), img.copy())
        return z, img

    def reset_view(self) -> None:
        if len(self._xy) == 0:
            return
        lo, hi = self._xy.min(0), self._xy.max(0)
        span = np.maximum(hi - lo, 1e-3)
        if self.latent_size() == 1:
            lo[1], hi[1], span[1] = -0.5 * span[0], 0.5 * span[0], span[0]
        # Extra room right and up: labels sit above-right of their points.
        self.vb.setRange(xRange=(lo[0] - 0.08 * span[0], hi[0] + 0.15 * span[0]),
                         yRange=(lo[1] - 0.08 * span[1], hi[1] + 0.15 * span[1]), padding=0)

    def interpolate(self, a: int | None = None, b: int | None = None, steps: int | None = None):
        """Decode `steps` points on the straight line from code a to code b (dataset indices)."""
        if not self._ready():
            return None
        a = self.interp.combo_a.currentIndex() if a is None else int(a)
        b = self.interp.combo_b.currentIndex() if b is None else int(b)
        if steps is not None:
            self.interp.steps.setValue(int(steps))
        if not (0 <= a < len(self._codes) and 0 <= b < len(self._codes)):
            return None
        self.interp.set_endpoints(a, b)
        self._strip_ends = (a, b)
        self._update_strip()
        self.tabs.setCurrentWidget(self.interp)
        return self.interp.images()

    def export_strip(self, path, scale: int = 8) -> None:
        """PNG of the strip, `scale` screen pixels per glyph pixel, one glyph pixel between tiles."""
        self.interp.export(path, scale)

    # -- projection --------------------------------------------------------------------------
    def _configure_projection_controls(self) -> None:
        n = self.latent_size()
        for spin, val in ((self.dim_i, 0), (self.dim_j, 1)):
            spin.blockSignals(True)
            spin.setRange(0, max(0, n - 1))
            spin.setValue(min(val, max(0, n - 1)))
            spin.blockSignals(False)
        self.proj_box.setVisible(n > 2)
        self.dims_box.setVisible(self.proj_combo.currentIndex() == 0)

    def _update_projection(self) -> None:
        n = self.latent_size()
        codes = self._codes.astype(np.float64)
        if n <= 2:
            basis, origin = np.eye(2, n), np.zeros(n)
        elif self.proj_combo.currentIndex() == 1 and len(codes) >= 2:
            from sklearn.decomposition import PCA  # slow import, only when asked for
            pca = PCA(n_components=2, svd_solver="full").fit(codes)
            # inverse_transform is xy @ components_ + mean_ (no whitening): the same affine map.
            basis, origin = pca.components_.copy(), pca.mean_
            if self._basis.shape == basis.shape:
                # Refits during training may flip an axis; keep the old orientation.
                basis *= np.where(np.sum(basis * self._basis, axis=1) < 0, -1.0, 1.0)[:, None]
        else:
            i, j = self.dim_i.value(), self.dim_j.value()
            # Dimensions off screen sit at the dataset mean.
            origin = codes.mean(0) if len(codes) else np.zeros(n)
            origin[[i, j]] = 0.0
            basis = np.zeros((2, n))
            basis[0, i] = basis[1, j] = 1.0
        self._basis, self._origin = basis, origin
        self._xy = (codes - origin) @ basis.T if len(codes) else np.zeros((0, 2))

    def _on_projection_changed(self, _index: int) -> None:
        self.dims_box.setVisible(self.proj_combo.currentIndex() == 0)
        self._reproject()

    def _on_dims_changed(self, changed: QSpinBox, other: QSpinBox) -> None:
        if changed.value() == other.value():  # one axis twice would make y meaningless
            other.blockSignals(True)
            other.setValue((changed.value() + 1) % max(1, self.latent_size()))
            other.blockSignals(False)
        self._reproject()

    def _reproject(self) -> None:
        if len(self._codes) == 0:
            return
        self._update_projection()
        self._refresh_points(self._labels)
        self.reset_view()
        self._redecode()

    def _lift(self, xy: np.ndarray) -> np.ndarray:
        return (xy @ self._basis + self._origin).astype(np.float32)

    # -- drawing -----------------------------------------------------------------------------
    def _refresh_points(self, labels: list[str]) -> None:
        xy = self._xy
        self.scatter.setData(pos=xy)
        while len(self._texts) < len(xy):
            t = pg.TextItem(color=LABEL_COLOR, fill=LABEL_FILL, anchor=(0, 1))
            t.setZValue(6)
            self.plot.addItem(t, ignoreBounds=True)
            self._texts.append(t)
        old = self._labels
        for k, t in enumerate(self._texts):
            if k < len(xy):
                if k >= len(old) or old[k] != labels[k] or not t.isVisible():
                    t.setText(labels[k])
                t.setPos(float(xy[k, 0]), float(xy[k, 1]))
                t.show()
            else:
                t.hide()
        self._update_line()

    def _update_line(self) -> None:
        ends = self._strip_ends
        if ends is None or max(ends) >= len(self._xy):
            self.line_item.setData([], [])
        else:
            pts = self._xy[list(ends)]
            self.line_item.setData(pts[:, 0], pts[:, 1])

    def _update_state(self) -> None:
        if self._fn is None:
            text = tr("No model: build or load one to explore its latent space.")
        elif len(self._codes) == 0:
            text = tr("No latent codes yet: train the model or encode the dataset.")
        else:
            text = ""
        self.message.setText(text)
        self.message.setVisible(bool(text))
        ready = not text
        self.interp.set_ready(ready)
        if not ready:
            self._preview = None
            self.preview.set_image(None)
            self.preview.set_caption("")

    def _ready(self) -> bool:
        return self._fn is not None and len(self._codes) > 0

    def _decode(self, z: np.ndarray) -> np.ndarray:
        out = np.asarray(self._fn(z), dtype=np.float32)
        return out.reshape((len(z),) + self._shape)

    def _pixel_size(self) -> tuple[float, float]:
        sx, sy = self.vb.viewPixelSize()
        if not (np.isfinite(sx) and np.isfinite(sy) and sx > 0 and sy > 0):
            # Not laid out yet (hidden widget): pretend the view is 400 px across.
            (x0, x1), (y0, y1) = self.vb.viewRange()
            sx, sy = (x1 - x0) / 400, (y1 - y0) / 400
        return sx, sy

    def _coords_text(self, x: float, y: float, z: np.ndarray) -> str:
        if len(z) == 1:
            return f"z = {z[0]:.2f}"
        if len(z) == 2:
            return f"z = ({z[0]:.2f}, {z[1]:.2f})"
        head = ", ".join(f"{v:.2f}" for v in z[:4])
        return f"({x:.2f}, {y:.2f})\nz = [{head}{', …' if len(z) > 4 else ''}]"

    def _redecode(self) -> None:
        """The decoder may have changed (training): refresh what is on screen, cheaply."""
        self._update_line()
        if not self._ready():
            self.line_item.setData([], [])
            return
        if self._last_hover is not None:
            self.hover_at(*self._last_hover)
        if self._strip_ends is not None and max(self._strip_ends) < len(self._codes):
            self._update_strip()
        self._schedule_map()

    def _update_strip(self) -> None:
        a, b = self._strip_ends
        t = np.linspace(0.0, 1.0, self.interp.steps.value(), dtype=np.float32)[:, None]
        z = (1.0 - t) * self._codes[a] + t * self._codes[b]
        self.interp.set_strip(self._decode(z), (self._labels[a], self._labels[b]))
        self._update_line()

    # -- background map ----------------------------------------------------------------------
    def _on_map_toggled(self, on: bool) -> None:
        self.map_item.setVisible(on)
        self._schedule_map()

    def _schedule_map(self, *args) -> None:
        if self._ready() and self.map_check.isChecked():
            self._map_timer.start()

    def _compute_map(self) -> None:
        if not (self._ready() and self.map_check.isChecked()):
            return
        (x0, x1), (y0, y1) = self.vb.viewRange()
        h, w = self._shape[:2]
        # Grid shaped so each cell has roughly the glyph's aspect on screen.
        aspect = max(self.vb.width(), 1.0) / max(self.vb.height(), 1.0) * h / w
        rows = int(np.clip(round(np.sqrt(self.MAP_TILES / aspect)), 2, 48))
        cols = int(np.clip(round(self.MAP_TILES / rows), 2, 48))
        xs = x0 + (np.arange(cols) + 0.5) * (x1 - x0) / cols
        ys = y1 - (np.arange(rows) + 0.5) * (y1 - y0) / rows
        xy = np.column_stack([np.tile(xs, rows), np.repeat(ys, cols)])
        tiles = self._decode(self._lift(xy)).reshape((rows, cols) + self._shape)
        self._map = tiles
        rest = self._shape[2:]
        gray = len(self._shape) == 2
        mosaic = np.full((rows, h + 1, cols, w + 1) + rest, GAP_COLOR, np.uint8)
        mosaic[:, :h, :, :w] = np.swapaxes(display_array(tiles, gray), 1, 2)
        mosaic = mosaic.reshape((rows * (h + 1), cols * (w + 1)) + rest)
        self.map_item.setImage(mosaic, levels=(0, 255))
        # Half a mosaic pixel of shift centres each tile on the point it decodes.
        pw, ph = (x1 - x0) / (cols * (w + 1)), (y1 - y0) / (rows * (h + 1))
        _place(self.map_item, x0 + 0.5 * pw, y1 - 0.5 * ph, x1 - x0, y1 - y0, mosaic.shape)

    # -- mouse -------------------------------------------------------------------------------
    def _on_mouse_moved(self, pos: QPointF) -> None:
        # Coalesce: keep only the newest position and decode at most once per interval.
        self._pending_pos = QPointF(pos)
        if not self._hover_timer.isActive():
            since = (time.perf_counter() - self._last_hover_t) * 1000.0
            self._hover_timer.start(int(max(0.0, self.HOVER_INTERVAL_MS - since)))

    def _flush_hover(self) -> None:
        pos, self._pending_pos = self._pending_pos, None
        if pos is None:
            return
        self._last_hover_t = time.perf_counter()
        if not self.vb.sceneBoundingRect().contains(pos):
            self.cursor_item.hide()
            return
        p = self.vb.mapSceneToView(pos)
        self.hover_at(p.x(), p.y())

    def _on_mouse_clicked(self, ev) -> None:
        # The second press of a double click also arrives here; one pin per gesture is enough.
        if ev.button() != Qt.MouseButton.LeftButton or ev.double() or not self._ready():
            return
        if not self.vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        p = self.vb.mapSceneToView(ev.scenePos())
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._pick_endpoint(p.x(), p.y())
        else:
            self.pin_at(p.x(), p.y())

    def _pick_endpoint(self, x: float, y: float) -> None:
        sx, sy = self._pixel_size()
        d = np.hypot((self._xy[:, 0] - x) / sx, (self._xy[:, 1] - y) / sy)
        k = int(np.argmin(d))
        if d[k] > 20:  # px: Shift+click must land near a dataset point
            return
        if not self._pick_second:
            self.interp.set_endpoints(k)
            self.tabs.setCurrentWidget(self.interp)
        else:
            self.interpolate(self.interp.combo_a.currentIndex(), k)
        self._pick_second = not self._pick_second

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Leave:
            self._pending_pos = None
            self.cursor_item.hide()
        return super().eventFilter(obj, event)
