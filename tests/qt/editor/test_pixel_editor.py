import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from aegui.qt import i18n
from aegui.qt.widgets.glyphs.glyph_view import GlyphView
from aegui.qt.editor.pixel_editor import PixelEditor
from aegui.qt.window.window_matrix import settle

# Rows as 5-bit numbers, leftmost column = 0x10, as in the course's font.h.
FONT = {
    "A": [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
    "B": [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
    "C": [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
    "L": [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
    "T": [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
}


def glyph_of(rows):
    return np.array([[(r >> (4 - c)) & 1 for c in range(5)] for r in rows], dtype=np.float32)


LABELS = list(FONT)
X = np.stack([glyph_of(FONT[k]).ravel() for k in LABELS])


@pytest.fixture
def editor(qtbot):
    w = PixelEditor()
    qtbot.addWidget(w)
    w.resize(640, 420)
    w.show()
    qtbot.waitExposed(w)
    return w


def center(w, row, col) -> QPoint:
    return w.grid.cell_rect(row, col).center().toPoint()


def press(w, row, col, button=Qt.MouseButton.LeftButton):
    QTest.mousePress(w.grid, button, Qt.KeyboardModifier.NoModifier, center(w, row, col))


def drag(w, cells, button=Qt.MouseButton.LeftButton):
    QTest.mousePress(w.grid, button, Qt.KeyboardModifier.NoModifier, center(w, *cells[0]))
    for cell in cells[1:]:
        QTest.mouseMove(w.grid, center(w, *cell))
    QTest.mouseRelease(w.grid, button, Qt.KeyboardModifier.NoModifier, center(w, *cells[-1]))


def test_glyph_view_is_five_wide_and_seven_tall(qtbot):
    v = GlyphView()
    qtbot.addWidget(v)
    v.resize(200, 200)
    img = np.zeros((7, 5), np.float32)
    img[6, 0] = 1  # bottom-left
    v.set_image(img)
    g = v.grid_rect()
    assert g.height() > g.width()
    assert abs(g.width() / g.height() - 5 / 7) < 0.05
    assert v.cell_at(v.cell_rect(6, 0).center()) == (6, 0)
    # The painted pixel is dark at the bottom-left and light at the top-right.
    pic = v.grab().toImage()
    assert pic.pixelColor(v.cell_rect(6, 0).center().toPoint()).lightness() < 50
    assert pic.pixelColor(v.cell_rect(0, 4).center().toPoint()).lightness() > 200
    assert v.sizeHint().height() > v.sizeHint().width()


def test_click_paints_the_right_cell(editor):
    editor.grid.setFocus()  # only matters for the keyboard; clicking must work either way
    QTest.mouseClick(editor.grid, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, center(editor, 5, 1))
    g = editor.glyph()
    assert g.shape == (7, 5)
    assert g[5, 1] == 1 and g.sum() == 1


def test_drag_paints_a_line_as_one_undo_step(editor):
    drag(editor, [(0, 0), (0, 4)])  # the cells in between are filled even when the mouse jumps
    g = editor.glyph()
    assert g[0].tolist() == [1, 1, 1, 1, 1] and g[1:].sum() == 0
    assert editor.undo_stack.count() == 1
    drag(editor, [(0, 2), (6, 2)])
    assert editor.glyph()[:, 2].tolist() == [1] * 7
    assert editor.undo_stack.count() == 2
    editor.undo_stack.undo()
    np.testing.assert_array_equal(editor.glyph(), g)
    editor.undo_stack.undo()
    assert editor.glyph().sum() == 0
    editor.undo_stack.redo()
    np.testing.assert_array_equal(editor.glyph(), g)


def test_right_button_erases(editor):
    editor.set_glyph(np.ones((7, 5)))
    drag(editor, [(3, 0), (3, 4)], Qt.MouseButton.RightButton)
    g = editor.glyph()
    assert g[3].sum() == 0 and g.sum() == 30
    assert editor.undo_stack.count() == 2  # load, erase stroke
    editor.undo_button.click()
    assert editor.glyph().sum() == 35


def test_keyboard_moves_focus_toggles_and_clears(editor):
    editor.grid.setFocus()
    QTest.keyClick(editor.grid, Qt.Key.Key_Down)
    QTest.keyClick(editor.grid, Qt.Key.Key_Down)
    QTest.keyClick(editor.grid, Qt.Key.Key_Right)
    QTest.keyClick(editor.grid, Qt.Key.Key_Space)
    g = editor.glyph()
    assert g[2, 1] == 1 and g.sum() == 1
    QTest.keyClick(editor.grid, Qt.Key.Key_Delete)
    assert editor.glyph().sum() == 0
    assert editor.undo_stack.count() == 2


def test_clear_invert_and_start_from(editor):
    editor.set_dataset(LABELS, X)
    editor.start_from.setCurrentIndex(LABELS.index("L") + 1)
    np.testing.assert_array_equal(editor.glyph(), glyph_of(FONT["L"]))
    assert editor.start_from.currentIndex() == 0  # back on the placeholder
    editor.invert_button.click()
    np.testing.assert_array_equal(editor.glyph(), 1 - glyph_of(FONT["L"]))
    editor.clear_button.click()
    assert editor.glyph().sum() == 0
    assert editor.undo_stack.count() == 3
    editor.undo_stack.undo()
    editor.undo_stack.undo()
    np.testing.assert_array_equal(editor.glyph(), glyph_of(FONT["L"]))
    editor.redo_button.click()
    np.testing.assert_array_equal(editor.glyph(), 1 - glyph_of(FONT["L"]))


def test_set_glyph_accepts_flat_and_rejects_bad_shapes(editor):
    editor.set_glyph(X[0])
    np.testing.assert_array_equal(editor.glyph(), glyph_of(FONT["A"]))
    with pytest.raises(ValueError):
        editor.set_glyph(np.zeros((5, 7)))


def test_noise_level_zero_and_full(editor):
    editor.set_glyph(glyph_of(FONT["A"]))
    editor.set_noise("salt_pepper", 0)
    np.testing.assert_array_equal(editor.noisy(), editor.glyph())
    editor.set_noise("salt_pepper", 100)
    assert (editor.noisy() != editor.glyph()).any()
    editor.set_noise("bit_flip", 100)
    np.testing.assert_array_equal(editor.noisy(), 1 - editor.glyph())


def test_reroll_changes_the_noise_and_painting_keeps_it(editor):
    editor.set_glyph(glyph_of(FONT["T"]))
    editor.set_noise("salt_pepper", 60)
    first = editor.noisy()
    editor.reroll_button.click()
    assert (editor.noisy() != first).any()
    # Same seed while painting: a cell far from the edit keeps its noisy value.
    second = editor.noisy()
    press(editor, 6, 0, Qt.MouseButton.RightButton)
    QTest.mouseRelease(editor.grid, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, center(editor, 6, 0))
    np.testing.assert_array_equal(editor.noisy()[:5], second[:5])


def test_each_click_on_re_roll_draws_new_noise(editor, qtbot):
    """Re-roll, clicked with the mouse, gives another noisy copy every time (the button's
    `checked` flag once reached the slot as seed 0: six clicks, one pattern)."""
    editor.set_glyph(glyph_of(FONT["T"]))
    editor.set_noise("salt_pepper", 60)
    copies = [editor.noisy()]
    for _ in range(6):
        qtbot.mouseClick(editor.reroll_button, Qt.MouseButton.LeftButton)
        copies.append(editor.noisy())
    for before, after in zip(copies, copies[1:]):
        assert (after != before).any(), "Re-roll gave the same noisy copy again"


def test_no_model_state(editor):
    assert editor.output() is None
    assert "no model" in editor.output_note.text()
    assert "model" in editor.nearest_label.text()


def test_fake_model_updates_output_and_nearest(editor):
    calls = []

    def identity(batch):
        calls.append(batch.shape)
        return batch

    editor.set_dataset(LABELS, X)
    editor.set_noise("salt_pepper", 0)
    editor.set_reconstruct(identity)
    assert calls[-1] == (1, 35)
    editor.set_glyph(glyph_of(FONT["L"]))
    np.testing.assert_array_equal(editor.output(), glyph_of(FONT["L"]))
    assert editor.nearest_label.text() == "nearest: 'L' — identical"
    n = len(calls)
    drag(editor, [(0, 4)])  # one extra pixel on the L
    assert len(calls) == n + 1  # one model call per change
    assert editor.nearest_label.text() == "nearest: 'L' — 1 pixel differs"
    drag(editor, [(0, 3)])
    assert editor.nearest_label.text() == "nearest: 'L' — 2 pixels differ"
    np.testing.assert_array_equal(editor.threshold_view.image(), editor.glyph())
    assert "all pixels right" in editor.threshold_note.text()


def test_wrong_pixels_are_marked(editor):
    editor.set_noise("salt_pepper", 0)
    editor.set_reconstruct(lambda b: np.zeros_like(b))  # a model that forgets everything
    editor.set_glyph(glyph_of(FONT["T"]))
    assert "11 wrong pixels" in editor.threshold_note.text()
    np.testing.assert_array_equal(editor.threshold_view._marks, glyph_of(FONT["T"]) > 0)


def test_broken_model_does_not_crash(editor):
    def broken(batch):
        raise RuntimeError("shape mismatch")

    editor.set_reconstruct(broken)
    assert editor.output() is None
    assert "shape mismatch" in editor.nearest_label.text()


def test_save_and_glyph_changed_signals(editor, qtbot):
    with qtbot.waitSignal(editor.glyph_changed) as changed:
        editor.set_glyph(glyph_of(FONT["C"]))
    np.testing.assert_array_equal(changed.args[0], glyph_of(FONT["C"]))
    with qtbot.waitSignal(editor.save_requested) as saved:
        editor.save_button.click()
    assert saved.args[0].shape == (7, 5)
    np.testing.assert_array_equal(saved.args[0], glyph_of(FONT["C"]))


def test_language_switch(editor):
    assert editor.save_button.text() == "Save to library"
    i18n.set_language("es")
    assert editor.save_button.text() == "A la biblioteca"
    assert editor.clear_button.text() == "Limpiar"
    i18n.set_language("en")
    assert editor.clear_button.text() == "Clear"


@pytest.mark.parametrize("language", ["en", "es"])
def test_screenshot(editor, language):
    """Saved for a human look; also checks that no label is cut short at about 600x400."""
    i18n.set_language(language)
    editor.resize(600, 400)
    editor.set_dataset(LABELS, X)
    rng = np.random.default_rng(1)

    def blurry(batch):  # a fake model: pull towards the nearest glyph, with some grey
        d = ((X >= 0.5) != (batch >= 0.5)[:, None, :]).sum(-1)
        return np.clip(0.75 * X[d.argmin(1)] + 0.55 * rng.random(batch.shape), 0, 1)

    editor.set_reconstruct(blurry)
    editor.set_noise("salt_pepper", 20)
    editor.set_glyph(glyph_of(FONT["A"]))
    editor.grid.setFocus()
    settle()      # the widths below are measured once the layout holds still
    suffix = "" if language == "en" else "_es"
    assert editor.grab().save(f"/tmp/pixel_editor{suffix}.png")
    for button in (editor.clear_button, editor.invert_button, editor.undo_button, editor.redo_button,
                   editor.save_button, editor.reroll_button):
        assert button.width() >= button.sizeHint().width(), button.text()
    for label in (editor.noise_label, editor.level_label, editor.level_value):
        assert label.width() >= label.sizeHint().width(), label.text()
    for label in (editor.nearest_label, editor.drawn_note, editor.noisy_note, editor.output_note,
                  editor.threshold_note, *editor.previews.titles):
        assert label.height() >= label.heightForWidth(label.width()), label.text()
    for view in (editor.drawn_view, editor.noisy_view, editor.output_view, editor.threshold_view):
        assert view.width() >= view.minimumSizeHint().width()


def test_glyph_view_caption_rgb_and_marks(qtbot):
    v = GlyphView(caption="a caption long enough to wrap")
    qtbot.addWidget(v)
    v.resize(90, 200)
    rgb = np.zeros((4, 6, 3), np.float32)
    rgb[0, 0] = (1, 0, 0)
    v.set_image(rgb, marks=np.eye(4, 6, dtype=bool))
    assert v.grid_rect().width() > v.grid_rect().height()  # 6 wide, 4 tall
    assert v.grid_rect().bottom() + v.fontMetrics().height() < v.height()  # room left for the caption
    pic = v.grab().toImage()
    assert pic.pixelColor(v.cell_rect(0, 0).center().toPoint()).red() > 200
    v.grab().save("/tmp/glyph_view.png")
    with pytest.raises(ValueError):
        v.set_image(np.zeros((7, 5)), marks=np.zeros((5, 7), bool))
    v.set_image(None)  # the empty state paints without an image
    v.grab()
