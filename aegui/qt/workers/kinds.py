"""superqt's two workers (a function, a generator) with a run that keeps no process-wide state.

superqt's run() wraps each run in warnings.catch_warnings() and points warnings.showwarning at a
lambda holding the worker. That swaps module globals, which Python documents as not thread-safe:
two runs ending out of order put back the other's lambda, which then holds its worker until a
later run on a pool thread replaces it, and the worker, with the function and arguments it holds,
is freed there instead of on the GUI thread (tests/qt/test_worker_lifetime.py caught one under
load). Warnings raised in a worker now reach Python's own hook, as anywhere else.

Its run() also takes a RuntimeError that ends a generator for a deleted worker: it warns and sends
neither `errored` nor `finished`, so a job that failed with torch's usual exception kept its
runner busy for good. Here the pool thread's caller holds the worker until its signals have been
handed over (threads.start), so every failure is an error like any other.

Imported with the first worker: superqt stays out of the window's start (pacing.py says why).
"""
from superqt.utils import FunctionWorker, GeneratorWorker


def _run(self) -> None:
    """A worker's run: `started`, then `returned` (unless aborted) or `errored`, then `finished`.
    (superqt's own start(), which listens for its private end signal, is never called: threads.start
    runs workers.)"""
    self.started.emit()
    self._running = True
    try:
        # a generator's work() hands back the exception that ended it instead of raising it
        result = self.work()
        if isinstance(result, Exception):
            raise result
        if not self.abort_requested:
            self.returned.emit(result)
    except Exception as e:
        self.errored.emit(e)
    self._running = False
    self.finished.emit()


class Function(FunctionWorker):
    run = _run


class Generator(GeneratorWorker):
    run = _run
