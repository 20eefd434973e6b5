"""GUI responsiveness, measured in the real main window (offscreen unless a display is set).

1. Hover: synthetic mouse moves over the latent canvas (QTest.mouseMove at ~60 Hz); for each
   move, the time until the large preview has painted the decoded glyph. Idle and while
   training.
2. Event latency while training at full speed: events posted to the GUI thread every
   10 ms; the delay until each is handled (p50/p99/max).
3. Stop: time from Stop to the worker's `finished` signal, 10 runs (--stops).
4. Hover on images (target p95 <= 16 ms): the same hover measurement with a VAE of
   64x64 RGB emoji on the canvas (MLP 12288-512-16-512-12288 and a conv VAE with channels
   32, 64), weights random but initialised as for training: the decode costs the same as a
   trained model's. `--image-model PATH` measures a saved (trained) model instead.
5. Pan: the latent map dragged with the left button, 4 px a step at ~60 Hz (back and forth, so
   the map stays in view); for each step, the time until the plot has painted again (its axes
   and grid are drawn anew for every new range).
6. With --watch: the network view raised beside the canvas (it lights up on every
   hover and redraws while training) and the latent replay recording the codes.
7. Teach (target p99 <= 50 ms): the LCD bell drawn in the pixel editor, "Teach it"
   (500 epochs, the window's defaults) on the editor's model; event latency (as in 2) from the
   click until the taught model is the editor's, the time that takes, and the editor's wrong
   pixels for the bell at 10 % salt-and-pepper on the same 20 noise patterns before and after
   (--teach-epochs: other than the window's 500, for quick looks).
Usage: python bench/gui_latency.py [--moves 300] [--seconds 10] [--only-images] [--image-model PATH]
       [--watch] [--skip-images] [--only-teach] [--only-pan] [--stops 10] [--teach-epochs N]
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
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
if "AEGUI_HOME" not in os.environ:     # a scratch home, removed when the run ends
    os.environ["AEGUI_HOME"] = tempfile.mkdtemp(prefix="aegui-bench-")
    atexit.register(shutil.rmtree, os.environ["AEGUI_HOME"], True)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QEvent, QObject, QPoint, QSettings, Qt  # noqa: E402
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


dropped: list[float] = []


def hover_summary(app, win, moves: int) -> dict:
    before = len(dropped)
    out = summary(hover_latencies(app, win, moves))
    out["undelivered_moves"] = len(dropped) - before
    return out


def record_paints(widget):
    """The times at which `widget` ends each paint from now on, and the function that stops recording."""
    painted, original = [], widget.paintEvent

    def paint(ev):
        original(ev)
        painted.append(time.perf_counter())
    widget.paintEvent = paint
    return painted, lambda: setattr(widget, "paintEvent", original)


def keep_rate(app, t0: float, rate_hz: float) -> None:
    """Handle events until the next step is due: the rest of a step's interval is ordinary event processing."""
    end = t0 + 1.0 / rate_hz
    while time.perf_counter() < end:
        app.processEvents()


def hover_latencies(app, win, moves: int, rate_hz: float = 60.0):
    canvas = win.latent
    painted, stop_recording = record_paints(canvas.preview)
    # A synthetic move that never reaches the scene (Qt drops one now and then while the GUI
    # thread is busy with a training snapshot) is not a hover: it is counted, not timed,
    # else the next snapshot's repaint ~250 ms later would pass for its latency.
    arrived = []
    canvas.plot.scene().sigMouseMoved.connect(lambda _pos: arrived.append(time.perf_counter()))
    view = canvas.plot                      # the pyqtgraph PlotWidget (a QGraphicsView)
    vb = view.getPlotItem().getViewBox()
    rng = random.Random(0)
    out = []
    for _ in range(moves):
        # A point of the view as it is now: while training, "Follow the codes" refits the view, and a
        # point picked from the view of before could fall beside the map, where nothing is decoded
        # (the next snapshot's repaint, ~250 ms later, then passed for that move's latency).
        (x0, x1), (y0, y1) = vb.viewRange()
        pt = pg.Point(rng.uniform(x0, x1), rng.uniform(y0, y1))
        scene_pt = vb.mapViewToScene(pt)
        widget_pt = view.mapFromScene(scene_pt)
        n, m = len(painted), len(arrived)
        t0 = time.perf_counter()
        QTest.mouseMove(view.viewport(), QPoint(int(widget_pt.x()), int(widget_pt.y())))
        if wait_until(app, lambda: len(painted) > n, 1.0):
            if len(arrived) > m and arrived[m] <= painted[n]:
                out.append((painted[n] - t0) * 1000)
            else:
                dropped.append(t0)
        keep_rate(app, t0, rate_hz)
    stop_recording()
    return out


def pan_latencies(app, win, steps: int, rate_hz: float = 60.0):
    """Milliseconds from each step of a left-button drag over the latent map to the plot's next
    paint; the view is put back where it was afterwards."""
    view = win.latent.plot
    viewport = view.viewport()
    vb = view.getPlotItem().getViewBox()
    before = vb.viewRange()
    painted, stop_recording = record_paints(view)
    here = viewport.rect().center()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, here)
    wait_until(app, lambda: False, 0.1)
    out = []
    for i in range(steps):
        here = here + QPoint(4 if (i // 40) % 2 == 0 else -4, 0)
        n = len(painted)
        t0 = time.perf_counter()
        QTest.mouseMove(viewport, here)
        if wait_until(app, lambda: len(painted) > n, 1.0):
            out.append((painted[n] - t0) * 1000)
        keep_rate(app, t0, rate_hz)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, here)
    stop_recording()
    moved = vb.viewRange() != before
    vb.setRange(xRange=before[0], yRange=before[1], padding=0)
    if not out or not moved:
        sys.exit("gui latency bench: the drag did not pan the latent map")
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


def _posting(app, probe, stop) -> None:
    """Post a timestamped event to `probe` every 10 ms and run the event loop until stop()."""
    next_post = time.perf_counter()
    while not stop():
        if time.perf_counter() >= next_post:
            ev = QEvent(QEvent.User)
            ev.t = time.perf_counter()
            app.postEvent(probe, ev)
            next_post += 0.01
        app.processEvents()
        time.sleep(0.001)


def event_latency(app, seconds: float):
    probe = _Probe()
    end = time.perf_counter() + seconds
    _posting(app, probe, lambda: time.perf_counter() >= end)
    return probe.delays


def event_latency_until(app, done, limit: float = 300.0):
    """Event latency (as event_latency) until done() is true."""
    probe = _Probe()
    end = time.perf_counter() + limit
    _posting(app, probe, lambda: done() or time.perf_counter() >= end)
    app.processEvents()
    return probe.delays


def editor_wrong(app, editor, seeds) -> tuple[float, float]:
    """(the editor's output, its noisy input): mean wrong pixels of the drawing over noise patterns."""
    clean = editor.glyph() >= 0.5
    out, noisy = [], []
    for seed in seeds:
        editor.set_noise_seed(seed)
        wait_until(app, lambda: not editor.busy(), 30)
        out.append(int(((editor.output() >= 0.5) != clean).sum()))
        noisy.append(int(((editor.noisy() >= 0.5) != clean).sum()))
    return round(float(np.mean(out)), 3), round(float(np.mean(noisy)), 3)


def teach(app, win, epochs: int | None = None) -> dict:
    """Draw the LCD bell, Teach it (`epochs`: instead of the window's), and measure the window while it learns."""
    from aegui.core.analyses.teach import TeachSettings
    from aegui.core.data.glyphs import read_font_h
    root = Path(__file__).resolve().parents[1]
    bell = next(g for g in read_font_h(root / "resources/lcd-glyphs.h")[0].glyphs if g.label == "bell")
    editor, ws = win.editor, win.workspace
    if epochs:      # the teach bar's settings: None for TeachSettings' defaults
        editor.teach.settings = TeachSettings(epochs=epochs, check_every=min(epochs, TeachSettings.check_every))
    win.docks["editor"].raise_()
    editor.set_glyph(bell.to_array())
    editor.set_noise("salt_pepper", 10)
    seeds = range(20)
    base = ws.editor_model()
    before, noisy = editor_wrong(app, editor, seeds)
    ended = []
    editor.teach.ended.connect(ended.append)
    t0 = time.perf_counter()
    editor.teach.teach_drawing("bell")
    delays = event_latency_until(app, lambda: bool(ended))
    window_s = time.perf_counter() - t0
    outcome = editor.teach.outcome
    after, noisy_after = editor_wrong(app, editor, seeds)
    scores = outcome.scores["10%"] if outcome is not None else {}
    return {"event_latency_teaching": summary(delays), "ended": ended[0] if ended else "timeout",
            "model": base.name, "teach_click_to_model_s": round(window_s, 2),
            "teaching_epochs_s": round(outcome.seconds, 2) if outcome else None,
            "epochs": outcome.record.epoch if outcome else None,
            "editor_bell_wrong_before": before, "editor_bell_wrong_after": after, "noisy_input": noisy,
            "same_noise": noisy == noisy_after, "model_10pct_20_copies": scores}


def image_entry(arch: str, path=None):
    """A 64x64 RGB emoji VAE on the emoji dataset, as the window holds it."""
    from aegui.core.schema.experiment import DataConfig, Experiment, ModelSpec
    from aegui.core.data.datasets import from_config
    from aegui.core.archs import build_model
    from aegui.core.runs.trained import TrainedModel, open_trained
    if path:
        return open_trained(path)
    d = 64 * 64 * 3
    if arch == "conv":
        spec = ModelSpec(kind="vae", arch="conv", layers=(d, 16, d), channels=(32, 64), input_shape=(64, 64, 3),
                         hidden_activation="relu")
    else:
        spec = ModelSpec(kind="vae", layers=(d, 512, 16, 512, d), hidden_activation="relu")
    exp = Experiment(name=f"emoji64 {arch} VAE (random weights)",
                     data=DataConfig(source="emoji", size=64, color="rgb"), model=spec)
    model = build_model(spec)
    model.init_weights([0])
    entry = TrainedModel(exp.name, model.eval(), exp, from_config(exp.data))
    entry.ensure_view()      # as the window's loading thread does
    return entry


def image_hover(app, win, moves: int, arch: str, path=None):
    import torch
    entry = image_entry(arch, path)
    win.workspace.add(entry)
    wait_until(app, lambda: False, 0.5)       # let the first latent map be decoded
    canvas = win.latent
    z = np.zeros((1, canvas.latent_size()), np.float32)
    fn = entry.decoder()
    t = time.perf_counter()
    for _ in range(50):
        fn(z)
    decode_ms = (time.perf_counter() - t) / 50 * 1000
    out = hover_summary(app, win, moves)
    out["decode_only_ms"] = round(decode_ms, 2)
    out["model"] = entry.name
    out["torch_threads"] = torch.get_num_threads()
    out["map_tiles"] = int(np.prod(canvas.map_image().shape[:2])) if canvas.map_image() is not None else 0
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--moves", type=int, default=300)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--only-images", action="store_true", help="only the 64x64 RGB hover cases")
    ap.add_argument("--image-model", default="", help="a saved 64x64 RGB model to hover instead")
    ap.add_argument("--watch", action="store_true", help="network view open and replay recording on")
    ap.add_argument("--skip-images", action="store_true", help="no 64x64 RGB hover cases")
    ap.add_argument("--only-teach", action="store_true", help="only the teach scenario")
    ap.add_argument("--only-pan", action="store_true", help="only the pan of the latent map")
    ap.add_argument("--stops", type=int, default=10, help="runs stopped to time Stop")
    ap.add_argument("--teach-epochs", type=int, help="teaching epochs (default: the window's)")
    a = ap.parse_args()
    if os.environ.get("BENCH_SWITCH_INTERVAL"):
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    app = QApplication.instance() or QApplication([])
    from aegui.core.schema.experiment import Experiment, ModelSpec, TrainConfig
    from aegui.core.config.load import load_experiment
    from aegui.qt.window.main_window import MainWindow
    settings = QSettings(str(Path(os.environ["AEGUI_HOME"]) / "s.ini"), QSettings.IniFormat)
    # No first-run hints: floating over the canvas they would take the synthetic mouse moves.
    settings.setValue("guide/done", True)
    win = MainWindow(settings)
    win.confirm_close = False
    win.resize(1280, 800)
    win.show()
    win.start_loading()
    wait_until(app, lambda: win.workspace.current is not None, 60)
    wait_until(app, lambda: False, 0.5)
    result = {"platform": QApplication.platformName()}
    if a.only_teach:
        result["teach"] = teach(app, win, a.teach_epochs)
        win.close()
        report(result, [])
        return
    if hasattr(win, "network"):
        # The network view and the latent replay: both off, or both working (--watch).
        win.latent.replay.act_record.setChecked(a.watch)
        if a.watch:
            win.docks["network"].show()
            win.docks["network"].raise_()
        else:
            win.docks["network"].hide()
        result["watch"] = a.watch
    if a.only_pan:
        result["pan_idle"] = summary(pan_latencies(app, win, a.moves // 2))
        report(result, ["pan_idle"])
        win.close()
        return
    keys = []
    if not a.only_images:
        result["hover_idle"] = hover_summary(app, win, a.moves)
        result["pan_idle"] = summary(pan_latencies(app, win, a.moves // 2))
        keys += ["hover_idle", "pan_idle"]
    for arch in ([] if a.skip_images else ["saved"] if a.image_model else ["mlp", "conv"]):
        key = f"hover_image64_{arch}"
        result[key] = image_hover(app, win, a.moves, arch, a.image_model or None)
        keys.append(key)
    if a.only_images:
        report(result, keys)
        win.close()
        return
    win.workspace.set_current(win.workspace.models[0])

    # Full-speed training that does not end during the measurement.
    root = Path(__file__).resolve().parents[1]
    exp, _ = load_experiment(root / "resources/presets/font3-ae2d.json")
    exp = Experiment(name="bench", data=exp.data, model=exp.model,
                     train=TrainConfig(**{**exp.train.__dict__, "epochs": 10_000_000, "target_max_wrong": None}))
    win.workspace.train(exp)
    wait_until(app, lambda: win.workspace.live is not None, 30)
    result["event_latency_training"] = summary(event_latency(app, a.seconds))
    result["hover_training"] = hover_summary(app, win, a.moves)
    rec = win.training._records[-1] if hasattr(win.training, "_records") else None
    stop_ms = []
    for i in range(a.stops):
        if i:
            win.workspace.train(exp)
            wait_until(app, lambda: win.workspace.live is not None, 30)
            wait_until(app, lambda: False, 0.3)
        done = []
        win.runner.finished.connect(lambda r: done.append(time.perf_counter()))
        t0 = time.perf_counter()
        win.workspace.stop()
        wait_until(app, lambda: bool(done), 10)
        stop_ms.append((done[0] - t0) * 1000)
        win.runner.finished.disconnect()
        wait_until(app, lambda: not win.workspace.training.busy, 10)
    result["stop"] = summary(stop_ms)
    if hasattr(win, "network"):
        result["replay_snapshots"] = win.latent.replay.count()
    result["teach"] = teach(app, win, a.teach_epochs)
    win.close()
    report(result, keys + ["hover_training", "event_latency_training", "stop"])


def report(result, keys):
    print(f"platform {result['platform']}")
    if "teach" in result:
        t = result["teach"]
        s = t["event_latency_teaching"]
        print(f"{'event_latency_teaching':24s} p50 {s['p50_ms']:7.2f} ms  p95 {s['p95_ms']:7.2f} ms  p99 {s['p99_ms']:7.2f} ms  "
              f"max {s['max_ms']:7.2f} ms  (n={s['n']})  teach it -> taught model: {t['teach_click_to_model_s']} s; "
              f"the bell at 10 %: {t['editor_bell_wrong_before']} -> {t['editor_bell_wrong_after']} wrong pixels "
              f"(noisy input {t['noisy_input']})")
    for key in keys:
        s = result[key]
        extra = f"  decode alone {s['decode_only_ms']:.2f} ms" if "decode_only_ms" in s else ""
        if s.get("undelivered_moves"):
            extra += f"  ({s['undelivered_moves']} synthetic moves never reached the scene)"
        print(f"{key:24s} p50 {s['p50_ms']:7.2f} ms  p95 {s['p95_ms']:7.2f} ms  p99 {s['p99_ms']:7.2f} ms  "
              f"max {s['max_ms']:7.2f} ms  (n={s['n']}){extra}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
