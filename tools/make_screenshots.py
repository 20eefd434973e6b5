"""Regenerate docs/screenshots/: the whole window and each panel, after a real training run.

python tools/make_screenshots.py            (offscreen; under Xvfb, set DISPLAY to use a real X window)
python tools/make_screenshots.py --arrow    (only the pixel editor's arrow sequence, in seconds)
"""
from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
os.environ["AEGUI_HOME"] = tempfile.mkdtemp(prefix="aegui-shots-")
atexit.register(shutil.rmtree, os.environ["AEGUI_HOME"], True)    # the scratch home goes at the end

import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
# A bold arrow pointing up, painted cell by cell: with the demo denoiser the notice under the
# previews comes once the shaft is long, goes when the head starts, and comes back.
ARROW = [(0, 2), (1, 2), (2, 2), (3, 2), (4, 2), (5, 2), (6, 2), (1, 1), (1, 3), (2, 1), (2, 3), (2, 0),
         (2, 4), (3, 1), (3, 3), (4, 1), (4, 3), (5, 1), (5, 3), (6, 1)]


def pump(app, seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)


def wait(app, cond, timeout=120):
    end = time.perf_counter() + timeout
    while not cond():
        app.processEvents()
        time.sleep(0.005)
        if time.perf_counter() > end:
            raise SystemExit("timed out")


def demo_window(app):
    """The window every documentation picture starts from: light theme, 1280x800, no first-run
    hints over the panels, the demo models loaded."""
    from aegui.qt import theme
    from aegui.qt.window.main_window import MainWindow
    theme.apply("light")
    settings = QSettings(str(Path(os.environ["AEGUI_HOME"]) / "s.ini"), QSettings.IniFormat)
    settings.setValue("guide/done", True)
    win = MainWindow(settings)
    win.confirm_close = False
    win.resize(1280, 800)
    win.show()
    loaded = []
    win.model_loaded.connect(lambda: loaded.append(1))
    win.start_loading()
    wait(app, lambda: loaded and win.workspace.current is not None)
    return win


def draw_arrow(app, win) -> list[str]:
    """The pixel editor while an arrow is drawn with the mouse, at 1280x800 and 1024x700: before
    the first click, when the notice first shows, when it first goes, and the arrow done
    (draw-arrow-<width>-<n>-<moment>.png). The grid's place is measured at each shot and must not
    change (SystemExit if it does); the lines returned say where it was."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    from aegui.qt.window.window_matrix import settle
    win.arranger.switch("explore")
    win.show_dock("editor")
    editor, grid = win.editor, win.editor.grid
    said = []
    for size in ((1280, 800), (1024, 700)):
        win.resize(*size)
        settle()
        editor.clear()
        editor.set_noise("salt_pepper", 10)
        editor.set_noise_seed(1)
        settle()

        def where():
            return grid.mapTo(win, QPoint(0, 0)).toTuple(), grid.size().toTuple(), grid.grid_rect().getRect()
        first = where()
        aim = {cell: grid.mapTo(win, grid.cell_rect(*cell).center().toPoint()) for cell in ARROW}
        shots = [("1-before", where())]
        win.grab().save(str(OUT / f"draw-arrow-{size[0]}-1-before.png"))
        seen = gone = False
        for cell in ARROW:
            target = win.childAt(aim[cell])
            QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                             target.mapFrom(win, aim[cell]))
            settle()
            notice = bool(editor.unfamiliar_notice() or editor.fallback_notice())
            name = ("2-notice-shown" if notice and not seen else "3-notice-gone" if seen and not notice and not gone
                    else None)
            seen, gone = seen or notice, gone or (seen and not notice)
            if name:
                win.grab().save(str(OUT / f"draw-arrow-{size[0]}-{name}.png"))
                shots.append((name, where()))
        win.grab().save(str(OUT / f"draw-arrow-{size[0]}-4-done.png"))
        shots.append(("4-done", where()))
        for name, place in shots:
            said.append(f"{size[0]}x{size[1]} {name}: grid at {place[0]}, {place[1][0]}x{place[1][1]} px, "
                        f"cells {place[2]}")
            if place != first:
                raise SystemExit(f"the grid moved at {size} {name}: {place} != {first}")
    return said


def arrow_only():
    """`--arrow`: the window with its demo models, then draw_arrow; no training."""
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    win = demo_window(app)
    wait(app, lambda: not win.editor.busy())
    print("\n".join(draw_arrow(app, win)))
    win.close()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    app = QApplication.instance() or QApplication([])
    from aegui.core.config.load import load_experiment
    from aegui.qt import i18n
    win = demo_window(app)
    exp, _ = load_experiment(ROOT / "resources/presets/font3-ae2d.json")
    win.builder.set_experiment(exp)
    done = []
    win.runner.finished.connect(done.append)
    win.builder.train_button.click()
    wait(app, lambda: bool(done))
    pump(app, 0.5)
    ds = win.workspace.current.dataset
    codes = win.workspace.current.codes()
    # Hover half-way between two letters, pin it, and draw an interpolation strip.
    m, s = ds.labels.index("m"), ds.labels.index("s")
    mid = (codes[m] + codes[s]) / 2
    win.latent.pin_at(*mid[:2])
    win.latent.pin_at(*codes[ds.labels.index("a")][:2])
    win.latent.interpolate(m, s, 10)
    win.latent.hover_at(*mid[:2])
    # A noisy letter in the editor.
    win.editor.set_glyph(ds.images()[ds.labels.index("e")])
    win.editor.set_noise("salt_pepper", 20)
    for label in "aegui":
        win.library.add_glyph(ds.images()[ds.labels.index(label)], label=label)
    win.arranger.switch("explore")      # training brought the Train perspective forward
    pump(app, 1.0)
    win.grab().save(str(OUT / "main-window.png"))
    panels = {"builder": "model-builder", "training": "training", "latent": "latent-space",
              "editor": "pixel-editor", "recon": "reconstructions", "library": "glyph-library"}
    for key, name in panels.items():
        win.show_dock(key)          # in its perspective (Explore, Train)
        pump(app, 0.4)
        win.docks[key].grab().save(str(OUT / f"{name}.png"))
    win.arranger.switch("explore")
    i18n.set_language("es")
    pump(app, 0.6)
    win.grab().save(str(OUT / "main-window-es.png"))
    win.resize(1024, 700)
    pump(app, 1.0)
    win.grab().save(str(OUT / "main-window-es-1024x700.png"))
    i18n.set_language("en")
    win.resize(1280, 800)
    win.menus.set_theme("dark")
    pump(app, 1.0)
    win.grab().save(str(OUT / "main-window-dark.png"))
    win.menus.set_theme("light")
    pump(app, 0.3)
    print("\n".join(draw_arrow(app, win)))
    win.resize(1280, 800)
    win.editor.set_glyph(ds.images()[ds.labels.index("e")])
    pump(app, 0.3)

    # Experiments: the course's seed-001 comparison from the menu, then each analysis.
    seed001 = next(a for a in win.menus.preset_actions
                   if a.text().startswith("seed-001: the report's six architectures x SGD"))
    seed001.trigger()
    wait(app, lambda: not win.experiments.is_running(), 300)
    pump(app, 0.5)
    win.show_dock("experiments")
    pump(app, 0.5)
    win.grab().save(str(OUT / "experiments-window.png"))     # the Experiments perspective
    win.docks["experiments"].grab().save(str(OUT / "experiments.png"))
    win.experiments.charts.grab().save(str(OUT / "experiments-charts.png"))
    win.show_dock("analyses")
    for key in ("denoise", "embedding", "probe"):
        win.run_analysis(key)
        wait(app, lambda: not win.analyses.is_running(), 300)
        pump(app, 0.5)
        win.docks["analyses"].grab().save(str(OUT / f"analysis-{key}.png"))
    # A larger view of the analyses, as when the dock is floated.
    dock = win.docks["analyses"]
    dock.setFloating(True)
    dock.resize(1100, 720)
    for key in ("denoise", "embedding", "probe"):
        win.analyses.show_tab(key)
        pump(app, 0.5)
        dock.grab().save(str(OUT / f"analysis-{key}-large.png"))
    dock.setFloating(False)

    # Images: the emoji VAE preset trained from the builder, explored on the canvas.
    win.builder.load_config(ROOT / "resources/presets/emoji-vae.json")
    done.clear()
    win.builder.train_button.click()
    wait(app, lambda: bool(done), 600)
    pump(app, 0.5)
    win.arranger.switch("explore")
    win.show_dock("draw")
    ds = win.workspace.current.dataset
    win.latent.proj_combo.setCurrentIndex(1)          # PCA of the 8-D codes, decodable back
    pump(app, 0.3)
    win.latent.hover_at(*win.latent.projected_codes()[ds.labels.index("grinning")])
    win.latent.tray.sample_button.click()
    pump(app, 1.0)
    win.grab().save(str(OUT / "emoji-window.png"))
    win.docks["latent"].grab().save(str(OUT / "emoji-latent-space.png"))
    win.arranger.switch("train")
    win.show_dock("recon")
    pump(app, 0.5)
    win.grab().save(str(OUT / "train-window.png"))           # the Train perspective after a run
    win.docks["recon"].grab().save(str(OUT / "emoji-reconstructions.png"))
    win.docks["builder"].grab().save(str(OUT / "emoji-model-builder.png"))
    win.close()
    print("\n".join(sorted(str(p.relative_to(ROOT)) for p in OUT.glob("*.png"))))


if __name__ == "__main__":
    arrow_only() if "--arrow" in sys.argv[1:] else main()
