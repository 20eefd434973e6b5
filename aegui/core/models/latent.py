"""Latent-space helpers over a K=1 model: numpy in, numpy out (what the GUI and CLI need)."""
from __future__ import annotations

import numpy as np
import torch

from aegui.core.models.mlp_net import Autoencoder


@torch.no_grad()
def encode(model: Autoencoder, x: np.ndarray) -> np.ndarray:
    """Codes [N, L] (the mean for a VAE)."""
    xt = torch.as_tensor(np.asarray(x, dtype=np.float32), device=model.flat.device)
    return model.encode(xt)[0].cpu().numpy()


@torch.no_grad()
def decode_points(model: Autoencoder, z: np.ndarray) -> np.ndarray:
    """Outputs [M, D] in [0, 1] for latent points [M, L]."""
    zt = torch.as_tensor(np.asarray(z, dtype=np.float32).reshape(-1, model.latent_dim),
                         device=model.flat.device)
    return model.decode(zt)[0].cpu().numpy()


@torch.no_grad()
def reconstruct(model: Autoencoder, x: np.ndarray) -> np.ndarray:
    """The model's reconstructions of `x`, from its codes (a VAE's means), as numpy."""
    return decode_points(model, encode(model, x))


def keep_sure(x: np.ndarray, out: np.ndarray, confidence: float) -> np.ndarray:
    """The model's output `out` where it is at least `confidence` sure that a pixel of the 0 / 1
    input `x` is wrong, the input's pixel everywhere else."""
    on = np.asarray(x, np.float32) >= 0.5
    flip = np.where(on, out <= 1.0 - confidence, out >= confidence)
    return np.where(flip, out, on.astype(np.float32))


def denoise(model: Autoencoder, x: np.ndarray) -> np.ndarray:
    """Denoised glyphs [N, D]: the reconstruction, kept from changing pixels the model is unsure
    of when its spec asks so (model.flip_confidence above 0.5)."""
    out = reconstruct(model, x)
    confidence = getattr(model.spec, "flip_confidence", 0.5)
    return keep_sure(x, out, confidence) if confidence > 0.5 else out


def grid_points(rect, nx: int, ny: int, dims=(0, 1), base=None, latent_dim: int = 2) -> np.ndarray:
    """Latent points [ny*nx, L] covering rect=(x0, x1, y0, y1), row 0 at the TOP (y1), so
    the result reads like the picture; other dims come from `base` (default 0)."""
    x0, x1, y0, y1 = rect
    xs = np.linspace(x0, x1, nx, dtype=np.float32)
    ys = np.linspace(y1, y0, ny, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    pts = np.tile(np.zeros(latent_dim, np.float32) if base is None else np.asarray(base, np.float32),
                  (nx * ny, 1))
    pts[:, dims[0]] = gx.ravel()
    if latent_dim > 1:
        pts[:, dims[1]] = gy.ravel()
    return pts


def decode_grid(model: Autoencoder, rect, nx: int, ny: int, dims=(0, 1), base=None) -> np.ndarray:
    """Decoded images [ny, nx, D] over a rectangle in one batched call."""
    pts = grid_points(rect, nx, ny, dims, base, model.latent_dim)
    return decode_points(model, pts).reshape(ny, nx, -1)


def interpolate(model: Autoencoder, za: np.ndarray, zb: np.ndarray, n: int) -> np.ndarray:
    """n decoded steps on the straight line from za to zb (both included) -> [n, D]."""
    t = np.linspace(0.0, 1.0, n, dtype=np.float32)[:, None]
    za, zb = np.asarray(za, np.float32), np.asarray(zb, np.float32)
    return decode_points(model, za[None] * (1 - t) + zb[None] * t)
