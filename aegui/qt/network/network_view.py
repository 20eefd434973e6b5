"""The network drawn live: layers as columns of units, weights as lines (red positive, blue
negative, thicker and darker when larger), and the units lit by the activations of one input
(the sample under the cursor on the latent canvas, or the glyph drawn in the editor).

The lines are drawn once per model into an image (a training snapshot redraws them at most
REDRAW_S apart, a superqt throttler, and not while the view is hidden), without antialiasing and
in a few batches of one pen each: antialiased, 1 300 lines took 220 ms, which at 4 snapshots a
second starved the GUI thread (bench/gui_latency.py --watch). A new input only repaints the units.
The model runs on a worker (aegui.qt.workers.threads.Latest, the newest input wins): a training snapshot
or a hover never runs it on the GUI thread, which only paints; a conv model's feature maps (two
passes through the model) follow when the cursor rests (a superqt debouncer).
"""
from __future__ import annotations


import numpy as np
from PySide6.QtCore import QLineF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


from aegui.qt.i18n import on_language, plural, tr
from aegui.qt.workers.pacing import debounced, throttled
from aegui.qt.workers.threads import Latest
from aegui.qt.widgets.glyphs.glyph_view import to_qimage

POS = np.array([214, 39, 40])       # positive weights and activations
NEG = np.array([31, 119, 180])      # negative
IDLE = (225, 225, 225)              # a unit with no input to show


class NetworkView(QWidget):
    MAX_UNITS = 40        # units drawn per column (spread over a wider layer)
    MAX_LINES = 150       # strongest weights drawn between two columns
    REDRAW_S = 1.0        # at most this often the weights are redrawn while training
    REST_MS = 150         # a conv model's feature maps follow a cursor that rests this long
    LEVELS = 6            # line widths / strengths (one pen, one drawLines call each, per sign)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.canvas = _Canvas(self)
        self.maps = _Maps(self)
        self.maps.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("padding: 4px; background: #fff4d6; color: #5a4300;")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(mid);")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.message)
        lay.addWidget(self.canvas, 1)
        lay.addWidget(self.maps, 1)
        lay.addWidget(self.hint)
        self._model = None
        self._dense = False
        self._conv = False
        self._pending_model = None
        self._input = None
        self._stale = False             # a model or input arrived while hidden
        self._waiting = False           # a model or an input waits for its throttler
        self._redraw = throttled(self._apply_model, int(self.REDRAW_S * 1000))
        self._at_rest = debounced(self._apply_input, self.REST_MS)
        self._jobs = Latest(self)
        self._show_hint()
        self._update_message()
        on_language(self, self._show_hint)
        on_language(self, self._update_message)
        on_language(self, self.canvas.update)      # it writes its layer names as it paints

    def bind(self, workspace) -> None:
        """Show the workspace's current model; light it with the input the other panels point at
        (both as they are now, when the view is built after them)."""
        def show(model):
            if model is None or model.model is None:
                self.set_model(None)
            else:
                self.set_model(model.model, sample=None if self.has_input() else model.shown.x[0])
        workspace.current_changed.connect(lambda model, _previous: show(model))
        workspace.current_updated.connect(show)
        workspace.input_changed.connect(self.set_input)
        if workspace.input is not None:
            self.set_input(workspace.input)
        if workspace.current is not None:
            show(workspace.current)

    def busy(self) -> bool:
        """A model or an input is still on its way to the screen."""
        return self._waiting or self._jobs.busy()

    def _show_hint(self) -> None:
        """What the units or the feature maps show, for the kind of model shown."""
        if self._conv:
            self.hint.setText(tr("Feature maps of the sample under the cursor (latent canvas) or the picture "
                                 "drawn: one tile a channel, red positive, blue negative."))
        else:
            self.hint.setText(tr("Units lit by the sample under the cursor (latent canvas) or the glyph in the "
                                 "editor. Lines: weights, red positive, blue negative."))

    def _update_message(self) -> None:
        if self._model is None:
            text = tr("No model: build or load one to see its network.")
        else:
            text = ""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- inputs ------------------------------------------------------------------------------
    def set_model(self, model, sample=None, now: bool = False) -> None:
        """Show `model` (K=1; None: no model); `sample` [D] lights the units until another
        input comes. Training snapshots call this often: they are redrawn at most REDRAW_S apart."""
        if sample is not None:
            self._input = np.asarray(sample, np.float32).ravel()
        self._pending_model = model
        if not now and not self.isVisible():
            self._stale = True          # nothing to see: done when shown
            return
        if now or model is None or self._model is None or model.spec is not self._model.spec:
            self._redraw.cancel()
            self._apply_model()          # another network: at once
        else:
            self._waiting = True
            self._redraw()

    def set_input(self, x) -> None:
        """An input [D] (any shape of D values) to light the units with; ignored if it does not fit."""
        self._input = None if x is None else np.asarray(x, np.float32).ravel()
        if not self.isVisible():
            self._stale = True
        elif self._conv:
            # Feature maps cost two passes through a conv model (tens of ms for 64x64 RGB): they
            # follow when the cursor rests, so a moving hover never waits behind them.
            self._waiting = True
            self._at_rest()
        else:
            self._apply_input()          # on a worker; the newest input wins

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            QTimer.singleShot(0, self.flush)

    def flush(self) -> None:
        """Apply any pending model and input now (tests, screenshots, being shown)."""
        self._redraw.cancel()
        self._at_rest.cancel()
        if self._pending_model is not self._model:
            self._apply_model()
        else:
            self._apply_input()

    def _apply_model(self) -> None:
        from aegui.core.archs.inspect import is_conv, is_dense, layers
        self._waiting = False
        model = self._pending_model
        self._model = model
        self._dense = model is not None and is_dense(model)
        conv = model is not None and is_conv(model)
        if conv != self._conv:
            self._conv = conv
            self.canvas.setVisible(not conv)
            self.maps.setVisible(conv)
            self._show_hint()
        self._update_message()
        self.canvas.set_layers(layers(model) if self._dense else None)
        self._apply_input()

    def _apply_input(self) -> None:
        self._waiting = False
        x, model = self._input, self._model
        fits = model is not None and x is not None and x.size == model.input_dim
        if not fits:
            self._jobs.cancel()
            self.canvas.set_activations(None)
            self.maps.set_maps([])
            return
        self._jobs.submit(_lit_by, model, x, self._dense, self._conv,
                          on_done=lambda out: self._show_input(out, model))

    def _show_input(self, out, model) -> None:
        if model is not self._model:
            return
        acts, maps = out
        self.canvas.set_activations(acts)
        self.maps.set_maps(maps)

    def feature_maps(self) -> list[tuple[str, np.ndarray]]:
        """The conv model's maps as drawn now: (layer name, [channels, h, w])."""
        return self.maps.maps

    # -- queries -------------------------------------------------------------------------------
    def has_input(self) -> bool:
        return self._input is not None

    def unit_colors(self) -> list[np.ndarray]:
        """The fill colour [units shown, 3] of each column's units as drawn now."""
        return self.canvas.unit_colors()

    def activations(self) -> list[np.ndarray] | None:
        return self.canvas.acts

    def shown_units(self) -> list[np.ndarray]:
        return self.canvas.shown


def _lit_by(model, x, dense: bool, conv: bool):
    """(activations of a dense model, feature maps of a conv one), on a worker."""
    from aegui.core.archs.inspect import activations, feature_maps
    return activations(model, x) if dense else None, feature_maps(model, x) if conv else []


class _Canvas(QWidget):
    def __init__(self, view: NetworkView):
        super().__init__(view)
        self.view = view
        self.setMinimumSize(240, 180)
        self.layers = None
        self.acts: list[np.ndarray] | None = None
        self.shown: list[np.ndarray] = []
        self._pixmap: QImage | None = None
        self._pos: list[np.ndarray] = []     # [units shown, 2] centres per column
        self._radius = 6.0
        self._colors: list[np.ndarray] = []
        self._qcolors: list[list[QColor]] = []

    def set_layers(self, layers) -> None:
        self.layers = layers
        self.shown = [] if layers is None else \
            [self._spread(n) for n in layers.sizes]
        self._pixmap = None
        self.set_activations(None)

    def _spread(self, n: int) -> np.ndarray:
        from aegui.core.archs.inspect import spread
        return spread(n, self.view.MAX_UNITS)

    def set_activations(self, acts) -> None:
        self.acts = acts
        self._colors = self._compute_colors()     # once an input, not once a paint
        self._qcolors = [[QColor(int(r), int(g), int(b)) for r, g, b in col] for col in self._colors]
        self.update()

    def _compute_colors(self) -> list[np.ndarray]:
        out = []
        for c, idx in enumerate(self.shown):
            if self.acts is None:
                out.append(np.tile(np.array(IDLE, np.int32), (len(idx), 1)))
                continue
            a = self.acts[c]
            t = np.clip(a[idx] / max(float(np.abs(a).max()), 1e-6), -1.0, 1.0)[:, None]
            end = np.where(t >= 0, POS, NEG)
            out.append((255 + (end - 255) * np.abs(t)).astype(np.int32))
        return out

    def unit_colors(self) -> list[np.ndarray]:
        return [c.copy() for c in self._colors]

    # -- geometry and drawing ----------------------------------------------------------------
    def _layout(self) -> None:
        w, h = self.width(), self.height()
        top, bottom, side = 8.0, 34.0, 18.0
        cols = len(self.shown)
        xs = np.linspace(side, w - side, cols) if cols > 1 else np.array([w / 2])
        most = max((len(i) for i in self.shown), default=1)
        self._radius = float(np.clip((h - top - bottom) / (2.6 * most), 2.0, 9.0))
        self._pos = []
        for x, idx in zip(xs, self.shown):
            n = len(idx)
            span = (n - 1) * 2.6 * self._radius
            y0 = top + (h - top - bottom - span) / 2
            ys = y0 + np.arange(n) * 2.6 * self._radius
            self._pos.append(np.column_stack([np.full(n, x), ys]))

    def resizeEvent(self, event) -> None:
        self._pixmap = None
        super().resizeEvent(event)

    def _render_lines(self) -> QImage:
        from aegui.core.archs.inspect import strongest
        ratio = self.devicePixelRatioF()
        img = QImage(int(self.width() * ratio), int(self.height() * ratio), QImage.Format.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(ratio)
        img.fill(Qt.GlobalColor.transparent)
        p = QPainter(img)
        levels = self.view.LEVELS
        buckets: dict[tuple[bool, int], list[QLineF]] = {}
        for c, w in enumerate(self.layers.weights):
            src, dst = self.shown[c], self.shown[c + 1]
            sub = w[np.ix_(src, dst)]
            if sub.size == 0:
                continue
            rows, cols = strongest(sub, self.view.MAX_LINES)
            vals = sub[rows, cols]
            top = max(float(np.abs(vals).max()), 1e-9)
            level = np.minimum((np.abs(vals) / top * levels).astype(int), levels - 1)
            a, b = self._pos[c][rows], self._pos[c + 1][cols]
            for k in range(len(vals)):
                buckets.setdefault((bool(vals[k] >= 0), int(level[k])), []).append(
                    QLineF(a[k, 0], a[k, 1], b[k, 0], b[k, 1]))
        for (positive, lv), lines in sorted(buckets.items(), key=lambda kv: kv[0][1]):   # strongest on top
            t = (lv + 1) / levels
            colour = POS if positive else NEG
            # Weak weights faint and thin, strong ones solid: without antialiasing a thin line
            # is a whole pixel wide, so the alpha does the fading.
            pen = QPen(QColor(int(colour[0]), int(colour[1]), int(colour[2]), int(20 + 220 * t * t)))
            pen.setWidthF(0.5 + 2.5 * t * t)
            p.setPen(pen)
            p.drawLines(lines)
        p.end()
        return img

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(255, 255, 255))
        if self.layers is None:
            return
        if self._pixmap is None:
            self._layout()
            self._pixmap = self._render_lines()
        p.drawImage(0, 0, self._pixmap)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self._radius
        p.setPen(QPen(QColor(90, 90, 90), 0.8))
        for c, pos in enumerate(self._pos):
            for colour, (x, y) in zip(self._qcolors[c], pos):
                p.setBrush(colour)
                p.drawEllipse(QRectF(x - r, y - r, 2 * r, 2 * r))
        p.setPen(QColor(60, 60, 60))
        names = self.layers.names
        for c, pos in enumerate(self._pos):
            n = self.layers.sizes[c]
            text = f"{n}" if len(self.shown[c]) == n else tr("{shown} of {n}", shown=len(self.shown[c]), n=n)
            name = names[c] if names[c] != "hidden" else ""
            x = pos[0, 0] if len(pos) else 0.0
            rect = QRectF(x - 45, self.height() - 32, 90, 30)
            p.drawText(rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                       (tr(name) + "\n" if name else "\n") + text)


class _Maps(QWidget):
    """A conv model's feature maps: one row a layer, one tile a channel (up to MAX_CHANNELS)."""
    MAX_CHANNELS = 16

    def __init__(self, view: NetworkView):
        super().__init__(view)
        self.setMinimumSize(240, 180)
        self.maps: list[tuple[str, np.ndarray]] = []
        self._images: list[tuple[str, int, list]] = []

    def set_maps(self, maps) -> None:
        self.maps = maps
        self._images = []
        for name, fm in maps:
            top = max(float(np.abs(fm).max()), 1e-6)     # one scale a layer: channels compare
            tiles = []
            for ch in fm[: self.MAX_CHANNELS]:
                t = np.clip(ch / top, -1.0, 1.0)[..., None]
                rgb = np.where(t >= 0, 255 + (POS - 255) * t, 255 + (NEG - 255) * -t)
                tiles.append(to_qimage(rgb.astype(np.uint8)))
            self._images.append((name, len(fm), tiles))
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(255, 255, 255))
        if not self._images:
            return
        rows = len(self._images)
        label_h, gap = 16, 3
        row_h = max(12.0, (self.height() - 4) / rows)
        for r, (name, n, tiles) in enumerate(self._images):
            y = 2 + r * row_h
            p.setPen(QColor(60, 60, 60))
            shown = len(tiles)
            p.drawText(QRectF(4, y, self.width() - 8, label_h), Qt.AlignmentFlag.AlignLeft,
                       f"{name}: " + tr("{channels} ({shown})",
                                        channels=plural(n, tr("1 channel"), tr("{n} channels", n=n)),
                                        shown=plural(shown, tr("1 shown"), tr("{n} shown", n=shown))))
            side = min(row_h - label_h - gap, (self.width() - 8 - gap * (shown - 1)) / max(shown, 1))
            if side < 2:
                continue
            for k, img in enumerate(tiles):
                p.drawImage(QRectF(4 + k * (side + gap), y + label_h, side, side), img)
