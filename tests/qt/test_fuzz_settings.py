"""The settings file (QSettings, ini format), fed mutated and random content: the window still
opens its layout, recent list, language and theme, whatever the file holds."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st
from PySide6.QtCore import QSettings

from fuzzing import FUZZ_SETTINGS, bounded, mutated  # noqa: E402

from aegui.qt import i18n, theme  # noqa: E402
from aegui.qt.startup.app import saved_look  # noqa: E402

KEYS = ("geometry", "layout\\explore", "layout\\train", "layout\\perspective", "layout\\shares", "recent", "last_dir",
        "last_model", "language", "theme")
VALUES = st.sampled_from([
    "@ByteArray(\\x1\\xd9\\xd0\\xcb\\0\\x3\\0\\0)", "@ByteArray()", "@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x1)",
    "@Invalid()", "@Rect(1 2 3 4)", "@Size(-1 -1)", "@Point(99999999 1)", "a, b, c", "", "es", "dark", "xx",
    "5", "-1", "/nonexistent/model", "\\\\server\\share", "@ByteArray(\\xff" * 3, "@"]) | st.text(max_size=30)


@st.composite
def ini_text(draw):
    lines = ["[General]"]
    for key in draw(st.lists(st.sampled_from(KEYS + ("other", "recent\\size")), max_size=8)):
        lines.append(f"{key}={draw(VALUES)}")
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def _valid_ini(window, folder: Path) -> bytes:
    from aegui.qt.perspectives.arranger import STATE_VERSION
    from aegui.qt.storage.settings import save_blob
    path = folder / "valid.ini"
    s = QSettings(str(path), QSettings.IniFormat)
    save_blob(s, "geometry", window.saveGeometry())      # with the hashes the window checks
    for key in ("explore", "train"):
        save_blob(s, f"layout/{key}", window.saveState(STATE_VERSION))
    s.setValue("layout/perspective", "train")
    s.setValue("layout/shares", '{"train": {"left": 0.3, "bottom": 0.45}}')
    s.setValue("recent", ["/a/b.json", "/c d/model"])
    s.setValue("last_dir", "/tmp")
    s.setValue("language", "es")
    s.setValue("theme", "dark")
    s.sync()
    return path.read_bytes()


def test_settings_file(qtbot, tmp_path, aegui_home):
    from aegui.qt.window.main_window import MainWindow
    win = MainWindow(QSettings(str(tmp_path / "first.ini"), QSettings.IniFormat))
    win.confirm_close = False
    qtbot.addWidget(win)
    seed = _valid_ini(win, tmp_path)
    examples = []

    @FUZZ_SETTINGS
    @given(data=ini_text() | mutated(seed) | st.binary(max_size=200))
    @example(data=b"[General]\ngeometry=hello\nwindow_state=1, 2\n")        # raised TypeError
    @example(data=b"[layout]\nperspective=@Invalid()\nshares=[1, {}]\nexplore=1, 2\n")
    @example(data=b"[General]\nlanguage=a, b\ntheme=@Invalid()\nrecent=5\n")
    @example(data=b"[General]\nrecent=@ByteArray(abc), /x\n")             # raised TypeError
    @example(data=b"[General]\nlast_dir=@ByteArray(\\x1\\xd9\\xd0)")   # raised UnicodeDecodeError
    def check(data):
        path = Path(tempfile.mkdtemp(dir=tmp_path)) / "settings.ini"      # one per example
        path.write_bytes(data)
        settings = QSettings(str(path), QSettings.IniFormat)
        with bounded():
            lang, look = saved_look(settings)
            assert lang in i18n.LANGUAGES and look in theme.THEMES
            win.settings = settings
            win._restore_layout()
            win.files.fill_recent(win.menus.menu_recent)
            assert isinstance(win.files.start_dir(), str)
            win.files.remember(path)
            assert str(path.resolve()) in (settings.value("recent", [], list) or [])
        examples.append(1)

    check()
    assert examples
