"""The pixel editor's grid holds still while the user draws: a notice that comes and goes under
the previews (the drawing is unlike the model's glyphs, the local model was used), its check box,
the teach status or a changed note never move or resize the grid, so a click aimed at a cell
paints that cell. It once shrank from 255x356 to 200x280 px when the notice came, and a drawn
arrow lost pixels."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from aegui.qt.window.layout_check import GRID_LEAST
from aegui.qt.window.window_matrix import settle

# A bold arrow pointing up, painted shaft first: with the demo denoiser the notice comes once the
# shaft is long, goes when the head starts, and comes back.
ARROW = [(0, 2), (1, 2), (2, 2), (3, 2), (4, 2), (5, 2), (6, 2), (1, 1), (1, 3), (2, 1), (2, 3), (2, 0),
         (2, 4), (3, 1), (3, 3), (4, 1), (4, 3), (5, 1), (5, 3), (6, 1)]


def grid_geometry(win):
    grid = win.editor.grid
    return grid.mapTo(win, QPoint(0, 0)).toTuple(), grid.size().toTuple(), grid.grid_rect().getRect()


def click_at(qtbot, win, point: QPoint) -> None:
    """A left click at a point of the window, on whatever is there now (as a user's click lands)."""
    target = win.childAt(point)
    assert target is not None, point
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton, pos=target.mapFrom(win, point))


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)])
def test_painting_an_arrow_cell_by_cell_never_moves_the_grid(window, qtbot, size):
    window.arranger.switch("explore")
    window.show_dock("editor")
    window.resize(*size)
    settle()
    assert (window.width(), window.height()) == size
    editor = window.editor
    qtbot.mouseClick(editor.clear_button, Qt.MouseButton.LeftButton)
    settle()
    first = grid_geometry(window)
    # Where a user aims: each cell's centre, in window coordinates, measured once before drawing.
    aim = {cell: editor.grid.mapTo(window, editor.grid.cell_rect(*cell).center().toPoint()) for cell in ARROW}
    shown = hidden_after_shown = 0
    for k, cell in enumerate(ARROW):
        before = editor.glyph()
        click_at(qtbot, window, aim[cell])
        settle()
        notice = bool(editor.unfamiliar_notice() or editor.fallback_notice())
        shown += notice
        hidden_after_shown += bool(shown) and not notice
        assert grid_geometry(window) == first, f"click {k + 1} on {cell} (notice shown: {notice}) moved the grid"
        changed = np.argwhere(editor.glyph() != before).tolist()
        assert changed == [list(cell)], f"click {k + 1} aimed at {cell} painted {changed}"
        assert editor.grid.grid_rect().height() >= GRID_LEAST, f"{size}: the grid is less than {GRID_LEAST} px tall"
    assert shown and hidden_after_shown, (f"the notice must come and go along the way (shown after {shown} "
                                          f"clicks, hidden after {hidden_after_shown}): choose other cells")


def test_what_comes_and_goes_beside_and_under_the_grid_never_moves_it(window, qtbot):
    """Revert, the teach progress and Cancel in the button column, a long teach outcome, the noisy-
    copies summary and the notice under the previews: shown, then hidden, the grid stays put."""
    window.arranger.switch("explore")
    window.show_dock("editor")
    window.resize(1024, 700)
    settle()
    editor = window.editor
    bar = editor.teach
    first = grid_geometry(window)
    long = "Taught “bell”: 3.12 → 0.25 wrong pixels per glyph at 10 % noise. " * 3
    for show, hide in (
            (lambda: bar.revert_button.show(), lambda: bar.revert_button.hide()),
            (lambda: (bar.teach_button.hide(), bar.progress.show(), bar.cancel_button.show()),
             lambda: (bar.progress.hide(), bar.cancel_button.hide(), bar.teach_button.show())),
            (lambda: (bar.status.setText(long), bar.status.show()), lambda: bar.status.hide()),
            (lambda: (editor.copies.summary.setText(long), editor.copies.summary.show()),
             lambda: editor.copies.summary.hide()),
            (lambda: (editor.unfamiliar_label.setText(long), editor.unfamiliar_label.show(),
                      editor.fallback_check.show()),
             lambda: (editor.unfamiliar_label.hide(), editor.fallback_check.hide()))):
        show()
        settle()
        assert grid_geometry(window) == first
        hide()
        settle()
        assert grid_geometry(window) == first
