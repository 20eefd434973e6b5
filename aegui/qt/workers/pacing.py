"""Throttled and debounced calls (superqt's), made on their first call, and the newest of many
calls made soon (`Coalesced`, for the mouse).

Importing anything from superqt runs its package's __init__, which imports every widget it has
(~50 ms, a quarter of what the window costs over a bare one). The panels shown first only need
a throttle once something moves, after the window is up; until then there is nothing to cancel.
"""
from __future__ import annotations

import time
import weakref


class Paced:
    """`fn()` at most once per `timeout_ms`: `throttle` (leading: the first call runs at once) or,
    `debounce`, once the calls have stopped for `timeout_ms` (trailing). The superqt object is
    parented to `fn`'s QObject, as superqt does for a bound method, so it goes with its panel."""

    def __init__(self, fn, timeout_ms: int, *, debounce: bool = False, leading: bool | None = None):
        # Held weakly, as superqt holds it: a panel is not kept alive by its own throttle.
        self._fn = weakref.WeakMethod(fn) if hasattr(fn, "__self__") else (lambda: fn)
        self._timeout, self._debounce = timeout_ms, debounce
        self._leading = (not debounce) if leading is None else leading
        self._made = None

    def __call__(self) -> None:
        if self._made is None:
            fn = self._fn()
            if fn is None:
                return
            from superqt.utils import qdebounced, qthrottled
            make = qdebounced if self._debounce else qthrottled
            self._made = make(fn, timeout=self._timeout, leading=self._leading)
        self._made()

    def cancel(self) -> None:
        if self._made is not None:
            self._made.cancel()


def throttled(fn, timeout_ms: int, leading: bool = True) -> Paced:
    return Paced(fn, timeout_ms, leading=leading)


def debounced(fn, timeout_ms: int) -> Paced:
    return Paced(fn, timeout_ms, debounce=True)


class Coalesced:
    """`fn()` for the newest of a burst of calls: on the next turn of the event loop (every call
    queued before it is folded into one), and at most once per `interval_ms`: a call that comes
    sooner after the last run waits for the rest of the interval, one that comes later does not
    wait at all.

    Not superqt's throttle: its timer restarts at each run, so calls a little further apart than
    its timeout (a mouse at 60 Hz against 16 ms) fall while the restarted timer runs and each one
    waits almost a whole timeout: the hover preview came 17 ms after the move instead of 5 ms.
    `clock` (seconds) is for tests."""

    def __init__(self, fn, interval_ms: int, parent, clock=time.perf_counter):
        from PySide6.QtCore import Qt, QTimer
        self._fn, self._interval, self._clock = fn, interval_ms / 1000, clock
        self._last: float | None = None
        self.timer = QTimer(parent)
        self.timer.setSingleShot(True)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._run)

    def __call__(self) -> None:
        if self.timer.isActive():
            return                       # the run already due takes the newest state
        wait = 0.0 if self._last is None else self._interval - (self._clock() - self._last)
        self.timer.start(max(0, round(wait * 1000)))

    def _run(self) -> None:
        self._last = self._clock()
        self._fn()

    def cancel(self) -> None:
        self.timer.stop()
