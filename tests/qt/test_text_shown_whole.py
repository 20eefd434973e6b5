"""Text a walk-through of the window found cut or elided: the chosen entries of the
toolbar's model combo and the builder's speed combo ("Lo más rápi"), the builder's Name after a
model is loaded (its last words only), the pixel editor's "all pixels right" in Spanish (on 3-4
lines), the Models dialog's folders ("/t…48") and a 3-D model's projection choice in Spanish
("Proyección: dimensi"); and the layout check that finds a progress bar's or a table cell's text
cut."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

from aegui.qt import i18n
from aegui.qt.window.window_matrix import settle, show_as


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


# ----------------------------------------------------------------- the checks themselves
def test_the_check_reports_a_progress_text_and_a_table_cell_cut_past_reading(qtbot):
    """A teach progress of "50 / 500" drawn in half the room it needs ("t50 / 500"), a folder
    elided to "/t…48", and a cell elided with no tooltip to say it whole."""
    from PySide6.QtWidgets import QProgressBar, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

    from aegui.qt.window.layout_check import layout_problems
    root = QWidget()
    qtbot.addWidget(root)
    lay = QVBoxLayout(root)
    bar = QProgressBar()
    bar.setRange(0, 500)
    bar.setValue(50)
    bar.setFormat("50 / 500")
    bar.setFixedWidth(30)
    table = QTableWidget(2, 1)
    table.setWordWrap(False)            # as File > Models… shows its folders
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    folder = "/tmp/aegui-home/autosave/20261126-074449-taught"
    for row, tip in ((0, folder), (1, "")):
        item = QTableWidgetItem(folder if row == 0 else "a name long enough to be elided in its column")
        item.setToolTip(tip)
        table.setItem(row, 0, item)
    lay.addWidget(bar)
    lay.addWidget(table)
    root.resize(400, 300)
    root.show()
    qtbot.waitExposed(root)
    table.setColumnWidth(0, 60)
    settle()
    problems = layout_problems(root)
    assert any("'50 / 500': needs" in p for p in problems), problems
    assert any("elided to" in p and "20261126" in p for p in problems), problems
    table.setColumnWidth(0, 200)
    settle()
    problems = layout_problems(root)
    assert [p for p in problems if "cell" in p] == \
        ["QWidget/QTableWidget: cell 'a name long enough to be elided in its column' is elided and its tooltip "
         "does not say it whole"], problems
    bar.setFixedWidth(120)
    settle()
    assert not any("50 / 500" in p for p in layout_problems(root))


# ----------------------------------------------------------------- texts the walk-through found cut
def test_the_models_dialog_shows_every_cell_readable_in_both_languages(window, qtbot, aegui_home):
    """File > Models… with a taught model's long name: the names took the width and the folders
    were left 50 px ("/t…48")."""
    from aegui.core.runs.trained import open_trained
    from aegui.qt.window.layout_check import layout_problems
    ws = window.workspace
    base = next(m for m in ws.models if m.name.startswith("General 5x7 denoiser"))
    taught = open_trained(base.path)
    taught.name, taught.taught_from, taught.trained = base.name + " + 1 taught glyph", base, ("px", 0)
    taught.path = aegui_home / "autosave" / "20261126-074449-taught"
    ws.report_taught(taught)
    window.menus.models_action.trigger()
    d = window.menus.models_dialog
    qtbot.waitExposed(d)
    found = {}
    for lang in ("en", "es"):
        i18n.set_language(lang)
        for width in (984, 960, 760):         # a 1024 px screen's, the dialog's own, an 800 px screen's
            d.resize(width, 440)
            settle()
            problems = layout_problems(d)
            if problems:
                found[f"{lang} {width}"] = problems
            row = next(r for r, e in enumerate(d.entries) if e.model is taught)
            assert str(taught.path) in d.table.item(row, 2).toolTip()
    assert not found, "\n".join(f"{k}: {v}" for k, v in found.items())


def test_a_3d_model_s_projection_bar_first_shown_in_english_is_whole_in_spanish(window, qtbot):
    """The projection combo kept the width of its English entries ("Proyección: dimensi")."""
    from aegui.core.schema.experiment import Experiment, ModelSpec, TrainConfig
    from aegui.qt.window.layout_check import layout_problems
    window.builder.set_experiment(Experiment(name="Font3 3-D", model=ModelSpec(layers=(35, 16, 3, 16, 35)),
                                             train=TrainConfig(epochs=20, seeds=1, check_every=10)))
    with qtbot.waitSignal(window.runner.finished, timeout=60000):
        qtbot.mouseClick(window.builder.train_button, Qt.MouseButton.LeftButton)
    bar = window.latent.projection_bar
    show_as(window, (1024, 700), "en", "light", "explore")
    qtbot.waitUntil(bar.isVisible, timeout=10000)
    assert layout_problems(bar) == []
    for lang in ("es", "en", "es"):
        window.menus.lang_actions[lang].trigger()      # View > Language, as a user switches
        settle()
        assert bar.combo.currentText() == i18n.tr("dims i,j")
        assert layout_problems(bar) == [], f"{lang}: {layout_problems(bar)}"
