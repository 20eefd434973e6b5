"""Which modules the packaged app keeps as plain .pyc files: installer/window_modules.py.

The spec takes the large modules the window imports out of PyInstaller's compressed archive, so
the packaged window does not inflate them at every start. These tests check the choice (only
the window's large modules leave the archive, nothing follows a package out, PyInstaller's own
start-up modules stay), and that the listing still finds the moment the window is shown: if
the app's smoke run changed under it, the build would quietly fall back to the archive.
"""
import json
import os
import subprocess
import sys

import pytest

from installer_helpers import ROOT, load_installer


@pytest.fixture(scope="module")
def window_modules():
    return load_installer("window_modules")


def nearest_mode(modes: dict, name: str) -> str:
    """The mode PyInstaller gives `name`: that of its nearest named self or package, else "pyz"."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        if ".".join(parts[:i]) in modes:
            return modes[".".join(parts[:i])]
    return "pyz"


def test_only_the_windows_large_modules_leave_the_archive(window_modules):
    big, small = window_modules.MIN_BYTES, window_modules.MIN_BYTES - 1
    window = {"pkg": big, "pkg.big": big, "pkg.small": small, "pkg.sub": big, "pkg.sub.leaf": small,
              "re": big, "re._parser": big, "encodings.utf_8": big}
    children = {"pkg": ["pkg.big", "pkg.small", "pkg.sub", "pkg.unused", "pkg.unused_pkg"],
                "pkg.sub": ["pkg.sub.leaf", "pkg.sub.other"], "re": ["re._parser", "re._compiler"]}
    modes = window_modules.collection_modes(window, children, base={"re", "encodings"})
    chosen = {name for name, mode in modes.items() if mode == "pyc"}
    assert chosen == {"pkg", "pkg.big", "pkg.sub"}
    # What PyInstaller then does with every name, imported by the window or not:
    for name, expected in [("pkg", "pyc"), ("pkg.big", "pyc"), ("pkg.small", "pyz"), ("pkg.sub", "pyc"),
                           ("pkg.sub.leaf", "pyz"), ("pkg.sub.other", "pyz"), ("pkg.unused", "pyz"),
                           ("pkg.unused_pkg.deeper", "pyz"), ("re", "pyz"), ("re._parser", "pyz"),
                           ("encodings.utf_8", "pyz"), ("elsewhere", "pyz")]:
        assert nearest_mode(modes, name) == expected, name
    assert not any(name.split(".")[0] in {"re", "encodings"} for name in modes)


def test_pyinstaller_reads_the_modes_as_the_check_above_does(window_modules):
    """The same rule, asked of PyInstaller itself where it is installed (make package installs it)."""
    build_main = pytest.importorskip("PyInstaller.building.build_main")
    modes = window_modules.collection_modes({"pkg": 10**6, "pkg.small": 1, "pkg.sub": 10**6},
                                            {"pkg": ["pkg.small", "pkg.sub", "pkg.unused"]}, base=set())
    for name in ["pkg", "pkg.small", "pkg.sub", "pkg.sub.x", "pkg.unused", "pkg.unused.x", "other"]:
        flags = build_main._get_module_collection_mode(modes, name)
        assert (build_main._ModuleCollectionMode.PYC in flags) == (nearest_mode(modes, name) == "pyc"), name


def test_the_listing_finds_the_modules_of_the_shown_window(window_modules, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AEGUI_HOME=str(tmp_path))
    done = subprocess.run([sys.executable, str(ROOT / "installer" / "window_modules.py")], env=env,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    listing = json.loads(done.stdout.split(window_modules.MARKER, 1)[1])   # as the spec reads it
    window, children = listing["window"], listing["children"]
    assert {"aegui.qt.window.main_window", "aegui.qt.startup.app", "pyqtgraph", "numpy", "PySide6"} <= set(window)
    assert not any(name == "torch" or name.startswith("torch.") for name in window)   # loads after the window
    assert window["aegui.qt.window.main_window"] > 0 and window["pyqtgraph"] > 0
    assert "pyqtgraph.opengl" in children["pyqtgraph"] and "pyqtgraph.opengl" not in window
