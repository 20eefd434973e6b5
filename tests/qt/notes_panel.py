"""A panel for the tests that a new panel is its folder and one registration in the window's panel
table: it shows the name of the model on screen, bound to the workspace like every panel."""
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class NotesPanel(QWidget):
    def __init__(self):
        super().__init__()
        self.label = QLabel()
        QVBoxLayout(self).addWidget(self.label)
        self.workspace = None

    def bind(self, workspace) -> None:
        self.workspace = workspace
        workspace.current_changed.connect(lambda model, _previous: self._show(model))
        self._show(workspace.current)     # built late: what was on screen before it came

    def _show(self, model) -> None:
        self.label.setText(getattr(model, "name", "") or "")
