"""Where training stands, as every part of the window shows it: one phase, the epoch, the rate
and the time left, with paused time left out of both."""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

IDLE = "idle"            # nothing running; `outcome` says how the last run ended
LOADING = "loading"      # reading the dataset before the first epoch
RUNNING = "running"
PAUSED = "paused"
STEPPING = "stepping"    # one more batch or epoch, then paused
BUSY = (LOADING, RUNNING, PAUSED, STEPPING)


@dataclass(frozen=True)
class TrainingState:
    """Where training stands: the phase, the epoch (and batch) out of how many, the rate, the time spent, and
    how the last run ended."""
    phase: str = IDLE
    epoch: int = 0
    total: int = 0
    batch: int = 0                 # batches done of an epoch in progress (step mode), else 0
    batches: int = 0
    rate: float = 0.0              # epochs per second of training (paused time left out)
    active_s: float = 0.0          # seconds spent training, pauses left out
    outcome: str | None = None     # idle after a run: finished, target, stopped, diverged, failed
    loaded: tuple[int, int] | None = None   # (done, total) pictures read while loading, when known

    @property
    def busy(self) -> bool:
        """Whether a run is loading, running, paused or stepping."""
        return self.phase in BUSY

    @property
    def eta_s(self) -> float | None:
        """Seconds of training left at the current rate, or None when it cannot be told."""
        if self.phase not in (RUNNING, STEPPING, PAUSED) or self.rate <= 0 or not self.total:
            return None
        return max(0.0, (self.total - self.epoch) / self.rate)


class TrainingClock:
    """The state machine behind TrainingState: the workspace feeds it what happens, it keeps the
    time spent training (a pause stops the clock) and answers the state."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self.state = TrainingState()
        self._since: float | None = None    # when the clock last started running
        self._active = 0.0

    def _active_now(self) -> float:
        return self._active + (self._clock() - self._since if self._since is not None else 0.0)

    def _run_clock(self, on: bool) -> None:
        if on and self._since is None:
            self._since = self._clock()
        elif not on and self._since is not None:
            self._active += self._clock() - self._since
            self._since = None

    def loading(self, total_epochs: int) -> TrainingState:
        """A run starts loading its data: the clock is reset."""
        self._active, self._since = 0.0, None
        self.state = TrainingState(LOADING, total=total_epochs)
        return self.state

    def loaded(self, done: int, total: int) -> TrainingState:
        """How far the dataset's loading has got."""
        self.state = replace(self.state, loaded=(done, total))
        return self.state

    def started(self, paused: bool = False) -> TrainingState:
        """The first epoch begins (`paused`: step mode, one step then a pause)."""
        self._run_clock(True)
        self.state = replace(self.state, phase=STEPPING if paused else RUNNING, loaded=None)
        return self.state

    def progress(self, epoch: int, total: int, batch: int = 0, batches: int = 0) -> TrainingState:
        """A record came: the epoch and batch it reached, and the rate over the time spent training (pauses left
        out)."""
        active = self._active_now()
        done = epoch - 1 + batch / batches if batch and batches else epoch
        rate = done / active if active > 0 else 0.0
        self.state = replace(self.state, epoch=epoch, total=total or self.state.total, batch=batch,
                             batches=batches, rate=rate, active_s=active)
        return self.state

    def set_phase(self, phase: str) -> TrainingState:
        """paused / running / stepping while a run goes on."""
        self._run_clock(phase in (RUNNING, STEPPING))
        self.state = replace(self.state, phase=phase, active_s=self._active_now())
        return self.state

    def ended(self, outcome: str) -> TrainingState:
        """The run ended with `outcome`: the clock stops and the phase is idle."""
        self._run_clock(False)
        self.state = replace(self.state, phase=IDLE, outcome=outcome, active_s=self._active)
        return self.state
