"""Test on N noisy copies: the pixel editor's denoiser on N fresh noise draws of the drawing, at the
editor's noise kind and level (aegui.core.analyses.denoise.noisy_copies on a worker, cancellable), then the
mean and the worst wrong pixels, said in `summary` with the seeds used; the worst case is shown in
the editor's previews by taking its noise seed (`show_worst`)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSpinBox, QWidget

from aegui.qt.i18n import bind_text, number, on_language, tr
from aegui.qt.workers.threads import JobRunner, error_text
from aegui.qt.widgets.text.note import NoteLabel

COPIES = (2, 500, 20)       # the spin box's least, most and first value
SEEDS = 1_000_000           # a test's first noise seed is drawn below this (short enough to read)


class CopiesTestBar(QWidget):
    show_worst = Signal(int)        # the worst copy's noise seed
    finished = Signal(object)       # the CopiesResult
    said = Signal()                 # the summary has new words

    def __init__(self, parent=None):
        super().__init__(parent)
        self.inputs = None          # () -> (drawing, denoise, kind, level) or None without a model
        self.result = None          # the CopiesResult said now
        self._key = None            # what the result is about (the editor's test_key())
        self._said: tuple | None = None     # (English text, values, note kind)
        self.runner = JobRunner(self)
        self.runner.progress.connect(self._progress)
        self.runner.finished.connect(self._finished)
        self.runner.errored.connect(lambda e: self._say("The test failed: {error}", "error", error=error_text(e)))
        self.runner.running_changed.connect(lambda _on: self._label_button())
        self.button = QPushButton(clicked=self.start_or_cancel)
        self.count = QSpinBox()
        self.count.setRange(*COPIES[:2])
        self.count.setValue(COPIES[2])
        bind_text(self, lambda text: self.count.setSuffix(" " + text), "noisy copies")
        bind_text(self, self.count.setToolTip, "How many noisy copies of the drawing the test denoises")
        bind_text(self, self.button.setToolTip, "Denoise the drawing under many fresh noise draws at this kind and "
                                                "level: the mean and the worst wrong pixels, and the worst case shown")
        self.summary = NoteLabel("info")        # laid out by the editor, in its notes
        self.summary.hide()
        self.summary.linkActivated.connect(lambda _link: self.result is not None and
                                           self.show_worst.emit(self.result.worst_seed))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.button)
        lay.addWidget(self.count)
        self._label_button()
        on_language(self, self._label_button)
        on_language(self, self._show_said)

    def _label_button(self) -> None:
        self.button.setText(tr("Cancel") if self.runner.is_running() else tr("Test on"))

    # -- running -----------------------------------------------------------------------------
    def start_or_cancel(self) -> None:
        if self.runner.is_running():
            self.runner.cancel()
        else:
            self.start()

    def start(self, seed: int | None = None) -> bool:
        """Run the test (a random first seed unless one is given). False without a model."""
        from aegui.core.analyses.denoise.noisy_copies import NoisyCopiesTest
        got = self.inputs() if self.inputs is not None else None
        if got is None:
            self._say("Load or train a model to test it.", "warning")
            return False
        key, (drawing, denoise, kind, level) = got
        seed = int(np.random.default_rng().integers(SEEDS)) if seed is None else int(seed)
        n = self.count.value()
        self.result, self._key = None, key
        self.runner.start(lambda: NoisyCopiesTest(drawing, denoise, kind, level, n, seed))
        self._say("Testing on {n} noisy copies…", "info", n=n)
        return True

    def is_running(self) -> bool:
        return self.runner.is_running()

    def forget_unless(self, key) -> None:
        """The editor's drawing, noise kind or level, or model is now `key`: a result (or a run)
        about something else is dropped, not left to mislead."""
        if self._key is None or key == self._key:
            return
        self._key, self.result = None, None
        if self.runner.is_running():
            self.runner.cancel()
        self._said = None
        self.summary.hide()
        self.summary.setText("")

    def _progress(self, item) -> None:
        if not item.ended and self._key is not None:
            self._say("Testing: {done} of {total} noisy copies…", "info", done=item.done, total=item.total)

    def _finished(self, last) -> None:
        if last is None or last.result is None:
            if self._key is not None:
                self._say("Test cancelled.", "info")
            return
        if self._key is None:
            return          # the drawing changed while it ran
        self.result = last = last.result
        self._say("On {n} noisy copies (noise seeds {first} to {last}): {mean} wrong pixels on average, {worst} at "
                  "worst (seed {seed}, <a href=\"#worst\">show it</a>).", "info", n=last.n, first=last.seed,
                  last=last.seed + last.n - 1, mean=number(last.mean_wrong, ".2f"), worst=last.worst_wrong,
                  seed=last.worst_seed)
        self.finished.emit(last)
        self.show_worst.emit(last.worst_seed)

    # -- what is said ------------------------------------------------------------------------
    def _say(self, text: str, kind: str, **values) -> None:
        self._said = (text, values, kind)
        self._show_said()

    def _show_said(self) -> None:
        if self._said is None:
            return
        text, values, kind = self._said
        if "mean" in values and self.result is not None:
            values = dict(values, mean=number(self.result.mean_wrong, ".2f"))     # in today's language
        self.summary.set_kind(kind)
        self.summary.setText(tr(text, **values))
        self.summary.show()
        self.said.emit()

    def message(self) -> str:
        """The summary as it reads (links as their text)."""
        import re
        return re.sub(r"<[^>]+>", "", self.summary.text()) if not self.summary.isHidden() else ""
