"""JobRunner: a generator job off the GUI thread, throttled progress, cooperative cancel, errors
as objects; garbage collected in the GUI thread."""
import threading
import time
import warnings
from dataclasses import dataclass

import pytest

from aegui.core.jobs.job import Job, Progress
from aegui.qt.workers.threads import JobRunner


@dataclass(kw_only=True)
class Counted(Progress):
    done: int


class _Job(Job):
    def __init__(self, n, delay=0.0):
        self.n, self.delay = n, delay
        self.thread = None

    def steps(self):
        self.thread = threading.current_thread()
        for i in range(self.n):
            if self.cancelled:
                yield Counted(state="cancelled", done=i)
                return
            time.sleep(self.delay)
            yield Counted(state="running", done=i + 1)
        yield Counted(state="finished", done=self.n)


def test_job_runs_off_the_gui_thread_and_finishes_with_the_last_item(qtbot):
    c = JobRunner()
    job = _Job(500)
    with qtbot.waitSignal(c.finished, timeout=10000) as blocker:
        c.start(lambda: job)
    assert blocker.args[0] == Counted(state="finished", done=500)
    assert job.thread is not threading.main_thread()
    qtbot.waitUntil(lambda: not c.is_running())


def test_the_end_comes_once_the_runner_is_idle_so_a_handler_can_start_the_next_job(qtbot):
    """A `finished` / `errored` handler sees no job running: it may start the next one, and the
    buttons it shows are not flipped back by the run's end arriving after it (a teach test failed
    under load when Cancel's "cancelled" came before the runner was idle)."""
    c = JobRunner()
    seen = []

    def then(last):
        seen.append(("finished", c.is_running(), last.done))
        if last.done == 5:
            c.start(lambda: _Job(3))          # raised "a job is already running" before

    def failed(e):
        seen.append(("errored", c.is_running(), str(e)))

    c.running_changed.connect(lambda on: seen.append(("running", on)))
    c.finished.connect(then)
    c.errored.connect(failed)
    c.start(lambda: _Job(5))
    qtbot.waitUntil(lambda: len([x for x in seen if x[0] == "finished"]) == 2, timeout=10000)
    assert seen == [("running", True), ("running", False), ("finished", False, 5),
                    ("running", True), ("running", False), ("finished", False, 3)]

    def bad():
        raise ValueError("no data")
    seen.clear()
    c.start(bad)
    qtbot.waitUntil(lambda: any(x[0] == "errored" for x in seen), timeout=10000)
    assert seen == [("running", True), ("running", False), ("errored", False, "no data")]


def test_progress_is_throttled(qtbot):
    c = JobRunner()
    seen = []
    c.progress.connect(seen.append)
    with qtbot.waitSignal(c.finished, timeout=10000):
        c.start(lambda: _Job(20000))
    assert 1 <= len(seen) < 200


def test_cancel_reaches_the_job_and_ends_it(qtbot):
    c = JobRunner()
    job = _Job(10_000, delay=0.001)
    with qtbot.waitSignal(c.progress, timeout=10000):
        c.start(lambda: job)
    with qtbot.waitSignal(c.finished, timeout=10000) as blocker:
        c.cancel()
    assert blocker.args[0].state == "cancelled"
    assert blocker.args[0].done < 10_000


def test_an_error_while_building_the_job_is_reported(qtbot):
    c = JobRunner()

    def bad():
        raise ValueError("data.path: folder not found; check the path")
    with qtbot.waitSignal(c.errored, timeout=10000) as blocker:
        c.start(bad)
    assert isinstance(blocker.args[0], ValueError) and "data.path" in str(blocker.args[0])
    qtbot.waitUntil(lambda: not c.is_running())


class _Fails(Job):
    """Fails midway with torch's usual exception (a shape mismatch is a RuntimeError)."""

    def steps(self):
        yield Counted(state="running", done=1)
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied (4x35 and 2x17)")


def test_a_job_failing_with_a_runtime_error_is_reported_and_the_runner_goes_idle(qtbot):
    """superqt's run took a RuntimeError out of a generator for a deleted worker: it only warned,
    so the runner stayed busy for good and the window's Run / Cancel buttons with it."""
    c = JobRunner()
    with qtbot.waitSignal(c.errored, timeout=10000) as blocker:
        c.start(_Fails)
    assert isinstance(blocker.args[0], RuntimeError) and "4x35" in str(blocker.args[0])
    qtbot.waitUntil(lambda: not c.is_running())


def test_a_worker_leaves_the_warnings_module_alone(qtbot):
    """warnings.catch_warnings swaps module globals and is not thread-safe: a worker run inside it
    saw its own hook in warnings.showwarning, and runs ending out of order left one in place,
    holding its worker (test_worker_lifetime.py). A warning in a worker reaches Python's hook."""
    seen = []

    def look():
        seen.append(warnings.showwarning)
        yield
    hook = warnings.showwarning
    c = JobRunner()
    with qtbot.waitSignal(c.finished, timeout=10000):
        c.start(lambda: _Looks(look))
    assert seen == [hook] and warnings.showwarning is hook


class _Looks(Job):
    def __init__(self, look):
        self.look = look

    def steps(self):
        yield from self.look()
        yield Counted(state="finished", done=1)


def test_a_runner_dropped_mid_job_leaves_the_job_to_finish(qtbot):
    """superqt's pool owns the thread: a runner deleted with its panel takes nothing running with it."""
    import sys
    normal = sys.getswitchinterval()
    job = _Job(200, delay=0.001)
    ended = threading.Event()
    steps = job.steps

    def tracked():
        yield from steps()
        ended.set()
    job.steps = tracked
    c = JobRunner()
    c.start(lambda: job)
    del c
    qtbot.waitUntil(ended.is_set, timeout=10000)
    qtbot.waitUntil(lambda: sys.getswitchinterval() == normal, timeout=10000)   # handed back once


def test_shutdown_waits_for_the_job(qtbot):
    c = JobRunner()
    job = _Job(100_000, delay=0.001)
    with qtbot.waitSignal(c.progress, timeout=10000):
        c.start(lambda: job)
    assert c.shutdown(10000)
    assert job.cancelled


def test_garbage_is_collected_in_the_gui_thread_not_in_a_worker(qtbot):
    """Collected in a worker thread, a dead window's widgets were destroyed there while the GUI
    thread held a Qt lock their destructor needed: the test suite hung (gdb: a QMenu freed in
    the training thread). aegui.qt.workers.collector turns automatic collection off and collects on a
    timer in the GUI thread."""
    import gc
    import weakref

    from aegui.qt.workers import collector
    collector.start()
    assert not gc.isenabled()

    class Cycle:
        pass
    freed_in = []
    for _ in range(20):
        garbage = Cycle()
        garbage.me = garbage                     # only the cycle collector can free it
        weakref.finalize(garbage, lambda: freed_in.append(threading.current_thread()))
        del garbage

    class Allocating(Job):                       # a worker making containers, as training does
        def __init__(self):
            self.made = []                       # kept: the collector's trigger counts live objects

        def steps(self):
            for _ in range(50):
                self.made.extend({"a": [i]} for i in range(2000))
                yield Counted(done=len(self.made))
    job = Allocating()
    c = JobRunner()
    with qtbot.waitSignal(c.finished, timeout=10000):
        c.start(lambda: job)
    qtbot.waitUntil(lambda: len(freed_in) == 20, timeout=5000)
    assert set(freed_in) == {threading.main_thread()}


def test_the_runner_refuses_what_is_not_a_job(qtbot):
    """The runner knows a job by its contract (aegui.core.jobs.job.Job), not by guessing which
    methods it has: anything else is refused with an error naming it, before a step runs."""
    class Steps:
        def steps(self):
            yield {"state": "finished"}
    c = JobRunner()
    with qtbot.waitSignal(c.errored, timeout=10000) as blocker:
        c.start(Steps)
    assert isinstance(blocker.args[0], TypeError) and "Steps" in str(blocker.args[0])
    qtbot.waitUntil(lambda: not c.is_running())


@pytest.mark.parametrize("ends_at_once", [False, True], ids=["running", "ended-at-once"])
def test_waiting_for_workers_at_exit_also_waits_for_the_requests_their_results_start(qtbot, monkeypatch,
                                                                                    ends_at_once):
    """At exit the window waits for the pool's workers. A panel's Latest keeps one request waiting
    behind the one running; handing the running one's result over starts the waiting one, which
    must end before the wait returns: still running when Python exits, its worker's signals were
    deleted under it and superqt printed a traceback ("Signal source has been deleted").

    `ends_at_once`: the waiting request's worker has ended before the wait looks at the pool again
    (a quick job on an idle core), so the pool is idle while that result is still posted; the wait
    must hand it over too, not return on idle threads alone (it did, 1 time in 300 on this machine,
    and once in a fresh clone's `make test`). Every worker started once the gate is open is then
    waited for inside start(), so that order always happens."""
    from PySide6.QtCore import QThreadPool

    from aegui.qt.workers import threads
    latest, done, gate = threads.Latest(), [], threading.Event()
    if ends_at_once:
        started = threads.start

        def start_and_let_it_end(worker, fast=False):
            started(worker, fast)
            if gate.is_set():
                QThreadPool.globalInstance().waitForDone(10_000)
            return worker
        monkeypatch.setattr(threads, "start", start_and_let_it_end)

    def slow(tag):
        gate.wait(10)
        return tag
    latest.submit(slow, "first", on_done=done.append)
    latest.submit(slow, "second", on_done=done.append)     # waits behind the first
    assert latest.busy()
    gate.set()
    assert threads.wait_for_workers(30_000)
    assert QThreadPool.globalInstance().activeThreadCount() == 0
    assert done == ["second"]         # the newest request's result, handed over in the wait
    assert not latest.busy()


def test_settle_work_returns_once_a_result_and_the_work_it_started_are_handed_over(qtbot):
    """`main.py --screenshot` grabs the window after settle_work(): the panels' answers to the
    models just loaded are computed on workers (the editor's output), and a grab before they were
    in showed "no model loaded" beside a loaded model. A result can start more work (a panel's
    next request); that is waited for too, and only the GUI thread hands results over."""
    from aegui.qt.workers import threads
    from aegui.qt.window.window_matrix import settle_work
    done, handed_on = [], []

    def slow(tag):
        time.sleep(0.2)
        return tag

    def first_done(tag):
        done.append(tag)
        handed_on.append(threading.current_thread() is threading.main_thread())
        threads.run_task(slow, "started by the first", on_done=done.append)
    threads.run_task(slow, "first", on_done=first_done)
    assert settle_work(30)
    assert done == ["first", "started by the first"]
    assert handed_on == [True]


@pytest.mark.parametrize("ends", ["returns", "raises"])
@pytest.mark.parametrize("callbacks", ["methods", "closures"])
def test_a_task_ending_after_its_receiver_was_deleted_hands_it_nothing(qtbot, capfd, ends, callbacks):
    """A window closed and deleted while it loaded: the load's result, or its error, must not reach
    it (its error handler was called on the deleted window: a RuntimeError traceback). Closures
    name their receiver; a bound method's is its object."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QWidget

    from aegui.qt.workers import threads
    gate, got = threading.Event(), []

    class Receiver(QWidget):
        def done(self, value):
            got.append(("done", self.windowTitle()))

        def failed(self, error):
            got.append(("failed", self.windowTitle()))

    def load():
        gate.wait(30)
        if ends == "raises":
            raise OSError("the model's file went away")
        return "models"
    receiver = Receiver()
    if callbacks == "methods":
        threads.run_task(load, on_done=receiver.done, on_error=receiver.failed)
    else:
        threads.run_task(load, on_done=lambda v, r=receiver: r.done(v),
                         on_error=lambda e, r=receiver: r.failed(e), receiver=receiver)
    receiver.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gate.set()
    assert threads.wait_for_workers(30_000)
    QCoreApplication.processEvents()
    assert got == []
    assert capfd.readouterr().err == ""


def test_the_last_wait_before_exit_has_no_deadline(qtbot):
    """Exit waits for every worker however long it runs (aegui.qt.startup.app.take_apart): Python exiting
    under one printed its tracebacks."""
    from aegui.qt.workers import threads
    gate, done = threading.Event(), []
    threads.run_task(gate.wait, 30, on_done=done.append)
    threading.Thread(target=gate.set).start()
    assert threads.wait_for_workers(None)
    assert done == [True]
