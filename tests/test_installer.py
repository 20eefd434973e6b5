"""What installer/aegui.spec decides per platform, and the icon files it hands PyInstaller.

The spec builds on Linux, Windows and macOS; only Linux builds run here, so its per-platform
choices live in installer/bundle_options.py and are checked for every platform name, and the
Windows (.ico) and macOS (.icns) icons are regenerated and re-opened with Pillow.
"""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from installer_helpers import ROOT, Recorder, load_installer, run_spec

ICONS = ROOT / "resources" / "icons"
ICO_SIZES = {16, 32, 48, 64, 128, 256}
# Pixel sizes of the entries Pillow writes into an .icns (16 px is only there as 16@2x = 32).
ICNS_PIXELS = {32, 64, 128, 256, 512, 1024}


@pytest.fixture(scope="module")
def options():
    return load_installer("bundle_options").platform_options


@pytest.mark.parametrize("platform, suffix, pillow_format", [("win32", ".ico", "ICO"),
                                                             ("darwin", ".icns", "ICNS")])
def test_windows_and_macos_get_their_icon_file(options, platform, suffix, pillow_format):
    opts = options(platform, ROOT, {})
    icon = Path(opts["icon"])
    assert icon.suffix == suffix and icon.is_file()
    with Image.open(icon) as im:
        assert im.format == pillow_format


def test_linux_options(options):
    """Linux: no icon in the executable (the menu entry names it), a console so --smoke's JSON
    reaches stdout, the libraries' symbol tables stripped, Qt's ICU data cut to the app's
    languages, libraries two wheels vendor kept once, no .app."""
    opts = options("linux", ROOT, {})
    assert opts["icon"] is None and opts["console"] is True
    assert opts["strip_after_collect"] is True and opts["trim_icu_data"] is True
    assert opts["link_duplicates"] is True
    assert opts["app_bundle"] is None


def test_windowed_on_windows_and_macos_unless_asked(options):
    for platform in ("win32", "darwin"):
        assert options(platform, ROOT, {})["console"] is False
        assert options(platform, ROOT, {"AEGUI_CONSOLE": "1"})["console"] is True


def test_only_linux_strips_and_only_macos_makes_an_app(options):
    """strip would break a macOS code signature and has no Windows counterpart."""
    assert options("win32", ROOT, {})["strip_after_collect"] is False
    assert options("darwin", ROOT, {})["strip_after_collect"] is False
    assert not options("win32", ROOT, {})["trim_icu_data"] and not options("darwin", ROOT, {})["trim_icu_data"]
    assert not options("win32", ROOT, {})["link_duplicates"] and not options("darwin", ROOT, {})["link_duplicates"]
    app = options("darwin", ROOT, {})["app_bundle"]
    assert app["name"] == "aegui.app" and app["bundle_identifier"] == "io.github.aegui"
    assert options("win32", ROOT, {})["app_bundle"] is None


def test_strip_takes_every_elf_library_but_the_wheels_patched_ones(tmp_path):
    """Stripping a library that auditwheel rewrote (numpy.libs' OpenBLAS) leaves it unloadable,
    so those folders are left alone; every other ELF shared library is taken, versioned names
    included, and a file that only looks like one by its name is not."""
    elf = b"\x7fELF" + bytes(60)
    files = {"torch/lib/libtorch_cpu.so": elf, "PySide6/Qt/lib/libQt6Core.so.6": elf,
             "libpython3.11.so.1.0": elf, "numpy/_core/_umath.cpython-311-x86_64-linux-gnu.so": elf,
             "numpy.libs/libscipy_openblas64_-32a4b2a6.so": elf,
             "pillow.libs/libpng16-1d1ba958.so.16.58.0": elf,
             "resources/not-a-library.so": b"text", "torch/lib/readme.sort": elf}
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    (tmp_path / "libc10.so").symlink_to(tmp_path / "torch/lib/libtorch_cpu.so")
    found = {p.relative_to(tmp_path).as_posix() for p in load_installer("bundle_options").libraries_to_strip(tmp_path)}
    assert found == {"torch/lib/libtorch_cpu.so", "PySide6/Qt/lib/libQt6Core.so.6", "libpython3.11.so.1.0",
                     "numpy/_core/_umath.cpython-311-x86_64-linux-gnu.so"}



def test_a_library_two_wheels_vendor_is_found_once(tmp_path):
    """numpy.libs and scipy.libs carry the same libgfortran: the second copy (by path) is the one
    to link to the first; libraries that differ in a byte, links and non-libraries are left."""
    gfortran = b"\x7fELF" + b"gfortran" * 100
    files = {"numpy.libs/libgfortran-040039e1.so.5.0.0": gfortran,
             "scipy.libs/libgfortran-040039e1.so.5.0.0": gfortran,
             "scipy.libs/libgfortran-8f1e9814.so.5.0.0": gfortran[:-1] + b"!",
             "numpy.libs/libquadmath-96973f99.so.0.0.0": b"\x7fELF" + b"quadmath" * 50,
             "scipy.libs/libquadmath-96973f99.so.0.0.0": b"\x7fELF" + b"quadmath" * 50,
             "resources/a.so.txt": b"text", "resources/b.so.txt": b"text"}
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    (tmp_path / "libgfortran.so.5").symlink_to(tmp_path / "numpy.libs/libgfortran-040039e1.so.5.0.0")
    pairs = {(c.relative_to(tmp_path).as_posix(), k.relative_to(tmp_path).as_posix())
             for c, k in load_installer("bundle_options").duplicate_libraries(tmp_path)}
    assert pairs == {("scipy.libs/libgfortran-040039e1.so.5.0.0", "numpy.libs/libgfortran-040039e1.so.5.0.0"),
                     ("scipy.libs/libquadmath-96973f99.so.0.0.0", "numpy.libs/libquadmath-96973f99.so.0.0.0")}


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_a_linux_bundle_takes_the_desktop_libraries_from_the_system(platform, monkeypatch, tmp_path):
    """The spec run with these collected binaries keeps the app's own and the wheels' vendored
    copies, and on Linux only leaves out the build machine's X11, fontconfig, freetype, glib and
    D-Bus (with what only they link): the user's system has its own, matching its session."""
    collected = ["libX11.so.6", "libfontconfig.so.1", "libfreetype.so.6", "libglib-2.0.so.0",
                 "libdbus-1.so.3", "libsystemd.so.0", "libgcrypt.so.20", "libexpat.so.1",
                 "pillow.libs/libfreetype-57f805ba.so.6.20.6", "pillow.libs/libpng16-1d1ba958.so.16.58.0",
                 "libpython3.11.so.1.0", "libffi.so.8", "libxcb-cursor.so.0", "libzstd.so.1",
                 "PySide6/Qt/lib/libQt6Core.so.6", "torch/lib/libtorch_cpu.so"]

    class Analysis(Recorder):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.binaries = [(name, f"/build/{name}", "BINARY") for name in collected]

    monkeypatch.setattr("sys.platform", platform)
    monkeypatch.setattr("sys.path", list(__import__("sys").path))
    calls = run_spec(tmp_path, Analysis=Analysis)
    monkeypatch.undo()
    (collect,) = calls["COLLECT"]
    kept = [b[0] for b in collect.args[1]]
    if platform != "linux":
        assert kept == collected
        return
    assert kept == ["pillow.libs/libfreetype-57f805ba.so.6.20.6", "pillow.libs/libpng16-1d1ba958.so.16.58.0",
                    "libpython3.11.so.1.0", "libffi.so.8", "libxcb-cursor.so.0", "libzstd.so.1",
                    "PySide6/Qt/lib/libQt6Core.so.6", "torch/lib/libtorch_cpu.so"]


def test_the_deb_depends_on_each_library_left_to_the_system():
    options = load_installer("bundle_options")
    assert set(options.deb_depends()) == set(options.SYSTEM_LIBRARIES.values())
    assert options.deb_depends() == sorted(set(options.deb_depends()))
    assert set(options.left_to_the_system("linux")) == {*options.SYSTEM_LIBRARIES,
                                                         *options.LINKED_BY_SYSTEM_LIBRARIES_ONLY}
    assert options.left_to_the_system("win32") == options.left_to_the_system("darwin") == []


def test_submodules_are_read_from_file_names(tmp_path):
    for rel in ("__init__.py", "a.py", "sub/__init__.py", "sub/b.py", "not-a-module.py", "notes.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("raise SystemExit('imported')\n")
    assert load_installer("bundle_options").submodules(tmp_path, "pkg") == ["pkg.a", "pkg.sub", "pkg.sub.b"]


def test_spec_leaves_out_the_lexers_and_torch_test_helpers_but_what_import_torch_needs(monkeypatch, tmp_path):
    """Modules no code path imports go; pygments' lexer table and the two test helpers that
    `import torch` loads stay (without them pygments or torch would not import)."""
    monkeypatch.setattr("sys.path", list(__import__("sys").path))
    (analysis,) = run_spec(tmp_path)["Analysis"]
    excludes = set(analysis.kwargs["excludes"])
    assert {"pygments.lexers.python", "pygments.lexers.c_cpp", "torch.testing._internal.common_utils",
            "PySide6.QtOpenGL"} <= excludes
    assert not excludes & {"pygments", "pygments.lexers", "pygments.lexers._mapping", "torch.testing",
                           "torch.testing._internal", "torch.testing._internal.common_dtype",
                           "torch.testing._internal.logging_tensor", "PySide6.QtOpenGLWidgets"}



def test_spec_leaves_out_the_onnx_exporters_packages(monkeypatch, tmp_path):
    """`aegui export FILE.onnx` imports onnx and onnxscript inside a function, which PyInstaller
    follows, and onnxscript imports onnxruntime (the tests' runtime, 78 MB): the bundle, without
    torch.onnx, could not use them."""
    monkeypatch.setattr("sys.path", list(__import__("sys").path))
    (analysis,) = run_spec(tmp_path)["Analysis"]
    assert {"onnx", "onnxscript", "onnx_ir", "onnxruntime", "torch.onnx"} <= set(analysis.kwargs["excludes"])


@pytest.fixture(scope="module")
def fresh_icons(tmp_path_factory):
    out = tmp_path_factory.mktemp("icons")
    assert load_installer("make_icons").main(["--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("folder", ["fresh", "committed"])
def test_ico_holds_every_size(fresh_icons, folder):
    path = (fresh_icons if folder == "fresh" else ICONS) / "aegui.ico"
    with Image.open(path) as im:
        assert im.format == "ICO"
        assert {w for w, h in im.info["sizes"]} == ICO_SIZES
        for n in sorted(ICO_SIZES):
            im.size = (n, n)
            im.load()
            assert im.size == (n, n)
            # Each size is the one drawn for it (sharp at 16 px), not the 256 px one scaled down.
            with Image.open(path.parent / f"aegui-{n}.png") as png:
                assert np.array_equal(np.asarray(im.convert("RGBA")), np.asarray(png.convert("RGBA")))


@pytest.mark.parametrize("folder", ["fresh", "committed"])
def test_icns_holds_every_size(fresh_icons, folder):
    path = (fresh_icons if folder == "fresh" else ICONS) / "aegui.icns"
    with Image.open(path) as im:
        assert im.format == "ICNS"
        assert {w * scale for w, h, scale in im.info["sizes"]} == ICNS_PIXELS
        im.load()
        assert im.size == (1024, 1024) and im.mode == "RGBA"
        px = np.asarray(im)
        red = px[..., 0][px[..., 3] == 255]
        assert red.min() < 80 and red.max() > 200   # the dark cells on the light square


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_spec_runs_for_each_platform(platform, monkeypatch, tmp_path):
    """installer/aegui.spec itself, run with PyInstaller's classes recorded instead of building:
    the executable gets that platform's icon and console flag, and only macOS gets an .app."""
    monkeypatch.setattr("sys.platform", platform)
    monkeypatch.setattr("sys.path", list(__import__("sys").path))
    calls = run_spec(tmp_path)
    monkeypatch.undo()
    opts = load_installer("bundle_options").platform_options(platform, ROOT, {})
    (exe,) = calls["EXE"]
    assert exe.kwargs["icon"] == opts["icon"] and exe.kwargs["console"] == opts["console"]
    assert exe.kwargs["name"] == "aegui"
    assert len(calls.get("BUNDLE", [])) == (1 if platform == "darwin" else 0)


def stand_in_app(tmp_path, smoke_status: int) -> Path:
    """An executable that answers --smoke and --screenshot the way the bundle does."""
    exe = tmp_path / "aegui"
    exe.write_text(f"""#!/bin/sh
if [ "$1" = --smoke ]; then
    echo '{{"models": ["Font3 2-D (demo)"], "current": "Font3 2-D (demo)"}}'
    exit {smoke_status}
fi
exec "{__import__('sys').executable}" -c "import sys; from PIL import Image; Image.new('RGB', (1280, 800)).save(sys.argv[1])" "$2"
""")
    exe.chmod(0o755)
    return exe


needs_sh = pytest.mark.skipif(__import__("sys").platform == "win32", reason="the stand-in app is a shell script")


@needs_sh
def test_bundle_check_passes_a_working_app(tmp_path):
    check = load_installer("check_bundle")
    assert check.main([str(stand_in_app(tmp_path, 0)), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "aegui-window.png").is_file()


@needs_sh
def test_bundle_check_fails_when_no_model_loads(tmp_path, capsys):
    check = load_installer("check_bundle")
    assert check.main([str(stand_in_app(tmp_path, 1)), "--out", str(tmp_path / "out")]) == 1
    assert "--smoke exited 1" in capsys.readouterr().err


# Verbs a text may ask the user to do, besides those the catalogue names in the infinitive.
VERBS = ("construir", "entrenar", "explorar", "dibujar", "elegir", "abrir", "guardar", "pulsar", "probar",
         "escribir", "usar", "mirar", "hacer", "poner", "tener", "decir", "salir", "venir", "poder", "querer")
TU_FORMS = {"está", "estás", "sé"}      # estar's and saber's own forms, the same in tú


def voseo(texts, infinitives) -> list[str]:
    """The words of `texts` that are voseo forms of a verb: the infinitive's vowel accented as the
    imperative ("entrená", "construí") or with -s as the present ("podés")."""
    import re
    accented = {"ar": "á", "er": "é", "ir": "í"}
    forms = {inf[:-2] + accented[inf[-2:]] + end for inf in infinitives for end in ("", "s")}
    return sorted({w for text in texts for w in re.findall(r"\w+", text.lower()) if w in forms - TU_FORMS})


def test_the_spanish_texts_speak_tu_the_desktop_entry_too():
    """The window speaks tú; the menu entry's comment said "Construí, entrená y explorá" (voseo)."""
    import json
    import re
    catalogue = json.loads((ROOT / "resources" / "i18n" / "es.json").read_text(encoding="utf-8"))
    texts = [v for section in catalogue.values() for v in section.values()]
    entry = [line.split("=", 1)[1] for line in (ROOT / "installer" / "aegui.desktop").read_text().splitlines()
             if re.match(r"\w+\[es\]=", line)]
    assert entry, "the desktop entry has no Spanish"
    infinitives = {w for t in texts for w in re.findall(r"\w+", t.lower()) if re.fullmatch(r"\w{2,}(ar|er|ir)", w)}
    infinitives |= set(VERBS)
    assert voseo(["Construí, entrená y podés"], infinitives) == ["construí", "entrená", "podés"]   # the check sees it
    assert voseo(entry, infinitives) == [], entry
    assert voseo(texts, infinitives) == []


def test_spec_lists_the_modules_the_app_imports_by_name(monkeypatch, tmp_path):
    """The panels' modules are imported from the panel table's strings, the numerics revisions'
    modules from the report's table and the data sources' and architectures' from their registries'
    lines, so PyInstaller's import graph never sees them: the spec must list each, or the bundle's
    window dies at its first panel (No module named 'aegui.qt.latent')."""
    from aegui.core.analyses.report.numerics import COMPONENTS
    from aegui.core.archs import ARCHS
    from aegui.core.data.sources import SOURCES
    from aegui.qt.perspectives.panels import PANELS
    monkeypatch.setattr("sys.path", list(__import__("sys").path))
    (analysis,) = run_spec(tmp_path)["Analysis"]
    hidden = set(analysis.kwargs["hiddenimports"])
    wanted = {where.partition(":")[0] for p in PANELS.values() for where in (p.make, p.at_start, p.bind) if where}
    wanted |= {c.path[:-3].replace("/", ".") for c in COMPONENTS}
    wanted |= {type(entry).__module__ for entry in (*ARCHS.values(), *SOURCES.values())}
    assert {"aegui.qt.latent.latent_canvas", "aegui.core.archs.mlp", "aegui.core.data.sources.font"} <= wanted
    assert wanted <= hidden, sorted(wanted - hidden)
    for name in wanted:
        assert (ROOT / (name.replace(".", "/") + ".py")).is_file(), name


def test_the_bundle_carries_the_user_guide_built_first(monkeypatch, tmp_path):
    """Help > User guide opens _internal/docs-site/ in the bundle (aegui/core/files/guide_site.py):
    the spec hands PyInstaller the site `make docs` builds as docs-site/, and `make package` builds
    it before the spec runs."""
    import re
    monkeypatch.setattr("sys.path", list(__import__("sys").path))
    (analysis,) = run_spec(tmp_path)["Analysis"]
    assert (str(ROOT / "site"), "docs-site") in analysis.kwargs["datas"]
    from aegui.core.files import guide_site     # the names the app looks for
    assert guide_site.BUNDLED == "docs-site" and guide_site.MADE == "site"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    package = re.search(r"^package:(.*)$", makefile, re.M)
    assert package and "docs" in package.group(1).split(), package
