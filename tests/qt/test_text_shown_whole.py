"""Text a walk-through of the window found cut or elided: the chosen entries of the
toolbar's model combo and the builder's speed combo ("Lo más rápi"), the builder's Name after a
model is loaded (its last words only), the pixel editor's "all pixels right" in Spanish (on 3-4
lines)."""
import pytest
from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

from aegui.qt.window_matrix import settle, show_as


def _cut(combo) -> str | None:
    opt = QStyleOptionComboBox()
    opt.initFrom(combo)
    opt.frame = combo.hasFrame()
    room = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                        QStyle.SubControl.SC_ComboBoxEditField, combo).width()
    need = combo.fontMetrics().horizontalAdvance(combo.currentText())
    return None if need <= room + 2 else f"{combo.currentText()!r} needs {need} px, has {room}"


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)])
def test_the_chosen_entries_of_the_toolbar_and_builder_combos_are_whole(window, size):
    for lang in ("en", "es"):
        show_as(window, size, lang, "light")
        window.show_dock("builder")
        settle()
        for combo in (window.model_bar.model_combo, window.builder.step_controls.speed_combo):
            assert combo.isVisible()
            assert _cut(combo) is None, f"{size} {lang}: {_cut(combo)}"


def test_the_builder_shows_a_loaded_model_s_name_from_its_start(window):
    window.show_dock("builder")
    settle()
    edit = window.builder.name_edit
    model = max(window.workspace.models, key=lambda m: len(m.name))     # a demo model's long name
    name = model.name
    window.builder.set_experiment(model.experiment)
    settle()
    assert edit.text() == name and edit.fontMetrics().horizontalAdvance(name) > edit.width()   # a long one
    assert edit.cursorPosition() == 0, "the field shows the name's last words"


def test_all_pixels_right_takes_at_most_two_lines_in_spanish(window):
    editor = window.editor
    ds = window.workspace.current.dataset
    for size in ((1024, 700), (1280, 800)):
        show_as(window, size, "es", "light")
        window.show_dock("editor")
        editor.set_noise("salt_pepper", 0)
        editor.set_glyph(ds.images()[ds.labels.index("a")])
        settle()
        note = editor.threshold_note
        lines = round(note.heightForWidth(note.width()) / note.fontMetrics().lineSpacing())
        assert lines <= 2, f"{size}: {note.text()!r} on {lines} lines"
        assert note.text() == "ninguno erróneo"
