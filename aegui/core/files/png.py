"""Arrays in [0, 1] to PNG (Pillow), enlarged with crisp pixels; every picture aegui writes is
saved through save_picture."""
from __future__ import annotations

from pathlib import Path

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
    """Saves an array as a PNG (grey drawn as black ink on white), each pixel enlarged `scale` times."""
    save_picture(to_pil(img, scale), path)


def save_picture(pil: Image.Image, path, format: str | None = None, **options) -> None:
    """`pil` written to `path` (PNG, or GIF for a .gif name or `format`), through the atomic
    writer: Pillow writing straight to the file left half a picture on a full disk, and its
    "No space left on device" named no file."""
    import io

    from aegui.core.files.atomic import atomic_write_bytes
    path = Path(path)
    buf = io.BytesIO()
    pil.save(buf, format=format or ("GIF" if path.suffix.lower() == ".gif" else "PNG"), **options)
    atomic_write_bytes(path, buf.getvalue())
