"""Early stopping (train.patience, train.min_delta): TrainingSession.record() shows it each check's
record; once no model's loss has improved for `patience` epochs, the run ends with every model
back at the weights of its best check.

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
import torch


class EarlyStop:
    def __init__(self, session):
        t = session.exp.train
        self.patience, self.min_delta = int(t.patience), float(t.min_delta)
        k = session.k
        self.best = np.full(k, np.inf)            # each model's best watched loss so far
        self.best_epoch = np.zeros(k, np.int64)   # ... and the epoch of that check
        self.weights: torch.Tensor | None = None  # [K, P] each model's weights at its best check
        self.stats: torch.Tensor | None = None
        self.parts: dict[str, np.ndarray] = {}    # each model's loss parts at its best check
        self.val = np.full(k, np.nan)
        self.watching_val = session.val_x is not None

    def watched(self, rec) -> np.ndarray:
        """Each model's watched loss in a record [K] (NaN for a dead model)."""
        values = rec.val_loss_per_model if self.watching_val else rec.loss_per_model
        out = np.asarray(values, dtype=np.float64).copy()
        out[~np.isfinite(np.asarray(rec.loss_per_model, dtype=np.float64))] = np.nan
        return out

    def observe(self, session, rec, parts: dict) -> bool:
        """Take a check's record (`parts`: its loss parts per model, [K] tensors); True when every
        live model has gone `patience` epochs without improving."""
        values = self.watched(rec)
        live = np.isfinite(np.asarray(rec.loss_per_model, dtype=np.float64))
        better = live & np.isfinite(values) & (values < self.best - self.min_delta)
        if better.any():
            self._keep(session, rec, parts, better, values)
        waited = rec.epoch - self.best_epoch
        return bool(live.any()) and bool((waited[live] >= self.patience).all())

    def _keep(self, session, rec, parts: dict, better: np.ndarray, values: np.ndarray) -> None:
        model = session.model
        with torch.no_grad():
            if self.weights is None:
                self.weights, self.stats = model.flat.detach().clone(), model.stats.detach().clone()
            else:
                rows = torch.from_numpy(better).to(model.flat.device)
                self.weights[rows] = model.flat.detach()[rows]
                self.stats[rows] = model.stats.detach()[rows]
        for name, value in parts.items():
            now = value.detach().double().cpu().numpy().reshape(-1)
            self.parts.setdefault(name, np.full(len(better), np.nan))[better] = now[better]
        if rec.val_loss_per_model is not None:
            self.val[better] = np.asarray(rec.val_loss_per_model, dtype=np.float64)[better]
        self.best[better] = values[better]
        self.best_epoch[better] = rec.epoch

    def restore(self, session) -> np.ndarray:
        """Every live model that has a best check back at its weights; returns which [K] bool."""
        model = session.model
        back = np.isfinite(self.best) & session.alive.cpu().numpy()
        if self.weights is not None and back.any():
            rows = torch.from_numpy(back).to(model.flat.device)
            with torch.no_grad():
                model.flat[rows] = self.weights[rows]
                model.stats[rows] = self.stats[rows]
        return back
