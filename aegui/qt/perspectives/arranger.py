"""Puts the main window's docks where the current perspective says, keeps the room rules as the
window is resized, and remembers each perspective as the user left it.

- Arranging: the perspective's docks are placed from its table (table.py) and every other dock is
  hidden. A perspective the user has visited keeps its own Qt dock state (moved, floated or closed
  docks), saved per perspective in the settings; Reset layout arranges it from the table again.
- Room: after a resize every column is set from its share of the window, within its least / most
  and never under its panel's minimum, and the hero gets the rest. So a window that grows gives
  the map the room (the side columns stop at `most`), one that shrinks takes from the columns
  first, and the same size always gives the same layout (a 1600 -> 1280 shrink used to leave the
  editor too narrow). Dragging a separator changes that column's share, for this perspective.
"""
from __future__ import annotations

import json

from PySide6.QtCore import QByteArray, QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QTabBar, QTabWidget, QWidget

from aegui.qt.perspectives.table import DEFAULT, PERSPECTIVES, Column, home_of, perspective

STATE_VERSION = 22          # restoreState refuses states saved by the layouts before perspectives
SEPARATOR = 6               # px between docks (Qt's separator and the docks' frames)
AREAS = {"left": Qt.DockWidgetArea.LeftDockWidgetArea, "right": Qt.DockWidgetArea.RightDockWidgetArea}


class _NoTitle(QWidget):
    """The title bar of a dock shown among tabs: nothing."""

    def sizeHint(self) -> QSize:
        return QSize(1, 1)


class Arranger(QObject):
    changed = Signal(str)           # the perspective now shown

    def __init__(self, window, docks: dict[str, QDockWidget], before_shown=lambda keys: None):
        super().__init__(window)
        self.window, self.docks = window, docks
        # Called with the dock keys a perspective is about to show: panels built late come in
        # before their docks are laid out, so the layout is the one they would have had anyway.
        self._before_shown = before_shown
        self._key = DEFAULT
        self._states: dict[str, QByteArray] = {}
        self._shares: dict[str, dict[str, float]] = {}
        self._fitting = False
        self._pressed = False
        window.setDockNestingEnabled(True)
        window.setTabPosition(Qt.DockWidgetArea.AllDockWidgetAreas, QTabWidget.TabPosition.North)
        self._fit_timer = QTimer(self, singleShot=True, interval=0)   # after Qt has shared out a resize
        self._fit_timer.timeout.connect(self.fit)
        window.installEventFilter(self)
        for dock in docks.values():
            # Moved, tabbed, floated or closed by the user: the title bars follow.
            dock.dockLocationChanged.connect(lambda *_: self._titles_timer.start())
            dock.topLevelChanged.connect(lambda *_: self._titles_timer.start())
            dock.visibilityChanged.connect(lambda *_: self._titles_timer.start())
        self._titles_timer = QTimer(self, singleShot=True, interval=0)
        self._titles_timer.timeout.connect(self.titles)

    # ---------------------------------------------------------------- perspectives
    def current(self) -> str:
        return self._key

    def switch(self, key: str) -> None:
        """Show perspective `key` as the user last left it (its table's arrangement the first time)."""
        perspective(key)    # an unknown key fails here, before anything moves
        if key == self._key:
            return
        self._states[self._key] = self.window.saveState(STATE_VERSION)
        self._key = key
        self._before_shown(perspective(key).docks())
        state = self._states.get(key)
        if state is None or not self.window.restoreState(state, STATE_VERSION):
            self.arrange()
        self.titles()
        self.fit()
        self.changed.emit(key)

    def arrange(self) -> None:
        """The current perspective as its table says: its docks in their columns, the others hidden."""
        p, w, docks = perspective(self._key), self.window, self.docks
        wanted = p.docks()
        self._before_shown(wanted)
        for key, dock in docks.items():
            if key not in wanted:
                dock.hide()
        for key in wanted:
            dock = docks[key]
            dock.setFloating(False)
            w.removeDockWidget(dock)
        hero = docks[p.hero[0]]
        w.addDockWidget(AREAS["right" if p.left else "left"], hero)
        if p.left:
            w.addDockWidget(AREAS["left"], docks[p.left.docks[0]])
        if p.right:
            right = docks[p.right.docks[0]]
            if p.left:
                w.splitDockWidget(hero, right, Qt.Orientation.Horizontal)
            else:
                w.addDockWidget(AREAS["right"], right)
        if p.bottom:
            w.splitDockWidget(hero, docks[p.bottom.docks[0]], Qt.Orientation.Vertical)
        for group in (p.hero,) + tuple(c.docks for c in p.columns().values()):
            for key in group[1:]:
                w.tabifyDockWidget(docks[group[0]], docks[key])
        for key in wanted:
            docks[key].show()
        for group in (p.hero,) + tuple(c.docks for c in p.columns().values()):
            docks[group[0]].raise_()
        self.titles()

    def titles(self) -> None:
        """A dock among tabs needs no title bar (its tab names it): 22 px more for the panel. One
        alone, or floating, keeps Qt's title bar (its name, float and close buttons)."""
        w = self.window
        for dock in self.docks.values():
            tabbed = not dock.isFloating() and any(d.isVisible() for d in w.tabifiedDockWidgets(dock))
            bare = isinstance(dock.titleBarWidget(), _NoTitle)
            if tabbed and not bare:
                dock.setTitleBarWidget(_NoTitle())
            elif not tabbed and bare:
                dock.setTitleBarWidget(None)
        self.hide_ghost_tab_bars()

    def hide_ghost_tab_bars(self) -> None:
        """QMainWindow can leave a dock tab bar it no longer uses on screen: tabs without titles
        (two scroll arrows drawn over a panel), or the tabs of another perspective's docks drawn
        over this one's map (their titles never retranslated). A bar in use names only docks
        docked and shown."""
        w = self.window
        shown = {d.windowTitle() for d in self.docks.values() if d.isVisible() and not d.isFloating()}
        for bar in w.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            texts = [bar.tabText(i) for i in range(bar.count())]
            if bar.isVisible() and (not any(texts) or not set(texts) <= shown):
                bar.hide()

    def reset(self) -> None:
        """Reset layout: the current perspective from its table, its own shares forgotten."""
        self._states.pop(self._key, None)
        self._shares.pop(self._key, None)
        self.arrange()
        self.fit()

    def show_dock(self, key: str) -> None:
        """Bring a dock forward, going to the perspective it belongs to when it is not shown here."""
        self._before_shown([key])
        dock = self.docks[key]
        home = home_of(key, first=self._key)
        if not dock.isVisible() and home is not None and home != self._key:
            self.switch(home)
        dock.show()
        dock.raise_()

    # ---------------------------------------------------------------- room
    def _front(self, col: Column) -> QDockWidget | None:
        """The dock of a column that is docked where the table put it (None: the user moved or
        closed the whole column, and its room is theirs)."""
        for key in col.docks:
            dock = self.docks[key]
            if dock.isVisible() and not dock.isFloating():
                return dock
        return None

    def column_size(self, name: str, col: Column, dock: QDockWidget, room: int) -> int:
        """A column's width (left, right) or height (bottom) in a window whose docks have `room` px."""
        share = self._shares.get(self._key, {}).get(name, col.share)
        least = dock.minimumSizeHint().height() if name == "bottom" else dock.minimumSizeHint().width()
        return max(col.least, least, min(col.most, round(share * room)))

    def fit(self) -> None:
        """Set every column from its share; the hero takes the rest."""
        self._fit_timer.stop()
        w = self.window
        if not w.isVisible():
            return
        p = perspective(self._key)
        hero = next((self.docks[k] for k in p.hero if self.docks[k].isVisible() and not self.docks[k].isFloating()),
                    None)
        self._fitting = True
        try:
            widths = []
            for name in ("left", "right"):
                col = getattr(p, name)
                dock = self._front(col) if col else None
                if dock is not None and w.dockWidgetArea(dock) == AREAS[name]:
                    widths.append((dock, self.column_size(name, col, dock, w.width())))
            if hero is not None and widths:
                rest = w.width() - sum(s for _, s in widths) - SEPARATOR * (len(widths) + 1)
                w.resizeDocks([d for d, _ in widths] + [hero], [s for _, s in widths] + [max(rest, 1)],
                              Qt.Orientation.Horizontal)
            dock = self._front(p.bottom) if p.bottom else None
            if dock is not None and hero is not None and w.dockWidgetArea(dock) == w.dockWidgetArea(hero):
                room = hero.height() + dock.height()
                size = self.column_size("bottom", p.bottom, dock, room)
                w.resizeDocks([hero, dock], [max(room - size, 1), size], Qt.Orientation.Vertical)
        finally:
            self._fitting = False

    def _remember_shares(self) -> None:
        """A separator was dragged: each column keeps its new share of the window."""
        p, w = perspective(self._key), self.window
        shares = self._shares.setdefault(self._key, {})
        for name, col in p.columns().items():
            dock = self._front(col)
            if dock is None:
                continue
            if name == "bottom":
                hero = self.docks[p.hero[0]]
                room = hero.height() + dock.height() if hero.isVisible() else 0
                if room:
                    shares[name] = dock.height() / room
            else:
                shares[name] = dock.width() / max(1, w.width())

    def eventFilter(self, obj, event) -> bool:
        if obj is self.window:
            t = event.type()
            if t == QEvent.Type.Resize:
                self._fit_timer.start()
            elif t == QEvent.Type.Show:
                self._fit_timer.start()
            elif t == QEvent.Type.MouseButtonPress:
                # On the window itself (not a panel): a press on a dock separator.
                self._pressed = True
            elif t == QEvent.Type.MouseButtonRelease and self._pressed:
                self._pressed = False
                self._remember_shares()
        return super().eventFilter(obj, event)

    # ---------------------------------------------------------------- settings
    @property
    def settings(self):
        return self.window.settings

    def save(self) -> None:
        from aegui.qt.storage.settings import save_blob
        self._states[self._key] = self.window.saveState(STATE_VERSION)
        self.settings.setValue("layout/perspective", self._key)
        for key, state in self._states.items():
            save_blob(self.settings, f"layout/{key}", state)
        self.settings.setValue("layout/shares", json.dumps(self._shares))

    def restore(self) -> None:
        """The perspective and the layouts saved last time (a damaged or older entry: the table's)."""
        from aegui.qt.storage.settings import saved_layout
        key = self.settings.value("layout/perspective")
        self._key = key if isinstance(key, str) and key in {p.key for p in PERSPECTIVES} else DEFAULT
        for p in PERSPECTIVES:
            state = saved_layout(self.settings, f"layout/{p.key}")
            if state is not None:
                self._states[p.key] = QByteArray(state)
        try:
            shares = json.loads(self.settings.value("layout/shares") or "{}")
        except (TypeError, ValueError):
            shares = {}
        if isinstance(shares, dict):
            self._shares = {k: {n: float(v) for n, v in s.items() if isinstance(v, (int, float)) and 0 < v < 1}
                            for k, s in shares.items() if isinstance(s, dict)}
        self._before_shown(perspective(self._key).docks())
        state = self._states.get(self._key)
        if state is None or not self.window.restoreState(state, STATE_VERSION):
            self.arrange()
        self.titles()
        self.changed.emit(self._key)
