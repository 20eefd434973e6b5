"""Soak: the main window training and being hovered for N minutes; resident memory growth.

The window loads its demo model, then trains the builder's experiment again and again (each
run a few thousand epochs, so workers, sessions, snapshots and autosaves come and go) while
synthetic mouse moves hover the latent canvas at ~30 Hz. Resident memory (RSS) is sampled
every few seconds; growth is measured from the end of the warm-up (a third of the run, at
most 2 minutes: caches, fonts and torch's allocator settle) to the end.
Usage: python bench/soak.py [--minutes 10] [--epochs 3000]
Prints one JSON line: rss_warm_mb, rss_end_mb, growth_pct, slope_mb_per_min, runs, hovers.
"""
from __future__ import annotations

import argparse
import atexit
import json
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")


def scratch(prefix: str) -> str:
    """A temporary folder, removed when the run ends."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, True)
    return path


if "AEGUI_HOME" not in os.environ:
    os.environ["AEGUI_HOME"] = scratch("aegui-soak-")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PySide6.QtCore import QPoint, QSettings  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE / 2 ** 20


def wait_until(app, cond, timeout: float) -> bool:
    end = time.perf_counter() + timeout
    while not cond():
        app.processEvents()
        time.sleep(0.005)
        if time.perf_counter() > end:
            return False
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--epochs", type=int, default=3000, help="epochs of each training run")
    ap.add_argument("--sample-every", type=float, default=5.0, help="seconds between RSS samples")
    args = ap.parse_args()

    import pyqtgraph as pg
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from aegui.qt import collector
    from aegui.qt.main_window import MainWindow
    collector.start()
    messages = []
    for name in ("critical", "warning", "information"):
        setattr(QMessageBox, name, staticmethod(lambda *a, **k: messages.append(a[1:3]) or QMessageBox.Ok))
    settings = QSettings(str(Path(scratch("aegui-soak-settings-")) / "settings.ini"), QSettings.IniFormat)
    win = MainWindow(settings)
    win.confirm_close = False
    win.resize(1280, 800)
    win.show()
    loaded = []
    win.model_loaded.connect(lambda *_: loaded.append(1))
    win.start_loading()
    if not wait_until(app, lambda: bool(loaded), 120):
        print(json.dumps({"error": "the demo model did not load in 120 s"}))
        return 1

    rng = random.Random(0)
    target = win.latent.plot.viewport()
    duration = args.minutes * 60
    warmup = min(120.0, duration / 3)
    start = time.perf_counter()
    samples: list[tuple[float, float]] = []
    next_sample = 0.0
    runs = hovers = 0
    was_running = False
    while (now := time.perf_counter() - start) < duration:
        running = win.workspace.training.busy
        if was_running and not running:
            runs += 1
        if not running:
            exp = win.builder.experiment()
            win.start_training(replace(exp, train=replace(exp.train, epochs=args.epochs, device="cpu")))
        was_running = running
        w, h = max(1, target.width()), max(1, target.height())
        QTest.mouseMove(target, QPoint(rng.randrange(w), rng.randrange(h)))
        hovers += 1
        end = time.perf_counter() + 1 / 30
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.002)
        if now >= next_sample:
            samples.append((now, rss_mb()))
            next_sample = now + args.sample_every
    win.stop_training()
    wait_until(app, lambda: not win.workspace.training.busy, 30)
    samples.append((time.perf_counter() - start, rss_mb()))

    after = [(t, m) for t, m in samples if t >= warmup]
    warm = after[0][1]
    end_rss = float(np.median([m for _, m in after[-3:]]))    # the last few samples, not one spike
    slope = float(np.polyfit([t for t, _ in after], [m for _, m in after], 1)[0] * 60) if len(after) > 2 else 0.0
    print(json.dumps({
        "minutes": round((time.perf_counter() - start) / 60, 2), "warmup_s": round(warmup),
        "rss_start_mb": round(samples[0][1], 1), "rss_warm_mb": round(warm, 1), "rss_end_mb": round(end_rss, 1),
        "rss_max_mb": round(max(m for _, m in after), 1),
        "growth_pct": round((end_rss - warm) / warm * 100, 2), "slope_mb_per_min": round(slope, 2),
        "runs": runs, "hovers": hovers, "models_in_window": len(win.workspace.models), "messages": messages[:3]}))
    win.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
