"""A path field: a line edit (paths can be typed or pasted) and a button that opens a file or
folder dialog."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QToolButton, QWidget

from aegui.qt.i18n import bind_text, tr


class PathEdit(QWidget):
    """`changed` fires on every edit and after a choice in the dialog; `path()` is the text
    stripped of surrounding spaces. `folder=True` picks a directory, else a file matching
    `file_filter` (English, translated when the dialog opens)."""

    changed = Signal()

    def __init__(self, folder: bool = False, title: str = "", file_filter: str = "",
                 start_dir: Callable[[], str] | None = None, parent=None):
        super().__init__(parent)
        self.folder, self.title, self.file_filter = folder, title, file_filter
        self._start_dir = start_dir or (lambda: str(Path.home()))
        self.line = QLineEdit()
        self.line.setClearButtonEnabled(True)
        self.line.textChanged.connect(self.changed)
        # "…" rather than a word: the field keeps the room for the file name.
        self.button = QToolButton(text="…")
        self.button.clicked.connect(self.choose)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.line, 1)
        row.addWidget(self.button)
        bind_text(self, self.button.setToolTip, title)

    def path(self) -> str:
        return self.line.text().strip()

    def set_path(self, path) -> None:
        self.line.setText(str(path or ""))
        self.line.setCursorPosition(len(self.line.text()))   # the name matters more than the folders

    def set_placeholder(self, text: str) -> None:
        self.line.setPlaceholderText(text)

    def _dialog_start(self) -> str:
        current = Path(self.path()).expanduser() if self.path() else None
        if current is not None and current.exists():
            return str(current if self.folder else current.parent)
        return self._start_dir()

    def choose(self) -> None:
        if self.folder:
            path = QFileDialog.getExistingDirectory(self, tr(self.title), self._dialog_start(),
                                                    QFileDialog.Option.ShowDirsOnly)
        else:
            path, _ = QFileDialog.getOpenFileName(self, tr(self.title), self._dialog_start(),
                                                  tr(self.file_filter))
        if path:
            self.set_path(path)
            self.line.setFocus(Qt.FocusReason.OtherFocusReason)
