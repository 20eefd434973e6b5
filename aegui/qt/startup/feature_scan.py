"""A cheaper form of PySide's per-module source scan, installed before the window's modules load.

Once PySide6.QtCore is imported, PySide replaces `__import__` so that `from __feature__ import
snake_case` can work. Its hook asks, once for every module that runs an import statement, whether
the module's source mentions "PySide6" (`shibokensupport.feature._mod_uses_pyside`), and it answers
through `inspect.getsource`: each module's source is read line by line into `linecache` and kept
there. That is every pyqtgraph, aegui and torch module loaded after Qt: `import torch` after
PySide6 took 0.90-1.05 s here against 0.77-0.79 s before it, and left 1,080 sources in memory.

`install()` puts in its place a check that gives the same answer (does the module's .py file
contain the bytes "PySide6"; False where there is no source file, as PySide's own check answers
when `getsource` fails) by reading the file once, without linecache: pyqtgraph's import was
40-60 ms quicker, the window's modules 8-20 ms and torch's 60-180 ms, and linecache kept 16
files. Only what PySide decides for a module that uses `__feature__` depends on the answer; no
module the app loads does. Where this PySide has no such function, nothing is changed.
"""
from __future__ import annotations

NAME = "_mod_uses_pyside"
replaced = None     # PySide's own check, once install() has replaced it


def mentions_pyside(module) -> bool:
    """Whether `module` was loaded from a .py file whose text contains "PySide6"."""
    spec = getattr(module, "__spec__", None)
    path = getattr(spec, "origin", None) if spec is not None else getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return False
    try:
        with open(path, "rb") as source:
            return b"PySide6" in source.read()
    except OSError:       # a bundled module (no file on disk), or a file gone since
        return False


def install() -> bool:
    """Import PySide6.QtCore (which installs PySide's import hook) and replace the hook's source
    check with mentions_pyside(); True if it was replaced (or already was)."""
    import PySide6.QtCore  # noqa: F401  (the hook and shibokensupport come with it)
    try:
        import shibokensupport.feature as feature
    except ImportError:
        return False
    global replaced
    current = getattr(feature, NAME, None)
    if current is mentions_pyside:
        return True
    if not callable(current):
        return False
    replaced = current
    setattr(feature, NAME, mentions_pyside)
    return True
