"""Search and highlight on the latent canvas: the points whose label matches what is typed ("a",
"ankle boot"), or the k nearest neighbours of a point (Alt+click it), measured in latent space or
in pixel space. The chosen points get rings that follow them while the model trains."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from aegui.qt.i18n import bind_text, on_language, plural, tr

RING_PEN = pg.mkPen((20, 20, 20), width=2.5)
CENTRE_PEN = pg.mkPen((214, 39, 40), width=3)


class SearchBar(QWidget):
    changed = Signal()

    def __init__(self, canvas, parent=None):
        super().__init__(parent)
        self.canvas = canvas
        self.edit = QLineEdit()
        self.edit.setClearButtonEnabled(True)
        bind_text(self, self.edit.setPlaceholderText, "Find label…")
        bind_text(self, self.edit.setToolTip,
                  "Type a label to ring its points; Alt+click a point to ring its nearest neighbours")
        self.k_label = QLabel("k")
        bind_text(self, self.k_label.setToolTip, "Neighbours: k")
        self.k_spin = QSpinBox()
        self.k_spin.setRange(1, 50)
        self.k_spin.setValue(5)
        self.space = QComboBox()
        self.space.addItems(["", ""])
        bind_text(self, lambda t: self.space.setItemText(0, t), "latent")
        bind_text(self, lambda t: self.space.setItemText(1, t), "pixels")
        for w in (self.k_spin, self.space):
            bind_text(self, w.setToolTip,
                      "How many nearest neighbours Alt+click rings, and in which space they are nearest")
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.edit.setMinimumWidth(60)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.edit)
        row = QHBoxLayout()
        for w in (self.k_label, self.k_spin, self.space):
            row.addWidget(w)
        row.addStretch(1)
        lay.addLayout(row)
        self.rings = pg.ScatterPlotItem(size=17, pen=RING_PEN, brush=None)
        self.rings.setZValue(12)
        self.centre = pg.ScatterPlotItem(size=21, pen=CENTRE_PEN, brush=None)
        self.centre.setZValue(12)
        self.marker = pg.ScatterPlotItem(size=20, symbol="star", pen=pg.mkPen((20, 20, 20), width=1.5),
                                         brush=pg.mkBrush(255, 215, 0))
        self.marker.setZValue(13)
        self._mark: np.ndarray | None = None      # a code drawn as a star (the drawing's)
        self.selected = np.zeros(0, np.int64)
        self._centre: int | None = None
        self._codes = np.zeros((0, 0), np.float32)
        self._labels: list[str] = []
        self._images = None
        self.edit.textChanged.connect(self.find)
        self.k_spin.valueChanged.connect(lambda _: self._rerun_neighbours())
        self.space.currentIndexChanged.connect(lambda _: self._rerun_neighbours())
        on_language(self, self._describe)
        self._describe()

    def attach(self, plot) -> None:
        plot.addItem(self.rings, ignoreBounds=True)
        plot.addItem(self.centre, ignoreBounds=True)
        plot.addItem(self.marker, ignoreBounds=True)

    def clear(self) -> None:
        """No search, no rings, no star: what was searched belonged to another model."""
        self.edit.blockSignals(True)
        self.edit.clear()
        self.edit.blockSignals(False)
        self._mark, self._centre = None, None
        self.selected = np.zeros(0, np.int64)
        self.refresh()
        self._describe()
        self.changed.emit()

    def mark(self, z) -> None:
        """Draw code z [L] as a star (None: no star), e.g. the code of what is drawn in the editor."""
        self._mark = None if z is None else np.asarray(z, np.float64).ravel()
        self.refresh()

    # -- data --------------------------------------------------------------------------------
    def set_data(self, codes, labels, images=None) -> None:
        """The canvas's codes [N, L], labels and (for pixel-space neighbours) samples [N, ...]."""
        same = list(labels) == self._labels
        self._codes = np.asarray(codes, np.float32)
        self._labels = list(labels)
        self._images = None if images is None else np.asarray(images).reshape(len(self._labels), -1)
        if not same:
            self.selected, self._centre = np.zeros(0, np.int64), None
            if self.edit.text():
                self.find(self.edit.text())
        elif self._centre is not None and self.space.currentIndex() == 0:
            self._rerun_neighbours()      # latent neighbours change as the codes move
        self.refresh()

    # -- searches ----------------------------------------------------------------------------
    def find(self, text: str) -> np.ndarray:
        """Ring the points whose label is `text` (case-insensitive), else those containing it."""
        text = text.strip()
        self._centre = None
        if not text:
            self.selected = np.zeros(0, np.int64)
        else:
            low = [s.lower() for s in self._labels]
            exact = [i for i, s in enumerate(low) if s == text.lower()]
            self.selected = np.array(exact or [i for i, s in enumerate(low) if text.lower() in s], np.int64)
        self.refresh()
        self._describe()
        self.changed.emit()
        return self.selected

    def neighbours(self, index: int, k: int | None = None, space: str | None = None) -> np.ndarray:
        """Ring the k nearest samples to sample `index` ("latent" or "pixel" space)."""
        if k is not None:
            self.k_spin.blockSignals(True)
            self.k_spin.setValue(int(k))
            self.k_spin.blockSignals(False)
        if space is not None:
            self.space.blockSignals(True)
            self.space.setCurrentIndex(1 if space == "pixel" else 0)
            self.space.blockSignals(False)
        self._centre = int(index)
        self.selected = self._nearest(int(index))
        self.refresh()
        self._describe()
        self.changed.emit()
        return self.selected

    def neighbours_at(self, x: float, y: float, max_px: float = 20.0) -> np.ndarray | None:
        """Alt+click: the neighbours of the dataset point nearest to view point (x, y)."""
        xy = self.canvas.projected_codes()
        if len(xy) == 0:
            return None
        sx, sy = self.canvas.pixel_size()
        d = np.hypot((xy[:, 0] - x) / sx, (xy[:, 1] - y) / sy)
        i = int(np.argmin(d))
        if d[i] > max_px:
            return None
        return self.neighbours(i)

    def _nearest(self, i: int) -> np.ndarray:
        pixel = self.space.currentIndex() == 1 and self._images is not None
        feats = self._images.astype(np.float32) if pixel else self._codes
        if len(feats) < 2:
            return np.zeros(0, np.int64)
        d = np.sum((feats - feats[i]) ** 2, axis=1)
        d[i] = np.inf
        k = min(self.k_spin.value(), len(feats) - 1)
        near = np.argpartition(d, k - 1)[:k]
        return near[np.argsort(d[near], kind="stable")].astype(np.int64)

    def _rerun_neighbours(self) -> None:
        if self._centre is not None and self._centre < len(self._labels):
            self.neighbours(self._centre)

    # -- drawing ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        xy = self.canvas.projected_codes()
        sel = self.selected[self.selected < len(xy)] if len(self.selected) else self.selected
        self.rings.setData(pos=xy[sel] if len(sel) else np.zeros((0, 2)))
        z = self._mark
        # The canvas may already hold codes of another latent size than the star (new model).
        ok = z is not None and len(xy) and z.size == self.canvas.latent_size()
        self.marker.setData(pos=self.canvas.project(z[None]) if ok else np.zeros((0, 2)))
        c = self._centre
        self.centre.setData(pos=xy[[c]] if c is not None and c < len(xy) else np.zeros((0, 2)))

    def _describe(self) -> None:
        text = self.edit.text().strip()
        if self._centre is not None and self._centre < len(self._labels):
            space = tr("in pixel space") if self.space.currentIndex() == 1 else tr("in latent space")
            k, label = len(self.selected), self._labels[self._centre]
            msg = plural(k, tr("1 nearest to '{label}' {space}", label=label, space=space),
                         tr("{k} nearest to '{label}' {space}", k=k, label=label, space=space))
        elif text:
            n = len(self.selected)
            msg = (tr("No label matches '{query}'", query=text) if n == 0 else
                   tr("1 point labelled '{query}'", query=text) if n == 1 else
                   tr("{n} points labelled '{query}'", n=n, query=text))
        else:
            msg = ""
        self.result.setText(msg)
        self.result.setVisible(bool(msg))
