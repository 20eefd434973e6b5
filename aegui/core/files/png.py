"""Arrays in [0, 1] to PNG (Pillow), enlarged with crisp pixels."""
from __future__ import annotations

import numpy as np
from PIL import Image


def to_pil(img: np.ndarray, scale: int = 1) -> Image.Image:
    """(H, W) grey with 1 = ink (drawn black on white), or (H, W, 3|4) colour."""
    arr = np.clip(np.asarray(img, dtype=np.float32), 0, 1)
    if arr.ndim == 2:
        pil = Image.fromarray(((1 - arr) * 255).astype(np.uint8), "L")
    else:
        pil = Image.fromarray((arr * 255).astype(np.uint8), "RGB" if arr.shape[2] == 3 else "RGBA")
    if scale > 1:
        pil = pil.resize((pil.width * scale, pil.height * scale), Image.NEAREST)
    return pil


def save_png(img: np.ndarray, path, scale: int = 1) -> None:
    to_pil(img, scale).save(path, format="PNG")
