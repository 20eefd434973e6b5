"""Soak: the main window training and being hovered for N minutes; resident memory growth.

The window loads its demo models and goes to the Train perspective; the builder's form is set to
the shown model's experiment with --epochs epochs on the CPU, and its Train button is clicked
whenever no run goes on (each run a few thousand epochs, so workers, sessions, snapshots, charts
and autosaves come and go), while synthetic mouse moves hover the latent canvas at ~30 Hz.
Resident memory (RSS) is sampled every few seconds. Growth is RSS at the end (the median of the
last three samples, not one spike) against RSS at the end of the warm-up, which is left out: in
the first minutes torch's and glibc's allocators reserve their arenas, Qt and pyqtgraph fill
their font, glyph and pixmap caches, and the model list fills up to the workspace's bound
(MAX_SESSION_MODELS); none of that grows without end. The warm-up is --warmup seconds (default a
third of the run, at most 2 minutes). A leak is what keeps growing after it: growth_pct and
slope_mb_per_min (a least-squares line through the samples after the warm-up). glibc gives the
threads that allocate arenas of their own (up to 8 a core); one filling for the first time shows
as a step of 1-3 MB at a random moment, which a 5-minute figure can catch or miss:
MALLOC_ARENA_MAX=2 takes those steps out when looking for a leak.
With --find-leaks it also counts live objects by type (Python's, the Qt objects under the window,
the items in the plots' scenes) and traces allocations, and prints to stderr what grew after the
warm-up.
Usage: python bench/soak.py [--minutes 10] [--epochs 3000] [--warmup S] [--sample-every S] [--samples F.csv]
                           [--find-leaks]
Prints one JSON line: rss_start_mb, rss_warm_mb, rss_end_mb, growth_pct, slope_mb_per_min, runs,
hovers. Exit status 1 if no run trained (the Train button did not start one) or the window
showed a message box (a run failed).
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
import tracemalloc
from collections import Counter
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


def census(win) -> Counter:
    """Live objects by type (Python's gc-tracked objects), and the Qt objects under the window and
    the graphics items of its plots, after a full collection."""
    import gc
    import pyqtgraph as pg
    from PySide6.QtCore import QObject
    # Qt first: findChildren makes Python wrappers, which the count of Python objects then includes
    # every time, not only after the first census.
    counts = Counter({"(Qt objects under the window)": len(win.findChildren(QObject)),
                      "(Qt widgets)": len(QApplication.allWidgets()),
                      "(pyqtgraph items in the plots' scenes)": sum(len(v.scene().items())
                                                                    for v in win.findChildren(pg.GraphicsView))})
    gc.collect()
    # The objects frozen after start-up (collector.freeze_survivors) are not listed: only those
    # made since, which is where a leak shows.
    counts.update(type(o).__module__ + "." + type(o).__qualname__ for o in gc.get_objects())
    return counts


def warm_point(win, folder: str) -> tuple:
    """The census after the warm-up, and the allocations then, kept on disk: a snapshot held in
    memory would itself be the largest growth of the next census (its traces are tuples)."""
    counts = census(win)
    path = str(Path(folder) / "warm.tracemalloc")
    tracemalloc.take_snapshot().dump(path)
    return counts, path


def end_point(win, warm: tuple) -> str:
    counts = census(win)
    # Leave out tracemalloc's own: the warm snapshot loaded back is the largest growth of all.
    own = [tracemalloc.Filter(False, tracemalloc.__file__)]
    return leak_report((warm[0], tracemalloc.Snapshot.load(warm[1]).filter_traces(own)),
                       (counts, tracemalloc.take_snapshot().filter_traces(own)))


def leak_report(before: tuple, after: tuple, top: int = 15) -> str:
    """What grew between two (census, tracemalloc snapshot) pairs: object counts by type, then
    the lines whose allocations still held grew most."""
    lines = ["objects that grew (type: after-warm-up -> end):"]
    grown = sorted(((after[0][k] - before[0].get(k, 0), k) for k in after[0]), reverse=True)[:top]
    lines += [f"  {k}: {before[0].get(k, 0)} -> {after[0][k]} (+{d})" for d, k in grown if d > 0]
    lines.append("allocations still held that grew most (tracemalloc):")
    for stat in after[1].compare_to(before[1], "lineno")[:top]:
        lines.append(f"  {stat.size_diff / 1024:+.1f} KiB in {stat.count_diff:+d} blocks: {stat.traceback[0]}")
    return "\n".join(lines)


def arguments(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--epochs", type=int, default=3000, help="epochs of each training run")
    ap.add_argument("--sample-every", type=float, default=5.0, help="seconds between RSS samples")
    ap.add_argument("--warmup", type=float, help="seconds left out before growth is measured "
                    "(default: a third of the run, at most 120)")
    ap.add_argument("--samples", metavar="FILE.csv", help="also write every RSS sample (seconds, MB) here")
    ap.add_argument("--find-leaks", action="store_true", help="also count live objects (Python, Qt, "
                    "pyqtgraph) and trace allocations: print what grew after the warm-up (slower)")
    return ap.parse_args(argv)


def open_window(app, settings, messages: list):
    """The main window shown, its demo models loaded (None if they did not load in 120 s); message
    boxes are not shown but kept in `messages`."""
    from aegui.qt.workers import collector
    from aegui.qt.window.main_window import MainWindow
    collector.start()
    for name in ("critical", "warning", "information"):
        setattr(QMessageBox, name, staticmethod(lambda *a, **k: messages.append(a[1:3]) or QMessageBox.Ok))
    win = MainWindow(settings)
    win.confirm_close = False
    win.resize(1280, 800)
    win.show()
    loaded = []
    win.model_loaded.connect(lambda *_: loaded.append(1))
    win.start_loading()
    return win if wait_until(app, lambda: bool(loaded), 120) else None


def soak(app, win, args, warmup: float) -> dict:
    """Train from the builder again and again while hovering the map, for --minutes; the RSS
    samples and what happened."""
    # What a user does: the Train perspective (builder, charts, reconstructions beside the map),
    # the form holding the shown model's experiment, shorter and on the CPU, then Train.
    win.show_dock("builder")
    builder = win.builder
    exp = builder.experiment()
    builder.set_experiment(replace(exp, train=replace(exp.train, epochs=args.epochs, device="cpu")))
    rng = random.Random(0)
    target = win.latent.plot.viewport()
    out = {"samples": [], "runs": 0, "started": 0, "hovers": 0, "warm_census": None}
    start, next_sample, was_running = time.perf_counter(), 0.0, False
    while (now := time.perf_counter() - start) < args.minutes * 60:
        running = win.workspace.training.busy
        out["runs"] += was_running and not running
        if not running and builder.train_button.isEnabled():
            builder.train_button.click()
            out["started"] += win.workspace.training.busy
        was_running = win.workspace.training.busy
        QTest.mouseMove(target, QPoint(rng.randrange(max(1, target.width())), rng.randrange(max(1, target.height()))))
        out["hovers"] += 1
        end = time.perf_counter() + 1 / 30
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.002)
        if now >= next_sample:
            out["samples"].append((now, rss_mb()))
            next_sample = now + args.sample_every
        if args.find_leaks and out["warm_census"] is None and now >= warmup:
            out["warm_census"] = warm_point(win, scratch("aegui-soak-trace-"))
    win.workspace.stop()
    wait_until(app, lambda: not win.workspace.training.busy, 30)
    out["samples"].append((time.perf_counter() - start, rss_mb()))
    return out


def growth(samples, warmup: float) -> dict:
    """RSS after the warm-up against the end (the median of the last three samples, not one
    spike), and the slope of a line through the samples after the warm-up."""
    after = [(t, m) for t, m in samples if t >= warmup]
    warm = after[0][1]
    end_rss = float(np.median([m for _, m in after[-3:]]))
    slope = float(np.polyfit([t for t, _ in after], [m for _, m in after], 1)[0] * 60) if len(after) > 2 else 0.0
    return {"rss_start_mb": round(samples[0][1], 1), "rss_warm_mb": round(warm, 1), "rss_end_mb": round(end_rss, 1),
            "rss_max_mb": round(max(m for _, m in after), 1),
            "growth_pct": round((end_rss - warm) / warm * 100, 2), "slope_mb_per_min": round(slope, 2)}


def main(argv=None) -> int:
    args = arguments(argv)
    if args.find_leaks:
        tracemalloc.start()
    import pyqtgraph as pg
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    messages = []
    settings = QSettings(str(Path(scratch("aegui-soak-settings-")) / "settings.ini"), QSettings.IniFormat)
    win = open_window(app, settings, messages)
    if win is None:
        print(json.dumps({"error": "the demo model did not load in 120 s"}))
        return 1
    warmup = min(120.0, args.minutes * 60 / 3) if args.warmup is None else args.warmup
    run = soak(app, win, args, warmup)
    if run["warm_census"] is not None:
        print(end_point(win, run["warm_census"]), file=sys.stderr)
    if args.samples:
        Path(args.samples).write_text("seconds,rss_mb\n" + "".join(f"{t:.1f},{m:.2f}\n" for t, m in run["samples"]))
    print(json.dumps({"minutes": round(run["samples"][-1][0] / 60, 2), "warmup_s": round(warmup),
                      **growth(run["samples"], warmup), "runs": run["runs"], "started": run["started"],
                      "hovers": run["hovers"], "models_in_window": len(win.workspace.models),
                      "messages": messages[:3]}))
    win.close()
    # Written now, while its folder is there: left to the interpreter's exit, after the scratch
    # folders' removal, it made the folder again.
    settings.sync()
    if not run["started"]:
        print("soak: the builder's Train button started no run; nothing was soaked", file=sys.stderr)
        return 1
    if messages:
        print(f"soak: the window showed {len(messages)} message box(es), the first: {messages[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
