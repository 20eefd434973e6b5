"""The first-run guide: three short hints (draw here, hover here, press F5) floating beside the
panels they name. Each can be closed; "Don't show again" closes them all. Closed hints are
remembered in the settings, so they never come back."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from aegui.qt.i18n import notifier, tr

HINTS = (
    ("draw", "editor", "Draw here: click cells to change the glyph and see what the model makes of it."),
    ("hover", "latent", "Hover here: every point of the latent space decodes to a glyph or an image."),
    ("train", "builder", "Press F5 to train the model set up here (F6 trains one epoch at a time)."),
)
DONE_KEY = "guide/done"


class Hint(QFrame):
    def __init__(self, guide: "Guide", key: str, text: str, parent: QWidget):
        super().__init__(parent)
        self.guide, self.key, self.english = guide, key, text
        self.setObjectName("guide-hint")
        self.setStyleSheet("#guide-hint { background: #fffbe6; border: 2px solid #e0a800; border-radius: 6px; }"
                           "QLabel { color: #3a2d00; }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setMinimumWidth(200)
        self.label.setMaximumWidth(260)
        self.ok = QPushButton()
        self.never = QPushButton()
        self.never.setFlat(True)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.never)
        row.addWidget(self.ok)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.addWidget(self.label)
        lay.addLayout(row)
        self.ok.clicked.connect(lambda: guide.dismiss(key))
        self.never.clicked.connect(guide.dismiss_all)
        self.retranslate()

    def retranslate(self) -> None:
        self.label.setText(tr(self.english))
        self.ok.setText(tr("Got it"))
        self.never.setText(tr("Don't show again"))
        self.adjustSize()


class Guide(QObject):
    """Places the hints over `window`, beside window.docks[...]; follows resizes."""

    def __init__(self, window, settings):
        super().__init__(window)
        self.window, self.settings = window, settings
        self.hints: dict[str, Hint] = {}
        notifier.changed.connect(self.retranslate)

    def start(self) -> list[str]:
        """Show the hints not yet dismissed; returns their keys."""
        if self.settings.value(DONE_KEY, False, bool):
            return []
        for key, dock, text in HINTS:
            if self.settings.value(f"guide/{key}", False, bool) or key in self.hints:
                continue
            hint = Hint(self, key, text, self.window)
            self.hints[key] = hint
            hint.show()
            hint.raise_()
        self.window.installEventFilter(self)
        self.place()
        return list(self.hints)

    def visible(self) -> list[str]:
        return [k for k, h in self.hints.items() if h.isVisible()]

    def dismiss(self, key: str) -> None:
        self.settings.setValue(f"guide/{key}", True)
        hint = self.hints.pop(key, None)
        if hint is not None:
            hint.hide()
            hint.deleteLater()
        if all(self.settings.value(f"guide/{k}", False, bool) for k, _, _ in HINTS):
            self.settings.setValue(DONE_KEY, True)

    def dismiss_all(self) -> None:
        for key in list(self.hints):
            self.dismiss(key)
        self.settings.setValue(DONE_KEY, True)

    def retranslate(self) -> None:
        for hint in self.hints.values():
            hint.retranslate()
        self.place()

    def place(self) -> None:
        docks = getattr(self.window, "docks", {})
        for key, dock_key, _ in HINTS:
            hint = self.hints.get(key)
            dock = docks.get(dock_key)
            if hint is None or dock is None:
                continue
            if not dock.isVisible():
                hint.hide()
                continue
            hint.adjustSize()
            r = dock.geometry()
            # Near the top centre of the panel it names, kept inside the window.
            top_left = dock.parentWidget().mapTo(self.window, r.topLeft()) if dock.parentWidget() is not self.window \
                else r.topLeft()
            x = top_left.x() + (r.width() - hint.width()) // 2
            y = top_left.y() + min(60, max(0, r.height() - hint.height()) // 2)
            x = max(4, min(x, self.window.width() - hint.width() - 4))
            y = max(4, min(y, self.window.height() - hint.height() - 4))
            hint.move(QPoint(x, y))
            hint.show()
            hint.raise_()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.window and event.type() in (QEvent.Type.Resize, QEvent.Type.Show,
                                                   QEvent.Type.LayoutRequest):
            self.place()
        return super().eventFilter(obj, event)
