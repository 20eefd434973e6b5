"""Start-up of the window beside its references, measured in the same run (paired, order rotated).

- aegui: `main.py --smoke` (its own clock from the top of main.py): "window shown" and
  "demo models loaded" (torch and the four demo models, opened on a worker after the window).
- bare window: PySide6 + pyqtgraph, a QMainWindow holding one PlotWidget, shown; the same clock.
- bare window + import torch: the same window, then `import torch`.

Targets (issue "faster / installable", start-up): window shown <= 1.3x the bare window; demo
models loaded <= 1.1x the bare window + import torch. Each process also reports whether torch was
imported before its window was shown (aegui: must be false).
Usage: QT_QPA_PLATFORM=offscreen python bench/startup.py [--runs 5]
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
    import torch
    info["torch_imported_s"] = time.perf_counter() - START
print(json.dumps(info), flush=True)
"""


def last_json(proc: subprocess.CompletedProcess) -> dict:
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        sys.exit(f"startup bench: a run failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(lines[-1])


def run_one(kind: str, env: dict) -> dict:
    if kind == "aegui":
        cmd = [sys.executable, str(ROOT / "main.py"), "--smoke"]
    else:
        cmd = [sys.executable, "-c", BARE] + (["torch"] if kind == "bare+torch" else [])
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    info = last_json(proc)
    info["process_s"] = time.perf_counter() - t0
    return info


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5, help="rounds; each runs the three, order rotated")
    a = ap.parse_args()
    kinds = ("aegui", "bare", "bare+torch")
    rows: dict[str, list[dict]] = {k: [] for k in kinds}
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, AEGUI_HOME=home)
        if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
            env.setdefault("QT_QPA_PLATFORM", "offscreen")
        for i in range(a.runs):
            for kind in kinds[i % 3:] + kinds[:i % 3]:
                rows[kind].append(run_one(kind, env))

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
        "aegui_torch_before_window": any(r["torch_imported_before_window"] for r in rows["aegui"]),
        "process_s": {k: round(med(k, "process_s"), 3) for k in kinds},
    }
    print(f"window shown:        aegui {shown:.3f} s, bare PySide6 + pyqtgraph window {bare:.3f} s: "
          f"{shown / bare:.2f}x (target <= 1.3x)")
    print(f"demo models loaded:  aegui {loaded:.3f} s, bare window + import torch {bare_torch:.3f} s: "
          f"{loaded / bare_torch:.2f}x (target <= 1.1x)")
    print(f"torch imported before aegui's window: {summary['aegui_torch_before_window']}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
