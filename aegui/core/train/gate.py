"""Between training steps: pause, resume, step one batch or one epoch at a time, and a speed cap.

The training thread calls `count("batch")` after each batch record and `count("epoch", epoch)`
after each epoch record, then `wait()` when count said so (after showing where training stands);
the GUI thread calls pause / resume / step / set_cap / stop. Qt-free.
"""
from __future__ import annotations

import threading
import time

BATCH, EPOCH = "batch", "epoch"


class Every:
    """True at most once per `seconds` (always when forced): how often a loop on a worker thread
    reports (it has no event loop for a Qt throttler)."""

    def __init__(self, seconds: float, clock=time.monotonic):
        self.seconds, self.clock = seconds, clock
        self._last = float("-inf")

    def __call__(self, force: bool = False) -> bool:
        now = self.clock()
        if force or now - self._last >= self.seconds:
            self._last = now
            return True
        return False


class Share:
    """Due at most once per `seconds`, and only once the work it gates has had at most `share` of the
    time since it last began: what the training thread does besides training stays a bounded part of
    it whatever the model's size. `spent(seconds)` says how long the gated work took."""

    def __init__(self, seconds: float, share: float, clock=time.monotonic):
        self.seconds, self.share, self.clock = seconds, share, clock
        self._began = float("-inf")
        self._took = 0.0

    def __call__(self) -> bool:
        now = self.clock()
        if now - self._began >= max(self.seconds, self._took / self.share):
            self._began = now
            return True
        return False

    def spent(self, seconds: float) -> None:
        self._took = seconds


class StepGate:
    """Pause, resume, step and a speed cap between training steps: the GUI thread sets it, the training thread
    asks it (module docstring)."""
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
        self.waiting = False              # the training thread is blocked in wait() now

    # ---------------------------------------------------------------- GUI thread
    @property
    def paused(self) -> bool:
        """Whether a pause was asked."""
        return self._paused

    @property
    def stepping(self) -> bool:
        """Records every epoch are wanted (stepping or capped): the canvas follows each one."""
        return self._unit is not None or self._paused or self.cap is not None

    def pause(self) -> None:
        """Pause at the next record."""
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        """Run freely again, waking a waiting training thread."""
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
        """At most this many epochs a second (None or 0: no cap)."""
        with self._cond:
            self.cap = float(epochs_per_s) if epochs_per_s and epochs_per_s > 0 else None
            self._pace_t = 0.0
            self._cond.notify_all()

    def stop(self) -> None:
        """Stop: a waiting training thread is woken and waits no more."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    # ---------------------------------------------------------------- training thread
    @property
    def wants_batches(self) -> bool:
        """A record after every batch is wanted: stepping by batches, or a pause to reach now."""
        return self._unit == BATCH or (self._paused and not self._stopped)

    def count(self, unit: str, epoch: int = 0) -> bool:
        """A record came: of a batch inside an epoch (BATCH) or of a whole epoch (EPOCH). Count it
        against a step and keep to the cap; True when the loop must now wait (`wait()`): paused,
        or the step is done."""
        with self._cond:
            # Stepping by batches, every record is one batch further: a whole epoch's record
            # follows its last batch, and scipy's optimizers (no batches) step an epoch.
            if self._unit in (unit, BATCH):
                self._budget -= 1
                if self._budget <= 0:
                    self._paused, self._unit = True, None
            if unit == EPOCH and self.cap and not self._paused:
                self._pace(epoch)
            return self._paused and not self._stopped

    def wait(self) -> None:
        """Block while paused (until resume, a step or stop)."""
        with self._cond:
            self.waiting = True
            try:
                while self._paused and not self._stopped:
                    self._cond.wait()
            finally:
                self.waiting = False
            self._pace_t = 0.0    # the cap counts from the resume, not across a pause

    def passed(self, unit: str, epoch: int = 0) -> None:
        """count() then, when due, `on_pause()` and wait(): for loops with nothing to show first."""
        if self.count(unit, epoch):
            if self.on_pause is not None:
                self.on_pause()
            self.wait()

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
