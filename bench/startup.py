"""Start-up of the window beside its references, measured in the same run (paired, order rotated).

- aegui: `main.py --smoke`, as main.py starts it (its clock from the top of main.py): "window shown" and
  "demo models loaded" (torch and the four demo models, opened on a worker after the window).
- bare window: PySide6 + pyqtgraph, a QMainWindow holding one PlotWidget, shown; the same clock.
- bare window + import torch: the same window, then `import torch`.
- usable while loading: the GUI thread's longest wait between two ticks of a 5 ms timer, from the
  window shown until the demo models are in (aegui: torch and the models open on a worker; the
  reference: `import torch` on a worker thread beside the bare window). A Python thread importing
  torch holds the GIL while libtorch loads, so "on a worker" alone does not keep a window usable.
- a whole `aegui train resources/presets/font3-ae2d.json` process beside `python -c "import torch"`
  (both wall-clock, from the process's start to its end).

Every kind runs once before the timed rounds (not counted; --warm-ups N: N times, 0 for a quick
look), with Python's bytecode cache on even where the environment turns it off (PYTHONDONTWRITEBYTECODE): a user's second start reads
aegui's compiled modules, it does not compile them again.

Targets (issue "faster / installable", start-up): window shown <= 1.3x the bare window; demo
models loaded <= 1.1x the bare window + import torch; `aegui train` <= import torch + 0.3 s. Each process also reports whether torch was
imported before its window was shown (aegui: must be false).
- with --bundle EXE (the packaged app, `make package`): `EXE --smoke` beside the same entry script
  run from source (`python installer/aegui_entry.py --smoke`), both timed from the process's start
  as the OS records it (/proc/self/stat, 10 ms ticks), so both count their interpreter's start:
  the bundle's bootloader, the source run's Python and site. main.py's own clock
  starts at its first line, after the interpreter, and is not the one to set a bundle against.
  Target: the bundle within 1.1x of the source run, for the window and for the demo models; and
  the bundle's folder on disk (as `du` counts it) <= 600 MiB.

Usage: QT_QPA_PLATFORM=offscreen python bench/startup.py [--runs 5] [--warm-ups 1] [--against DIR] [--bundle EXE]
(about 6 s a round on 2 cores, 10 s with --bundle)
--against DIR: another checkout's window (e.g. `git worktree add /tmp/before main`) in the same rounds, for a
before/after measured side by side.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The reference: what any PySide6 + pyqtgraph window costs, timed as main.py times aegui.
BARE = """
import time
START = time.perf_counter()
import json, sys
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
win = QMainWindow()
win.setCentralWidget(pg.PlotWidget())
win.resize(1280, 800)
win.show()
app.processEvents()
info = {"window_shown_s": time.perf_counter() - START, "torch_imported_before_window": "torch" in sys.modules}
if sys.argv[1:] == ["torch"]:
    import threading
    from PySide6.QtCore import QTimer
    gaps, last, done = [], [time.perf_counter()], threading.Event()

    def tick():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now
        if done.is_set():
            app.quit()

    def load():
        import torch  # noqa: F401
        info["torch_imported_s"] = time.perf_counter() - START
        done.set()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(5)
    threading.Thread(target=load).start()
    app.exec()
    info["longest_gui_wait_s"] = max(gaps)
print(json.dumps(info), flush=True)
"""

# main.py's start (its clock from the top), with the same 5 ms tick from the window shown until
# the demo models are in; the smoke line gets the longest wait added.
APP = """
import time
START = time.perf_counter()
import json, sys
sys.argv = ["main.py", "--smoke"]
import aegui.qt.startup.app as app_module
show_window = app_module.show_window
waits = {}

def timed_show_window(*args, **kw):
    from PySide6.QtCore import QTimer
    win = show_window(*args, **kw)
    gaps, last = [], [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    def loaded():
        timer.stop()
        tick()
        waits["longest_gui_wait_s"] = max(gaps)

    timer = QTimer(win)
    timer.timeout.connect(tick)
    timer.start(5)
    win.model_loaded.connect(loaded)
    return win

app_module.show_window = timed_show_window
code = app_module.run(["--smoke"], start=START)
print(json.dumps(waits), flush=True)
sys.exit(code)
"""


def json_lines(proc: subprocess.CompletedProcess) -> dict:
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        sys.exit(f"startup bench: a run failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    info = {}
    for line in lines:
        info.update(json.loads(line))
    return info


TRAIN_CONFIG = ROOT / "resources" / "presets" / "font3-ae2d.json"


def run_one(kind: str, env: dict, against: str | None = None, bundle: str | None = None) -> dict:
    cwd = ROOT
    if kind == "bundle":
        cmd = [bundle, "--smoke"]
    elif kind == "source-entry":
        cmd, env = [sys.executable, str(ROOT / "installer" / "aegui_entry.py"), "--smoke"], dict(env, PYTHONPATH=str(ROOT))
    elif kind == "against":
        cwd, env = against, dict(env, PYTHONPATH=against)
        cmd = [sys.executable, "-c", APP]
    elif kind == "train":
        out = Path(env["AEGUI_HOME"]) / "train-out"
        cmd = [sys.executable, "-m", "aegui", "train", str(TRAIN_CONFIG), "--out", str(out), "--quiet", "--force"]
    elif kind == "torch":
        cmd = [sys.executable, "-c", "import torch"]
    elif kind == "aegui":
        cmd = [sys.executable, "-c", APP]
    else:
        cmd = [sys.executable, "-c", BARE] + (["torch"] if kind == "bare+torch" else [])
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=300)
    if kind in ("train", "torch"):
        if proc.returncode != 0:
            sys.exit(f"startup bench: {kind} failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return {"process_s": time.perf_counter() - t0}
    info = json_lines(proc)
    info["process_s"] = time.perf_counter() - t0
    return info


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5, help="rounds; each runs every kind once, order rotated")
    ap.add_argument("--warm-ups", type=int, default=1, help="untimed rounds first (bytecode written, files "
                    "in the page cache); 0 for quick looks")
    ap.add_argument("--against", metavar="DIR", help="another checkout of aegui, its window measured in the same rounds")
    ap.add_argument("--bundle", metavar="EXE", help="the packaged app (dist/aegui/aegui), set beside the same "
                    "entry script run from source; Linux (the process's start from /proc)")
    a = ap.parse_args()
    if a.bundle:
        a.bundle = str(Path(a.bundle).resolve())     # the runs start in the checkout, not here
    if a.bundle and not Path(a.bundle).is_file():
        sys.exit(f"startup bench: no bundle at {a.bundle} (make package builds it)")
    if a.bundle and not Path("/proc/self/stat").is_file():
        sys.exit("startup bench: --bundle needs Linux: both runs are timed from the start /proc/self/stat records")
    kinds = (("aegui", "bare", "bare+torch", "train", "torch") + (("against",) if a.against else ())
             + (("bundle", "source-entry") if a.bundle else ()))
    rows: dict[str, list[dict]] = {k: [] for k in kinds}
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, AEGUI_HOME=home)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
            env.setdefault("QT_QPA_PLATFORM", "offscreen")
        for _ in range(a.warm_ups):     # bytecode written, files in the page cache
            for kind in kinds:
                run_one(kind, env, a.against, a.bundle)
        for i in range(a.runs):
            for kind in kinds[i % len(kinds):] + kinds[:i % len(kinds)]:
                rows[kind].append(run_one(kind, env, a.against, a.bundle))

    def med(kind, key):
        return statistics.median(r[key] for r in rows[kind])

    shown, bare = med("aegui", "window_shown_s"), med("bare", "window_shown_s")
    loaded, bare_torch = med("aegui", "model_loaded_s"), med("bare+torch", "torch_imported_s")
    summary = {
        "runs": a.runs,
        "aegui_window_shown_s": round(shown, 3), "bare_window_shown_s": round(bare, 3),
        "window_shown_ratio": round(shown / bare, 2), "window_shown_target": 1.3,
        "aegui_demo_models_loaded_s": round(loaded, 3), "bare_window_plus_torch_s": round(bare_torch, 3),
        "demo_models_loaded_ratio": round(loaded / bare_torch, 2), "demo_models_loaded_target": 1.1,
        "aegui_longest_gui_wait_s": round(med("aegui", "longest_gui_wait_s"), 3),
        "bare_torch_on_worker_longest_gui_wait_s": round(med("bare+torch", "longest_gui_wait_s"), 3),
        "aegui_torch_before_window": any(r["torch_imported_before_window"] for r in rows["aegui"]),
        "train_process_s": round(med("train", "process_s"), 3),
        "import_torch_process_s": round(med("torch", "process_s"), 3),
        "train_over_import_torch_s": round(med("train", "process_s") - med("torch", "process_s"), 3),
        "train_over_import_torch_target_s": 0.3,
        "process_s": {k: round(med(k, "process_s"), 3) for k in kinds},
    }
    print(f"window shown:        aegui {shown:.3f} s, bare PySide6 + pyqtgraph window {bare:.3f} s: "
          f"{shown / bare:.2f}x (target <= 1.3x)")
    print(f"demo models loaded:  aegui {loaded:.3f} s, bare window + import torch {bare_torch:.3f} s: "
          f"{loaded / bare_torch:.2f}x (target <= 1.1x)")
    print(f"longest GUI wait while loading: aegui {summary['aegui_longest_gui_wait_s']:.3f} s, bare window with "
          f"torch imported on a worker {summary['bare_torch_on_worker_longest_gui_wait_s']:.3f} s")
    print(f"torch imported before aegui's window: {summary['aegui_torch_before_window']}")
    print(f"aegui train (font3-ae2d) process: {summary['train_process_s']:.3f} s, python -c 'import torch' "
          f"{summary['import_torch_process_s']:.3f} s: +{summary['train_over_import_torch_s']:.3f} s (target <= +0.3 s)")
    if a.against:
        o_shown, o_loaded = med("against", "window_shown_s"), med("against", "model_loaded_s")
        summary.update(against=a.against, against_window_shown_ratio=round(o_shown / bare, 2),
                       against_demo_models_loaded_ratio=round(o_loaded / bare_torch, 2))
        print(f"{a.against}: window shown {o_shown:.3f} s = {o_shown / bare:.2f}x, demo models loaded "
              f"{o_loaded:.3f} s = {o_loaded / bare_torch:.2f}x (same rounds)")
    if a.bundle:
        b_shown, b_loaded = med("bundle", "window_shown_s"), med("bundle", "model_loaded_s")
        s_shown, s_loaded = med("source-entry", "window_shown_s"), med("source-entry", "model_loaded_s")
        summary.update(bundle=a.bundle, bundle_window_shown_s=round(b_shown, 3), source_window_shown_s=round(s_shown, 3),
                       bundle_window_shown_ratio=round(b_shown / s_shown, 2),
                       bundle_demo_models_loaded_s=round(b_loaded, 3), source_demo_models_loaded_s=round(s_loaded, 3),
                       bundle_demo_models_loaded_ratio=round(b_loaded / s_loaded, 2), bundle_target=1.1)
        print(f"packaged app --smoke (from the process's start): window shown {b_shown:.3f} s, source {s_shown:.3f} s: "
              f"{b_shown / s_shown:.2f}x; demo models loaded {b_loaded:.3f} s, source {s_loaded:.3f} s: "
              f"{b_loaded / s_loaded:.2f}x (target <= 1.1x)")
        mib = folder_mib(Path(a.bundle).parent)
        summary.update(bundle_mib=round(mib, 1), bundle_target_mib=600)
        print(f"packaged app on disk: {mib:.1f} MiB, as `du` counts it (target <= 600)")
    print(json.dumps(summary))


def folder_mib(folder: Path) -> float:
    """A folder's disk use in MiB, as `du` counts it (each file's allocated blocks, each hard-linked
    file once, symbolic links as themselves)."""
    seen, total = set(), 0
    for path in [folder, *folder.rglob("*")]:
        st = path.lstat()
        if (st.st_dev, st.st_ino) not in seen:
            seen.add((st.st_dev, st.st_ino))
            total += st.st_blocks * 512
    return total / 2**20


if __name__ == "__main__":
    main()
