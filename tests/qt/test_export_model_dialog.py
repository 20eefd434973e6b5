"""File > Export model as…: the model on screen written as a numpy-only script with its weights
beside it (aegui.core.export); the script runs without aegui and counts the wrong pixels the
model has. A target that cannot be written is said in one sentence, naming it."""
import numpy as np
from PySide6.QtWidgets import QFileDialog, QMessageBox

from aegui.qt import i18n
from tests.core.export.script_runs import ALLOWED_IMPORTS, imports_of, run_script


def _asking(monkeypatch, answer):
    asked = []

    def dialog(parent, title, where, filters, *rest, **kw):
        asked.append((title, where, filters))
        return str(answer), filters
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    return asked


def test_export_model_as_writes_a_script_that_runs_on_its_own(window, qtbot, tmp_path, monkeypatch):
    from aegui.core.models import latent
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: warned.append((title, text)))
    action = window.menus.export_script_action
    assert action in window.menus.menu_file.actions()
    target = tmp_path / "exports" / "my model"               # the suffix left out: added
    asked = _asking(monkeypatch, target)
    action.trigger()
    script = tmp_path / "exports" / "my model.py"
    qtbot.waitUntil(lambda: script.is_file() and script.with_suffix(".npz").is_file()
                    and not any(p.name.endswith(".incoming") for p in script.parent.iterdir()), timeout=30000)
    title, where, filters = asked[0]
    assert title == "Export model as…" and where.endswith(".py")
    assert filters.split(";;")[:2] == ["Python scripts (*.py)", "Jupyter notebooks (*.ipynb)"]
    assert warned == []
    assert imports_of(script) <= ALLOWED_IMPORTS
    shown = window.workspace.current
    out = latent.denoise(shown.model, shown.dataset.x)
    wrong = ((out >= 0.5) != (shown.dataset.x >= 0.5)).sum(1)
    result = run_script(script)
    assert result["max_wrong_pixels"] == int(wrong.max())
    assert result["mean_wrong_pixels"] == round(float(np.mean(wrong)), 4)
    assert result["glyphs"] == len(shown.dataset)

    in_the_way = tmp_path / "taken.py"
    in_the_way.mkdir()
    _asking(monkeypatch, in_the_way)
    action.trigger()
    qtbot.waitUntil(lambda: bool(warned), timeout=30000)
    title, text = warned[0]
    assert title == "Could not export the model"
    assert text.startswith(f"{in_the_way}: is a folder") and len(text.splitlines()) == 1, text
    assert list(in_the_way.iterdir()) == []

    i18n.set_language("es")
    try:
        assert action.text() == "Exportar modelo como…"
    finally:
        i18n.set_language("en")


def test_the_chosen_filter_names_the_format_and_an_unknown_suffix_is_one_sentence(window, qtbot, tmp_path,
                                                                                   monkeypatch):
    """A name typed without a suffix takes the format of the filter chosen (a notebook here); a
    suffix no format has is refused before any work, nothing written."""
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: warned.append(text))
    out = tmp_path / "out"
    out.mkdir()
    answers = iter([(out / "lesson", "Jupyter notebooks (*.ipynb)"), (out / "lesson.txt", "")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: tuple(map(str, next(answers))))
    window.menus.export_script_action.trigger()
    notebook = out / "lesson.ipynb"
    qtbot.waitUntil(lambda: notebook.is_file() and notebook.with_suffix(".npz").is_file()
                    and not any(p.name.endswith(".incoming") for p in out.iterdir()), timeout=30000)
    assert '"cell_type": "code"' in notebook.read_text(encoding="utf-8")
    window.menus.export_script_action.trigger()
    assert len(warned) == 1 and warned[0].startswith(f"{out / 'lesson.txt'}: '.txt' is not a format")
    assert sorted(p.name for p in out.iterdir()) == ["lesson.ipynb", "lesson.npz"]


def test_the_models_dialog_exports_a_saved_model_that_is_not_open(window, qtbot, tmp_path, monkeypatch):
    """Export… in the Models dialog: a shipped model not open in the window is read from its files
    and written as a script that runs on its own."""
    from aegui.qt.models.models_dialog import ModelsDialog
    dialog = ModelsDialog(window, window.workspace, window.files)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.fill()
    def row():
        return next(r for r, e in enumerate(dialog.entries) if e.path is not None and e.path.name == "font3-dae")
    dialog.table.selectRow(row())
    if dialog.selected().is_open:
        dialog.close_button.click()              # out of the window: read from its files
        qtbot.waitUntil(lambda: not dialog.entries[row()].is_open, timeout=5000)
        dialog.table.selectRow(row())
    assert dialog.export_button.isEnabled()
    script = tmp_path / "dae.py"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(script), ""))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: script.is_file() and script.with_suffix(".npz").is_file(), timeout=30000)
    result = run_script(script)
    assert result["glyphs"] == 32 and result["max_wrong_pixels"] >= 0
