"""The latent canvas's background map: a mosaic of decodes of the visible region, softer than the
points over it. Decoded off the GUI thread (a model's new weights or a pan redraw it while the
window keeps responding); a pan waits DELAY_MS for the view to settle.

Glyphs are dark ink on a light tile in both themes, as the previews draw them: black is toned to
INK and white to PAPER (the map stays quieter than the points) with the ink at a contrast of at
least 4.5:1 (WCAG) on its tile. The dark theme's paper is a dimmer grey, not white."""
from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject

from aegui.core.data.display import GAP, block_mean, is_gray, mosaic, to_uint8
from aegui.qt.workers.pacing import debounced
from aegui.qt.workers.threads import Latest


# (ink, paper) grey levels, light and dark theme: contrast 5.1:1 and 6.0:1.
TONES = {False: (110, 255), True: (35, 160)}


def tone(pixels: np.ndarray, dark: bool) -> np.ndarray:
    """uint8 pixels (0 black ... 255 white, grey or RGB) on the map's scale from ink to paper."""
    ink, paper = TONES[dark]
    return (ink + (paper - ink) / 255.0 * pixels.astype(np.float32) + 0.5).astype(np.uint8)


def place_image(item: pg.ImageItem, left: float, top: float, width: float, height: float, shape) -> None:
    """Put an image with its row 0 at the top: latent y grows upwards, image rows downwards."""
    from PySide6.QtGui import QTransform
    rows, cols = shape[:2]
    item.setTransform(QTransform(width / cols, 0.0, 0.0, -height / rows, left, top))


def _decode_tiles(decode, z: np.ndarray):
    """(tiles, seconds per decoded sample), on a worker thread."""
    t0 = time.perf_counter()
    tiles = decode(z)
    return tiles, (time.perf_counter() - t0) / max(1, len(z))


class LatentMap(QObject):
    TILES = 144        # decodes per map, in one batched call
    MIN_TILES = 16
    BUDGET_S = 0.06    # slow decoders (big conv models) get fewer tiles than this costs
    DELAY_MS = 100     # let pan/zoom settle before decoding

    def __init__(self, canvas):
        super().__init__(canvas)
        self.canvas = canvas
        self.item = pg.ImageItem()
        self.item.setZValue(-10)
        self.tiles: np.ndarray | None = None     # [rows, cols, *shape], row 0 at the top
        self.tile_cost = 0.0                     # seconds per decoded sample, measured
        self.enabled = True
        self.dark = False                        # the dark theme's tones (TONES)
        self._jobs = Latest(self)
        self._settle = debounced(self.compute, self.DELAY_MS)
        self._due = False                        # a map is waiting for the view to settle

    def busy(self) -> bool:
        return self._due or self._jobs.busy()

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        self.item.setVisible(on)
        self.schedule()

    def clear(self) -> None:
        self._jobs.cancel()
        self._settle.cancel()
        self._due = False
        self.tiles = None
        self.item.clear()

    def forget_cost(self) -> None:
        self.tile_cost = 0.0

    def schedule(self, *_args) -> None:
        if self.canvas.state.ready() and self.enabled:
            self._due = True
            self._settle()

    def tile_count(self) -> int:
        """Tiles for the next map: TILES, fewer when decoding them would take longer than
        BUDGET_S (measured on the last map)."""
        if self.tile_cost <= 0:
            return self.TILES
        return int(np.clip(self.BUDGET_S / self.tile_cost, self.MIN_TILES, self.TILES))

    def compute(self) -> None:
        """Decode the visible region now (on a worker; drawn when it is back)."""
        self._settle.cancel()
        self._due = False
        c = self.canvas
        if not (c.state.ready() and self.enabled):
            return
        vb = c.vb
        (x0, x1), (y0, y1) = vb.viewRange()
        shape = c.state.shape
        h, w = shape[:2]
        wanted = self.tile_count()
        # Grid shaped so each cell has roughly the glyph's aspect on screen.
        vw, vh = max(vb.width(), 1.0), max(vb.height(), 1.0)
        aspect = vw / vh * h / w
        rows = int(np.clip(round(np.sqrt(wanted / aspect)), 2, 48))
        cols = int(np.clip(round(wanted / rows), 2, 48))
        xs = x0 + (np.arange(cols) + 0.5) * (x1 - x0) / cols
        ys = y1 - (np.arange(rows) + 0.5) * (y1 - y0) / rows
        xy = np.column_stack([np.tile(xs, rows), np.repeat(ys, cols)])
        place = ((x0, x1, y0, y1), rows, cols, shape, vw, vh)
        self._jobs.submit(_decode_tiles, c.state.decode, c.state.lift(xy),
                          on_done=lambda result: self._draw(result, place))

    def _draw(self, result, place) -> None:
        tiles, cost = result
        (x0, x1, y0, y1), rows, cols, shape, vw, vh = place
        if shape != self.canvas.state.shape or not self.canvas.state.ready():
            return      # the model changed while this map was decoded
        self.tile_cost = cost
        h, w = shape[:2]
        tiles = np.asarray(tiles, np.float32).reshape((rows, cols) + shape)
        self.tiles = tiles
        gray = is_gray(shape)
        pixels = to_uint8(tiles, gray)
        # Big images drawn small: average blocks down to about the tile's size on screen.
        factor = int(min(h * rows / vh, w * cols / vw))
        if factor >= 2:
            pixels = block_mean(pixels, factor, gray)
        th, tw = pixels.shape[2:4]
        picture = mosaic(pixels, 1, GAP)
        # mosaic() leaves no gap after the last tile; put it back so every cell is one size.
        pad = ((0, 1), (0, 1)) + ((0, 0),) * (picture.ndim - 2)
        picture = tone(np.pad(picture, pad, constant_values=GAP), self.dark)
        self.item.setImage(picture, levels=(0, 255))
        # Half a mosaic pixel of shift centres each tile on the point it decodes.
        pw, ph = (x1 - x0) / (cols * (tw + 1)), (y1 - y0) / (rows * (th + 1))
        place_image(self.item, x0 + 0.5 * pw, y1 - 0.5 * ph, x1 - x0, y1 - y0, picture.shape)
