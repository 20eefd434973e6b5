"""installer/build-deb.sh: the Debian package `make package` builds from the one-folder bundle.

Each test builds a .deb from a tiny stand-in bundle (a shell script named `aegui` and one data
file), so they run in seconds and need neither PyInstaller nor root; what the real package
does on install and removal is checked by hand (docs/packaging.md, "The .deb").
"""
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

import aegui

from installer_helpers import load_installer

ROOT = Path(__file__).resolve().parents[1]
BUILDER = ROOT / "installer" / "build-deb.sh"
ICON_SIZES = (16, 32, 48, 64, 128, 256)
pytestmark = pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb (Debian/Ubuntu)")


def deb_arch() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A stand-in bundle as installer/build.sh leaves it (the executable, _internal/, and the
    per-user launcher files it copies in), built into a .deb."""
    tmp = tmp_path_factory.mktemp("deb")
    bundle = tmp / "bundle"
    (bundle / "_internal" / "resources").mkdir(parents=True)
    exe = bundle / "aegui"
    exe.write_text('#!/bin/sh\necho "stand-in aegui $*"\n')
    exe.chmod(0o755)
    (bundle / "_internal" / "resources" / "font.h").write_text("/* glyphs */\n")
    shutil.copy(ROOT / "installer" / "aegui.desktop", bundle)
    shutil.copy(ROOT / "installer" / "install-desktop-entry.sh", bundle)
    out = tmp / "out"
    proc = subprocess.run(["bash", str(BUILDER), str(bundle), str(out)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    deb = out / f"aegui_{aegui.__version__}_{deb_arch()}.deb"
    assert deb.is_file(), f"{deb.name} not in {sorted(p.name for p in out.iterdir())}"
    root = tmp / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    control = tmp / "control"
    subprocess.run(["dpkg-deb", "-e", str(deb), str(control)], check=True)
    return {"deb": deb, "root": root, "control": control}


def contents(deb: Path) -> dict:
    """dpkg-deb --contents as {path: (mode string, owner, link target or None)}."""
    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True,
                             check=True).stdout
    entries = {}
    for line in listing.splitlines():
        mode, owner, _size, _date, _time, rest = line.split(None, 5)
        path, _, target = rest.partition(" -> ")
        entries[path.removeprefix(".").rstrip("/") or "/"] = (mode, owner, target or None)
    return entries


def test_control_fields(built):
    def field(name):
        return subprocess.run(["dpkg-deb", "--field", str(built["deb"]), name], capture_output=True,
                              text=True, check=True).stdout.strip()
    assert field("Package") == "aegui"
    assert field("Version") == aegui.__version__
    assert field("Architecture") == deb_arch()
    assert "<" in field("Maintainer") and ">" in field("Maintainer")
    assert int(field("Installed-Size")) > 0
    assert field("Depends").startswith("libc6 (>= ")   # the bundle links the build machine's glibc
    # Qt's xcb plugin needs them and a bundle carries them only if its build machine had them.
    for helper in ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0"):
        assert helper in field("Depends")
    # The desktop libraries the bundle leaves to the system (installer/bundle_options.py).
    depends = {d.strip() for d in field("Depends").split(",")}
    assert set(load_installer("bundle_options").deb_depends()) <= depends
    assert field("Description").splitlines()[0].strip()
    info = subprocess.run(["dpkg-deb", "--info", str(built["deb"])], capture_output=True, text=True,
                          check=True).stdout
    assert "Package: aegui" in info


def test_paths_owners_and_modes(built):
    entries = contents(built["deb"])
    exe = entries["/opt/aegui/aegui"]
    assert exe[0] == "-rwxr-xr-x" and exe[1] == "root/root"
    assert entries["/opt/aegui/_internal/resources/font.h"][0] == "-rw-r--r--"
    assert entries["/usr/bin/aegui"][0].startswith("-rwxr-xr-x")
    assert "/usr/share/applications/aegui.desktop" in entries
    for size in ICON_SIZES:
        assert f"/usr/share/icons/hicolor/{size}x{size}/apps/aegui.png" in entries
    # The per-user launcher files are for the tarball; the package has the system-wide entry.
    assert "/opt/aegui/install-desktop-entry.sh" not in entries
    assert "/opt/aegui/aegui.desktop" not in entries
    assert all(owner == "root/root" for _mode, owner, _t in entries.values())
    # Nothing else on the system: the bundle, the command, the menu entry, the icons, the docs.
    allowed = ("/opt/aegui", "/usr/bin/aegui", "/usr/share/applications/aegui.desktop",
               "/usr/share/icons/hicolor", "/usr/share/doc/aegui")
    parents = {"/", "/opt", "/usr", "/usr/bin", "/usr/share", "/usr/share/applications",
               "/usr/share/icons", "/usr/share/doc"}
    stray = [p for p in entries if p not in parents and not p.startswith(allowed)]
    assert not stray, stray


def test_aegui_on_path_runs_the_bundle(built, tmp_path):
    """/usr/bin/aegui hands its arguments to /opt/aegui/aegui (the bundle finds _internal/ beside
    its own executable, so the command must run that one, not a copy)."""
    wrapper = built["root"] / "usr" / "bin" / "aegui"
    text = wrapper.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert 'exec /opt/aegui/aegui "$@"' in text
    # The same wrapper, pointed at the extracted bundle, runs it with the arguments intact.
    local = tmp_path / "aegui"
    local.write_text(text.replace("/opt/aegui/aegui", str(built["root"] / "opt" / "aegui" / "aegui")))
    local.chmod(0o755)
    proc = subprocess.run([str(local), "--smoke", "two words"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0 and proc.stdout == "stand-in aegui --smoke two words\n"


def test_menu_entry(built):
    entry_file = built["root"] / "usr" / "share" / "applications" / "aegui.desktop"
    validator = shutil.which("desktop-file-validate")
    if validator:
        proc = subprocess.run([validator, str(entry_file)], capture_output=True, text=True)
        # Hints (style advice) are allowed; errors and warnings are not.
        complaints = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "error:" in ln or "warning:" in ln]
        assert proc.returncode == 0 and not complaints, proc.stdout + proc.stderr
    lines = entry_file.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    entry = dict(ln.split("=", 1) for ln in lines[1:] if "=" in ln and not ln.startswith("#"))
    assert entry["Type"] == "Application" and entry["Terminal"] == "false"
    # The command the menu runs and the icon it shows are both in the package.
    command = entry["Exec"].split()[0]
    assert (built["root"] / "usr" / "bin" / command).is_file()
    assert entry["TryExec"] == command
    assert entry["Icon"] == "aegui"
    # One main category (Education), or menus that sort by category list the app twice.
    categories = entry["Categories"].rstrip(";").split(";")
    main = {"AudioVideo", "Audio", "Video", "Development", "Education", "Game", "Graphics",
            "Network", "Office", "Science", "Settings", "System", "Utility"}
    assert [c for c in categories if c in main] == ["Education"], categories


@pytest.mark.parametrize("size", ICON_SIZES)
def test_icons_in_hicolor(built, size):
    from PIL import Image
    path = built["root"] / "usr" / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "aegui.png"
    with Image.open(path) as im:
        assert im.format == "PNG" and im.size == (size, size)


def test_removal_leaves_user_data(built):
    """dpkg removes only the files it installed; a maintainer script is the one way a package
    could reach into a home folder, so the package has none (the menu and icon caches are
    refreshed by the triggers of desktop-file-utils and the icon theme)."""
    scripts = sorted(p.name for p in built["control"].iterdir())
    assert scripts == ["control", "md5sums"]
    # md5sums covers every file, so `dpkg --verify aegui` can check an installed copy.
    listed = {ln.split(None, 1)[1] for ln in (built["control"] / "md5sums").read_text().splitlines()}
    files = {str(p.relative_to(built["root"])) for p in built["root"].rglob("*")
             if p.is_file() and not p.is_symlink()}
    assert listed == files


def test_refuses_a_folder_without_the_executable(tmp_path):
    (tmp_path / "bundle").mkdir()
    proc = subprocess.run(["bash", str(BUILDER), str(tmp_path / "bundle"), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "bundle" in proc.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
