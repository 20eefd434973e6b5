"""Teach this glyph: the pixel editor fine-tunes its model on the drawing in the
background, the output for that glyph under noise improves, the taught model is a model like any
other (listed, autosaved with its glyph file, saved by File > Save), Revert goes back in one click,
Cancel keeps the model, and the glyph library teaches all its glyphs through the workspace."""
import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog

from aegui.core.analyses.teach import TeachSettings
from aegui.core.data.glyphs import read_font_h

ROOT = Path(__file__).resolve().parents[3]
SEEDS = range(8)       # noise patterns the editor's output is measured on, before and after


@pytest.fixture(scope="module")
def lcd():
    return {g.label: g.to_array() for g in read_font_h(ROOT / "resources" / "lcd-glyphs.h")[0].glyphs}


def draw(qtbot, editor, glyph):
    """Paint the glyph cell by cell with the mouse, as a user would."""
    editor.clear()
    for r, c in zip(*np.nonzero(glyph)):
        QTest.mouseClick(editor.grid, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         editor.grid.cell_rect(int(r), int(c)).center().toPoint())
    assert np.array_equal(editor.glyph(), glyph)


def wrong_pixels(qtbot, editor) -> tuple[float, float]:
    """(the editor's output, the noisy input): mean wrong pixels over SEEDS at 10 % salt-and-pepper."""
    out, noisy = [], []
    clean = editor.glyph() >= 0.5
    editor.set_noise("salt_pepper", 10)
    for seed in SEEDS:
        editor.set_noise_seed(seed)
        qtbot.waitUntil(lambda: not editor.busy(), timeout=30000)
        out.append(int(((editor.output() >= 0.5) != clean).sum()))
        noisy.append(int(((editor.noisy() >= 0.5) != clean).sum()))
    return float(np.mean(out)), float(np.mean(noisy))


def teach_and_wait(qtbot, bar, start) -> str:
    ended = []
    bar.ended.connect(ended.append)
    start()
    qtbot.waitUntil(lambda: bool(ended), timeout=180000)
    bar.ended.disconnect()
    return ended[0]


def test_draw_teach_it_and_the_output_for_it_improves(window, qtbot, lcd, monkeypatch, tmp_path):
    ws, editor = window.workspace, window.editor
    bar = editor.teach
    bar.settings = TeachSettings(epochs=300)
    base = ws.editor_model()
    assert base.name.startswith("General 5x7 denoiser") and not bar.revert_button.isVisible()
    draw(qtbot, editor, lcd["bell"])
    before, noisy = wrong_pixels(qtbot, editor)
    assert before > 1.0          # the shipped models never saw a bell
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("bell", True)))
    assert teach_and_wait(qtbot, bar, bar.teach_button.click) == "taught"
    taught = ws.editor_model()
    # A model like any other: listed, autosaved with the glyph file its experiment names; the map
    # keeps the model it showed (teaching changes the editor's model only).
    assert taught is bar.outcome.model and taught.taught_from is base and ws.current is not taught
    assert taught in ws.models and taught.dirty and taught.name.endswith("+ 1 taught glyph")
    [glyph_file] = taught.experiment.data.extra_glyphs
    [font] = read_font_h(glyph_file)
    assert [g.label for g in font.glyphs] == ["bell"] and np.array_equal(font.glyphs[0].to_array(), lcd["bell"])
    assert Path(glyph_file).parent == taught.path and (taught.path / "model.json").exists()
    assert "bell" in taught.dataset.labels
    # The drawing went to the glyph library with its label.
    assert [e.label for e in window.library.library.entries()] == ["bell"]
    after, noisy_after = wrong_pixels(qtbot, editor)
    assert noisy_after == noisy and after < before and after <= noisy / 2, (before, after, noisy)
    scores = bar.outcome.scores["10%"]
    assert scores["after"] < scores["before"]
    assert bar.message() == (f"Taught “bell”: {scores['before']:.2f} → {scores['after']:.2f} wrong pixels per glyph "
                             "at 10 % noise.")
    assert f"{scores['before']:.2f} before, {scores['after']:.2f} after" in bar.status.toolTip()
    # Chosen in the model list, File > Save writes it with its glyph file in the experiment.
    saved = tmp_path / "bell-model"
    assert window.files.save_to(taught, saved)
    sidecar = json.loads((saved / "model.json").read_text()) if saved.is_dir() else json.loads(saved.with_suffix(".json").read_text())
    # The glyph file travels with the model: copied beside it, named relative to it.
    folder = saved if saved.is_dir() else saved.parent
    assert sidecar["experiment"]["data"]["extra_glyphs"] == [Path(glyph_file).name]
    assert (folder / Path(glyph_file).name).read_text() == Path(glyph_file).read_text()
    # Revert: one click back to the shipped model; the taught one stays in the list.
    assert bar.revert_button.isVisible() and bar.revert_button.isEnabled()
    bar.revert_button.click()
    assert ws.editor_model() is base and ws.current is not taught and taught in ws.models
    assert not bar.revert_button.isVisible()
    reverted, _ = wrong_pixels(qtbot, editor)
    assert reverted == before


def test_cancel_keeps_the_model_and_saves_nothing(window, qtbot, lcd, monkeypatch):
    ws, editor = window.workspace, window.editor
    bar = editor.teach
    bar.settings = TeachSettings(epochs=100_000)
    base, models = ws.editor_model(), list(ws.models)
    draw(qtbot, editor, lcd["heart"])
    cancelled = []

    def cancel_on_progress(_item):
        if not cancelled:
            cancelled.append(1)
            assert bar.cancel_button.isVisible() and not bar.teach_button.isVisible()
            bar.cancel_button.click()
    bar.runner.progress.connect(cancel_on_progress)
    assert teach_and_wait(qtbot, bar, lambda: bar.teach_drawing("heart")) == "cancelled"
    assert ws.editor_model() is base and ws.models == models and bar.outcome is None
    assert bar.teach_button.isVisible() and bar.teach_button.isEnabled()
    assert bar.message() == "Cancelled: the editor keeps its model."


def test_an_empty_grid_is_refused_and_the_library_teaches_all_its_glyphs(window, qtbot, lcd):
    ws, editor, library = window.workspace, window.editor, window.library
    bar = editor.teach
    bar.settings = TeachSettings(epochs=60)
    editor.clear()
    assert teach_and_wait(qtbot, bar, lambda: bar.teach_drawing("nothing")) == "refused"
    assert bar.message() == "Draw a glyph first: the grid is empty." and len(library.library) == 0
    for label in ("note", "house"):
        library.add_glyph(lcd[label], label)
    asked = []
    ws.teach_requested.connect(lambda images, labels, source: asked.append((labels, source)))
    assert teach_and_wait(qtbot, bar, library.teach_button.click) == "taught"
    assert asked == [(["note", "house"], "library")]
    taught = ws.editor_model()
    assert bar.outcome.labels == ["note", "house"] and taught.name.endswith("+ 2 taught glyphs")
    assert {"note", "house"} <= set(taught.dataset.labels)


def test_the_bar_says_each_stage_of_teaching_a_large_set(qtbot):
    """The records TeachJob yields (tests/core/analyses/test_teach_progress.py), as the bar shows
    them: reading 100,000 glyphs and preparing take minutes before the first epoch ends."""
    from aegui.core.analyses import teach as T
    from aegui.qt.editor.teach_bar import TeachBar
    bar = TeachBar()
    qtbot.addWidget(bar)
    bar._labels = [f"g{i}" for i in range(100_000)]
    shown = {}
    for item in (T.TeachProgress(phase=T.READING, count=40_000, total=100_000),
                 T.TeachProgress(phase=T.PREPARING, count=1, total=3, total_epochs=20),
                 T.TeachProgress(phase=T.FINE_TUNING, epoch=3, total_epochs=20, fraction=0.1, batch=1, batches=1),
                 T.TeachProgress(phase=T.FINE_TUNING, epoch=5, total_epochs=20, fraction=0.25, new_noisy_wrong=0.5,
                                 noisy_input_wrong=1.9),
                 T.TeachProgress(phase=T.MEASURING, count=1, total=2, fraction=1.0),
                 T.TeachProgress(phase=T.SAVING, fraction=1.0)):
        bar._progress(item)
        shown[item.phase, item.batch] = (bar.progress.format(), bar.progress.value(), bar.progress.toolTip())
    from aegui.qt.i18n import number
    assert shown[T.READING, 0][:2] == (f"Reading glyphs {number(40_000, ',')} / {number(100_000, ',')}", 0)
    assert shown[T.PREPARING, 0][:2] == ("Preparing the model…", 0)
    assert shown[T.FINE_TUNING, 1][:2] == ("3 / 20 (batch 1 / 1)", 100)
    assert shown[T.FINE_TUNING, 1][2].endswith(" glyphs: 3 / 20 (batch 1 / 1)")
    assert shown[T.FINE_TUNING, 0][0] == "5 / 20" and "0.50 wrong pixels per glyph" in shown[T.FINE_TUNING, 0][2]
    assert shown[T.MEASURING, 0][:2] == ("Measuring before and after 1 / 2", 1000)
    assert shown[T.SAVING, 0][0] == "Saving…"
