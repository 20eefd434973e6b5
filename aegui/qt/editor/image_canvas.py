"""Drawing for image models: a canvas in the model's own shape (e.g. 8x8 or 28x28 grey) with a
round brush; the model gets exactly the pixels drawn (noise added if asked), and the panel
shows its output, the code (a marker on the latent canvas) and the nearest training images.

The 5x7 pixel editor stays for glyph models; the window shows this panel for image models.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QScrollArea, QVBoxLayout, QWidget)

from superqt.utils import qthrottled

from aegui.core.data.dataset import GLYPH_SHAPE
from aegui.qt.i18n import notifier, tr
from aegui.qt.threads import Latest
from aegui.qt.widgets.glyph_view import GlyphView

NOISES = (("none", "no noise"), ("gaussian", "gaussian"), ("salt_pepper", "salt and pepper"))


BRUSH_PER_SIDE = 1.5 / 28     # a 28x28 picture's 1.5 px brush, in proportion for other sizes
GRID_SIDE = 16                 # up to this side the canvas shows its cells and paints whole ones


def default_brush(shape) -> float:
    """The brush radius for a picture of this shape, in half pixels: an 8x8 digit gets a
    one-cell brush (1.5 painted 2-3 cells a stroke wide and a "7" became a blob)."""
    return max(0.5, round(max(shape[:2]) * BRUSH_PER_SIDE * 2) / 2)


def stamp(pixels: np.ndarray, y: float, x: float, radius: float, value: float, cells: bool = False) -> None:
    """Paint a round dot centred at image point (y, x) (pixel centres at k + 0.5): soft-edged, or
    with `cells` whole cells (the cell under the point and those whose centres are within
    radius - 0.5 of it), as on a small grid where grey rims read as stray ink."""
    h, w = pixels.shape[:2]
    r = max(0.5, float(radius))
    y0, y1 = max(0, int(y - r - 1)), min(h, int(y + r + 2))
    x0, x1 = max(0, int(x - r - 1)), min(w, int(x + r + 2))
    if y0 >= y1 or x0 >= x1:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1]
    d = np.hypot(yy + 0.5 - y, xx + 0.5 - x)
    if cells:
        under = (yy == int(np.floor(y))) & (xx == int(np.floor(x)))
        cover = ((d <= r - 0.5 + 1e-6) | under).astype(np.float32)
    else:
        cover = np.clip(r + 0.5 - d, 0.0, 1.0)     # 1 inside, a one-pixel soft rim
    if pixels.ndim == 3:
        cover = cover[..., None]
    patch = pixels[y0:y1, x0:x1]
    if value > 0:
        pixels[y0:y1, x0:x1] = np.maximum(patch, cover * value)
    else:
        pixels[y0:y1, x0:x1] = patch * (1.0 - cover)


class _View(GlyphView):
    """A GlyphView that takes the height it is given: square pictures asking height-for-width
    made the dock, and with it the window, taller than 800 px."""

    def hasHeightForWidth(self) -> bool:
        return False


def _run(reconstruct, encode, x):
    """(the model's output for x [D], its code or None)."""
    out = reconstruct(x[None])
    code = None if encode is None else np.asarray(encode(x[None]), np.float32)[0]
    return out, code


class ImageCanvas(_View):
    """A GlyphView the mouse paints on; `changed` carries a copy of the pixels after each move."""
    changed = Signal(object)

    def __init__(self, shape=(28, 28), parent=None):
        super().__init__(parent, cell_size=10, grid=False)
        self.brush = 1.5
        self.cells = False
        self._last: QPointF | None = None
        self._value = 1.0
        self.set_shape(shape)
        self.setMinimumSize(120, 120)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def set_shape(self, shape) -> None:
        self.pixels = np.zeros(tuple(int(s) for s in shape), np.float32)
        self.cells = max(self.pixels.shape[:2]) <= GRID_SIDE
        self.brush = default_brush(self.pixels.shape)
        self.set_grid(self.cells)
        self.set_image(self.pixels)

    def clear(self) -> None:
        self.pixels[:] = 0
        self._changed()

    def set_pixels(self, arr) -> None:
        self.pixels = np.array(arr, np.float32).reshape(self.pixels.shape).clip(0, 1)
        self._changed()

    def image_point(self, pos) -> tuple[float, float]:
        g = self.grid_rect()
        s = self.scale()
        return (pos.y() - g.y()) / s, (pos.x() - g.x()) / s

    def paint_line(self, a: tuple[float, float], b: tuple[float, float], value: float = 1.0) -> None:
        """A stroke from image point a to b (y, x): dots every half pixel."""
        n = max(1, int(np.ceil(np.hypot(b[0] - a[0], b[1] - a[1]) * 2)))
        for t in np.linspace(0.0, 1.0, n + 1):
            stamp(self.pixels, a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, self.brush, value, self.cells)
        self._changed()

    def _changed(self) -> None:
        self.set_image(self.pixels)
        self.changed.emit(self.pixels.copy())

    def mousePressEvent(self, event) -> None:
        self._value = 0.0 if event.button() == Qt.MouseButton.RightButton else 1.0
        p = self.image_point(event.position())
        self._last = event.position()
        self.paint_line(p, p, self._value)

    def mouseMoveEvent(self, event) -> None:
        if self._last is None:
            return
        a, b = self.image_point(self._last), self.image_point(event.position())
        self._last = event.position()
        self.paint_line(a, b, self._value)

    def mouseReleaseEvent(self, event) -> None:
        self._last = None


class DrawPanel(QWidget):
    """Canvas, brush, noise, and what the model makes of the drawing."""
    input_changed = Signal(object)     # the flat pixels fed to the model (network view)
    code_changed = Signal(object)      # the drawing's code [L] (a marker on the latent canvas)

    NEAREST = 3
    UPDATE_MS = 30                     # strokes faster than this are coalesced

    def __init__(self, parent=None):
        super().__init__(parent)
        self._jobs = Latest(self)    # the model's output for a snapshot's new weights
        self.canvas = ImageCanvas()
        self._reconstruct = self._encode = None
        self._images = None
        self._labels: list[str] = []
        self._rng = np.random.default_rng(0)
        self.fed: np.ndarray | None = None     # what the model got last, [D]
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("padding: 4px; background: #fff4d6; color: #5a4300;")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.brush_label, self.noise_label = QLabel(), QLabel()
        self.brush = QDoubleSpinBox()
        self.brush.setRange(0.5, 8.0)
        self.brush.setSingleStep(0.5)
        self.brush.setValue(self.canvas.brush)
        self.noise = QComboBox()
        for key, _ in NOISES:
            self.noise.addItem("", key)
        self.level = QDoubleSpinBox()
        self.level.setRange(0.0, 1.0)
        self.level.setSingleStep(0.05)
        self.level.setValue(0.1)
        self.clear_button = QPushButton()
        self.input_view = _View(cell_size=8, grid=False)
        self.output_view = _View(cell_size=8, grid=False)
        self.near_views = [_View(cell_size=5, grid=False) for _ in range(self.NEAREST)]
        self.near_label = QLabel()
        row = QGridLayout()     # two rows: one would not fit beside the latent canvas at 1280 px
        row.addWidget(self.brush_label, 0, 0)
        row.addWidget(self.brush, 0, 1)
        row.addWidget(self.clear_button, 0, 2)
        row.addWidget(self.noise_label, 1, 0)
        row.addWidget(self.noise, 1, 1)
        row.addWidget(self.level, 1, 2)
        row.setColumnStretch(3, 1)
        outs = QGridLayout()
        outs.addWidget(self.input_view, 0, 0)
        outs.addWidget(self.output_view, 0, 1)
        near = QHBoxLayout()
        for v in self.near_views:
            near.addWidget(v)
        # In a scroll area: the panel shares its dock area with the pixel editor, and its own
        # minimum height would otherwise make the window taller than 800 px.
        inner = QWidget()
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.message)
        lay.addWidget(self.hint)
        lay.addWidget(self.canvas, 3)
        lay.addLayout(row)
        lay.addLayout(outs, 2)
        lay.addWidget(self.near_label)
        lay.addLayout(near, 1)
        self._stroke = qthrottled(self.run_model, timeout=self.UPDATE_MS, leading=False)
        self._stroke_pending = False
        self.canvas.changed.connect(self._stroke_changed)
        self.brush.valueChanged.connect(lambda v: setattr(self.canvas, "brush", float(v)))
        self.clear_button.clicked.connect(self.canvas.clear)
        self.noise.currentIndexChanged.connect(lambda _: self.run_model())
        self.level.valueChanged.connect(lambda _: self.run_model())
        notifier.changed.connect(self.retranslate)
        self.retranslate()

    def retranslate(self) -> None:
        self.hint.setText(tr("Draw here: left button paints, right button erases."))
        self.brush_label.setText(tr("Brush:"))
        self.noise_label.setText(tr("Noise:"))
        self.clear_button.setText(tr("Erase all"))   # not "Clear": two panels translate it differently
        for k, (_, name) in enumerate(NOISES):
            self.noise.setItemText(k, tr(name))
        self.input_view.set_caption(tr("Model input"))
        self.output_view.set_caption(tr("Model output"))
        self.near_label.setText(tr("Nearest training images"))
        self._update_message()

    def _update_message(self) -> None:
        none = self._reconstruct is None
        self.message.setText(tr("No image model: open or train one on pictures to draw for it.") if none else "")
        self.message.setVisible(none)

    def bind(self, workspace) -> None:
        """Draw for the workspace's current model when it reads pictures; the drawing lights the
        network view and is marked on the latent canvas."""
        self._ws = workspace
        workspace.current_changed.connect(lambda model, _previous: self._show_model(model, fresh=True))
        workspace.current_updated.connect(lambda model: self._show_model(model, fresh=False))
        self.input_changed.connect(workspace.set_input)
        self.code_changed.connect(workspace.mark_code)

    def _show_model(self, model, fresh: bool) -> None:
        if fresh:
            self._jobs.cancel()     # a result on its way is the last model's (another shape: it raised)
        if model is None or model.model is None or model.shape == GLYPH_SHAPE:
            if fresh:
                self._ws.mark_code(None)
                self.set_model(None, None, model.shape if model is not None else GLYPH_SHAPE)
            return
        shown = model.shown
        self.set_model(model.reconstructor(), model.encoder(), model.shape, shown.images(), shown.labels,
                       background=True)     # a run's snapshots are never run on the GUI thread

    def busy(self) -> bool:
        return self._jobs.busy() or self._stroke_pending

    def set_model(self, reconstruct, encode, shape, images=None, labels=(), background: bool = False) -> None:
        """reconstruct(x [N, D]) -> [N, D]; encode(x [N, D]) -> [N, L]; `images` [N, *shape] are
        searched for the nearest to the drawing. None: no image model. `background`: new weights
        of the same model (training): run on a worker."""
        self._reconstruct, self._encode = reconstruct, encode
        shape = tuple(int(s) for s in shape)
        if shape != self.canvas.pixels.shape:
            self.canvas.set_shape(shape)
            self.brush.setValue(self.canvas.brush)     # the new size's brush
            big = max(shape[:2]) > 16
            for v in [self.input_view, self.output_view] + self.near_views:
                v.set_grid(not big)
        self._images = None if images is None else np.asarray(images, np.float32)
        self._labels = [str(s) for s in labels]
        self._update_message()
        self.run_model(background=background)

    def model_input(self) -> np.ndarray:
        """The drawing as the model gets it: [D], noise added when asked."""
        x = self.canvas.pixels.reshape(-1).astype(np.float32)
        kind = self.noise.currentData()
        if kind != "none" and self.level.value() > 0:
            from aegui.core.data.noise import apply_noise
            x = apply_noise(x[None], kind, float(self.level.value()), self._rng)[0].astype(np.float32)
        return x

    def _stroke_changed(self, _pixels) -> None:
        self._stroke_pending = True
        self._stroke()

    def run_model(self, background: bool = False) -> None:
        self._stroke_pending = False
        self._stroke.cancel()
        if self._reconstruct is None:
            return
        x = self.model_input()
        self.fed = x
        self.input_view.set_image(x.reshape(self.canvas.pixels.shape))
        if background:
            self._jobs.submit(_run, self._reconstruct, self._encode, x, on_done=lambda out: self._show_output(x, *out))
        else:
            self._jobs.cancel()    # a result on its way is older than this drawing
            self._show_output(x, *_run(self._reconstruct, self._encode, x))

    def _show_output(self, x, out, code) -> None:
        self.output_view.set_image(np.asarray(out, np.float32).reshape(self.canvas.pixels.shape))
        self.input_changed.emit(x)
        if code is not None:
            self.code_changed.emit(code)
        self._show_nearest(self.canvas.pixels.reshape(-1))

    def nearest(self, x, k: int | None = None) -> np.ndarray:
        """Indices of the k training images nearest to x (pixel space)."""
        if self._images is None or len(self._images) == 0:
            return np.zeros(0, np.int64)
        flat = self._images.reshape(len(self._images), -1)
        d = np.sum((flat - np.asarray(x, np.float32).reshape(1, -1)) ** 2, axis=1)
        k = min(k or self.NEAREST, len(d))
        idx = np.argpartition(d, k - 1)[:k]
        return idx[np.argsort(d[idx], kind="stable")]

    def _show_nearest(self, x) -> None:
        idx = self.nearest(x)
        for k, v in enumerate(self.near_views):
            if k < len(idx):
                v.set_image(self._images[idx[k]])
                v.set_caption(self._labels[idx[k]] if idx[k] < len(self._labels) else "")
            else:
                v.set_image(None)
                v.set_caption("")
