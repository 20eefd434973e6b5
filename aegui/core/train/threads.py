"""How many threads torch uses on each of our threads, and how idle OpenMP threads wait.

One torch thread for small work on the CPU (evaluations, heads of the analyses, small models'
training): tiny ops on several OpenMP threads spin and collapse (x10-x40 measured here) when
another process or the GUI thread wants a core too.

Every count is set per thread, and each block restores what the enclosing block on its thread
chose, or all threads, never what torch reports: torch.set_num_threads also sets the process-wide
count that a thread takes the first time it runs an op. A thread whose first op fell inside another
thread's one-thread block kept one thread for good, and its own block then restored that one thread
as everyone's count, so every later worker thread, a big model's training among them, ran on one
core (tests/core/train/test_thread_counts.py).
"""
from __future__ import annotations

import contextlib
import os
import sys
import threading

USER_CHOSEN = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")     # the user's own say over how OpenMP waits
SHORT_SPIN = "1000"     # libgomp's own spin once it manages more threads than there are cores


def idle_threads_sleep(env=None) -> str:
    """OpenMP threads with nothing to do sleep soon instead of spinning, unless the user set
    OMP_WAIT_POLICY or GOMP_SPINCOUNT; returns the variable set ("GOMP_SPINCOUNT=1000"), or "" where
    nothing was. For the window and the command line: the GUI thread, other processes and whatever else
    runs on a student's laptop or a lab's machine want cores too, and a thread that spins keeps the core
    from the one it waits for. bench/gui_training_speed.py, a big model's training on 2 cores beside
    busy processes (load 4-6): libgomp's default 76-91 images/s, PASSIVE 646-1,143, a spin of 1,000
    665-1,075; on a quiet machine PASSIVE cost 13-16 % and the short spin 3 %. So torch's libgomp (Linux) spins
    that long, as libgomp itself does once its threads outnumber the cores (which is why a window, its
    worker threads keeping OpenMP teams of their own, suffered less than a headless run); another
    OpenMP (macOS, Windows) gets the standard PASSIVE. OpenMP reads the variables once, when torch
    loads: nothing is set where torch is already in."""
    env = os.environ if env is None else env
    if "torch" in sys.modules or any(name in env for name in USER_CHOSEN):
        return ""
    name, value = ("GOMP_SPINCOUNT", SHORT_SPIN) if torch_uses_libgomp() else ("OMP_WAIT_POLICY", "PASSIVE")
    env[name] = value
    return f"{name}={value}"


def torch_uses_libgomp() -> bool:
    """Whether the installed torch carries GNU's OpenMP (libgomp), found without importing torch: in
    torch/lib, or in torch.libs beside it where auditwheel put it."""
    import importlib.util
    from pathlib import Path
    spec = importlib.util.find_spec("torch")
    packages = [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    folders = [f for p in packages for f in (p / "lib", p.parent / "torch.libs")]
    return any(f.is_dir() and any(f.glob("libgomp*")) for f in folders)


def how_openmp_waits(env=None) -> str:
    """The wait variables in force, as NAME=VALUE ("" for OpenMP's default)."""
    env = os.environ if env is None else env
    return " ".join(f"{name}={env[name]}" for name in USER_CHOSEN if name in env)


_full: int | None = None            # torch's own count, read before we first changed it
_full_lock = threading.Lock()
_chosen = threading.local()         # .n: the count this thread's innermost block set (None: none)


def full_threads() -> int:
    """torch's thread count as the process started with it (OMP_NUM_THREADS or the cores): read the
    first time it is asked, which is before anything here changed it."""
    global _full
    with _full_lock:
        if _full is None:
            import torch
            _full = torch.get_num_threads()
        return _full


@contextlib.contextmanager
def torch_threads(n: int | None):
    """Within this block torch uses n threads on this thread (None: as many as the enclosing block
    on this thread chose, else all of full_threads()); after it, what the enclosing block chose, or
    all of them. A caller that wants its own count around a training says so with a block of its own
    (torch.set_num_threads before the process's first block sets full_threads() instead)."""
    import torch
    full = full_threads()
    before = getattr(_chosen, "n", None)
    _chosen.n = (before or full) if n is None else n
    torch.set_num_threads(_chosen.n)
    try:
        yield
    finally:
        _chosen.n = before
        torch.set_num_threads(before or full)


def one_thread():
    """Within this block torch uses one thread on this thread."""
    return torch_threads(1)


def one_native_thread():
    """The same for numpy's BLAS and scikit-learn's OpenMP loops (BFGS's matrix products, t-SNE)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:   # pragma: no cover - comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(1)
