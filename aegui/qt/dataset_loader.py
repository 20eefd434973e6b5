"""Loading a dataset off the GUI thread: a folder of thousands of pictures or a 50 MB IDX file
takes seconds, during which the window must keep painting, show progress and let Stop end it."""
from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Signal

PROGRESS_INTERVAL = 0.05     # seconds between progress signals


class LoadCancelled(Exception):
    """Raised inside the loader's progress callback once cancel() was asked for."""
    expected = True     # the user's Stop, not a failure: no traceback (workers._report)


def load_dataset(data, report=None, cancelled: threading.Event | None = None):
    """(whole dataset, training part, validation part or None) for a DataConfig. Runs on a
    worker thread; `report(done, total)` is called while pictures load."""
    from aegui.core.data.datasets import from_config, split

    def progress(done: int, total: int) -> None:
        if cancelled is not None and cancelled.is_set():
            raise LoadCancelled()
        if report is not None:
            report(done, total)

    full = from_config(data, progress)
    if cancelled is not None and cancelled.is_set():
        raise LoadCancelled()
    train, val = split(full, data.val_split, data.split_seed)
    return full, train, val


class DatasetLoader(QObject):
    """One load at a time on a TaskRunner thread. `progress(done, total)` arrives in the GUI
    thread, at most every PROGRESS_INTERVAL seconds (and for the last file). on_done gets
    (full, train, val); on_error gets the message, or None when the load was cancelled."""

    progress = Signal(int, int)

    def __init__(self, tasks, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self._cancelled: threading.Event | None = None

    def is_loading(self) -> bool:
        return self._cancelled is not None

    def cancel(self) -> None:
        if self._cancelled is not None:
            self._cancelled.set()

    def load(self, data, on_done, on_error) -> None:
        if self.is_loading():
            raise RuntimeError("a dataset is already loading")
        cancelled = self._cancelled = threading.Event()
        last = [0.0]

        def report(done: int, total: int) -> None:
            # Runs on the worker thread; the signal is queued to the GUI thread.
            now = time.monotonic()
            if done == total or now - last[0] >= PROGRESS_INTERVAL:
                last[0] = now
                self.progress.emit(done, total)

        def done(result) -> None:
            self._cancelled = None
            if cancelled.is_set():
                on_error(None)        # Stop came too late to interrupt (emoji, IDX): drop it
            else:
                on_done(result)

        def failed(message: str) -> None:
            self._cancelled = None
            on_error(None if cancelled.is_set() else message)

        self.tasks.run(load_dataset, data, report, cancelled, on_done=done, on_error=failed)
