"""The Help menu: "Show the tips again" brings back the first-run hints the user closed, and the
keyboard shortcuts dialog (F1) lists every key the window's actions answer to, read from the
actions themselves, so a new shortcut cannot be left out of it (Ctrl+1/2/3 were)."""
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QTableWidget

from aegui.qt import i18n
from aegui.qt.guide.hints import Guide


def choose(qtbot, window, menu, action) -> None:
    """Open `menu` from the menu bar and click `action` in it, with the mouse."""
    bar = window.menuBar()
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.actionGeometry(menu.menuAction()).center())
    qtbot.waitUntil(menu.isVisible)
    qtbot.mouseClick(menu, Qt.LeftButton, pos=menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible())


def entry(menu, english: str) -> QAction:
    """The menu's entry made from this English text (None when there is none)."""
    return next((a for a in menu.actions() if a.data() == english), None)


def test_show_the_tips_again_brings_back_the_closed_hints_in_both_languages(window, qtbot):
    g = window.guide
    hint = g.hints["hover"]
    qtbot.mouseClick(hint.never, Qt.LeftButton)          # "Don't show again": all three gone for good
    qtbot.waitUntil(lambda: g.visible() == [])
    tips = entry(window.menus.menu_help, "Show the tips again")
    assert tips is not None, [a.text() for a in window.menus.menu_help.actions()]
    for lang, words in (("en", "Show the tips again"), ("es", "Volver a mostrar los consejos")):
        i18n.set_language(lang)
        assert tips.text() == words
        choose(qtbot, window, window.menus.menu_help, tips)
        qtbot.waitUntil(lambda: sorted(g.visible()) == ["draw", "hover", "train"])
        if lang == "es":
            assert g.hints["draw"].label.text().endswith("Dibuja aquí: haz clic en las celdas para cambiar el glifo y "
                                                         "ver qué hace el modelo con él.")
        # Brought back in the settings too: a window started afresh shows them.
        window.settings.sync()
        fresh = Guide(window, QSettings(window.settings.fileName(), QSettings.IniFormat))
        assert sorted(fresh.start()) == ["draw", "hover", "train"]
        fresh.dismiss_all()
        qtbot.mouseClick(g.hints["train"].never, Qt.LeftButton)
        qtbot.waitUntil(lambda: g.visible() == [])


def _shown_dialog_text(qtbot, window) -> str:
    """Press F1 and read the shortcuts dialog, whatever kind it is (a modal box is read and closed
    from the event loop it runs)."""
    seen = []

    def read_modal():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.done(0)
    QTimer.singleShot(0, read_modal)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key_F1)
    if seen:
        return seen[0]
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]
    assert dialogs, "F1 showed no dialog"
    table = dialogs[0].findChild(QTableWidget)
    return "\n".join(" | ".join(table.item(r, c).text() for c in range(table.columnCount()))
                     for r in range(table.rowCount()))


def test_the_shortcuts_dialog_lists_every_shortcut_of_the_window(window, qtbot):
    """Every action of the window with a shortcut (menus, perspectives, train/stop/step, a panel's
    own undo) is in the dialog with its keys and what it does; and the mouse gestures."""
    text = _shown_dialog_text(qtbot, window)
    missing = []
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            keys = seq.toString()
            if not any(keys in line and len(line.split(" | ")[-1]) > 1 for line in text.splitlines()):
                missing.append(f"{keys} ({action.text() or 'no text'})")
    assert not missing, f"the shortcuts dialog lacks {missing}"
    for what in ("Explore", "Train", "Experiments", "Stop training", "Step epoch", "Step batch"):
        assert what in text
    assert "Alt+click (latent map) | Nearest neighbours" in text
    i18n.set_language("es")
    text = _shown_dialog_text(qtbot, window)
    assert "Ctrl+1 | Explorar" in text and "Alt+clic (mapa latente)" in text, text
