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
ARROWS = {"right": "◀ ", "left": "▶ ", "below": "▲ ", "above": "▼ ", "inside": ""}
STYLE = ("#guide-hint { background: #fffbe6; border: 2px solid #e0a800; border-radius: 6px; }"
         "#guide-hint QLabel { color: #3a2d00; }"
         "#guide-hint QPushButton { color: #3a2d00; background: #ffeaa0; border: 1px solid #c9a227;"
         " border-radius: 3px; padding: 3px 10px; }"
         "#guide-hint QPushButton:flat { background: transparent; border: none; text-decoration: underline; }")


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
        self.place()

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

    def place(self) -> None:
        win = self.window
        placed: list[QRect] = []
        controls = None
        for key, _target, _ in HINTS:
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
            for side, p in self.candidates(t, w, h):
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
        if obj is self.window and event.type() in (QEvent.Type.Resize, QEvent.Type.Show,
                                                   QEvent.Type.LayoutRequest):
            self._timer.start()
        return super().eventFilter(obj, event)
