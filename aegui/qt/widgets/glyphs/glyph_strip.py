"""A row of small glyph views, each under its title (and over a note, where a panel asks for one):
the pixel editor's previews, the Compare panel's hovered sample, the Explain panel's pictures.

Titles and notes are labels in one grid rather than view captions, so the glyphs share a row and
stay the same size whatever the text. The views draw at one scale, the largest every view has
room for (a column with a short title would draw its glyph bigger than its neighbours), never
above `cap()`; shared again whenever a view's room changes."""
from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from aegui.qt.i18n import on_language, tr
from aegui.qt.widgets.glyphs.glyph_view import GlyphView

TOP = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
BOTTOM = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom


class GlyphStrip(QWidget):
    """`count` GlyphViews in a row, `titles` above them (and `notes` below when asked).

    `text_lines`: each title and note that many lines high whatever it says, so a text that
    rewraps moves nothing (0: as high as the text). `view_align`: where a view smaller than its
    column sits in it. `cap()`: the most screen pixels per glyph pixel (None: no cap)."""

    def __init__(self, count: int, cell_size: float, *, notes: bool = False, text_lines: int = 0,
                 title_align=BOTTOM, view_align=Qt.AlignmentFlag(0),
                 cap: Callable[[], float] | None = None, parent=None):
        super().__init__(parent)
        self._cap = cap
        self._text_lines = text_lines
        self._english: tuple[str, ...] | None = None     # the titles set by set_titles, in English
        self.views = [GlyphView(cell_size=cell_size) for _ in range(count)]
        self.titles = [self._label(title_align) for _ in range(count)]
        self.notes = [self._label(TOP) for _ in range(count)] if notes else []
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for col, (title, view) in enumerate(zip(self.titles, self.views)):
            grid.addWidget(title, 0, col)
            grid.addWidget(view, 1, col, view_align)
            if notes:
                grid.addWidget(self.notes[col], 2, col)
            grid.setColumnStretch(col, 1)
            view.installEventFilter(self)       # its room changes with the strip's width: share again
        self._share = QTimer(self, singleShot=True, interval=0)    # after the layout settles
        self._share.timeout.connect(self.share_scale)
        self._fit_text_rows()
        on_language(self, self._write_titles)

    def _label(self, align) -> QLabel:
        label = QLabel(wordWrap=True, alignment=align)
        if self._text_lines:
            # The whole column's width, not the glyph's under it ("1 changed" wrapped in a wide column).
            label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return label

    # -- titles ------------------------------------------------------------------------------
    def set_titles(self, english: Sequence[str]) -> None:
        """Titles given in English (translated now and after every change of language); the
        columns beyond them are hidden."""
        self._english = tuple(english)
        for i, (title, view) in enumerate(zip(self.titles, self.views)):
            on = i < len(self._english)
            title.setVisible(on)
            view.setVisible(on)
            for note in self.notes[i:i + 1]:
                note.setVisible(on)
        self._write_titles()

    def _write_titles(self) -> None:
        for title, english in zip(self.titles, self._english or ()):
            title.setText(tr(english))

    def _fit_text_rows(self) -> None:
        if self._text_lines:
            for label in (*self.titles, *self.notes):
                label.setFixedHeight(self._text_lines * label.fontMetrics().lineSpacing())

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_text_rows()

    # -- one scale ---------------------------------------------------------------------------
    def share_scale_later(self) -> None:
        """Share the scale once the layout settles (the cap may have changed: the panel's resize)."""
        self._share.start()

    def share_scale(self) -> None:
        shown = [v for v in self.views if not v.isHidden()]
        scales = [v.fit_scale() for v in shown] + ([self._cap()] if self._cap is not None else [])
        scale = min(scales) if scales else None
        for view in self.views:
            view.set_max_scale(scale)

    def scale(self) -> float:
        """The screen pixels per glyph pixel the views draw at."""
        return max((v.scale() for v in self.views if not v.isHidden()), default=0.0)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize and watched in self.views:
            self._share.start()
        return super().eventFilter(watched, event)
