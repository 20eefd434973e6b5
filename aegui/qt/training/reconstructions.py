"""Every sample next to its reconstruction, with the wrong pixels marked.

During training `update_recon` runs for each progress tick, so it only pushes new arrays
into existing GlyphViews; cells are created by `set_data` alone, and the grid is re-flowed
only when the set of visible cells or the column count changes. Big datasets (MNIST) show
MAX_CELLS samples spread over the set, so the panel stays quick.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox, QFileDialog, QFrame, QGridLayout, QHBoxLayout, QLabel, QMessageBox, QPushButton, QScrollArea,
    QSizePolicy, QVBoxLayout, QWidget,
)

from aegui.qt.i18n import bind_text, on_language, plural, tr
from aegui.qt.widgets.glyphs.glyph_view import GlyphView
from aegui.qt.widgets.layout_items import empty_layout
from aegui.qt.widgets.glyphs.marks import WRONG, Swatch, color
from aegui.qt.widgets.text.pieces import write_explained

THRESHOLD = 0.5
MAX_CELLS = 300          # two picture widgets each; more would make every training tick slow
FIGURE_SAMPLES = 24      # samples in an exported reconstruction grid
# Target height of one picture in pixels; glyphs get 10 px cells, a 28x28 image 2-3 px.
PICTURE_PX = 70

_CELL_OK = "QFrame#reconCell { border: 1px solid palette(mid); border-radius: 3px; }"
_CELL_BAD = "QFrame#reconCell { border: 1px solid %s; border-radius: 3px; }" % color(WRONG).name()


def wrong_pixels(originals: np.ndarray, recon: np.ndarray) -> np.ndarray:
    """Bool [N, H, W]: where thresholding at 0.5 disagrees (any channel, for RGB)."""
    wrong = (np.asarray(originals) > THRESHOLD) != (np.asarray(recon) > THRESHOLD)
    if wrong.ndim == 4:
        wrong = wrong.any(axis=-1)
    return wrong


class _Cell(QFrame):
    def __init__(self, cell_px: int, parent=None):
        super().__init__(parent)
        self.setObjectName("reconCell")
        self.setStyleSheet(_CELL_OK)
        self.bad = False
        self.original = GlyphView(cell_size=cell_px)
        self.recon = GlyphView(cell_size=cell_px)
        for view in (self.original, self.recon):
            # Each at its size hint, so both pictures come out the same size whatever the captions.
            view.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(4)
        lay.addWidget(self.original)
        lay.addWidget(self.recon)

    def set_bad(self, bad: bool) -> None:
        if bad != self.bad:  # re-polishing a stylesheet is not free; only on change
            self.bad = bad
            self.setStyleSheet(_CELL_BAD if bad else _CELL_OK)


class ReconstructionsPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._labels: list[str] = []
        self._originals: np.ndarray | None = None
        self._recon: np.ndarray | None = None
        self._counts = np.zeros(0, dtype=int)
        self._shape: tuple[int, ...] = ()
        self._shown = np.zeros(0, dtype=int)     # dataset indices of the cells
        self._total = 0
        self.cells: list[_Cell] = []
        self._placed: tuple[int, tuple[int, ...]] | None = None  # (columns, visible indices)

        self.only_wrong = QCheckBox()
        bind_text(self, self.only_wrong.setText, "Show only wrong")
        self.only_wrong.toggled.connect(self._reflow)
        self.show_marks = QCheckBox()
        self.show_marks.setChecked(True)
        self.show_marks.toggled.connect(self._apply_marks_visible)
        bind_text(self, self.show_marks.setText, "Mark wrong pixels")
        bind_text(self, self.show_marks.setToolTip, "Pixels on the other side of 0.5 than in the original (any "
                  "channel). On by default for black-and-white data, where it is the measure that matters.")
        self.summary = QLabel()
        self.summary.setWordWrap(True)   # long in Spanish; must not widen the dock
        self.summary.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.export_button = QPushButton()
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._export_clicked)
        bind_text(self, self.export_button.setText, "Export grid PNG...")
        bind_text(self, self.export_button.setToolTip, "The shown samples (up to {n}) above their reconstructions, "
                  "as a PNG for a report.", n=FIGURE_SAMPLES)
        top = QHBoxLayout()
        top.addWidget(self.only_wrong)
        top.addWidget(self.show_marks)
        self.swatch = Swatch(WRONG)     # the legend of the marks: the colour "wrong" has everywhere
        top.addWidget(self.swatch)
        top.addWidget(self.summary, 1)
        top.addWidget(self.export_button)

        self._host = QWidget()
        self._grid = QGridLayout(self._host)
        self._grid.setContentsMargins(4, 4, 4, 4)
        self._grid.setSpacing(6)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self._host)
        self.scroll_area.viewport().installEventFilter(self)
        self._cell_w = 1

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.scroll_area, 1)

        on_language(self, self._show_counts)
        self._show_counts()

    # -- public API -------------------------------------------------------------------------
    def bind(self, workspace) -> None:
        """Show the workspace's current model: its samples and their reconstructions (computed
        where the model is, never here); the one on screen already, when the panel is built later."""
        workspace.current_changed.connect(self._show_model)
        workspace.current_updated.connect(lambda model: self.update_recon(model.view.reconstructions))
        self._show_model(workspace.current, None)

    def _show_model(self, model, previous) -> None:
        if model is None or model.view is None:
            return
        if previous is None or previous.dataset is not model.dataset:
            shown = model.shown
            self.set_data(shown.labels, shown.images(), model.view.reconstructions)
        else:
            self.update_recon(model.view.reconstructions)

    def set_data(self, labels, originals: np.ndarray, recon: np.ndarray | None = None) -> None:
        """labels [N]; originals [N, H, W] or [N, H, W, 3|4] in [0, 1]; recon alike or None.
        With more than MAX_CELLS samples, that many spread evenly over the set are shown."""
        originals = np.asarray(originals, dtype=np.float32)
        if originals.ndim not in (3, 4) or (originals.ndim == 4 and originals.shape[-1] not in (3, 4)):
            raise ValueError(f"originals must be [N, H, W] or [N, H, W, 3|4], got {originals.shape}")
        labels = [str(s) for s in labels]
        if len(labels) != len(originals):
            raise ValueError(f"{len(labels)} labels for {len(originals)} samples")
        self._total = len(originals)
        self._shown = (np.arange(min(self._total, MAX_CELLS)) * self._total) // max(1, min(self._total, MAX_CELLS))
        originals = originals[self._shown]
        labels = [labels[i] for i in self._shown]
        n = originals.shape[0]
        shape = originals.shape[1:]
        if len(self.cells) != n or shape[:2] != self._shape[:2]:
            self._rebuild(n, shape)
            # Thresholded pixels say little about grey or colour pictures; tinting them hides
            # the reconstruction, so marks start off there.
            self.show_marks.setChecked(bool(np.isin(originals, (0.0, 1.0)).all()))
        self._shape = shape
        self._labels = labels
        self._originals = originals
        for cell, img, label in zip(self.cells, originals, labels):
            cell.original.set_image(img)
            # Long names (emoji) would make every cell as wide as the longest: cut them.
            room = max(56, int(cell.original.sizeHint().width() * 1.3))
            short = cell.original.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight, room)
            cell.original.set_caption(short)
            cell.original.setToolTip(label if short != label else "")
        self._recon = None
        self.update_recon(recon)
        # Widest cell decides the column count; captions barely change while training.
        self._cell_w = max((c.sizeHint().width() for c in self.cells), default=1)
        self._reflow()

    def update_recon(self, recon: np.ndarray | None) -> None:
        """New reconstructions for the same samples; [N, D] is reshaped to the originals'."""
        if self._originals is None:
            return
        n = len(self.cells)
        if recon is not None:
            recon = np.asarray(recon, dtype=np.float32).reshape(self._total, *self._shape)[self._shown]
        if recon is None:
            self._recon = None
            self._counts = np.zeros(n, dtype=int)
            for cell in self.cells:
                cell.recon.set_image(None)
                cell.set_bad(False)
        else:
            marks = wrong_pixels(self._originals, recon)
            counts = marks.reshape(n, -1).sum(axis=1)
            for cell, img, m, c in zip(self.cells, recon, marks, counts):
                cell.recon.set_image(img, m, meaning=WRONG)
                cell.recon.set_marks_visible(self.show_marks.isChecked())
                cell.set_bad(c > 0)
            self._recon = recon
            self._counts = counts.astype(int)
        self._show_counts()
        self.export_button.setEnabled(self._recon is not None and n > 0)
        self._reflow()

    def shown_indices(self) -> np.ndarray:
        """Dataset index of each cell (all of them unless the set is bigger than MAX_CELLS)."""
        return self._shown.copy()

    def figure(self, max_samples: int = FIGURE_SAMPLES):
        """The visible samples (in panel order, up to max_samples) above their reconstructions,
        as a PIL image (see figures.reconstruction_grid); None before there are any."""
        from aegui.core.analyses.figures import reconstruction_grid  # Pillow only when a figure is made
        idx = self.visible_indices()[:max_samples]
        if self._recon is None or not idx:
            return None
        return reconstruction_grid(self._originals[idx], self._recon[idx], [self._labels[i] for i in idx],
                                   titles=(tr("original"), tr("reconstruction")))

    def export_grid(self, path, max_samples: int = FIGURE_SAMPLES) -> bool:
        fig = self.figure(max_samples)
        if fig is None:
            return False
        write_explained(path, lambda: fig.save(str(path), format="PNG"))
        return True

    def _apply_marks_visible(self, on: bool) -> None:
        for cell in self.cells:
            cell.recon.set_marks_visible(on)

    def _export_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Export reconstruction grid"), "reconstructions.png",
                                              tr("PNG images (*.png)"))
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        try:
            self.export_grid(path)
        except OSError as e:
            QMessageBox.warning(self, tr("Export reconstruction grid"), str(e))

    def wrong_counts(self) -> np.ndarray:
        return self._counts.copy()

    def visible_indices(self) -> list[int]:
        if self.only_wrong.isChecked() and self._recon is not None:
            return [i for i, c in enumerate(self._counts) if c > 0]
        return list(range(len(self.cells)))

    # -- texts made from the counts ---------------------------------------------------------
    def _show_counts(self) -> None:
        """Each reconstruction's caption (its wrong pixels) and the summary line."""
        if self._recon is None:
            for cell in self.cells:
                cell.recon.set_caption("–")
        else:
            for cell, c in zip(self.cells, self._counts):
                cell.recon.set_caption(plural(c, tr("1 wrong"), tr("{n} wrong", n=int(c))))
        self._update_summary()

    # -- internals --------------------------------------------------------------------------
    def _rebuild(self, n: int, shape: tuple[int, ...]) -> None:
        empty_layout(self._grid)     # it holds the cells only
        for cell in self.cells:
            cell.hide()  # deleteLater waits for the event loop; don't show it meanwhile
            cell.setParent(None)
            cell.deleteLater()
        px = max(1, round(PICTURE_PX / max(shape[0], shape[1] * 0.8)))
        self.cells = [_Cell(px, self._host) for _ in range(n)]
        self._placed = None

    def _update_summary(self) -> None:
        n = len(self.cells)
        if n == 0:
            text = tr("No samples.")
        elif self._recon is None:
            text = plural(n, tr("1 sample"), tr("{n} samples", n=n))
        else:
            bad = int((self._counts > 0).sum())
            pixels = int(self._counts.sum())
            text = (plural(n, tr("{bad} of 1 sample wrong", bad=bad), tr("{bad} of {n} samples wrong", bad=bad, n=n))
                    + " · " + plural(pixels, tr("1 wrong pixel in total"), tr("{n} wrong pixels in total", n=pixels)))
        if n < self._total:
            text += " (" + tr("showing {shown} of {total}", shown=n, total=self._total) + ")"
        self.summary.setText(text)

    def _columns(self) -> int:
        if not self.cells:
            return 1
        m = self._grid.contentsMargins()
        avail = self.scroll_area.viewport().width() - m.left() - m.right() + self._grid.horizontalSpacing()
        return max(1, avail // (self._cell_w + self._grid.horizontalSpacing()))

    def _reflow(self, *_) -> None:
        visible = tuple(self.visible_indices())
        cols = self._columns()
        if self._placed == (cols, visible):
            return
        empty_layout(self._grid)
        shown = set(visible)
        for pos, i in enumerate(visible):
            self._grid.addWidget(self.cells[i], pos // cols, pos % cols)
        for i, cell in enumerate(self.cells):
            cell.setVisible(i in shown)
        self._placed = (cols, visible)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.scroll_area.viewport() and event.type() == QEvent.Type.Resize:
            self._reflow()
        return super().eventFilter(obj, event)
