"""Start-up that cannot do everything it wants still starts: a model that does not open (a
truncated model.json, a pickle, missing weights, an unknown architecture, a symlink loop, an
empty folder, ...) is told without a modal box, the other models load; a settings folder that
cannot be written keeps the settings in memory with a warning. Headless runs (--smoke) wait for
nobody: the reason goes to stderr and the exit status is 2 at once."""
import json
import os
import pickle
import shutil
import subprocess
import sys

import pytest

from core_helpers import ROOT, ctrl_c_in_a_callback

DEMO = ROOT / "models" / "general-5x7-dae"
LIMIT_S = 60


def _copy(tmp, name):
    shutil.copytree(DEMO, tmp / name)
    return tmp / name


def _edit_json(folder, change):
    raw = json.loads((folder / "model.json").read_text())
    change(raw)
    (folder / "model.json").write_text(json.dumps(raw))


def broken_models(tmp):
    """{kind: path} of models that cannot be opened, one of each kind."""
    out = {}
    d = out["truncated model.json"] = _copy(tmp, "truncated")
    (d / "model.json").write_text((d / "model.json").read_text()[:200])
    d = out["a pickle as weights"] = _copy(tmp, "pickle")
    (d / "model.safetensors").write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    d = out["missing weights"] = _copy(tmp, "missing")
    (d / "model.safetensors").unlink()
    d = out["truncated weights"] = _copy(tmp, "cut")
    (d / "model.safetensors").write_bytes((d / "model.safetensors").read_bytes()[:1000])
    d = out["unknown architecture"] = _copy(tmp, "arch")
    _edit_json(d, lambda raw: raw["experiment"]["model"].update(arch="no-such-arch"))
    d = out["weights of another shape"] = _copy(tmp, "shape")
    _edit_json(d, lambda raw: raw["experiment"]["model"].update(layers=[35, 99, 2, 99, 35]))
    d = out["a list as model.json"] = _copy(tmp, "list")
    (d / "model.json").write_text("[1, 2, 3]")
    d = out["binary model.json"] = _copy(tmp, "binary")
    (d / "model.json").write_bytes(bytes(range(256)))
    d = out["weights that are a folder"] = _copy(tmp, "folder")
    (d / "model.safetensors").unlink()
    (d / "model.safetensors").mkdir()
    out["an empty folder"] = tmp / "empty"
    out["an empty folder"].mkdir()
    out["a symlink loop"] = tmp / "loop-a"
    os.symlink(tmp / "loop-b", tmp / "loop-a")
    os.symlink(tmp / "loop-a", tmp / "loop-b")
    out["a PNG as model.json"] = tmp / "picture.json"
    out["a PNG as model.json"].write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    out["no such path"] = tmp / "nowhere"
    return out


def test_every_kind_of_broken_model_is_one_sentence_naming_it(tmp_path):
    from aegui.core.workspace.startup import DEMO_MODELS, open_startup
    broken = broken_models(tmp_path)
    startup = open_startup(list(broken.values()))
    assert len(startup.models) == len(DEMO_MODELS)          # the demo models still open
    assert len(startup.problems) == len(broken)
    for (kind, path), problem in zip(broken.items(), startup.problems):
        assert str(path) in problem, (kind, problem)
        assert "Errno" not in problem and "\n" not in problem, (kind, problem)


def _main_py(tmp_path, *args, home=None):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AEGUI_HOME=str(home or tmp_path / "home"))
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--smoke", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=LIMIT_S)


def test_smoke_with_a_broken_model_prints_why_and_exits_2(tmp_path):
    """Before, a modal "Some models could not be loaded" box held --smoke for 120 s."""
    model = _copy(tmp_path, "truncated")
    (model / "model.json").write_text((model / "model.json").read_text()[:200])
    out = _main_py(tmp_path, "--model", model)
    assert out.returncode == 2, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.startswith("aegui:")]
    assert lines == [f"aegui: error: {model / 'model.json'}: " + lines[0].split(": ", 3)[-1]], out.stderr
    assert "JSON" in lines[0] and "Traceback" not in out.stderr
    assert out.stdout == ""


def test_smoke_with_a_home_that_is_a_file_exits_2(tmp_path):
    home = tmp_path / "home"
    home.write_text("not a folder")
    out = _main_py(tmp_path, home=home)
    assert out.returncode == 2, out.stderr
    assert f"aegui: error: cannot save the settings in {home / 'settings'}" in out.stderr
    assert "a file, not a folder" in out.stderr and "Traceback" not in out.stderr
    assert home.read_text() == "not a folder"


@pytest.fixture
def no_modal_boxes(monkeypatch):
    """A modal box would wait for a person: here it fails the test instead of hanging it."""
    from PySide6.QtWidgets import QMessageBox

    def modal(*args, **kw):
        raise AssertionError(f"a modal box was opened: {args[1:3]}")
    for name in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, name, modal)


def test_window_tells_a_broken_model_without_blocking(qtbot, tmp_path, aegui_home, no_modal_boxes):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from aegui.core.workspace.startup import DEMO_MODELS
    from aegui.qt.window.main_window import MainWindow
    model = _copy(tmp_path, "pickle")
    (model / "model.safetensors").write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    win = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    win.confirm_close = False
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.model_loaded, timeout=LIMIT_S * 1000):
        win.start_loading([model])
    assert len(win.workspace.models) == len(DEMO_MODELS)
    assert len(win.load_problems) == 1 and str(model / "model.safetensors") in win.load_problems[0]
    assert str(model / "model.safetensors") in win.statusBar().currentMessage()
    assert QApplication.activeModalWidget() is None
    assert not win.load_problem_box.isModal() and win.load_problem_box.isVisible()
    win.load_problem_box.close()
    win.runner.shutdown()


def test_settings_home_that_is_a_file_keeps_settings_in_memory(qtbot, tmp_path, monkeypatch):
    from aegui.qt.window.main_window import MainWindow
    from aegui.qt.storage.settings import app_settings, settings_problem
    home = tmp_path / "home"
    home.write_text("not a folder")
    monkeypatch.setenv("AEGUI_HOME", str(home))
    problem = settings_problem()
    assert problem.startswith(f"cannot save the settings in {home / 'settings'}")
    settings = app_settings("aegui-test-memory")      # no NotADirectoryError
    settings.setValue("theme", "dark")
    assert settings.value("theme") == "dark"
    win = MainWindow(settings)
    win.confirm_close = False
    qtbot.addWidget(win)
    win.warn_settings(problem)
    assert "kept only until aegui closes" in win.statusBar().currentMessage()
    assert str(home / "settings") in win.statusBar().currentMessage()
    assert home.read_text() == "not a folder"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_settings_home_is_told(tmp_path, monkeypatch):
    from aegui.qt.storage.settings import settings_problem
    home = tmp_path / "home"
    (home / "settings").mkdir(parents=True)
    (home / "settings").chmod(0o555)
    monkeypatch.setenv("AEGUI_HOME", str(home))
    try:
        assert "permission denied" in settings_problem()
    finally:
        (home / "settings").chmod(0o755)


# Sends itself SIGINT when main.py first imports Qt's widgets, i.e. while the window starts.
# Python answers SIGINT with KeyboardInterrupt only when it started with SIGINT not ignored; a
# shell starts background jobs (`make test &`, a CI runner's) with SIGINT ignored, and the
# command then ran to its end and exited with 0. The child first puts Python's handler back, as
# a terminal's Ctrl-C finds it.
_CTRL_C_AT_START = """
import builtins, os, runpy, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
real = builtins.__import__
def ctrl_c_at_qt(name, *args, **kw):
    if name == os.environ.get("CTRL_C_AT", "PySide6.QtWidgets") and name not in sys.modules:
        builtins.__import__ = real
        os.kill(os.getpid(), signal.SIGINT)
    return real(name, *args, **kw)
builtins.__import__ = ctrl_c_at_qt
sys.argv = [sys.argv[1], "--smoke"]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _without_offscreen_notes(err: str) -> str:
    """stderr less the note Qt's offscreen platform (the tests', not a desktop's) prints for each
    window it shows, since a Ctrl-C may now be answered once the window is whole."""
    return "\n".join(ln for ln in err.splitlines()
                     if ln.strip() and ln != "This plugin does not support propagateSizeHints()")


@pytest.mark.parametrize("where", ["PySide6.QtWidgets", "aegui.qt.window.main_window"])
def test_ctrl_c_while_the_window_starts_ends_with_one_line(tmp_path, where):
    """Ctrl-C as Qt comes in, and while the window is being built (its panels' widgets call into
    Python from Qt, where a KeyboardInterrupt came out as another error's traceback)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AEGUI_HOME=str(tmp_path / "home"), CTRL_C_AT=where)
    out = subprocess.run([sys.executable, "-c", _CTRL_C_AT_START, str(ROOT / "main.py")],
                         capture_output=True, text=True, env=env, timeout=LIMIT_S)
    assert out.returncode == 130, out.stderr
    assert _without_offscreen_notes(out.stderr) == "aegui: interrupted" and out.stdout == ""


# As above, the Ctrl-C landing inside a weakref callback, where Python swallows it.
_LOST_CTRL_C_AT_START = ctrl_c_in_a_callback(_CTRL_C_AT_START)


def test_ctrl_c_python_swallows_while_the_window_starts_still_ends_it(tmp_path):
    """Without the handling, the window started anyway (here: --smoke ended with 0) and the
    terminal showed Python's "Exception ignored" traceback."""
    assert _LOST_CTRL_C_AT_START != _CTRL_C_AT_START
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AEGUI_HOME=str(tmp_path / "home"))
    out = subprocess.run([sys.executable, "-c", _LOST_CTRL_C_AT_START, str(ROOT / "main.py")],
                         capture_output=True, text=True, env=env, timeout=LIMIT_S)
    assert out.returncode == 130, out.stderr
    assert _without_offscreen_notes(out.stderr) == "aegui: interrupted" and out.stdout == ""
