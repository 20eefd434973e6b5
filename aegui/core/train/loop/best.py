"""The best of the K stacked models: fewest wrong pixels on its worst sample, then fewest on
average, then the lowest loss; a frozen (diverged) model never. TrainingSession.best_model()
returns the one the last record named."""
from __future__ import annotations

import numpy as np

from aegui.core.train.loop.contract import Check, Observer


_LOWEST = np.finfo(np.float64).min


class BestModel(Observer):
    """Picks the best of the K models at each check: fewest wrong pixels on the worst sample, then on average,
    then the lowest loss; dead models never."""
    def __init__(self):
        self.index = 0

    @staticmethod
    def pick(wrong: np.ndarray, loss: np.ndarray, alive: np.ndarray) -> int:
        """The best model's index: wrong [K, N], loss [K], alive [K] bool."""
        worst = wrong.max(1).astype(np.float64)
        mean = wrong.sum(1) / wrong.shape[1]      # exact sums: the float64 mean, without its overhead
        # NaN counts as 1e300 and -inf as the lowest double (np.nan_to_num's, without its overhead)
        lossd = loss.astype(np.float64)
        lossd = np.minimum(np.maximum(np.where(np.isnan(lossd), 1e300, lossd), _LOWEST), 999)
        score = worst * 1e6 + mean * 1e3 + lossd
        score[~alive] = np.inf
        return int(np.argmin(score))

    def on_check(self, run, check: Check) -> None:
        """Sets the check's best model."""
        check.best = self.index = self.pick(check.wrong, check.loss, run.divergence.alive)
