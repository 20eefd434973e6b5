"""Three ways the bundle is made smaller without losing what runs in it, checked without building it.

- Qt's ICU data library is cut to the app's languages (installer/icu_data.py): the items kept and
  dropped, and, where icupkg and a C compiler are installed, a trimmed copy of the venv's own
  library loaded by Qt in a subprocess: Spanish and English collation and time-zone names still
  work, other languages fall back to the root locale, legacy encodings are gone.
- The Python sources that torch reads at run time travel in one zip (installer/aegui.spec) and the
  runtime hook (installer/rthook_sources.py) serves them through the module loader, so inspect
  and traceback find them with no .py file on disk.
- Qt's OpenGL binding is left out and a runtime hook (installer/rthook_no_opengl.py) answers
  pyqtgraph's import of it: plots draw as before.
"""
import importlib.util
import inspect
import json
import os
import subprocess
import sys
import textwrap
import traceback
import types
import zipfile
from pathlib import Path

import pytest

from installer_helpers import ROOT, Recorder, load_installer, run_spec

icu = load_installer("icu_data")


def test_icu_items_kept_are_the_shared_ones_and_the_apps_languages():
    names = ["root.res", "pool.res", "res_index.res", "en.res", "en_GB.res", "es.res", "es_419.res",
             "de.res", "zh_Hant_TW.res", "ars.res", "supplementalData.res", "zoneinfo64.res",
             "metaZones.res", "cnvalias.icu", "nfkc.nrm", "unames.icu",
             "coll/root.res", "coll/ucadata.icu", "coll/res_index.res", "coll/es.res",
             "coll/es__TRADITIONAL.res", "coll/de.res", "coll/de_.res", "coll/de__PHONEBOOK.res",
             "zone/root.res", "zone/pool.res", "zone/tzdbNames.res", "zone/en.res", "zone/fr.res",
             "ibm-1047_P100-1995.cnv", "gb18030.cnv", "brkitr/root.res", "brkitr/cjdict.dict",
             "translit/root.res", "rbnf/en.res", "curr/es.res", "curr/ja.res"]
    drop = set(icu.items_to_drop(names))
    assert drop == {"de.res", "zh_Hant_TW.res", "ars.res", "coll/de.res", "coll/de_.res",
                    "coll/de__PHONEBOOK.res", "zone/fr.res", "ibm-1047_P100-1995.cnv", "gb18030.cnv",
                    "brkitr/root.res", "brkitr/cjdict.dict", "translit/root.res", "rbnf/en.res",
                    "curr/ja.res"}
    assert icu.items_to_drop(["de.res", "fr.res"], languages=("de",)) == ["fr.res"]


def _venv_icu_data():
    try:
        import PySide6
    except ImportError:
        return None
    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    return next((p for p in found if not p.is_symlink()), None)


QT_CHECK = textwrap.dedent("""
    import json, sys
    from PySide6.QtCore import QCollator, QLocale, QStringDecoder, QTimeZone
    words = ["zeta", "Arbol", "nube", "\\u00f1u", "item10", "item9", "oz", "\\u00f6l"]
    def order(name):
        c = QCollator(QLocale(name)); c.setNumericMode(True)
        return sorted(words, key=c.sortKey)
    madrid = QTimeZone(b"Europe/Madrid")
    def zone(name):
        return madrid.displayName(QTimeZone.StandardTime, QTimeZone.LongName, QLocale(name))
    loaded = sorted({line.split()[-1] for line in open("/proc/self/maps") if "libicudata" in line})
    print(json.dumps({"loaded": loaded, "es": order("es_ES"), "en": order("en_US"), "sv": order("sv_SE"),
                      "zone_es": zone("es"), "zone_en": zone("en"), "zone_de": zone("de"),
                      "shift_jis": QStringDecoder("Shift_JIS").isValid()}))
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the ICU data library is trimmed on Linux only")
@pytest.mark.skipif(bool(icu.missing_tools()), reason=f"needs {', '.join(icu.missing_tools())} (icu-devtools, binutils, a C compiler)")
@pytest.mark.skipif(_venv_icu_data() is None, reason="this PySide6 carries no ICU data library")
def test_trimmed_icu_data_still_serves_what_qt_asks_for(tmp_path):
    import json
    import shutil
    lib = tmp_path / _venv_icu_data().name
    shutil.copyfile(_venv_icu_data(), lib)
    before, after = icu.trim(lib)
    assert before > 20e6 and after < 6e6, (before, after)

    def qt(library_dir):
        env = dict(os.environ, LD_LIBRARY_PATH=str(library_dir), QT_QPA_PLATFORM="offscreen")
        proc = subprocess.run([sys.executable, "-c", QT_CHECK], capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.splitlines()[-1]), proc.stderr

    trimmed, errors = qt(tmp_path)
    assert trimmed["loaded"] == [str(lib)]                  # the trimmed copy, not the venv's
    assert "Could not create collator" not in errors
    # Spanish sorts ñ after n, numbers by value, accents after the plain letter.
    assert trimmed["es"] == ["Arbol", "item9", "item10", "nube", "\u00f1u", "\u00f6l", "oz", "zeta"]
    assert trimmed["en"] == ["Arbol", "item9", "item10", "\u00f1u", "nube", "\u00f6l", "oz", "zeta"]
    assert trimmed["zone_es"] == "hora est\u00e1ndar de Europa central"
    assert trimmed["zone_en"] == "Central European Standard Time"
    # Other languages fall back to the root locale: Swedish puts ö with o, not after z.
    assert trimmed["sv"] == trimmed["en"] and trimmed["zone_de"] == "Central European Standard Time"
    assert trimmed["shift_jis"] is False
    whole, _ = qt(_venv_icu_data().parent)
    assert whole["es"] == trimmed["es"] and whole["zone_es"] == trimmed["zone_es"] and whole["shift_jis"] is True


hook = load_installer("rthook_sources")


class StandInLoader:
    """Like PyInstaller's frozen loader: the module's path points where its .py would be."""

    def __init__(self, name, path):
        self.name, self.path = name, path

    def get_source(self, fullname):
        try:
            return Path(self.path).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None


MODULE_SOURCE = 'def shout(word):\n    """Upper case."""\n    return word.upper()  # the line traceback shows\n\n\ndef where():\n    import traceback\n    return traceback.format_stack()\n'


@pytest.fixture
def frozen_module(tmp_path, monkeypatch):
    """A module 'pkg.mod' whose .py is not on disk, only in root/sources.zip, as in the bundle."""
    root = tmp_path / "internal"
    root.mkdir()
    with zipfile.ZipFile(root / "sources.zip", "w") as z:
        z.writestr("pkg/mod.py", MODULE_SOURCE)
    loader_class = type("Loader", (StandInLoader,), {})
    hook.serve_sources(loader_class, str(root / "sources.zip"), str(root))
    path = str(root / "pkg" / "mod.py")
    loader = loader_class("pkg.mod", path)
    module = types.ModuleType("pkg.mod")
    module.__file__, module.__loader__ = path, loader
    module.__spec__ = importlib.util.spec_from_loader("pkg.mod", loader, origin=path)
    exec(compile(MODULE_SOURCE, path, "exec"), module.__dict__)
    monkeypatch.setitem(sys.modules, "pkg.mod", module)
    return module, loader_class, root


def test_sources_are_served_from_the_archive_to_inspect_and_traceback(frozen_module):
    module, loader_class, root = frozen_module
    assert not Path(module.__file__).exists()
    assert inspect.getsource(module.shout).startswith("def shout(word):")
    assert inspect.getframeinfo(_frame_in(module)).code_context is not None
    assert any("return traceback.format_stack()" in entry for entry in module.where())
    assert loader_class("pkg.other", str(root / "pkg" / "other.py")).get_source("pkg.other") is None
    assert loader_class("x", str(root.parent / "elsewhere.py")).get_source("x") is None


def test_a_source_on_disk_wins_over_the_archive(frozen_module):
    _, loader_class, root = frozen_module
    (root / "pkg").mkdir()
    (root / "pkg" / "mod.py").write_text("# edited on disk\n", encoding="utf-8")
    assert loader_class("pkg.mod", str(root / "pkg" / "mod.py")).get_source("pkg.mod") == "# edited on disk\n"


def _frame_in(module):
    """A frame executing inside the module (what torch's operator registration inspects)."""
    frames = []
    code = compile("import sys\nframes.append(sys._getframe())\n", module.__file__, "exec")
    exec(code, {**module.__dict__, "frames": frames})
    return frames[0]


def test_spec_packs_the_sources_of_bundled_modules_only(tmp_path, monkeypatch):
    """The spec moves a collected .py into sources.zip when its module is in the bundle's PYZ
    (so the loader can serve it) and leaves every other file where it was."""
    files = {}
    for rel, text in {"torch/__init__.py": "# torch\n", "torch/nn/functional.py": "# F\n",
                      "torch/tool_script.py": "# run by path, not imported\n", "torch/data.txt": "x\n"}.items():
        files[rel] = tmp_path / "src" / rel
        files[rel].parent.mkdir(parents=True, exist_ok=True)
        files[rel].write_text(text, encoding="utf-8")

    class Analysis(Recorder):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.pure = [("torch", "", "PYMODULE"), ("torch.nn.functional", "", "PYMODULE")]
            self.datas = [(rel, str(path), "DATA") for rel, path in files.items()]

    monkeypatch.setattr("sys.path", list(sys.path))
    calls = run_spec(tmp_path, Analysis=Analysis)
    (analysis,) = calls["Analysis"]
    assert analysis.kwargs["runtime_hooks"] == [str(ROOT / "installer" / "rthook_sources.py"),
                                                str(ROOT / "installer" / "rthook_no_opengl.py")]
    (collect,) = calls["COLLECT"]
    datas = {d[0]: d[1] for d in collect.args[2]}
    assert set(datas) == {"torch/tool_script.py", "torch/data.txt", "sources.zip"}
    with zipfile.ZipFile(datas["sources.zip"]) as z:
        assert sorted(z.namelist()) == ["torch/__init__.py", "torch/nn/functional.py"]
        assert z.read("torch/nn/functional.py") == b"# F\n"
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


OPENGL_CHECK = textwrap.dedent("""
    import json, os, sys
    sys.path.insert(0, os.path.join(sys.argv[1], "installer"))
    import rthook_no_opengl as hook
    # The bundle has no PySide6.QtOpenGL; here the venv has one, so the stand-in goes first.
    sys.meta_path.insert(0, hook.LeftOutModules(hook.LEFT_OUT))
    import numpy as np
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication
    app = QApplication(sys.argv[:1])
    plot = pg.PlotWidget()
    plot.plot(np.linspace(0, 1, 50), np.sin(np.linspace(0, 6, 50)), pen="r")
    plot.addItem(pg.ScatterPlotItem([0.2, 0.8], [0.1, -0.1], brush="b"))
    plot.addItem(pg.ImageItem(np.random.default_rng(0).random((7, 5))))
    plot.resize(320, 240)
    plot.show()
    app.processEvents()
    image = plot.grab().toImage()
    colours = {image.pixel(x, y) for x in range(0, 320, 4) for y in range(0, 240, 4)}
    stand_in = sys.modules["PySide6.QtOpenGL"]
    try:
        stand_in.QOpenGLBuffer
        error = None
    except AttributeError as e:
        error = str(e)
    print(json.dumps({"colours": len(colours), "doc": stand_in.__doc__, "error": error}))
""")


def test_pyqtgraph_draws_with_the_opengl_stand_in():
    """The bundle leaves Qt's OpenGL binding out and installer/rthook_no_opengl.py answers
    pyqtgraph's import of it: curves, scatter points and images still draw, and reaching into
    the stand-in says what is missing instead of failing somewhere else."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", OPENGL_CHECK, str(ROOT)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["doc"].startswith("Stand-in")          # pyqtgraph imported the stand-in, not the binding
    assert result["colours"] > 3                         # axes, curve, points and image were drawn
    assert "PySide6.QtOpenGL.QOpenGLBuffer" in result["error"] and "not in this bundle" in result["error"]


def test_the_opengl_stand_in_answers_only_for_a_module_nobody_else_finds():
    """Appended last, as the runtime hook does, the finder leaves a real binding alone."""
    finder = load_installer("rthook_no_opengl").LeftOutModules(["PySide6.QtOpenGL"])
    assert finder.find_spec("PySide6.QtOpenGLWidgets") is None
    code = ("import sys, os; sys.path.insert(0, os.path.join(sys.argv[1], 'installer')); "
            "import rthook_no_opengl as h; sys.meta_path.append(h.LeftOutModules(h.LEFT_OUT)); "
            "import PySide6.QtOpenGL as gl; print(hasattr(gl, 'QOpenGLBuffer'))")
    proc = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "True"
