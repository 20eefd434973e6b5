"""Taking a widget out of its layout so that PySide knows its layout item is gone.

PySide is told when Qt deletes an object Python made, not one Qt made. The item a layout keeps
for each widget (a QWidgetItem, made by Qt) gets a Python wrapper when a filled layout is added
to another (PySide keeps those wrappers with the outer layout) or when Python reaches it
(itemAt). Had Qt freed the item itself (removeWidget, or deleting the widget while it sits in
the layout), the wrapper would stay registered at the freed address, and the next object Qt put
there would come back to Python as that wrapper: a window returned from topLevelWidgets() as a
QWidgetItem. Here the item is taken out and freed through its wrapper, so PySide drops it.
"""
from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


def holding_layout(widget: QWidget) -> QLayout | None:
    """The layout `widget` sits in: its parent's layout or one nested in it; None if none."""
    parent = widget.parentWidget()
    top = parent.layout() if parent is not None else None
    if top is None:
        return None
    for layout in (top, *top.findChildren(QLayout)):
        if layout.indexOf(widget) >= 0:
            return layout
    return None


def take_widget(widget: QWidget, layout: QLayout | None = None) -> None:
    """Take `widget` out of `layout` (by default the one holding it, looked up) and free the item
    that held it; the widget itself stays, for the caller to re-add, hide or delete. A caller
    that knows the layout passes it: a panel re-flowing hundreds of cells need not search."""
    layout = layout if layout is not None else holding_layout(widget)
    index = layout.indexOf(widget) if layout is not None else -1
    if index >= 0:
        _free(layout.takeAt(index))


def empty_layout(layout: QLayout) -> None:
    """Take every item out of `layout` and free it; the widgets stay, for the caller to lay out
    again."""
    while layout.count():
        _free(layout.takeAt(0))


def _free(item: QLayoutItem | None) -> None:
    if item is not None and shiboken6.isValid(item):
        shiboken6.delete(item)
