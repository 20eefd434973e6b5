"""What installer/aegui.spec does differently on Linux, Windows and macOS, as plain data.

The spec calls platform_options(sys.platform, ROOT, os.environ); tests/test_installer.py calls
it with every platform name, so the branches that only run on Windows or macOS (in CI,
.github/workflows/bundle.yml) are still checked on Linux.
"""
from __future__ import annotations

import os
from typing import Mapping

# Their full symbol tables are ~90 MB and nothing reads them; the dynamic symbols stay.
TORCH_LIBS_TO_STRIP = ("libtorch_cpu.so", "libtorch_python.so", "libc10.so")


def platform_options(platform: str, root, env: Mapping[str, str]) -> dict:
    """icon: the file PyInstaller puts into the executable (None on Linux, where the menu entry
    names the icon); console: False gives a windowed app (no console window on Windows, a
    plain .app on macOS), AEGUI_CONSOLE=1 forces a console build for checks; strip_after_collect:
    torch libraries to strip in the finished bundle (Linux only: strip breaks macOS code
    signatures); app_bundle: BUNDLE()'s arguments for the macOS .app, else None."""
    icons = os.path.join(str(root), "resources", "icons")
    windows, macos = platform == "win32", platform == "darwin"
    if windows:
        icon = os.path.join(icons, "aegui.ico")
    elif macos:
        icon = os.path.join(icons, "aegui.icns")
    else:
        icon = None
    return {
        "icon": icon,
        "console": not (windows or macos) or env.get("AEGUI_CONSOLE") == "1",
        "strip_after_collect": TORCH_LIBS_TO_STRIP if platform.startswith("linux") else (),
        "app_bundle": {"name": "aegui.app", "bundle_identifier": "io.github.aegui"} if macos else None,
    }
