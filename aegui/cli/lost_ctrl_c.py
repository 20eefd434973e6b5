"""A Ctrl-C that Python would swallow is sent again.

Python runs a signal's handler in whatever code the main thread runs next. When that code is a
weakref callback or a `__del__` method, the KeyboardInterrupt the handler raises cannot leave it:
Python prints "Exception ignored in ..." and carries on. Every import ends in such a callback
(importlib's `_get_module_lock.<locals>.cb`, run when a module's lock is freed), so a Ctrl-C while
`aegui train` starts was now and then lost: the command printed that note and trained on (1 run of
`make test` on CI, Ctrl-C 0-0.24 s after numpy's import began). Here such a KeyboardInterrupt is
not printed but sent again a few milliseconds later, from a thread, so that it reaches the main
thread's next ordinary code, where it stops the command as any Ctrl-C does.

The thread is started with `_thread.start_new_thread`, which returns at once. `threading.Thread.start`
waits until the new thread runs; on a loaded machine that wait outlasted the resend, so the second
Ctrl-C landed inside this hook, where Python swallows it for good ("Exception ignored in
sys.unraisablehook"), and the command trained on (3 of 32 runs beside two busy processes per
core). Started this way, the hook runs no Python code after the thread exists that could take the
signal: the new thread needs the interpreter lock before it can sleep, and the hook returns.
"""
from __future__ import annotations

import os
import signal
import sys
import _thread
import time

RESEND_AFTER_S = 0.005     # far longer than one such callback runs


def _resend() -> None:
    time.sleep(RESEND_AFTER_S)
    os.kill(os.getpid(), signal.SIGINT)


class Resender:
    """The unraisable hook: a KeyboardInterrupt is sent again, anything else goes to the hook
    that was there before."""

    def __init__(self, previous):
        self.previous = previous

    def __call__(self, unraisable) -> None:
        if issubclass(unraisable.exc_type, KeyboardInterrupt):
            _thread.start_new_thread(_resend, ())
            return
        self.previous(unraisable)


def install() -> Resender:
    """Puts the hook in place; give what it returns to uninstall()."""
    hook = Resender(sys.unraisablehook)
    sys.unraisablehook = hook
    return hook


def uninstall(hook: Resender | None) -> None:
    """Puts back the hook install() found, unless another has replaced this one since."""
    if hook is not None and sys.unraisablehook is hook:
        sys.unraisablehook = hook.previous
