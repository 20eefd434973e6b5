"""Teaching the pixel editor's model new glyphs as the window does it, without Qt: a job for a
worker thread (aegui.qt.workers.threads.JobRunner runs anything with steps() and cancel()).

It fine-tunes a TrainedModel on the glyphs mixed with the glyphs it was trained on
(aegui.core.analyses.teach.TeachSession), measures the new glyphs before and after on the same
noisy copies, autosaves the taught model as `aegui teach` does (weights, model.json listing the
glyphs' font.h in data.extra_glyphs, metrics.csv) and opens it back as any saved model, so its
dataset holds the new glyphs and its view (codes, familiarity) is computed here, not on the GUI
thread. Cancel (or a run that diverged) ends it without a model: nothing is saved.

Items yielded: TeachProgress while teaching (reading the glyphs, preparing, fine-tuning, the
before / after figures, saving: its `phase`), then, when a model was taught, the last one again
with the TeachOutcome as its `result`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from aegui.core.analyses import teach as T
from aegui.core.jobs.job import Job
from aegui.core.train import progress as P

FIGURE_REPEATS = 20     # noisy copies of each new glyph for the before / after figures (as `aegui teach`)


@dataclass
class TeachOutcome:
    """A finished teaching: the taught model, the glyphs, the scores before and after, the time, and where it
    was autosaved."""
    model: object                   # the taught TrainedModel (taught_from: the model it started from)
    labels: list[str]               # the glyphs taught
    scores: dict                    # before_after on the new glyphs: {"10%": {"noisy_input", "before", "after"}}
    seconds: float                  # teaching alone (the epochs), as the progress records count it
    record: T.TeachProgress         # the last record
    saved: Path | None = None       # the autosave folder
    notes: list[str] = field(default_factory=list)

    @property
    def base(self):
        """The model teaching started from."""
        return self.model.taught_from


class TeachJob(Job):
    """Teach `base` (a TrainedModel of 5x7 glyphs) the (7, 5) `images` named `labels`, then save
    the result into `folder`. Build it on the worker thread: it reads nothing the GUI thread
    writes. The glyphs are read and the model prepared in steps(), which says how far it is."""

    def __init__(self, base, images, labels, folder, settings: T.TeachSettings | None = None,
                 source: str = ""):
        if base is None or base.model is None:
            raise T.TeachError("no model to teach: open or train a 5x7 denoiser first")
        if len(images) != len(labels):
            raise T.TeachError(f"{len(images)} glyphs but {len(labels)} labels; give one label per glyph")
        T.check_teachable(base.experiment, base.model)
        self.base, self.folder = base, Path(folder)
        self.images, self.names, self.settings, self.source = images, labels, settings, source
        self.session: T.TeachSession | None = None       # made by steps(), once the glyphs are read

    def cancel(self) -> None:
        """Stop after the current epoch and keep nothing (safe from another thread)."""
        super().cancel()
        if self.session is not None:
            self.session.stop()

    def _read(self):
        """The glyphs read (with their records), then the session made."""
        fonts = yield from T.reading_arrays(self.images, self.names, name="Taught")
        self.session = T.TeachSession(self.base.model, self.base.experiment, fonts, self.settings,
                                      source=self.source, base_path=str(self.base.path or ""),
                                      known=self.base.dataset)
        if self.cancelled:
            self.session.stop()

    def steps(self):
        """Reads the glyphs, fine-tunes, measures before and after, saves into the folder and reopens the
        result, yielding progress; a cancel or a diverged run saves nothing."""
        yield from self._read()
        rec = None
        for item in self.session.steps():
            yield item
            if item.phase == T.FINE_TUNING:
                rec = item
        if rec is None or self.cancelled or rec.state == P.DIVERGED:
            return
        yield from self._finish(rec)

    def _finish(self, rec):
        from aegui.core.runs.trained import open_trained
        taught = self.session.result()
        scores = (yield from T.measuring(self.base.model, taught, ("new",), repeats=FIGURE_REPEATS))["new"]
        if self.cancelled:
            yield replace(taught.last, state=P.STOPPED)     # nothing saved
            return
        yield replace(taught.last, phase=T.SAVING)
        t0 = time.perf_counter()
        T.save_taught(self.folder, taught, {"new": scores})
        model = open_trained(self.folder)
        model.taught_from = self.base
        model.dirty = True                    # trained here, not saved by the user yet
        model.trained = ("px", int(model.metrics.get("max_wrong_pixels", 0)))
        notes = [f"saved and reopened in {time.perf_counter() - t0:.2f} s"]
        outcome = TeachOutcome(model, list(taught.new.labels), scores, rec.elapsed, taught.last, self.folder, notes)
        yield replace(taught.last, phase=T.SAVING, fraction=1.0, result=outcome)
