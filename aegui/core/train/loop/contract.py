"""What the one epoch loop (epochs.py) and its two kinds of helpers agree on.

A Backend computes steps: its way of running the K stacked models' forward pass, backward pass and
optimizer (eager torch, a captured CUDA graph, numpy, scipy's minimisers), and what that way needs
set up. It knows nothing of targets, blow-ups, the best model, records or early stopping.

An Observer is one concern of a run with its own state, told what happens through hooks: the
divergence guard, the target, the best model, the records and their history, validation loss,
early stopping, heartbeats, the window's step gate, replay recording, the window's live views.
Every hook does nothing unless an observer says otherwise.

A check's numbers reach the observers as numpy arrays (Check): a torch backend reads them off its
device in one copy, the numpy backend hands its own arrays over.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Measured:
    """What a backend measured of its models: wrong pixels [K, N], each model's total loss [K] and
    loss parts {name: [K]}, as the backend holds them (torch tensors or numpy arrays)."""
    wrong: object
    loss: object
    parts: dict


@dataclass
class Check:
    """A check's numbers as numpy arrays: wrong pixels [K, N] (int64), total loss [K] (float32, or
    float64 where early stopping mixes in kept values), loss parts {name: [K] float64}, and the
    backend's view of its weights: each model's largest |weight| and largest |running statistic|
    [K] (NaN where one is NaN). Observers fill in the rest as the check goes."""
    epoch: int
    wrong: np.ndarray
    loss: np.ndarray
    parts: dict
    weight_extent: np.ndarray | None = None
    stats_extent: np.ndarray | None = None
    flags: dict = field(default_factory=dict)     # the divergence guard's findings (divergence.py)
    best: int = 0                                 # the best model (best.py)


MEASURED, HEARTBEAT = "measured", "heartbeat"     # the two kinds of record of an epoch in progress


class Observer:
    """One concern of a run. Hooks in the order the loop calls them; `run` is the loop's Run."""

    # Whether it may ask for records inside an epoch (the loop then keeps the loss of the batches so far).
    reports_inside_epochs = False

    def on_start(self, run) -> None:
        """Before the first step (the backend is set up)."""

    def on_first_loss(self, run, loss: np.ndarray) -> None:
        """Each model's loss at the first step [K]."""

    def every_epoch(self) -> bool:
        """True: a check at every epoch (the window steps epoch by epoch)."""
        return False

    def batch_record(self) -> bool:
        """True: a measured record of the epoch so far after this batch (stepping by batches, or a
        pause to reach). Also asked at the end of an epoch that has no check: True makes it one."""
        return False

    def heartbeat(self) -> bool:
        """True: a record of the epoch in progress now, its wrong pixels those last measured."""
        return False

    def on_check(self, run, check: Check) -> None:
        """A check's numbers, before its record is made (observers may change them: a model
        restored after a blow-up is measured again)."""

    def on_record(self, run, rec) -> None:
        """A record (of a check, or of an epoch in progress: rec.batch > 0), before it is yielded."""

    def after_record(self, run, rec) -> None:
        """The consumer has had the record (the loop was resumed): where a paused window waits."""


class Backend:
    """How one kind of loop computes steps. The loop calls, per epoch: begin(epoch), then per batch
    forward(b) and update(); around them it asks for what the observers need."""

    name = ""
    batches = 1            # steps an epoch (scipy: one call of its minimiser)
    exact = False          # forward() of a full batch of the clean data shows the model's own outputs:
                           # a check measures from it before the update, so a model that reaches the
                           # target is kept exactly as measured (the last epoch is measured after it)
    checks_every_span = False   # scipy: every span of epochs ends with a check

    def start(self, run) -> None:
        """Set up (optimizer, graphs, networks). Raises RuntimeError where this backend cannot run
        the session after all (a captured graph that cannot be recorded)."""

    def span(self, epoch: int, epochs: int, check_every: int) -> int:
        """Epochs the next pass covers, from `epoch` (0-based, done so far): 1, or scipy's chunk."""
        return 1

    def begin(self, epoch: int, keep_parts: bool) -> None:
        """An epoch's data (noise, augmentation, batch order) and learning rate; `keep_parts`: keep
        the mean loss of its batches (a check or a record of the epoch in progress will want it)."""

    def forward(self, epoch: int, batch: int) -> None:
        """Forward and backward pass of batch `batch` (1-based), or the whole step where the two
        cannot be parted (a replayed graph, scipy's minimiser)."""

    def first_loss(self):
        """Each model's loss at the step just made [K] (torch or numpy)."""
        raise NotImplementedError

    def measured(self) -> Measured:
        """`exact` backends: the numbers of the forward pass just made (wrong pixels from its outputs)."""
        raise NotImplementedError

    def drop_step(self) -> None:
        """The step measured is not taken (a target was reached): let its gradient go."""

    def update(self) -> None:
        """The optimizer's step on the gradient of the last forward()."""

    def epochs_done(self, epoch: int) -> int:
        """The epoch count after the pass that was to end at `epoch` (scipy: fewer after a stop)."""
        return epoch

    def parts_so_far(self, batch: int) -> dict:
        """The mean loss parts of this epoch's first `batch` batches (of all, after the last)."""
        raise NotImplementedError

    def check_parts(self, epoch: int) -> dict:
        """The loss parts a check after the update reports: the epoch's (the mean of its batches)."""
        return self.parts_so_far(self.batches)

    def wrong_now(self):
        """Wrong pixels [K, N] of the weights now (the session's Evaluator, bounded)."""
        raise NotImplementedError

    def read(self, epoch: int, measured: Measured, extents: bool) -> Check:
        """The check's numbers as numpy arrays (with the weights' extents), in one read."""
        raise NotImplementedError

    def extents(self) -> tuple[np.ndarray, np.ndarray]:
        """Each model's largest |weight| and largest |running statistic| [K] (NaN where one is NaN)."""
        raise NotImplementedError

    @staticmethod
    def read_wrong(wrong) -> np.ndarray:
        """Wrong pixels (as wrong_now() gives them) as a numpy int64 array."""
        raise NotImplementedError

    @staticmethod
    def read_loss(loss) -> np.ndarray:
        """A loss [K] (as first_loss() gives it) as a numpy float32 array."""
        raise NotImplementedError

    def weights(self) -> tuple:
        """(flat [K, P], running statistics [K, S]) as the backend steps them (torch or numpy):
        what the divergence guard and early stopping keep and put back."""
        raise NotImplementedError

    def freeze(self, rows: np.ndarray) -> None:
        """Models `rows` ([K] bool) blew up and were put back: forget their optimizer state and
        stop moving them."""

    def amend(self, rec) -> None:
        """A check's record before it is completed (scipy says more about a divergence)."""

    def end(self) -> None:
        """The run is over (or abandoned)."""
