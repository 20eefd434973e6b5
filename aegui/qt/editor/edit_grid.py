"""The pixel editor's editable 5x7 grid: paints with the left button, erases with the right, a
straight stroke between two mouse positions however fast the mouse moves; arrow keys move a focus
cell, Space toggles it, Delete clears it. It only reports edits: the editor owns the glyph and its
undo stack."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QSizePolicy

from aegui.qt.widgets.glyphs import marks
from aegui.qt.widgets.glyphs.glyph_view import GlyphView

ROWS, COLS = 7, 5
GRID_MIN_CELL = 16       # px: the editable grid's smallest cell


class EditGrid(GlyphView):
    """The editable grid. It only reports edits; PixelEditor owns the glyph and the undo stack."""

    stroke_started = Signal()
    painted = Signal(int, int, float)  # row, col, value
    stroke_finished = Signal()
    key_edit = Signal(int, int, str)  # row, col, "toggle" | "clear"

    def __init__(self, parent=None):
        super().__init__(parent, cell_size=36, grid=True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.focus_cell = (0, 0)
        self._stroke_value: float | None = None
        self._last_cell: tuple[int, int] | None = None

    def hasHeightForWidth(self) -> bool:
        return False  # the editor fills whatever space it gets and centres its grid

    def minimumSizeHint(self) -> QSize:
        # The grid one edits is never smaller than the read-only previews beside it.
        return QSize(COLS * GRID_MIN_CELL + 1, ROWS * GRID_MIN_CELL + 1)

    def mousePressEvent(self, event) -> None:
        if self._stroke_value is not None:
            return  # a second button during a stroke would split it into two undo steps
        value = {Qt.MouseButton.LeftButton: 1.0, Qt.MouseButton.RightButton: 0.0}.get(event.button())
        if value is None:
            return super().mousePressEvent(event)
        self._stroke_value = value
        self._last_cell = None
        self.stroke_started.emit()
        self._paint_to(event.position())

    def mouseMoveEvent(self, event) -> None:
        if self._stroke_value is not None:
            self._paint_to(event.position())

    def mouseReleaseEvent(self, event) -> None:
        if self._stroke_value is None:
            return
        expected = Qt.MouseButton.LeftButton if self._stroke_value else Qt.MouseButton.RightButton
        if event.button() == expected:
            self._stroke_value = None
            self._last_cell = None
            self.stroke_finished.emit()

    def _paint_to(self, pos: QPointF) -> None:
        cell = self.cell_at(pos)
        if cell is None:
            self._last_cell = None
            return
        # Fill the cells between two move events so a fast drag leaves no gaps.
        start = self._last_cell or cell
        steps = max(abs(cell[0] - start[0]), abs(cell[1] - start[1]), 1)
        for t in np.linspace(0.0, 1.0, steps + 1):
            r = int(round(start[0] + (cell[0] - start[0]) * t))
            c = int(round(start[1] + (cell[1] - start[1]) * t))
            self.painted.emit(r, c, self._stroke_value)
        self._last_cell = cell
        self.focus_cell = cell
        self.update()

    def keyPressEvent(self, event) -> None:
        moves = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1), Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0)}
        key = event.key()
        r, c = self.focus_cell
        if key in moves:
            dr, dc = moves[key]
            self.focus_cell = (min(max(r + dr, 0), ROWS - 1), min(max(c + dc, 0), COLS - 1))
            self.update()
        elif key == Qt.Key.Key_Space:
            self.key_edit.emit(r, c, "toggle")
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.key_edit.emit(r, c, "clear")
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.update()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self.hasFocus():
            return
        p = QPainter(self)
        p.setPen(marks.pen(marks.FOCUS))
        p.drawRect(self.cell_rect(*self.focus_cell).adjusted(2, 2, -2, -2))
        p.end()
