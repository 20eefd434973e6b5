"""Input corruption for denoising: numpy only, so the GUI can use it without torch."""
from __future__ import annotations

import numpy as np
from aegui.core.schema.experiment import shown

# The numerics revision of the input noise: bump it with any change to the numbers computed here
# (docs/numerics.md; the report's rows that use it are then made again).
NUMERICS = 1

KINDS = ("salt_pepper", "bit_flip", "gaussian")
LABELS = {"salt_pepper": "salt-and-pepper", "bit_flip": "bit flip", "gaussian": "gaussian"}


def apply_noise(x: np.ndarray, kind: str, level: float, rng: np.random.Generator) -> np.ndarray:
    """Return a corrupted copy of `x` (values in [0, 1]); `level` is a probability or, for
    gaussian, the standard deviation."""
    if kind not in KINDS:
        raise ValueError(f"unknown noise type {shown(kind)}; choose one of {', '.join(KINDS)}")
    if not 0.0 <= level <= 1.0:
        raise ValueError(f"noise level {level} must be between 0 and 1")
    x = np.asarray(x, dtype=np.float32)
    if kind == "gaussian":
        return np.clip(x + rng.normal(0.0, level, x.shape).astype(np.float32), 0.0, 1.0)
    hit = rng.random(x.shape) < level
    if kind == "bit_flip":
        return np.where(hit, 1.0 - x, x).astype(np.float32)
    # Salt-and-pepper sets hit pixels to black or white at random, so about half keep their value.
    salt = (rng.random(x.shape) < 0.5).astype(np.float32)
    return np.where(hit, salt, x).astype(np.float32)
