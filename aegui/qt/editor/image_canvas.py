"""Drawing for image models: a canvas in the model's own shape (e.g. 8x8 or 28x28 grey, 32x32
RGB) with a round brush; the model gets exactly the pixels drawn (noise added if asked), and the
panel shows its output, the code (a marker on the latent canvas) and the nearest training images.

The canvas starts from the model's background (aegui.core.data.display.background: no ink for
MNIST, white for emoji on white); colour models get a colour brush (BrushBar: a colour dialog and
an eyedropper). The canvas holds still under the pointer: the texts and pictures below it have
heights set from the panel's size alone, and the line above it shows the hint or the message in
the same room. Everything fits without scrolling from 1024x700 on.

The 5x7 pixel editor stays for glyph models; the window shows this panel for image models.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget


from aegui.core.data.dataset import GLYPH_SHAPE
from aegui.core.data.display import background as background_of
from aegui.qt.editor.brush_bar import BrushBar
from aegui.qt.i18n import bind_text, on_language, tr
from aegui.qt.workers.pacing import throttled
from aegui.qt.workers.threads import Latest
from aegui.qt.widgets.glyphs.glyph_view import GlyphView
from aegui.qt.widgets.text.note import NoteLabel
from aegui.qt.widgets.inputs.decimal_key import DecimalSpinBox

NOISES = (("none", "no noise"), ("gaussian", "gaussian"), ("salt_pepper", "salt and pepper"))


BRUSH_PER_SIDE = 1.5 / 28     # a 28x28 picture's 1.5 px brush, in proportion for other sizes
GRID_SIDE = 16                 # up to this side the canvas shows its cells and paints whole ones
# The pictures under the canvas, as shares of the panel's height (with their least and most px):
# the model's input and output, then the nearest training images.
OUTPUTS = (0.22, 110, 260)
NEAREST = (0.15, 80, 170)


def default_brush(shape) -> float:
    """The brush radius for a picture of this shape, in half pixels: an 8x8 digit gets a
    one-cell brush (1.5 painted 2-3 cells a stroke wide and a "7" became a blob)."""
    return max(0.5, round(max(shape[:2]) * BRUSH_PER_SIDE * 2) / 2)


def coverage(h: int, w: int, y: float, x: float, radius: float, cells: bool = False):
    """(rows, columns) slices and the cover in [0, 1] of a round dot centred at image point (y, x)
    (pixel centres at k + 0.5): soft-edged, or with `cells` whole cells (the cell under the point
    and those whose centres are within radius - 0.5 of it), as on a small grid where grey rims
    read as stray ink. None when the dot misses the picture."""
    r = max(0.5, float(radius))
    y0, y1 = max(0, int(y - r - 1)), min(h, int(y + r + 2))
    x0, x1 = max(0, int(x - r - 1)), min(w, int(x + r + 2))
    if y0 >= y1 or x0 >= x1:
        return None
    yy, xx = np.mgrid[y0:y1, x0:x1]
    d = np.hypot(yy + 0.5 - y, xx + 0.5 - x)
    if cells:
        under = (yy == int(np.floor(y))) & (xx == int(np.floor(x)))
        cover = ((d <= r - 0.5 + 1e-6) | under).astype(np.float32)
    else:
        cover = np.clip(r + 0.5 - d, 0.0, 1.0)     # 1 inside, a one-pixel soft rim
    return (slice(y0, y1), slice(x0, x1)), cover


def stamp(pixels: np.ndarray, y: float, x: float, radius: float, value: float, cells: bool = False) -> None:
    """Ink a round dot on a grey picture (value > 0), or erase one (value 0)."""
    got = coverage(pixels.shape[0], pixels.shape[1], y, x, radius, cells)
    if got is None:
        return
    where, cover = got
    if pixels.ndim == 3:
        cover = cover[..., None]
    patch = pixels[where]
    if value > 0:
        pixels[where] = np.maximum(patch, cover * value)
    else:
        pixels[where] = patch * (1.0 - cover)


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
    """A GlyphView the mouse paints on; `changed` carries a copy of the pixels after each move.
    Grey pictures take ink (1) and lose it; colour pictures take `colour` and go back to the
    `background` where erased."""
    changed = Signal(object)

    def __init__(self, shape=(28, 28), parent=None):
        super().__init__(parent, cell_size=10, grid=False)
        self.brush = 1.5
        self.cells = False
        self.colour = None                  # (C,) for colour pictures
        self.background = np.zeros((), np.float32)
        self._last: QPointF | None = None
        self._value = 1.0
        self._stroke: tuple[np.ndarray, np.ndarray] | None = None   # (pixels before, cover so far)
        self.set_shape(shape)
        self.setMinimumSize(120, 120)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def set_shape(self, shape, background=None) -> None:
        """A blank picture of this shape on `background` (default: the display's paper)."""
        from aegui.core.data.display import paper
        shape = tuple(int(s) for s in shape)
        self.background = np.asarray(paper(shape) if background is None else background, np.float32)
        self.colour = None if len(shape) == 2 else np.concatenate([np.zeros(3, np.float32),
                                                                    np.ones(shape[2] - 3, np.float32)])
        self.pixels = np.empty(shape, np.float32)
        self.pixels[...] = self.background
        self.cells = max(shape[:2]) <= GRID_SIDE
        self.brush = default_brush(shape)
        self.set_grid(self.cells)
        self.set_image(self.pixels)

    def set_colour(self, rgb) -> None:
        """The brush's colour (RGB in [0, 1]); an RGBA picture gets it opaque."""
        if self.colour is not None:
            self.colour[:3] = np.asarray(rgb, np.float32)[:3]

    def clear(self) -> None:
        self.pixels[...] = self.background
        self._changed()

    def set_pixels(self, arr) -> None:
        self.pixels = np.array(arr, np.float32).reshape(self.pixels.shape).clip(0, 1)
        self._changed()

    def image_point(self, pos) -> tuple[float, float]:
        g = self.grid_rect()
        s = self.scale()
        return (pos.y() - g.y()) / s, (pos.x() - g.x()) / s

    def colour_at(self, pos) -> np.ndarray | None:
        """The displayed colour (RGB, an RGBA pixel on white) under a widget point, or None."""
        return colour_under(self, pos)

    def paint_line(self, a: tuple[float, float], b: tuple[float, float], value: float = 1.0) -> None:
        """A stroke from image point a to b (y, x): dots every half pixel. `value` 1 paints
        (ink, or the brush's colour), 0 erases."""
        n = max(1, int(np.ceil(np.hypot(b[0] - a[0], b[1] - a[1]) * 2)))
        own_stroke = self._stroke is None
        if own_stroke and self.pixels.ndim == 3:
            self._begin_stroke()
        for t in np.linspace(0.0, 1.0, n + 1):
            y, x = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
            if self.pixels.ndim == 2:
                stamp(self.pixels, y, x, self.brush, value, self.cells)
            else:
                self._paint_colour(y, x, self.colour if value > 0 else self.background)
        if own_stroke:
            self._stroke = None
        self._changed()

    def _begin_stroke(self) -> None:
        self._stroke = (self.pixels.copy(), np.zeros(self.pixels.shape[:2], np.float32))

    def _paint_colour(self, y: float, x: float, target: np.ndarray) -> None:
        # Over the picture as it was when the stroke began, as far as the stroke covered it so far:
        # the dots of one stroke do not pile up their soft rims.
        got = coverage(self.pixels.shape[0], self.pixels.shape[1], y, x, self.brush, self.cells)
        if got is None:
            return
        where, cover = got
        before, covered = self._stroke
        covered[where] = np.maximum(covered[where], cover)
        c = covered[where][..., None]
        self.pixels[where] = before[where] * (1.0 - c) + target * c

    def _changed(self) -> None:
        self.set_image(self.pixels)
        self.changed.emit(self.pixels.copy())

    def mousePressEvent(self, event) -> None:
        self._value = 0.0 if event.button() == Qt.MouseButton.RightButton else 1.0
        if self.pixels.ndim == 3:
            self._begin_stroke()
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
        self._stroke = None


def colour_under(view: GlyphView, pos) -> np.ndarray | None:
    """The colour a view shows under a widget point (RGB in [0, 1]), or None off its picture."""
    img = view.image()
    cell = view.cell_at(pos)
    if img is None or cell is None or img.ndim != 3:
        return None
    px = img[cell]
    if px.shape[0] == 4:
        px = px[:3] * px[3] + (1.0 - px[3])          # shown on white
    return np.asarray(px[:3], np.float32)


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
        # The hint and the message share one line of fixed height above the canvas.
        self.message = NoteLabel("warning")
        self.hint = QLabel(wordWrap=True)
        self.bar = BrushBar()
        self.brush, self.clear_button = self.bar.brush_spin, self.bar.clear_button
        self.brush.setValue(self.canvas.brush)
        self.noise_label = QLabel()
        bind_text(self, self.noise_label.setText, "Noise:")
        self.noise = QComboBox()
        for k, (key, name) in enumerate(NOISES):
            self.noise.addItem("", key)
            bind_text(self, lambda text, k=k: self.noise.setItemText(k, text), name)
        self.level = DecimalSpinBox()
        self.level.setRange(0.0, 1.0)
        self.level.setSingleStep(0.05)
        self.level.setValue(0.1)
        self.input_view = _View(cell_size=8, grid=False)
        bind_text(self, self.input_view.set_caption, "Model input")
        self.output_view = _View(cell_size=8, grid=False)
        bind_text(self, self.output_view.set_caption, "Model output")
        self.near_views = [_View(cell_size=5, grid=False) for _ in range(self.NEAREST)]
        self.near_label = QLabel()
        bind_text(self, self.near_label.setText, "Nearest training images")
        self._pickable = [self.canvas, self.input_view, self.output_view, *self.near_views]
        for view in self._pickable:
            view.installEventFilter(self)

        top = QVBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.message)
        top.addWidget(self.hint)
        self.top = QWidget()
        self.top.setLayout(top)
        noise = QHBoxLayout()
        noise.addWidget(self.noise_label)
        noise.addWidget(self.noise)
        noise.addWidget(self.level)
        noise.addStretch(1)
        noise.addWidget(self.clear_button)
        self.outputs = QWidget()
        outs = QGridLayout(self.outputs)
        outs.setContentsMargins(0, 0, 0, 0)
        outs.addWidget(self.input_view, 0, 0)
        outs.addWidget(self.output_view, 0, 1)
        self.nearest_box = QWidget()
        near = QHBoxLayout(self.nearest_box)
        near.setContentsMargins(0, 0, 0, 0)
        for v in self.near_views:
            near.addWidget(v)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.top)
        lay.addWidget(self.canvas, 1)
        lay.addWidget(self.bar)
        lay.addLayout(noise)
        lay.addWidget(self.outputs)
        lay.addWidget(self.near_label)
        lay.addWidget(self.nearest_box)
        self._stroke = throttled(self.run_model, self.UPDATE_MS, leading=False)
        self._stroke_pending = False
        self.canvas.changed.connect(self._stroke_changed)
        self.brush.valueChanged.connect(lambda v: setattr(self.canvas, "brush", float(v)))
        self.clear_button.clicked.connect(self.canvas.clear)
        self.bar.colour_changed.connect(self.canvas.set_colour)
        self.bar.picking_changed.connect(self._picking)
        self.noise.currentIndexChanged.connect(lambda _: self.run_model())
        self.level.valueChanged.connect(lambda _: self.run_model())
        self._update_message()
        self._fit_top()
        on_language(self, self._update_message)

    def _update_message(self) -> None:
        none = self._reconstruct is None
        self.message.setText(tr("No image model: open or train one on pictures to draw for it.") if none else "")
        self.message.setVisible(none)
        self.hint.setVisible(not none)
        self.hint.setText(tr("Click a picture to paint with its colour.") if self.bar.picking() else
                          tr("Draw here: left button paints, right button erases."))

    # -- room ------------------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        # The pictures' rows take shares of the panel's height, whatever they show: the canvas
        # above them keeps its place while the nearest images and their names change.
        h = event.size().height()
        for box, (share, least, most) in ((self.outputs, OUTPUTS), (self.nearest_box, NEAREST)):
            box.setFixedHeight(int(min(max(share * h, least), most)))
        super().resizeEvent(event)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_top()

    def _fit_top(self) -> None:
        """The hint's line and the message's box, whichever shows, in the same room."""
        line = self.hint.fontMetrics().lineSpacing()
        self.top.setFixedHeight(2 * line + 12)

    # -- the model ---------------------------------------------------------------------------
    def bind(self, workspace) -> None:
        """Draw for the workspace's current model when it reads pictures (the one shown already,
        when the panel is built later); the drawing lights the network view and is marked on the
        latent canvas."""
        self._ws = workspace
        workspace.current_changed.connect(lambda model, _previous: self._show_model(model, fresh=True))
        workspace.current_updated.connect(lambda model: self._show_model(model, fresh=False))
        self.input_changed.connect(workspace.set_input)
        self.code_changed.connect(workspace.mark_code)
        current = workspace.current
        if current is not None and current.model is not None and current.shape != GLYPH_SHAPE:
            self._show_model(current, fresh=True)

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
        searched for the nearest to the drawing, and give the canvas its background. None: no image
        model. `background`: new weights of the same model (training): run on a worker."""
        self._reconstruct, self._encode = reconstruct, encode
        shape = tuple(int(s) for s in shape)
        self._images = None if images is None else np.asarray(images, np.float32)
        if shape != self.canvas.pixels.shape:
            self.canvas.set_shape(shape, background_of(self._images, shape) if reconstruct is not None else None)
            self.brush.setValue(self.canvas.brush)     # the new size's brush
            big = max(shape[:2]) > 16
            for v in [self.input_view, self.output_view] + self.near_views:
                v.set_grid(not big)
            self.bar.set_colour_model(len(shape) == 3)
            if len(shape) == 3:
                self.bar.set_colour(self.bar.colour)
        self._labels = [str(s) for s in labels]
        self._update_message()
        self.run_model(background=background)

    # -- the eyedropper ----------------------------------------------------------------------
    def _picking(self, on: bool) -> None:
        cursor = Qt.CursorShape.PointingHandCursor if on else Qt.CursorShape.ArrowCursor
        for view in self._pickable:
            view.setCursor(Qt.CursorShape.CrossCursor if view is self.canvas and not on else cursor)
        self._update_message()

    def eventFilter(self, watched, event) -> bool:
        if watched in self._pickable and self.bar.picking() and event.type() in (
                QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseMove):
            if event.type() == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
                rgb = colour_under(watched, event.position())
                if rgb is not None:
                    self.bar.take_colour(rgb)
            return True     # while picking, a click takes a colour and paints nothing
        return super().eventFilter(watched, event)

    # -- drawing -----------------------------------------------------------------------------
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
