"""A dock's tooltip shown over its title bar only: Qt passes a tooltip request a widget does not
answer on to its parents, so a dock's tooltip also popped up over everything inside the dock (the
latent map's explanation covered the decoded preview at the cursor after a second of rest)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QDockWidget, QToolTip


class TitleTip(QObject):
    """Install on a dock: its toolTip() is shown over its title, never over its panel."""

    def __init__(self, dock: QDockWidget):
        super().__init__(dock)
        self.dock = dock
        dock.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.dock and event.type() == QEvent.Type.ToolTip:
            panel = self.dock.widget()
            if panel is not None and panel.geometry().contains(event.pos()):
                QToolTip.hideText()
                event.ignore()
                return True
        return False
