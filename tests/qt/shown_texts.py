"""Every text a user can read in a widget and its children, for tests that compare what a panel
shows in one language with what it shows in another."""
from PySide6.QtWidgets import QAbstractButton, QComboBox, QGroupBox, QLabel, QLineEdit, QListWidget, QMenu, QWidget


def shown_texts(root: QWidget) -> list[str]:
    """Tooltips, window titles, labels, buttons, group titles, line edits (text and placeholder),
    combo and list entries, menu entries: in the order of the widget tree."""
    out = []
    for w in [root, *root.findChildren(QWidget)]:
        out += [w.toolTip(), w.windowTitle()]
        if isinstance(w, (QLabel, QAbstractButton)):
            out.append(w.text())
        if isinstance(w, QGroupBox):
            out.append(w.title())
        if isinstance(w, QLineEdit):
            out += [w.text(), w.placeholderText()]
        if isinstance(w, QComboBox):
            out += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QListWidget):
            out += [w.item(i).text() for i in range(w.count())]
        if isinstance(w, QMenu):
            out += [a.text() for a in w.actions()]
    return out
