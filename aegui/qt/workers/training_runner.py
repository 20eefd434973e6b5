"""The workspace's training runner in the window: loads the data, then iterates the core's run
(aegui.core.workspace.run) on a superqt worker and hands what it yields to the workspace on the
GUI thread. Pause, step, the speed cap and stop reach the run through its StepGate.
"""
from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Signal

from aegui.core.files.paths import autosave_dir, fresh_folder
from aegui.core.train.gate import Every, StepGate
from aegui.core.workspace.run import RunProgress, RunStarted, run_training
from aegui.qt.workers import threads

LOAD_PROGRESS_INTERVAL = 0.05     # seconds between "pictures read" reports


class LoadCancelled(Exception):
    """Raised inside the loader's progress callback once Stop was asked for."""
    expected = True     # the user's Stop, not a failure: no traceback


def load_dataset(data, cancelled: threading.Event, report):
    """(whole dataset, training part, validation part or None) for a DataConfig, on a worker
    thread; `report(done, total)` while pictures load, at most every LOAD_PROGRESS_INTERVAL."""
    from aegui.core.data.datasets import from_config, split
    due = Every(LOAD_PROGRESS_INTERVAL)

    def progress(done: int, total: int) -> None:
        if cancelled.is_set():
            raise LoadCancelled()
        if due(force=done == total):
            report(done, total)

    full = from_config(data, progress)
    if cancelled.is_set():
        raise LoadCancelled()
    train, val = split(full, data.val_split, data.split_seed)
    return full, train, val


class TrainingRunner(QObject):
    """Answers the workspace's run requests (start / pause / resume / step / stop / speed cap)."""
    finished = Signal(object)      # the run's last ProgressRecord (None: it never started)
    data_warnings = Signal(list)   # pictures skipped while loading (sentences)
    _loading = Signal(int, int)    # emitted on the loading thread, received on the GUI thread

    def __init__(self, workspace, parent=None):
        super().__init__(parent)
        self.ws = workspace
        self.cap: float | None = None
        self._gate: StepGate | None = None
        self._session = None
        self._stop = threading.Event()
        self._worker = None
        self._ended = threading.Event()
        self._ended.set()
        self._loading.connect(self.ws.report_loading)
        workspace.run_requested.connect(self.start)
        workspace.pause_requested.connect(self.pause)
        workspace.resume_requested.connect(self.resume)
        workspace.step_requested.connect(self.step)
        workspace.stop_requested.connect(self.stop)
        workspace.speed_cap_requested.connect(self.set_cap)

    # -- the workspace's requests --------------------------------------------------------------------------
    def start(self, exp, step: str | None) -> None:
        self._stop = threading.Event()
        self._ended = ended = threading.Event()
        self._session = None
        self._asked = (exp, step)

        def load(data):
            try:
                return load_dataset(data, self._stop, self._loading.emit)
            finally:
                ended.set()      # the window may close now without waiting for the GUI thread
        worker = threads.new_worker(load, exp.data)
        worker.returned.connect(self._loaded)
        worker.errored.connect(self._failed)
        self._worker = worker
        threads.start(worker)

    def pause(self) -> None:
        if self._gate is not None:
            self._gate.pause()

    def resume(self) -> None:
        if self._gate is not None:
            self._gate.resume()

    def step(self, unit: str) -> None:
        if self._gate is not None:
            self._gate.step(unit)

    def stop(self) -> None:
        self._stop.set()
        if self._gate is not None:
            self._gate.stop()
        if self._session is not None:
            self._session.stop()

    def set_cap(self, epochs_per_s: float | None) -> None:
        """At most this many epochs a second (None or 0: no cap); kept for later runs too."""
        self.cap = epochs_per_s or None
        if self._gate is not None:
            self._gate.set_cap(self.cap)

    def is_running(self) -> bool:
        return self._worker is not None

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop and wait for the run to end (window closing); its model is autosaved on the
        worker. True if it ended in time."""
        if self._worker is None:
            return True
        self.stop()
        return self._ended.wait(timeout_ms / 1000)

    # -- the run -----------------------------------------------------------------------------------
    def _loaded(self, result) -> None:
        (exp, step), (full, train, val) = self._asked, result
        if self._stop.is_set():
            self._failed(None)      # Stop came too late to interrupt the load: drop it
            return
        self._ended = threading.Event()
        if full.warnings:
            self.data_warnings.emit(list(full.warnings))
        gate = self._gate = StepGate()
        gate.set_cap(self.cap)
        if step:
            gate.step(step)
        recorder = None
        if self.ws.record_replay:
            from aegui.core.runs.view import shown_samples
            from aegui.core.train.snapshots import ReplayRecorder
            shown = shown_samples(full)
            recorder = ReplayRecorder(shown.x, labels=shown.labels)
        folder = fresh_folder(autosave_dir() / time.strftime("%Y%m%d-%H%M%S"))
        ended = self._ended

        def session_ready(session):
            self._session = session
            if self._stop.is_set():
                session.stop()

        def run():
            try:
                return (yield from run_training(exp, train, val, full, gate, recorder, folder, session_ready))
            finally:
                ended.set()
        from aegui.core.workspace.run import bar_samples
        self.ws.report_started(exp, full, exp.train.seeds, stepping=bool(step), bar_labels=bar_samples(train)[1])
        if recorder is not None:
            self.ws.live.replay = recorder.store
        worker = threads.new_worker(run)
        worker.yielded.connect(self._item)
        worker.returned.connect(self._done)
        worker.errored.connect(self._failed)
        self._worker = worker
        threads.start(worker, fast=True)

    def _item(self, item) -> None:
        if isinstance(item, RunStarted):
            self.ws.device_name = item.device_name
            return
        if isinstance(item, RunProgress):
            if item.records:
                self.ws.report_progress(item.records)
            if item.view is not None:
                self.ws.report_snapshot(item.view)
            if item.paused:
                self.ws.report_paused()

    def _done(self, result) -> None:
        from aegui.core.data.dataset import GLYPH_SHAPE
        from aegui.core.runs.trained import TrainedModel
        self._clear()
        rec, live = result.record, self.ws.live
        exp, full = live.experiment, live.dataset
        # Wrong pixels say how glyphs came back; for images the loss says more.
        score = ("px", rec.max_wrong) if tuple(full.shape) == GLYPH_SHAPE else \
            ("loss", rec.val_loss if rec.val_loss is not None else rec.losses.get("total", 0.0))
        model = TrainedModel(exp.name, result.model, exp, full, result.saved, result.metrics, dirty=True,
                             trained=score, replay=live.replay if live.replay is not None and len(live.replay) else None,
                             view=result.view)
        if result.saved is not None:
            self.ws.tell("Autosaved to {path}", path=str(result.saved))
        elif result.save_error:
            self.ws.tell("{error}", error=result.save_error)
        self.ws.report_finished(model, rec)
        self.finished.emit(rec)

    def _failed(self, error) -> None:
        self._clear()
        if error is not None and isinstance(error, LoadCancelled):
            error = None
        if error is not None:
            threads.report_unexpected(error)
        self.ws.report_failed(error)
        self.finished.emit(None)

    def _clear(self) -> None:
        self._worker = self._gate = self._session = None
        self._ended.set()
