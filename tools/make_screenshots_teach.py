"""Screenshots of teaching a glyph, explaining one input and comparing two models.

python tools/make_screenshots_teach.py     (offscreen; writes docs/screenshots/teach-*.png,
                                           explain-*.png and compare.png)

The pixel editor is shown before, during and after "Teach it" on the LCD bell (the same noise
pattern before and after); the Explain panel on a Font3 VAE trained here (2-D latent, the course's
preset) and on the general 5x7 denoiser with the bell drawn; the Compare panel on the general MLP
and local denoisers, hovering one glyph.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PIL import Image  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from make_screenshots import demo_window, pump, wait  # noqa: E402  (it also sets AEGUI_HOME to a fresh folder, removed at exit)

OUT = ROOT / "docs" / "screenshots"
NOISE_SEED = 13     # a noise pattern the shipped editor gets wrong on the bell (4 wrong pixels of 3 flipped)


def side_by_side(paths, out, gap=12):
    images = [Image.open(p).convert("RGB") for p in paths]
    w = sum(i.width for i in images) + gap * (len(images) - 1)
    h = max(i.height for i in images)
    canvas = Image.new("RGB", (w, h), "white")
    x = 0
    for im in images:
        canvas.paste(im, (x, 0))
        x += im.width + gap
    canvas.save(out)
    for p in paths:
        Path(p).unlink()


def grab_explain(panel, path) -> None:
    """The panel down to its last layer (the dock's empty space below left out)."""
    from PySide6.QtCore import QRect
    bottom = max(strip.geometry().bottom() for strip in panel.strips()) + 8
    panel.grab(QRect(0, 0, panel.width(), bottom)).save(str(path))


def trained_vae():
    """The course's Font3 VAE preset (2-D latent), trained here."""
    from aegui.core.config.load import load_experiment
    from aegui.core.config.validation import with_changes
    from aegui.core.data.datasets import from_config
    from aegui.core.runs.trained import TrainedModel
    from aegui.core.train.session import TrainingSession
    exp, _ = load_experiment(ROOT / "resources/presets/font3-vae.json")
    exp = with_changes(exp, train={"device": "cpu"})
    data = from_config(exp.data)
    session = TrainingSession(exp, data)
    for _ in session.steps():
        pass
    model = TrainedModel(exp.name, session.best_model().eval(), exp, data)
    model.ensure_view()
    return model


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    app = QApplication.instance() or QApplication([])
    from aegui.core.data.glyphs import read_font_h
    win = demo_window(app)
    pump(app, 0.5)
    ws, editor = win.workspace, win.editor
    lcd = {g.label: g.to_array() for g in read_font_h(ROOT / "resources/lcd-glyphs.h")[0].glyphs}

    # Teach it: the bell, before / while / after, on one noise pattern.
    win.show_dock("editor")
    editor.set_glyph(lcd["bell"])
    editor.set_noise("salt_pepper", 10)
    editor.set_noise_seed(NOISE_SEED)
    wait(app, lambda: not editor.busy())
    pump(app, 0.5)
    shots = [str(OUT / f"_teach{i}.png") for i in range(3)]
    win.docks["editor"].grab().save(shots[0])
    wrong_before = int(((editor.output() >= 0.5) != (editor.glyph() >= 0.5)).sum())
    seen = []
    editor.teach.runner.progress.connect(lambda item: seen.append(getattr(item, "epoch", 0)))
    editor.teach.teach_drawing("bell")
    wait(app, lambda: seen and seen[-1] >= 200)
    pump(app, 0.1)
    win.docks["editor"].grab().save(shots[1])
    wait(app, lambda: not editor.teach.is_running(), 300)
    wait(app, lambda: not editor.busy())
    pump(app, 0.8)
    win.docks["editor"].grab().save(shots[2])
    wrong_after = int(((editor.output() >= 0.5) != (editor.glyph() >= 0.5)).sum())
    side_by_side(shots, OUT / "teach-before-after.png")
    print(f"teach: the bell, noise seed {NOISE_SEED}: {wrong_before} -> {wrong_after} wrong pixels; {editor.teach.message()}")

    # Explain: the denoiser (the shipped one) on the bell with noise, a layer cell hovered.
    ws.revert_taught()
    pump(app, 0.5)
    win.show_dock("explain")
    panel = win.explain
    panel.noise_level.setValue(10)
    wait(app, lambda: panel.result is not None and panel.result.denoise is not None and not panel.busy())
    editor.set_glyph(lcd["bell"])          # the editor's drawing is what the panel follows
    wait(app, lambda: not panel.busy())
    pump(app, 0.5)
    panel.strips()[1].hovered.emit(40)        # as the cursor on that cell does
    pump(app, 0.3)
    grab_explain(panel, OUT / "explain-denoiser.png")

    # Explain: a Font3 VAE (2-D latent) on the letter "e", then one Re-sample.
    vae = trained_vae()
    ws.add(vae)
    wait(app, lambda: panel.result is not None and panel.result.vae is not None and not panel.busy())
    panel.select_sample(vae.shown.labels.index("e"))
    wait(app, lambda: not panel.busy())
    panel.resample_button.click()
    wait(app, lambda: not panel.busy())
    pump(app, 0.5)
    panel.strips()[2].hovered.emit(1)
    pump(app, 0.3)
    grab_explain(panel, OUT / "explain-vae.png")

    # Compare: the general MLP denoiser and the local one, the cursor on "e".
    mlp = next(m for m in ws.models if m.path is not None and m.path.name == "general-5x7-dae")
    local = next(m for m in ws.models if m.path is not None and m.path.name == "general-5x7-local")
    win.resize(1600, 1000)
    win.show_dock("compare")
    cmp = win.compare
    cmp.choose(mlp, local)
    wait(app, lambda: cmp.comparison is not None and not cmp.busy())
    pump(app, 0.5)
    c = cmp.comparison
    cmp.maps.hover(0, c.xy[0][c.labels.index("e")])
    pump(app, 0.5)
    cmp.grab().save(str(OUT / "compare.png"))
    exported = Path(os.environ["AEGUI_HOME"]) / "compare.png"     # what Export PNG writes (not kept)
    cmp.export_png(exported)
    print(f"Export PNG: {exported.stat().st_size:,} bytes")
    win.close()
    print("wrote", ", ".join(p.name for p in sorted(OUT.glob("*")) if p.name.startswith(("teach", "explain", "compare"))))


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main()
