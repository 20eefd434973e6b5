"""The toolbar's model chooser: the model every panel shows, named whole. (The one the pixel
editor denoises with is chosen in the editor: editor/denoiser_choice.py.)

The combo takes the room the toolbar has left, whatever the names it lists: a title longer than
that (a taught model's, a 200-character name) has its name shortened with "…", never what tells it
apart, and the whole title is the tooltip. Sized to its contents, a long name widened the combo
(718 -> 910 px at 1280x800) and the toolbar's size hint with it."""
from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QSizePolicy, QStyle, QStyleOptionComboBox, QToolBar

from aegui.qt.i18n import bind_text, on_language, tr
from aegui.qt.models.names import fitted_title, title

EXTENSION_PX = 16    # the toolbar keeps this much free, so Qt never folds the combo into its "»" menu
MIN_CHARS = 16       # the combo's least width, in characters (a name's start and what tells it apart)


class ModelBar(QToolBar):
    def __init__(self, workspace, parent=None):
        super().__init__(parent)
        self.ws = workspace
        self.setObjectName("toolbar-model")
        self.setMovable(False)
        self.model_label = QLabel()
        bind_text(self, lambda text: self.model_label.setText(f" {text} "), "Model:")
        self.model_combo = QComboBox()
        # Its width is the toolbar's room (the layout stretches it), never its longest entry's.
        self.model_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.model_combo.setMinimumContentsLength(MIN_CHARS)
        self.model_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.addWidget(self.model_label)
        self.addWidget(self.model_combo)
        self._choices: list = []          # what the model combo lists, in order (the run last)
        self._room = -1                   # the combo's width the texts were fitted to
        self.model_combo.currentIndexChanged.connect(self._model_chosen)
        workspace.models_changed.connect(self.fill)
        workspace.current_changed.connect(lambda *_: self.fill())
        on_language(self, self.fill)
        self.fill()

    def room(self) -> int:
        """The widest the combo may be: the toolbar's width less everything else on it."""
        lay = self.layout()
        others = sum(self.widgetForAction(a).sizeHint().width() if self.widgetForAction(a) is not None
                     else self.style().pixelMetric(QStyle.PixelMetric.PM_ToolBarSeparatorExtent, None, self)
                     for a in self.actions() if a.isVisible() and self.widgetForAction(a) is not self.model_combo)
        margins = lay.contentsMargins()
        spacing = lay.spacing() * len(self.actions())
        handle = self.style().pixelMetric(QStyle.PixelMetric.PM_ToolBarHandleExtent, None, self) \
            if self.isMovable() else 0
        return max(120, self.contentsRect().width() - others - spacing - handle - margins.left()
                   - margins.right() - EXTENSION_PX)

    def _chrome(self) -> int:
        """What the combo draws beside its text: frame, margins and the arrow."""
        combo = self.model_combo
        opt = QStyleOptionComboBox()
        opt.initFrom(combo)
        opt.frame = combo.hasFrame()
        opt.rect = QRect(0, 0, 1000, combo.sizeHint().height())
        field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                             QStyle.SubControl.SC_ComboBoxEditField, combo)
        return 1000 - field.width()

    def fill(self) -> None:
        ws, combo = self.ws, self.model_combo
        self._room = room = self.room()
        combo.setMaximumWidth(room)
        width = room - self._chrome() - 4
        fm = combo.fontMetrics()
        self._choices = list(ws.models) + ([ws.live] if ws.live is not None else [])
        marks = [" *" if m.dirty else "" for m in ws.models]
        texts = [fitted_title(m, fm, width, mark) for m, mark in zip(ws.models, marks)]
        tips = [title(m) + mark for m, mark in zip(ws.models, marks)]
        if ws.live is not None:
            texts.append(tr("training (live)"))
            tips.append(texts[-1])
        current = next((i for i, m in enumerate(self._choices) if m is ws.current), -1)
        combo.blockSignals(True)
        combo.clear()
        for i, (text, tip) in enumerate(zip(texts, tips)):
            combo.addItem(text)
            combo.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
        if current >= 0:
            combo.setCurrentIndex(current)
        combo.blockSignals(False)
        whole = tips[current] + "\n" if current >= 0 else ""
        combo.setToolTip(whole + tr("The model every panel shows"))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.room() != self._room:
            self.fill()

    def _model_chosen(self, index: int) -> None:
        if 0 <= index < len(self._choices):
            self.ws.set_current(self._choices[index])
