"""The records a run yields and keeps: a check's record (how the run stands: its state and message,
from the divergence guard's, the target's and the run's own verdicts), a record of an epoch in
progress (step mode, a heartbeat), and the History of the checks (metrics.csv)."""
from __future__ import annotations

import time

import numpy as np

from aegui.core.train import progress as P
from aegui.core.train.loop.contract import Check, Observer


class Records(Observer):
    """Makes each check's ProgressRecord (the best model's numbers) and keeps the run's history, state and
    message."""
    def __init__(self, history):
        self.history = history
        self.last_wrong: np.ndarray | None = None     # the wrong pixels the last record measured
        self.state, self.message = P.RUNNING, ""

    def fill(self, run, rec: P.ProgressRecord, check: Check) -> tuple[np.ndarray, dict]:
        """A record's numbers from a check's (its best model check.best); returns the record's
        per-model loss (NaN for frozen models) and the best model's loss parts."""
        b = check.best
        loss = check.loss.astype(np.float32)
        loss[~run.divergence.alive] = np.nan
        wrong = check.wrong
        worst = wrong.max(1)
        rec.losses = {name: float(v[b]) for name, v in check.parts.items()}
        rec.loss_per_model, rec.best = loss, b
        rec.max_wrong, rec.mean_wrong = int(worst[b]), float(wrong[b].mean())
        rec.max_wrong_per_model, rec.mean_wrong_per_model = worst, wrong.mean(1)
        rec.glyph_wrong = wrong[b].copy()
        return loss, rec.losses

    def _blank(self, run, epoch: int) -> P.ProgressRecord:
        k = len(run.divergence.alive)
        return P.ProgressRecord(epoch=epoch, total_epochs=run.session.exp.train.epochs, losses={},
                                loss_per_model=np.zeros(k, np.float32), max_wrong=0, mean_wrong=0.0,
                                max_wrong_per_model=np.zeros(k, np.int64), mean_wrong_per_model=np.zeros(k),
                                glyph_wrong=np.zeros(0, np.int64), best=0, elapsed=0.0, epochs_per_s=0.0)

    def record(self, run, check: Check) -> P.ProgressRecord:
        """The record of a check (the observers have seen it: the guard froze what blew up, the
        best model is picked)."""
        s, t = run.session, run.session.exp.train
        self.last_wrong = check.wrong
        rec = self._blank(run, check.epoch)
        loss, losses = self.fill(run, rec, check)
        state, msg = P.RUNNING, None
        verdict = run.divergence.verdict(run, check) or run.target.verdict(run, check, rec.max_wrong_per_model, loss)
        if verdict:
            state, msg = verdict
        elif s.stop_requested:
            state, msg = P.STOPPED, ("stopped", {"epoch": check.epoch})
        elif check.epoch >= t.epochs:
            state = P.FINISHED
        if state == P.RUNNING:
            msg = run.divergence.note() or msg
        if msg is None or state == P.FINISHED:
            msg = s.objective.warning(s.exp.model, check.epoch, losses) or msg
        rec.message = P.render(*msg) if msg else ""
        rec.extra = {"message_id": msg[0], "message_args": msg[1]} if msg else {}
        rec.state = state
        self.state, self.message = state, rec.message
        rec.elapsed = time.perf_counter() - run.start - run.idle_s
        rec.epochs_per_s = check.epoch / rec.elapsed if rec.elapsed > 0 else 0.0
        return rec

    def partial(self, run, epoch: int, batch: int, batches: int, check: Check, heartbeat: bool) -> P.ProgressRecord:
        """Where an epoch in progress stands after `batch` of its `batches` (step mode, or a
        heartbeat): the mean loss of those batches and `check.wrong` (extra["heartbeat"] when they
        are those the last record measured). The best model may change."""
        self.last_wrong = check.wrong
        run.best.on_check(run, check)
        rec = self._blank(run, epoch)
        self.fill(run, rec, check)
        rec.elapsed = time.perf_counter() - run.start - run.idle_s
        done = epoch - 1 + batch / batches
        rec.epochs_per_s = done / rec.elapsed if rec.elapsed > 0 else 0.0
        rec.batch, rec.batches = batch, batches
        rec.extra = {"heartbeat": True} if heartbeat else {}
        return rec

    def on_record(self, run, rec) -> None:
        """Appends a check's record to the history."""
        if not rec.batch:
            self.history.append(rec)
