"""Screenshots of "watch it learn": latent replay, step mode, the network view, search.

python tools/make_screenshots_watch.py      (offscreen; writes docs/screenshots/watch-*.png)
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")

import pyqtgraph as pg  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from make_screenshots import demo_window, pump, wait  # noqa: E402  (it also sets AEGUI_HOME to a fresh folder, removed at exit)

OUT = ROOT / "docs" / "screenshots"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    app = QApplication.instance() or QApplication([])
    from aegui.core.config.load import load_experiment
    win = demo_window(app)
    exp, _ = load_experiment(ROOT / "resources/presets/font3-ae2d.json")
    win.builder.set_experiment(exp)

    # Step mode: three clicks of Step epoch, then a capped run for a while.
    epochs = []
    win.workspace.history_appended.connect(lambda h: epochs.append(h.last.epoch))
    step = win.builder.step_controls.epoch_button
    for n in (1, 2, 3):
        step.click()
        wait(app, lambda: len(epochs) >= n)
        pump(app, 0.3)
    win.builder.step_controls.set_cap(30)
    win.builder.pause_button.click()          # Resume, capped
    wait(app, lambda: epochs[-1] >= 60)
    win.builder.pause_button.click()          # Pause
    pump(app, 0.5)
    win.show_dock("training")               # the Train perspective
    pump(app, 0.3)
    win.grab().save(str(OUT / "watch-step-mode.png"))

    done = []
    win.runner.finished.connect(done.append)
    win.builder.step_controls.set_cap(None)
    win.builder.pause_button.click()
    wait(app, lambda: bool(done))
    pump(app, 0.5)

    # Latent replay: an early frame of the run, with its epoch and loss.
    bar = win.latent.replay
    bar.canvas.fit_replay(bar.store.arrays()[0])
    bar.show_frame(max(1, bar.count() // 4))
    pump(app, 0.5)
    win.docks["latent"].grab().save(str(OUT / "watch-latent-replay.png"))
    bar.export(OUT / "watch-latent-replay.gif", size=360)
    bar.show_frame(bar.count() - 1)

    # The network view, lit by the letter under the cursor.
    ds = win.workspace.current.dataset
    codes = win.workspace.current.codes()
    win.latent.reset_view()
    win.show_dock("network")                # Train: the map above, the network view below
    pump(app, 0.3)
    win.latent.hover_at(*codes[ds.labels.index("m")][:2])
    win.network.flush()
    pump(app, 0.5)
    win.grab().save(str(OUT / "watch-network-window.png"))
    win.docks["network"].grab().save(str(OUT / "watch-network-view.png"))

    # Search: the k nearest neighbours of 'o' in pixel space, ringed.
    win.show_dock("editor")                 # Explore
    pump(app, 0.3)
    win.latent.search.neighbours(ds.labels.index("o"), k=5, space="pixel")
    win.latent.cursor_item.hide()
    pump(app, 0.3)
    win.docks["latent"].grab().save(str(OUT / "watch-search.png"))
    win.latent.search.neighbours(ds.labels.index("o"), k=0 + 1, space="latent")
    win.latent.search.edit.setText("")
    win.latent.search.find("")

    # The first-run guide, as a new user sees it.
    for key in ("done", "draw", "hover", "train"):
        win.settings.remove(f"guide/{key}")
    win.arranger.switch("explore")           # what a first launch shows
    win.guide.start()
    pump(app, 0.5)
    win.grab().save(str(OUT / "watch-guide.png"))
    win.guide.dismiss_all()

    # Drawing for an image model: a small MLP on the 8x8 digits, a digit drawn by hand.
    b = win.builder
    b.form.widget("data.source").setCurrentIndex(b.form.widget("data.source").findData("digits"))
    b.form.widget("model.kind").setCurrentIndex(b.form.widget("model.kind").findData("ae"))
    b.form.widget("model.arch").setCurrentIndex(b.form.widget("model.arch").findData("mlp"))
    b.model.encoder_editor.set_values([32])
    b.model.decoder_editor.set_values([32])
    b.form.widget("model.latent").setValue(2)
    b.form.widget("train.epochs").setValue(300)
    done.clear()
    b.train_button.click()
    wait(app, lambda: bool(done), timeout=300)
    pump(app, 0.5)
    panel = win.drawing
    c = panel.canvas
    c.paint_line((1.2, 2.5), (1.2, 5.5))      # a 7: the top bar and the stroke down
    c.paint_line((1.2, 5.5), (6.8, 3.0))
    panel.run_model()
    win.network.flush()
    win.latent.set_codes_mode("classes")
    pump(app, 0.5)
    win.show_dock("draw")
    pump(app, 0.3)
    win.grab().save(str(OUT / "watch-drawing-window.png"))
    win.docks["draw"].grab().save(str(OUT / "watch-drawing.png"))
    win.close()


if __name__ == "__main__":
    main()
