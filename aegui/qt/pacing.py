"""Throttled and debounced calls (superqt's), made on their first call.

Importing anything from superqt runs its package's __init__, which imports every widget it has
(~50 ms, a quarter of what the window costs over a bare one). The panels shown first only need
a throttle once something moves, after the window is up; until then there is nothing to cancel.
"""
from __future__ import annotations

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
