"""Testing a denoiser on N noisy copies of one drawing: the figures are the counts of its copies,
the same seed gives the same copies, and the worst copy is the editor's noisy copy for its seed."""
import numpy as np
import pytest

from aegui.core.analyses.denoise.noisy_copies import (CopiesProgress, CopiesResult, NoisyCopiesTest, noisy_copy,
                                              score_noisy_copies)
from aegui.core.data.noise import apply_noise
from aegui.core.jobs.job import Progress

T = np.array([[1, 1, 1, 1, 1]] + [[0, 0, 1, 0, 0]] * 6, np.float32)


def identity(batch):
    return batch


def test_the_figures_count_wrong_pixels_per_copy_and_the_worst_is_the_first_of_the_most():
    r = score_noisy_copies(T, identity, "salt_pepper", 0.3, 20, seed=7)
    clean = T.reshape(-1) >= 0.5
    by_hand = [int(((apply_noise(T.reshape(1, -1), "salt_pepper", 0.3, np.random.default_rng(7 + k))[0] >= 0.5)
                    != clean).sum()) for k in range(20)]
    assert r.wrong.tolist() == by_hand and r.noisy_wrong.tolist() == by_hand    # identity: output = input
    assert r.mean_wrong == pytest.approx(np.mean(by_hand)) and r.worst_wrong == max(by_hand)
    assert r.worst == by_hand.index(max(by_hand)) and r.worst_seed == 7 + r.worst
    np.testing.assert_array_equal(r.worst_noisy, noisy_copy(T, "salt_pepper", 0.3, r.worst_seed))
    np.testing.assert_array_equal(r.worst_output, r.worst_noisy)
    assert r.worst_noisy.shape == (7, 5) and r.n == 20


def test_the_same_seed_gives_the_same_copies_and_another_seed_others():
    a = score_noisy_copies(T, identity, "bit_flip", 0.2, 30, seed=100)
    b = score_noisy_copies(T, identity, "bit_flip", 0.2, 30, seed=100)
    c = score_noisy_copies(T, identity, "bit_flip", 0.2, 30, seed=5000)
    assert a.wrong.tolist() == b.wrong.tolist() and a.wrong.tolist() != c.wrong.tolist()


def test_a_denoiser_that_gives_the_drawing_back_has_no_wrong_pixel():
    r = score_noisy_copies(T, lambda b: np.repeat(T.reshape(1, -1), len(b), 0), "salt_pepper", 0.5, 25, seed=1)
    assert r.mean_wrong == 0 and r.worst_wrong == 0 and r.noisy_wrong.max() > 0


def test_the_job_reports_progress_in_chunks_and_stops_when_cancelled():
    calls = []

    def counting(batch):
        calls.append(len(batch))
        return batch
    items = list(NoisyCopiesTest(T, counting, "gaussian", 0.4, 150, seed=3).steps())
    assert [(p.done, p.total, p.fraction) for p in items[:-1]] == [(64, 150, 64 / 150), (128, 150, 128 / 150),
                                                                  (150, 150, 1.0)]
    assert items[-1].ended and isinstance(items[-1].result, CopiesResult) and calls == [64, 64, 22]
    assert all(isinstance(p, Progress) for p in items)
    job = NoisyCopiesTest(T, counting, "gaussian", 0.4, 150, seed=3)
    steps = job.steps()
    assert isinstance(next(steps), CopiesProgress)
    job.cancel()
    assert list(steps) == []          # no result after a cancel
    job = NoisyCopiesTest(T, counting, "gaussian", 0.4, 10, seed=3)     # one chunk, cancelled as it ends
    steps = job.steps()
    assert next(steps) == CopiesProgress(fraction=1.0, done=10, total=10)
    job.cancel()
    assert list(steps) == []
    with pytest.raises(ValueError):
        NoisyCopiesTest(T, identity, "gaussian", 0.4, 0, seed=3)
