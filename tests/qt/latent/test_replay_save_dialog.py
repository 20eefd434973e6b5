"""The replay's save dialog is titled for what it saves and opens where pictures go: it was titled
"Animated GIF…" (the menu entry's text) and opened in the directory the app was started from, not
in Pictures or the last export's folder."""
from pathlib import Path

from PIL import Image
from PySide6.QtWidgets import QFileDialog

from aegui.qt import i18n
from tests.qt.latent.test_step_replay import _canvas_with_store


def test_the_replay_gif_dialog_says_what_it_saves_and_opens_where_exports_go(qtbot, tmp_path, monkeypatch):
    started_in = tmp_path / "started-here"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    out = tmp_path / "my exports"
    out.mkdir()
    asked = []

    def save_dialog(parent, title, where, filters, *rest, **kw):
        asked.append((title, where))
        return str(out / "replay"), filters          # the user left the suffix out
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    folders = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        lambda parent, title, where="", *a, **kw: folders.append(where) or "")
    canvas, _, _ = _canvas_with_store(qtbot)
    bar = canvas.replay

    bar.export_gif_dialog()
    title, where = asked[0]
    assert title == "Save the replay as an animated GIF"
    assert Path(where).name == "latent-replay.gif"
    first = Path(where).parent
    assert first.is_absolute() and first.resolve() != started_in.resolve(), where
    assert Image.open(out / "replay.gif").n_frames == 4          # the suffix added, the file written
    bar.export_gif_dialog()                                     # the next one opens where that went
    assert Path(asked[1][1]).parent == out
    bar.export_png_dialog()
    assert folders == [str(out)]
    i18n.set_language("es")
    bar.export_gif_dialog()
    assert asked[2][0] == "Guardar la repetición como GIF animado"
