"""Follow the codes: while a model trains its codes can grow from ±3 to ±100 (or shrink to a
speck); with "Follow the codes" ticked the canvas's view fits them again whenever points leave it
or crowd into a small part of it. A run starts with it ticked; the user moving the view (a drag,
the wheel) unticks it, and the status bar says so: from then on the view is theirs, kept unless
no point is left in it.

A point the user's action put on the map (the latent arithmetic's a − b + c) is brought into view
when it lands outside: the view grows just enough to show it, keeping what it showed."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QCheckBox

from aegui.qt.i18n import bind_text

CROWDED = 0.35      # the codes span less than this share of the view, both ways: fit them again
MARGIN_PX = 24      # a point brought into view stands this far inside the view's edge (its mark, whole)


class ViewFollow(QObject):
    def __init__(self, canvas):
        super().__init__(canvas)
        self.canvas = canvas
        self.check = QCheckBox()
        bind_text(self, self.check.setText, "Follow the codes")
        bind_text(self, self.check.setToolTip, "Fit the view to the codes as they move while training. Moving "
                                               "the view yourself (drag, wheel) turns it off.")
        self.check.setChecked(True)
        self.check.toggled.connect(self._toggled)
        canvas.vb.sigRangeChangedManually.connect(self._user_moved)

    def following(self) -> bool:
        return self.check.isChecked()

    def run_started(self) -> None:
        """A run's codes are on the canvas: they move, follow them (on by default while training)."""
        self.check.setChecked(True)

    def needs_fit(self, xy: np.ndarray, view) -> bool:
        """Whether the view (x0, x1), (y0, y1) must be fitted to points xy [N, 2] again."""
        if len(xy) == 0:
            return False
        (x0, x1), (y0, y1) = view
        inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
        if not self.following():
            return not inside.any()           # a view the user chose, unless it shows nothing
        span = (xy.max(0) - xy.min(0)) / np.maximum([x1 - x0, y1 - y0], 1e-12)
        return not inside.all() or bool((span < CROWDED).all())

    def bring_into_view(self, x: float, y: float) -> bool:
        """Widen the view to show view point (x, y) MARGIN_PX inside its edge, keeping all it showed;
        whether it had to."""
        vb = self.canvas.vb
        (x0, x1), (y0, y1) = vb.viewRange()
        sx, sy = self.canvas.pixel_size()
        mx, my = MARGIN_PX * sx, MARGIN_PX * sy
        if x0 + mx <= x <= x1 - mx and y0 + my <= y <= y1 - my:
            return False
        # The margin in the units of the view to come: it is wider, each pixel worth more.
        w, h = max(x1, x) - min(x0, x), max(y1, y) - min(y0, y)
        mx, my = mx * w / max(x1 - x0, 1e-12), my * h / max(y1 - y0, 1e-12)
        vb.setRange(xRange=(min(x0, x - mx), max(x1, x + mx)), yRange=(min(y0, y - my), max(y1, y + my)), padding=0)
        return True

    def _user_moved(self, *_) -> None:
        if self.following():
            self.check.setChecked(False)
            ws = self.canvas.workspace
            if ws is not None:
                ws.tell("Follow the codes is off: you moved the view. Tick it to follow them again.")

    def _toggled(self, on: bool) -> None:
        if on:
            self.canvas.reset_view()
