import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog

from aegui.core.data.glyphs import Glyph, read_font_h
from aegui.core.data.library import GlyphLibrary
from aegui.qt import i18n
from aegui.qt.widgets.glyphs.glyph_view import GlyphView
from aegui.qt.library.library_panel import LibraryPanel
from aegui.qt.window.window_matrix import settle

A = (0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11)
B = (0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E)
T = (0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04)


def arr(rows):
    return Glyph(0x20, rows, "?").to_array()


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("AEGUI_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def panel(qtbot):
    w = LibraryPanel()
    qtbot.addWidget(w)
    w.resize(360, 400)
    w.show()
    qtbot.waitExposed(w)
    return w


def labels_on_disk(home):
    return [e.label for e in GlyphLibrary(home / "library.json").entries()]


def test_add_glyph_shows_a_thumbnail_and_persists(panel, home):
    assert panel.thumbnails() == [] and panel.empty_label.isVisible()
    assert panel.add_glyph(arr(A), "A") == 0
    assert panel.add_glyph(arr(B) * 0.8, source="generated") == 1   # no label, not asked: '?'
    views = panel.thumbnails()
    assert [v.caption() for v in views] == ["A", "?"]
    np.testing.assert_array_equal(views[0].image(), arr(A))
    assert all(v.isVisible() for v in views) and not panel.empty_label.isVisible()
    assert panel.selected() == 1
    assert labels_on_disk(home) == ["A", "?"]
    assert GlyphLibrary(home / "library.json").entry(1).source == "generated"
    assert "2 glyphs" in panel.info_label.full_text()
    assert str(home / "library.json") in panel.info_label.full_text()


def test_a_new_panel_shows_what_was_saved(qtbot, home):
    GlyphLibrary(home / "library.json").add(arr(T), "T", "latent")
    w = LibraryPanel()
    qtbot.addWidget(w)
    assert [v.caption() for v in w.thumbnails()] == ["T"]


def test_ask_label_uses_the_dialog_and_cancel_adds_nothing(panel, home, monkeypatch):
    panel.ask_label = True
    answers = iter([("", True), ("  k ", True), ("x", False)])
    prompts = []

    def fake(parent, title, prompt, text=""):
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(fake))
    assert panel.add_glyph(arr(A)) == 0          # empty answer re-asks, then "k"
    assert "Try another label" in prompts[1]
    assert panel.add_glyph(arr(B)) is None       # cancelled
    assert labels_on_disk(home) == ["k"]


def test_delete_and_undo(panel, home, qtbot):
    for rows, label in ((A, "A"), (B, "B"), (T, "T")):
        panel.add_glyph(arr(rows), label)
    created = GlyphLibrary(home / "library.json").entry(1).created
    panel.select(1)
    assert panel.delete_selected()
    assert [v.caption() for v in panel.thumbnails()] == ["A", "T"]
    assert labels_on_disk(home) == ["A", "T"]
    # The dropped thumbnail must vanish at once, not when deleteLater gets round to it.
    visible = [w for w in panel.grid.findChildren(GlyphView) if w.isVisible()]
    assert len(visible) == 2
    assert panel.status_label.isVisible() and "Undo" in panel.status_label.text()

    panel.undo_stack.undo()
    assert [v.caption() for v in panel.thumbnails()] == ["A", "B", "T"]
    restored = GlyphLibrary(home / "library.json").entry(1)
    assert (restored.label, restored.rows, restored.created) == ("B", B, created)
    assert panel.selected() == 1

    panel.undo_stack.redo()
    assert labels_on_disk(home) == ["A", "T"]

    # The Delete key works on the selected thumbnail, and the undo button brings it back.
    QTest.mouseClick(panel._tiles[0], Qt.MouseButton.LeftButton)
    assert panel.selected() == 0
    QTest.keyClick(panel.grid, Qt.Key.Key_Delete)
    assert labels_on_disk(home) == ["T"]
    assert panel.undo_button.isEnabled()
    panel.undo_button.click()
    assert labels_on_disk(home) == ["A", "T"]


def test_rename_with_undo(panel, home, monkeypatch):
    panel.add_glyph(arr(A), "A")
    assert panel.rename_selected("alpha")
    assert labels_on_disk(home) == ["alpha"] and panel.thumbnails()[0].caption() == "alpha"
    panel.undo_stack.undo()
    assert labels_on_disk(home) == ["A"]
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("β", True)))
    panel.rename_button.click()
    assert labels_on_disk(home) == ["β"]
    with pytest.raises(ValueError):
        panel.rename_selected("two\nlines")


def test_buttons_follow_the_selection(panel):
    assert not panel.delete_button.isEnabled() and not panel.export_button.isEnabled()
    panel.add_glyph(arr(A), "A")
    panel.select(None)
    assert not panel.send_button.isEnabled() and panel.export_button.isEnabled()
    panel.select(0)
    assert panel.send_button.isEnabled() and panel.rename_button.isEnabled()


def test_send_to_editor_emits_the_glyph(panel, qtbot):
    panel.add_glyph(arr(A), "A")
    panel.add_glyph(arr(T), "T")
    panel.select(0)
    with qtbot.waitSignal(panel.send_to_editor) as sig:
        panel.send_button.click()
    out = sig.args[0]
    assert isinstance(out, np.ndarray) and out.shape == (7, 5)
    np.testing.assert_array_equal(out, arr(A))
    with qtbot.waitSignal(panel.send_to_editor) as sig:
        QTest.mouseDClick(panel._tiles[1], Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(sig.args[0], arr(T))


def test_export_writes_a_parseable_font_h(panel, tmp_path):
    for rows, label in ((A, "A"), (B, "B"), (T, "space")):
        panel.add_glyph(arr(rows), label)
    path = panel.export(tmp_path / "mine.h")
    (font,) = read_font_h(path)
    assert [g.label for g in font.glyphs] == ["A", "B", "space"]
    assert [g.rows for g in font.glyphs] == [A, B, T]
    assert [g.code for g in font.glyphs] == [0x20, 0x21, 0x22]
    assert "Exported 3 glyphs" in panel.status_label.text()


def test_damaged_library_is_reported(qtbot, home):
    (home / "library.json").write_text("{oops", "utf-8")
    w = LibraryPanel()
    qtbot.addWidget(w)
    w.show()
    assert w.warning_label.isVisible()
    assert "damaged-" in w.warning_label.text() and len(w.library) == 0
    assert list(home.glob("library.json.damaged-*"))


def test_failed_save_is_shown_not_raised(panel, home, monkeypatch):
    panel.add_glyph(arr(A), "A")

    def broken(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("aegui.core.data.library.atomic_write_text", broken)
    assert panel.add_glyph(arr(B), "B") is None
    assert "No space left" in panel.status_label.text()
    assert [v.caption() for v in panel.thumbnails()] == ["A"]


def test_language_switch_changes_button_texts(panel):
    assert panel.delete_button.text() == "Delete"
    i18n.set_language("es")
    assert panel.delete_button.text() == "Eliminar"
    assert panel.export_button.text() == "Exportar font.h…"
    assert "guardados en" in panel.info_label.full_text()
    i18n.set_language("en")
    assert panel.rename_button.text() == "Rename…"


def test_narrow_panel_keeps_buttons_inside(panel, qtbot):
    for k in range(10):
        panel.add_glyph(arr(A), str(k))
    panel.resize(panel.minimumSizeHint().width(), 400)
    settle()
    for b in (panel.rename_button, panel.delete_button, panel.undo_button, panel.send_button, panel.export_button):
        assert b.geometry().right() <= b.parentWidget().width()
        assert b.width() >= b.minimumSizeHint().width()


def test_arrow_keys_move_the_selection(panel):
    for k in range(3):
        panel.add_glyph(arr(A), str(k))
    panel.select(0)
    panel.grid.setFocus()
    QTest.keyClick(panel.grid, Qt.Key.Key_Right)
    assert panel.selected() == 1
    QTest.keyClick(panel.grid, Qt.Key.Key_End)
    assert panel.selected() == 2
    QTest.keyClick(panel.grid, Qt.Key.Key_Left)
    assert panel.selected() == 1
