"""The window's file actions: what opens a file picked in the wrong menu, and how a failure reads."""


def test_a_failed_open_is_one_sentence_without_a_traceback(window, qtbot, tmp_path, monkeypatch, capfd):
    shown = []
    monkeypatch.setattr("aegui.qt.storage.files.QMessageBox.critical", lambda *a: shown.append(a[2]))
    monkeypatch.setattr("aegui.qt.storage.files.QMessageBox.warning", lambda *a: shown.append(a[2]))
    bad = tmp_path / "model.json"
    bad.write_text("{ not json")
    window.files.open_model(str(bad))
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    assert "Traceback" not in capfd.readouterr().err
    # A font.h picked in "Open model…" opens as a font, or says why not, in words.
    font = tmp_path / "garbage_font.h"
    font.write_text("this is not a font\n")
    monkeypatch.setattr("aegui.qt.storage.files.QFileDialog.getOpenFileName", lambda *a, **k: (str(font), ""))
    window.files.open_model_dialog()
    qtbot.waitUntil(lambda: len(shown) >= 2, timeout=20000)
    assert "Errno" not in shown[-1] and "garbage_font.h" in shown[-1]
    assert "Traceback" not in capfd.readouterr().err
