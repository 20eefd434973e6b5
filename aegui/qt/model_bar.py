"""The toolbar's two model choosers: the model every panel shows, and the one the pixel editor
denoises with (a 2-D autoencoder makes a fine map but a poor denoiser)."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QToolBar

from aegui.qt.i18n import notifier, tr
from aegui.qt.models import title


class ModelBar(QToolBar):
    def __init__(self, workspace, parent=None):
        super().__init__(parent)
        self.ws = workspace
        self.setObjectName("toolbar-model")
        self.setMovable(False)
        self.model_label, self.editor_label = QLabel(), QLabel()
        self.model_combo = QComboBox()
        self.model_combo.setMinimumContentsLength(24)
        self.model_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.editor_combo = QComboBox()
        self.editor_combo.setMinimumContentsLength(16)
        self.editor_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.addWidget(self.model_label)
        self.addWidget(self.model_combo)
        self.addSeparator()
        self.addWidget(self.editor_label)
        self.addWidget(self.editor_combo)
        self._choices: list = []          # what the model combo lists, in order (the run last)
        self._editor_choices: list = []
        self.model_combo.currentIndexChanged.connect(self._model_chosen)
        self.editor_combo.currentIndexChanged.connect(self._editor_chosen)
        workspace.models_changed.connect(self.fill)
        workspace.current_changed.connect(lambda *_: self.fill())
        workspace.editor_changed.connect(lambda *_: self.fill())
        notifier.changed.connect(self.retranslate)
        self.retranslate()

    def retranslate(self, *_) -> None:
        self.model_label.setText(" " + tr("Model:") + " ")
        self.editor_label.setText(" " + tr("Pixel editor uses:") + " ")
        self.fill()

    def fill(self) -> None:
        ws = self.ws
        self._choices = list(ws.models) + ([ws.live] if ws.live is not None else [])
        texts = [title(m) + (" *" if m.dirty else "") for m in ws.models]
        if ws.live is not None:
            texts.append(tr("training (live)"))
        current = next((i for i, m in enumerate(self._choices) if m is ws.current), -1)
        _refill(self.model_combo, texts, current)
        # The editor draws 5x7 glyphs: only models of glyphs can denoise them.
        self._editor_choices = ws.glyph_models()
        texts = [tr("the model above")] + [title(m) + (" *" if m.dirty else "") for m in self._editor_choices]
        choice = ws.editor_choice
        index = next((i + 1 for i, m in enumerate(self._editor_choices) if m is choice), 0)
        _refill(self.editor_combo, texts, index)

    def _model_chosen(self, index: int) -> None:
        if 0 <= index < len(self._choices):
            self.ws.set_current(self._choices[index])

    def _editor_chosen(self, index: int) -> None:
        choices = self._editor_choices
        self.ws.set_editor_choice(choices[index - 1] if 1 <= index <= len(choices) else None)


def _refill(combo: QComboBox, texts: list[str], index: int) -> None:
    combo.blockSignals(True)
    combo.clear()
    combo.addItems(texts)
    if index >= 0:
        combo.setCurrentIndex(index)
    combo.blockSignals(False)
