"""Compare two models of the workspace: choose any two of the same data shape (a
sentence says why not otherwise); their latent maps side by side with linked hover (the sample
under the cursor on one map is ringed on both, and shown with both models' outputs), the same
inputs' reconstructions from both, and their metrics in one table with the better value marked.
Export PNG writes all of it as one picture. aegui.core.analyses.compare.two_models runs on a worker."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QBoxLayout, QComboBox, QFileDialog, QGridLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout,
                               QWidget)

from aegui.core.data.dataset import spread_indices
from aegui.qt.compare.latent_pair import LatentPair
from aegui.qt.compare.metrics_table import MetricsTable
from aegui.qt.i18n import bind_text, number, on_language, plural, tr
from aegui.qt.models.names import title
from aegui.qt.workers.threads import Latest
from aegui.qt.widgets.glyphs.glyph_strip import GlyphStrip
from aegui.qt.widgets.glyphs.glyph_view import GlyphView
from aegui.qt.widgets.glyphs.marks import WRONG, MarkLegend
from aegui.qt.widgets.text.note import NoteLabel

SIDE_BY_SIDE = 760  # px: from this width on, the maps sit beside the reconstructions and the table
STRIP = 12          # samples in the reconstruction rows (spread over the data)
GAP = 0.12          # grey ink between tiles of a glyph row (0 is paper, 1 is ink)
ROWS = ("Input", "A", "B")    # the input, then each model's output ("A" and "B" are names)


def compare_models(a, b, names):
    """compare() for a worker thread: A's data, both models' outputs and codes; the wrong pixels
    on the samples A trained on and on those it held out for validation apart, as its name's
    "— 0 px" counts the training set only."""
    from aegui.core.analyses.compare.two_models import compare, held_out_mask
    return compare(a.model, a.experiment, b.model, b.experiment, data=a.dataset, names=names,
                   held_out=held_out_mask(a.experiment, len(a.dataset)))


def sample_shape(model) -> tuple:
    """The shape of a sample as compare() takes it: (H, W) for grey pictures."""
    shape = tuple(model.shape)
    return shape[:2] if len(shape) == 3 and shape[2] == 1 else shape


def describe_shape(shape) -> str:
    if tuple(shape) == (7, 5):
        return tr("5x7 glyphs")
    if len(shape) == 1:
        return plural(shape[0], tr("1 value per sample"), tr("{n} values per sample", n=shape[0]))
    colour = {3: "RGB", 4: "RGBA"}.get(shape[2], "") if len(shape) == 3 else tr("grey")
    return tr("{h}x{w} {colour} pictures", h=shape[0], w=shape[1], colour=colour)


def strip_image(samples: np.ndarray, shape, wrong=None):
    """Tiles side by side with a one-pixel gap: (image in [0, 1], marks or None)."""
    tiles = samples.reshape((len(samples),) + tuple(shape))
    n, h, w = tiles.shape[:3]
    gray = tiles.ndim == 3
    img = np.full((h, n * (w + 1) - 1) + tiles.shape[3:], GAP if gray else 0.8, np.float32)
    marks = np.zeros((h, img.shape[1]), bool) if wrong is not None else None
    for k in range(n):
        img[:, k * (w + 1):k * (w + 1) + w] = tiles[k]
        if marks is not None:
            marks[:, k * (w + 1):k * (w + 1) + w] = wrong[k].reshape(h, w)
    return img, marks


class ComparePanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.comparison = None
        self._ws = None
        self._pair: tuple | None = None        # the two TrainedModels compared
        self._stale = False
        self._message: tuple[str, dict, str] | None = None
        self._jobs = Latest(self)
        self._build()
        # The models' names (in today's language) and what is shown, once the texts are.
        on_language(self, self._fill_choosers)
        on_language(self, self._show)
        self._fill_choosers()
        self._show()

    def _build(self) -> None:
        self.a_label, self.b_label = QLabel("A"), QLabel("B")
        self.choosers = (QComboBox(), QComboBox())
        for box in self.choosers:
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(12)
            box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.swap_button = QPushButton(clicked=self.swap)
        bind_text(self, self.swap_button.setText, "Swap")
        self.export_button = QPushButton(clicked=self._export_clicked)
        bind_text(self, self.export_button.setText, "Export PNG...")
        bind_text(self, self.export_button.setToolTip, "The maps, the reconstructions and the table as one picture")
        top = QGridLayout()
        top.addWidget(self.a_label, 0, 0)
        top.addWidget(self.choosers[0], 0, 1)
        top.addWidget(self.swap_button, 0, 2)
        top.addWidget(self.b_label, 1, 0)
        top.addWidget(self.choosers[1], 1, 1)
        top.addWidget(self.export_button, 1, 2)
        top.setColumnStretch(1, 1)
        self.note = NoteLabel("warning")
        self.note.hide()

        # Everything below the choosers is the exported picture.
        self.content = QWidget()
        self.heading = QLabel(wordWrap=True)
        self.maps = LatentPair()
        self.maps.hovered.connect(self._show_hovered)
        self.hint = QLabel(wordWrap=True)
        bind_text(self, self.hint.setText, "Hover a map: the sample nearest the cursor is ringed on both maps and "
                                           "shown below with both models' outputs.")
        # The sample under the cursor and both models' outputs, titled with what they got right.
        self.under = GlyphStrip(len(ROWS), 8, title_align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                                view_align=Qt.AlignmentFlag.AlignLeft)
        self.under_titles, self.under_views = self.under.titles, self.under.views
        self.recon_title = QLabel(wordWrap=True)
        bind_text(self, self.recon_title.setText, "The same inputs, reconstructed by both (wrong pixels in red)")
        self.row_labels = [QLabel() for _ in ROWS]
        bind_text(self, self.row_labels[0].setText, "Input")
        for label, text in zip(self.row_labels[1:], ROWS[1:]):
            label.setText(text)     # names, not words: the same in every language
        self.rows = [GlyphView(cell_size=6, grid=False) for _ in ROWS]
        recon = QGridLayout()
        for r, (label, view) in enumerate(zip(self.row_labels, self.rows)):
            recon.addWidget(label, r, 0)
            recon.addWidget(view, r, 1)
        recon.setColumnStretch(1, 1)
        self.legend = MarkLegend((WRONG,))      # the marks on both models' reconstructions
        self.legend.hide()
        self.table = MetricsTable()
        self.notes = QLabel(wordWrap=True)
        # The maps beside the rest in a wide dock (the window's bottom row), above it in a narrow one.
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(self.heading)
        left.addWidget(self.maps, 1)
        left.addWidget(self.hint)
        right.addWidget(self.under)
        right.addWidget(self.recon_title)
        right.addLayout(recon)
        right.addWidget(self.legend)
        right.addWidget(self.table)
        right.addWidget(self.notes)
        right.addStretch(1)
        self._content = QBoxLayout(QBoxLayout.Direction.TopToBottom, self.content)
        self._content.setContentsMargins(0, 0, 0, 0)
        self._content.addLayout(left, 1)
        self._content.addLayout(right, 1)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(top)
        lay.addWidget(self.note)
        lay.addWidget(self.content, 1)

    # -- the workspace -----------------------------------------------------------------------
    def bind(self, workspace) -> None:
        """Offer the workspace's models; A starts as the one shown."""
        self._ws = workspace
        workspace.models_changed.connect(self._fill_choosers)
        workspace.current_changed.connect(lambda model, _previous: self._follow_current(model))
        self._fill_choosers()

    def _models(self) -> list:
        return list(self._ws.models) if self._ws is not None else []

    def _fill_choosers(self) -> None:
        models = self._models()
        chosen = self.chosen()
        if chosen is None or not all(any(m is c for m in models) for c in chosen):
            chosen = self._default_pair(models)
        for box, pick in zip(self.choosers, chosen or (None, None)):
            box.blockSignals(True)
            box.clear()
            for m in models:
                box.addItem(title(m))
            box.setCurrentIndex(next((i for i, m in enumerate(models) if m is pick), -1))
            box.blockSignals(False)
        self.refresh()

    def _default_pair(self, models):
        """The shown model and another of its data shape (the last one opened or trained)."""
        if not models:
            return None
        a = self._ws.current if self._ws.current in models else models[0]
        same = [m for m in models if m is not a and sample_shape(m) == sample_shape(a)]
        return a, (same[-1] if same else next((m for m in models if m is not a), a))

    def _follow_current(self, model) -> None:
        if self.comparison is None and model is not None and any(m is model for m in self._models()):
            self.choose(model, self._default_pair(self._models())[1])

    def chosen(self) -> tuple | None:
        models = self._models()
        picks = [box.currentIndex() for box in self.choosers]
        if not models or any(i < 0 or i >= len(models) for i in picks):
            return None
        return models[picks[0]], models[picks[1]]

    def choose(self, a, b) -> None:
        """Compare these two TrainedModels of the workspace."""
        models = self._models()
        for box, pick in zip(self.choosers, (a, b)):
            box.blockSignals(True)
            box.setCurrentIndex(next(i for i, m in enumerate(models) if m is pick))
            box.blockSignals(False)
        self.refresh()

    def swap(self) -> None:
        pair = self.chosen()
        if pair is not None:
            self.choose(pair[1], pair[0])

    # -- computing ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Compare the chosen pair (on a worker) when shown; a sentence when they cannot be."""
        pair = self.chosen()
        if not (self.isVisible() and not self.visibleRegion().isEmpty()):
            self._stale = True      # behind another dock's tab: done when painted
            return
        if pair is None:
            return self._refuse("Open or train two models to compare them.")
        a, b = pair
        if a is b:
            return self._refuse("Pick two different models.")
        if a.model is None or b.model is None:
            return self._refuse("A model still training cannot be compared yet.")
        sa, sb = sample_shape(a), sample_shape(b)
        if sa != sb:
            return self._refuse("{a} reads {shape_a} and {b} reads {shape_b}: two models can be compared only on the "
                                "same data; pick two models of the same data shape.", a=title(a), b=title(b),
                                shape_a=describe_shape(sa), shape_b=describe_shape(sb))
        if self._pair == pair and self.comparison is not None:
            return
        self._say("Comparing {a} and {b}…", "info", a=title(a), b=title(b))
        self._jobs.submit(compare_models, a, b, (title(a), title(b)),
                          on_done=lambda c, pair=pair: self._compared(pair, c), on_error=self._failed)

    def _refuse(self, text: str, **values) -> None:
        self._jobs.cancel()
        self._pair, self.comparison = None, None
        self._say(text, "warning", **values)
        self._show()

    def _compared(self, pair, c) -> None:
        if pair != self.chosen():
            return
        self._pair, self.comparison = pair, c
        self._say(None, "")
        self._show()

    def _failed(self, error) -> None:
        from aegui.qt.workers.threads import error_text
        self._pair, self.comparison = None, None
        self._say("Could not compare them: {error}", "error", error=error_text(error))
        self._show()

    def busy(self) -> bool:
        return self._jobs.busy()

    def resizeEvent(self, event) -> None:
        # By the width alone, so resizing back and forth ends where it began.
        wide = event.size().width() >= SIDE_BY_SIDE
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self._content.direction() != direction:
            self._content.setDirection(direction)
        # Stacked, the two maps are about square (a tall dock would stretch them into strips).
        self.maps.setMaximumHeight(16777215 if wide else event.size().width() // 2 + 90)
        super().resizeEvent(event)

    def paintEvent(self, event) -> None:
        # Painted means on screen (a dock brought forward): the time to catch up.
        super().paintEvent(event)
        if self._stale:
            self._stale = False
            QTimer.singleShot(0, self.refresh)

    # -- drawing -----------------------------------------------------------------------------
    def _say(self, text: str | None, kind: str, **values) -> None:
        self._message = None if text is None else (text, values, kind)
        if text is None:
            self.note.hide()
            self.note.setText("")
        else:
            self.note.set_kind(kind)
            self.note.setText(tr(text, **values))
            self.note.show()

    def message(self) -> str:
        return self.note.text() if self._message else ""

    def _show(self) -> None:
        c = self.comparison
        self.content.setVisible(c is not None)
        if self._message is not None:
            self._say(self._message[0], self._message[2], **self._message[1])
        if c is None:
            self.maps.set_comparison(None)
            self.table.set_comparison(None)
            return
        a, b = self._pair
        n = len(c.labels)
        heading = plural(n, tr("On {data}: 1 sample, the same for both.", data=c.data_name),
                         tr("On {data}: {n} samples, the same for both.", data=c.data_name, n=n))
        if c.held_out:
            heading += " " + plural(c.held_out, tr("A held 1 of them out for validation: wrong pixels are counted on "
                                                   "its training set and on its validation set apart."),
                                    tr("A held {n} of them out for validation: wrong pixels are counted on its "
                                       "training set and on its validation set apart.", n=c.held_out))
        self.heading.setText(heading)
        self.maps.set_titles(tr("A: {name}", name=title(a)), tr("B: {name}", name=title(b)))
        self.maps.set_comparison(c)
        self.table.set_comparison(c, ROWS[1:])
        self.notes.setText("\n".join(tr(n) for n in c.notes))
        self.notes.setVisible(bool(c.notes))
        self._show_strips()
        self._show_hovered(-1)

    def _binary(self) -> bool:
        x = self.comparison.inputs
        return bool(np.all((x == 0) | (x == 1)))

    def _show_strips(self) -> None:
        c = self.comparison
        index = spread_indices(len(c.inputs), min(STRIP, len(c.inputs)))
        shape = c.shape[:2] if len(c.shape) == 3 and c.shape[2] == 1 else c.shape
        binary = self._binary() and len(shape) == 2
        x = c.inputs[index]
        cell = max(1.0, min(8.0, 48 / max(shape[:2])))
        for r, view in enumerate(self.rows):
            samples = x if r == 0 else c.reconstructions[r - 1][index]
            wrong = ((samples >= 0.5) != (x >= 0.5)) if binary and r else None
            img, marks = strip_image(samples, shape, wrong)
            view.set_cell_size(cell)
            view.set_image(img, marks=marks, meaning=WRONG)
        self.legend.setVisible(binary)
        self.strip_index = index

    def _show_hovered(self, i: int) -> None:
        c = self.comparison
        if c is None:
            return
        shape = c.shape[:2] if len(c.shape) == 3 and c.shape[2] == 1 else c.shape
        shown = i >= 0
        self.under.setVisible(shown)
        if not shown:
            return
        x = c.inputs[i]
        binary = self._binary() and len(shape) == 2
        cell = max(1.0, min(10.0, 64 / max(shape[:2])))
        for k, (view, label) in enumerate(zip(self.under_views, self.under_titles)):
            values = x if k == 0 else c.reconstructions[k - 1][i]
            wrong = ((values >= 0.5) != (x >= 0.5)).reshape(shape) if binary and k else None
            view.set_cell_size(cell)
            view.set_image(values.reshape(shape), marks=wrong, meaning=WRONG)
            view.setMaximumSize(view.sizeHint())
            if k == 0:
                label.setText(tr("“{label}”", label=c.labels[i]))
            elif wrong is not None:
                n = int(wrong.sum())
                label.setText(plural(n, tr("{side}: 1 wrong", side=ROWS[k]),
                                     tr("{side}: {n} wrong", side=ROWS[k], n=n)))
            else:
                label.setText(tr("{side}: MSE {mse}", side=ROWS[k],
                                 mse=number(float(((values - x) ** 2).mean()), ".4g")))

    # -- export ------------------------------------------------------------------------------
    def export_png(self, path) -> bool:
        """The maps, the reconstructions and the table as one PNG; False when nothing is compared."""
        if self.comparison is None:
            return False
        return self.content.grab().save(str(path))

    def _export_clicked(self) -> None:
        if self.comparison is None:
            self._say("Nothing to export yet: pick two models of the same data.", "warning")
            return
        path, _ = QFileDialog.getSaveFileName(self, tr("Export PNG"), str(Path.home() / "compare.png"),
                                              tr("PNG images (*.png)"))
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        if not self.export_png(path):
            QMessageBox.warning(self, tr("Could not export"), path)

