"""Is a drawn glyph like what the model was trained on? A model reconstructs the glyphs it knows
(and, when trained with augmentation, their shifted / bolder / distorted variants) almost
exactly; one it never saw anything like comes out changed, snapped towards a known glyph.

The measure is the reconstruction error of the clean glyph: the summed squared difference
between the glyph (0 / 1 pixels) and the model's output, so a fully wrong pixel counts 1. The
limit comes from the training set: the 99th percentile of that error over the training glyphs,
and over seeded augmented copies of them (1-px shifts, bolder / thinner strokes, small
distortions) when the model was trained with augmentation, but at least MIN_LIMIT (so outputs a
hair off 0 / 1 do not count). Spliced glyphs and random pen strokes, which a general denoiser also
trains on to learn strokes in general, do not count: they are not letters it should know.
Numpy in, numpy out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

MIN_LIMIT = 0.5          # half a pixel's worth of squared error
# A model "knows" a drawing it gives back confidently as it is: every pixel on the right side of
# 0.5 by far, the summed squared error at most a quarter pixel. Measured leaving one course font
# out (bench/general_denoiser.py): handing every other drawing to a local model beat doing so only
# above the familiarity limit (1.5 vs 1.7-1.8 wrong pixels per glyph at 10 % noise, the input 1.75),
# and the models still know all of their own glyphs.
KNOWN = 0.25
QUANTILE = 0.99
COPIES = 20              # augmented copies of each training glyph the limit also looks at


def reconstruction_error(reconstruct: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """Summed squared error per glyph [N] between x [N, D] (thresholded at 0.5) and its reconstruction."""
    clean = (np.asarray(x, np.float32) >= 0.5).astype(np.float32)
    out = np.asarray(reconstruct(clean), np.float32).reshape(clean.shape)
    return ((out - clean) ** 2).sum(1)


@dataclass(frozen=True)
class Familiarity:
    """Where a denoiser's familiar drawings end: the reconstruction error above which a drawing is unlike its
    training glyphs."""
    limit: float             # a glyph whose reconstruction error is above this is unfamiliar
    training_max: float      # the largest error among the training glyphs themselves
    # The plain reconstruction the limit was measured with: a denoiser that keeps the pixels it
    # is unsure of would make every drawing look familiar.
    reconstruct: Callable[[np.ndarray], np.ndarray] = field(compare=False, repr=False)

    def is_unfamiliar(self, error: float) -> bool:
        """Whether a drawing's reconstruction error is above the limit."""
        return float(error) > self.limit

    @staticmethod
    def is_known(error: float) -> bool:
        """Whether the error is small enough that the drawing is one of the model's own glyphs."""
        return float(error) <= KNOWN

    def error(self, glyph: np.ndarray) -> float:
        """A glyph's (0 / 1 pixels, [D]) reconstruction error, measured as the limit was."""
        return float(reconstruction_error(self.reconstruct, np.asarray(glyph, np.float32).reshape(1, -1))[0])


def familiarity(reconstruct, x_train: np.ndarray, augment_config=None, seed: int = 0) -> Familiarity:
    """The limit for a model (as `reconstruct`) trained on x_train [N, 35]; with the experiment's
    augment section (enabled), also over COPIES seeded augmented copies of every glyph."""
    x = np.asarray(x_train, np.float32)
    own = reconstruction_error(reconstruct, x)
    errors = own
    if augment_config is not None and augment_config.enabled and x.shape[1] == 35:
        from aegui.core.data.augment import augment
        a = augment_config
        copies = augment(np.repeat(x, COPIES, axis=0), np.random.default_rng(seed),
                         a.shift, a.thicken, a.thin, a.distort)
        errors = np.concatenate([own, reconstruction_error(reconstruct, copies)])
    limit = max(float(np.quantile(errors, QUANTILE)), MIN_LIMIT)
    return Familiarity(limit, float(own.max()) if len(own) else 0.0, reconstruct)


def saved_limits(fam: Familiarity) -> dict:
    """What a model's sidecar keeps of its familiarity, so opening it need not measure it again
    (20 augmented copies of every training glyph through the model: 0.1-0.6 s a model)."""
    return {"limit": fam.limit, "training_max": fam.training_max, "quantile": QUANTILE, "copies": COPIES,
            "min_limit": MIN_LIMIT}


def from_saved(saved, reconstruct) -> Familiarity | None:
    """The Familiarity a sidecar kept (saved_limits), or None when there is none, it is damaged or
    it was measured another way (then the caller measures it)."""
    if not isinstance(saved, dict):
        return None
    same = (saved.get("quantile"), saved.get("copies"), saved.get("min_limit")) == (QUANTILE, COPIES, MIN_LIMIT)
    numbers = [saved.get("limit"), saved.get("training_max")]
    if not same or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v) and v >= 0
                           for v in numbers):
        return None
    return Familiarity(float(numbers[0]), float(numbers[1]), reconstruct)


def denoise_with_fallback(denoise, fallback, fam: Familiarity, drawn: np.ndarray,
                          noisy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the pixel editor shows: `denoise(noisy)` for the rows whose clean drawing (`drawn`,
    [N, D], the glyph before the noise) the model knows (gives back within KNOWN),
    `fallback(noisy)` (a local model) for the others. Returns (outputs [N, D], which rows fell
    back [N])."""
    unknown = reconstruction_error(fam.reconstruct, drawn) > KNOWN
    out = np.asarray(denoise(noisy), np.float32).copy()
    if unknown.any():
        out[unknown] = np.asarray(fallback(noisy[unknown]), np.float32)
    return out, unknown
