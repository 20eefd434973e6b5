"""Thread counts are set per thread and restored to what the thread itself had chosen.

torch.set_num_threads also sets the count a thread takes at its first op. A thread whose first op
fell inside another thread's one-thread block kept one thread, and its own one-thread block then
handed that one thread to every thread started later: a big model's training on one core of many.
The count here is 3 whatever the machine, so the test can fail on a machine of 1 or 2 cores too.
"""
from __future__ import annotations

import threading

import pytest
import torch

from aegui.core.train import threads
from aegui.core.train.threads import one_thread, torch_threads

FULL = 3


@pytest.fixture
def three_threads(monkeypatch):
    real = threads.full_threads()
    monkeypatch.setattr(threads, "_full", FULL)
    torch.set_num_threads(FULL)
    yield
    torch.set_num_threads(real)


def on_a_thread(fn):
    """fn() on a new thread; what it returned."""
    out = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join()
    return out[0]


def test_a_thread_started_during_a_one_thread_block_does_not_pass_one_thread_on(three_threads):
    inside, done = threading.Event(), threading.Event()

    def holder():
        with one_thread():
            inside.set()
            done.wait()

    def late_starter():
        inside.wait()
        torch.get_num_threads()     # its first op, while the other thread holds one thread
        done.set()
        with one_thread():
            pass
        return torch.get_num_threads()

    t = threading.Thread(target=holder)
    t.start()
    late = on_a_thread(late_starter)
    t.join()
    assert late == FULL                        # its block restored what it chose, not what it had
    assert on_a_thread(torch.get_num_threads) == FULL     # a thread started later gets all of them


def test_blocks_nest_and_an_inner_block_of_no_count_keeps_the_outer_ones(three_threads):
    def nested():
        seen = []
        with torch_threads(None):
            seen.append(torch.get_num_threads())
            with torch_threads(1):
                seen.append(torch.get_num_threads())
                with torch_threads(None):       # a big model's training inside a caller's one thread
                    seen.append(torch.get_num_threads())
                    with torch_threads(2):
                        seen.append(torch.get_num_threads())
                    seen.append(torch.get_num_threads())
                seen.append(torch.get_num_threads())
            seen.append(torch.get_num_threads())
        seen.append(torch.get_num_threads())
        return seen
    assert on_a_thread(nested) == [FULL, 1, 1, 2, 1, 1, FULL, FULL]


def test_a_big_models_training_gets_all_threads_even_on_a_thread_stuck_at_one(three_threads):
    import numpy as np

    from aegui.core.data.dataset import Dataset
    from aegui.core.schema.experiment import Experiment, ModelSpec, TrainConfig
    from aegui.core.train.session import TrainingSession
    x = (np.random.default_rng(0).random((32, 35)) > 0.5).astype(np.float32)
    exp = Experiment(model=ModelSpec(layers=(35, 2000, 2000, 2, 2000, 2000, 35)), train=TrainConfig(epochs=2))
    session = TrainingSession(exp, Dataset("glyphs", x, [str(i) for i in range(32)], (7, 5)))
    assert not session._small_on_cpu()

    def train_on_a_stuck_thread():
        torch.set_num_threads(1)     # how a thread raced as above was left
        seen = []
        for _ in session.steps():
            seen.append(torch.get_num_threads())
        return seen
    assert set(on_a_thread(train_on_a_stuck_thread)) == {FULL}
