"""Where a callout goes: the first spot around its target that covers no control (a button, a
field, the editor's grid, a tab) and nothing else it must leave free, so the user can do what it
says without closing it first."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit, QSlider,
                               QTabBar, QWidget)

CONTROLS = (QAbstractButton, QComboBox, QAbstractSpinBox, QSlider, QLineEdit, QTabBar, QAbstractItemView)
GAP = 8
SCAN = 24             # px: the grid of the last-resort spots
MARGIN = 4            # px: kept free along the window's edges


def side_of(r: QRect, t: QRect) -> str:
    """Where rectangle r lies from target t (a callout's arrow points back at t): "right", "below",
    … or both ("below right") for a spot off both of t's spans, whose arrow points across."""
    across = "right" if r.left() > t.right() else "left" if r.right() < t.left() else ""
    along = "below" if r.top() > t.bottom() else "above" if r.bottom() < t.top() else ""
    return " ".join(filter(None, (along, across))) or "inside"


def area(w: QWidget | None) -> int:
    return 0 if w is None else w.width() * w.height()


def on_screen(w: QWidget) -> bool:
    if not w.isVisible():
        return False
    view = getattr(w, "viewport", None)     # a graphics or scroll view shows through its viewport
    return not w.visibleRegion().isEmpty() or (view is not None and not view().visibleRegion().isEmpty())


def is_control(w: QWidget) -> bool:
    """A widget the user clicks or types in (the editor's grid is one)."""
    return isinstance(w, CONTROLS) or type(w).__name__ == "EditGrid"


def rect_in(window: QWidget, w: QWidget) -> QRect:
    return QRect(w.mapTo(window, QPoint(0, 0)), w.size())


def control_rects(window: QWidget, own: set[int] = frozenset()) -> list[QRect]:
    """Where the window's visible controls are, the ones whose id() is in `own` left out."""
    return [rect_in(window, w) for w in window.findChildren(QWidget)
            if is_control(w) and id(w) not in own and on_screen(w)]


def inside(window: QWidget, r: QRect) -> bool:
    return window.rect().adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN).contains(r)


def _candidates(t: QRect, w: int, h: int) -> list[tuple[str, QPoint]]:
    cy, cx = t.center().y() - h // 2, t.center().x() - w // 2
    return [("left", QPoint(t.left() - w - GAP, t.top() + GAP)), ("left", QPoint(t.left() - w - GAP, cy)),
            ("right", QPoint(t.right() + GAP, t.top() + GAP)), ("right", QPoint(t.right() + GAP, cy)),
            ("below", QPoint(cx, t.bottom() + GAP)), ("below", QPoint(t.left(), t.bottom() + GAP)),
            ("above", QPoint(cx, t.top() - h - GAP)),
            ("inside", QPoint(t.left() + 3 * GAP, t.top() + 3 * GAP)),
            ("inside", QPoint(t.left() + 3 * GAP, t.bottom() - h - 3 * GAP)),
            ("inside", QPoint(t.right() - w - 3 * GAP, t.bottom() - h - 3 * GAP))]


def _scan(window: QWidget, t: QRect, w: int, h: int):
    """Every spot of the window on a coarse grid, nearest to the target first: where the spots
    beside the target are all taken (by controls or other callouts)."""
    spots = [QPoint(x, y) for x in range(MARGIN, max(MARGIN + 1, window.width() - w - MARGIN + 1), SCAN)
             for y in range(MARGIN, max(MARGIN + 1, window.height() - h - MARGIN + 1), SCAN)]
    c = t.center()
    spots.sort(key=lambda p: (p.x() + w // 2 - c.x()) ** 2 + (p.y() + h // 2 - c.y()) ** 2)
    return ((side_of(QRect(p.x(), p.y(), w, h), t), p) for p in spots)


def spots(window: QWidget, t: QRect, w: int, h: int, far: bool = True, reach: int | None = None):
    """Where a w x h callout can go, kept in the window, with the side of target t it is on: right
    beside t first, then (`far`) anywhere on a coarse grid, nearest first, or only the grid's
    spots within `reach` px of t. Made as they are asked for: a callout that fits beside its
    target (most do) never lays out the ~1,700 spots of the grid."""
    for side, p in _candidates(t, w, h):
        yield _kept_in(window, t, side, p, w, h)
    if not (far or reach is not None):
        return
    around = t.adjusted(-reach, -reach, reach, reach) if reach is not None else None
    for side, p in _scan(window, t, w, h):
        if around is None or QRect(p.x(), p.y(), w, h).intersects(around):
            yield _kept_in(window, t, side, p, w, h)


def _kept_in(window: QWidget, t: QRect, side: str, p: QPoint, w: int, h: int) -> tuple[str, QRect]:
    """The spot pushed back into the window, and its side ("inside" once it meets the target)."""
    x = max(MARGIN, min(p.x(), window.width() - w - MARGIN))
    y = max(MARGIN, min(p.y(), window.height() - h - MARGIN))
    r = QRect(x, y, w, h)
    return ("inside" if r.intersects(t) else side, r)


def first_free(candidates, avoid: list[QRect]) -> tuple[str, QRect] | None:
    """The first candidate (of any iterable: only those up to it are made) that meets none of `avoid`."""
    return next(((side, r) for side, r in candidates if not any(r.intersects(a) for a in avoid)), None)


def least_covering(candidates, avoid: list[QRect],
                   never: list[QRect]) -> tuple[str, QRect] | None:
    """The candidate meeting none of `never` that meets the fewest of `avoid` (the first of equals)."""
    allowed = [(side, r) for side, r in candidates if not any(r.intersects(n) for n in never)]
    return min(allowed, key=lambda c: sum(c[1].intersects(a) for a in avoid), default=None)
