"""The validation loss of a check's record: the best model's on the session's validation split, or
every model's (comparison grids plot each run's test curve; early stopping watches each)."""
from __future__ import annotations

import numpy as np

from aegui.core.train.loop.contract import Observer


class ValidationLoss(Observer):
    """Puts the validation loss on each check's record when the session has validation data."""
    def on_record(self, run, rec) -> None:
        """The validation loss of the best model (of every model when asked or when early stopping watches it).
        """
        s = run.session
        if rec.batch or s.val_x is None:
            return
        if s.val_every_model or s.early_stop is not None:
            rec.val_loss_per_model = np.array([s.val_loss(k, rec.epoch) for k in range(s.k)])
            rec.val_loss = float(rec.val_loss_per_model[rec.best])
        else:
            rec.val_loss = s.val_loss(rec.best, rec.epoch)
