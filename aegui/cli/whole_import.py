"""Ctrl-C while torch is imported is answered once the import is done.

torch's C++ start-up calls back into Python; a KeyboardInterrupt raised in such a callback
crosses C++ code that cannot pass it on, and the process ends in abort() ("terminate called
after throwing an instance of ... KeyboardInterrupt", exit status 134) instead of the one line
a Ctrl-C while starting gets: 2 of 111 runs of `aegui train` interrupted 0.3-2.5 s after they
started. While torch's package runs, a Ctrl-C is only noted; it is sent again when the import
ends, to whatever handles it then (a second or two later).
"""
from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager

_NAME = "torch"


@contextmanager
def ctrl_c_deferred():
    """Within the block, Ctrl-C is noted; after it, raised again (on the main thread only: the
    others get no signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: came.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if came:
            signal.raise_signal(signal.SIGINT)


class _WholeImport:
    """A meta path finder that hands out torch's own spec, its loader running under ctrl_c_deferred."""

    def find_spec(self, name, path=None, target=None):
        if name != _NAME:
            return None
        uninstall(self)
        from importlib.util import find_spec
        spec = find_spec(name)
        if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
            run = spec.loader.exec_module

            def exec_module(module):
                with ctrl_c_deferred():
                    run(module)
            spec.loader.exec_module = exec_module
        return spec


def install():
    """The finder (None when torch is in already); give it to uninstall() when done."""
    if _NAME in sys.modules:
        return None
    finder = _WholeImport()
    sys.meta_path.insert(0, finder)
    return finder


def uninstall(finder) -> None:
    if finder is not None and finder in sys.meta_path:
        sys.meta_path.remove(finder)
