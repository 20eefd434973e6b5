"""The window holds no Python wrapper of a view item that Qt made itself.

A table's header item made by Qt (setHorizontalHeaderLabels) and then reached from Python
(horizontalHeaderItem(col)) gets a wrapper that is never told when the table deletes the item: a
wrapper Python keeps (a text binding held the item's setText) outlives it, and Qt's next object at
that address is then found as that stale wrapper. CI saw exactly that: the language switch walked
QApplication.topLevelWidgets() and got a QTableWidgetItem ("object has no attribute 'locale'") for
a window, in four tests in a row. Items made in Python (QTableWidgetItem()) are told, so they are
safe to keep."""
import shiboken6
from PySide6.QtGui import QStandardItem
from PySide6.QtWidgets import QGraphicsItem, QListWidgetItem, QTableWidgetItem, QTreeWidgetItem

from aegui.qt.experiments.search_view import SearchView

VIEW_ITEMS = (QTableWidgetItem, QTreeWidgetItem, QListWidgetItem, QStandardItem, QGraphicsItem)


def _held_items_qt_made() -> list[str]:
    return sorted(type(o).__name__ for o in shiboken6.getAllValidWrappers()
                  if isinstance(o, VIEW_ITEMS) and not shiboken6.createdByPython(o))


def test_the_window_with_every_panel_built_keeps_no_item_qt_made(window):
    for key in ("builder", "experiments", "analyses", "compare", "training", "recon"):
        getattr(window, key)                     # built on first use
    window.menus.show_shortcuts()
    assert _held_items_qt_made() == []


def test_the_search_views_headers_are_told_when_their_table_goes(qtbot):
    """The view whose headers were made by Qt: once it is deleted, no wrapper of them is left
    (before: five QTableWidgetItem wrappers, still 'valid', pointing at freed memory)."""
    view = SearchView()
    headers = [view.table.horizontalHeaderItem(c) for c in range(view.table.columnCount())]
    assert all(shiboken6.createdByPython(h) for h in headers)
    shiboken6.delete(view)
    assert not any(shiboken6.isValid(h) for h in headers)
