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
    assert title == "Export model as…" and where.endswith(".py") and "*.py" in filters
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
