"""Help > Keyboard shortcuts (F1): a table read from the window's own actions each time it is
shown, so it cannot drift from the keys that work (a hand-written list lacked Ctrl+1/2/3), then
the mouse gestures, which no action carries."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QDockWidget, QHeaderView, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from aegui.qt.i18n import bind_text, on_language, tr

# (the key or gesture, what it does) for what no action carries: Esc (an event filter, so that it
# stops a run whatever has the focus: aegui/qt/workers/stop_key.py), the latent map's mouse
# (latent/canvas_mouse.py), the editors' cells, the library's tiles.
GESTURES = (
    ("Esc", "Stop training"),
    ("Click (latent map)", "Pin the point"),
    ("Shift+click (latent map)", "Pick an end of the interpolation"),
    ("Alt+click (latent map)", "Nearest neighbours (latent space)"),
    ("Right-click (latent map)", "The map's menu: pin, decode here, export, reset view"),
    ("Right-drag (3-D map)", "Turn the view"),
    ("Left / right drag (editor)", "Paint / erase cells"),
    ("Double-click (glyph library)", "Open the glyph in the pixel editor"),
)


def _keys(action: QAction) -> str:
    return ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts())


def _plain(text: str) -> str:
    """A menu text without its mnemonic's "&"."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _panel(action: QAction) -> str:
    """The panel an action with a panel-wide shortcut works in (its dock's title), or ""."""
    if action.shortcutContext() == Qt.ShortcutContext.WindowShortcut:
        return ""
    w = action.parent()
    while isinstance(w, QWidget) and not isinstance(w, QDockWidget):
        w = w.parentWidget()
    return w.windowTitle() if isinstance(w, QDockWidget) else ""


def _in_menu_order(window) -> list[QAction]:
    out: list[QAction] = []

    def walk(actions):
        for a in actions:
            if a.menu() is not None:
                walk(a.menu().actions())
            elif not a.isSeparator():
                out.append(a)
    walk(window.menuBar().actions())
    return out


def shortcut_rows(window, names: dict[QAction, str]) -> list[tuple[str, str, QAction | None]]:
    """(keys, what they do, the action) for every action of the window that has a shortcut: the
    menus' first, in their order, then the rest; `names` (English) names those without a text."""
    rows, seen = [], set()
    for action in _in_menu_order(window) + window.actions() + window.findChildren(QAction):
        if id(action) in seen or not action.shortcuts():
            continue
        seen.add(id(action))
        what = _plain(action.text()) or (tr(names[action]) if action in names else "")
        where = _panel(action)
        rows.append((_keys(action), f"{what} ({where})" if where else what, action))
    return rows + [(tr(g), tr(what), None) for g, what in GESTURES]


class ShortcutsDialog(QDialog):
    """Not modal: it can stay open beside the window while the user tries the keys."""

    def __init__(self, window, names: dict[QAction, str]):
        super().__init__(window)
        self.main, self.names = window, names
        self.table = QTableWidget(0, 2)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setWordWrap(False)
        for col in range(2):
            self.table.setHorizontalHeaderItem(col, QTableWidgetItem())
        bind_text(self, self.table.horizontalHeaderItem(0).setText, "Keys")
        bind_text(self, self.table.horizontalHeaderItem(1).setText, "What it does")
        bind_text(self, self.setWindowTitle, "Keyboard shortcuts")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.close)
        bind_text(self, self.buttons.button(QDialogButtonBox.StandardButton.Close).setText, "Close")
        lay = QVBoxLayout(self)
        lay.addWidget(self.table)
        lay.addWidget(self.buttons)
        on_language(self, self.fill)      # after the menus' texts: the rows read them
        self.fill()

    def fill(self) -> None:
        rows = shortcut_rows(self.main, self.names)
        self.table.setRowCount(len(rows))
        for r, (keys, what, _action) in enumerate(rows):
            key_item = QTableWidgetItem(keys)
            font = key_item.font()
            font.setBold(True)
            key_item.setFont(font)
            self.table.setItem(r, 0, key_item)
            self.table.setItem(r, 1, QTableWidgetItem(what))
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        # As tall as its rows (within the screen): a scroll bar in a list this short hides keys.
        height = self.table.horizontalHeader().height() + sum(self.table.rowHeight(r) for r in range(len(rows))) + 4
        self.table.setMinimumHeight(min(height, 560))
        self.table.setMinimumWidth(self.table.horizontalHeader().length() + 24)

    def rows(self) -> list[tuple[str, str]]:
        """What the table shows (tests read it)."""
        return [(self.table.item(r, 0).text(), self.table.item(r, 1).text()) for r in range(self.table.rowCount())]
