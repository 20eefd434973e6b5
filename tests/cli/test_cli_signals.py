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

from core_helpers import ROOT, small_experiment

DAE = ROOT / "models" / "general-5x7-dae"
LCD = ROOT / "resources" / "lcd-glyphs.h"
LIMIT_S = 60


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
            assert time.monotonic() < self.deadline, f"{text!r} never came; stderr so far:\n{self.err}"
            assert self._read(self.deadline - time.monotonic()), f"ended before {text!r}:\n{self.err}"

    def interrupt(self) -> None:
        self.proc.send_signal(signal.SIGINT)

    def finish(self) -> tuple[int, str, str]:
        out = self.proc.communicate(timeout=LIMIT_S)[0]
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
