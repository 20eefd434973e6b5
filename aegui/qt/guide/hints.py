"""The first-run guide: three short hints (draw here, hover here, train there) floating beside what
they point at. Each can be closed; "Don't show again" closes them all. Closed hints are remembered
in the settings, so they never come back.

A hint never covers a control (a button, a field, the editor's grid, a tab): it is placed at the
first spot around its target that covers none, so the user can do what it says without closing it
first. Its colours are its own in both themes (the dark theme's light button text on the hint's
light yellow could not be read).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QTimer
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QFrame, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QSlider, QTabBar, QVBoxLayout, QWidget)

from aegui.qt.i18n import notifier, tr

# key, what it points at (a function of the window), text
HINTS = (
    ("draw", lambda w: w.editor.grid,
     "Draw here: click cells to change the glyph and see what the model makes of it."),
    ("hover", lambda w: w.latent.plot,
     "Hover over the map: every point of the latent space decodes to a glyph or an image."),
    ("train", lambda w: w.switcher.buttons["train"],
     "Train: set a model up and press F5 (F6 trains one epoch at a time)."),
)
DONE_KEY = "guide/done"
CONTROLS = (QAbstractButton, QComboBox, QAbstractSpinBox, QSlider, QLineEdit, QTabBar, QAbstractItemView)
GAP = 8
SCAN = 24             # px: the grid of the last-resort spots
ARROWS = {"right": "◀ ", "left": "▶ ", "below": "▲ ", "above": "▼ ", "inside": ""}
STYLE = ("#guide-hint { background: #fffbe6; border: 2px solid #e0a800; border-radius: 6px; }"
         "#guide-hint QLabel { color: #3a2d00; }"
         "#guide-hint QPushButton { color: #3a2d00; background: #ffeaa0; border: 1px solid #c9a227;"
         " border-radius: 3px; padding: 3px 10px; }"
         "#guide-hint QPushButton:flat { background: transparent; border: none; text-decoration: underline; }")


def _side(r: QRect, t: QRect) -> str:
    """Where rectangle r lies from target t (its arrow points back at t)."""
    if r.left() > t.right():
        return "right"
    if r.right() < t.left():
        return "left"
    if r.top() > t.bottom():
        return "below"
    if r.bottom() < t.top():
        return "above"
    return "inside"


def _area(w: QWidget | None) -> int:
    return 0 if w is None else w.width() * w.height()


def _on_screen(w: QWidget) -> bool:
    if not w.isVisible():
        return False
    view = getattr(w, "viewport", None)     # a graphics or scroll view shows through its viewport
    return not w.visibleRegion().isEmpty() or (view is not None and not view().visibleRegion().isEmpty())


def is_control(w: QWidget) -> bool:
    """A widget the user clicks or types in (the editor's grid is one)."""
    return isinstance(w, CONTROLS) or type(w).__name__ == "EditGrid"


class Hint(QFrame):
    def __init__(self, guide: "Guide", key: str, text: str, parent: QWidget):
        super().__init__(parent)
        self.guide, self.key, self.english = guide, key, text
        self.side = "inside"
        self.setObjectName("guide-hint")
        self.setStyleSheet(STYLE)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setMinimumWidth(200)
        self.label.setMaximumWidth(250)
        self.ok = QPushButton()
        self.never = QPushButton()
        self.never.setFlat(True)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.never)
        row.addWidget(self.ok)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.addWidget(self.label)
        lay.addLayout(row)
        self.ok.clicked.connect(lambda: guide.dismiss(key))
        self.never.clicked.connect(guide.dismiss_all)
        self.retranslate()

    def retranslate(self) -> None:
        self.label.setText(ARROWS[self.side] + tr(self.english))
        self.ok.setText(tr("Got it"))
        self.never.setText(tr("Don't show again"))
        self.layout().activate()
        self.adjustSize()


class Guide(QObject):
    """Places the hints over `window`, beside what they point at; follows resizes and perspectives."""

    def __init__(self, window, settings):
        super().__init__(window)
        self.window, self.settings = window, settings
        self.hints: dict[str, Hint] = {}
        self._targets: list[QWidget] = []
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.place)
        notifier.changed.connect(self.retranslate)

    def start(self) -> list[str]:
        """Show the hints not yet dismissed; returns their keys."""
        if self.settings.value(DONE_KEY, False, bool):
            return []
        for key, _target, text in HINTS:
            if self.settings.value(f"guide/{key}", False, bool) or key in self.hints:
                continue
            hint = Hint(self, key, text, self.window)
            self.hints[key] = hint
        self.window.installEventFilter(self)
        # A target that moves (a toolbar button after a language switch, a dock resized) takes
        # its hint along: placed against the old layout, a hint covered the buttons it named.
        self._targets = [t for t in (self.target(k) for k in self.hints) if t is not None]
        for target in self._targets:
            target.installEventFilter(self)
        arranger = getattr(self.window, "arranger", None)
        if arranger is not None:
            arranger.changed.connect(lambda *_: self._timer.start())
        self.place()
        return list(self.hints)

    def visible(self) -> list[str]:
        return [k for k, h in self.hints.items() if h.isVisible()]

    def target(self, key: str) -> QWidget | None:
        fn = next(t for k, t, _ in HINTS if k == key)
        try:
            return fn(self.window)
        except (AttributeError, KeyError):
            return None

    def dismiss(self, key: str) -> None:
        self.settings.setValue(f"guide/{key}", True)
        hint = self.hints.pop(key, None)
        if hint is not None:
            hint.hide()
            hint.deleteLater()
        if all(self.settings.value(f"guide/{k}", False, bool) for k, _, _ in HINTS):
            self.settings.setValue(DONE_KEY, True)

    def dismiss_all(self) -> None:
        for key in list(self.hints):
            self.dismiss(key)
        self.settings.setValue(DONE_KEY, True)

    def retranslate(self) -> None:
        for hint in self.hints.values():
            hint.retranslate()
        self._timer.start()      # where the targets are once the new texts are laid out

    # -- placing --------------------------------------------------------------------------------
    def _rect(self, w: QWidget) -> QRect:
        return QRect(w.mapTo(self.window, QPoint(0, 0)), w.size())

    def control_rects(self) -> list[QRect]:
        """Where the window's visible controls are (the hints' own buttons left out)."""
        own = {id(b) for h in self.hints.values() for b in (h.ok, h.never)}
        return [self._rect(w) for w in self.window.findChildren(QWidget)
                if is_control(w) and id(w) not in own and _on_screen(w)]

    def candidates(self, t: QRect, w: int, h: int) -> list[tuple[str, QPoint]]:
        cy, cx = t.center().y() - h // 2, t.center().x() - w // 2
        return [("left", QPoint(t.left() - w - GAP, t.top() + GAP)), ("left", QPoint(t.left() - w - GAP, cy)),
                ("right", QPoint(t.right() + GAP, t.top() + GAP)), ("right", QPoint(t.right() + GAP, cy)),
                ("below", QPoint(cx, t.bottom() + GAP)), ("below", QPoint(t.left(), t.bottom() + GAP)),
                ("above", QPoint(cx, t.top() - h - GAP)),
                ("inside", QPoint(t.left() + 3 * GAP, t.top() + 3 * GAP)),
                ("inside", QPoint(t.left() + 3 * GAP, t.bottom() - h - 3 * GAP)),
                ("inside", QPoint(t.right() - w - 3 * GAP, t.bottom() - h - 3 * GAP))]

    def scan(self, t: QRect, w: int, h: int) -> list[tuple[str, QPoint]]:
        """Every spot of the window on a coarse grid, nearest to the target first: where the
        spots beside the target are all taken (by controls or the other hints)."""
        win = self.window
        spots = [QPoint(x, y) for x in range(4, max(5, win.width() - w - 3), SCAN)
                 for y in range(4, max(5, win.height() - h - 3), SCAN)]
        c = t.center()
        spots.sort(key=lambda p: (p.x() + w // 2 - c.x()) ** 2 + (p.y() + h // 2 - c.y()) ** 2)
        return [(_side(QRect(p.x(), p.y(), w, h), t), p) for p in spots]

    def place(self) -> None:
        win = self.window
        placed: list[QRect] = []
        controls = None
        # Small targets first: a toolbar button has few spots beside it, the map has many.
        order = sorted((k for k, _t, _ in HINTS), key=lambda k: _area(self.target(k)))
        for key in order:
            hint = self.hints.get(key)
            if hint is None:
                continue
            target = self.target(key)
            if target is None or not _on_screen(target):
                hint.hide()
                continue
            hint.adjustSize()
            if controls is None:
                controls = self.control_rects()
            t = self._rect(target)
            w, h = hint.width(), hint.height()
            avoid = controls + placed + ([t] if is_control(target) else [])
            best = None
            for side, p in self.candidates(t, w, h) + self.scan(t, w, h):
                x = max(4, min(p.x(), win.width() - w - 4))
                y = max(4, min(p.y(), win.height() - h - 4))
                r = QRect(x, y, w, h)
                if not any(r.intersects(a) for a in avoid):
                    best = ("inside" if r.intersects(t) else side, r)   # pushed back into the window
                    break
            side, r = best or ("inside", QRect(max(4, t.left() + GAP), max(4, t.top() + GAP), w, h))
            if side != hint.side:
                hint.side = side
                hint.retranslate()
            hint.move(r.topLeft())
            placed.append(r)
            hint.show()
            hint.raise_()

    def eventFilter(self, obj, event) -> bool:
        t = event.type()
        if obj is self.window and t in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.LayoutRequest):
            self._timer.start()
        elif t in (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide) and \
                obj in self._targets:
            self._timer.start()
        return super().eventFilter(obj, event)
