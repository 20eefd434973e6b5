"""The run's targets: train.target_max_wrong (a live model's worst sample has at most that many
wrong pixels) and train.loss_target (the model a check keeps has a training loss at most that)."""
from __future__ import annotations

import numpy as np

from aegui.core.train import progress as P
from aegui.core.train.loop.contract import Check, Observer


class Target(Observer):
    """Ends a run once a model reaches its target: at most max wrong pixels on every sample, or the best model's
    loss at or below the loss target."""
    def __init__(self, train):
        self.max_wrong = train.target_max_wrong     # None: no wrong-pixel target
        self.loss = train.loss_target               # 0: no loss target

    @property
    def active(self) -> bool:
        """Whether a target is set."""
        return self.max_wrong is not None or bool(self.loss)

    def hit(self, run, check: Check) -> bool:
        """Whether a live model with a finite loss has reached the wrong-pixel target, or the model
        the check would keep the loss target (asked before a step, of the numbers it starts from)."""
        alive = run.divergence.alive
        ok = alive & np.isfinite(check.loss)
        if self.max_wrong is not None and bool(((check.wrong.max(1) <= self.max_wrong) & ok).any()):
            return True
        if self.loss:
            b = run.best.pick(check.wrong, check.loss, alive)
            return bool(ok[b] and check.loss[b] <= self.loss)
        return False

    def verdict(self, run, check: Check, max_wrong: np.ndarray, loss: np.ndarray) -> tuple | None:
        """(TARGET, message) when the best model (check.best) reached a target; `max_wrong` and
        `loss` [K] are the record's (NaN loss for frozen models)."""
        b, k = check.best, len(loss)
        if self.max_wrong is not None and int(max_wrong[b]) <= self.max_wrong:
            return P.TARGET, ("target", {"model": b + 1, "models": k, "wrong": int(max_wrong[b]), "epoch": check.epoch})
        if self.loss and loss[b] <= self.loss:
            return P.TARGET, ("loss_target", {"model": b + 1, "models": k, "loss": float(loss[b]),
                                              "target": float(self.loss), "epoch": check.epoch})
        return None
