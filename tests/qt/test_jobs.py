"""JobController: a generator job off the GUI thread, throttled progress, cooperative cancel."""
import threading
import time

from aegui.qt.workers import JobController


class _Job:
    def __init__(self, n, delay=0.0):
        self.n, self.delay = n, delay
        self.cancelled = threading.Event()
        self.thread = None

    def cancel(self):
        self.cancelled.set()

    def steps(self):
        self.thread = threading.current_thread()
        for i in range(self.n):
            if self.cancelled.is_set():
                yield {"state": "cancelled", "done": i}
                return
            time.sleep(self.delay)
            yield {"state": "running", "done": i + 1}
        yield {"state": "finished", "done": self.n}


def test_job_runs_off_the_gui_thread_and_finishes_with_the_last_item(qtbot):
    c = JobController()
    job = _Job(500)
    with qtbot.waitSignal(c.finished, timeout=10000) as blocker:
        c.start(lambda: job)
    assert blocker.args[0] == {"state": "finished", "done": 500}
    assert job.thread is not threading.main_thread()
    qtbot.waitUntil(lambda: not c.is_running())


def test_progress_is_throttled(qtbot):
    c = JobController()
    seen = []
    c.progress.connect(seen.append)
    with qtbot.waitSignal(c.finished, timeout=10000):
        c.start(lambda: _Job(20000))
    assert 1 <= len(seen) < 200


def test_cancel_reaches_the_job_and_ends_it(qtbot):
    c = JobController()
    job = _Job(10_000, delay=0.001)
    with qtbot.waitSignal(c.progress, timeout=10000):
        c.start(lambda: job)
    with qtbot.waitSignal(c.finished, timeout=10000) as blocker:
        c.cancel()
    assert blocker.args[0]["state"] == "cancelled"
    assert blocker.args[0]["done"] < 10_000


def test_an_error_while_building_the_job_is_reported(qtbot):
    c = JobController()

    def bad():
        raise ValueError("data.path: folder not found; check the path")
    with qtbot.waitSignal(c.errored, timeout=10000) as blocker:
        c.start(bad)
    assert "data.path" in blocker.args[0]
    qtbot.waitUntil(lambda: not c.is_running())


def test_a_job_started_before_the_last_ones_cleanup_does_not_hang(qtbot):
    """The old thread's `finished` may reach the GUI thread after a new job started: its
    cleanup must wait for the old thread, not the new one (that froze the GUI until the new
    job ended)."""
    c = JobController()
    first = _Job(1)
    ended = []
    c.running_changed.connect(ended.append)
    c.start(lambda: first)
    assert c.thread.wait(10000)          # ended; no events processed, so its cleanup is queued
    long_job = _Job(100_000, delay=0.001)
    c.start(lambda: long_job)
    t0 = time.monotonic()
    qtbot.wait(50)                       # delivers the first thread's queued cleanup
    assert time.monotonic() - t0 < 5
    assert c.is_running() and c.thread is not None
    with qtbot.waitSignal(c.finished, timeout=10000):
        c.cancel()
    qtbot.waitUntil(lambda: c.thread is None, timeout=10000)
    assert ended[-1] is False


def test_a_controller_dropped_as_soon_as_its_job_finished_does_not_abort(qtbot):
    """`finished` reaches the GUI thread just before the worker thread really ends. A controller
    dropped then (a panel deleted, a test's local one) used to take the running QThread with it:
    "QThread: Destroyed while thread is still running", and the process aborted (seen in CI)."""
    import sys

    from aegui.qt import workers
    normal = sys.getswitchinterval()
    for _ in range(100):
        c = JobController()
        with qtbot.waitSignal(c.finished, timeout=10000):
            c.start(lambda: _Job(20))
        del c
    qtbot.waitUntil(lambda: not workers._keeper.live(), timeout=10000)
    assert sys.getswitchinterval() == normal    # the fast GIL switch is handed back once each


def test_a_controller_dropped_mid_job_leaves_the_thread_to_finish(qtbot):
    from aegui.qt import workers
    job = _Job(200, delay=0.001)
    c = JobController()
    c.start(lambda: job)
    thread = c.thread
    del c
    qtbot.waitUntil(lambda: thread not in workers._keeper.live(), timeout=10000)
    assert job.thread is not None


def test_garbage_is_collected_in_the_gui_thread_not_in_a_worker(qtbot):
    """Collected in a worker thread, a dead window's widgets were destroyed there while the GUI
    thread held a Qt lock their destructor needed: the test suite hung (gdb: a QMenu freed in
    the training thread). aegui.qt.collector turns automatic collection off and collects on a
    timer in the GUI thread."""
    import gc
    import weakref

    from aegui.qt import collector
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

    class Allocating:                            # a worker making containers, as training does
        def __init__(self):
            self.made = []                       # kept: the collector's trigger counts live objects

        def steps(self):
            for _ in range(50):
                self.made.extend({"a": [i]} for i in range(2000))
                yield {"n": len(self.made)}
    job = Allocating()
    c = JobController()
    with qtbot.waitSignal(c.finished, timeout=10000):
        c.start(lambda: job)
    qtbot.waitUntil(lambda: len(freed_in) == 20, timeout=5000)
    assert set(freed_in) == {threading.main_thread()}
