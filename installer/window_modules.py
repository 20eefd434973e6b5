"""Which of the window's Python modules the packaged app keeps as plain .pyc files (installer/aegui.spec).

PyInstaller's archive holds every module's bytecode zlib-compressed, so the packaged app
inflated the ~420 modules its window imports (8.5 MB of bytecode) at every start, about 35 ms
that a run from source does not spend: the bundle's window came up 1.07-1.11x later than the
same entry script run from source. The spec collects the large ones as plain .pyc files beside
the archive instead (PyInstaller's `module_collection_mode` "pyc"), read as a run from source
reads its cached bytecode; every other module stays compressed in the archive. The window then
comes up as soon as from source (docs/packaging.md has the figures).

Only modules of at least MIN_BYTES of bytecode go out: the 142 largest carry 82 % of the
window's bytes for 4.5 MiB more on disk. The smaller ones would each take a whole 4 KiB disk
block to save microseconds, and all of them together cost ~6 MB, more than the bundle's 600 MB
budget leaves.

    python installer/window_modules.py     # after a marker line, JSON: {"window": {name: bytes}, "children": ...}

It runs `installer/aegui_entry.py --smoke` (offscreen, the demo models) in this process and
records `sys.modules` at the moment the smoke run calls the window shown (aegui.qt.startup.app builds
its HeadlessRun, which times the window, right after show_window), before torch and the models
load on a worker. Only modules loaded from a .py file count (extension and built-in modules are
not bytecode). It exits non-zero, saying why, when it cannot find that moment.
"""
from __future__ import annotations

import marshal
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIN_BYTES = 16384
MARKER = "--- window modules ---"


def record() -> dict[str, int]:
    """Runs the entry script's --smoke; returns {module: bytes of its bytecode} for the .py
    modules imported when the window shows."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    import aegui.qt.startup.app as app

    seen: list[str] = []
    built = app.HeadlessRun.__init__

    def init(self, *args, **kwargs):
        built(self, *args, **kwargs)
        if not seen:
            seen.extend(name for name, module in list(sys.modules.items())
                        if name != "__main__" and str(getattr(getattr(module, "__spec__", None),
                                                              "origin", "")).endswith(".py"))

    app.HeadlessRun.__init__ = init
    import runpy
    argv = sys.argv
    sys.argv = [str(ROOT / "installer" / "aegui_entry.py"), "--smoke"]
    try:
        runpy.run_path(sys.argv[0], run_name="__main__")
    except SystemExit as done:
        if done.code not in (0, None):
            raise SystemExit(f"window_modules: the smoke run exited with {done.code}") from None
    finally:
        sys.argv = argv
    if not seen:
        raise SystemExit("window_modules: the smoke run never reached aegui.qt.startup.app.HeadlessRun")
    return {name: bytecode_size(name) for name in sorted(seen)}


def bytecode_size(name: str) -> int:
    """Bytes of a loaded module's marshalled code, as an archive or a .pyc file holds it; 0 for a
    module whose loader cannot give its code (shiboken's signature_bootstrap names a .py file
    that is not on disk)."""
    spec = sys.modules[name].__spec__
    try:
        return len(marshal.dumps(spec.loader.get_code(name)))
    except (OSError, ImportError, AttributeError):
        return 0


def children_of(names) -> dict[str, list[str]]:
    """package -> the dotted names of the modules and packages directly inside it, from its folder
    (pkgutil reads file names; nothing is imported)."""
    import pkgutil
    found = {}
    for name in names:
        path = getattr(sys.modules.get(name), "__path__", None)
        if path is not None:
            found[name] = sorted(f"{name}.{info.name}" for info in pkgutil.iter_modules(path))
    return found


def collection_modes(window: dict[str, int], children: dict[str, list[str]], base: set[str],
                     min_bytes: int = MIN_BYTES) -> dict[str, str]:
    """PyInstaller's module_collection_mode: "pyc" for each window module of at least `min_bytes`
    of bytecode, "pyz" (the archive) for the window's other modules and for each module directly
    below a window package that the window does not import. PyInstaller gives a module the mode
    of its nearest named package, so each module directly below a window package is named here
    (deeper ones take the mode of that named parent), and nothing goes out of the archive but
    the modules chosen. Modules whose top-level name is in `base` (those PyInstaller puts in
    base_library.zip for its own start) are left to it."""
    modes = {}
    for name, size in sorted(window.items()):
        if name.split(".")[0] in base:
            continue
        modes[name] = "pyc" if size >= min_bytes else "pyz"
        for child in children.get(name, ()):
            if child not in window:
                modes[child] = "pyz"
    return modes


if __name__ == "__main__":
    import json
    window = record()
    sys.stdout.flush()
    # The smoke run printed its own JSON line first; the spec reads what follows the marker.
    print(MARKER)
    print(json.dumps({"window": window, "children": children_of(window)}))
