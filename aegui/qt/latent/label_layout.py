"""Where the map's text labels go so that none covers another: each label tries the sides of its
point in turn (above right, above left, below right, below left) and takes the first whose
rectangle meets no label already placed; with no side free it is hidden (the pointer resting on
its point shows it). Earlier labels are placed first. Screen pixels in, anchors out."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF

# pg.TextItem anchors: (0, 1) puts the text's bottom-left corner on the point (above right).
ANCHORS = ((0.0, 1.0), (1.0, 1.0), (0.0, 0.0), (1.0, 0.0))
SLACK = 0.5       # px two rectangles may share (antialiased edges) and still count as apart


def label_rect(point: QPointF, size: tuple[float, float], anchor: tuple[float, float]) -> QRectF:
    w, h = size
    return QRectF(point.x() - anchor[0] * w, point.y() - anchor[1] * h, w, h)


def _meets(a: QRectF, b: QRectF) -> bool:
    both = a.intersected(b)
    return both.width() > SLACK and both.height() > SLACK


def place_labels(points: list[QPointF], sizes: list[tuple[float, float]]) -> list[tuple[float, float] | None]:
    """An anchor for each label (None: hidden), points and sizes in screen pixels."""
    placed: list[QRectF] = []
    out: list[tuple[float, float] | None] = []
    for point, size in zip(points, sizes):
        choice = None
        for anchor in ANCHORS:
            rect = label_rect(point, size, anchor)
            if not any(_meets(rect, other) for other in placed):
                choice = anchor
                placed.append(rect)
                break
        out.append(choice)
    return out
