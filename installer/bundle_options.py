"""What installer/aegui.spec does differently on Linux, Windows and macOS, as plain data.

The spec calls platform_options(sys.platform, ROOT, os.environ); tests/test_installer.py calls
it with every platform name, so the branches that only run on Windows or macOS (in CI,
.github/workflows/bundle.yml) are still checked on Linux. Also here, as plain functions the
tests call: which libraries a Linux bundle takes from the system (and the .deb's packages for
them), which to strip, which two wheels both vendor, and a package's modules by file name.
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


# Libraries every Linux desktop already has, which the bundle takes from the user's system instead of
# copying the build machine's: a copy from another release can disagree with the running session
# (a bundled fontconfig reading a newer system fonts.conf, a bundled libsystemd beside another
# systemd) and only adds size. The list is the desktop part of the exclude list AppImage tools keep
# (X11, fontconfig, freetype, glib, zlib, libuuid, libgcc_s) and D-Bus, which Qt links.
# soname -> the Debian package that provides it (the .deb depends on these; installer/build-deb.sh).
SYSTEM_LIBRARIES = {
    "libX11.so.6": "libx11-6", "libX11-xcb.so.1": "libx11-xcb1",
    "libfontconfig.so.1": "libfontconfig1", "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0", "libgthread-2.0.so.0": "libglib2.0-0",
    "libz.so.1": "zlib1g", "libuuid.so.1": "libuuid1", "libgcc_s.so.1": "libgcc-s1",
    "libdbus-1.so.3": "libdbus-1-3",
}
# ... and what only those linked (the system's copies bring their own): D-Bus's libsystemd and its
# libgcrypt, libgpg-error, lz4 and libcap; glib's pcre2; fontconfig's expat; freetype's libpng and brotli.
# tests/test_package.py checks on a built bundle that nothing left in it links one of these.
LINKED_BY_SYSTEM_LIBRARIES_ONLY = (
    "libsystemd.so.0", "libgcrypt.so.20", "libgpg-error.so.0", "liblz4.so.1", "libcap.so.2",
    "libpcre2-8.so.0", "libexpat.so.1", "libpng16.so.16", "libbrotlidec.so.1", "libbrotlicommon.so.1",
)


def left_to_the_system(platform: str) -> list[str]:
    """The library file names the bundle for `platform` leaves out because the system has them
    (Linux only; Windows and macOS bundles carry what their wheels ship)."""
    if not platform.startswith("linux"):
        return []
    return [*SYSTEM_LIBRARIES, *LINKED_BY_SYSTEM_LIBRARIES_ONLY]


def deb_depends() -> list[str]:
    """The Debian packages of SYSTEM_LIBRARIES, once each, in a fixed order."""
    return sorted(set(SYSTEM_LIBRARIES.values()))


def submodules(folder, package: str) -> list[str]:
    """The dotted names of every module and package below `package`, whose files are in `folder`
    (the package's own folder), read from the file names: nothing is imported. Sorted."""
    folder = Path(folder)
    found = []
    for path in folder.rglob("*.py"):
        parts = path.relative_to(folder).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts and all(p.isidentifier() for p in parts):
            found.append(".".join((package, *parts)))
    return sorted(found)


if __name__ == "__main__":   # installer/build-deb.sh: python3 installer/bundle_options.py deb-depends
    import sys
    if sys.argv[1:] != ["deb-depends"]:
        sys.exit("usage: bundle_options.py deb-depends")
    print(", ".join(deb_depends()))
