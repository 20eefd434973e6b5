"""The first-run guide: three short hints (draw here, hover here, train there) floating beside what
they point at. Each can be closed; "Don't show again" closes them all. Closed hints are remembered
in the settings, so they come back only when the user asks (Help > Show the tips again). The train
hint, at the perspective switcher, offers the guided tour of the perspectives.

A hint never covers a control (callout.py, spots.py), and a hint that is shown keeps its place while
it is valid: closing one never moves another onto the spot the user is about to click.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QTimer
from PySide6.QtWidgets import QWidget

from aegui.qt.guide.callout import Callout
from aegui.qt.guide.spots import area, control_rects, is_control, on_screen, rect_in
from aegui.qt.guide.tour import Tour
from aegui.qt.i18n import bind_text, on_language

# key, what it points at (a function of the window), text
HINTS = (
    ("draw", lambda w: w.editor.grid,
     "Draw here: click cells to change the glyph and see what the model makes of it."),
    ("hover", lambda w: w.latent.plot,
     "Hover over the map: every point of the latent space decodes to a glyph or an image."),
    ("train", lambda w: w.switcher.buttons["train"],
     "Train: set a model up and press F5 (F6 trains one epoch at a time)."),
)
TOUR_HINT = "train"        # the hint at the perspective switcher offers the tour of the perspectives
DONE_KEY = "guide/done"


class Hint(Callout):
    def __init__(self, guide: "Guide", key: str, text: str, parent: QWidget):
        super().__init__(parent, text)
        self.key = key
        self.tour = None
        if key == TOUR_HINT:
            self.tour = self.add_button(flat=True)
            self.tour.clicked.connect(lambda: guide.take_tour(key))
            self.row.insertWidget(0, self.tour)     # on the left, apart from the closing buttons
        self.never = self.add_button(flat=True)
        self.ok = self.add_button()
        self.ok.clicked.connect(lambda: guide.dismiss(key))
        self.never.clicked.connect(guide.dismiss_all)
        bind_text(self, self.ok.setText, "Got it")
        bind_text(self, self.never.setText, "Don't show again")
        if self.tour is not None:
            bind_text(self, self.tour.setText, "Take the tour")
            bind_text(self, self.tour.setToolTip, "A 2-minute tour of the three perspectives (Help > Guided tour)")
        on_language(self, self.show_text)
        self.show_text()

    def buttons(self) -> tuple:
        return tuple(b for b in (self.ok, self.never, self.tour) if b is not None)


class Guide(QObject):
    """Places the hints over `window`, beside what they point at; follows resizes and perspectives.
    Owns the guided tour (`tour`), which hides the hints while it runs."""

    def __init__(self, window, settings):
        super().__init__(window)
        self.window, self.settings = window, settings
        self.hints: dict[str, Hint] = {}
        self._targets: list[QWidget] = []
        self._watching = False
        self._paused = False
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.place)
        self.tour = Tour(window)
        self.tour.started.connect(lambda: self.pause(True))
        self.tour.ended.connect(lambda *_: self.pause(False))
        # Placed again once the new texts are laid out: a target (a toolbar button) may have moved.
        on_language(self, self._timer.start)

    def start(self) -> list[str]:
        """Show the hints not yet dismissed; returns their keys."""
        if self.settings.value(DONE_KEY, False, bool):
            return []
        for key, _target, text in HINTS:
            if self.settings.value(f"guide/{key}", False, bool) or key in self.hints:
                continue
            self.hints[key] = Hint(self, key, text, self.window)
        self._watch()
        self.place()
        return list(self.hints)

    def _watch(self) -> None:
        """Follow the window and the targets: a target that moves (a toolbar button after a language
        switch, a dock resized) takes its hint along; placed against the old layout, a hint covered
        the buttons it named."""
        if not self._watching:
            self._watching = True
            self.window.installEventFilter(self)
            arranger = getattr(self.window, "arranger", None)
            if arranger is not None:
                arranger.changed.connect(lambda *_: self._timer.start())
        for target in (self.target(k) for k in self.hints):
            if target is not None and target not in self._targets:
                self._targets.append(target)
                target.installEventFilter(self)

    def show_again(self) -> list[str]:
        """Help > Show the tips again: every hint comes back, dismissed ones included."""
        for key, _t, _text in HINTS:
            self.settings.remove(f"guide/{key}")
        self.settings.remove(DONE_KEY)
        return self.start()

    def visible(self) -> list[str]:
        return [k for k, h in self.hints.items() if h.isVisible()]

    def pending(self) -> bool:
        """A placement is due (the window or a target changed and the hints follow at the next turn)."""
        return self._timer.isActive()

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

    def take_tour(self, key: str) -> None:
        """The hint's offer taken: the tour says what the hint said, so the hint is done."""
        self.dismiss(key)
        self.tour.start()

    def pause(self, paused: bool) -> None:
        """Hidden while the tour runs (its callout points at the same places); back where they were."""
        self._paused = paused
        if paused:
            for hint in self.hints.values():
                hint.hide()
        else:
            self.place()

    # -- placing --------------------------------------------------------------------------------
    def place(self) -> None:
        """Keep every shown hint that is still valid where it is; place the others around them."""
        if self._paused:
            return
        win = self.window
        controls: list[QRect] | None = None
        kept: list[QRect] = []
        moving: list[tuple[Hint, QRect, list[QRect]]] = []
        # Small targets first: a toolbar button has few spots beside it, the map has many.
        for key in sorted(self.hints, key=lambda k: area(self.target(k))):
            hint, target = self.hints[key], self.target(key)
            if target is None or not on_screen(target):
                hint.hide()
                hint.target_rect = None     # placed afresh when its target is back
                continue
            if controls is None:
                controls = control_rects(win, {id(b) for h in self.hints.values() for b in h.buttons()})
            t = rect_in(win, target)
            avoid = controls + ([t] if is_control(target) else [])
            hint.fit()
            if hint.still_fits(t, avoid + kept):
                kept.append(hint.geometry())
            else:
                moving.append((hint, t, avoid))
        for hint, t, avoid in moving:
            kept.append(hint.place(t, avoid + kept))
        for hint in self.hints.values():
            if hint.target_rect is not None:
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
