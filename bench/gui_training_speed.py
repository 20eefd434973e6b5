"""Training speed in the window against the same training without it, under each OpenMP wait policy.

A big model (the MNIST convolutional preset, `--samples` images, batch 128) trains on torch's
threads. In the window the GUI thread draws the live charts and, with hovering on (default), the
decoded preview of a cursor moved over the latent map at 30 Hz. libgomp's default makes idle
OpenMP threads spin for a while before they sleep: that costs little while torch has the cores to
itself, and a great deal when something else wants one (the GUI thread, a browser, another
training), because a spinning thread keeps the core from the thread it waits for.

Each case runs in its own process, since libgomp reads OMP_WAIT_POLICY once, when torch loads:
headless (the core's TrainingSession, no Qt) and window, each with the default policy and with
PASSIVE, interleaved round by round so a change in the machine's load falls on all of them.
Speed: images per second between the run's first whole-epoch record and the first whole-epoch record
at least `--seconds` later.
The 1-min load at the start is printed: run it on a quiet machine and beside busy processes
(e.g. `yes > /dev/null &` twice per core) to see both sides.

The policy `team` is libgomp's default with a second OpenMP team kept by another thread, as the
window's worker threads keep theirs: libgomp spins for long only while it manages no more threads
than there are cores, which is why the window's training, loaded, outran the headless one.

Usage: python bench/gui_training_speed.py [--seconds 20] [--samples 6000] [--rounds 2] [--no-hover]
"""
from __future__ import annotations

import argparse
import atexit
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from aegui.core.train.threads import USER_CHOSEN  # noqa: E402 - the variables a run's own policy replaces

PRESET = ROOT / "resources/presets/mnist-conv-ae.json"
# "spin:N" sets GOMP_SPINCOUNT=N instead (libgomp's spin before sleeping; 1000 is what aegui sets);
# "team": the default beside another thread's OpenMP team
POLICIES = "default,PASSIVE,spin:1000"
PLACES = ("headless", "window")


def experiment(samples: int):
    from aegui.core.config.load import load_experiment
    from aegui.core.schema.experiment import DataConfig, Experiment, TrainConfig
    exp, _ = load_experiment(PRESET)
    return Experiment(name="speed", data=DataConfig(**{**exp.data.__dict__, "max_samples": samples}),
                      model=exp.model, train=TrainConfig(**{**exp.train.__dict__, "epochs": 10_000_000}))


def measured(first, rec, seconds: float) -> bool:
    """Whether `rec` ends the measurement: `seconds` after `first` and a whole epoch later (the window's
    heartbeat records carry the time of an epoch still in progress)."""
    return rec.batch == 0 and rec.epoch > first.epoch and rec.elapsed - first.elapsed >= seconds


def rate(first, last, samples: int) -> float:
    """Images per second between two progress records (whole epochs of `samples` images)."""
    return (last.epoch - first.epoch) * samples / (last.elapsed - first.elapsed)


def parts(exp):
    """The training and validation parts, as the window's runner makes them."""
    from aegui.core.data.datasets import from_config, split
    return split(from_config(exp.data), exp.data.val_split, exp.data.split_seed)


def headless(exp, seconds: float) -> dict:
    from aegui.core.train.session import TrainingSession
    train, val = parts(exp)
    first = last = None
    for rec in TrainingSession(exp, train, val_data=val).steps():
        first = first or rec
        last = rec
        if measured(first, rec, seconds):
            break
    return {"images_per_s": rate(first, last, len(train)), "epochs": last.epoch - first.epoch}


def shared_mnist() -> Path:
    """The real MNIST files: $AEGUI_SHARED_DATA/mnist, else ../shared/data/mnist beside the checkout."""
    env = os.environ.get("AEGUI_SHARED_DATA")
    for data in ([Path(env)] if env else [ROOT.parent / "shared" / "data", ROOT.parents[1] / "shared" / "data"]):
        if (data / "mnist").is_dir():
            return data / "mnist"
    sys.exit("gui training speed bench: the real MNIST files are not here (../shared/data/mnist)")


def window(exp, seconds: float, hover: bool) -> dict:
    samples = len(parts(exp)[0])
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import pyqtgraph as pg
    from PySide6.QtCore import QPoint, QSettings
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from aegui.core.train.progress import RUNNING
    from aegui.qt.window.main_window import MainWindow
    app = QApplication.instance() or QApplication([])

    def wait_until(cond, timeout):
        end = time.perf_counter() + timeout
        while not cond() and time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.002)
        return cond()

    settings = QSettings(str(Path(os.environ["AEGUI_HOME"]) / "s.ini"), QSettings.IniFormat)
    settings.setValue("guide/done", True)     # no first-run hints over the canvas
    win = MainWindow(settings)
    win.confirm_close = False
    win.resize(1280, 800)
    win.show()
    win.start_loading()
    wait_until(lambda: win.workspace.current is not None, 120)
    ws = win.workspace
    failed = []
    ws.training_failed.disconnect(win._training_failed)     # said below instead of in a modal box
    ws.training_failed.connect(lambda error, stage: failed.append(f"{stage}: {error}"))
    ws.train(exp)

    def running():      # the run's own record (before its first one, the history is the shown model's)
        last = ws.history.last
        return ws.live is not None and last is not None and last.state == RUNNING and last.epoch >= 1 \
            and last.batch == 0

    if not wait_until(lambda: failed or running(), 600):
        sys.exit("gui training speed bench: no progress record in 600 s")
    if failed:
        sys.exit(f"gui training speed bench: the window's training failed: {failed[0]}")
    first = ws.history.last
    gui_started, wall_started = time.thread_time(), time.perf_counter()
    view = win.latent.plot
    vb = view.getPlotItem().getViewBox()
    rng = random.Random(0)
    moves = 0
    while not measured(first, ws.history.last, seconds):
        t0 = time.perf_counter()
        if hover:
            (x0, x1), (y0, y1) = vb.viewRange()
            at = view.mapFromScene(vb.mapViewToScene(pg.Point(rng.uniform(x0, x1), rng.uniform(y0, y1))))
            QTest.mouseMove(view.viewport(), QPoint(int(at.x()), int(at.y())))
            moves += 1
        while time.perf_counter() < t0 + 1 / 30:
            app.processEvents()
            time.sleep(0.002)
    last = ws.history.last
    gui_share = (time.thread_time() - gui_started) / (time.perf_counter() - wall_started)
    ws.stop()
    wait_until(lambda: not ws.training.busy, 60)
    win.close()
    return {"images_per_s": rate(first, last, samples), "epochs": last.epoch - first.epoch, "hover_moves": moves,
            "gui_cpu_share": round(gui_share, 3)}


def second_team() -> None:
    """Another thread runs one op on torch's threads and stays: its OpenMP team stays too."""
    import threading

    import torch
    ready = threading.Event()

    def hold():
        a = torch.randn(256, 256)
        a @ a
        ready.set()
        threading.Event().wait()
    threading.Thread(target=hold, daemon=True).start()
    ready.wait()


def child(place: str, seconds: float, samples: int, hover: bool, team: bool) -> None:
    if team:
        second_team()
    os.environ["AEGUI_HOME"] = home = tempfile.mkdtemp(prefix="aegui-bench-")    # the user's stays untouched
    atexit.register(shutil.rmtree, home, True)
    from aegui.core.data.local_files import register
    register("mnist", shared_mnist())
    exp = experiment(samples)
    out = headless(exp, seconds) if place == "headless" else window(exp, seconds, hover)
    import torch
    out.update(place=place, threads=torch.get_num_threads())
    print(json.dumps(out))


def run_case(place: str, policy: str, a) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in USER_CHOSEN}
    if policy.startswith("spin:"):
        env["GOMP_SPINCOUNT"] = policy[5:]
    elif policy not in ("default", "team"):
        env["OMP_WAIT_POLICY"] = policy
    cmd = [sys.executable, __file__, "--child", place, "--seconds", str(a.seconds), "--samples", str(a.samples)]
    if policy == "team":
        cmd.append("--team")
    if a.no_hover:
        cmd.append("--no-hover")
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    lines = [line for line in p.stdout.splitlines() if line.startswith("{")]
    if p.returncode or not lines:
        sys.exit(f"gui training speed bench: {place} / {policy} failed:\n{p.stderr[-2000:]}")
    return json.loads(lines[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20.0, help="training measured per case")
    ap.add_argument("--samples", type=int, default=6000, help="MNIST images loaded (a tenth kept for validation)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-hover", action="store_true", help="the window only draws its charts")
    ap.add_argument("--policies", default=POLICIES, help="comma-separated: default, PASSIVE, ACTIVE, spin:N, team "
                                                          "(the first is the one the others are set against)")
    ap.add_argument("--child", choices=PLACES, help=argparse.SUPPRESS)
    ap.add_argument("--team", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.child, a.seconds, a.samples, not a.no_hover, a.team)
        return
    policies = a.policies.split(",")
    load = os.getloadavg()[0]
    speeds = {(place, policy): [] for place in PLACES for policy in policies}
    gui = {policy: [] for policy in policies}       # the GUI thread's share of a core while it measured
    for _ in range(a.rounds):
        for place in PLACES:
            for policy in policies:
                out = run_case(place, policy, a)
                speeds[place, policy].append(out["images_per_s"])
                if place == "window":
                    gui[policy].append(out["gui_cpu_share"])
    med = {key: statistics.median(v) for key, v in speeds.items()}
    print(f"1-min load {load:.2f} on {os.cpu_count()} CPUs at the start; median of {a.rounds} rounds, images/s "
          f"(each policy's ratio against {policies[0]})")
    for place in PLACES:
        base = med[place, policies[0]]
        print(f"{place:9s} " + "  ".join(f"{po} {med[place, po]:6.0f} ({med[place, po] / base:4.2f})" for po in policies))
    for policy in policies:
        print(f"window/headless with {policy}: {med['window', policy] / med['headless', policy]:.2f}")
    print(json.dumps({"load": load, "cpus": os.cpu_count(), "hover": not a.no_hover,
                      "images_per_s": {f"{pl}/{po}": v for (pl, po), v in speeds.items()},
                      "gui_cpu_share": gui}))


if __name__ == "__main__":
    main()
