"""File > Models…, driven with the mouse and keys as a user does: renaming a model changes its name
in every list and in its saved sidecar at once; deleting asks first, naming the model and where its
files go, then moves them to the trash folder (the model shown changes to another); Ctrl+Z in the
dialog undoes both; a demo model can be closed but not deleted."""
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from aegui.core.schema.experiment import Experiment, ModelSpec, TrainConfig
from aegui.qt.models.model_commands import Entry
from aegui.qt.models.models_dialog import NAME


@pytest.fixture
def trained(window, qtbot):
    """A small model trained from the builder (autosaved), shown in the window."""
    exp = Experiment(name="my font3 25-10-2", model=ModelSpec(layers=(35, 25, 10, 2, 10, 25, 35)),
                     train=TrainConfig(epochs=20, check_every=10, seeds=1))
    window.builder.set_experiment(exp)
    with qtbot.waitSignal(window.runner.finished, timeout=60000):
        qtbot.mouseClick(window.builder.train_button, Qt.MouseButton.LeftButton)
    return window.workspace.current


@pytest.fixture
def dialog(window, qtbot):
    window.menus.models_action.trigger()
    d = window.menus.models_dialog
    qtbot.waitExposed(d)
    return d


def cell_center(dialog, row, col=NAME):
    return dialog.table.visualItemRect(dialog.table.item(row, col)).center()


def click_row(qtbot, dialog, row):
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=cell_center(dialog, row, 1))
    assert dialog.selected() is dialog.entries[row]


def lists_of_models(window) -> list[str]:
    combo = window.model_bar.model_combo
    menu = window.editor.denoiser.menu
    menu.aboutToShow.emit()
    return ([combo.itemText(i) for i in range(combo.count())]
            + [window.compare.choosers[0].itemText(i) for i in range(window.compare.choosers[0].count())]
            + [a.text() for a in menu.actions()])


def test_renaming_shows_the_new_name_everywhere_and_in_the_sidecar_and_ctrl_z_undoes_it(window, qtbot, trained,
                                                                                        dialog):
    row = dialog.row_of(trained)
    # A double click is a press, a release and a second press (QTest's mouseDClick sends only the last).
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=cell_center(dialog, row))
    qtbot.mouseDClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=cell_center(dialog, row))
    editor = dialog.table.viewport().findChild(QLineEdit)
    assert editor is not None and editor.text() == "my font3 25-10-2"
    qtbot.keyClicks(editor, "Ana's run")        # replaces the selected old name
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: trained.name == "Ana's run", timeout=5000)

    sidecar = trained.path / "model.json"
    assert json.loads(sidecar.read_text())["experiment"]["name"] == "Ana's run"
    shown = lists_of_models(window)
    assert sum(t.startswith("Ana's run — ") for t in shown) == 3, shown     # the only one of its name: no number
    assert not any(t.startswith("my font3 25-10-2") for t in shown)
    assert window.builder.name_edit.text() == "Ana's run"
    assert dialog.table.item(dialog.row_of(trained), NAME).text().startswith("Ana's run")

    qtbot.keyClick(dialog.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert trained.name == "my font3 25-10-2"
    assert json.loads(sidecar.read_text())["experiment"]["name"] == "my font3 25-10-2"
    assert window.model_bar.model_combo.currentText().startswith("my font3 25-10-2 — ")


def test_deleting_asks_then_moves_the_files_to_the_trash_and_ctrl_z_brings_them_back(window, qtbot, trained,
                                                                                      dialog, aegui_home):
    ws = window.workspace
    folder = trained.path
    files = sorted(p.name for p in folder.iterdir())
    click_row(qtbot, dialog, dialog.row_of(trained))
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    qtbot.waitUntil(lambda: box.isVisible(), timeout=5000)
    assert "my font3 25-10-2" in box.text()
    assert str(folder) in box.informativeText() and str(aegui_home / "trash") in box.informativeText()
    assert "another one is shown" in box.informativeText()
    qtbot.mouseClick(box.do_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: trained not in ws.models, timeout=5000)

    assert not folder.exists()
    [moved] = list((aegui_home / "trash").iterdir())
    assert moved.name.startswith("my-font3-25-10-2-")
    assert sorted(p.name for p in moved.iterdir()) == sorted(files + ["trashed.json"])
    assert ws.current is not None and ws.current is not trained
    assert window.model_bar.model_combo.currentText() != "" and str(moved) in dialog.note.text()
    assert all(e.model is not trained for e in dialog.entries)

    qtbot.keyClick(dialog.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert sorted(p.name for p in folder.iterdir()) == files and not moved.exists()
    assert ws.current is trained


def test_keeping_it_deletes_nothing(window, qtbot, trained, dialog):
    click_row(qtbot, dialog, dialog.row_of(trained))
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    qtbot.waitUntil(lambda: box.isVisible(), timeout=5000)
    qtbot.mouseClick(box.keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.confirm_box is None, timeout=5000)
    assert trained in window.workspace.models and trained.path.exists()


def test_a_demo_model_can_be_closed_not_deleted_and_reopened_from_the_list(window, qtbot, dialog):
    ws = window.workspace
    demo = next(m for m in ws.models if m.demo and m is not ws.current)
    folder = Path(demo.path)
    before = sorted(p.name for p in folder.iterdir())
    click_row(qtbot, dialog, dialog.row_of(demo))
    assert not dialog.delete_button.isEnabled() and not dialog.rename_button.isEnabled()
    assert "closed, not deleted" in dialog.delete_button.toolTip()
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert demo not in ws.models
    assert sorted(p.name for p in folder.iterdir()) == before
    row = next(i for i, e in enumerate(dialog.entries) if not e.is_open and e.path == folder)
    assert dialog.table.item(row, 4).text() == ""                   # listed, not open
    click_row(qtbot, dialog, row)
    with qtbot.waitSignal(ws.models_changed, timeout=30000):
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert any(m.path == folder for m in ws.models)


def test_an_entry_of_the_shipped_folder_is_shipped(window):
    from aegui.core.files.paths import models_dir
    assert Entry(path=models_dir() / "font3-dae").shipped
    assert not Entry(path=Path("/tmp/elsewhere")).shipped


def test_the_columns_fill_the_table_as_it_first_shows_and_as_it_grows(window, qtbot, dialog):
    """Sized before it was shown, the dialog fitted its columns to the table's width of then: the
    names were elided beside empty table. Fitted to the table as it is, the names show whole when
    the room holds them, and the columns reach the table's right edge, first shown and resized."""
    t = dialog.table
    for width in (None, dialog.width() + 300, dialog.width() - 100):
        if width is not None:
            dialog.resize(width, dialog.height())
        qtbot.waitUntil(lambda: t.viewport().width() <= dialog.width() - 10 and not t.isHidden())
        needs = dialog.column_needs()
        widths = [t.columnWidth(c) for c in range(t.columnCount())]
        assert abs(sum(widths) - t.viewport().width()) <= 1, (widths, t.viewport().width())
        if sum(needs) <= t.viewport().width():
            assert widths[NAME] >= needs[NAME], (widths, needs)
