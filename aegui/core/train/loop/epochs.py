"""The one epoch loop: TrainingSession.steps() runs it with the backend that computes the session's
steps (backends/), and the observers do the rest (contract.py).

Each epoch: the backend's data and learning rate for it, then batch by batch a forward and backward
pass and the optimizer's update; between batches a record of the epoch so far when an observer
wants one. A check (every train.check_every epochs, the last, and every epoch while the window
steps) yields a record: its numbers read off the backend as numpy arrays, shown to the observers
(the divergence guard freezes what blew up, the best model is picked), made into a ProgressRecord
(state and message from the observers' verdicts), completed by them (validation loss, early
stopping, the history) and yielded. A full batch of the clean data is measured before its update
on a check epoch but the last: a model that reaches a target is kept exactly as measured, and the
final record describes the weights that are kept.
"""
from __future__ import annotations

import time
from typing import Iterator

from aegui.core.train import progress as P
from aegui.core.train.loop.contract import Check, Measured, Observer


class Run:
    """One run of the loop: what its observers and backend share."""

    def __init__(self, session, backend):
        self.session, self.backend = session, backend
        self.observers = session.observers()
        self.divergence, self.target, self.best, self.records = \
            session.divergence, session.target, session.ranking, session.records
        self.start = 0.0
        self.idle_s = 0.0     # seconds the consumer spent waiting (a paused window): not training time
        self.reporting = any(o.reports_inside_epochs for o in self.observers)
        # Each hook's observers that have one (an epoch of the numpy loop takes a tenth of a
        # millisecond: it asks no one who has nothing to say).
        self._hooks = {name: [getattr(o, name) for o in self.observers
                              if getattr(type(o), name) is not getattr(Observer, name)]
                       for name in ("on_start", "on_first_loss", "every_epoch", "batch_record", "heartbeat",
                                    "on_check", "on_record", "after_record")}

    def tell(self, hook: str, *args) -> None:
        """Calls `hook` on every observer that has one."""
        for call in self._hooks[hook]:
            call(self, *args)

    def asks(self, hook: str) -> bool:
        """Whether any observer answers yes to `hook`."""
        return any(call() for call in self._hooks[hook])

    def late_check(self) -> bool:
        """At the end of an epoch without a check: whether one is wanted after all (the window began
        stepping or pausing during the epoch)."""
        return any(o.every_epoch() or o.batch_record() for o in self.observers
                   if self._hooks["every_epoch"] or self._hooks["batch_record"])

    def first_loss(self) -> None:
        """Hands the first step's loss to the observers."""
        self.tell("on_first_loss", self.backend.read_loss(self.backend.first_loss()))

    def emit(self, rec: P.ProgressRecord) -> Iterator[P.ProgressRecord]:
        """Yields a record, with the observers told before (on_record) and after the consumer has had it
        (after_record)."""
        self.tell("on_record", rec)
        yield rec
        self.tell("after_record", rec)

    def partial(self, epoch: int, batch: int, measure: bool) -> Iterator[P.ProgressRecord]:
        """The record of the epoch in progress after `batch` (wrong pixels measured now, or those
        the last record measured)."""
        b = self.backend
        parts = b.parts_so_far(batch)
        last = self.records.last_wrong
        wrong = b.wrong_now() if measure or last is None else last
        check = b.read(epoch, Measured(wrong, parts["total"], parts), extents=False)
        yield from self.emit(self.records.partial(self, epoch, batch, b.batches, check, heartbeat=not measure))

    def check(self, epoch: int, check: Check | None):
        """Yields the record of a check (`check`: its numbers, measured before the update; None:
        measure them now) and returns it."""
        b = self.backend
        if check is None:
            parts = b.check_parts(epoch)
            check = b.read(epoch, Measured(b.wrong_now(), parts["total"], parts), extents=True)
        else:
            check.weight_extent, check.stats_extent = b.extents()
        self.tell("on_check", check)
        rec = self.records.record(self, check)
        b.amend(rec)
        self.records.state, self.records.message = rec.state, rec.message
        yield from self.emit(rec)
        return rec


def run(session, backend) -> Iterator[P.ProgressRecord]:
    """The records of `session`'s run with `backend` computing its steps."""
    r = Run(session, backend)
    try:
        yield from _epochs(r)
    finally:
        backend.end()


def _epochs(r: Run) -> Iterator[P.ProgressRecord]:
    s, backend = r.session, r.backend
    t = s.exp.train
    backend.start(r)
    r.start = time.perf_counter()
    r.tell("on_start")
    first = True
    epoch = 0
    while epoch < t.epochs:
        epoch += backend.span(epoch, t.epochs, t.check_every)
        s.epoch = epoch
        last = epoch == t.epochs or s.stop_requested
        check = backend.checks_every_span or epoch % t.check_every == 0 or last or r.asks("every_epoch")
        backend.begin(epoch, keep_parts=check or r.reporting)
        measured = None
        for batch in range(1, backend.batches + 1):
            backend.forward(epoch, batch)
            if first:
                r.first_loss()
                first = False
            if check and not last and backend.exact:
                measured = backend.read(epoch, backend.measured(), extents=False)
                if r.target.active and r.target.hit(r, measured):
                    backend.drop_step()
                    break
            backend.update()
            if batch < backend.batches:
                asked = r.asks("batch_record")
                if asked or r.asks("heartbeat"):
                    yield from r.partial(epoch, batch, measure=asked)
        epoch = backend.epochs_done(epoch)
        s.epoch = epoch
        if not check and r.late_check():
            check = True
        if not check:
            if r.asks("heartbeat"):
                yield from r.partial(epoch, backend.batches, measure=False)
            continue
        rec = yield from r.check(epoch, measured)
        if rec.done:
            return
