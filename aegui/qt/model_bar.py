"""The toolbar's model chooser: the model every panel shows, named whole. (The one the pixel
editor denoises with is chosen in the editor: editor/denoiser_choice.py.)"""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QToolBar

from aegui.qt.i18n import notifier, tr
from aegui.qt.models import title

MAX_COMBO_PX = 520


class ModelBar(QToolBar):
    def __init__(self, workspace, parent=None):
        super().__init__(parent)
        self.ws = workspace
        self.setObjectName("toolbar-model")
        self.setMovable(False)
        self.model_label = QLabel()
        self.model_combo = QComboBox()
        # As wide as the name shown (the demo names were cut mid-word), up to half a 1024 px window.
        self.model_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.model_combo.setMaximumWidth(MAX_COMBO_PX)
        self.addWidget(self.model_label)
        self.addWidget(self.model_combo)
        self._choices: list = []          # what the model combo lists, in order (the run last)
        self.model_combo.currentIndexChanged.connect(self._model_chosen)
        workspace.models_changed.connect(self.fill)
        workspace.current_changed.connect(lambda *_: self.fill())
        notifier.changed.connect(self.retranslate)
        self.retranslate()

    def retranslate(self, *_) -> None:
        self.model_label.setText(" " + tr("Model:") + " ")
        self.model_combo.setToolTip(tr("The model every panel shows"))
        self.fill()

    def fill(self) -> None:
        ws = self.ws
        self._choices = list(ws.models) + ([ws.live] if ws.live is not None else [])
        texts = [title(m) + (" *" if m.dirty else "") for m in ws.models]
        if ws.live is not None:
            texts.append(tr("training (live)"))
        current = next((i for i, m in enumerate(self._choices) if m is ws.current), -1)
        _refill(self.model_combo, texts, current)

    def _model_chosen(self, index: int) -> None:
        if 0 <= index < len(self._choices):
            self.ws.set_current(self._choices[index])


def _refill(combo: QComboBox, texts: list[str], index: int) -> None:
    combo.blockSignals(True)
    combo.clear()
    combo.addItems(texts)
    if index >= 0:
        combo.setCurrentIndex(index)
    combo.blockSignals(False)
