"""A small painter for glyphs and images: square cells, grey levels, optional marks."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

GRID_COLOR = QColor(200, 200, 200)
MARK_COLOR = QColor(220, 30, 30)
EMPTY_COLOR = QColor(240, 240, 240)


class GlyphView(QWidget):
    """Paints an (H, W) or (H, W, 3) array in [0, 1] as square cells.

    For 2-D arrays 1 means ink, drawn black on white (like the printed font); RGB arrays are
    drawn as they are. `set_image(None)` keeps the last shape as an empty frame so layouts do
    not jump while, say, no model is loaded.
    """

    def __init__(self, parent=None, cell_size: int = 16, grid: bool = True, caption: str = ""):
        super().__init__(parent)
        self._image: np.ndarray | None = None
        self._marks: np.ndarray | None = None
        self._shape = (7, 5)
        self._cell_size = cell_size
        self._grid = grid
        self._caption = caption
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    # -- public API -------------------------------------------------------------------------
    def set_image(self, arr, marks=None) -> None:
        if arr is None:
            self._image = None
            self._marks = None
        else:
            img = np.clip(np.asarray(arr, dtype=np.float32), 0.0, 1.0)
            if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] != 3):
                raise ValueError(f"expected an (H, W) or (H, W, 3) array, got shape {img.shape}")
            if marks is not None:
                marks = np.asarray(marks, dtype=bool)
                if marks.shape != img.shape[:2]:
                    raise ValueError(f"marks shape {marks.shape} does not match image {img.shape[:2]}")
            if img.shape[:2] != self._shape:
                self._shape = img.shape[:2]
                self.updateGeometry()
            self._image = img
            self._marks = marks
        self.update()

    def image(self) -> np.ndarray | None:
        return None if self._image is None else self._image.copy()

    def set_caption(self, text: str) -> None:
        if text != self._caption:
            self._caption = text
            self.updateGeometry()
            self.update()

    def caption(self) -> str:
        return self._caption

    def set_cell_size(self, px: int) -> None:
        """Preferred cell size in pixels; the view still stretches to fill its space."""
        self._cell_size = max(1, int(px))
        self.updateGeometry()

    def set_grid(self, on: bool) -> None:
        self._grid = bool(on)
        self.update()

    # -- geometry ---------------------------------------------------------------------------
    def _caption_rect_height(self, width: int) -> int:
        if not self._caption:
            return 0
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
        return self.fontMetrics().boundingRect(QRect(0, 0, max(width, 1), 10_000), flags, self._caption).height() + 2

    def _grid_area(self) -> QRect:
        r = self.rect()
        return QRect(r.x(), r.y(), r.width(), max(0, r.height() - self._caption_rect_height(r.width())))

    def cell_size(self) -> int:
        h, w = self._shape
        area = self._grid_area()
        # Whole pixels keep the grid lines crisp; never below 1 so tiny views still paint.
        return max(1, min((area.width() - 1) // w, (area.height() - 1) // h))

    def grid_rect(self) -> QRectF:
        h, w = self._shape
        cs = self.cell_size()
        r = self.rect()
        # Grid and caption are centred as one block so the caption sits right under the grid.
        block = cs * h + self._caption_rect_height(r.width())
        x0 = r.x() + (r.width() - cs * w) // 2
        y0 = r.y() + max(0, (r.height() - block) // 2)
        return QRectF(x0, y0, cs * w, cs * h)

    def cell_rect(self, row: int, col: int) -> QRectF:
        g = self.grid_rect()
        cs = self.cell_size()
        return QRectF(g.x() + col * cs, g.y() + row * cs, cs, cs)

    def cell_at(self, pos: QPoint | QPointF) -> tuple[int, int] | None:
        """(row, col) under a widget position, or None outside the grid."""
        g = self.grid_rect()
        cs = self.cell_size()
        col = int((pos.x() - g.x()) // cs)
        row = int((pos.y() - g.y()) // cs)
        h, w = self._shape
        if 0 <= row < h and 0 <= col < w:
            return row, col
        return None

    def sizeHint(self) -> QSize:
        h, w = self._shape
        width = max(w * self._cell_size + 1, self._caption_width())
        return QSize(width, h * self._cell_size + 1 + self._caption_rect_height(width))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        # Lets layouts give the view just the height its square cells need at this width.
        h, w = self._shape
        return max(1, (width - 1) // w) * h + 1 + self._caption_rect_height(width)

    def minimumSizeHint(self) -> QSize:
        h, w = self._shape
        small = max(3, self._cell_size // 3)
        # The caption wraps, so only its longest word has to fit.
        word = max((self.fontMetrics().horizontalAdvance(p) for p in self._caption.split()), default=0)
        width = max(w * small + 1, word + 4)
        return QSize(width, h * small + 1 + self._caption_rect_height(width))

    def _caption_width(self) -> int:
        return self.fontMetrics().horizontalAdvance(self._caption) + 6 if self._caption else 0

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        h, w = self._shape
        g = self.grid_rect()
        if self._image is None:
            p.fillRect(g, EMPTY_COLOR)
        else:
            for r in range(h):
                for c in range(w):
                    p.fillRect(self.cell_rect(r, c), self._cell_color(self._image[r, c]))
        if self._grid:
            self._paint_grid(p, g, h, w)
        if self._marks is not None:
            pen = QPen(MARK_COLOR, 2)
            pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            for r, c in zip(*np.nonzero(self._marks)):
                p.drawRect(self.cell_rect(int(r), int(c)).adjusted(1.5, 1.5, -1.5, -1.5))
        p.setPen(QPen(self.palette().mid().color(), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(g)
        if self._caption:
            cap = QRect(0, int(g.bottom()) + 2, self.width(), self.height())
            p.setPen(self.palette().windowText().color())
            p.drawText(cap, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                       self._caption)
        p.end()

    def _paint_grid(self, p: QPainter, g: QRectF, h: int, w: int) -> None:
        cs = self.cell_size()
        if cs < 6:  # lines would hide the picture
            return
        p.setPen(QPen(GRID_COLOR, 1))
        for c in range(1, w):
            x = g.x() + c * cs
            p.drawLine(QPointF(x, g.top()), QPointF(x, g.bottom()))
        for r in range(1, h):
            y = g.y() + r * cs
            p.drawLine(QPointF(g.left(), y), QPointF(g.right(), y))

    @staticmethod
    def _cell_color(v) -> QColor:
        if np.ndim(v) == 1:
            r, g, b = (int(round(float(x) * 255)) for x in v)
            return QColor(r, g, b)
        level = int(round((1.0 - float(v)) * 255))
        return QColor(level, level, level)
