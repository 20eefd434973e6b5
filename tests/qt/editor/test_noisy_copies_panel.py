"""Test on N noisy copies, in the pixel editor: the button runs the editor's denoiser on N fresh
noise draws off the GUI thread, says the mean and the worst wrong pixels with the seeds used (the
figures the core computes for that seed), shows the worst case in the previews, can be cancelled,
and moves nothing (the grid holds still)."""
import threading

import numpy as np
from PySide6.QtCore import QPoint, Qt

from aegui.core.analyses.denoise.noisy_copies import score_noisy_copies
from aegui.qt import i18n
from aegui.qt.editor.pixel_editor import PixelEditor


def test_the_button_tests_the_drawing_on_n_copies_and_shows_the_worst(window, qtbot):
    window.arranger.switch("explore")
    window.show_dock("editor")
    editor = window.editor
    ds = window.workspace.editor_model().dataset
    editor.set_glyph(ds.images()[ds.labels.index("e")])
    editor.set_noise("salt_pepper", 20)
    qtbot.waitUntil(lambda: not editor.busy(), timeout=10000)
    assert editor.copies.count.value() == 20 and not editor.fell_back()
    grid = editor.grid
    where = (grid.mapTo(window, QPoint(0, 0)), grid.size(), grid.grid_rect())
    qtbot.mouseClick(editor.copies.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.copies.result is not None, timeout=30000)
    r = editor.copies.result
    expected = score_noisy_copies(editor.glyph(), window.workspace.editor_model().denoiser(), "salt_pepper", 0.2,
                                  20, r.seed)
    assert r.wrong.tolist() == expected.wrong.tolist() and r.worst == expected.worst
    said = editor.copies.message()
    assert said == (f"On 20 noisy copies (noise seeds {r.seed} to {r.seed + 19}): {expected.mean_wrong:.2f} wrong "
                    f"pixels on average, {expected.worst_wrong} at worst (seed {expected.worst_seed}, show it)."), said
    # The worst case is in the previews: its noisy input, the model's output, its wrong pixels.
    qtbot.waitUntil(lambda: not editor.busy(), timeout=10000)
    np.testing.assert_array_equal(editor.noisy(), expected.worst_noisy)
    np.testing.assert_allclose(editor.output(), expected.worst_output, atol=1e-6)
    assert int(editor.threshold_view.marks().sum()) == expected.worst_wrong
    assert (grid.mapTo(window, QPoint(0, 0)), grid.size(), grid.grid_rect()) == where
    # Re-roll shows other noise; the figures stay (they are about the drawing, not one copy) and the
    # link brings the worst back.
    qtbot.mouseClick(editor.reroll_button, Qt.MouseButton.LeftButton)
    assert editor.copies.message() == said
    editor.copies.summary.linkActivated.emit("#worst")
    np.testing.assert_array_equal(editor.noisy(), expected.worst_noisy)
    i18n.set_language("es")
    assert editor.copies.message().startswith(f"Con 20 copias con ruido (semillas del ruido {r.seed} a {r.seed + 19}): "
                                              f"{expected.mean_wrong:.2f}".replace(".", ","))
    i18n.set_language("en")
    # Another drawing: the figures were about the old one and go.
    editor.invert()
    assert editor.copies.result is None and editor.copies.message() == ""


def test_a_run_can_be_cancelled_while_the_window_goes_on(qtbot):
    """The denoiser blocks on its worker until released: meanwhile the window answers the Cancel
    click, and the run ends without figures."""
    editor = PixelEditor()
    qtbot.addWidget(editor)
    editor.resize(500, 700)
    editor.show()
    release = threading.Event()
    gui = threading.current_thread()

    def slow(batch):
        if threading.current_thread() is not gui:
            release.wait(30)
        return batch
    editor.set_reconstruct(slow)
    editor.set_glyph(np.eye(7, 5, dtype=np.float32))
    qtbot.mouseClick(editor.copies.button, Qt.MouseButton.LeftButton)
    assert editor.copies.is_running() and editor.copies.button.text() == "Cancel"
    assert editor.copies.message() == "Testing on 20 noisy copies…"
    qtbot.mouseClick(editor.copies.button, Qt.MouseButton.LeftButton)
    release.set()
    qtbot.waitUntil(lambda: not editor.copies.is_running(), timeout=30000)
    assert editor.copies.result is None and editor.copies.message() == "Test cancelled."
    assert editor.copies.button.text() == "Test on"


def test_without_a_model_the_button_says_so(qtbot):
    editor = PixelEditor()
    qtbot.addWidget(editor)
    editor.show()
    qtbot.mouseClick(editor.copies.button, Qt.MouseButton.LeftButton)
    assert not editor.copies.is_running() and editor.copies.message() == "Load or train a model to test it."


def test_the_figures_come_whole_into_view_under_a_long_note(qtbot):
    """The notes area has a fixed height: what the test says is scrolled into view, whole, below
    a long teach outcome."""
    from PySide6.QtCore import QRect
    editor = PixelEditor()
    qtbot.addWidget(editor)
    editor.resize(360, 600)
    editor.show()
    qtbot.waitExposed(editor)
    editor.set_reconstruct(lambda b: b)
    editor.set_glyph(np.eye(7, 5, dtype=np.float32))
    editor.teach.status.setText("An outcome long enough to take most of the notes area. " * 6)
    editor.teach.status.show()
    qtbot.mouseClick(editor.copies.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.copies.result is not None, timeout=30000)
    notes, summary = editor.notes, editor.copies.summary
    qtbot.waitUntil(lambda: notes.verticalScrollBar().maximum() > 0, timeout=5000)   # more than the area holds
    qtbot.waitUntil(lambda: notes.viewport().rect().contains(
        QRect(summary.mapTo(notes.viewport(), QPoint(0, 0)), summary.size())), timeout=5000)
