"""One layer's values as cells: red positive, blue negative, stronger when larger (the network
view's colours), the number of the cell under the cursor on hover.

A vector is a strip that wraps at the widget's width; feature maps [channels, h, w] (and a
picture's channels) are tiles, one a channel, side by side. The colours are computed with numpy
into one image a tile, so a repaint is a few drawImage calls whatever the layer's size.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from aegui.qt.i18n import number
from aegui.qt.widgets.glyphs.glyph_view import to_qimage

POS = np.array([214, 39, 40], np.float32)       # as the network view
NEG = np.array([31, 119, 180], np.float32)
TILE_GAP = 6
STRIP_CELLS = ((64, 14), (256, 10), (1024, 6))   # (up to this many values, cell px); more: 3 px
MAP_PX = 72          # a feature map tile is about this wide, whatever its size (cells of 1-14 px)


def strip_cell(n: int) -> int:
    return next((px for most, px in STRIP_CELLS if n <= most), 3)


def colours(values: np.ndarray, scale: float, base) -> np.ndarray:
    """uint8 [..., 3]: `base` (the panel's background colour) at 0, red / blue at +/- scale."""
    t = np.clip(np.abs(values) / scale, 0.0, 1.0)[..., None] if scale > 0 else np.zeros(values.shape + (1,))
    target = np.where(values[..., None] >= 0, POS, NEG)
    base = np.asarray(base, np.float32)
    return (base + t * (target - base) + 0.5).astype(np.uint8)


class CellStrip(QWidget):
    """set_values(values, maps=False): a vector (any shape, read flat) or maps [C, h, w]."""
    hovered = Signal(int)        # the flat index of the value under the cursor (-1: none)

    def __init__(self, parent=None, describe=None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.values = np.zeros(0, np.float32)      # flat, as reported by hover indices
        self.scale = 1.0
        self._maps: tuple | None = None             # (C, h, w) when shown as tiles
        self.describe = describe or (lambda i, v: number(v, ".4g"))    # (index, value) -> hover text
        self._images: list = []
        self._built_for = None                      # (width, palette key) the images were made for

    # -- data ------------------------------------------------------------------------------
    def set_values(self, values, maps: bool = False, scale: float | None = None) -> None:
        v = np.asarray(values, np.float32)
        self._maps = tuple(v.shape) if maps and v.ndim == 3 else None
        self.values = v.reshape(-1).copy()
        finite = self.values[np.isfinite(self.values)]
        self.scale = float(scale) if scale else (float(np.abs(finite).max()) if finite.size else 1.0) or 1.0
        self._built_for = None
        self.updateGeometry()
        self.update()

    def text_at(self, index: int) -> str:
        """What hovering value `index` shows."""
        return self.describe(index, float(self.values[index]))

    # -- geometry --------------------------------------------------------------------------
    def _cell(self) -> int:
        if self._maps is None:
            return strip_cell(self.values.size)
        _, h, w = self._maps
        return max(1, min(14, MAP_PX // max(h, w)))

    def _grid(self, width: int) -> tuple[int, int, int, int]:
        """(cell px, rows of tiles, tiles a row, cells a strip row) at this width."""
        cell = self._cell()
        if self._maps is None:
            per_row = max(1, min(self.values.size, (width - 1) // cell))
            return cell, math.ceil(self.values.size / per_row) if self.values.size else 0, 1, per_row
        c, h, w = self._maps
        tile_w = w * cell + TILE_GAP
        per_row = max(1, min(c, (width + TILE_GAP) // tile_w))
        return cell, math.ceil(c / per_row), per_row, 0

    def _height(self, width: int) -> int:
        if not self.values.size:
            return 0
        cell, rows, _, _ = self._grid(width)
        if self._maps is None:
            return rows * cell + 1
        return rows * (self._maps[1] * cell + TILE_GAP) - TILE_GAP + 1

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._height(width)

    def sizeHint(self) -> QSize:
        return QSize(240, self._height(240))

    def minimumSizeHint(self) -> QSize:
        cell = self._cell()
        width = cell * 8 + 1 if self._maps is None else self._maps[2] * cell + 1
        return QSize(width, self._height(width))

    def _tile_rects(self) -> list[QRect]:
        """Where each tile (each strip row, or each channel's map) is drawn."""
        cell, rows, per_row, strip_row = self._grid(self.width())
        if self._maps is None:
            return [QRect(0, r * cell, strip_row * cell, cell) for r in range(rows)]
        c, h, w = self._maps
        return [QRect((k % per_row) * (w * cell + TILE_GAP), (k // per_row) * (h * cell + TILE_GAP), w * cell, h * cell)
                for k in range(c)]

    def index_at(self, pos: QPoint) -> int:
        """The flat index of the value drawn at `pos`, or -1."""
        cell, _, _, strip_row = self._grid(self.width())
        for k, rect in enumerate(self._tile_rects()):
            if rect.contains(pos):
                r, c = (pos.y() - rect.y()) // cell, (pos.x() - rect.x()) // cell
                if self._maps is None:
                    i = k * strip_row + c
                else:
                    _, h, w = self._maps
                    i = k * h * w + r * w + c
                return i if i < self.values.size else -1
        return -1

    def cell_center(self, index: int) -> QPoint:
        """Where value `index` is drawn (tests hover it)."""
        cell, _, _, strip_row = self._grid(self.width())
        rects = self._tile_rects()
        if self._maps is None:
            rect, r, c = rects[index // strip_row], 0, index % strip_row
        else:
            _, h, w = self._maps
            rect, rest = rects[index // (h * w)], index % (h * w)
            r, c = divmod(rest, w)
        return QPoint(rect.x() + c * cell + cell // 2, rect.y() + r * cell + cell // 2)

    # -- painting --------------------------------------------------------------------------
    def _build(self) -> None:
        base = self.palette().color(QPalette.ColorRole.Base)
        key = (self.width(), base.rgb())
        if self._built_for == key:
            return
        self._built_for = key
        rgb = colours(self.values, self.scale, (base.red(), base.green(), base.blue()))
        if self._maps is None:
            _, rows, _, per_row = self._grid(self.width())
            pad = np.zeros((rows * per_row - len(rgb), 3), np.uint8)
            pad[:] = (base.red(), base.green(), base.blue())
            grid = np.concatenate([rgb, pad]).reshape(rows, 1, per_row, 3) if rows else np.zeros((0, 1, 1, 3))
            self._images = [to_qimage(grid[r]) for r in range(rows)]
        else:
            c, h, w = self._maps
            tiles = rgb.reshape(c, h, w, 3)
            self._images = [to_qimage(tiles[k]) for k in range(c)]

    def paintEvent(self, event) -> None:
        if not self.values.size:
            return
        self._build()
        p = QPainter(self)
        cell = self._grid(self.width())[0]
        grid_pen = QPen(self.palette().color(QPalette.ColorRole.Mid), 1)
        for rect, image in zip(self._tile_rects(), self._images):
            p.drawImage(rect, image)
            p.setPen(grid_pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            if cell >= 6:
                for x in range(rect.left(), rect.right() + 2, cell):
                    p.drawLine(x, rect.top(), x, rect.bottom() + 1)
                for y in range(rect.top(), rect.bottom() + 2, cell):
                    p.drawLine(rect.left(), y, rect.right() + 1, y)
            else:
                p.drawRect(rect.adjusted(0, 0, 0, 0))
        p.end()

    def resizeEvent(self, event) -> None:
        self._built_for = None
        super().resizeEvent(event)

    # -- hover -----------------------------------------------------------------------------
    def mouseMoveEvent(self, event) -> None:
        i = self.index_at(event.position().toPoint())
        self.hovered.emit(i)
        if i >= 0:
            QToolTip.showText(event.globalPosition().toPoint(), self.text_at(i), self)
        else:
            QToolTip.hideText()

    def leaveEvent(self, event) -> None:
        self.hovered.emit(-1)
        super().leaveEvent(event)
