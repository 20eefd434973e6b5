"""Teach the editor's model the glyph drawn, or the glyphs the workspace asks for (the glyph
library's "Teach all"): the fine-tuning runs on a worker (aegui.core.workspace.teach_run.TeachJob
on a JobRunner) with its progress and a Cancel button here; the taught model, autosaved and
reopened on the worker, joins the workspace's list and becomes the editor's model through it.
Revert asks the workspace for the model teaching started from, in one click."""
from __future__ import annotations

import math
import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QProgressBar, QPushButton, QWidget

from aegui.core.files.paths import autosave_dir
from aegui.qt.i18n import bind_text, number, on_language, tr
from aegui.qt.workers.threads import JobRunner, error_text
from aegui.qt.widgets.ask import ask_label
from aegui.qt.widgets.text.note import NoteLabel

FIGURE_LEVEL = "10%"    # the noise level the finished sentence quotes (the issue's)


def _glyph_names(labels) -> str:
    return tr("“{label}”", label=labels[0]) if len(labels) == 1 else tr("{n} glyphs", n=len(labels))


def _stage(item) -> str:
    """What the bar says teaching does now (aegui.core.analyses.teach's phases): 100,000 glyphs
    take minutes before the first epoch ends."""
    from aegui.core.analyses import teach as T
    if item.phase == T.READING:
        return tr("Reading glyphs {done} / {total}", done=number(item.count, ","), total=number(item.total, ","))
    if item.phase == T.PREPARING:
        return tr("Preparing the model…")
    if item.phase == T.MEASURING:
        return tr("Measuring before and after {done} / {total}", done=item.count, total=item.total)
    if item.phase == T.SAVING:
        return tr("Saving…")
    if item.batch:
        return tr("{epoch} / {total} (batch {batch} / {batches})", epoch=number(item.epoch, ","),
                  total=number(item.total_epochs, ","), batch=number(item.batch, ","),
                  batches=number(item.batches, ","))
    return f"{item.epoch} / {item.total_epochs}"


class TeachBar(QWidget):
    """Teach it… (and Revert, once the editor's model was taught here); while teaching, a progress
    bar and Cancel in their place. `status`, a note of what happened, is laid out by the editor
    (beside the previews: the editor has no height to spare under its buttons)."""
    ended = Signal(str)         # "taught", "cancelled", "diverged", "failed" or "refused"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.settings = None            # aegui.core.analyses.teach.TeachSettings; None: its defaults
        self.outcome = None             # the last TeachOutcome
        self.runner = JobRunner(self)
        self.runner.progress.connect(self._progress)
        self.runner.finished.connect(self._finished)
        self.runner.errored.connect(self._failed)
        self.runner.running_changed.connect(self._running)
        self.teach_button = QPushButton(clicked=lambda: self.teach_drawing())
        bind_text(self, self.teach_button.setText, "Teach it…")
        bind_text(self, self.teach_button.setToolTip, "Add the drawing to your glyph library and fine-tune the "
                                                      "editor's model on it, mixed with the glyphs it was trained on, "
                                                      "in the background.")
        self.revert_button = QPushButton(clicked=self.revert)
        bind_text(self, self.revert_button.setText, "Revert")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.cancel_button = QPushButton(clicked=self.cancel)
        bind_text(self, self.cancel_button.setText, "Cancel")
        self.status = NoteLabel("info")
        self.status.hide()
        # Side by side when the column is wide enough, stacked when not (see resizeEvent).
        self._box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._box.setContentsMargins(0, 0, 0, 0)
        for w in (self.teach_button, self.progress, self.revert_button, self.cancel_button):
            self._box.addWidget(w)
        for w in (self.progress, self.revert_button, self.cancel_button):
            w.hide()
        self._ws = None
        self._glyph = None
        self._title = str
        self._said: tuple[str, dict, str] | None = None     # (English text, its values, note kind)
        self._labels: list[str] = []
        # Revert's tooltip names a model, the note says what happened: in today's language.
        on_language(self, self._update_buttons)
        on_language(self, self._show_said)

    def bind(self, workspace, glyph, title=str) -> None:
        """`glyph()`: the drawing (7, 5); `title(model)`: a model's name as the window shows it."""
        self._ws, self._glyph, self._title = workspace, glyph, title
        workspace.teach_requested.connect(self.start)
        workspace.editor_changed.connect(self._editor_changed)
        workspace.models_changed.connect(self._update_buttons)
        self._update_buttons()

    # -- asking ------------------------------------------------------------------------------
    def teach_drawing(self, label: str | None = None) -> bool:
        """Teach the drawing (asking for its label when none is given). False when refused."""
        glyph = self._glyph()
        problem = self._refusal() or (None if glyph.any() else "Draw a glyph first: the grid is empty.")
        if problem:
            return self._refuse(problem)
        if label is None:
            label = ask_label(self, tr("Teach it"))
            if label is None:
                return False
        self._ws.save_glyph(glyph, "drawn", label)
        return self.start([glyph], [label], "drawn")

    def start(self, images, labels, source: str = "") -> bool:
        """Teach the editor's model these (7, 5) glyphs on a worker. False when refused."""
        from aegui.core.workspace.teach_run import TeachJob
        problem = self._refusal()
        if problem:
            return self._refuse(problem)
        if not images:
            return self._refuse("No glyphs to teach.")
        base, settings = self._ws.editor_model(), self.settings
        folder = self._folder()
        images, labels = [img.copy() for img in images], [str(s) for s in labels]
        self._labels, self.outcome = labels, None
        self.runner.start(lambda: TeachJob(base, images, labels, folder, settings, source))
        # The progress bar says how it goes; the note beside the previews waits for the outcome.
        self._said = None
        self.status.hide()
        self.status.setText("")
        self._ws.tell("Teaching {glyphs}…", glyphs=_glyph_names(labels))
        return True

    def cancel(self) -> None:
        self.runner.cancel()

    def revert(self) -> None:
        root = self._ws.revert_taught()
        if root is not None:
            self._ws.tell("Back to {name}.", name=self._title(root))

    def is_running(self) -> bool:
        return self.runner.is_running()

    def _refusal(self) -> str | None:
        """Why the editor's model cannot be taught now (an English text for tr()), or None."""
        from aegui.core.analyses.teach import TeachError, check_teachable
        if self.runner.is_running():
            return "Teaching is already running: wait for it, or cancel it."
        model = self._ws.editor_model() if self._ws is not None else None
        if model is None or model.model is None:
            return "No model to teach: open or train a 5x7 denoiser first."
        if model is self._ws.live:
            return "This model is still training: teach it once the run ends."
        try:
            check_teachable(model.experiment, model.model)
        except TeachError:
            return "This model was not trained on font.h glyphs, so it cannot be taught new ones."
        return None

    def _refuse(self, text: str) -> bool:
        self._say(text, "warning")
        self.ended.emit("refused")
        return False

    @staticmethod
    def _folder():
        base = autosave_dir() / f"{time.strftime('%Y%m%d-%H%M%S')}-taught"
        folder, n = base, 2
        while folder.exists():
            folder, n = base.with_name(f"{base.name}-{n}"), n + 1
        return folder

    def resizeEvent(self, event) -> None:
        self._arrange(event.size().width())
        super().resizeEvent(event)

    def _arrange(self, width: int | None = None) -> None:
        """Side by side when the width holds what is shown now, stacked when not. Asked again
        when the buttons change (teaching starts or ends, Revert comes) as well as on a resize:
        arranged only on a resize, Teach it… and Revert, then the progress and Cancel, were
        squeezed into half the column each ("señárselo", "t50 / 500")."""
        width = self.width() if width is None else width
        pair = [w for w in (self.teach_button, self.progress, self.revert_button, self.cancel_button)
                if not w.isHidden()]
        need = sum(w.sizeHint().width() for w in pair) + self._box.spacing() * (len(pair) - 1)
        direction = (QBoxLayout.Direction.LeftToRight if width >= need
                     else QBoxLayout.Direction.TopToBottom)
        if self._box.direction() != direction:
            self._box.setDirection(direction)
            self.updateGeometry()

    # -- the job -----------------------------------------------------------------------------
    def _running(self, on: bool) -> None:
        self.teach_button.setVisible(not on)
        self.progress.setVisible(on)
        self.cancel_button.setVisible(on)
        if on:
            self.progress.setValue(0)
            self.progress.setFormat("")
        self._update_buttons()

    def _progress(self, item) -> None:
        if item.result is not None:
            return      # the outcome: _finished shows it
        from aegui.core.analyses.teach import FINE_TUNING
        self.progress.setValue(int(1000 * item.fraction))
        self.progress.setFormat(_stage(item))
        if item.phase != FINE_TUNING or math.isnan(item.new_noisy_wrong):
            self.progress.setToolTip(tr("Teaching {glyphs}: {stage}", glyphs=_glyph_names(self._labels),
                                        stage=_stage(item)))
            return
        self.progress.setToolTip(tr("Teaching {glyphs}: epoch {epoch} of {total}; at 10 % noise {wrong} wrong pixels per glyph "
                  "(the noisy input: {noisy}).", glyphs=_glyph_names(self._labels), epoch=item.epoch,
                  total=item.total_epochs, wrong=number(item.new_noisy_wrong, ".2f"),
                  noisy=number(item.noisy_input_wrong, ".2f")))

    def _finished(self, last) -> None:
        if last is not None and last.result is not None:
            self.outcome = last = last.result
            self._ws.report_taught(last.model)
            s = last.scores.get(FIGURE_LEVEL, {})
            figures = dict(glyphs=_glyph_names(last.labels), seconds=number(last.seconds, ".1f"),
                           before=number(s.get("before"), ".2f"), after=number(s.get("after"), ".2f"),
                           noisy=number(s.get("noisy_input"), ".2f"))
            self._say("Taught {glyphs}: {before} → {after} wrong pixels per glyph at 10 % noise.", "info", **figures)
            self.status.setToolTip(tr("Taught {glyphs} in {seconds} s. Wrong pixels per glyph at 10 % noise, on the same "
                                      "noisy copies: {before} before, {after} after (the noisy input: {noisy}).",
                                      **figures))
            self._ws.tell("Taught {glyphs}: the editor denoises with the taught model, autosaved to {path} "
                          "(choose it in the Model list to explore it or save it elsewhere).",
                          glyphs=figures["glyphs"], path=str(last.saved))
            self.ended.emit("taught")
        elif last is not None and last.state == "diverged":
            self._say("Teaching diverged (the loss became NaN), so the editor keeps its model.", "warning")
            self.ended.emit("diverged")
        else:
            self._say("Cancelled: the editor keeps its model.", "info")
            self.ended.emit("cancelled")

    def _failed(self, error) -> None:
        self._say("Teaching failed: {error}", "error", error=error_text(error))
        self.ended.emit("failed")

    # -- what is shown -----------------------------------------------------------------------
    def _editor_changed(self, model, _previous) -> None:
        # The outcome's figures belong to the taught model: gone with it (Revert, another model).
        if self.outcome is not None and model is not self.outcome.model and self._said and self._said[2] == "info":
            self._said = None
            self.status.hide()
            self.status.setText("")
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.runner.is_running()
        root = self._ws.taught_root(self._ws.editor_model()) if self._ws is not None else None
        self.revert_button.setVisible(root is not None and not running)
        self._arrange()
        if root is not None:
            self.revert_button.setToolTip(tr("Back to {name}, the model before teaching.", name=self._title(root)))

    def _say(self, text: str, kind: str, **values) -> None:
        self._said = (text, values, kind)
        self._show_said()

    def _show_said(self) -> None:
        if self._said is None:
            return
        text, values, kind = self._said
        self.status.set_kind(kind)
        self.status.setText(tr(text, **values))
        self.status.show()

    def message(self) -> str:
        return self.status.text() if self.status.isVisible() else ""
