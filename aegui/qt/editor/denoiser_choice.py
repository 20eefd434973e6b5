"""Which model the pixel editor denoises with, at the top of the editor: its whole name (wrapped,
never cut: in the toolbar the long demo names were cut mid-word) and a Change menu listing the
glyph models, "the model shown on the canvas" first. The name has three lines' height whether it
needs them or not, so a shorter or longer name (a taught model's) does not move the grid below."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QSizePolicy, QToolButton, QWidget

from aegui.qt.i18n import bind_text, on_language, tr

NAME_LINES = 3      # the demo names take three in Spanish beside Change at 1024x700


class DenoiserChoice(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.ws = None
        self.title = str
        self.label = QLabel(wordWrap=True)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._reserve()
        self.button = QToolButton()
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        bind_text(self, self.button.setText, "Change")
        bind_text(self, self.button.setToolTip, "Choose the model the pixel editor denoises with")
        self.menu = QMenu(self.button)
        self.menu.aboutToShow.connect(self.fill_menu)
        self.button.setMenu(self.menu)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        on_language(self, self.refresh)      # the model's name, in today's language

    def _reserve(self) -> None:
        self.label.setMinimumHeight(NAME_LINES * self.label.fontMetrics().lineSpacing())

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._reserve()

    def bind(self, workspace, title) -> None:
        self.ws, self.title = workspace, title
        for signal in (workspace.models_changed, workspace.editor_changed, workspace.current_changed):
            signal.connect(self.refresh)
        self.refresh()

    def choices(self) -> list:
        """None ("the model on the canvas") and the glyph models, in the order the menu lists them."""
        return [None] + (self.ws.glyph_models() if self.ws is not None else [])

    def choice_text(self, model) -> str:
        if model is None:
            return tr("The model shown on the canvas")
        return self.title(model) + (" *" if model.dirty else "")

    def choose(self, model) -> None:
        self.ws.set_editor_choice(model)

    def fill_menu(self) -> None:
        self.menu.clear()
        group = QActionGroup(self.menu)
        for model in self.choices():
            act = QAction(self.choice_text(model), self.menu, checkable=True)
            act.setChecked(model is self.ws.editor_choice)
            act.triggered.connect(lambda _=False, m=model: self.choose(m))
            group.addAction(act)
            self.menu.addAction(act)

    def refresh(self, *_) -> None:
        model = self.ws.editor_model() if self.ws is not None else None
        name = self.title(model) if model is not None else tr("no model")
        self.label.setText(tr("Denoised by {name}", name=name))
