"""Work off the GUI thread, on superqt's workers (the generator workers napari relies on).

- `run_task(fn, ...)`: one function on a pool thread (loading torch, opening a model).
- `JobRunner`: one generator job at a time (sweeps, analyses, downloads), cancel between items.
- `Latest`: a panel's newest computation (latest wins): a model's new weights redraw the map,
  the network view and the editor's output without the GUI thread running the model.
A job's loop reports at most every PROGRESS_INTERVAL (aegui.core.train.gate.Every: a worker thread
has no event loop for superqt's throttlers, which the panels use for what they redraw).

Errors cross threads as exception objects. One that is the user's to fix (a bad file or value,
aegui.core.files.errors.is_expected) reaches them as a sentence; anything else is a bug in aegui
and its traceback is printed too, since that is what a bug report needs.
"""
from __future__ import annotations

import sys
import threading
import time
import traceback
from functools import partial

from PySide6.QtCore import QObject, QThreadPool, Signal

from aegui.core.files.errors import is_expected, user_message
from aegui.core.jobs.job import Job
from aegui.core.train.gate import Every

PROGRESS_INTERVAL = 0.04    # seconds between a job's progress reports (25/s)
# Workers sit in Qt's global pool; its default size is the core count (2 on CI), and a training
# run, a sweep and an analysis may all run while a model opens.
POOL_THREADS = 16
GUI_SWITCH_INTERVAL = 0.001  # seconds; Python's GIL switch interval while workers run


def error_text(e: BaseException) -> str:
    """The sentence a message box shows for a worker's exception."""
    return user_message(e) if is_expected(e) else f"{type(e).__name__}: {e}"


def report_unexpected(e: BaseException) -> None:
    if not is_expected(e):
        traceback.print_exception(e)


_busy = 0
_started = 0        # workers started so far (wait_for_workers tells a pass that started one)
_normal_interval = sys.getswitchinterval()


def _worker_running(on: bool) -> None:
    """The training and job threads hold the GIL between torch ops; a shorter switch interval
    hands it back to the GUI thread sooner (bench/gui_latency.py: stop 56 -> 40 ms max, hover
    while training 33 -> 28 ms p95). Counted, so overlapping workers restore it once."""
    global _busy, _normal_interval
    if on:
        if _busy == 0:
            _normal_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(_normal_interval, GUI_SWITCH_INTERVAL))
        _busy += 1
    elif _busy > 0:
        _busy -= 1
        if _busy == 0:
            sys.setswitchinterval(_normal_interval)


class _HandOver(QObject):
    """Tells the GUI thread that a worker's run is over (emitted on the pool thread)."""
    ended = Signal(object)     # the worker's id (a C int is too small for it)


_hand_over: _HandOver | None = None       # made by the first start(), on the GUI thread
_started_workers: dict[int, object] = {}   # id -> worker, from its start until its run is over


def _run(key: int) -> None:
    """A worker's run, on a pool thread, which holds nothing of the worker once it returns: the
    GUI thread drops the last reference (a worker's function and arguments may hold panels)."""
    try:
        _started_workers[key].run()
    finally:
        _hand_over.ended.emit(key)


def _handed_over(key: int) -> None:
    _started_workers.pop(key, None)


def start(worker, fast: bool = False):
    """Start a superqt worker in the (widened) global pool; `fast`: a long worker that wants the
    short GIL switch interval while it runs.

    The pool runs the worker by its id, not the worker itself: a QRunnable that the pool owns and
    deletes after its run outlived it under PySide 6.11 for a third to a half of the workers
    superqt's worker.start() starts (its Python object kept by a reference nothing releases, with
    the function and arguments it holds: bench/soak.py --find-leaks counted them, the latent
    map's decoders among them). Here Python alone holds the worker, until its run has ended and
    its signals, all sent before, have been handed over on the GUI thread."""
    global _started, _hand_over
    if _hand_over is None:
        _hand_over = _HandOver()
        _hand_over.ended.connect(_handed_over)
    pool = QThreadPool.globalInstance()
    if pool.maxThreadCount() < POOL_THREADS:
        pool.setMaxThreadCount(POOL_THREADS)
    _started += 1
    if fast:
        _worker_running(True)
        worker.finished.connect(lambda: _worker_running(False))
    _started_workers[id(worker)] = worker
    pool.start(partial(_run, id(worker)))
    return worker


def new_worker(fn, *args):
    """superqt's worker for fn(*args) (a generator function gives a generator worker), not started,
    with a run that leaves the warnings module alone and sends every failure (kinds.py says why).
    superqt is imported here, at the first worker, not with the window (aegui/qt/workers/pacing.py says why)."""
    import inspect

    from aegui.qt.workers import kinds
    return (kinds.Generator if inspect.isgeneratorfunction(fn) else kinds.Function)(fn, *args)


def run_task(fn, *args, on_done=None, on_error=None, receiver=None):
    """fn(*args) on a pool thread; on_done(result) / on_error(exception) in the GUI thread while
    `receiver` lives (a QObject; by default the one a bound-method callback belongs to). A result
    for a receiver deleted meanwhile is dropped: a window closed while it loaded got its error
    handler called on its deleted self (a RuntimeError traceback)."""
    worker = new_worker(fn, *args)
    if on_done is not None:
        worker.returned.connect(lambda result: _hand(receiver, on_done, result))

    def failed(e):
        report_unexpected(e)
        if on_error is not None:
            _hand(receiver, on_error, e)
    worker.errored.connect(failed)
    return start(worker)


def _hand(receiver, callback, value) -> None:
    from shiboken6 import isValid
    owner = receiver if receiver is not None else getattr(callback, "__self__", None)
    if not isinstance(owner, QObject) or isValid(owner):
        callback(value)


def started() -> int:
    """How many workers have been started so far (a pass that started none left no work behind)."""
    return _started


def wait_for_workers(timeout_ms: int | None = 5000) -> bool:
    """Program exit, or a picture of the window: wait for the pool's threads, handing their
    results over as they end, until none runs. A result handed over can start the request a
    panel kept waiting (Latest), so that one is waited for too: a worker still running when
    Python exits has its signals deleted under it (its run() then prints "Signal source has
    been deleted", and a torch import cut short by the interpreter's exit raises TypeErrors).
    False when `timeout_ms` passed first; None: no deadline (the last wait before exit)."""
    from PySide6.QtCore import QCoreApplication
    pool = QThreadPool.globalInstance()
    deadline = None if timeout_ms is None else time.monotonic() + timeout_ms / 1000

    def left_ms() -> int:
        return -1 if deadline is None else max(0, round((deadline - time.monotonic()) * 1000))
    while pool.waitForDone(left_ms()):
        before = _started
        QCoreApplication.sendPostedEvents()
        # A worker started by a result handed over just now may already have ended, its own
        # result still posted: idle threads alone do not say that every result was handed over.
        if _started == before and pool.activeThreadCount() == 0:
            return True
    return False


def _iterate(make_job, holder: dict, cancelled: threading.Event, ended: threading.Event):
    """A job's items, PROGRESS_INTERVAL apart (the last one always); returns the last item."""
    try:
        job = make_job()    # building a job may load data: on this thread
        if not isinstance(job, Job):
            raise TypeError(f"{type(job).__name__} is not an aegui.core.jobs.job.Job")
        holder["job"] = job
        if cancelled.is_set():
            job.cancel()
        due, last, pending = Every(PROGRESS_INTERVAL), None, False
        for item in job.steps():
            last, pending = item, True
            if due():
                pending = False
                yield item
        if pending:
            yield last
        return last
    finally:
        ended.set()


class JobRunner(QObject):
    """One generator job at a time, off the GUI thread.

    `make_job()` runs in the worker thread and returns a Job (aegui.core.jobs.job: its steps()
    yield Progress items, its cancel() is cooperative and safe from this thread). `finished`
    carries the last item, or None.

    `finished` / `errored` come once the runner is idle (after running_changed(False)): a
    handler may start the next job, and what it shows is not undone by the end of the run."""
    progress = Signal(object)
    finished = Signal(object)
    errored = Signal(object)             # the exception
    running_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._worker = None      # superqt's GeneratorWorker while a job runs
        self._holder: dict = {}
        self._cancelled = threading.Event()
        self._ended = threading.Event()
        self._outcome: tuple | None = None      # (signal, value) of the running job, sent when it ends

    def is_running(self) -> bool:
        return self._worker is not None

    def start(self, make_job) -> None:
        if self.is_running():
            raise RuntimeError("a job is already running")
        self._holder, self._cancelled, self._ended = {}, threading.Event(), threading.Event()
        self._outcome = None
        worker = new_worker(_iterate, make_job, self._holder, self._cancelled, self._ended)
        worker.yielded.connect(self.progress)
        worker.returned.connect(self._returned)
        worker.errored.connect(self._failed)
        worker.finished.connect(self._worker_finished)
        self._worker = worker
        start(worker, fast=True)
        self.running_changed.emit(True)

    def cancel(self) -> None:
        self._cancelled.set()
        job = self._holder.get("job")
        if job is not None:
            job.cancel()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel and wait for the job's thread (window closing); True if it ended in time."""
        if not self.is_running():
            return True
        self.cancel()
        if not self._ended.wait(timeout_ms / 1000):
            return False
        self._ended_run(self._worker)    # its own `finished` may still be on its way
        return True

    def _ours(self) -> bool:
        return self._worker is not None and self.sender() is self._worker.signals

    def _returned(self, last) -> None:
        if self._ours():
            self._outcome = (self.finished, last)

    def _failed(self, e: BaseException) -> None:
        report_unexpected(e)
        if self._ours():
            self._outcome = (self.errored, e)

    def _worker_finished(self) -> None:
        # A job started later may be running already when an earlier one's `finished` arrives.
        if self._ours():
            self._ended_run(self._worker)

    def _ended_run(self, worker) -> None:
        if worker is self._worker:
            self._worker = None
            outcome, self._outcome = self._outcome, None
            self.running_changed.emit(False)
            if outcome is not None:
                signal, value = outcome
                signal.emit(value)


class Latest(QObject):
    """A panel's newest computation, off the GUI thread. One runs at a time; a request made
    meanwhile waits, and a newer one replaces it; only the newest request's result is handed to
    its `on_done` (older ones are outdated by the time they end)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._serial = 0
        self._running = None     # the request on a worker now
        self._waiting = None

    def busy(self) -> bool:
        return self._running is not None or self._waiting is not None

    def submit(self, fn, *args, on_done=None, on_error=None) -> None:
        self._serial += 1
        request = (self._serial, fn, args, on_done, on_error)
        if self._running:
            self._waiting = request
        else:
            self._launch(request)

    def cancel(self) -> None:
        """Forget the waiting request and drop the running one's result."""
        self._serial += 1
        self._waiting = None

    def _launch(self, request) -> None:
        _, fn, args, _, _ = request
        self._running = request
        worker = new_worker(fn, *args)
        # Bound methods, not lambdas: Qt drops them when this object (its panel) is deleted, so a
        # result that arrives later is not handed to a widget that is gone.
        worker.returned.connect(self._returned)
        worker.errored.connect(self._errored)
        start(worker)

    def _returned(self, result) -> None:
        self._ended(result, failed=False)

    def _errored(self, error) -> None:
        self._ended(error, failed=True)

    def _ended(self, value, failed: bool) -> None:
        serial, _, _, on_done, on_error = self._running
        self._running = None
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self._launch(waiting)
        if failed:
            report_unexpected(value)
        callback = on_error if failed else on_done
        if callback is not None and serial == self._serial:
            callback(value)
