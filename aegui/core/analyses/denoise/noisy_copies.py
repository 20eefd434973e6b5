"""How a denoiser fares on one drawing under many noise draws: N noisy copies of the drawing, each
with its own seed, denoised; wrong pixels per copy (the output thresholded at 0.5 against the
drawing), their mean, and the worst copy kept whole so it can be shown.

Copy k is `apply_noise(drawing, kind, level, numpy.random.default_rng(seed + k))`: the very noisy
copy the pixel editor draws for noise seed `seed + k`, so the editor shows the worst case by
taking its seed. Numpy only: the denoiser is any callable [M, D] -> [M, D].
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from aegui.core.data.noise import apply_noise
from aegui.core.jobs.job import FINISHED, Job, Progress

CHUNK = 64          # copies denoised in one call; a cancel is seen between chunks


@dataclass
class CopiesProgress(Progress):
    """How many of the noisy copies are denoised so far."""
    done: int = 0               # copies denoised so far
    total: int = 0


@dataclass
class CopiesResult:
    """A drawing denoised under N noise draws: each copy's wrong pixels, the noisy inputs', and the worst copy
    to show."""
    seed: int                   # copy k used noise seed seed + k
    kind: str
    level: float
    wrong: np.ndarray           # [N] wrong pixels of each copy's output
    noisy_wrong: np.ndarray     # [N] wrong pixels of each noisy copy itself
    worst: int                  # the copy with the most wrong pixels (the first of a tie)
    worst_noisy: np.ndarray     # its noisy input, shaped like the drawing
    worst_output: np.ndarray    # the denoiser's output for it, shaped like the drawing

    @property
    def n(self) -> int:
        """How many copies were denoised."""
        return len(self.wrong)

    @property
    def mean_wrong(self) -> float:
        """Mean wrong pixels of the outputs over the copies."""
        return float(self.wrong.mean())

    @property
    def worst_wrong(self) -> int:
        """Wrong pixels of the worst copy's output."""
        return int(self.wrong[self.worst])

    @property
    def worst_seed(self) -> int:
        """The noise seed that made the worst copy (to draw it again)."""
        return self.seed + self.worst


def noisy_copy(drawing: np.ndarray, kind: str, level: float, seed: int) -> np.ndarray:
    """The noisy copy for one seed, shaped like the drawing."""
    x = np.asarray(drawing, np.float32)
    return np.asarray(apply_noise(x.reshape(1, -1), kind, level, np.random.default_rng(seed)),
                      np.float32).reshape(x.shape)


class NoisyCopiesTest(Job):
    """The test as a job (aegui.qt.workers.threads.JobRunner): `steps()` yields CopiesProgress between
    chunks and a finished one last, its `result` the CopiesResult; `cancel()` stops it between
    chunks (no result then)."""

    def __init__(self, drawing, denoise: Callable[[np.ndarray], np.ndarray], kind: str, level: float, n: int,
                 seed: int):
        if n < 1:
            raise ValueError(f"the test needs at least one copy, got {n}")
        self.drawing = np.asarray(drawing, np.float32).copy()
        self.denoise, self.kind, self.level, self.n, self.seed = denoise, kind, float(level), int(n), int(seed)

    def steps(self):
        """Draws the N noisy copies, denoises them in chunks (cancel is checked between chunks) and ends with
        the CopiesResult."""
        shape, clean = self.drawing.shape, self.drawing.reshape(-1) >= 0.5
        noisy = np.stack([noisy_copy(self.drawing, self.kind, self.level, self.seed + k).reshape(-1)
                          for k in range(self.n)])
        outputs = np.empty_like(noisy)
        for start in range(0, self.n, CHUNK):
            if self.cancelled:
                return
            stop = min(self.n, start + CHUNK)
            outputs[start:stop] = np.clip(np.asarray(self.denoise(noisy[start:stop].copy()), np.float32)
                                          .reshape(stop - start, -1), 0.0, 1.0)
            yield CopiesProgress(fraction=stop / self.n, done=stop, total=self.n)
        if self.cancelled:
            return          # cancelled during the last chunk: no figures either
        wrong = ((outputs >= 0.5) != clean).sum(axis=1)
        worst = int(np.argmax(wrong))
        result = CopiesResult(self.seed, self.kind, self.level, wrong, ((noisy >= 0.5) != clean).sum(axis=1), worst,
                              noisy[worst].reshape(shape), outputs[worst].reshape(shape))
        yield CopiesProgress(state=FINISHED, fraction=1.0, done=self.n, total=self.n, result=result)


def score_noisy_copies(drawing, denoise, kind: str, level: float, n: int, seed: int) -> CopiesResult:
    """The whole test at once (the editor runs it as a job)."""
    last = None
    for last in NoisyCopiesTest(drawing, denoise, kind, level, n, seed).steps():
        pass
    return last.result
