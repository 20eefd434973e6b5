"""A worker started with aegui.qt.workers.threads.start is freed once its run is over and its signals have
been handed over, and on the GUI thread (its function and arguments may hold panels, which must
not be freed beside it).

superqt's own worker.start() gives the worker itself to Qt's thread pool, which owns and deletes
it after its run; under PySide 6.11 a third to a half of those workers stayed alive for good, each
with the function and arguments it held (bench/soak.py --find-leaks counted them growing while
the window trained and was hovered: the training runner's loaders and the latent map's decoders,
a model each). Function and generator workers alike. superqt's run() also put a hook holding its
worker in warnings.showwarning; runs ending out of order left one there, and the worker was freed
later on a pool thread (seen once in a full run beside two busy processes per core).
"""
import contextlib
import gc
import threading
import warnings
import weakref

from PySide6.QtCore import QThreadPool

from aegui.qt.workers import threads

WORKERS = 100   # of each kind; superqt's start kept dozens of them


def double(x):
    return 2 * x


def count_to(n):
    yield from range(n)
    return n


def test_workers_are_freed_after_their_run(qtbot):
    showwarning = warnings.showwarning
    refs, ended, returned, freed_on = [], [], [], []
    for i in range(WORKERS):
        for fn, arg in ((double, i), (count_to, 3)):
            worker = threads.new_worker(fn, arg)
            worker.returned.connect(returned.append)
            worker.finished.connect(lambda: ended.append(1))
            refs.append(weakref.ref(worker))
            weakref.finalize(worker, lambda: freed_on.append(threading.current_thread()))
            threads.start(worker)
            del worker
    qtbot.waitUntil(lambda: len(ended) == 2 * WORKERS, timeout=30000)
    assert sorted(returned) == sorted([2 * i for i in range(WORKERS)] + [3] * WORKERS)
    QThreadPool.globalInstance().waitForDone()
    assert warnings.showwarning is showwarning     # superqt's run swapped it (workers/kinds.py)

    def alive() -> int:
        gc.collect()
        return sum(ref() is not None for ref in refs)
    with contextlib.suppress(qtbot.TimeoutError):     # the last hand-overs may still be queued
        qtbot.waitUntil(lambda: alive() == 0, timeout=5000)
    assert alive() == 0, f"{alive()} of {2 * WORKERS} workers outlived their run"
    assert set(freed_on) == {threading.main_thread()}
