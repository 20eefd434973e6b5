"""Draw a 5x7 glyph, corrupt it with noise and watch what the model makes of it.

The grid holds still under the pointer: nothing the editor shows or says while the user draws
(notices, notes, the teach status, the noisy-copies test, Revert) changes the grid's size or
place. Texts live in rows of fixed height and in EditorNotes, whose height follows the editor's
size alone; the buttons stand in a column of fixed width."""
from __future__ import annotations

from typing import Callable

import numpy as np
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from aegui.core.analyses.denoise.drawing import EditorResult, denoise_drawing
from aegui.core.data.noise import apply_noise
from aegui.qt.editor.noisy_copies import CopiesTestBar
from aegui.qt.editor.denoiser_choice import DenoiserChoice
from aegui.qt.editor.edit_grid import COLS, ROWS, EditGrid
from aegui.qt.editor.editor_notes import EditorNotes, NoticeLabel
from aegui.qt.editor.teach_bar import TeachBar
from aegui.qt.i18n import bind_text, number, on_language, plural, tr
from aegui.qt.models.names import title as model_title
from aegui.qt.workers.threads import Latest
from aegui.qt.widgets.glyphs.glyph_strip import GlyphStrip
from aegui.qt.widgets.glyphs.glyph_view import GlyphView
from aegui.qt.widgets.glyphs.marks import WRONG, MarkLegend

SIZE = ROWS * COLS

# English names shown for the noise kinds of aegui.core.data.noise, in menu order.
NOISE_NAMES = {"salt_pepper": "salt-and-pepper", "bit_flip": "bit flip", "gaussian": "gaussian"}

PREVIEW_CELLS = (5, 10)  # px: the previews' cells, smallest and largest (below the grid's)
NEAREST_CELL = 5         # px: the nearest glyph's cells, beside its name
NOTE_LINES = 2           # lines of height for each preview's title and note
TOOL_SPACING = 2         # px between the buttons beside the grid (eight fit beside a 200 px grid)
NOTES_LINES = (4, 8)     # the notes area's height in lines: at the least, and at the most
NOTES_SHARE = 0.13       # of the editor's height, for the notes area between those


def notes_lines(editor_height: int, line_px: int) -> int:
    """The notes area's height in lines for an editor this tall: a function of the size alone,
    never of what the notes say."""
    return int(min(max(int(editor_height * NOTES_SHARE / line_px), NOTES_LINES[0]), NOTES_LINES[1]))


def _as_glyph(arr) -> np.ndarray:
    a = np.asarray(arr, dtype=np.float32)
    if a.size != SIZE or a.ndim not in (1, 2) or (a.ndim == 2 and a.shape != (ROWS, COLS)):
        raise ValueError(f"expected a ({ROWS}, {COLS}) glyph or {SIZE} values, got shape {a.shape}")
    return np.clip(a.reshape(ROWS, COLS), 0.0, 1.0).copy()


class _GlyphCommand(QUndoCommand):
    def __init__(self, editor: "PixelEditor", before: np.ndarray, after: np.ndarray, text: str):
        super().__init__(text)
        self._editor, self._before, self._after = editor, before.copy(), after.copy()

    def redo(self) -> None:
        self._editor.apply_step(self._after)

    def undo(self) -> None:
        self._editor.apply_step(self._before)


class PixelEditor(QWidget):
    """Glyph editor with noise and a live view of the model's reconstruction.

    The model is not imported here: `set_reconstruct(fn)` takes a callable mapping a batch
    [M, 35] in [0, 1] to [M, 35] in [0, 1], or None when no model is loaded.
    """

    glyph_changed = Signal(object)  # (7, 5) float32 array
    save_requested = Signal(object)  # (7, 5) float32 array

    def __init__(self, parent=None):
        super().__init__(parent)
        self._jobs = Latest(self)          # the model's output for a snapshot's new weights
        self._on_worker = False            # refreshes now run the model on a worker (see _use_model)
        self._glyph = np.zeros((ROWS, COLS), np.float32)
        self._labels: list[str] = []
        self._x = np.zeros((0, SIZE), np.float32)
        self._reconstruct: Callable[[np.ndarray], np.ndarray] | None = None
        self._familiarity = None          # aegui.core.models.familiarity.Familiarity of the model
        self._unfamiliar: float | None = None   # the drawing's reconstruction error when too large
        self._fallback: tuple[str, Callable] | None = None   # (name, denoiser) for unfamiliar drawings
        self._fell_back = self._offer_fallback = False
        self._drawn_error = 0.0
        self._stroke_before: np.ndarray | None = None
        self._seed = 0
        self._noisy = self._glyph.copy()
        self._output: np.ndarray | None = None
        self.undo_stack = QUndoStack(self)

        self._build()
        self._fill_start_from()
        self._fit_tools()
        self.reroll()
        # Texts made from state, and the button column fitted to the new texts, in that order.
        for refresh in (self._fill_start_from, self._name_fallback, self._fit_tools, self._refresh):
            on_language(self, refresh)

    # -- construction -----------------------------------------------------------------------
    def _build(self) -> None:
        drawing = self._build_drawing()
        noise = self._build_noise()
        previews = self._build_previews()
        nearest = self._build_nearest()
        self._build_notes()

        results = QVBoxLayout()
        results.setContentsMargins(0, 0, 0, 0)
        results.addWidget(previews)
        results.addLayout(nearest)
        results.addWidget(self.notes)
        results.addStretch(1)       # room to spare (a wide dock) below it all, not between the rows

        # Three blocks, stacked in a tall column (the Explore perspective: the grid between the
        # noise and the results gets the height) or the drawing beside the rest in a wide, short dock.
        self.noise_box, self.drawing_box, self.results_box = QWidget(), QWidget(), QWidget()
        for box, lay in ((self.noise_box, noise), (self.drawing_box, drawing), (self.results_box, results)):
            box.setLayout(lay)
        self._outer = QGridLayout(self)
        self._outer.setContentsMargins(2, 4, 2, 4)
        self._outer.setSpacing(4)
        self._wide: bool | None = None
        self._arrange(False)

    def _build_drawing(self) -> QLayout:
        """The editable grid and its column of tools."""
        self.grid = EditGrid()
        self.grid.stroke_started.connect(self._on_stroke_started)
        self.grid.painted.connect(self._on_painted)
        self.grid.stroke_finished.connect(self._on_stroke_finished)
        self.grid.key_edit.connect(self._on_key_edit)
        bind_text(self, self.grid.setToolTip, "Left button paints, right button erases. Arrow keys move the focus "
                                              "cell, Space toggles it, Delete clears it.")

        self.clear_button = QPushButton(clicked=self.clear)
        self.invert_button = QPushButton(clicked=self.invert)
        self.undo_button = QPushButton(clicked=self.undo_stack.undo, enabled=False)
        self.redo_button = QPushButton(clicked=self.undo_stack.redo, enabled=False)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        bind_text(self, self.clear_button.setText, "Clear")
        bind_text(self, self.invert_button.setText, "Invert")
        bind_text(self, self.undo_button.setText, "Undo")
        bind_text(self, self.redo_button.setText, "Redo")
        self.start_from = QComboBox()
        self.start_from.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.start_from.setMinimumContentsLength(8)
        self.start_from.currentIndexChanged.connect(self._on_start_from)
        bind_text(self, self.start_from.setToolTip, "Copy a dataset glyph into the grid")
        self.save_button = QPushButton(clicked=lambda: self.save_requested.emit(self.glyph()))
        bind_text(self, self.save_button.setText, "Save to library")
        self.teach = TeachBar()      # Teach it… / Revert: fine-tunes the editor's model on the drawing
        self.teach.layout().setSpacing(TOOL_SPACING)

        # The buttons stand in a column of fixed width beside the grid (see _fit_tools): Revert or
        # the teach progress coming in there never takes width from the grid.
        self.tools = QWidget()
        tools = QVBoxLayout(self.tools)
        tools.setContentsMargins(0, 0, 0, 0)
        tools.setSpacing(TOOL_SPACING)
        self._buttons = (self.clear_button, self.invert_button, self.undo_button, self.redo_button)
        for w in (*self._buttons, self.start_from, self.save_button, self.teach):
            tools.addWidget(w)
        tools.addStretch(1)
        drawing = QHBoxLayout()
        drawing.setContentsMargins(0, 0, 0, 0)
        drawing.addWidget(self.grid, 1)
        drawing.addWidget(self.tools)
        return drawing

    def _build_noise(self) -> QLayout:
        """The noise's kind, level, Re-roll and the noisy-copies test; the denoiser choice."""
        self.noise_label = QLabel()
        bind_text(self, self.noise_label.setText, "Noise")
        self.noise_kind = QComboBox()
        for i, (kind, name) in enumerate(NOISE_NAMES.items()):
            self.noise_kind.addItem("", kind)
            bind_text(self, lambda text, i=i: self.noise_kind.setItemText(i, text), name)
        self.noise_kind.currentIndexChanged.connect(self._refresh)
        self.reroll_button = QPushButton(clicked=self.reroll)
        bind_text(self, self.reroll_button.setText, "Re-roll")
        bind_text(self, self.reroll_button.setToolTip, "Draw a new random noise pattern")
        self.level_label = QLabel()
        bind_text(self, self.level_label.setText, "Level")
        self.noise_level = QSlider(Qt.Orientation.Horizontal)
        self.noise_level.setRange(0, 100)
        self.noise_level.setValue(10)
        self.noise_level.valueChanged.connect(self._refresh)
        self.level_value = QLabel()
        self.level_value.setMinimumWidth(self.level_value.fontMetrics().horizontalAdvance("100 %") + 4)
        self.level_value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.copies = CopiesTestBar()       # Test on N noisy copies
        self.copies.inputs = self._test_inputs
        self.copies.show_worst.connect(self.set_noise_seed)

        # The kind and the level share a row, the test and Re-roll the next: every row the noise
        # takes is height the grid does not get (the grid must keep 200 px at 1024x700).
        noise = QGridLayout()
        noise.setContentsMargins(0, 0, 0, 0)
        noise.addWidget(self.noise_label, 0, 0)
        noise.addWidget(self.noise_kind, 0, 1)
        noise.addWidget(self.level_label, 0, 2)
        noise.addWidget(self.noise_level, 0, 3)
        noise.addWidget(self.level_value, 0, 4)
        actions = QHBoxLayout()
        actions.addWidget(self.copies)
        actions.addStretch(1)
        actions.addWidget(self.reroll_button)
        noise.addLayout(actions, 1, 0, 1, 5)
        noise.setColumnStretch(3, 1)
        self.denoiser = DenoiserChoice()
        noise.addWidget(self.denoiser, 2, 0, 1, 5)
        return noise

    def _build_previews(self) -> GlyphStrip:
        """The four previews (drawn, noisy, output, thresholded), their titles and notes."""
        # Each title and note has two lines' height whatever it says: a note that rewraps moves
        # nothing. One size for the four, set from the room there is: equal columns whatever
        # their titles, and never larger than the editable grid.
        self.previews = GlyphStrip(4, PREVIEW_CELLS[1], notes=True, text_lines=NOTE_LINES,
                                   cap=lambda: min(PREVIEW_CELLS[1], self.grid.scale()))
        self.previews.set_titles(("Drawn", "Noisy", "Model output", "Thresholded (0.5)"))
        self.drawn_view, self.noisy_view, self.output_view, self.threshold_view = self.previews.views
        self.drawn_note, self.noisy_note, self.output_note, self.threshold_note = self.previews.notes
        for view in self.previews.views:
            view.setMinimumSize(COLS * PREVIEW_CELLS[0] + 1, ROWS * PREVIEW_CELLS[0] + 1)
            view.setMaximumSize(view.sizeHint())
        return self.previews

    def _build_nearest(self) -> QLayout:
        """The nearest training glyph, what is said of it, the marks' legend."""
        self.nearest_view = GlyphView(cell_size=NEAREST_CELL, grid=False)
        self.nearest_view.setFixedSize(self.nearest_view.sizeHint())
        self.nearest_label = QLabel(wordWrap=True)
        self.nearest_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.legend = MarkLegend((WRONG,))      # the marks on the thresholded output
        nearest = QHBoxLayout()
        nearest.addWidget(self.nearest_view)
        nearest.addWidget(self.nearest_label, 1)
        nearest.addWidget(self.legend, 0, Qt.AlignmentFlag.AlignBottom)
        return nearest

    def _build_notes(self) -> None:
        """The notes area (the notices that come and go without moving the grid)."""
        # What the editor says about the drawing, in an area whose height is set from the editor's
        # size alone (see resizeEvent): notices come and go there and the grid holds still.
        self.notes = EditorNotes()
        self.unfamiliar_label = NoticeLabel()
        self.unfamiliar_label.hide()
        self.fallback_check = QCheckBox(checked=True)
        bind_text(self, self.fallback_check.setText, "Use the local model")
        self.fallback_check.hide()
        self.fallback_check.toggled.connect(lambda _: self._refresh())
        for w in (self.unfamiliar_label, self.fallback_check, self.teach.status, self.copies.summary):
            # The box comes with the notice: the notice's first words matter more than the box.
            self.notes.add(w, reveal=w is not self.fallback_check)
        self.copies.said.connect(lambda: self.notes.reveal(self.copies.summary))

    def _arrange(self, wide: bool) -> None:
        if wide == self._wide:
            return
        outer = self._outer
        for box in (self.noise_box, self.drawing_box, self.results_box):
            outer.removeWidget(box)
        for i in range(3):
            outer.setRowStretch(i, 0)
            outer.setColumnStretch(i, 0)
        if wide:
            outer.addWidget(self.drawing_box, 0, 0, 2, 1)
            outer.addWidget(self.noise_box, 0, 1)
            outer.addWidget(self.results_box, 1, 1)
            outer.setColumnStretch(0, 1)
            outer.setColumnStretch(1, 2)
            outer.setRowStretch(1, 1)
        else:
            outer.addWidget(self.noise_box, 0, 0)
            outer.addWidget(self.drawing_box, 1, 0)
            outer.addWidget(self.results_box, 2, 0)
            outer.setRowStretch(1, 1)
        self._wide = wide
        self.updateGeometry()

    def stacked(self) -> bool:
        return not self._wide

    def resizeEvent(self, event) -> None:
        # Side by side only in a dock much wider than tall (a bottom dock): in a column the grid
        # goes between the noise and the results and takes the height. The choice depends on the
        # size alone, so a window resized back and forth comes back to the layout it had; so does
        # the notes' height.
        size = event.size()
        self._arrange(size.width() > 1.6 * size.height())
        self.notes.set_lines(notes_lines(size.height(), self.fontMetrics().lineSpacing()))
        super().resizeEvent(event)
        self.previews.share_scale_later()      # the grid's scale, their cap, may have changed

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_tools()

    def _fit_tools(self) -> None:
        """The button column as wide as its widest button can be: Teach it…, Revert, Cancel and the
        teach progress included, shown or not."""
        bar = self.teach
        widest = max(w.sizeHint().width() for w in (*self._buttons, self.start_from, self.save_button,
                                                    bar.teach_button, bar.revert_button, bar.cancel_button))
        self.tools.setFixedWidth(widest)

    def preview_scale(self) -> float:
        return self.previews.scale()

    def _fill_start_from(self) -> None:
        self.start_from.blockSignals(True)
        self.start_from.clear()
        self.start_from.addItem(tr("Start from…"))
        for label in self._labels:
            self.start_from.addItem(f"'{label}'")
        self.start_from.blockSignals(False)

    # -- public API -------------------------------------------------------------------------
    def bind(self, workspace, title=str) -> None:
        """Denoise with the workspace's editor model (and its local fallback); glyphs sent from
        other panels come in, drawings go to the library and light the network view.
        `title(model)`: a model's name as the window shows it."""
        self._ws, self._title, self._dataset = workspace, title, None
        self.denoiser.bind(workspace, title)
        workspace.editor_changed.connect(lambda model, _previous: self._use_model(model, fresh=True))
        workspace.editor_updated.connect(lambda model: self._use_model(model, fresh=False))
        workspace.models_changed.connect(lambda: self._use_model(workspace.editor_model(), fresh=False,
                                                                 only_if_fallback_changed=True))
        workspace.editor_glyph_requested.connect(self.set_glyph)
        self.save_requested.connect(lambda glyph: workspace.save_glyph(glyph, "drawn"))
        self.glyph_changed.connect(workspace.set_input)
        self.teach.bind(workspace, self.glyph, title)

    def _use_model(self, model, fresh: bool, only_if_fallback_changed: bool = False) -> None:
        if model is None or model.model is None:
            return      # an image model on the canvas: the editor keeps the glyph model it had
        fb = self._ws.fallback_for(model)
        if only_if_fallback_changed and fb is (self._fallback[2] if self._fallback else None):
            return
        fallback = (self._title(fb), fb.denoiser(), fb) if fb is not None else None
        # A run's snapshots and its final model come this way: everything they change here is
        # computed on a worker, never on the GUI thread (a drawing the user edits is denoised here).
        self._on_worker = True
        try:
            self.set_reconstruct(model.denoiser(), model.familiarity(), fallback)
            if fresh and self._dataset is not model.dataset:
                self._dataset = ds = model.dataset
                self.set_dataset(ds.labels, ds.x)
                if not self.glyph().any() and len(ds):
                    # Start from a real glyph so the demo shows a denoised output at once.
                    self.set_glyph(ds.images()[1 if len(ds) > 1 else 0])
                    self.undo_stack.clear()
        finally:
            self._on_worker = False

    def glyph(self) -> np.ndarray:
        return self._glyph.copy()

    def noisy(self) -> np.ndarray:
        return self._noisy.copy()

    def output(self) -> np.ndarray | None:
        """The last model output as (7, 5), or None without a (working) model."""
        return None if self._output is None else self._output.copy()

    def set_glyph(self, arr) -> None:
        """Load a (7, 5) glyph (or 35 values) from outside; one undo step."""
        self._push(_as_glyph(arr), tr("Load glyph"))

    def set_dataset(self, labels: list[str], x: np.ndarray) -> None:
        x = np.asarray(x, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != SIZE or len(labels) != len(x):
            raise ValueError(f"expected {len(labels)} labels and x of shape [N, {SIZE}], got {x.shape}")
        self._labels, self._x = [str(s) for s in labels], x.copy()
        self._fill_start_from()
        self._refresh()

    def set_reconstruct(self, fn: Callable[[np.ndarray], np.ndarray] | None, familiarity=None,
                        fallback: tuple[str, Callable] | None = None, background: bool = False) -> None:
        """`familiarity` (aegui.core.models.familiarity.Familiarity, from the model's training set)
        turns on the notice shown when the drawing is unlike anything the model saw; `fallback`
        (name, denoiser), a local model, then denoises such a drawing instead (while its box is ticked).
        `background`: new weights of the same model (training), run on a worker."""
        self._reconstruct = fn
        self._familiarity = familiarity
        self._fallback = fallback if familiarity is not None else None
        self._name_fallback()
        self._refresh(background=background)

    def _name_fallback(self) -> None:
        if self._fallback is None:
            return
        self.fallback_check.setToolTip(tr("{name}: a model trained on letters turns a glyph unlike them into one "
                                          "it knows; a local model follows strokes instead and changes only the "
                                          "pixels it is sure of.", name=model_title(self._fallback[2])))   # named in today's language

    def fell_back(self) -> bool:
        """Whether the output shown now comes from the fallback denoiser."""
        return self._fell_back

    def unfamiliar_notice(self) -> str:
        """The out-of-distribution notice shown now, or "" when there is none."""
        return self.unfamiliar_label.text() if self._unfamiliar is not None else ""

    def fallback_notice(self) -> str:
        """The note shown when the local model denoised a drawing the model knows but does not
        give back as it is, or "" otherwise."""
        return self.unfamiliar_label.text() if self._fell_back and self._unfamiliar is None else ""

    def clear(self) -> None:
        self._push(np.zeros_like(self._glyph), tr("Clear"))

    def invert(self) -> None:
        self._push(1.0 - self._glyph, tr("Invert"))

    def reroll(self, *, seed: int | None = None) -> None:
        """Pick a new noise seed (`seed`, or a random one); the seed stays fixed while painting so
        the noise does not flicker. Keyword-only: the button's `checked` flag must not become a seed."""
        self._seed = int(np.random.default_rng().integers(2**63)) if seed is None else int(seed)
        self._refresh()

    def set_noise_seed(self, seed: int) -> None:
        """A given noise pattern: the same noisy copy before and after a change of model."""
        self._seed = int(seed)
        self._refresh()

    def noise_kind_key(self) -> str:
        return self.noise_kind.currentData()

    def set_noise(self, kind: str, level_percent: int) -> None:
        self.noise_kind.setCurrentIndex(list(NOISE_NAMES).index(kind))
        self.noise_level.setValue(int(level_percent))

    # -- edits ------------------------------------------------------------------------------
    def _push(self, after: np.ndarray, text: str) -> None:
        if not np.array_equal(after, self._glyph):
            self.undo_stack.push(_GlyphCommand(self, self._glyph, after.astype(np.float32), text))

    def apply_step(self, arr: np.ndarray) -> None:
        """An undo or redo step puts this glyph back (the undo commands call it)."""
        if np.array_equal(arr, self._glyph):
            return  # the first redo of a stroke command: the stroke already drew it
        self._glyph = arr.astype(np.float32).copy()
        self._refresh()
        self.glyph_changed.emit(self.glyph())

    def _on_stroke_started(self) -> None:
        self._stroke_before = self._glyph.copy()

    def _on_painted(self, row: int, col: int, value: float) -> None:
        if self._glyph[row, col] != value:
            self._glyph[row, col] = value
            self._refresh()
            self.glyph_changed.emit(self.glyph())

    def _on_stroke_finished(self) -> None:
        before, self._stroke_before = self._stroke_before, None
        if before is not None and not np.array_equal(before, self._glyph):
            # A stroke is painted live, so the command only records it: one drag, one undo step.
            erased = (self._glyph < before).any() and not (self._glyph > before).any()
            self.undo_stack.push(_GlyphCommand(self, before, self._glyph, tr("Erase") if erased else tr("Paint")))

    def _on_key_edit(self, row: int, col: int, op: str) -> None:
        after = self._glyph.copy()
        if op == "toggle":
            after[row, col] = 0.0 if after[row, col] >= 0.5 else 1.0
            self._push(after, tr("Toggle pixel"))
        else:
            after[row, col] = 0.0
            self._push(after, tr("Clear pixel"))

    def _on_start_from(self, index: int) -> None:
        if index <= 0:
            return
        self.set_glyph(self._x[index - 1])
        # Back to the placeholder so picking the same glyph again still works.
        self.start_from.blockSignals(True)
        self.start_from.setCurrentIndex(0)
        self.start_from.blockSignals(False)

    # -- views ------------------------------------------------------------------------------
    def _refresh(self, *_args, background: bool = False) -> None:
        """Draw the glyph and its noisy copy, then what the model makes of it: here, or on a
        worker when `background` (a training snapshot's new weights: the GUI thread never runs
        the model for them)."""
        level = self.noise_level.value()
        self.level_value.setText(f"{level} %")
        rng = np.random.default_rng(self._seed)
        self._noisy = apply_noise(self._glyph.reshape(1, SIZE), self.noise_kind_key(), level / 100.0, rng)
        self._noisy = np.asarray(self._noisy, np.float32).reshape(ROWS, COLS)

        self.grid.set_image(self._glyph)
        self.drawn_view.set_image(self._glyph)
        changed = int(((self._noisy >= 0.5) != (self._glyph >= 0.5)).sum())
        self.noisy_view.set_image(self._noisy)
        self.noisy_note.setText(plural(changed, tr("1 changed"), tr("{n} changed", n=changed)))
        args = (self._glyph.copy(), self._noisy.copy(), self._reconstruct, self._familiarity, self._fallback,
                self.fallback_check.isChecked())
        if (background or self._on_worker) and self._reconstruct is not None:
            self._jobs.submit(denoise_drawing, *args, on_done=self._show_result)
        else:
            self._jobs.cancel()      # a result on its way is older than this one
            self._show_result(denoise_drawing(*args))

    def busy(self) -> bool:
        """The model's output for a new snapshot is still being computed."""
        return self._jobs.busy()

    def _show_result(self, result: "EditorResult") -> None:
        self._output, self._unfamiliar = result.output, result.unfamiliar
        self._fell_back, self._offer_fallback = result.fell_back, result.offer_fallback
        self._drawn_error = result.drawn_error
        self._show_output(result.error)
        self._show_unfamiliar()
        self.copies.forget_unless(self._test_key())

    def _denoiser_shown(self):
        """The denoiser whose output is shown: the model's, or the local model it fell back to."""
        return self._fallback[1] if self._fell_back and self._fallback is not None else self._reconstruct

    def _test_key(self):
        """What a noisy-copies test is about: the drawing, the noise kind and level, the denoiser
        (not the noise seed: showing the worst copy does not make the figures old)."""
        return (self._glyph.tobytes(), self.noise_kind_key(), self.noise_level.value(), self._denoiser_shown())

    def _test_inputs(self):
        """(key, (drawing, denoiser, kind, level)) for the noisy-copies test, None without a model."""
        denoise = self._denoiser_shown()
        if denoise is None:
            return None
        return self._test_key(), (self.glyph(), denoise, self.noise_kind_key(), self.noise_level.value() / 100.0)

    def _show_unfamiliar(self) -> None:
        # The choice matters only for a drawing the model does not know: shown with the notice.
        self.fallback_check.setVisible(self._offer_fallback)
        if self._unfamiliar is None and not self._fell_back:
            self.unfamiliar_label.hide()
            self.unfamiliar_label.setText("")
            return
        # Why the model's own output is in doubt, in plain words and whole pixels' difference;
        # then what was done about it, saying so when the local model changed nothing.
        if self._unfamiliar is not None:
            why = tr("Your drawing is unlike the glyphs this model learned: even without noise, its output is "
                     "{error} pixels off, against at most {limit} for those glyphs.",
                     error=number(self._unfamiliar, ".1f"), limit=number(self._familiarity.limit, ".1f"))
        else:
            why = tr("The model does not give your drawing back as it is: even without noise, its output is "
                     "{error} pixels off.", error=number(self._drawn_error, ".1f"))
        if not self._fell_back:
            then = tr("It may turn your drawing into a glyph it knows.")
        else:
            n = self.local_changes()
            then = (tr("So the local model was used instead; it changed no pixel.") if n == 0 else
                    tr("So the local model was used instead; it changed 1 pixel, one it was sure of.") if n == 1 else
                    tr("So the local model was used instead; it changed {n} pixels, only ones it was sure of.", n=n))
        self.unfamiliar_label.setText(f"{why} {then}")
        self.unfamiliar_label.show()

    def local_changes(self) -> int:
        """How many pixels of the noisy drawing the model's output changed (after the 0.5 threshold)."""
        if self._output is None:
            return 0
        return int(((self._output >= 0.5) != (self._noisy >= 0.5)).sum())

    def _show_output(self, error: str | None) -> None:
        if self._output is None:
            status = tr("model error") if error else tr("no model loaded")
            self.output_view.set_image(None)
            self.output_note.setText(status)
            self.threshold_view.set_image(None)
            self.threshold_note.setText(status)
            self.nearest_view.set_image(None)
            self.nearest_label.setText(tr("The model failed: {error}", error=error) if error
                                       else tr("Load or train a model to see its output."))
            return
        binary = self._output >= 0.5
        wrong = binary != (self._glyph >= 0.5)
        n = int(wrong.sum())
        count = tr("all pixels right") if n == 0 else tr("1 wrong pixel") if n == 1 else tr("{n} wrong pixels", n=n)
        self.output_view.set_image(self._output)
        self.output_note.setText("")
        self.threshold_view.set_image(binary.astype(np.float32), marks=wrong)
        self.threshold_note.setText(count)
        self._show_nearest(binary)

    def _show_nearest(self, binary: np.ndarray) -> None:
        if len(self._x) == 0:
            self.nearest_view.set_image(None)
            self.nearest_label.setText(tr("No dataset loaded."))
            return
        distances = ((self._x >= 0.5) != binary.reshape(1, SIZE)).sum(axis=1)
        i = int(np.argmin(distances))
        d, label = int(distances[i]), self._labels[i]
        text = tr("nearest: '{label}' — identical", label=label) if d == 0 else plural(
            d, tr("nearest: '{label}' — 1 pixel differs", label=label),
            tr("nearest: '{label}' — {n} pixels differ", label=label, n=d))
        self.nearest_view.set_image(self._x[i].reshape(ROWS, COLS))
        self.nearest_label.setText(text)
