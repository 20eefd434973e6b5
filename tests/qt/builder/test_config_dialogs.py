"""The builder's Load config… and Save config…, clicked as a user does: Load opens the shipped
presets first (it opened the home folder, where a student has no config yet), Save the home
folder (the presets of an installed bundle are read-only), and the note saying what was loaded
speaks the language chosen after it ("Loaded font3-ae2d.json." stayed English in Spanish)."""
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from aegui.core.files.paths import presets_dir
from aegui.qt import i18n


def test_load_config_opens_the_presets_and_its_note_follows_the_language(builder, qtbot, monkeypatch, tmp_path):
    preset = presets_dir() / "font3-ae2d.json"
    asked = []

    def open_file(parent, caption, start, *rest, **kw):
        asked.append(("open", start))
        return str(preset), ""

    def save_file(parent, caption, start, *rest, **kw):
        asked.append(("save", start))
        return str(tmp_path / "mine.json"), ""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(open_file))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_file))

    qtbot.mouseClick(builder.load_button, Qt.MouseButton.LeftButton)
    assert asked == [("open", str(presets_dir()))]
    assert builder.info_label.text() == "Loaded font3-ae2d.json."
    i18n.set_language("es")
    assert builder.info_label.text() == "Cargado font3-ae2d.json."
    i18n.set_language("en")
    assert builder.info_label.text() == "Loaded font3-ae2d.json."

    # Loaded from the presets, a config is saved to the home folder, not beside them.
    qtbot.mouseClick(builder.save_button, Qt.MouseButton.LeftButton)
    assert asked[1][0] == "save" and Path(asked[1][1]).parent == Path.home()
    assert (tmp_path / "mine.json").is_file() and builder.info_label.text() == "Saved mine.json."
    i18n.set_language("es")
    assert builder.info_label.text() == "Guardado mine.json."
    # Chosen elsewhere since, both dialogs start there.
    qtbot.mouseClick(builder.load_button, Qt.MouseButton.LeftButton)
    assert asked[2] == ("open", str(tmp_path))


def test_load_config_offers_and_reads_a_students_yaml(builder, qtbot, monkeypatch, tmp_path):
    """Load config… lists YAML files beside JSON ones, and a student's YAML goes through the same
    import table before it is applied ("lr: 1e-3" is the number 0.001)."""
    from aegui.qt.builder import config_files
    path = tmp_path / "tp5.yaml"
    path.write_text("layers: [35, 20, 2]\nact: tanh\nlr: 1e-3\nepochs: 700\n", encoding="utf-8")
    filters, shown = [], []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda parent, caption, start, flt, *a, **k: filters.append(flt) or (str(path), "")))
    monkeypatch.setattr(config_files, "confirm_import", lambda parent, imported: shown.append(imported) or True)
    qtbot.mouseClick(builder.load_button, Qt.MouseButton.LeftButton)
    assert "*.yaml *.yml" in filters[0]
    assert [r.key for r in shown[0].rows][:4] == ["layers", "act", "lr", "epochs"]
    exp = builder.experiment()
    assert (exp.train.learning_rate, exp.train.epochs, exp.model.hidden_activation) == (0.001, 700, "tanh")
    assert builder.info_label.text() == "Loaded tp5.yaml."
