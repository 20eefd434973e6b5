"""Ctrl-C while numpy, scipy or torch is imported is answered once that import is done.

Their C start-up calls back into Python, and a KeyboardInterrupt raised in a callback does not
come out as one: torch's C++ cannot pass it on and the process ended in abort() ("terminate
called after throwing an instance of ... KeyboardInterrupt", exit status 134; 2 of 111 runs of
`aegui train` interrupted 0.3-2.5 s after they started), and numpy's turned it into an
ImportError traceback ("PyCapsule_Import could not import module "datetime""; 1 of 126 runs at
0-2.5 s). While one of these packages runs, a Ctrl-C is only noted; it is sent again when the
import ends, to whatever handles it then (numpy's takes a fraction of a second, torch's one or
two).
"""
from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager

PACKAGES = ("numpy", "scipy", "torch")


@contextmanager
def ctrl_c_noted():
    """Within the block, Ctrl-C is only noted in the list it yields; after it, Ctrl-C goes where
    it went before (on the main thread only: the others get no signals, and the list stays empty)."""
    came: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield came
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: came.append(signum))
    try:
        yield came
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def ctrl_c_deferred():
    """Within the block, Ctrl-C is noted; after it, raised again."""
    with ctrl_c_noted() as came:
        yield
    if came:
        signal.raise_signal(signal.SIGINT)


class _WholeImport:
    """A meta path finder that hands out the packages' own specs, their loaders running under
    ctrl_c_deferred (the packages' modules are imported within their package's)."""

    def __init__(self, names):
        self.waiting = set(names)

    def find_spec(self, name, path=None, target=None):
        if name not in self.waiting:
            return None
        self.waiting.discard(name)
        if not self.waiting:
            uninstall(self)
        from importlib.util import find_spec
        spec = find_spec(name)      # the other finders' (this one no longer answers for it)
        if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
            run = spec.loader.exec_module

            def exec_module(module):
                with ctrl_c_deferred():
                    run(module)
            spec.loader.exec_module = exec_module
        return spec


def install():
    """The finder (None when every package is in already); give it to uninstall() when done."""
    names = [n for n in PACKAGES if n not in sys.modules]
    if not names:
        return None
    finder = _WholeImport(names)
    sys.meta_path.insert(0, finder)
    return finder


def uninstall(finder) -> None:
    """Takes the finder install() returned off sys.meta_path (None or already removed: nothing to do)."""
    if finder is not None and finder in sys.meta_path:
        sys.meta_path.remove(finder)
