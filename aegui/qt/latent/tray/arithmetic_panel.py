"""Latent arithmetic on the canvas (the course's "concept vectors"): pick three points a, b and c
(samples chosen here or from the map's right-click menu, a spot of the map, a pinned point),
decode a − b + c, show its picture here and its place on the map. The vector math is the core's
(aegui.core.models.latent_arithmetic); the canvas decodes."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from aegui.core.models.latent_arithmetic import analogy, nearest
from aegui.qt.i18n import bind_text, on_language, tr
from aegui.qt.widgets.glyphs.glyph_view import GlyphView

SLOTS = ("a", "b", "c")
RESULT_PEN = pg.mkPen((20, 20, 20), width=1.5)
RESULT_BRUSH = pg.mkBrush(255, 140, 0)
PICK_PEN = pg.mkPen((20, 20, 20), width=1.5)
PICK_BRUSH = pg.mkBrush(255, 255, 255)
ARROW_PEN = pg.mkPen((255, 140, 0), width=2, style=Qt.PenStyle.DotLine)


class ArithmeticPanel(QWidget):
    """Three picks, their pictures, and the decoded a − b + c."""
    changed = Signal()

    def __init__(self, canvas, parent=None):
        super().__init__(parent)
        self.canvas = canvas
        self._picks: dict[str, tuple] = {}     # slot -> ("sample", k) or ("point", z [L], name)
        self.result_z: np.ndarray | None = None
        self.result_image: np.ndarray | None = None
        self._labels: list[str] = []
        self.combos, self.views, self.names = {}, {}, {}
        # Two rows (each pick's name and list, then the pictures): the tray's height is the map's loss.
        grid = QGridLayout(self)
        grid.setContentsMargins(2, 2, 2, 2)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(2)
        for col, slot in enumerate(SLOTS):
            name = QLabel(slot)
            name.setAlignment(Qt.AlignmentFlag.AlignCenter)
            combo = QComboBox()
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(5)
            bind_text(self, combo.setToolTip, "The sample used as {slot}", slot=slot)
            combo.activated.connect(lambda k, s=slot: self.pick_sample(s, k - 1) if k > 0 else self.clear_pick(s))
            view = GlyphView(cell_size=6, grid=False)
            self.combos[slot], self.views[slot], self.names[slot] = combo, view, name
            pick = QHBoxLayout()
            pick.setSpacing(2)
            pick.addWidget(name)
            pick.addWidget(combo, 1)
            grid.addLayout(pick, 0, 2 * col)
            grid.addWidget(view, 1, 2 * col)
            op = QLabel({"a": "−", "b": "+", "c": "="}[slot])
            op.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(op, 1, 2 * col + 1)
        self.result_title = QLabel("a − b + c")
        self.result_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.result_view = GlyphView(cell_size=6, grid=False)
        self.nearest_label = QLabel()
        self.nearest_label.setWordWrap(True)
        self.clear_button = QPushButton(clicked=lambda: self.clear())
        bind_text(self, self.clear_button.setText, "Empty")
        bind_text(self, self.clear_button.setToolTip, "Forget a, b and c.")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        bind_text(self, self.hint.setText, "Pick a, b and c here, or right-click the map: a − b + c adds the step "
                                           "from b to a to c (a concept vector).")
        grid.addWidget(self.result_title, 0, 6)
        grid.addWidget(self.result_view, 1, 6)
        grid.addWidget(self.clear_button, 0, 7, Qt.AlignmentFlag.AlignLeft)
        notes = QVBoxLayout()
        notes.setSpacing(0)
        notes.addWidget(self.nearest_label)
        notes.addWidget(self.hint, 1)
        grid.addLayout(notes, 1, 7)
        grid.setColumnStretch(7, 1)
        # On the map: a, b, c as labelled rings, the result as a diamond, the step c -> result.
        self.pick_item = pg.ScatterPlotItem(size=15, symbol="o", pen=PICK_PEN, brush=PICK_BRUSH)
        self.result_item = pg.ScatterPlotItem(size=17, symbol="d", pen=RESULT_PEN, brush=RESULT_BRUSH)
        self.arrow_item = pg.PlotDataItem(pen=ARROW_PEN)
        self.texts = {s: pg.TextItem(s, color=(20, 20, 20), anchor=(0.5, 0.5)) for s in SLOTS}
        for z, it in ((10, self.arrow_item), (10, self.pick_item), (11, self.result_item)):
            it.setZValue(z)
            canvas.plot.addItem(it, ignoreBounds=True)
        for t in self.texts.values():
            t.setZValue(12)
            canvas.plot.addItem(t, ignoreBounds=True)
        on_language(self, self._name_custom_items)
        on_language(self, self._describe)
        self._show()

    # -- the picks -------------------------------------------------------------------------------
    def set_labels(self, labels: list[str]) -> None:
        """The samples of the model now on the canvas; picks of samples beyond them are dropped."""
        self._labels = list(labels)
        for slot, pick in list(self._picks.items()):
            if pick[0] == "sample" and pick[1] >= len(labels):
                del self._picks[slot]
        for slot, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self._custom_text(slot))
            combo.addItems(self._labels)
            combo.blockSignals(False)
        self.refresh()

    def pick(self, slot: str, sample: int | None = None, at=None, z=None, name: str = "") -> None:
        """Use a sample (its index), a spot of the map (view x, y) or a code z (a pinned point) as
        `slot`, and show the panel (the map's and the tray's menus)."""
        c = self.canvas
        if not c.state.ready():
            return
        if sample is not None:
            self.pick_sample(slot, sample)
        elif at is not None:
            self.pick_point(slot, c.lift(*at), tr("point"))
        else:
            self.pick_point(slot, z, name)
        c.show_tray(self)

    def pick_sample(self, slot: str, k: int) -> None:
        self._picks[slot] = ("sample", int(k))
        self.refresh()
        self._result_into_view()

    def pick_point(self, slot: str, z, name: str) -> None:
        """A spot of the map or a pinned point (its code z [L]) as `slot`."""
        self._picks[slot] = ("point", np.asarray(z, np.float32).ravel().copy(), str(name))
        self.refresh()
        self._result_into_view()

    def _result_into_view(self) -> None:
        """A result the user's pick made is brought into view where it lands outside (only then: a
        refresh for new weights of the same model leaves the view alone)."""
        xy = self.result_on_map()
        if xy is not None:
            self.canvas.follow.bring_into_view(float(xy[0]), float(xy[1]))

    def clear_pick(self, slot: str) -> None:
        self._picks.pop(slot, None)
        self.refresh()

    def clear(self) -> None:
        self._picks.clear()
        self.refresh()

    def has_picks(self) -> bool:
        return bool(self._picks)

    def code(self, slot: str) -> np.ndarray | None:
        pick = self._picks.get(slot)
        codes = self.canvas.state.codes
        if pick is None:
            return None
        z = codes[pick[1]] if pick[0] == "sample" else pick[1]
        return z if len(z) == self.canvas.latent_size() else None

    def state(self) -> dict:
        return {slot: pick for slot, pick in self._picks.items()}

    def set_state(self, state: dict) -> None:
        self._picks = dict(state or {})
        self.refresh()

    # -- computing and showing -------------------------------------------------------------------
    def refresh(self) -> None:
        """Decode the picks and a − b + c with the model on the canvas now."""
        c = self.canvas
        zs = {s: self.code(s) for s in SLOTS}
        ready = c.state.ready()
        self.result_z = self.result_image = None
        images = {}
        if ready:
            known = [s for s in SLOTS if zs[s] is not None]
            if len(known) == 3:
                self.result_z = analogy(zs["a"], zs["b"], zs["c"])
            batch = [zs[s] for s in known] + ([self.result_z] if self.result_z is not None else [])
            if batch:
                out = c.state.decode(np.stack(batch).astype(np.float32))
                images = dict(zip(known, out))
                if self.result_z is not None:
                    self.result_image = out[-1]
        for slot in SLOTS:
            self.views[slot].set_image(images.get(slot))
        self.result_view.set_image(self.result_image)
        self._show()
        self.changed.emit()

    def _show(self) -> None:
        self._name_custom_items()
        for slot, combo in self.combos.items():
            pick = self._picks.get(slot)
            combo.blockSignals(True)
            combo.setCurrentIndex(pick[1] + 1 if pick and pick[0] == "sample" else 0)
            combo.blockSignals(False)
        self.update_marks()
        self._describe()

    def _name_custom_items(self) -> None:
        """Each list's first item: the point picked (a spot, a pin) or "(choose)"."""
        for slot, combo in self.combos.items():
            if combo.count():
                combo.setItemText(0, self._custom_text(slot))

    def _custom_text(self, slot: str) -> str:
        pick = self._picks.get(slot)
        return pick[2] if pick and pick[0] == "point" else tr("(choose)")

    def _describe(self) -> None:
        if self.result_z is None:
            self.nearest_label.setText("")
            return
        exclude = [p[1] for p in self._picks.values() if p[0] == "sample"]
        k = nearest(self.canvas.state.codes, self.result_z, exclude)
        self.nearest_label.setText(tr("nearest: {label}", label=self._labels[k]) if k is not None
                                   and k < len(self._labels) else "")

    def update_marks(self) -> None:
        """Where a, b, c and the result are in the canvas's projection (it may turn or change)."""
        c = self.canvas
        picked = [(s, self.code(s)) for s in SLOTS]
        picked = [(s, z) for s, z in picked if z is not None]
        xy = c.project(np.stack([z for _, z in picked])) if picked else np.zeros((0, 2))
        self.pick_item.setData(pos=xy)
        for slot, text in self.texts.items():
            text.hide()
        for (slot, _), (x, y) in zip(picked, xy):
            self.texts[slot].setPos(float(x), float(y))
            self.texts[slot].show()
        if self.result_z is not None and "c" in dict(picked):
            r = c.project(self.result_z[None])[0]
            start = c.project(dict(picked)["c"][None])[0]
            self.result_item.setData(pos=r[None])
            self.arrow_item.setData([start[0], r[0]], [start[1], r[1]])
        else:
            self.result_item.setData(pos=np.zeros((0, 2)))
            self.arrow_item.setData([], [])

    def result_on_map(self) -> np.ndarray | None:
        """Where the result is drawn: view coordinates [2], or None."""
        pts = self.result_item.data
        return None if len(pts) == 0 else np.array([pts[0]["x"], pts[0]["y"]])
