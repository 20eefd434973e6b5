"""How close reconstructions are to images that are not black and white: per-sample mean squared
error and PSNR. Wrong pixels (a threshold at 0.5) say how a 5x7 glyph came back; for grey or
colour pictures they count noise, so the training panel shows these instead."""
from __future__ import annotations

import numpy as np

PSNR_CAP = 100.0   # dB for an exact copy (MSE 0), so charts stay finite


def is_binary(x: np.ndarray) -> bool:
    """Every value 0 or 1: glyphs, black-and-white drawings."""
    x = np.asarray(x)
    return bool(x.size) and bool(np.isin(x, (0.0, 1.0)).all())


def reconstruction_errors(originals: np.ndarray, recon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mse [N], psnr [N] in dB) of values in [0, 1]; PSNR = 10·log10(1 / MSE)."""
    a = np.asarray(originals, np.float64).reshape(len(originals), -1)
    b = np.asarray(recon, np.float64).reshape(len(recon), -1)
    if a.shape != b.shape:
        raise ValueError(f"{a.shape[0]} originals of {a.shape[1]} values but reconstructions of shape {b.shape}")
    mse = ((a - b) ** 2).mean(1)
    with np.errstate(divide="ignore"):
        psnr = np.where(mse > 0, 10 * np.log10(1.0 / np.maximum(mse, 1e-300)), PSNR_CAP)
    return mse, np.minimum(psnr, PSNR_CAP)


def worst(mse: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n samples with the largest error, worst first."""
    mse = np.asarray(mse)
    return np.argsort(-mse, kind="stable")[:n]
