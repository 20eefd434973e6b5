"""A training run as the window runs it, without Qt: a generator for a worker thread that trains,
computes what the panels show from each snapshot, honours pause / step / speed cap (StepGate),
and at the end measures the run's metrics and autosaves the model, so nothing is lost even if the
window is closing. The Qt layer only iterates it (aegui.qt.workers.training_runner). What it adds to the
session's run are observers (train/loop/contract.py): the step gate and replay recording
(train/loop/live.py) and LiveViews here.

Items yielded: RunStarted once, then RunProgress (records since the last item, and a view of the
best model so far when one is due); the generator returns a RunResult.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from aegui.core.data.dataset import GLYPH_SHAPE, spread_indices
from aegui.core.runs.view import SHOWN_MAX, ModelView, compute_view, shown_samples
from aegui.core.train.gate import Every, Share, StepGate
from aegui.core.train.loop.contract import Observer
from aegui.core.train.loop.live import ReplayRecording, StepControl

PROGRESS_INTERVAL = 0.04    # seconds between progress items (25 a second)
SNAPSHOT_INTERVAL = 0.25    # seconds between views of the model (latent canvas, reconstructions)
# The training thread makes the views: of a big model (MNIST's convolutional preset, 2,700 images an
# epoch) the 1,000 shown samples' codes and reconstructions came every epoch and took a sixth of its
# time (7-9 views, 3.2-3.8 s in 15 s of training); views come as often as they fit in this share.
VIEW_SHARE = 0.1


@dataclass
class RunStarted:
    """A run has begun: the device it trains on and how many models side by side."""
    device: str
    device_name: str
    models: int                     # K models trained side by side


def bar_samples(train):
    """The training samples a record's per-sample wrong pixels (the bars) cover: all of a small
    set, SHOWN_MAX spread over a big one (one bar per sample is unreadable past a thousand).
    (indices or None for all, their labels)."""
    if len(train) <= SHOWN_MAX:
        return None, list(train.labels)
    index = spread_indices(len(train), SHOWN_MAX)
    return index, [train.labels[i] for i in index]


@dataclass
class RunProgress:
    """A batch of a run's records for the window, with a view of the best model when one was due."""
    records: list                   # ProgressRecords since the last item
    view: ModelView | None = None   # the best model so far, when a snapshot was due
    paused: bool = False            # the loop now waits (paused, or a step is done)


@dataclass
class RunResult:
    """A finished run: its last record, the best model and its view, metrics and history, and where it was
    autosaved (or why not)."""
    record: object                  # the last ProgressRecord (its state says how the run ended)
    model: object                   # the best model, K = 1, CPU
    view: ModelView
    metrics: dict
    history: object                 # the session's History (every record of the run)
    saved: Path | None = None       # the autosave folder, or None when it could not be written
    save_error: str = ""


class LiveViews(Observer):
    """What the window is shown of a run: its records gathered into RunProgress items (at most 25
    a second, and at each pause), with a view of the best model at most 4 times a second, within
    VIEW_SHARE of the training thread's time, and at each pause (not for a heartbeat: a view of a
    model whose epoch takes seconds runs it over the shown samples, a good part of a step). `bars`:
    the training samples the per-sample wrong pixels keep (a big set's are cut to SHOWN_MAX, spread
    over it)."""

    def __init__(self, view, control: StepControl, bars, clock=time.monotonic):
        self.view, self.control, self.bars, self.clock = view, control, bars, clock
        self.pending: list = []
        self.ready: list = []       # items made since the consumer last took them
        self.progress_due = Every(PROGRESS_INTERVAL, clock)
        self.snapshot_due = Share(SNAPSHOT_INTERVAL, VIEW_SHARE, clock)

    def on_record(self, run, rec) -> None:
        """Collects the record, cut to the shown samples' bars; at a pause or when due, hands the pending
        records on with a fresh view if one is due."""
        if self.bars is not None and len(rec.glyph_wrong) > len(self.bars):
            rec.glyph_wrong = rec.glyph_wrong[self.bars]
        self.pending.append(rec)
        if rec.done:
            return
        wait = self.control.pausing
        if wait or self.progress_due():
            shot = self._view(rec.epoch) if wait or (not rec.extra.get("heartbeat") and self.snapshot_due()) else None
            self.ready.append(RunProgress(self.pending, shot, paused=wait))
            self.pending = []

    def _view(self, epoch: int):
        began = self.clock()
        try:
            return self.view(epoch)
        finally:
            self.snapshot_due.spent(self.clock() - began)

    def take(self) -> list:
        """The items made since the last call (the consumer empties them)."""
        out, self.ready = self.ready, []
        return out


def run_training(exp, train, val, full, gate: StepGate | None = None, recorder=None, autosave: Path | None = None,
                 session_ready=None, heartbeat_s: float | None = None):
    """Train `exp` on `train` (validation loss on `val`); `full` is every sample, the ones the
    panels show. `recorder`: a ReplayRecorder of the shown samples' codes; `autosave`: the folder
    the finished model is written to; `session_ready(session)`: called once the session exists
    (a stop asked for before then still ends the run at its first step); `heartbeat_s`: a record
    of an epoch in progress when none came for this long (default the session's HEARTBEAT_S), so
    the charts, the rate and the time left move before a long epoch ends."""
    from aegui.core.runs.trained import TrainedModel, run_metrics
    from aegui.core.train.devices import describe
    from aegui.core.train.session import HEARTBEAT_S, TrainingSession

    gate = gate or StepGate()
    session = TrainingSession(exp, train, val_data=val)
    session.heartbeat_s = HEARTBEAT_S if heartbeat_s is None else heartbeat_s
    if session_ready is not None:
        session_ready(session)
    shown = shown_samples(full)
    bars, _ = bar_samples(train)
    yield RunStarted(str(session.device), describe(session.device), session.k)

    def view(epoch: int) -> ModelView:
        glyphs = tuple(full.shape) == GLYPH_SHAPE
        return compute_view(session.best_model(), shown, full, exp.augment if glyphs else None, epoch)

    control = StepControl(gate)
    session.observe(control)
    if recorder is not None:
        session.observe(ReplayRecording(recorder))
    live = LiveViews(view, control, bars)
    session.observe(live)
    rec = None
    for rec in session.steps():     # the gate's waits happen in here, once an item is yielded
        yield from live.take()
        if rec.done:
            break
    if rec is None:
        raise RuntimeError("training produced no record")
    if live.pending:
        yield RunProgress(live.pending)
    best = session.best_model()
    final = compute_view(best, shown, full, exp.augment if tuple(full.shape) == GLYPH_SHAPE else None, rec.epoch)
    result = RunResult(rec, best, final, run_metrics(session, rec, train, val), session.history)
    if autosave is not None:
        trained = TrainedModel(exp.name, best, exp, full, metrics=result.metrics, history=session.history,
                               replay=recorder.store if recorder is not None and len(recorder.store) else None)
        try:
            result.saved = trained.save(autosave)
        except OSError as e:
            result.save_error = f"{autosave}: {e}"
    return result
