"""One colour per meaning wherever pixels are marked, with a legend beside the marks: a wrong
pixel (the output on the other side of 0.5 than the clean input) in the pixel editor, Compare and
the reconstructions; a pixel the model changed in Explain, in another colour. Explain once drew
"changed" in the editor's red for "wrong", without a legend in either."""
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QColor

from aegui.qt.widgets.glyphs import marks
from aegui.qt.widgets.glyphs.marks import CHANGED, WRONG

ROOT = Path(__file__).resolve().parents[2]


def colours_of_marked_cells(view) -> set[tuple[int, int, int]]:
    """The colours drawn on the cells a view marks (their outlines included)."""
    picture = view.grab().toImage()
    found = set()
    for r, c in zip(*np.nonzero(view.marks())):
        rect = view.cell_rect(int(r), int(c)).toRect()
        for x in range(rect.left(), rect.right() + 1):
            for y in range(rect.top(), rect.bottom() + 1):
                found.add(QColor(picture.pixel(x, y)).getRgb()[:3])
    return found


def rgb(meaning) -> tuple[int, int, int]:
    return marks.color(meaning).getRgb()[:3]


def test_the_meanings_have_their_own_colours():
    assert len({rgb(m) for m in (WRONG, CHANGED, marks.FOCUS)}) == 3


def test_the_editor_marks_wrong_pixels_red_and_says_so(qtbot):
    from aegui.qt.editor.pixel_editor import PixelEditor
    editor = PixelEditor()
    qtbot.addWidget(editor)
    editor.resize(500, 700)
    editor.show()
    qtbot.waitExposed(editor)
    editor.set_noise("salt_pepper", 0)
    editor.set_reconstruct(lambda b: np.zeros_like(b))       # forgets every inked pixel
    editor.set_glyph(np.eye(7, 5, dtype=np.float32))
    view = editor.threshold_view
    assert view.marks().sum() == 5 and view.mark_meaning() == WRONG
    found = colours_of_marked_cells(view)
    assert rgb(WRONG) in found and rgb(CHANGED) not in found
    assert editor.legend.isVisible() and editor.legend.meanings() == [WRONG]
    assert editor.legend.labels[WRONG].text() == "wrong pixel"


def test_explain_marks_changed_pixels_in_their_own_colour_and_says_so(qtbot, bound_panel):
    from aegui.qt import i18n
    from aegui.qt.explain.explain_panel import ExplainPanel
    from tests.qt.explain.test_explain_panel import trained
    panel, ws = bound_panel(ExplainPanel, 460, 1000)
    ws.add(trained(model={"kind": "dae", "layers": (35, 24, 35)}, noise={"kind": "salt_pepper", "level": 0.3}))
    panel.select_sample(10)
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.denoise is not None and not panel.busy(),
                    timeout=30000)
    view = panel.pictures[3]
    assert view.marks().any() and view.mark_meaning() == CHANGED
    found = colours_of_marked_cells(view)
    assert rgb(CHANGED) in found and rgb(WRONG) not in found
    assert panel.legend.isVisible() and panel.legend.labels[CHANGED].text() == "changed pixel"
    i18n.set_language("es")
    assert panel.legend.labels[CHANGED].text() == "píxel cambiado"


@pytest.fixture(scope="module")
def demos():
    from aegui.core.runs.trained import open_trained
    return [open_trained(ROOT / "models" / name) for name in ("general-5x7-dae", "general-5x7-local")]


def test_compare_and_the_reconstructions_mark_wrong_pixels_as_the_editor_does(qtbot, demos):
    from aegui.core.workspace.workspace import Workspace
    from aegui.qt.compare.compare_panel import ComparePanel
    from aegui.qt.training.reconstructions import ReconstructionsPanel
    ws = Workspace()
    panel = ComparePanel()
    panel.bind(ws)
    qtbot.addWidget(panel)
    panel.resize(620, 1500)
    panel.show()
    ws.opened_at_start(list(demos), False, [], "")
    panel.choose(*demos)
    qtbot.waitUntil(lambda: not panel.busy() and panel.comparison is not None, timeout=60000)
    marked = [v for v in panel.rows if v.marks() is not None]       # both models: the clean inputs need none
    assert marked and all(v.mark_meaning() == WRONG for v in marked)
    assert panel.legend.isVisible() and panel.legend.meanings() == [WRONG]

    recon = ReconstructionsPanel()
    qtbot.addWidget(recon)
    recon.resize(600, 500)
    recon.show()
    x = demos[0].dataset.x[demos[0].dataset.x.sum(axis=1) > 0][:6]      # glyphs with ink
    recon.set_data(list("abcdef"), x.reshape(-1, 7, 5), np.zeros_like(x).reshape(-1, 7, 5))
    cell = recon.cells[0]
    assert cell.recon.marks().any() and cell.recon.mark_meaning() == WRONG
    assert marks.color(WRONG).name() in cell.styleSheet()       # the frame of a sample with wrong pixels
    assert recon.swatch.meaning == WRONG and recon.swatch.toolTip() == "wrong pixel"
