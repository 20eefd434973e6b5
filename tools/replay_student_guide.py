"""Replay docs/student-guide.md in the window, step by step, as a student follows it.

Each step does what the guide says to do, with the keys, buttons, menus and mouse the guide names
(Ctrl+2, Load config… answered with the preset the guide picks, F5, a hover and clicks on the map,
Teach it… answered with a label, the Experiments menu), checks what the guide says to look for
(0 wrong pixels and "Reached target", a pinned tile, an interpolation strip between the two
glyphs, fewer wrong pixels after teaching, 8 samples from the prior, a table of mean ± std), saves
the pictures the guide shows, and times itself. A step whose outcome differs from the guide's
stops the replay with the step and what was seen (exit status 1).

python tools/replay_student_guide.py                      (offscreen; DISPLAY set: a real X window)
python tools/replay_student_guide.py --out /tmp/guide     (pictures elsewhere than docs/screenshots/guide)
python tools/replay_student_guide.py --steps 1,2          (only those steps; later steps need step 1)

Prints one line a step (its time and what was measured) and writes OUT/replay.json with the same.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog  # noqa: E402

# It sets AEGUI_HOME to a fresh folder, removed at exit: nothing of the user's is read or changed.
from make_screenshots import demo_window, pump, wait  # noqa: E402

PRESETS = ROOT / "resources" / "presets"


class GuideBroken(SystemExit):
    """A step's outcome is not the guide's: the step and what was seen."""


def expect(ok: bool, step: str, seen: str) -> None:
    if not ok:
        raise GuideBroken(f"step {step}: {seen}")


@contextlib.contextmanager
def file_dialog_answers(path: Path, asked: list):
    """Load config…'s file dialog, answered with `path` as a student picks it; where it opened is kept."""
    real = QFileDialog.getOpenFileName

    def answer(parent, title, start, *rest, **kw):
        asked.append(start)
        return str(path), ""
    QFileDialog.getOpenFileName = answer
    try:
        yield
    finally:
        QFileDialog.getOpenFileName = real


@contextlib.contextmanager
def label_answer(text: str):
    """Teach it…'s label dialog, answered with `text`."""
    real = QInputDialog.getText
    QInputDialog.getText = lambda *a, **k: (text, True)
    try:
        yield
    finally:
        QInputDialog.getText = real


class Replay:
    """The window and what the steps share: the keys a student presses, the pictures saved."""

    def __init__(self, out: Path):
        self.out = out
        self.app = QApplication.instance() or QApplication([])
        pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
        self.win = demo_window(self.app)
        wait(self.app, lambda: not self.win.editor.busy())
        self.finished: list = []
        self.win.runner.finished.connect(self.finished.append)

    def keys(self, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        # The window's shortcuts answer while it is the active window (a floated panel may have been).
        self.win.activateWindow()
        pump(self.app, 0.05)
        QTest.keyClick(self.win, key, modifier)
        pump(self.app, 0.2)

    def perspective(self, number: int, key: str) -> None:
        self.keys(getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)
        expect(self.win.arranger.current() == key, f"Ctrl+{number}",
               f"the {self.win.arranger.current()} perspective is shown, not {key}")

    def load_config(self, name: str, step: str) -> None:
        """Load config… in the builder, the dialog answered with a shipped preset."""
        asked: list = []
        with file_dialog_answers(PRESETS / name, asked):
            self.win.builder.load_button.click()
        expect(bool(asked) and Path(asked[0]).resolve() == PRESETS.resolve(), step,
               f"Load config… opened in {asked[0] if asked else 'no dialog'}, not in the shipped presets")
        pump(self.app, 0.2)

    def train(self, step: str, timeout: float = 600) -> None:
        """F5, then wait for the run to end."""
        self.finished.clear()
        self.keys(Qt.Key.Key_F5)
        wait(self.app, lambda: bool(self.finished), timeout)
        pump(self.app, 0.5)

    def save(self, widget, name: str) -> str:
        self.out.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(self.out / name))
        return name

    def change_denoiser(self, text: str):
        """The pixel editor's Change menu: the entry that starts with `text` picked."""
        choice = self.win.editor.denoiser
        choice.fill_menu()
        act = next((a for a in choice.menu.actions() if a.text().startswith(text)), None)
        expect(act is not None, "Change", f"the pixel editor's Change menu has no {text!r}: "
               f"{[a.text() for a in choice.menu.actions()]}")
        act.trigger()
        pump(self.app, 0.3)
        return self.win.workspace.editor_model()

    def map_point(self, x: float, y: float):
        canvas = self.win.latent
        return canvas.plot.mapFromScene(canvas.vb.mapViewToScene(QPointF(float(x), float(y))))

    def current(self):
        return self.win.workspace.current


def wrong_pixels(model) -> np.ndarray:
    """Each sample's wrong pixels (output thresholded at 0.5 against the input)."""
    from aegui.core.models import latent
    x = model.dataset.x
    return ((latent.denoise(model.model, x) >= 0.5) != (x >= 0.5)).sum(1)


def step1(r: Replay) -> dict:
    """Font3 to 0 wrong pixels in a 2-D latent space."""
    r.perspective(2, "train")
    r.load_config("font3-ae2d.json", "1")
    r.train("1")
    model = r.current()
    wrong = wrong_pixels(model)
    status = r.win.training.state_label.text()
    expect(int(wrong.max()) == 0, "1", f"the trained model leaves {int(wrong.max())} wrong pixels on a glyph")
    expect(status == "Reached target", "1", f"the training panel says {status!r}, not 'Reached target'")
    expect(model.codes().shape[1] == 2, "1", f"the code has {model.codes().shape[1]} numbers, not 2")
    last = r.win.training.history.last
    return {"max_wrong_pixels": int(wrong.max()), "status": status, "epochs": last.epoch if last else None,
            "pictures": [r.save(r.win.docks["builder"], "1-builder.png"),
                         r.save(r.win.docks["training"], "1-training.png")]}


def step2(r: Replay) -> dict:
    """The latent map: hover, click to pin, Shift-click two glyphs for an interpolation strip."""
    r.perspective(1, "explore")
    canvas, model = r.win.latent, r.current()
    labels, codes = model.dataset.labels, canvas.projected_codes()
    m, s = labels.index("m"), labels.index("s")
    mid = (codes[m] + codes[s]) / 2
    viewport = canvas.plot.viewport()
    QTest.mouseMove(viewport, r.map_point(*mid))
    wait(r.app, lambda: canvas.cursor_item.isVisible(), 10)
    pins = len(canvas.tray.items())
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, r.map_point(*mid))
    wait(r.app, lambda: len(canvas.tray.items()) == pins + 1, 10)
    for k in (m, s):
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                         r.map_point(*codes[k]))
    wait(r.app, lambda: canvas.strip_images() is not None, 10)
    ends = canvas.interp.ends()
    expect(ends == ("m", "s"), "2", f"the interpolation strip runs {ends}, not from m to s")
    QTest.mouseMove(viewport, r.map_point(*mid))
    pump(r.app, 0.5)
    return {"pinned": len(canvas.tray.items()) - pins, "strip": "-".join(ends), "strip_tiles": len(canvas.strip_images()),
            "pictures": [r.save(r.win.docks["latent"], "2-latent-map.png")]}


def step3(r: Replay) -> dict:
    """Noise and denoising: the denoising preset trained, a noisy glyph in the pixel editor, the curve."""
    r.perspective(2, "train")
    r.load_config("font3-dae.json", "3")
    r.train("3")
    dae = r.current()
    r.perspective(1, "explore")
    editor = r.win.editor
    r.win.show_dock("editor")
    r.change_denoiser("The model shown on the canvas")
    expect(r.win.workspace.editor_model() is dae, "3", "the pixel editor does not denoise with the model just trained")
    start_from = editor.start_from          # Start from…: a glyph of the model's dataset
    start_from.setCurrentIndex(start_from.findText("'e'"))
    expect(np.array_equal(editor.glyph(), dae.dataset.images()[dae.dataset.labels.index("e")]), "3",
           "Start from… 'e' did not put Font3's e in the grid")
    editor.set_noise("salt_pepper", 20)
    # Re-roll until the noise changed at least 3 pixels, as a student re-rolls a copy the noise spared.
    for seed in range(1, 100):
        editor.set_noise_seed(seed)
        flipped = int(((editor.noisy() >= 0.5) != (editor.glyph() >= 0.5)).sum())
        if flipped >= 3:
            break
    wait(r.app, lambda: not editor.busy() and editor.output() is not None, 60)
    pump(r.app, 0.5)
    out = editor.output()
    wrong = int(((out >= 0.5) != (editor.glyph() >= 0.5)).sum())
    pictures = [r.save(r.win.docks["editor"], "3-pixel-editor.png")]
    r.win.menus.analysis_actions["denoise"].trigger()
    wait(r.app, lambda: not r.win.analyses.is_running(), 600)
    pump(r.app, 0.5)
    dock = r.win.docks["analyses"]
    dock.setFloating(True)
    dock.resize(1100, 720)
    r.win.analyses.show_tab("denoise")
    pump(r.app, 0.5)
    pictures.append(r.save(dock, "3-denoising-curve.png"))
    dock.setFloating(False)
    expect(wrong <= 2, "3", f"the denoiser leaves {wrong} wrong pixels on 'e' at 20 % salt-and-pepper")
    return {"e_at_20pct": {"noise_seed": seed, "flipped_by_noise": flipped, "wrong_after": wrong}, "pictures": pictures}


def step4(r: Replay) -> dict:
    """Your own letter: the LCD bell drawn cell by cell, then Teach it…; fewer wrong pixels after."""
    from aegui.core.data.glyphs import read_font_h
    bell = {g.label: g.to_array() for g in read_font_h(ROOT / "resources/lcd-glyphs.h")[0].glyphs}["bell"]
    r.perspective(1, "explore")
    r.win.show_dock("editor")
    editor = r.win.editor
    shipped = r.change_denoiser("General 5x7 denoiser")
    editor.clear()
    editor.set_noise("salt_pepper", 10)
    editor.set_noise_seed(13)
    pump(r.app, 0.3)
    grid = editor.grid
    for row, col in zip(*np.nonzero(bell >= 0.5)):
        QTest.mouseClick(grid, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         grid.cell_rect(int(row), int(col)).center().toPoint())
    wait(r.app, lambda: not editor.busy(), 60)
    expect(np.array_equal(editor.glyph() >= 0.5, bell >= 0.5), "4", "the drawn grid is not the bell")
    before = int(((editor.output() >= 0.5) != (bell >= 0.5)).sum())
    picture_before = r.save(r.win.docks["editor"], "4-before.png")
    with label_answer("bell"):
        editor.teach.teach_button.click()
    wait(r.app, lambda: not editor.teach.is_running(), 600)
    wait(r.app, lambda: not editor.busy(), 60)
    pump(r.app, 0.5)
    after = int(((editor.output() >= 0.5) != (bell >= 0.5)).sum())
    expect(after < before or after == 0, "4", f"taught, the bell has {after} wrong pixels (before: {before})")
    expect(r.win.workspace.editor_model() is not shipped, "4", "the taught model is not the editor's model")
    return {"bell_wrong_before": before, "bell_wrong_after": after, "note": editor.teach.message(),
            "pictures": [picture_before, r.save(r.win.docks["editor"], "4-after.png")]}


def step5(r: Replay) -> dict:
    """A VAE that makes new emoji, then digits: emoji-vae.json, Sample from prior; a 7 drawn for digits."""
    r.perspective(2, "train")
    r.load_config("emoji-vae.json", "5")
    r.train("5")
    r.perspective(1, "explore")
    canvas = r.win.latent
    pins = len(canvas.tray.items())
    canvas.tray.sample_button.click()
    wait(r.app, lambda: len(canvas.tray.items()) > pins, 30)
    pump(r.app, 1.0)
    model = r.current()
    expect(model.experiment.model.kind == "vae", "5", f"the model trained is a {model.experiment.model.kind}")
    samples = len(canvas.tray.items()) - pins
    expect(samples == 8, "5", f"Sample from prior added {samples} pictures to the tray, not 8")
    pictures = [r.save(r.win.docks["latent"], "5-emoji-latent-map.png")]
    # Digits: the convolutional autoencoder on the 8x8 digits, a 7 painted in the Draw panel.
    r.perspective(2, "train")
    r.load_config("digits-conv-ae.json", "5")
    r.train("5")
    digits = r.current()
    r.perspective(1, "explore")
    r.win.show_dock("draw")
    panel = r.win.drawing
    panel.canvas.paint_line((1.2, 2.5), (1.2, 5.5))     # the top bar of a 7, then its stroke down
    panel.canvas.paint_line((1.2, 5.5), (6.8, 3.0))
    panel.run_model()
    pump(r.app, 0.5)
    expect(digits.dataset.shape[:2] == (8, 8), "5", f"the digits model reads {digits.dataset.shape}, not 8x8")
    pictures.append(r.save(r.win, "5-drawing-window.png"))
    return {"samples": samples, "latent": int(model.codes().shape[1]), "digits_model": digits.name,
            "pictures": pictures}


def step6(r: Replay) -> dict:
    """Sweeps: the seed-001 comparison of six architectures from the Experiments menu."""
    r.perspective(3, "experiments")
    action = next(a for a in r.win.menus.preset_actions
                  if a.text().startswith("seed-001: the report's six architectures x SGD"))
    action.trigger()
    wait(r.app, lambda: not r.win.experiments.is_running(), 900)
    pump(r.app, 0.5)
    r.win.show_dock("experiments")
    table = r.win.experiments.table
    rows = table.rowCount() if hasattr(table, "rowCount") else table.model().rowCount()
    expect(rows >= 12, "6", f"the results table has {rows} rows, not one a configuration (12)")
    return {"configurations": rows, "pictures": [r.save(r.win.docks["experiments"], "6-experiments.png")]}


STEPS = {"1": step1, "2": step2, "3": step3, "4": step4, "5": step5, "6": step6}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "guide")
    ap.add_argument("--steps", default=",".join(STEPS))
    args = ap.parse_args(argv)
    wanted = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in STEPS]
    if unknown:
        ap.error(f"no step {', '.join(unknown)}; the guide's steps are {', '.join(STEPS)}")
    r = Replay(args.out)
    done = {}
    try:
        for key in wanted:
            t0 = time.perf_counter()
            facts = STEPS[key](r)
            facts["seconds"] = round(time.perf_counter() - t0, 1)
            done[key] = facts
            shown = {k: v for k, v in facts.items() if k not in ("pictures", "note")}
            print(f"step {key}: {STEPS[key].__doc__.splitlines()[0]} {json.dumps(shown)}", flush=True)
    except GuideBroken as e:
        print(f"the guide does not hold: {e}", file=sys.stderr)
        return 1
    finally:
        r.win.close()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "replay.json").write_text(json.dumps(
        {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "steps": done}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
