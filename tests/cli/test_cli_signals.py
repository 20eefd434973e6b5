"""Ctrl-C (SIGINT) during `aegui train` and `aegui teach`: the first saves what was made and ends
with exit status 130 and `"state": "stopped"`; a second one, or one while starting, ends with
one line, never a traceback. Each test waits for a state the command shows (its progress line on
a terminal, a line it prints) before sending the signal, so none depends on timing."""
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time

import pytest

from core_helpers import ROOT, ctrl_c_in_a_callback, small_experiment

DAE = ROOT / "models" / "general-5x7-dae"
LCD = ROOT / "resources" / "lcd-glyphs.h"
LIMIT_S = 60


def ended(proc: subprocess.Popen) -> tuple[str, str]:
    """The command's (stdout, stderr) once it ends; one still running after LIMIT_S is killed
    before the test fails, so no trainer is left behind (other tests count processes)."""
    try:
        return proc.communicate(timeout=LIMIT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


class Command:
    """`python -m aegui ...` with stderr on a terminal (so the progress line shows) and stdout on
    a pipe; wait_for() reads stderr until a text appears."""

    def __init__(self, tmp_path, *argv, code=None):
        master, slave = pty.openpty()
        env = dict(os.environ, AEGUI_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT))
        args = [sys.executable, "-c", code, *map(str, argv)] if code else [sys.executable, "-m", "aegui", *map(str, argv)]
        self.proc = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=slave, text=True)
        os.close(slave)
        self.master, self.err = master, ""
        self.deadline = time.monotonic() + LIMIT_S

    def _read(self, timeout) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:         # the command ended and closed its terminal
            return False
        self.err += chunk.decode(errors="replace")
        return bool(chunk)

    def wait_for(self, text: str, after: int = 0) -> None:
        while text not in self.err[after:]:
            if time.monotonic() >= self.deadline:
                self.proc.kill()    # never leave a trainer behind (other tests count processes)
                raise AssertionError(f"{text!r} never came; stderr so far:\n{self.err}")
            assert self._read(self.deadline - time.monotonic()), f"ended before {text!r}:\n{self.err}"

    def interrupt(self) -> None:
        self.proc.send_signal(signal.SIGINT)

    def finish(self) -> tuple[int, str, str]:
        out = ended(self.proc)[0]
        while self._read(0):
            pass
        os.close(self.master)
        return self.proc.returncode, out, self.err


def test_one_ctrl_c_during_train_saves_the_model_and_says_stopped(tmp_path):
    cfg = tmp_path / "cfg.json"
    cfg.write_text(small_experiment(train={"epochs": 10_000_000, "check_every": 1}).to_json())
    cmd = Command(tmp_path, "train", cfg, "--out", tmp_path / "run")
    cmd.wait_for("epoch ")
    cmd.interrupt()
    rc, out, err = cmd.finish()
    assert rc == 130, err
    assert "Traceback" not in err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["state"] == "stopped" and 0 < result["epochs"] < 10_000_000
    assert (tmp_path / "run" / "model.safetensors").is_file()
    saved = json.loads((tmp_path / "run" / "model.json").read_text())
    assert saved["metrics"]["state"] == "stopped"


def test_second_ctrl_c_while_train_saves_ends_quietly(tmp_path):
    """The second Ctrl-C comes once the first was answered (the run is stopping and saving): the
    model is still saved whole, and the command ends with 130."""
    cfg = tmp_path / "cfg.json"
    cfg.write_text(small_experiment(train={"epochs": 10_000_000, "check_every": 1}).to_json())
    cmd = Command(tmp_path, "train", cfg, "--out", tmp_path / "run")
    cmd.wait_for("epoch ")
    cmd.interrupt()
    cmd.wait_for("stopping")
    cmd.interrupt()
    rc, out, err = cmd.finish()
    assert rc == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert json.loads(out.strip().splitlines()[-1])["state"] == "stopped"
    from aegui.core.runs.storage import load_model
    load_model(tmp_path / "run")


def test_second_ctrl_c_while_teach_scores_saves_what_was_taught(tmp_path):
    cmd = Command(tmp_path, "teach", DAE, LCD, "--out", tmp_path / "taught", "--epochs", "10000000",
                  "--repeats", "3000")
    cmd.wait_for("epoch ")
    cmd.interrupt()
    cmd.wait_for("measuring the model")
    cmd.interrupt()
    rc, out, err = cmd.finish()
    assert rc == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    # Cut short while measuring, or (on a fast machine) caught by the save: either way all is kept.
    assert "without the before / after figures" in err or "saving; it ends in a moment" in err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["state"] == "stopped" and result["glyphs"] == 20
    from aegui.core.runs.storage import load_model
    _, exp, meta = load_model(tmp_path / "taught")
    assert meta["taught"]["glyphs"] == 20 and len(exp.data.extra_glyphs) == 1


# Sends itself SIGINT when the command first imports torch, i.e. while it starts.
# Python answers SIGINT with KeyboardInterrupt only when it started with SIGINT not ignored; a
# shell starts background jobs (`make test &`, a CI runner's) with SIGINT ignored, and the
# command then ran to its end and exited with 0. The child first puts Python's handler back, as
# a terminal's Ctrl-C finds it.
_CTRL_C_AT_START = """
import builtins, os, runpy, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
real = builtins.__import__
def ctrl_c_at_torch(name, *args, **kw):
    if name == "torch" and "torch" not in sys.modules:
        builtins.__import__ = real
        os.kill(os.getpid(), signal.SIGINT)
    return real(name, *args, **kw)
builtins.__import__ = ctrl_c_at_torch
sys.argv = ["aegui", *sys.argv[1:]]
runpy.run_module("aegui", run_name="__main__")
"""


def test_ctrl_c_while_starting_ends_with_one_line(tmp_path):
    cfg = tmp_path / "cfg.json"
    cfg.write_text(small_experiment().to_json())
    cmd = Command(tmp_path, "train", cfg, "--out", tmp_path / "run", code=_CTRL_C_AT_START)
    rc, out, err = cmd.finish()
    assert rc == 130, err
    assert "Traceback" not in err
    assert err.strip() == "aegui: interrupted"
    assert not (tmp_path / "run").exists()


# The `aegui` script pip writes for the entry point aegui.cli:main, with Ctrl-C sent when the
# module named by CTRL_C_AT is first imported; without it, the modules it imported, in order.
_CONSOLE_SCRIPT = """
import builtins, os, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
target, seen = os.environ.get("CTRL_C_AT"), []
real = builtins.__import__
def hook(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0 and name not in sys.modules and name not in seen:
        seen.append(name)
        if name == target:
            builtins.__import__ = real
            os.kill(os.getpid(), signal.SIGINT)
    return real(name, globals, locals, fromlist, level)
builtins.__import__ = hook
sys.argv = ["aegui", *sys.argv[1:]]
from aegui.cli import main
code = main()
if not target:
    print("IMPORTED", *seen, file=sys.stderr)
sys.exit(code)
"""


def _console_script(tmp_path, cfg, target=""):
    env = dict(os.environ, AEGUI_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT), CTRL_C_AT=target)
    return subprocess.run([sys.executable, "-c", _CONSOLE_SCRIPT, "train", str(cfg), "--out", str(tmp_path / "run"),
                           "--force"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=LIMIT_S)


def test_ctrl_c_anywhere_in_the_aegui_script_s_start_ends_with_one_line(tmp_path):
    """The script imports aegui.cli before main() runs; a Ctrl-C while the commands' modules came
    in (numpy first) printed a KeyboardInterrupt traceback. Ctrl-C here comes at the first import
    of modules spread over the whole start (chosen by position in the order a run imports them,
    so no timing decides where it lands): each run ends with status 130 and no traceback. Only
    the script's own line `from aegui.cli import main` (aegui/__init__.py and aegui/cli/__init__.py,
    which import nothing more) comes before main() can answer."""
    cfg = tmp_path / "cfg.json"
    cfg.write_text(small_experiment(train={"epochs": 2, "check_every": 1}).to_json())
    found = _console_script(tmp_path, cfg)
    assert found.returncode == 0, found.stderr
    imported = next(ln for ln in found.stderr.splitlines() if ln.startswith("IMPORTED ")).split()[1:]
    first_torch = imported.index("torch")
    points = ["numpy", *imported[1:first_torch:max(1, first_torch // 4)], "torch",
              *imported[first_torch + 1::max(1, (len(imported) - first_torch) // 4)]]
    assert imported[0] == "aegui.cli" and len(set(points)) >= 8
    for name in dict.fromkeys(points):
        got = _console_script(tmp_path, cfg, name)
        assert got.returncode == 130 and "Traceback" not in got.stderr, (name, got.stderr)
        assert "KeyboardInterrupt" not in got.stderr, (name, got.stderr)
        if imported.index(name) <= first_torch:     # before any training: one line, nothing saved
            assert got.stderr.strip() == "aegui: interrupted", (name, got.stderr)


@pytest.mark.parametrize("package, step", [("numpy", 0.02), ("torch", 0.1)])
def test_ctrl_c_while_numpy_or_torch_imports_ends_with_one_line(tmp_path, package, step):
    """Their C start-up calls back into Python, and a KeyboardInterrupt raised there did not come
    out as one: torch's ended the process in abort() (status 134, "terminate called ...
    KeyboardInterrupt"; 2 of 111 runs sent Ctrl-C 0.3-2.5 s after the start), numpy's turned it
    into an ImportError traceback (1 of 126 at 0-2.5 s). Ctrl-C comes here at 13 delays spread over
    the import, counted from when it begins (the script says so on stderr); whichever part of it
    each one hits, every run ends with status 130 and no traceback."""
    cfg = tmp_path / "cfg.json"
    cfg.write_text(small_experiment(train={"epochs": 10_000_000, "check_every": 1}).to_json())
    marker = _CONSOLE_SCRIPT.replace("if name == target:", f"if name == {package!r}:\n            "
                                     "print('IMPORTING', name, file=sys.stderr, flush=True)\n        if name == target:")
    env = dict(os.environ, AEGUI_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT), CTRL_C_AT="-")
    for delay in [step * i for i in range(13)]:
        proc = subprocess.Popen([sys.executable, "-c", marker, "train", str(cfg), "--out", str(tmp_path / "run"),
                                 "--force", "--quiet"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        assert proc.stderr.readline().strip() == f"IMPORTING {package}"
        time.sleep(delay)       # where in the import it lands; any outcome but a clean one fails
        proc.send_signal(signal.SIGINT)
        out, err = ended(proc)
        assert proc.returncode == 130, (delay, proc.returncode, err)
        assert "Traceback" not in err and "KeyboardInterrupt" not in err and "terminate" not in err, (delay, err)


# The console script above, the Ctrl-C landing inside a weakref callback at the module CTRL_C_AT names.
_LOST_CTRL_C = ctrl_c_in_a_callback(_CONSOLE_SCRIPT)


@pytest.mark.parametrize("where", ["numpy", "torch", "aegui.core.train.session"])
def test_ctrl_c_python_swallows_in_a_callback_still_stops_the_command(tmp_path, where):
    """Python prints "Exception ignored in ..." for a KeyboardInterrupt raised in a weakref
    callback and goes on; every import ends in one (importlib's module-lock callback), and once
    on CI a Ctrl-C landed there while `aegui train` started: the command trained on until it was
    killed. Here the Ctrl-C lands in such a callback at three points of the start (within the
    deferred imports of numpy and torch, and after them); each run ends as a Ctrl-C while starting
    does: status 130 and one line."""
    cfg = tmp_path / "cfg.json"
    cfg.write_text(small_experiment(train={"epochs": 10_000_000, "check_every": 1}).to_json())
    assert _LOST_CTRL_C != _CONSOLE_SCRIPT
    env = dict(os.environ, AEGUI_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT), CTRL_C_AT=where)
    proc = subprocess.Popen([sys.executable, "-c", _LOST_CTRL_C, "train", str(cfg), "--out", str(tmp_path / "run"),
                             "--force", "--quiet"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out, err = ended(proc)
    assert proc.returncode == 130, (proc.returncode, err)
    assert "Exception ignored" not in err and "Traceback" not in err, err
    assert err.strip() == "aegui: interrupted", err


def test_a_ctrl_c_sent_again_at_once_is_not_lost_in_the_hook(tmp_path):
    """The Ctrl-C sent again came, on a loaded machine, while the hook itself still waited for its
    thread to start (`threading.Thread.start`), and Python swallowed it there for good: `aegui
    train` trained on (3 of 32 runs beside two busy processes per core). Sent again with no delay
    at all, so that it comes as soon as the thread runs, it must still stop the command: 5 runs,
    each with status 130 and one line."""
    cfg = tmp_path / "cfg.json"
    cfg.write_text(small_experiment(train={"epochs": 10_000_000, "check_every": 1}).to_json())
    at_once = _LOST_CTRL_C.replace("from aegui.cli import main",
                                   "from aegui.cli import lost_ctrl_c, main\nlost_ctrl_c.RESEND_AFTER_S = 0")
    assert at_once != _LOST_CTRL_C
    env = dict(os.environ, AEGUI_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT), CTRL_C_AT="numpy")
    for _ in range(5):
        proc = subprocess.Popen([sys.executable, "-c", at_once, "train", str(cfg), "--out", str(tmp_path / "run"),
                                 "--force", "--quiet"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        out, err = ended(proc)
        assert proc.returncode == 130 and err.strip() == "aegui: interrupted", (proc.returncode, err)
