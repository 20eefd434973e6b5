"""The toolbar's perspective switch: one checkable button a perspective (Ctrl+1, Ctrl+2, ...), and
the same choices as actions for the View menu."""
from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from aegui.qt.i18n import bind_text
from aegui.qt.perspectives.table import PERSPECTIVES


class Switcher(QWidget):
    def __init__(self, arranger, parent=None):
        super().__init__(parent)
        self.arranger = arranger
        self.setObjectName("perspectives")
        group = QActionGroup(self)
        self.actions_by_key: dict[str, QAction] = {}
        self.buttons: dict[str, QToolButton] = {}
        lay = QHBoxLayout(self)
        lay.setContentsMargins(2, 0, 6, 0)
        lay.setSpacing(0)
        for p in PERSPECTIVES:
            act = QAction(self, checkable=True)
            act.setShortcut(QKeySequence(p.shortcut))
            bind_text(self, act.setText, p.title)
            bind_text(self, act.setStatusTip, p.tip)
            bind_text(self, lambda text, act=act: act.setToolTip(f"{text} ({_keys(act)})"), p.tip)
            act.triggered.connect(lambda _=False, k=p.key: arranger.switch(k))
            group.addAction(act)
            button = QToolButton()
            button.setDefaultAction(act)
            button.setAutoRaise(True)
            button.setObjectName(f"perspective-{p.key}")
            lay.addWidget(button)
            self.actions_by_key[p.key], self.buttons[p.key] = act, button
        arranger.changed.connect(self._shown)
        self._shown(arranger.current())

    def _shown(self, key: str) -> None:
        self.actions_by_key[key].setChecked(True)


def _keys(act: QAction) -> str:
    return act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
