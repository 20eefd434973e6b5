"""The one worker pattern: a QObject worker on a QThread owned by a controller.

The worker iterates the core's training generator; between records it honours pause and
stop. Signals carry copies and are throttled, so the GUI thread never sees shared state and
never gets more than ~25 progress updates a second, however fast training runs.
"""
from __future__ import annotations

import atexit
import sys
import threading
import time
import traceback

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from aegui.core.files.errors import is_expected, user_message

PROGRESS_INTERVAL = 0.04    # seconds between progress signals (25/s)
SNAPSHOT_INTERVAL = 0.25    # seconds between model snapshots (latent canvas, reconstructions)
GUI_SWITCH_INTERVAL = 0.001  # seconds; Python's GIL switch interval while training runs


def _report(e: BaseException) -> None:
    """A bad file or value is the user's to fix and reaches them as a sentence: no traceback
    on the terminal. Anything else is a bug in aegui: its traceback is what a report needs."""
    if not is_expected(e):
        traceback.print_exception(e)


class TrainingWorker(QObject):
    started = Signal(object)       # the TrainingSession's summary dict (device, models)
    progress = Signal(object)      # ProgressRecord copy
    snapshot = Signal(object)      # K=1 model copy on the CPU (best so far)
    finished = Signal(object, object, object)   # last ProgressRecord, best model copy, history rows
    errored = Signal(str)

    def __init__(self, experiment, dataset, val_data=None, recorder=None, gate=None):
        super().__init__()
        from aegui.core.train.gate import StepGate
        self.experiment = experiment
        self.dataset = dataset
        self.val_data = val_data       # held-out samples whose loss is charted, or None
        self.recorder = recorder       # core.train.snapshots.ReplayRecorder (latent replay), or None
        self.gate = gate or StepGate()   # pause, step one batch / epoch, speed cap
        self.gate.on_pause = self._show_latest
        self._stop = threading.Event()
        self.session = None
        self._last = None               # the newest record and whether it was emitted
        self._last_sent = True

    def request_stop(self) -> None:
        self._stop.set()
        self.gate.stop()
        if self.session is not None:
            self.session.stop()

    def pause(self) -> None:
        self.gate.pause()

    def resume(self) -> None:
        self.gate.resume()

    @Slot()
    def run(self) -> None:
        from aegui.core.config.experiment import ConfigError
        try:
            self._run()
        except ConfigError as e:     # bad input, e.g. a model too big for memory: a sentence
            self.errored.emit(str(e))
        except Exception as e:   # noqa: BLE001 - the GUI must hear about any failure
            _report(e)
            self.errored.emit(user_message(e) if is_expected(e) else f"{type(e).__name__}: {e}")

    def _show_latest(self) -> None:
        """About to wait (paused, or one step done): the GUI shows exactly this moment."""
        if self._last is not None and not self._last_sent:
            self.progress.emit(self._last.copy())
            self._last_sent = True
        if self.session is not None:
            self.snapshot.emit(self.session.best_model())

    def _run(self) -> None:
        from aegui.core.train.gate import BATCH, EPOCH
        from aegui.core.train.session import TrainingSession
        session = TrainingSession(self.experiment, self.dataset, val_data=self.val_data)
        self.session = session
        if self._stop.is_set():
            session.stop()
        gate = self.gate

        def after_batch():
            gate.passed(BATCH)
            session.report_every_epoch = gate.stepping
        session.after_batch = after_batch
        from aegui.core.train.devices import describe
        self.started.emit({"device": str(session.device), "device_name": describe(session.device),
                           "models": session.k})
        last_progress = last_snapshot = 0.0
        rec = None
        session.report_every_epoch = gate.stepping
        for rec in session.steps():
            now = time.monotonic()
            self._last, self._last_sent = rec, False
            if self.recorder is not None:
                self.recorder.record(session, rec)
            if rec.done or now - last_progress >= PROGRESS_INTERVAL:
                self.progress.emit(rec.copy())
                self._last_sent = True
                last_progress = now
            if not rec.done and now - last_snapshot >= SNAPSHOT_INTERVAL:
                self.snapshot.emit(session.best_model())
                last_snapshot = now
            if not rec.done:
                gate.passed(EPOCH, rec.epoch)
            session.report_every_epoch = gate.stepping
        self.finished.emit(rec, session.best_model(), [dict(row) for row in session.history])


_fast_switch_users = 0
_normal_switch_interval = sys.getswitchinterval()


def _fast_switch(on: bool) -> None:
    """The training and job threads hold the GIL between torch ops; a shorter switch interval
    hands it back to the GUI thread sooner (bench/gui_latency.py: stop 56 -> 40 ms max, hover
    while training 33 -> 28 ms p95). Counted, so overlapping threads restore it only once."""
    global _fast_switch_users, _normal_switch_interval
    if on:
        if _fast_switch_users == 0:
            _normal_switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(_normal_switch_interval, GUI_SWITCH_INTERVAL))
        _fast_switch_users += 1
    elif _fast_switch_users > 0:
        _fast_switch_users -= 1
        if _fast_switch_users == 0:
            sys.setswitchinterval(_normal_switch_interval)


class _Keeper(QObject):
    """Holds every worker thread, and its worker, until the thread has ended.

    Python owns the QThread, and dropping the last reference while it runs aborts the process
    ("QThread: Destroyed while thread is still running"). A controller can go first: a test's
    local one, a panel deleted with its window, one whose wait timed out. So the threads live
    here, in one object that lives as long as the program, not in their controllers.
    """

    def __init__(self):
        super().__init__()
        self._live: list[tuple[QThread, QObject, object, bool]] = []

    def adopt(self, thread: QThread, worker: QObject, stop, fast: bool) -> None:
        """Keep `thread` until it ends; `stop()` asks the worker to end (program exit)."""
        self._live.append((thread, worker, stop, fast))
        thread.finished.connect(self._ended)    # queued: this object lives in the GUI thread
        if fast:
            _fast_switch(True)

    def live(self) -> list[QThread]:
        return [entry[0] for entry in self._live]

    @Slot()
    def _ended(self) -> None:
        ended = self.sender()
        for entry in list(self._live):
            if entry[0] is ended:
                entry[0].wait()     # `finished` is emitted just before the thread really ends
                self._live.remove(entry)
                if entry[3]:
                    _fast_switch(False)

    def stop_all(self, timeout_ms: int = 10000) -> None:
        """Program exit: ask every worker to end and wait, so none is destroyed running."""
        for _, _, stop, _ in list(self._live):
            if stop is not None:
                stop()
        for thread, *_ in list(self._live):
            thread.wait(timeout_ms)


_keeper: _Keeper | None = None


def _keep(thread: QThread, worker: QObject, stop=None, fast: bool = False) -> None:
    global _keeper
    if _keeper is None:     # created on first use, in the GUI thread that starts the workers
        _keeper = _Keeper()
        atexit.register(_keeper.stop_all)
    _keeper.adopt(thread, worker, stop, fast)


class _ThreadOwner(QObject):
    """Tracks the current worker thread (the _Keeper holds it, and any still winding down). The
    one that ended is told by sender(): a new run may already have started when an old one's
    `finished` arrives.
    """
    running_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.thread: QThread | None = None
        self.worker = None

    def is_running(self) -> bool:
        return self.thread is not None and self.thread.isRunning()

    def _launch(self, worker: QObject, name: str, done_signals, stop) -> None:
        thread = QThread()
        thread.setObjectName(name)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Direct: quit() is thread-safe, and a queued quit would wait for the GUI thread's
        # event loop, which shutdown() blocks while it waits for the thread.
        for sig in done_signals:
            sig.connect(thread.quit, Qt.DirectConnection)
        thread.finished.connect(self._thread_ended)
        self.thread, self.worker = thread, worker
        _keep(thread, worker, stop, fast=True)
        thread.start()
        self.running_changed.emit(True)

    def _wait_current(self, timeout_ms: int) -> bool:
        """Waits for the current thread (window closing); True if it ended in time."""
        return self.thread is None or self.thread.wait(timeout_ms)

    @Slot()
    def _thread_ended(self) -> None:
        ended = self.sender()
        if ended is self.thread or self.thread is None:
            ended.wait()    # `finished` is emitted just before the thread really ends
            self.thread = None
            self.worker = None
            self._ended()
            self.running_changed.emit(False)

    def _ended(self) -> None:
        """Subclasses reset their own state here."""


class TrainingController(_ThreadOwner):
    """Owns the thread. start() -> signals; stop() is cooperative and quick (next epoch)."""
    started = Signal(object)
    progress = Signal(object)
    snapshot = Signal(object)
    finished = Signal(object, object, object)
    errored = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.paused = False
        self.cap: float | None = None

    def start(self, experiment, dataset, val_data=None, recorder=None, step: str | None = None) -> None:
        """`recorder`: a ReplayRecorder fed at each record; `step` ("epoch" or "batch"): start
        in step mode, paused after the first one."""
        if self.is_running():
            raise RuntimeError("training is already running")
        from aegui.core.train.gate import StepGate
        gate = StepGate()
        gate.set_cap(self.cap)
        if step:
            gate.step(step)
        worker = TrainingWorker(experiment, dataset, val_data, recorder, gate)
        for name in ("started", "progress", "snapshot", "finished", "errored"):
            getattr(worker, name).connect(getattr(self, name))
        self.paused = bool(step)
        self._launch(worker, "aegui-training", (worker.finished, worker.errored), worker.request_stop)

    def step(self, unit: str = "epoch") -> None:
        """Run one more batch or epoch of the current run, then pause."""
        if self.worker:
            self.worker.gate.step(unit)
            self.paused = True

    def set_cap(self, epochs_per_s: float | None) -> None:
        """At most this many epochs a second (None or 0: no cap); kept for later runs too."""
        self.cap = epochs_per_s or None
        if self.worker:
            self.worker.gate.set_cap(self.cap)

    def pause(self) -> None:
        if self.worker:
            self.worker.pause()
            self.paused = True

    def resume(self) -> None:
        if self.worker:
            self.worker.resume()
            self.paused = False

    def stop(self) -> None:
        if self.worker:
            self.worker.request_stop()
            self.paused = False

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop and wait for the thread (window closing). True if it ended in time."""
        self.stop()
        return self._wait_current(timeout_ms)

    def _ended(self) -> None:
        self.paused = False


class TaskWorker(QObject):
    """Runs one function off the GUI thread (loading torch, reading model files)."""
    done = Signal(object)
    errored = Signal(str)

    def __init__(self, fn, args):
        super().__init__()
        self.fn, self.args = fn, args

    @Slot()
    def run(self) -> None:
        try:
            result = self.fn(*self.args)
        except Exception as e:   # noqa: BLE001 - reported to the user as a sentence
            _report(e)
            self.errored.emit(user_message(e))
        else:
            self.done.emit(result)


class _Relay(QObject):
    """Lives in the GUI thread, so the worker's signals reach the callbacks there (queued).
    Connected straight to a plain function, a signal from the worker thread would run the
    callback in the worker thread, and touching widgets from there crashes Qt."""

    def __init__(self, on_done, on_error, on_finished):
        super().__init__()
        self.on_done, self.on_error, self.on_finished = on_done, on_error, on_finished

    @Slot(object)
    def done(self, result) -> None:
        if self.on_done:
            self.on_done(result)

    @Slot(str)
    def failed(self, message: str) -> None:
        if self.on_error:
            self.on_error(message)

    @Slot()
    def finished(self) -> None:
        self.on_finished()


class TaskRunner(QObject):
    """Controller for TaskWorkers: keeps each thread alive until its task ends."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._jobs: list[tuple[QThread, TaskWorker, _Relay]] = []

    def run(self, fn, *args, on_done=None, on_error=None) -> None:
        thread = QThread()
        worker = TaskWorker(fn, args)
        worker.moveToThread(thread)
        relay = _Relay(on_done, on_error, lambda: self._forget(job))
        thread.started.connect(worker.run)
        worker.done.connect(relay.done)
        worker.errored.connect(relay.failed)
        worker.done.connect(thread.quit, Qt.DirectConnection)
        worker.errored.connect(thread.quit, Qt.DirectConnection)
        job = (thread, worker, relay)
        thread.finished.connect(relay.finished)
        self._jobs.append(job)
        _keep(thread, worker)
        thread.start()

    def _forget(self, job) -> None:
        if job in self._jobs:
            job[0].wait()   # `finished` is emitted just before the thread really ends
            self._jobs.remove(job)

    def wait_all(self, timeout_ms: int = 10000) -> None:
        for thread, _, _ in list(self._jobs):
            thread.wait(timeout_ms)


class JobWorker(QObject):
    """Iterates a long job off the GUI thread: sweeps, denoising curves, t-SNE, probes.

    `make_job()` runs in the worker thread (building a job may load data) and returns an object
    with `steps()`, a generator of progress items, and optionally `cancel()` (cooperative, safe
    from another thread). Items must be fresh objects the job no longer touches (they cross
    threads). `finished` carries the last item yielded, or None if there was none.
    """
    progress = Signal(object)
    finished = Signal(object)
    errored = Signal(str)

    def __init__(self, make_job):
        super().__init__()
        self.make_job = make_job
        self.job = None
        self._cancel = threading.Event()

    def request_cancel(self) -> None:
        self._cancel.set()
        job = self.job
        if job is not None and hasattr(job, "cancel"):
            job.cancel()

    @Slot()
    def run(self) -> None:
        try:
            self.job = self.make_job()
            if self._cancel.is_set() and hasattr(self.job, "cancel"):
                self.job.cancel()
            last, last_emit = None, 0.0
            for item in self.job.steps():
                last = item
                now = time.monotonic()
                if now - last_emit >= PROGRESS_INTERVAL:
                    self.progress.emit(item)
                    last_emit = now
                if self._cancel.is_set() and not hasattr(self.job, "cancel"):
                    break   # a job without its own cancel stops between items
        except Exception as e:   # noqa: BLE001 - reported to the user as a sentence
            _report(e)
            self.errored.emit(user_message(e))
        else:
            self.finished.emit(last)


class JobController(_ThreadOwner):
    """Owns one JobWorker's thread at a time, like TrainingController does for training."""
    progress = Signal(object)
    finished = Signal(object)
    errored = Signal(str)

    def start(self, make_job) -> None:
        if self.is_running():
            raise RuntimeError("a job is already running")
        worker = JobWorker(make_job)
        for name in ("progress", "finished", "errored"):
            getattr(worker, name).connect(getattr(self, name))
        self._launch(worker, "aegui-job", (worker.finished, worker.errored), worker.request_cancel)

    def cancel(self) -> None:
        if self.worker:
            self.worker.request_cancel()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        self.cancel()
        return self._wait_current(timeout_ms)
