"""A callout: a note floating over the window beside what it points at, an arrow toward it, its
own buttons. Its colours are its own in both themes (the dark theme's light button text on the
note's light yellow could not be read).

A callout that is shown holds still: it is placed again only when it stops being valid (its target
moved, or it now covers a control or another callout). Placed again on every layout pass, a hint
jumped onto the spot the user was about to click."""
from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from aegui.qt.guide.spots import GAP, MARGIN, first_free, inside, least_covering, side_of, spots
from aegui.qt.i18n import tr

NEAR = (-40, -40, 40, 40)    # px: a callout this close to its target is beside it
REACH = 250                  # px: a free spot this near a tour's target beats covering a control
ARROWS = {"right": "◀ ", "left": "▶ ", "below": "▲ ", "above": "▼ ", "inside": "",
          # a callout below and right of its target (all nearer spots taken) points up and left
          "below right": "◤ ", "below left": "◥ ", "above right": "◣ ", "above left": "◢ "}
STYLE = ("#callout { background: #fffbe6; border: 2px solid #e0a800; border-radius: 6px; }"
         "#callout QLabel { color: #3a2d00; }"
         "#callout QPushButton { color: #3a2d00; background: #ffeaa0; border: 1px solid #c9a227;"
         " border-radius: 3px; padding: 3px 10px; }"
         "#callout QPushButton:flat { background: transparent; border: none; text-decoration: underline; }"
         "#callout QPushButton:disabled { color: #8a7a4a; background: #fff4cc; border-color: #e3cf8a; }")


class Callout(QFrame):
    """`text` is English, shown through tr(); buttons are added by the owner (add_button)."""

    def __init__(self, parent: QWidget, text: str = "", width: tuple[int, int] = (200, 250)):
        super().__init__(parent)
        self.text = text
        self.side = "inside"
        self.target_rect: QRect | None = None      # where its target was when it was placed
        self._fitted: tuple = ()                    # the texts and font it was last sized for
        self.setObjectName("callout")
        self.setStyleSheet(STYLE)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setMinimumWidth(width[0])
        self.label.setMaximumWidth(width[1])
        self.row = QHBoxLayout()
        self.row.addStretch(1)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(10, 8, 10, 8)
        self.column.addWidget(self.label)
        self.column.addLayout(self.row)

    def add_button(self, flat: bool = False) -> QPushButton:
        button = QPushButton()
        button.setFlat(flat)
        self.row.addWidget(button)
        return button

    def show_text(self) -> None:
        """The text in the current language, after the arrow toward the target; sized to it."""
        self.label.setText(ARROWS[self.side] + tr(self.text))
        self.fit()

    def fit(self) -> None:
        """As big as its texts need: every wrapped line of the label (adjustSize kept a height cached
        before a new arrow rewrapped the text, and cut its last line). The layout is invalidated only
        when a text or the font changed: invalidating it asks the window for a layout pass, which
        placed the hints again, which fitted them again, 70 times a second while the app sat idle."""
        lay = self.layout()
        texts = (self.label.text(), self.font().key(),
                 tuple(b.text() for b in self.findChildren(QPushButton)))
        if texts != self._fitted:
            self._fitted = texts
            lay.invalidate()
        lay.activate()
        w = self.sizeHint().width()
        self.resize(w, lay.totalHeightForWidth(w) if lay.hasHeightForWidth() else self.sizeHint().height())

    def still_fits(self, target: QRect, avoid: list[QRect]) -> bool:
        """Inside the window, meeting none of `avoid`, and where it was put for this target: the
        target has not moved, or it has only grown or shrunk and the callout is still on the same
        side of it, close by (the map giving room to its tray keeps the map's hint where it was)."""
        r, before = self.geometry(), self.target_rect
        if before is None or not inside(self.parentWidget(), r) or any(r.intersects(a) for a in avoid):
            return False
        return before == target or (side_of(r, target) == self.side and r.intersects(target.adjusted(*NEAR)))

    def place(self, target: QRect, avoid: list[QRect], never: list[QRect] | None = None) -> QRect:
        """Beside `target`, meeting none of `avoid` (then anywhere, nearest first). Given `never`
        (what it must not meet even when all else is taken), a spot right beside the target that
        meets the fewest of `avoid` comes before a free spot far from it. The rectangle taken."""
        self.fit()
        win = self.parentWidget()
        for _ in range(3):      # a new arrow can rewrap the text: look again with the new size
            w, h = self.width(), self.height()
            if never is None:
                spot = first_free(spots(win, target, w, h), avoid)
            else:
                spot = (first_free(spots(win, target, w, h, far=False, reach=REACH), avoid)
                        or least_covering(spots(win, target, w, h, far=False), avoid, never)
                        or first_free(spots(win, target, w, h), never))
            side, r = spot or ("inside", QRect(max(MARGIN, target.left() + GAP), max(MARGIN, target.top() + GAP), w, h))
            if side != self.side:
                self.side = side
                self.show_text()
            if self.size() == r.size():
                break
        self.move(r.topLeft())
        self.target_rect = QRect(target)
        return self.geometry()
