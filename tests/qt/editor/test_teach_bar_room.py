"""The teach bar in the pixel editor's column of buttons at 1024x700, in both languages, pressed
as a user presses it: while teaching, its progress and Cancel are whole ("t50 / 500" was drawn in
half the room it needed), after it Teach it… and Revert are ("señárselo"), and the grid keeps its
least height throughout (a taught model's name took a fourth line above it: 210 -> 196 px)."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from aegui.core.analyses.teach import TeachSettings
from aegui.qt import i18n
from aegui.qt.models.names import title
from aegui.qt.window.layout_check import GRID_LEAST, layout_problems, room
from aegui.qt.window.window_matrix import settle, show_as

GLYPH = np.zeros((7, 5))
GLYPH[1:6, 2] = 1           # a bar: quick to draw, new to the demo denoiser


def _whole(window, when: str) -> None:
    settle()
    grid = room(window)["editor_grid"]
    assert grid is not None and grid >= GRID_LEAST, f"{when}: the grid is {grid} px tall"
    problems = layout_problems(window.editor)
    assert problems == [], f"{when}: {problems}"


def _teach(qtbot, bar) -> str:
    ended = []
    bar.ended.connect(ended.append)
    qtbot.mouseClick(bar.teach_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(ended), timeout=120000)
    bar.ended.disconnect()
    return ended[0]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_teaching_keeps_the_grid_and_the_teach_bar_whole_at_1024x700(window, qtbot, monkeypatch, lang):
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("bar", True)))
    show_as(window, (1024, 700), lang, "light", "explore")
    editor = window.editor
    bar = editor.teach
    editor.clear()
    for r, c in zip(*np.nonzero(GLYPH)):
        qtbot.mouseClick(editor.grid, Qt.MouseButton.LeftButton, pos=editor.grid.cell_rect(int(r), int(c)).center().toPoint())
    _whole(window, "before teaching")

    # While teaching: the progress (its epochs counted) and Cancel in the Teach it… button's place.
    bar.settings = TeachSettings(epochs=100_000)
    ended = []
    bar.ended.connect(ended.append)
    qtbot.mouseClick(bar.teach_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.progress.isVisible() and " / 100000" in bar.progress.text(), timeout=60000)
    assert bar.cancel_button.isVisible() and not bar.teach_button.isVisible()
    _whole(window, "while teaching")
    qtbot.mouseClick(bar.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(ended), timeout=60000)
    bar.ended.disconnect()

    # Taught twice: Revert beside Teach it…, and the taught models' names above the grid, the
    # second one's too long for its three lines (shortened, said whole in its tooltip).
    bar.settings = TeachSettings(epochs=40)
    for times in (1, 2):
        assert _teach(qtbot, bar) == "taught"
        assert bar.revert_button.isVisible() and bar.teach_button.isVisible()
        _whole(window, f"taught {times} time(s)")
    label, model = editor.denoiser.label, window.workspace.editor_model()
    whole = i18n.tr("Denoised by {name}", name=title(model))
    if lang == "es":        # four lines' worth at this size
        assert "…" in label.text() and label.toolTip() == whole, (label.text(), label.toolTip())
        assert label.text().endswith(whole[whole.rindex(" + "):])      # what tells it apart stays
    else:
        assert label.text() == whole and label.toolTip() == ""
