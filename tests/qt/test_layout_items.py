"""Widgets taken out of a layout leave no wrapper of their layout item behind.

When a filled layout is added to another, PySide wraps the items Qt made for its widgets and
keeps the wrappers. Qt frees an item when its widget is deleted or removed, without telling
PySide: the wrapper stays 'valid', registered at the freed address, and the next object Qt puts
there comes back to Python as that wrapper. aegui.qt.widgets.layout_items frees the item
through its wrapper instead, so PySide drops it. The panels that rebuild rows (the library's
thumbnails, the sweep editor's rows, the explain panel's layers, the reconstructions, the layer
editor, the latent tray) take their widgets out with it."""
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from aegui.qt.widgets.layout_items import empty_layout, take_widget


def _row_in_a_column(qtbot):
    """A column whose row was filled before it was added (PySide then keeps its items' wrappers),
    and the row's items as PySide holds them."""
    host = QWidget()
    qtbot.addWidget(host)
    column, row = QVBoxLayout(host), QHBoxLayout()
    labels = [QLabel(text) for text in "abc"]
    for label in labels:
        row.addWidget(label)
    column.addLayout(row)
    items = [row.itemAt(row.indexOf(label)) for label in labels]
    return host, row, labels, items


def _delete(widget) -> None:
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_widget_deleted_in_place_leaves_its_item_wrapper_valid(qtbot):
    """What the helper is for: PySide's own behaviour, which this version still has (if it is ever
    fixed, this fails and the helper can go)."""
    _host, row, labels, items = _row_in_a_column(qtbot)
    _delete(labels[0])
    assert row.count() == 2
    assert shiboken6.isValid(items[0])          # Qt freed the item; the wrapper does not know


def test_take_widget_frees_the_item_where_pyside_sees_it(qtbot):
    _host, row, labels, items = _row_in_a_column(qtbot)
    take_widget(labels[1])
    assert row.count() == 2 and row.indexOf(labels[1]) == -1
    assert not shiboken6.isValid(items[1])
    assert shiboken6.isValid(labels[1])          # the widget itself stays, for the caller
    _delete(labels[1])
    assert [row.itemAt(i).widget() for i in range(row.count())] == [labels[0], labels[2]]


def test_take_widget_outside_any_layout_does_nothing(qtbot):
    lone = QLabel("x")
    qtbot.addWidget(lone)
    take_widget(lone)
    assert shiboken6.isValid(lone)


def test_empty_layout_frees_every_item_and_keeps_the_widgets(qtbot):
    _host, row, labels, items = _row_in_a_column(qtbot)
    empty_layout(row)
    assert row.count() == 0
    assert not any(shiboken6.isValid(item) for item in items)
    assert all(shiboken6.isValid(label) for label in labels)


def test_take_widget_from_a_layout_named_by_the_caller(qtbot):
    """The caller's layout is used as given; a widget it does not hold is left where it is."""
    host, row, labels, items = _row_in_a_column(qtbot)
    take_widget(labels[2], host.layout())          # not the column's: it sits in the row
    assert row.indexOf(labels[2]) == 2 and shiboken6.isValid(items[2])
    take_widget(labels[2], row)
    assert row.indexOf(labels[2]) == -1 and not shiboken6.isValid(items[2])
