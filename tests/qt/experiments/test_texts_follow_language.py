"""The Experiments panel (sweep editor, table, charts, search view, run-on choice), the presets
menu and the course report dialog follow a change of language through aegui.qt.i18n's one
mechanism (bind_text / on_language): none of them listens to the language notifier itself, and a
round trip to Spanish and back shows exactly the English it showed before."""
from aegui.qt import i18n
from tests.qt.shown_texts import shown_texts


def test_the_picked_value_box_says_what_its_field_means(panel):
    """The box that picks a value of the varied field explains the field in its tooltip from the
    start (it did only after a change of language)."""
    from aegui.core.config.fields import FIELDS
    from aegui.qt.widgets.text.terms import field_tip
    row = panel.editor.add_row("train.optimizer", ["sgd"])
    assert row.picker.owner.toolTip() == field_tip(FIELDS["train.optimizer"]) != ""


def test_a_round_trip_to_spanish_shows_the_same_english(panel, qtbot):
    from aegui.qt.report.report_dialog import ReportDialog
    editor = panel.editor
    editor.add_row("train.optimizer", ["sgd", "adam"])
    editor.validate()
    dialog = ReportDialog()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.rows_read, timeout=30000)       # its rows' states are read on a worker
    english = shown_texts(panel) + shown_texts(dialog)
    i18n.set_language("es")
    spanish = shown_texts(panel) + shown_texts(dialog)
    for text in ("Valores, uno por línea", "Ejecutar", "Documento del curso:"):
        assert text in spanish, f"{text!r} missing in Spanish"
    i18n.set_language("en")
    assert shown_texts(panel) + shown_texts(dialog) == english


def test_the_note_of_a_sweep_opened_follows_the_language(panel, qtbot, monkeypatch):
    """"Loaded {file}." was written once, in the language of the moment, and stayed English in a
    window switched to Spanish."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QFileDialog

    from aegui.core.files.paths import resources_dir
    sweep = resources_dir() / "sweeps" / "activations.json"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(sweep), "")))
    editor = panel.editor
    qtbot.mouseClick(editor.open_button, Qt.MouseButton.LeftButton)
    assert editor.info_label.text() == "Loaded activations.json."
    i18n.set_language("es")
    assert editor.info_label.text() == "Cargado activations.json."
