"""What installer/aegui.spec does differently on Linux, Windows and macOS, as plain data.

The spec calls platform_options(sys.platform, ROOT, os.environ); tests/test_installer.py calls
it with every platform name, so the branches that only run on Windows or macOS (in CI,
.github/workflows/bundle.yml) are still checked on Linux.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

ELF_MAGIC = b"\x7fELF"


def platform_options(platform: str, root, env: Mapping[str, str]) -> dict:
    """icon: the file PyInstaller puts into the executable (None on Linux, where the menu entry
    names the icon); console: False gives a windowed app (no console window on Windows, a
    plain .app on macOS), AEGUI_CONSOLE=1 forces a console build for checks; strip_after_collect:
    whether to strip the finished bundle's libraries (Linux only: strip breaks macOS code
    signatures; see libraries_to_strip); trim_icu_data: whether to cut Qt's ICU data library down to
    the app's languages (Linux only: the PySide6 wheels for Windows and macOS carry no ICU data
    library; see installer/icu_data.py); link_duplicates: whether a library that two wheels both
    vendor is kept once, the other place a symbolic link to it (Linux only; see
    duplicate_libraries); app_bundle: BUNDLE()'s arguments for the macOS .app, else None."""
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
        "strip_after_collect": platform.startswith("linux"),
        "trim_icu_data": platform.startswith("linux"),
        "link_duplicates": platform.startswith("linux"),
        "app_bundle": {"name": "aegui.app", "bundle_identifier": "io.github.aegui"} if macos else None,
    }


def libraries_to_strip(internal) -> list[Path]:
    """The shared libraries in a finished bundle whose symbol tables can go (~45 MB, torch's
    ~90 MB of them before): every ELF `*.so` / `*.so.N` file except those in a wheel's
    `<package>.libs/` folder, which auditwheel rewrote with patchelf and which strip leaves
    unloadable ("ELF load command address/offset not page-aligned"). The dynamic symbols that
    linking needs stay either way (`strip --strip-unneeded`)."""
    found = []
    for path in sorted(Path(internal).rglob("*.so*")):
        name = path.name
        if not (name.endswith(".so") or ".so." in name) or path.is_symlink() or not path.is_file():
            continue
        if any(part.endswith(".libs") for part in path.relative_to(internal).parts[:-1]):
            continue
        with open(path, "rb") as f:
            if f.read(4) == ELF_MAGIC:
                found.append(path)
    return found


def duplicate_libraries(internal) -> list[tuple[Path, Path]]:
    """(copy, kept) for each shared library whose bytes another one in the bundle has: numpy and
    scipy both vendor the same libgfortran and libquadmath (3 MB) under their own `.libs/`. The
    dynamic loader takes a library by its soname once a process has it, so the second copy is
    never even opened; a link to the first keeps its path for the library that names it. The
    first by path is kept."""
    import hashlib
    by_content: dict[tuple[int, str], Path] = {}
    found = []
    for path in sorted(Path(internal).rglob("*.so*")):
        if path.is_symlink() or not path.is_file() or not (path.name.endswith(".so") or ".so." in path.name):
            continue
        with open(path, "rb") as f:
            if f.read(4) != ELF_MAGIC:
                continue
        key = (path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest())
        if key in by_content:
            found.append((path, by_content[key]))
        else:
            by_content[key] = path
    return found
