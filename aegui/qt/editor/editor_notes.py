"""What the pixel editor says about the drawing, in one area of fixed height under the previews:
the notice when the model may not give the drawing back, the choice of the local model, the teach
outcome, the noisy-copies test. Whatever comes, goes or rewraps here, nothing else in the editor
moves: the grid holds still under the pointer (a notice that pushed the previews up once shrank
the grid mid-drawing, and clicks landed on other cells). A text longer than the area scrolls
inside it, whole."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from aegui.qt.widgets.text.note import is_dark

PADDING = 10        # px: the area's room beyond its lines of text (a check box is taller than a line)
# The notice's text colour (no box: a box's padding would cost the grid a line): orange with a
# contrast of at least 4.5:1 on the window's background in either theme.
NOTICE_COLORS = {False: "#a34f00", True: "#ffb74d"}


class NoticeLabel(QLabel):
    """Wrapped text in the notice colour of the theme shown."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWordWrap(True)
        self._restyle()

    def _restyle(self) -> None:
        from PySide6.QtWidgets import QApplication
        style = f"color: {NOTICE_COLORS[is_dark(QApplication.palette())]};"
        if self.styleSheet() != style:
            self.setStyleSheet(style)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange):
            self._restyle()


class EditorNotes(QScrollArea):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        inner.setAutoFillBackground(False)
        self.viewport().setAutoFillBackground(False)
        self._lay = QVBoxLayout(inner)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self._lay.setSpacing(4)
        self._lay.addStretch(1)
        self.setWidget(inner)
        self._lines = 4
        self._revealed: QWidget | None = None
        self.verticalScrollBar().rangeChanged.connect(self._reveal)

    def add(self, widget: QWidget, reveal: bool = True) -> None:
        """Below what is there already; with `reveal`, scrolled into view when it comes."""
        self._lay.insertWidget(self._lay.count() - 1, widget)
        if reveal:
            widget.installEventFilter(self)

    def reveal(self, widget: QWidget) -> None:
        """Scroll what was just said into view, now and as the area lays it out (a longer text
        changes the scroll range after this call)."""
        self._revealed = widget
        self._reveal()

    def _reveal(self, *_) -> None:
        widget = self._revealed
        if widget is not None and widget.isVisible():
            self.ensureWidgetVisible(widget, 0, 0)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Show:
            self.reveal(watched)
        return super().eventFilter(watched, event)

    def set_lines(self, lines: int) -> None:
        """The area's height, in lines of text (set from the editor's size, never its content)."""
        if lines != self._lines:
            self._lines = lines
            self._fit()

    def lines(self) -> int:
        return self._lines

    def _fit(self) -> None:
        self.setFixedHeight(self._lines * self.fontMetrics().lineSpacing() + PADDING)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit()

    def showEvent(self, event) -> None:
        self._fit()
        super().showEvent(event)
