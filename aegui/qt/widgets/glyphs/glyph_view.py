"""A small painter for glyphs and images: square cells, grey levels, optional marks."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from aegui.core.data.display import to_uint8
from aegui.qt.widgets.glyphs import marks as mark_style

GRID_COLOR = QColor(200, 200, 200)
EMPTY_COLOR = QColor(240, 240, 240)
# From this many screen pixels per image pixel on, whole-pixel enlargement (crisp cells) costs
# little room; below it big images are scaled to fill the view, smoothly.
CRISP_FROM = 4.0
SMALL_IMAGE = 16        # px: glyphs, digits, 16 px emoji always get whole-pixel cells
MARK_CELLS_FROM = 6     # px per cell: marks as outlined cells; below, a tint over the pixel


def to_qimage(pixels: np.ndarray) -> QImage:
    """uint8 [H, W] grey, [H, W, 3] RGB or [H, W, 4] RGBA as a QImage that owns its pixels."""
    a = np.ascontiguousarray(pixels, dtype=np.uint8)
    h, w = a.shape[:2]
    if a.ndim == 2:
        q = QImage(a.data, w, h, w, QImage.Format.Format_Grayscale8)
    elif a.shape[2] == 4:
        q = QImage(a.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
    else:
        q = QImage(a.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return q.copy()  # the QImage must not outlive the numpy buffer it borrowed


class GlyphView(QWidget):
    """Paints an (H, W), (H, W, 3) or (H, W, 4) array in [0, 1].

    For 2-D arrays 1 means ink, drawn black on white (like the printed font); RGB arrays are
    drawn as they are and RGBA ones composited on white. Small glyphs get whole-pixel square
    cells (and a grid); big images are scaled to fill the view. `set_image(None)` keeps the
    last shape as an empty frame so layouts do not jump while, say, no model is loaded.
    """

    def __init__(self, parent=None, cell_size: float = 16, grid: bool = True, caption: str = ""):
        super().__init__(parent)
        self._image: np.ndarray | None = None
        self._qimage: QImage | None = None
        self._marks: np.ndarray | None = None
        self._mark_overlay: QImage | None = None
        self._meaning = mark_style.WRONG
        self._show_marks = True
        self._shape = (7, 5)
        self._cell_size = cell_size
        self._grid = grid
        self._caption = caption
        self._max_scale: float | None = None
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    # -- public API -------------------------------------------------------------------------
    def set_image(self, arr, marks=None, meaning: str = mark_style.WRONG) -> None:
        """`marks`: a bool array of the image's (H, W), drawn in the colour of `meaning`
        (aegui.qt.widgets.glyphs.marks: WRONG or CHANGED)."""
        self._meaning = meaning
        if arr is None:
            self._image = None
            self._qimage = None
            self._marks = None
            self._mark_overlay = None
        else:
            img = np.clip(np.asarray(arr, dtype=np.float32), 0.0, 1.0)
            if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] not in (3, 4)):
                raise ValueError(f"expected an (H, W), (H, W, 3) or (H, W, 4) array, got shape {img.shape}")
            if marks is not None:
                marks = np.asarray(marks, dtype=bool)
                if marks.shape != img.shape[:2]:
                    raise ValueError(f"marks shape {marks.shape} does not match image {img.shape[:2]}")
            if img.shape[:2] != self._shape:
                self._shape = img.shape[:2]
                self.updateGeometry()
            self._image = img
            # Converted once here, so a repaint is one drawImage whatever the image's size.
            self._qimage = to_qimage(to_uint8(img))
            self._marks = marks
            self._mark_overlay = None
            if marks is not None and marks.any():
                tint = np.zeros(marks.shape + (4,), np.uint8)
                c = mark_style.color(meaning)
                tint[marks] = (c.red(), c.green(), c.blue(), mark_style.ALPHA)
                self._mark_overlay = to_qimage(tint)
        self.update()

    def image(self) -> np.ndarray | None:
        return None if self._image is None else self._image.copy()

    def marks(self) -> np.ndarray | None:
        return None if self._marks is None else self._marks.copy()

    def mark_meaning(self) -> str:
        return self._meaning

    def set_caption(self, text: str) -> None:
        if text != self._caption:
            before = self._caption_rect_height(self.width())
            self._caption = text
            # The hover preview's caption changes on every mouse move: re-layout only when
            # its height does.
            if self._caption_rect_height(self.width()) != before or not text or not self.isVisible():
                self.updateGeometry()
            self.update()

    def caption(self) -> str:
        return self._caption

    def set_cell_size(self, px: float) -> None:
        """Preferred screen pixels per image pixel (below 1 for big images); the view still
        stretches to fill its space."""
        self._cell_size = max(0.05, float(px))
        self.updateGeometry()

    def set_marks_visible(self, on: bool) -> None:
        """Draw the marks or not (they are kept either way)."""
        if bool(on) != self._show_marks:
            self._show_marks = bool(on)
            self.update()

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

    def _fit(self, width: float, height: float) -> float:
        """Screen pixels per image pixel for an area: whole numbers (at least 1) for glyphs
        and large enlargements, so cells and grid lines stay crisp; any fraction otherwise."""
        h, w = self._shape
        fit = min((width - 1) / w, (height - 1) / h)
        if fit >= CRISP_FROM or max(h, w) <= SMALL_IMAGE:
            return float(max(1, math.floor(fit)))
        return max(fit, 0.05)

    def scale(self) -> float:
        area = self._grid_area()
        fit = self._fit(area.width(), area.height())
        return min(fit, self._max_scale) if self._max_scale else fit

    def fit_scale(self) -> float:
        """The scale the view's area allows, before any cap."""
        area = self._grid_area()
        return self._fit(area.width(), area.height())

    def set_max_scale(self, scale: float | None) -> None:
        """Cap the screen pixels per image pixel: views side by side share one scale."""
        if scale != self._max_scale:
            self._max_scale = scale
            self.update()

    def cell_size(self) -> int:
        return max(1, int(self.scale()))

    def smooth(self) -> bool:
        """Whether the picture is drawn scaled smoothly (big images) or with crisp cells."""
        return self.scale() != int(self.scale())

    def grid_rect(self) -> QRectF:
        h, w = self._shape
        s = self.scale()
        r = self.rect()
        # Grid and caption are centred as one block so the caption sits right under the grid.
        block = s * h + self._caption_rect_height(r.width())
        x0 = r.x() + int((r.width() - s * w) // 2)
        y0 = r.y() + max(0, int((r.height() - block) // 2))
        return QRectF(x0, y0, s * w, s * h)

    def cell_rect(self, row: int, col: int) -> QRectF:
        g = self.grid_rect()
        s = self.scale()
        return QRectF(g.x() + col * s, g.y() + row * s, s, s)

    def cell_at(self, pos: QPoint | QPointF) -> tuple[int, int] | None:
        """(row, col) under a widget position, or None outside the grid."""
        g = self.grid_rect()
        s = self.scale()
        col = int((pos.x() - g.x()) // s)
        row = int((pos.y() - g.y()) // s)
        h, w = self._shape
        if 0 <= row < h and 0 <= col < w:
            return row, col
        return None

    def sizeHint(self) -> QSize:
        h, w = self._shape
        cs = self._cell_size
        width = max(math.ceil(w * cs) + 1, self._caption_width())
        return QSize(width, math.ceil(h * cs) + 1 + self._caption_rect_height(width))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        # Lets layouts give the view just the height its picture needs at this width.
        h, w = self._shape
        s = self._fit(width, 1e9)
        return max(1, math.ceil(s * h)) + 1 + self._caption_rect_height(width)

    def minimumSizeHint(self) -> QSize:
        h, w = self._shape
        cs = self._cell_size
        small = max(3, int(cs) // 3) if cs >= 3 else cs
        # The caption wraps, so only its longest word has to fit.
        word = max((self.fontMetrics().horizontalAdvance(p) for p in self._caption.split()), default=0)
        width = max(math.ceil(w * small) + 1, word + 4)
        return QSize(width, math.ceil(h * small) + 1 + self._caption_rect_height(width))

    def _caption_width(self) -> int:
        return self.fontMetrics().horizontalAdvance(self._caption) + 6 if self._caption else 0

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        h, w = self._shape
        g = self.grid_rect()
        if self._qimage is None:
            p.fillRect(g, EMPTY_COLOR)
        else:
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self.smooth())
            p.drawImage(g, self._qimage)
        if self._grid:
            self._paint_grid(p, g, h, w)
        if self._mark_overlay is not None and self._show_marks:
            self._paint_marks(p)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        p.setPen(QPen(self.palette().mid().color(), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(g)
        if self._caption:
            cap = QRect(0, int(g.bottom()) + 2, self.width(), self.height())
            p.setPen(self.palette().windowText().color())
            p.drawText(cap, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                       self._caption)
        p.end()

    def _paint_marks(self, p: QPainter) -> None:
        if self.scale() < MARK_CELLS_FROM:
            # Outlines would cover small cells whole: tint the wrong pixels instead.
            p.drawImage(self.grid_rect(), self._mark_overlay)
            return
        p.setPen(mark_style.pen(self._meaning))
        p.setBrush(Qt.BrushStyle.NoBrush)
        for r, c in zip(*np.nonzero(self._marks)):
            p.drawRect(self.cell_rect(int(r), int(c)).adjusted(1.5, 1.5, -1.5, -1.5))

    def _paint_grid(self, p: QPainter, g: QRectF, h: int, w: int) -> None:
        s = self.scale()
        if s < 6:  # lines would hide the picture
            return
        p.setPen(QPen(GRID_COLOR, 1))
        for c in range(1, w):
            x = g.x() + c * s
            p.drawLine(QPointF(x, g.top()), QPointF(x, g.bottom()))
        for r in range(1, h):
            y = g.y() + r * s
            p.drawLine(QPointF(g.left(), y), QPointF(g.right(), y))
