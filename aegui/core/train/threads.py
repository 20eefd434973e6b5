"""One torch thread for small work on the CPU (evaluations and heads of the analyses).

The reason is the one training.py gives: tiny ops on several OpenMP threads spin and collapse
(x10-x40 measured here) when another process or the GUI thread wants a core too.
"""
from __future__ import annotations

import contextlib


@contextlib.contextmanager
def one_thread():
    """Within this block torch uses one thread; the previous count comes back after."""
    import torch
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def one_native_thread():
    """The same for numpy's BLAS and scikit-learn's OpenMP loops (BFGS's matrix products, t-SNE)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:   # pragma: no cover - comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(1)
