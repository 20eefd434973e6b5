"""The contract of a job (a sweep, a search, an analysis, a download, teaching a model): the
window runs any of them on a worker thread (aegui.qt.workers.threads.JobRunner) and the CLI in a loop,
knowing only this.

- `steps()` is a generator of Progress items, fresh objects the job no longer touches (they
  cross to the GUI thread). A job adds its own fields by subclassing Progress.
- `cancel()` may be called from any thread; the job stops at its next check and still ends with
  an item whose state is CANCELLED (with a partial result where it has one).
- The last item's `result` is what the job made; `run()` iterates a job to its end and returns it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

RUNNING = "running"
FINISHED = "finished"
CANCELLED = "cancelled"


@dataclass(kw_only=True)
class Progress:
    """What a job reports as it goes: its state, the share done, the time so far, and on its last item what it
    made."""
    state: str = RUNNING      # what the job is doing now (a job may name its own stages), or how it ended
    fraction: float = 0.0     # share of the work done, 0..1
    elapsed: float = 0.0      # seconds since the job began
    result: object = None     # what the job made, on its last item (None when cancelled before it had any)

    @property
    def ended(self) -> bool:
        """Whether this is the job's last item (finished or cancelled)."""
        return self.state in (FINISHED, CANCELLED)


class Job:
    """Subclass and implement steps(); override cancel() (calling this one) when stopping needs
    more than the flag, e.g. stopping a training session the job drives."""

    _cancel_asked = False   # set per instance by cancel(); a bool write is safe across threads

    def steps(self) -> Iterator[Progress]:
        """Runs the job, yielding Progress as it goes and a finished or cancelled item last."""
        raise NotImplementedError

    def cancel(self) -> None:
        """Asks the job to stop at its next check; safe from another thread."""
        self._cancel_asked = True

    @property
    def cancelled(self) -> bool:
        """Whether cancel() was asked."""
        return self._cancel_asked

    def run(self):
        """Iterate to the end on this thread; the last item's result (None if nothing came)."""
        last = None
        for last in self.steps():
            pass
        return last.result if last is not None else None
