"""Observers of a run that someone watches: heartbeat records of a long epoch, the window's step
gate (step mode, pauses, the speed cap) and replay recording."""
from __future__ import annotations

import time

from aegui.core.train.gate import BATCH, EPOCH, StepGate
from aegui.core.train.loop.contract import Observer


class Heartbeat(Observer):
    """A record of the epoch in progress when none came for `seconds` (ProgressRecord.batch; its
    wrong pixels those last measured): how far a long epoch has got, and the rate a time estimate
    needs, before the first check (a model of 10,000 batch-norm layers took 11 s an epoch and
    showed nothing until its tenth)."""

    reports_inside_epochs = True

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.last = time.perf_counter()

    def on_start(self, run) -> None:
        """The clock starts with the run."""
        self.last = time.perf_counter()

    def heartbeat(self) -> bool:
        """Whether `seconds` have gone by without a record."""
        return time.perf_counter() - self.last >= self.seconds

    def on_record(self, run, rec) -> None:
        """A record came: the clock starts again."""
        self.last = time.perf_counter()


class StepControl(Observer):
    """The window's StepGate (gate.py) on a run: a check every epoch while it steps, pauses or
    caps the speed; a record after every batch while stepping by batches or reaching a pause; and
    after each record, the wait the gate asks for (`pausing` says so before the record is shown).
    The time spent waiting is left out of the records' elapsed time and rate."""

    reports_inside_epochs = True

    def __init__(self, gate: StepGate):
        self.gate = gate
        self.pausing = False      # the last record is followed by a wait

    def every_epoch(self) -> bool:
        """A check every epoch while stepping."""
        return self.gate.stepping

    def batch_record(self) -> bool:
        """A record after each batch while stepping by batches."""
        return self.gate.wants_batches

    def on_record(self, run, rec) -> None:
        """Counts the step the record ends; the gate says whether to pause after it."""
        self.pausing = not rec.done and self.gate.count(BATCH if rec.batch else EPOCH, rec.epoch)

    def after_record(self, run, rec) -> None:
        """Waits while paused, the time waited left out of the run's time."""
        if self.pausing:
            t0 = time.perf_counter()
            self.gate.wait()
            run.idle_s += time.perf_counter() - t0


class ReplayRecording(Observer):
    """Codes of the shown samples under the best model so far, at the epochs a replay store takes
    (snapshots.ReplayRecorder), from the checks' records."""

    def __init__(self, recorder):
        self.recorder = recorder

    def on_record(self, run, rec) -> None:
        """A check's record: the shown samples' codes recorded when the replay store takes this epoch."""
        if not rec.batch:
            self.recorder.record(run.session, rec)
