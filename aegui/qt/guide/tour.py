"""Help > Guided tour: a two-minute walk through the three perspectives (Explore, Train,
Experiments). Each step is a callout beside a real widget, switching perspective and bringing a
tab forward as it goes; Back, Next and Skip (or Esc) move through it, and Return or Enter presses
the callout's button that has the focus (Next, unless the user moved it). It never covers what it
points at, and at the end, or on Skip, the window is as the user had it: the same perspective,
the same tabs in front.

It is offered once, by the first-run hint at the perspective switcher, and never starts by itself.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QWidget

from aegui.qt.guide.callout import Callout
from aegui.qt.guide.spots import control_rects, on_screen, rect_in
from aegui.qt.i18n import bind_text, on_language, tr


def _menu(name: str) -> Callable:
    """A menu's title in the menu bar."""
    def target(w):
        bar = w.menuBar()
        return bar, bar.actionGeometry(getattr(w.menus, name).menuAction())
    return target


@dataclass(frozen=True)
class Step:
    target: Callable              # window -> (widget, rectangle in the widget or None for all of it)
    text: str                     # English; shown through tr()
    perspective: str | None = None    # switched to before the step shows; None: stays
    dock: str | None = None       # brought to the front of its tabs
    keep_free: Callable | None = None   # window -> widgets the callout never covers, besides the target


STEPS = (
    Step(lambda w: (w.switcher, None),
         "aegui has three perspectives, one for each task: Explore, Train and Experiments. Switch here, "
         "or with Ctrl+1, Ctrl+2 and Ctrl+3."),
    Step(lambda w: (w.latent.plot, None),
         "Explore (Ctrl+1): the latent map. Every point of it decodes to a glyph or an image: hover to see it, "
         "click to pin it.", "explore", "latent", keep_free=lambda w: [w.latent.tray.samples_area()]),
    Step(lambda w: (w.editor.grid, None),
         "The pixel editor: click cells to draw a glyph, add noise, and see what the denoiser makes of it.",
         "explore", "editor"),
    Step(lambda w: (w.model_bar.model_combo, None),
         "The model you work with: every perspective shows this one. Pick another here."),
    Step(lambda w: (w.builder, None),
         "Train (Ctrl+2): set a model up in the builder: its data, its layers and how it trains.",
         "train", "builder"),
    Step(lambda w: (w.builder.train_button, None),
         "Press Train or F5 to train it, Esc to stop. F6 trains one epoch at a time, to watch each step.",
         "train", "builder"),
    Step(lambda w: (w.training, None),
         "While it trains, the charts follow the loss and the map above shows the codes move.",
         "train", "training"),
    Step(lambda w: (w.experiments.run_button, None),
         "Experiments (Ctrl+3): a sweep trains several configs (a field to vary, several seeds) and compares "
         "them in a table and charts.", "experiments", "experiments"),
    Step(_menu("menu_experiments"),
         "The Experiments menu runs ready-made sweeps and the analyses (denoising curve, classifier probe) "
         "in one click."),
    Step(_menu("menu_help"),
         "That is the tour. Help > Guided tour shows it again, and F1 lists every keyboard shortcut."),
)


def _front(dock: QDockWidget, window) -> QDockWidget | None:
    """The dock shown in front of `dock`'s tabs (`dock` itself when it is)."""
    for d in [dock] + window.tabifiedDockWidgets(dock):
        if d.isVisible() and not d.visibleRegion().isEmpty():
            return d
    return None


class Tour(QObject):
    started = Signal()
    ended = Signal(bool)          # True: walked to the end; False: skipped

    def __init__(self, window, steps=STEPS):
        super().__init__(window)
        self.window, self.steps = window, steps
        self.index = -1
        self.callout: Callout | None = None
        self._home: str | None = None
        self._undo: list[Callable] = []     # the tabs brought forward, put back on leaving a perspective
        self._watched: list[QWidget] = []
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.place)
        on_language(self, self._show_step)

    def running(self) -> bool:
        return self.callout is not None

    def pending(self) -> bool:
        """A placement is due (the window or the target changed; the callout follows at the next turn)."""
        return self._timer.isActive()

    # -- walking ------------------------------------------------------------------------------
    def start(self) -> None:
        if self.running():
            self.callout.raise_()
            return
        self._home = self.window.arranger.current()
        c = self.callout = Callout(self.window, width=(260, 300))
        self.header = QLabel()
        self.header.setStyleSheet("font-weight: bold;")
        c.column.insertWidget(0, self.header)
        self.skip_button = c.add_button(flat=True)
        bind_text(c, self.skip_button.setText, "Skip the tour")
        c.row.insertWidget(0, self.skip_button)     # apart from the walking buttons
        self.back_button = c.add_button()
        bind_text(c, self.back_button.setText, "Back")
        self.next_button = c.add_button()
        self.skip_button.clicked.connect(self.skip)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.window.installEventFilter(self)
        QApplication.instance().installEventFilter(self)     # Esc skips, whatever has the focus
        self.started.emit()
        self.go(0)

    def go(self, index: int) -> None:
        step = self.steps[index]
        arranger = self.window.arranger
        if step.perspective is not None and step.perspective != arranger.current():
            self._put_tabs_back()
            arranger.switch(step.perspective)
        if step.dock is not None:
            self._bring_forward(self.window.docks[step.dock])
        self.index = index
        self.callout.text = step.text
        self.callout.target_rect = None          # a new step: placed afresh
        self._show_step()
        self._watch(step.target(self.window)[0])
        self.callout.show()
        self.place()
        self.next_button.setFocus()

    def next(self) -> None:
        if self.index == len(self.steps) - 1:
            self.finish(True)
        elif self.running():
            self.go(self.index + 1)

    def back(self) -> None:
        if self.running() and self.index > 0:
            self.go(self.index - 1)

    def skip(self) -> None:
        if self.running():
            self.finish(False)

    def finish(self, done: bool) -> None:
        """The window back as the user had it: their perspective, their tabs in front."""
        self._put_tabs_back()
        if self._home is not None and self._home != self.window.arranger.current():
            self.window.arranger.switch(self._home)
            self._put_tabs_back()
        QApplication.instance().removeEventFilter(self)
        self.window.removeEventFilter(self)
        self._watch(None)
        self.callout.hide()
        self.callout.deleteLater()
        self.callout, self.index = None, -1
        self.ended.emit(done)

    def _bring_forward(self, dock: QDockWidget) -> None:
        """In front of its tabs (shown, if the user had closed it); undone on leaving the perspective."""
        if not dock.isVisible():
            self._undo.append(dock.hide)
        else:
            front = _front(dock, self.window)
            if front is dock:
                return
            if front is not None:
                self._undo.append(front.raise_)
        dock.show()
        dock.raise_()

    def _put_tabs_back(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()

    # -- showing ------------------------------------------------------------------------------
    def _show_step(self) -> None:
        """The step's number, its text and what Next says (Done at the last), then placed anew."""
        if not self.running():
            return
        last = self.index == len(self.steps) - 1
        self.header.setText(tr("Guided tour · {n} of {total}", n=self.index + 1, total=len(self.steps)))
        self.next_button.setText(tr("Done") if last else tr("Next"))
        self.back_button.setEnabled(self.index > 0)
        self.callout.show_text()
        self._timer.start()

    def target(self) -> tuple[QWidget, QRect] | None:
        """The current step's widget and where it is in the window."""
        if not self.running():
            return None
        widget, rect = self.steps[self.index].target(self.window)
        rect = QRect(rect) if rect is not None else widget.rect()
        return widget, QRect(widget.mapTo(self.window, rect.topLeft()), rect.size())

    def place(self) -> None:
        """Beside the step's target, never over it, over no control where there is room."""
        if not self.running():
            return
        widget, t = self.target()
        if not on_screen(widget):
            return                  # the user switched away: it stays until they move on
        own = {id(b) for b in (self.skip_button, self.back_button, self.next_button)}
        # The step says what to do there (the map's: pin): where that shows is left free too.
        keep = self.steps[self.index].keep_free
        free = [rect_in(self.window, w) for w in (keep(self.window) if keep else []) if on_screen(w)]
        avoid = control_rects(self.window, own) + [t] + free
        if not self.callout.still_fits(t, avoid):
            self.callout.place(t, avoid, never=[t] + free)
        self.callout.raise_()

    def _watch(self, widget: QWidget | None) -> None:
        """Follow the target and what holds it: a dock resized moves the button inside it, and only
        the dock hears of it."""
        for w in self._watched:
            w.removeEventFilter(self)
        self._watched = []
        while widget is not None and widget is not self.window:
            widget.installEventFilter(self)
            self._watched.append(widget)
            widget = widget.parentWidget()

    def _keys_for_callout(self, obj) -> bool:
        """Whether a key pressed on `obj` is the callout's: the focus in it, or on no widget of the
        window (the window itself gets the key)."""
        c = self.callout
        return c is not None and isinstance(obj, QWidget) and (obj is c or c.isAncestorOf(obj) or obj is self.window)

    def eventFilter(self, obj, event) -> bool:
        t = event.type()
        if t in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and event.key() == Qt.Key.Key_Escape \
                and isinstance(obj, QWidget) and obj.window() is self.window:
            # Taken before the window's Esc (stop training) sees it: Esc closes what opened last.
            event.accept()
            if t == QEvent.Type.KeyPress:
                self.skip()
            return True
        if t == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and self._keys_for_callout(obj):
            # A button outside a dialog takes no Return: the callout's are pressed here.
            buttons = (self.skip_button, self.back_button, self.next_button)
            (obj if obj in buttons else self.next_button).click()
            return True
        if (obj is self.window and t in (QEvent.Type.Resize, QEvent.Type.LayoutRequest)) or \
                (t in (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show) and obj in self._watched):
            self._timer.start()
        return super().eventFilter(obj, event)
