"""Between training steps: pause, resume, step one batch or one epoch at a time, and a speed cap.

The training thread calls `passed("batch")` after each batch and `passed("epoch", epoch)` after
each progress record; the GUI thread calls pause / resume / step / set_cap / stop. Qt-free.
"""
from __future__ import annotations

import threading
import time

BATCH, EPOCH = "batch", "epoch"


class StepGate:
    def __init__(self):
        self._cond = threading.Condition()
        self._paused = False
        self._stopped = False
        self._unit: str | None = None     # what a step counts (None: free running)
        self._budget = 0
        self.cap: float | None = None     # epochs per second at most (None: as fast as it goes)
        self._pace_t = 0.0
        self._pace_epoch = 0
        self.on_pause = None              # called (training thread) just before it waits
        self._batches_reported = False    # scipy's optimizers run whole epochs: no batches to count

    # ---------------------------------------------------------------- GUI thread
    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def stepping(self) -> bool:
        """Records every epoch are wanted (stepping or capped): the canvas follows each one."""
        return self._unit is not None or self._paused or self.cap is not None

    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused, self._unit, self._budget = False, None, 0
            self._cond.notify_all()

    def step(self, unit: str = EPOCH, n: int = 1) -> None:
        """Run n more batches or epochs, then pause."""
        if unit not in (BATCH, EPOCH) or n < 1:
            raise ValueError(f"step {unit!r} x {n}")
        with self._cond:
            self._unit, self._budget, self._paused = unit, int(n), False
            self._cond.notify_all()

    def set_cap(self, epochs_per_s: float | None) -> None:
        with self._cond:
            self.cap = float(epochs_per_s) if epochs_per_s and epochs_per_s > 0 else None
            self._pace_t = 0.0
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    # ---------------------------------------------------------------- training thread
    def passed(self, unit: str, epoch: int = 0) -> None:
        """A batch or an epoch ended: count it against a step, keep to the cap, wait while paused."""
        with self._cond:
            if unit == BATCH:
                self._batches_reported = True
            # Without batch reports a batch step is an epoch step (the nearest thing there is).
            if self._unit == unit or (unit == EPOCH and self._unit == BATCH and not self._batches_reported):
                self._budget -= 1
                if self._budget <= 0:
                    self._paused, self._unit = True, None
            if unit == EPOCH and self.cap and not self._paused:
                self._pace(epoch)
            if self._paused and not self._stopped:
                if self.on_pause is not None:
                    self.on_pause()
                while self._paused and not self._stopped:
                    self._cond.wait()
                self._pace_t = 0.0    # the cap counts from the resume, not across a pause

    def _pace(self, epoch: int) -> None:
        now = time.monotonic()
        if not self._pace_t:
            self._pace_t, self._pace_epoch = now, epoch
            return
        due = self._pace_t + (epoch - self._pace_epoch) / self.cap
        while not self._stopped and not self._paused and self.cap and now < due:
            self._cond.wait(due - now)
            now = time.monotonic()
            if self.cap:
                due = self._pace_t + (epoch - self._pace_epoch) / self.cap
