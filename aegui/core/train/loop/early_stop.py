"""Early stopping (train.patience, train.min_delta): it sees each check's record; once no model's
loss has improved for `patience` epochs, the run ends with every model back at the weights of its
best check.

- The loss watched is each model's own, read at the checks (every train.check_every epochs, every
  epoch in step mode): its validation loss when the data has a validation split, else its
  training loss (the total the optimizer minimises, as the record and the charts give it).
- A check improves on a model's best when its loss is below that best by more than min_delta
  (Keras's rule). The stacked models are watched apart, as each would be trained alone: the run
  ends when every live model has gone `patience` epochs without improving (a model that has
  stopped improving trains on meanwhile; it is put back at its best all the same).
- What is kept at each improvement: the model's weights (and batch-norm statistics) and the
  numbers of that check. The record that ends the run is of those weights: wrong pixels measured
  again, the training loss measured again where a full-batch step measures it exactly (a
  deterministic loss on the clean training set), else the check's own numbers.
- A run that reaches its last epoch, a target or a stop first ends as it would without early
  stopping (its last weights); diverged models stay frozen where the blow-up guard left them.
"""
from __future__ import annotations

import numpy as np

from aegui.core.train import progress as P
from aegui.core.train.loop.contract import Check, Observer
from aegui.core.train.loop.divergence import _copy, _rows, writing


class EarlyStopping(Observer):
    """Stops a run when no model's watched loss (the validation loss, else the training loss) has improved by
    min_delta for `patience` epochs, giving each model back its best weights."""
    def __init__(self, session):
        t = session.exp.train
        self.patience, self.min_delta = int(t.patience), float(t.min_delta)
        k = session.k
        self.best = np.full(k, np.inf)            # each model's best watched loss so far
        self.best_epoch = np.zeros(k, np.int64)   # ... and the epoch of that check
        self.weights = None                       # [K, P] each model's weights at its best check
        self.stats = None
        self.parts: dict[str, np.ndarray] = {}    # each model's loss parts at its best check
        self.val = np.full(k, np.nan)
        self.watching_val = session.val_x is not None
        self.check_parts: dict = {}               # the last check's loss parts per model

    def watched(self, rec) -> np.ndarray:
        """Each model's watched loss in a record [K] (NaN for a dead model)."""
        values = rec.val_loss_per_model if self.watching_val else rec.loss_per_model
        out = np.asarray(values, dtype=np.float64).copy()
        out[~np.isfinite(np.asarray(rec.loss_per_model, dtype=np.float64))] = np.nan
        return out

    def on_check(self, run, check: Check) -> None:
        """Keeps the check's loss parts for the record that follows."""
        self.check_parts = check.parts

    def on_record(self, run, rec) -> None:
        """After a check's record: tracks each model's best, and stops the run when patience has run out."""
        if not rec.batch and rec.state == P.RUNNING and self.observe(run, rec):
            self._stop(run, rec)

    def observe(self, run, rec) -> bool:
        """Take a check's record; True when every live model has gone `patience` epochs without
        improving."""
        values = self.watched(rec)
        live = np.isfinite(np.asarray(rec.loss_per_model, dtype=np.float64))
        better = live & np.isfinite(values) & (values < self.best - self.min_delta)
        if better.any():
            self._keep(run, rec, better, values)
        waited = rec.epoch - self.best_epoch
        return bool(live.any()) and bool((waited[live] >= self.patience).all())

    def _keep(self, run, rec, better: np.ndarray, values: np.ndarray) -> None:
        flat, stats = run.backend.weights()
        if self.weights is None:
            self.weights, self.stats = _copy(flat), _copy(stats)
        else:
            with writing(flat):
                r = _rows(better, flat)
                self.weights[r] = flat[r]
                self.stats[r] = stats[r]
        for name, value in self.check_parts.items():
            now = np.asarray(value, dtype=np.float64).reshape(-1)
            self.parts.setdefault(name, np.full(len(better), np.nan))[better] = now[better]
        if rec.val_loss_per_model is not None:
            self.val[better] = np.asarray(rec.val_loss_per_model, dtype=np.float64)[better]
        self.best[better] = values[better]
        self.best_epoch[better] = rec.epoch

    def restore(self, run) -> np.ndarray:
        """Every live model that has a best check back at its weights; returns which [K] bool."""
        back = np.isfinite(self.best) & run.divergence.alive
        if self.weights is not None and back.any():
            flat, stats = run.backend.weights()
            with writing(flat):
                r = _rows(back, flat)
                flat[r] = self.weights[r]
                stats[r] = self.stats[r]
        return back

    def _stop(self, run, rec) -> None:
        """`rec` becomes the record that ends the run (in place: a consumer may go on with the record
        it has): each model back at its best check's weights, their wrong pixels measured again,
        their training loss too where a full-batch step measures it exactly, else their best check's."""
        back = self.restore(run)
        parts = run.session.exact_parts(rec.epoch)
        if parts is None:
            parts = {}
            for name, now in self.check_parts.items():
                values = np.asarray(now, dtype=np.float64).reshape(-1).copy()
                values[back] = self.parts[name][back]
                parts[name] = values
        backend = run.backend
        check = Check(rec.epoch, backend.read_wrong(backend.wrong_now()), parts["total"], parts)
        run.best.on_check(run, check)
        run.records.fill(run, rec, check)
        b = check.best
        if rec.val_loss_per_model is not None:
            rec.val_loss_per_model = np.where(back, self.val, rec.val_loss_per_model)
            rec.val_loss = float(rec.val_loss_per_model[b])
        msg = ("early_stop", {"epoch": rec.epoch, "patience": self.patience, "model": b + 1,
                              "models": len(back), "best_epoch": int(self.best_epoch[b])})
        rec.state, rec.message = P.EARLY_STOPPED, P.render(*msg)
        rec.extra = {"message_id": msg[0], "message_args": msg[1]}
        run.records.state, run.records.message = rec.state, rec.message
