"""The workspace's events: synchronous signals without Qt, which the panels connect to.

A class declares `current_changed = Signal(object, object)`; each instance has its own list of
callbacks. `connect(callback)` adds one, `disconnect(callback)` takes it off (all of them
without an argument; one that is not connected is no error); `emit(*args)` calls them in the order they were
connected, on the emitting thread, each with as many of the arguments as it takes (a panel's
`lambda model: ...` on a two-argument event gets the first). A bound method is held weakly, so a
panel that is gone is dropped rather than called or kept alive by the workspace; functions and
lambdas are held as given. An exception in a callback reaches the emitter, as from a plain call,
and the callbacks after it are not called.

Written here rather than taken from a signal library: the workspace needs exactly this, and the
library it replaced (psygnal) cost the window about 17 ms of its start-up to import.
"""
from __future__ import annotations

import inspect
import weakref
from types import MethodType


class Signal:
    """Declared on a class; reading it from an instance gives that instance's SignalInstance."""

    def __init__(self, *types):
        self.nargs = len(types)
        self.name = ""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        found = obj.__dict__.get(self.name)
        if found is None:
            found = obj.__dict__[self.name] = SignalInstance(self.name, self.nargs)
        return found


class SignalInstance:
    """A Qt-free event: callbacks connected to it (bound methods weakly, so a deleted panel drops out) are
    called synchronously by emit()."""
    def __init__(self, name: str, nargs: int):
        self.name, self.nargs = name, nargs
        self._slots: list[tuple[object, int | None]] = []   # (callable or weak method, arguments taken)

    def connect(self, callback):
        """Adds `callback`; raises TypeError when it needs more arguments than the event gives."""
        taken = _arguments_taken(callback, self.nargs, self.name)
        if isinstance(callback, MethodType):
            try:
                target = weakref.WeakMethod(callback, self._drop)
            except TypeError:        # an object without weak references: held as given
                target = callback
        else:
            target = callback
        self._slots.append((target, taken))
        return callback

    def disconnect(self, callback=None) -> None:
        """Takes `callback` off (every time it was connected); None: every callback."""
        if callback is None:
            self._slots = []
            return

        def same(target) -> bool:
            found = target() if isinstance(target, weakref.WeakMethod) else target
            return found is callback or found == callback     # a bound method is made anew on each access
        self._slots = [slot for slot in self._slots if not same(slot[0])]

    def emit(self, *args) -> None:
        """Calls every connected callback with the arguments it takes; TypeError when the count does not match
        the event's."""
        if len(args) != self.nargs:
            raise TypeError(f"{self.name} gives {self.nargs} argument(s), emitted with {len(args)}")
        for target, taken in list(self._slots):      # callbacks connected meanwhile wait for the next one
            callback = target() if isinstance(target, weakref.WeakMethod) else target
            if callback is not None:
                callback(*(args if taken is None else args[:taken]))

    def __len__(self) -> int:
        return len(self._slots)

    def _drop(self, dead) -> None:
        self._slots = [slot for slot in self._slots if slot[0] is not dead]


def _arguments_taken(callback, nargs: int, name: str) -> int | None:
    """How many positional arguments to pass: None for all of them (*args, or a callable whose
    signature Python cannot read, such as a Qt signal's emit)."""
    try:
        parameters = inspect.signature(callback).parameters.values()
    except (TypeError, ValueError):
        return None
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    taken = required = 0
    for p in parameters:
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            return None
        if p.kind in positional:
            taken += 1
            required += p.default is inspect.Parameter.empty
        elif p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty:
            raise TypeError(f"{callback!r} needs the keyword argument {p.name!r}, which {name} does not give")
    if required > nargs:
        raise TypeError(f"{callback!r} needs {required} argument(s); {name} gives {nargs}")
    return min(taken, nargs)
