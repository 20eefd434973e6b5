"""Latent arithmetic (the course's "concept vectors"): a − b + c.

If the step from b to a is a concept (bold, a serif, a smile), adding it to c should give c with
that concept: z = c + (a − b). numpy only, so the window, the CLI and tests share it without torch.
"""
from __future__ import annotations

import numpy as np


def analogy(a, b, c, strength: float = 1.0) -> np.ndarray:
    """The code c + strength · (a − b) [L] (strength 1: a − b + c), as float32."""
    za, zb, zc = (np.asarray(v, np.float64).ravel() for v in (a, b, c))
    if not (za.shape == zb.shape == zc.shape) or za.size == 0:
        raise ValueError(f"a, b and c need codes of one latent size, got {za.size}, {zb.size} and {zc.size}")
    if not all(np.isfinite(v).all() for v in (za, zb, zc)):
        raise ValueError("a, b and c must be finite codes")
    return (zc + float(strength) * (za - zb)).astype(np.float32)


def nearest(codes, z, exclude=()) -> int | None:
    """Index of the code in `codes` [N, L] nearest to z [L] (Euclidean), skipping `exclude`; None
    when none is left. It names what a − b + c landed closest to."""
    codes = np.asarray(codes, np.float64)
    if codes.ndim != 2 or len(codes) == 0:
        return None
    d = np.sum((codes - np.asarray(z, np.float64).ravel()) ** 2, axis=1)
    for k in exclude:
        if 0 <= k < len(d):
            d[k] = np.inf
    k = int(np.argmin(d))
    return k if np.isfinite(d[k]) else None
