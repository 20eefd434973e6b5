"""GUI responsiveness, measured in the real main window (offscreen unless a display is set).

1. Hover: synthetic mouse moves over the latent canvas (QTest.mouseMove at ~60 Hz); for each
   move, the time until the large preview has painted the decoded glyph. Idle and while
   training.
2. Event latency while training at full speed: events posted to the GUI thread every
   10 ms; the delay until each is handled (p50/p99/max).
3. Stop: time from Stop to the worker's `finished` signal, 10 runs.
Usage: python bench/gui_latency.py [--moves 300] [--seconds 10]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
os.environ.setdefault("AEGUI_HOME", tempfile.mkdtemp(prefix="aegui-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QEvent, QObject, QPoint, QSettings  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def pct(values, q):
    return round(float(np.percentile(values, q)), 2)


def summary(ms):
    return {"n": len(ms), "p50_ms": pct(ms, 50), "p95_ms": pct(ms, 95), "p99_ms": pct(ms, 99),
            "max_ms": round(float(max(ms)), 2)}


def wait_until(app, cond, timeout=5.0):
    end = time.perf_counter() + timeout
    while not cond():
        app.processEvents()
        if time.perf_counter() > end:
            return False
    return True


def hover_latencies(app, win, moves: int, rate_hz: float = 60.0):
    canvas = win.latent
    preview = canvas.preview
    painted = []
    original = preview.paintEvent

    def paint(ev):
        original(ev)
        painted.append(time.perf_counter())
    preview.paintEvent = paint
    view = canvas.plot                      # the pyqtgraph PlotWidget (a QGraphicsView)
    vb = view.getPlotItem().getViewBox()
    (x0, x1), (y0, y1) = vb.viewRange()
    rng = random.Random(0)
    out = []
    for _ in range(moves):
        pt = pg.Point(rng.uniform(x0, x1), rng.uniform(y0, y1))
        scene_pt = vb.mapViewToScene(pt)
        widget_pt = view.mapFromScene(scene_pt)
        n = len(painted)
        t0 = time.perf_counter()
        QTest.mouseMove(view.viewport(), QPoint(int(widget_pt.x()), int(widget_pt.y())))
        if wait_until(app, lambda: len(painted) > n, 1.0):
            out.append((painted[n] - t0) * 1000)
        # Keep the move rate: the rest of the interval is ordinary event processing.
        end = t0 + 1.0 / rate_hz
        while time.perf_counter() < end:
            app.processEvents()
    preview.paintEvent = original
    return out


class _Probe(QObject):
    def __init__(self):
        super().__init__()
        self.delays = []

    def event(self, ev):
        if ev.type() == QEvent.User:
            self.delays.append((time.perf_counter() - ev.t) * 1000)
            return True
        return super().event(ev)


def event_latency(app, seconds: float):
    probe = _Probe()
    end = time.perf_counter() + seconds
    next_post = time.perf_counter()
    while time.perf_counter() < end:
        if time.perf_counter() >= next_post:
            ev = QEvent(QEvent.User)
            ev.t = time.perf_counter()
            app.postEvent(probe, ev)
            next_post += 0.01
        app.processEvents()
        time.sleep(0.001)
    return probe.delays


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--moves", type=int, default=300)
    ap.add_argument("--seconds", type=float, default=10.0)
    a = ap.parse_args()
    if os.environ.get("BENCH_SWITCH_INTERVAL"):
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    app = QApplication.instance() or QApplication([])
    from aegui.core.config import Experiment, ModelSpec, TrainConfig, load_experiment
    from aegui.qt.main_window import MainWindow
    settings = QSettings(str(Path(os.environ["AEGUI_HOME"]) / "s.ini"), QSettings.IniFormat)
    win = MainWindow(settings)
    win.confirm_close = False
    win.resize(1280, 800)
    win.show()
    win.start_loading()
    wait_until(app, lambda: win.current is not None, 60)
    wait_until(app, lambda: False, 0.5)
    result = {"platform": QApplication.platformName()}

    result["hover_idle"] = summary(hover_latencies(app, win, a.moves))

    # Full-speed training that does not end during the measurement.
    root = Path(__file__).resolve().parents[1]
    exp, _ = load_experiment(root / "resources/presets/font3-ae2d.json")
    exp = Experiment(name="bench", data=exp.data, model=exp.model,
                     train=TrainConfig(**{**exp.train.__dict__, "epochs": 10_000_000, "target_max_wrong": None}))
    win.start_training(exp)
    wait_until(app, lambda: win.live is not None, 30)
    result["event_latency_training"] = summary(event_latency(app, a.seconds))
    result["hover_training"] = summary(hover_latencies(app, win, a.moves))
    rec = win.training._records[-1] if hasattr(win.training, "_records") else None
    stop_ms = []
    for i in range(10):
        if i:
            win.start_training(exp)
            wait_until(app, lambda: win.live is not None, 30)
            wait_until(app, lambda: False, 0.3)
        done = []
        win.training_finished.connect(lambda r: done.append(time.perf_counter()))
        t0 = time.perf_counter()
        win.controller.stop()
        wait_until(app, lambda: bool(done), 10)
        stop_ms.append((done[0] - t0) * 1000)
        win.training_finished.disconnect()
        wait_until(app, lambda: not win.controller.is_running(), 10)
    result["stop"] = summary(stop_ms)
    win.close()
    print(f"platform {result['platform']}")
    for key in ("hover_idle", "hover_training", "event_latency_training", "stop"):
        s = result[key]
        print(f"{key:24s} p50 {s['p50_ms']:7.2f} ms  p95 {s['p95_ms']:7.2f} ms  p99 {s['p99_ms']:7.2f} ms  "
              f"max {s['max_ms']:7.2f} ms  (n={s['n']})")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
