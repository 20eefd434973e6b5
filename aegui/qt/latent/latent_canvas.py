"""Latent space explorer: hover to decode, a decoded background map, pin and interpolate,
sample from a VAE's prior; dataset codes as labelled points, thumbnails or class colours.

The widget never sees a model: its owner passes a decoder function (numpy in, numpy out) and
the dataset codes, so it works the same for any architecture and never imports torch.
How the codes are drawn over the map (points, classes, thumbnails) is in latent_codes.
"""
from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QGraphicsPixmapItem, QHBoxLayout, QLabel,
                               QPushButton, QSpinBox, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from aegui.core.data.display import to_uint8
from aegui.qt.i18n import notifier, tr
from aegui.qt.widgets.glyph_view import GlyphView
from aegui.qt.widgets.note import NoteLabel
from aegui.qt.latent.latent_codes import CLASS_COLORS, LINE_PEN, PRIOR_PEN, CodeLayers
from aegui.qt.latent.latent_map import LatentMap, place_image
from aegui.qt.latent.latent_tray import GeneratedTray, InterpolationPanel
from aegui.qt.latent.replay_bar import ReplayBar
from aegui.qt.latent.rotate3d import Rotate3D
from aegui.qt.latent.search_bar import SearchBar
from aegui.qt.threads import Latest
from aegui.qt.widgets.text import write_explained

# Without this pyqtgraph reads arrays column-major and 7x5 glyphs come out transposed.
pg.setConfigOptions(imageAxisOrder="row-major")

POINT_BRUSH = pg.mkBrush(230, 90, 20)


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


class LatentCanvas(CodeLayers, QWidget):
    pinned = Signal(object, object)      # z (L,), image
    save_requested = Signal(object)      # image
    send_to_editor = Signal(object)      # image
    hovered = Signal(object)             # image decoded under the cursor (the network view lights it)

    HOVER_INTERVAL_MS = 16
    CURSOR_PX = 44         # on-screen height of the glyph that follows the cursor
    CURSOR_IMAGE_PX = 64   # ... and of an image

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
        self._strip_ends: tuple[int, int] | None = None
        self._last_hover: tuple[float, float] | None = None
        self._pending_pos: QPointF | None = None
        self._last_hover_t = 0.0
        self._last_scene_pos: QPointF | None = None   # where the mouse rests over the plot
        self._user_view = False                       # the user panned or zoomed since the last fit
        self._fitting = False
        self._pick_second = False
        self._texts: list[pg.TextItem] = []
        self._images: np.ndarray | None = None       # dataset samples, for thumbnails
        self._images_src = None
        self._thumbs: list[QGraphicsPixmapItem] = []
        self._classes: list[str] | None = None
        self._class_items: list[pg.ScatterPlotItem] = []
        self._vae = False
        self._replay_codes: np.ndarray | None = None  # a replay frame drawn instead of the codes
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
        self.map = LatentMap(self)
        # The preview and the interpolation strip, decoded again when the model changes.
        self._redecodes = Latest(self)
        self.line_item = pg.PlotDataItem(pen=LINE_PEN)
        self.scatter = pg.ScatterPlotItem(size=8, pen=pg.mkPen("w"), brush=POINT_BRUSH)
        self.scatter.setZValue(7)  # above the label backgrounds
        self.cursor_item = pg.ImageItem()
        self.cursor_item.setBorder(pg.mkPen((60, 60, 60)))
        self.cursor_item.setZValue(20)
        self.cursor_item.hide()
        self.prior_item = pg.ScatterPlotItem(size=11, symbol="x", pen=PRIOR_PEN, brush=pg.mkBrush(120, 30, 170))
        self.prior_item.setZValue(9)
        for it in (self.map.item, self.line_item, self.scatter, self.prior_item, self.cursor_item):
            self.plot.addItem(it, ignoreBounds=True)
        self.legend = pg.LegendItem(offset=(-6, 6), labelTextColor=(30, 30, 30),
                                    brush=pg.mkBrush(255, 255, 255, 200), pen=pg.mkPen((160, 160, 160)))
        self.legend.setParentItem(self.vb)
        self.legend.setZValue(30)
        self.legend.hide()

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
        self.rotate = Rotate3D()
        self.rotate.setVisible(False)     # only for 3-D latent spaces
        self._rotate_drag = None
        self.map_check = QCheckBox()
        self.map_check.setChecked(True)
        self.reset_button = QPushButton()
        self.codes_label = QLabel()
        self.codes_combo = QComboBox()   # items: (text, mode) for the modes this data allows
        self.codes_box = QWidget()
        _hbox(self.codes_label, self.codes_combo, parent=self.codes_box)
        self.codes_box.setVisible(False)

        self.message = NoteLabel("warning")
        self.preview = GlyphView(cell_size=20)
        self.preview.setMinimumWidth(110)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(mid);")
        left = QVBoxLayout()
        left.addWidget(self.message)
        left.addWidget(self.plot, 1)
        self.replay = ReplayBar(self)
        side = QVBoxLayout()
        side.addWidget(self.preview, 1)
        # Beside the plot rather than above it: the row above is full at 1280 px.
        side.addWidget(self.codes_box)
        self.search = SearchBar(self)
        self.search.attach(self.plot)
        # In the side column, two rows: the row above the plot has no room left at 1280 px.
        side.addWidget(self.search)
        side.addWidget(self.search.result)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(side, 1)
        self._body = body
        upper = QWidget()
        ul = QVBoxLayout(upper)
        ul.setContentsMargins(0, 0, 0, 0)
        ul.addLayout(_hbox(self.proj_box, self.rotate, None, self.map_check, self.reset_button))
        ul.addLayout(body, 1)
        # Under plot and side column both: beside the search column it made the canvas too wide
        # for the pixel editor to sit next to it at 1024 px.
        ul.addWidget(self.replay)
        ul.addWidget(self.hint)        # the whole width: in the side column it needed 5 lines

        self.tray = GeneratedTray()
        self.tray.save_requested.connect(self.save_requested)
        self.tray.send_to_editor.connect(self.send_to_editor)
        self.tray.sample_requested.connect(self.sample_prior)
        self.interp = InterpolationPanel()
        self.interp.requested.connect(self.interpolate)
        self.tabs = QTabWidget()
        # Its pages are wide (buttons, the strip): left alone they set the canvas's minimum and
        # kept a 1024 px window from holding the pixel editor beside it.
        self.tabs.setMinimumWidth(240)
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
        # A new decoder is followed at once by its codes (set_codes), whose latent size may
        # differ: decode what is on screen only after both, in the same event-loop turn.
        self._redecode_timer = QTimer(self, singleShot=True, interval=0)
        self._redecode_timer.timeout.connect(self._redecode)
        scene = self.plot.scene()
        scene.sigMouseMoved.connect(self._on_mouse_moved)
        scene.sigMouseClicked.connect(self._on_mouse_clicked)
        self.vb.sigRangeChanged.connect(self.map.schedule)
        # The cursor's picture stands for what is under the mouse: when the view moves under a
        # still mouse (wheel zoom, a new model's range) it is decoded and sized again.
        self.vb.sigRangeChanged.connect(self._follow_cursor)
        self.vb.sigResized.connect(self._follow_cursor)   # wider tick labels move the view box
        self.vb.sigRangeChanged.connect(self._on_view_chosen)
        self.vb.sigResized.connect(self.map.schedule)
        self.plot.viewport().installEventFilter(self)
        self.map_check.toggled.connect(self.map.set_enabled)
        self.codes_combo.currentIndexChanged.connect(lambda _: self._refresh_points(self._labels))
        self.tray.changed.connect(self._update_prior_markers)
        self.reset_button.clicked.connect(self.reset_view)
        self.proj_combo.currentIndexChanged.connect(self._on_projection_changed)
        self.rotate.changed.connect(self._on_rotated)
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
        self.hint.setText(tr("Hover to decode. Click to pin. Shift+click two points to interpolate. "
                             "Alt+click a point: its nearest neighbours."))
        self.tabs.setTabText(0, tr("Generated"))
        self.tabs.setTabText(1, tr("Interpolation"))
        self.codes_label.setText(tr("Codes:"))
        self.codes_combo.setToolTip(tr("How the dataset's codes are drawn"))
        names = {"points": "Points", "thumbs": "Thumbnails", "classes": "Colour by label"}
        for k in range(self.codes_combo.count()):
            self.codes_combo.setItemText(k, tr(names[self.codes_combo.itemData(k)]))
        self._update_state()

    # -- inputs ------------------------------------------------------------------------------
    def set_decoder(self, fn, image_shape, vae: bool = False) -> None:
        """fn(z [M, L] float32) -> [M, *image_shape] in [0, 1]; None means no model. `vae`: the
        model has a N(0, I) prior to sample new images from."""
        self._fn = fn
        shape = tuple(int(s) for s in image_shape)
        if shape != self._shape:
            self.map.forget_cost()
        self._shape = shape
        self._vae = bool(vae)
        self.tray.set_prior_available(self._vae and fn is not None)
        glyph = max(shape[:2]) <= 8
        # Glyphs: 20 px cells and a grid; images: about 160 px, no grid.
        self.preview.set_grid(glyph)
        self.preview.set_cell_size(20 if glyph else 160 / max(shape[:2]))
        self._body.setStretch(1, 1 if glyph else 2)   # a picture is worth a bigger preview
        if fn is None:
            self.map.clear()
            self.cursor_item.hide()
        self._update_state()
        self._redecode_timer.start()

    def set_codes(self, codes, labels, autorange: bool = False, images=None) -> None:
        """Dataset codes [N, L]. Cheap; keeps the view unless autorange (or the latent size changed).
        `images` [N, *shape]: the samples themselves, drawn as thumbnails when there are few."""
        codes = np.asarray(codes, dtype=np.float32)
        if codes.ndim == 1:
            codes = codes[:, None]
        labels = [str(s) for s in labels]
        if len(labels) != len(codes):
            raise ValueError(f"{len(codes)} codes but {len(labels)} labels")
        if images is not None and len(images) != len(codes):
            raise ValueError(f"{len(codes)} codes but {len(images)} images")
        self._set_images(images, labels)
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
        self.search.set_data(codes, labels, images)
        self._update_state()
        if autorange or self._view_lost_points():
            self.reset_view()
        self._redecode()

    def _view_lost_points(self) -> bool:
        """While training, codes can grow from +-3 to +-100: a view the user has not moved
        follows them out; a view the user moved is kept unless no point is left in it."""
        if len(self._xy) == 0:
            return False
        (x0, x1), (y0, y1) = self.vb.viewRange()
        xy = self._xy
        inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
        if self._user_view:
            return not inside.any()
        return not inside.all()

    def _on_view_chosen(self, *_) -> None:
        # Any range that reset_view did not fit was chosen (a pan, a zoom, code asking for it).
        if not self._fitting:
            self._user_view = True

    def _follow_cursor(self, *_) -> None:
        if self._last_scene_pos is not None and self.cursor_item.isVisible() and self._ready():
            p = self.vb.mapSceneToView(self._last_scene_pos)
            try:
                self.hover_at(p.x(), p.y())
            except ValueError:   # a new model whose projection is not set yet (GUI monkey): next move
                pass

    # -- public queries and actions ----------------------------------------------------------
    def latent_size(self) -> int:
        return int(self._codes.shape[1])

    def preview_image(self) -> np.ndarray | None:
        return self._preview

    def map_image(self) -> np.ndarray | None:
        """Last background map: decoded tiles [rows, cols, *image_shape], row 0 at the top."""
        return self.map.tiles

    def busy(self) -> bool:
        """Decodes for what is on screen are still on their way (the map, the strip, the preview)."""
        return self.map.busy() or self._redecodes.busy() or self._redecode_timer.isActive()

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
        self._last_hover = (x, y)
        self._show_preview(img, x, y, z[0])
        self.cursor_item.setImage(to_uint8(img), levels=(0, 255))
        sx, sy = self._pixel_size()
        h, w = self._shape[:2]
        px = self.CURSOR_PX if max(h, w) <= 8 else self.CURSOR_IMAGE_PX
        gap = 12  # px, keeps the glyph clear of the mouse pointer
        place_image(self.cursor_item, x + gap * sx, y - gap * sy, px * w / h * sx, px * sy, self._shape)
        self.cursor_item.show()
        self.hovered.emit(img)
        return img

    def _show_preview(self, img: np.ndarray, x: float, y: float, z: np.ndarray) -> None:
        self._preview = img
        self.preview.set_image(img)
        self.preview.set_caption(self._coords_text(x, y, z))

    def forget_model(self) -> None:
        """Another model: nothing of the last one stays on screen (the hover preview and the
        cursor's picture, the search and its highlights, the interpolation, a replay frame)."""
        self._redecodes.cancel()
        self._last_hover = self._pending_pos = self._last_scene_pos = None
        self._preview = None
        self.preview.set_image(None)
        self.preview.set_caption("")
        self.cursor_item.hide()
        self._strip_ends = None
        self._pick_second = False
        self.interp.clear_strip()
        self.line_item.setData([], [])
        self._replay_codes = None
        self.search.clear()
        self.map.clear()

    def bind(self, workspace) -> None:
        """Show the workspace's current model; ask it to send glyphs on and to light the
        network view's input."""
        self._ws = workspace
        workspace.current_changed.connect(lambda model, _previous: self._show_model(model, True))
        workspace.current_updated.connect(lambda model: self._show_model(model, False))
        workspace.code_marked.connect(self.search.mark)
        self.send_to_editor.connect(workspace.send_to_editor)
        self.save_requested.connect(lambda image: workspace.save_glyph(image, "latent"))
        self.hovered.connect(workspace.set_input)
        workspace.record_replay = self.replay.recording()
        self.replay.recording_changed.connect(lambda on: setattr(workspace, "record_replay", on))

    def _show_model(self, model, changed: bool) -> None:
        """`changed`: another model (fit the view, forget the last one's state); else the same
        model's new weights (keep the view)."""
        if changed:
            self.forget_model()
        if model is None or model.view is None:
            self.set_decoder(None, self._shape)
            self.set_codes(np.zeros((0, 2), np.float32), [])
            self.replay.set_store(None, [])
            return
        shown = model.shown
        self.set_decoder(model.decoder(), model.shape, vae=model.kind == "vae")
        self.set_codes(model.view.codes, shown.labels, autorange=changed, images=shown.images())
        if changed:
            live = model is self._ws.live
            self.replay.set_store(model.replay, shown.labels, live=live)

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

    def sample_prior(self, n: int | None = None, seed: int | None = None, replace: bool = False):
        """Decode n points z ~ N(0, I) (seeded) into the Generated tray, first sample leftmost;
        `replace` swaps out the previous batch (Re-roll). Returns (z [n, L], images), or None
        when there is no VAE on the canvas."""
        if not (self._ready() and self._vae):
            return None
        n = self.tray.count.value() if n is None else int(n)
        seed = self.tray.seed.value() if seed is None else int(seed)
        z = np.random.default_rng(seed).standard_normal((n, self.latent_size())).astype(np.float32)
        images = self._decode(z)
        self.tray.add_samples(z, images, replace)
        self.tabs.setCurrentWidget(self.tray)
        self._update_prior_markers()
        return z, images

    def codes_mode(self) -> str:
        """How the codes are drawn now: "points", "thumbs" or "classes"."""
        return self.codes_combo.currentData() or "points"

    def set_codes_mode(self, mode: str) -> bool:
        k = self.codes_combo.findData(mode)
        if k >= 0:
            self.codes_combo.setCurrentIndex(k)
        return k >= 0

    def class_colors(self) -> dict[str, tuple[int, int, int]]:
        """Colour of each class while codes are coloured by label (empty otherwise)."""
        if self.codes_mode() != "classes" or not self._classes:
            return {}
        return {c: CLASS_COLORS[k] for k, c in enumerate(self._classes)}

    def thumbnail_items(self) -> list[QGraphicsPixmapItem]:
        return [t for t in self._thumbs if t.isVisible()]

    def traversal_figure(self, n: int = 9, names: tuple[str, str] | None = None):
        """A latent traversal (see figures.latent_traversal) over the visible region: n x n
        decodes along the two axes on screen (the chosen dims or the PCA components)."""
        from aegui.core.analyses.figures import latent_traversal  # Pillow only when a figure is made
        if not self._ready():
            return None
        (x0, x1), (y0, y1) = self.vb.viewRange()
        centres = (np.arange(n) + 0.5) / n
        xs, ys = x0 + centres * (x1 - x0), y0 + centres * (y1 - y0)
        L = self.latent_size()
        if names is None:
            if L > 2 and self.proj_combo.currentIndex() == 1:
                names = ("PC1", "PC2")
            elif L > 2:
                names = (f"z{self.dim_i.value()}", f"z{self.dim_j.value()}")
            else:
                names = ("z0", "z1")
        return latent_traversal(lambda xy: self._decode(self._lift(xy)), xs, ys if L > 1 else None,
                                shape=self._shape, names=names)

    def export_traversal(self, path, n: int = 9) -> bool:
        fig = self.traversal_figure(n)
        if fig is None:
            return False
        write_explained(path, lambda: fig.save(str(path), format="PNG"))
        return True

    def export_strip_gif(self, path) -> int:
        """The interpolation strip as an animated GIF; returns the number of frames."""
        return self.interp.export_gif(path)

    def reset_view(self) -> None:
        if len(self._xy) == 0:
            return
        lo, hi = self._xy.min(0), self._xy.max(0)
        span = np.maximum(hi - lo, 1e-3)
        if self.latent_size() == 1:
            lo[1], hi[1], span[1] = -0.5 * span[0], 0.5 * span[0], span[0]
        # Extra room right and up: labels sit above-right of their points.
        self._fitting = True
        try:
            self.vb.setRange(xRange=(lo[0] - 0.08 * span[0], hi[0] + 0.15 * span[0]),
                             yRange=(lo[1] - 0.08 * span[1], hi[1] + 0.15 * span[1]), padding=0)
        finally:
            self._fitting = False
        self._user_view = False

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

    def export_strip(self, path, scale: int | None = None) -> None:
        """PNG of the strip, `scale` figure pixels per sample pixel (default: about 48 px per
        tile), one sample pixel between tiles, the end labels underneath."""
        self.interp.export(path, scale)

    # -- replay (see replay_bar) -------------------------------------------------------------
    def projection(self) -> tuple[np.ndarray, np.ndarray]:
        """(basis [2, L], origin [L]): view xy = (z - origin) @ basis.T."""
        return self._basis.copy(), self._origin.copy()

    def project(self, codes) -> np.ndarray:
        """View coordinates [..., 2] of codes [..., L] in the current projection."""
        return (np.asarray(codes, np.float64) - self._origin) @ self._basis.T

    def show_replay_codes(self, codes) -> None:
        """Draw these codes [N, L] (a replay frame) where the dataset's are, in the same
        projection; None puts the model's own codes back."""
        self._replay_codes = None if codes is None else np.asarray(codes, np.float32)
        if len(self._codes) == 0:
            return
        self._update_projection()
        self._refresh_points(self._labels)

    def fit_replay(self, codes) -> None:
        """Frame every point of every snapshot [S, N, L], so a replay plays without leaving the view."""
        if len(codes) == 0 or np.shape(codes)[2] != self.latent_size():
            return
        xy = self.project(codes).reshape(-1, 2)
        lo, hi = xy.min(0), xy.max(0)
        span = np.maximum(hi - lo, 1e-3)
        self.vb.setRange(xRange=(lo[0] - 0.08 * span[0], hi[0] + 0.15 * span[0]),
                         yRange=(lo[1] - 0.08 * span[1], hi[1] + 0.15 * span[1]), padding=0)

    # -- 3-D view (see rotate3d) -------------------------------------------------------------
    def _on_rotated(self) -> None:
        """The 3-D view turned: keep the zoom, move the points and decode the new plane."""
        if len(self._codes) == 0:
            return
        first = self.rotate.active() and not getattr(self, "_rotated_once", False)
        self._rotated_once = self.rotate.active()
        self._update_projection()
        self._refresh_points(self._labels)
        if first:
            self.reset_view()
        self._redecode()

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
        self.rotate.setVisible(n == 3)

    def _update_projection(self) -> None:
        n = self.latent_size()
        codes = self._codes.astype(np.float64)
        if n <= 2:
            basis, origin = np.eye(2, n), np.zeros(n)
        elif n == 3 and self.rotate.active():
            basis, origin = self.rotate.basis(), (codes.mean(0) if len(codes) else np.zeros(n))
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
        replay = self._replay_codes
        if replay is not None and replay.shape == self._codes.shape:
            self._xy = self.project(replay)
        self.search.refresh()

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
        """The decoder may have changed (training): the cursor's point is decoded again here
        (hover decoding), the rest of what is on screen off the GUI thread."""
        self._redecode_timer.stop()
        self._update_line()
        if not self._ready():
            self.line_item.setData([], [])
            return
        if self._last_scene_pos is not None and self.cursor_item.isVisible():
            self._follow_cursor()        # the mouse's point under the new model and view
            hover = None
        else:
            hover = self._last_hover
        strip = self._strip_ends if self._strip_ends is not None and max(self._strip_ends) < len(self._codes) else None
        if hover is not None or strip is not None:
            zs = []
            if hover is not None:
                zs.append(self._lift(np.array([hover], np.float64)))
            if strip is not None:
                zs.append(self._strip_codes(*strip))
            sizes = [len(z) for z in zs]
            self._redecodes.submit(self._decode, np.concatenate(zs),
                                   on_done=lambda out: self._redecoded(out, hover, strip, sizes))
        self.map.schedule()

    def _redecoded(self, out: np.ndarray, hover, strip, sizes) -> None:
        if not self._ready() or out.shape[1:] != self._shape:
            return
        parts = np.split(out, np.cumsum(sizes)[:-1])
        if hover is not None and hover == self._last_hover:
            z = self._lift(np.array([hover], np.float64))
            self._show_preview(parts.pop(0)[0], *hover, z[0])
        elif hover is not None:
            parts.pop(0)
        if strip is not None and strip == self._strip_ends:
            a, b = strip
            self.interp.set_strip(parts[0], (self._labels[a], self._labels[b]))

    def _strip_codes(self, a: int, b: int) -> np.ndarray:
        t = np.linspace(0.0, 1.0, self.interp.steps.value(), dtype=np.float32)[:, None]
        return (1.0 - t) * self._codes[a] + t * self._codes[b]

    def _update_strip(self) -> None:
        a, b = self._strip_ends
        self.interp.set_strip(self._decode(self._strip_codes(a, b)), (self._labels[a], self._labels[b]))
        self._update_line()

    # -- background map ----------------------------------------------------------------------
    def map_tile_count(self) -> int:
        return self.map.tile_count()

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
        self._last_scene_pos = QPointF(pos)
        p = self.vb.mapSceneToView(pos)
        self.hover_at(p.x(), p.y())

    def _on_mouse_clicked(self, ev) -> None:
        # The second press of a double click also arrives here; one pin per gesture is enough.
        if ev.button() != Qt.MouseButton.LeftButton or ev.double() or not self._ready():
            return
        if not self.vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        p = self.vb.mapSceneToView(ev.scenePos())
        if ev.modifiers() & Qt.KeyboardModifier.AltModifier:
            self.search.neighbours_at(p.x(), p.y())
        elif ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
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
        t = event.type()
        if self.rotate.active() and t in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                                          QEvent.Type.MouseButtonRelease):
            # Right-button drags turn a 3-D view (pyqtgraph would zoom).
            right = event.button() == Qt.MouseButton.RightButton or event.buttons() & Qt.MouseButton.RightButton
            if t == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.RightButton:
                self._rotate_drag = event.position()
                return True
            if self._rotate_drag is not None and right:
                pos = event.position()
                self.rotate.drag(pos.x() - self._rotate_drag.x(), pos.y() - self._rotate_drag.y())
                self._rotate_drag = None if t == QEvent.Type.MouseButtonRelease else pos
                return True
        if event.type() == QEvent.Type.Leave:
            self._pending_pos = self._last_scene_pos = None
            self.cursor_item.hide()
        return super().eventFilter(obj, event)
