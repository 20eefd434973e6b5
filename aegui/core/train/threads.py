"""One torch thread for small work on the CPU (evaluations and heads of the analyses), and the window's
OpenMP wait policy.

The reason is the one training.py gives: tiny ops on several OpenMP threads spin and collapse
(x10-x40 measured here) when another process or the GUI thread wants a core too.
"""
from __future__ import annotations

import contextlib
import os
import sys

USER_CHOSEN = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")     # the user's own say over how OpenMP waits


def idle_threads_sleep(env=None) -> bool:
    """OpenMP threads with nothing to do sleep at once (OMP_WAIT_POLICY=PASSIVE) instead of spinning,
    unless the user set OMP_WAIT_POLICY or GOMP_SPINCOUNT. For the window: its GUI thread, and whatever
    else runs on a student's laptop, want cores too, and a thread that spins keeps the core from the
    one it waits for (bench/gui_training_speed.py). libgomp reads the variable once, when torch loads:
    returns False, changing nothing, where torch is already in or the user chose."""
    env = os.environ if env is None else env
    if "torch" in sys.modules or any(name in env for name in USER_CHOSEN):
        return False
    env["OMP_WAIT_POLICY"] = "PASSIVE"
    return True


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
