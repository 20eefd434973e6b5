"""Which model the pixel editor denoises with, at the top of the editor: its whole name (wrapped,
never cut: in the toolbar the long demo names were cut mid-word) and a Change menu listing the
glyph models, "the model shown on the canvas" first. The name has three lines' height whether it
needs them or not, so a shorter or longer name (a taught model's) does not move the grid below; a
name longer than three lines (a taught model's in Spanish at 1024x700 took four, and the grid
shrank from 210 to 196 px) is shortened with "…", never what tells it apart, and said whole in the
tooltip."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QSizePolicy, QToolButton, QWidget

from aegui.qt.i18n import bind_text, on_language, tr
from aegui.qt.models.names import fitted_title

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
        self.label.setFixedHeight(NAME_LINES * self.label.fontMetrics().lineSpacing())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.refresh()      # the name shortened to the new width, or whole again

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
        whole = tr("Denoised by {name}", name=name)
        text = whole if model is None or self._fits(whole) else self._shortened(model)
        self.label.setText(text)
        self.label.setToolTip(whole if text != whole else "")

    def _fits(self, text: str) -> bool:
        width = self.label.contentsRect().width()
        if width <= 0:
            return True     # not laid out yet: the resize that follows fits it
        fm = self.label.fontMetrics()
        rect = fm.boundingRect(QRect(0, 0, width, 100000), Qt.TextFlag.TextWordWrap, text)
        return rect.height() <= NAME_LINES * fm.lineSpacing()

    def _shortened(self, model) -> str:
        """The text with the model's name shortened (what follows it whole) until it takes
        NAME_LINES lines: a line's width less for each try, as wrapping leaves room at line ends."""
        fm, width = self.label.fontMetrics(), self.label.contentsRect().width()
        prefix = tr("Denoised by {name}", name="")
        budget = NAME_LINES * width - fm.horizontalAdvance(prefix)
        text = ""
        while budget > 0:
            text = tr("Denoised by {name}", name=fitted_title(model, fm, budget))
            if self._fits(text):
                return text
            budget -= max(1, width // 8)
        return text
