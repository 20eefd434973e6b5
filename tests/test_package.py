"""The packaged app (installer/, `make package`) and its icons.

The bundle tests run only where a bundle was built (dist/aegui/aegui, or the executable named
by AEGUI_BUNDLE); `make test` on a fresh clone skips them. The icon tests always run.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from installer_helpers import load_installer

ROOT = Path(__file__).resolve().parents[1]
EXE = Path(os.environ.get("AEGUI_BUNDLE") or
           ROOT / "dist" / "aegui" / ("aegui.exe" if sys.platform == "win32" else "aegui"))
needs_bundle = pytest.mark.skipif(not EXE.exists(), reason=f"no packaged app at {EXE} (run `make package`)")
ICON_SIZES = (16, 32, 48, 64, 128, 256)
SMOKE_KEYS = {"window_shown_s", "model_loaded_s", "torch_imported_before_window", "omp_wait_policy", "models",
              "current"}


def run_bundle(args, home, timeout=180):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AEGUI_HOME=str(home))
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=home.parent)


def last_json(stdout: str) -> dict:
    lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
    assert lines, f"no JSON line in the output:\n{stdout}"
    return json.loads(lines[-1])


@needs_bundle
def test_bundle_smoke_prints_the_same_report_as_main_py(tmp_path):
    proc = run_bundle(["--smoke"], tmp_path / "home")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    info = last_json(proc.stdout)
    assert set(info) == SMOKE_KEYS
    assert info["current"] is not None and len(info["models"]) >= 2
    assert all("(demo)" in name for name in info["models"][:2])   # the shipped models/ were found
    assert info["torch_imported_before_window"] is False
    assert 0 < info["window_shown_s"] <= info["model_loaded_s"]


@needs_bundle
def test_bundle_screenshot(tmp_path):
    out = tmp_path / "shot.png"
    proc = run_bundle(["--screenshot", str(out)], tmp_path / "home")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert last_json(proc.stdout)["screenshot"] == str(out)
    from PIL import Image
    with Image.open(out) as im:
        assert im.size[0] >= 1000 and im.size[1] >= 600


@needs_bundle
def test_bundle_runs_the_command_line(tmp_path):
    """`aegui train/eval/decode` work from the bundle too (torch, the course font, the presets)."""
    preset = ROOT / "resources" / "presets" / "font3-ae2d.json"
    run = tmp_path / "run"
    proc = run_bundle(["train", str(preset), "--out", str(run), "--epochs", "60", "--seeds", "2"],
                      tmp_path / "home")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert last_json(proc.stdout)["epochs"] <= 60
    proc = run_bundle(["decode", str(run), "--z", "0,0", "--out", str(tmp_path / "g.png")], tmp_path / "home")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "g.png").exists()


@needs_bundle
def test_the_bundle_exports_a_model_in_the_formats_it_carries_what_they_need_for(tmp_path):
    """`aegui export` from the bundle: the script, the notebook and the web page need nothing the
    bundle leaves out (the page's template is among its resources); each is written whole."""
    model = ROOT / "models" / "font3-ae2d"
    for name in ("font3.py", "font3.ipynb", "font3.html"):
        proc = run_bundle(["export", str(model), str(tmp_path / name)], tmp_path / "home")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert (tmp_path / name).stat().st_size > 1000
    assert "https://" not in (tmp_path / "font3.html").read_text(encoding="utf-8")


@needs_bundle
def test_the_bundle_refuses_onnx_saying_what_to_install(tmp_path):
    """The bundle leaves torch's ONNX exporter and the onnx packages out (installer/aegui.spec):
    `aegui export` to .onnx says so in one sentence and writes nothing."""
    target = tmp_path / "font3.onnx"
    proc = run_bundle(["export", str(ROOT / "models" / "font3-ae2d"), str(target)], tmp_path / "home")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"aegui: error: {target}: writing ONNX needs torch's ONNX exporter (torch.onnx), which this aegui was "
        "packaged without; install aegui with pip install 'aegui[export]' and export from there"]
    assert not target.exists() and not (tmp_path / "font3.decoder.onnx").exists()


@needs_bundle
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the copies are linked on Linux only")
def test_bundle_keeps_each_library_once_and_scipy_loads_through_the_links(tmp_path):
    """A library two wheels vendor (numpy's and scipy's libgfortran) is one file in the bundle,
    and scipy's OpenBLAS, which names the linked copy, still loads: a scipy optimizer trains."""
    assert load_installer("bundle_options").duplicate_libraries(EXE.parent / "_internal") == []
    assert (EXE.parent / "_internal" / "scipy.libs").is_dir()
    proc = run_bundle(["sweep", str(ROOT / "resources" / "sweeps" / "scipy-optimizers-quick.json"),
                       "--out", str(tmp_path / "sweep")], tmp_path / "home", timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@needs_bundle
def test_bundle_ships_resources_and_models():
    internal = EXE.parent / "_internal"   # PyInstaller 6's one-folder layout: sys._MEIPASS
    for rel in ("resources/font.h", "resources/icons/aegui-256.png", "models/font3-ae2d/model.safetensors",
                "docs-site/index.html", "docs-site/student-guide.html"):   # Help > User guide, offline
        assert (internal / rel).is_file(), rel
    assert not (internal / "torch" / "test").exists()   # trimmed: see installer/aegui.spec


@needs_bundle
def test_bundle_keeps_the_windows_large_modules_as_plain_bytecode():
    """The window's large modules are .pyc files beside the archive (installer/window_modules.py;
    the smoke test above starts the window with them); nothing else left the archive (torch,
    scipy, sklearn), and no module PyInstaller's start-up takes from base_library.zip is also a
    loose file."""
    import zipfile
    internal = EXE.parent / "_internal"
    loose = {p.relative_to(internal).with_suffix("").as_posix().removesuffix("/__init__").replace("/", ".")
             for p in internal.rglob("*.pyc")}
    assert {"pyqtgraph.functions", "aegui.qt.window.main_window"} <= loose
    assert not any(name.split(".")[0] in {"torch", "scipy", "sklearn"} for name in loose)
    with zipfile.ZipFile(internal / "base_library.zip") as z:
        base = {n.removesuffix(".pyc").removesuffix("/__init__").replace("/", ".") for n in z.namelist()}
    assert not loose & base


# What a Linux bundle may link from outside itself: glibc, the graphics stack and the xcb and
# Wayland libraries the .deb depends on, and the desktop libraries it leaves to the system.
SYSTEM_BASE = {"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libutil.so.1",
               "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "libGL.so.1", "libEGL.so.1", "libxcb.so.1",
               "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libwayland-client.so.0",
               "libwayland-cursor.so.0", "libwayland-egl.so.1"}


def needed_sonames(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return [line.rsplit("[", 1)[1].rstrip("]") for line in out.splitlines() if "(NEEDED)" in line]


@needs_bundle
@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("readelf") is None,
                    reason="Linux bundles, read with binutils' readelf")
def test_bundle_links_only_itself_and_the_systems_desktop_libraries():
    """Each shared library the bundle needs is in it or is one the system provides; none of the
    desktop libraries left to the system (nor what only they link) was copied in; Qt's OpenGL
    binding is out (installer/rthook_no_opengl.py stands in for it)."""
    options = load_installer("bundle_options")
    internal = EXE.parent / "_internal"
    libraries = [p for p in internal.rglob("*.so*") if p.is_file() and not p.is_symlink()]
    names = {p.name for p in internal.rglob("*.so*")}
    assert not names & set(options.left_to_the_system("linux"))
    assert not (internal / "PySide6" / "QtOpenGL.abi3.so").exists()
    outside = {soname: str(p.relative_to(EXE.parent)) for p in [EXE, *libraries] for soname in needed_sonames(p)
               if soname not in names}
    allowed = SYSTEM_BASE | set(options.SYSTEM_LIBRARIES)
    assert {s: f for s, f in outside.items() if s not in allowed} == {}


@pytest.mark.parametrize("size", ICON_SIZES)
def test_icon_png_sizes(size):
    from PIL import Image
    with Image.open(ROOT / "resources" / "icons" / f"aegui-{size}.png") as im:
        assert im.size == (size, size) and im.mode == "RGBA"
        # A light square with dark cells: both must be there at every size.
        import numpy as np
        px = np.asarray(im)
        red = px[..., 0][px[..., 3] == 255]
        assert red.min() < 80 and red.max() > 200


def test_app_sets_window_icon(qapp):
    from aegui.qt.startup.app import set_window_icon
    set_window_icon(qapp)
    icon = qapp.windowIcon()
    assert not icon.isNull()
    sizes = {s.width() for s in icon.availableSizes()}
    assert set(ICON_SIZES) <= sizes


def test_desktop_entry():
    text = (ROOT / "installer" / "aegui.desktop").read_text(encoding="utf-8")
    entry = dict(ln.split("=", 1) for ln in text.splitlines()[1:] if "=" in ln)
    assert text.startswith("[Desktop Entry]")
    assert entry["Type"] == "Application" and entry["Exec"] == "aegui" and entry["Icon"] == "aegui"
