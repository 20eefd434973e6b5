"""How arrays in [0, 1] look on screen and in figures: numpy only (no Qt, no Pillow), so the
widgets can use it without slowing the window's start.

Grey images are ink: 1 is drawn black on white, like the 5x7 glyphs, MNIST and the "gray"
emoji (see image_data). RGB is drawn as it is. RGBA is composited onto white, the background
the emoji were drawn for.
"""
from __future__ import annotations

import numpy as np

GAP = 205          # light grey between tiles: visible on white without looking like ink
BACKGROUND = 255


def is_gray(shape) -> bool:
    """Whether a sample of this shape ((H, W), (H, W, 3) or (H, W, 4)) is a grey image."""
    return len(tuple(shape)) == 2


def to_uint8(img, gray: bool | None = None) -> np.ndarray:
    """Pixels as shown: uint8 [..., H, W] (grey, 0 = black) or [..., H, W, 3] (RGB).

    `gray` says whether the trailing axes are (H, W) rather than (H, W, C); by default a 2-D
    array is grey and a 3-D one colour, so batches of grey images must say so.
    """
    a = np.clip(np.asarray(img, dtype=np.float32), 0.0, 1.0)
    if a.ndim == 2 if gray is None else gray:
        a = 1.0 - a
    elif a.shape[-1] == 4:
        alpha = a[..., 3:4]
        a = a[..., :3] * alpha + (1.0 - alpha)
    elif a.shape[-1] != 3:
        raise ValueError(f"expected grey (H, W) or colour (H, W, 3|4) images, got shape {a.shape}")
    # A model that diverged outputs NaN: shown as blank paper, not as whatever a cast makes of NaN.
    return (np.nan_to_num(a, nan=1.0) * 255.0 + 0.5).astype(np.uint8)


def paper(shape) -> np.ndarray:
    """The background these conventions draw a picture of this shape on: no ink (0) for grey,
    white for RGB, transparent for RGBA (shown on white). Shape () for grey, (C,) for colour."""
    shape = tuple(shape)
    if is_gray(shape):
        return np.zeros((), np.float32)
    return np.array([1.0, 1.0, 1.0] if shape[-1] == 3 else [1.0, 1.0, 1.0, 0.0], np.float32)


def background(images, shape) -> np.ndarray:
    """A data set's background pixel: the median, channel by channel, of its pictures' outermost
    pixels (their frame), where a picture has no subject; the display's paper without pictures.
    MNIST and the glyphs give 0 (no ink); emoji on white give white; a folder of photos on black
    gives black. Shape () for grey, (C,) for colour."""
    shape = tuple(shape)
    if images is None or len(images) == 0:
        return paper(shape)
    a = np.asarray(images, np.float32).reshape((len(images),) + shape)
    frame = np.concatenate([a[:, 0], a[:, -1], a[:, 1:-1, 0], a[:, 1:-1, -1]], axis=1)
    channels = () if is_gray(shape) else (shape[-1],)
    return np.median(frame.reshape((-1,) + channels), axis=0).astype(np.float32)


def to_rgba8(img) -> np.ndarray:
    """uint8 [H, W, 4] keeping an RGBA image's transparency (thumbnails over a plot); grey
    and RGB images come back opaque."""
    a = np.asarray(img, dtype=np.float32)
    if a.ndim == 3 and a.shape[2] == 4:
        return (np.clip(a, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    rgb = to_uint8(a)
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[..., None], 3, axis=2)
    return np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 255, np.uint8)], axis=2)


def mosaic(tiles: np.ndarray, gap: int = 1, fill: int = GAP) -> np.ndarray:
    """uint8 tiles [rows, cols, H, W(, 3)] -> one picture with `gap` pixels of `fill` between
    tiles (none around the outside): [rows*(H+gap)-gap, cols*(W+gap)-gap(, 3)]."""
    rows, cols, h, w = tiles.shape[:4]
    rest = tiles.shape[4:]
    out = np.full((rows, h + gap, cols, w + gap) + rest, fill, np.uint8)
    out[:, :h, :, :w] = np.swapaxes(tiles, 1, 2)
    out = out.reshape((rows * (h + gap), cols * (w + gap)) + rest)
    return out[: rows * (h + gap) - gap, : cols * (w + gap) - gap]


def block_mean(images: np.ndarray, factor: int, gray: bool) -> np.ndarray:
    """Shrink uint8 images [..., H, W] (gray) or [..., H, W, C] by an integer factor, averaging
    each factor x factor block (edges that do not fill a block are cropped). Draws many big
    tiles small without the shimmer of dropping pixels."""
    if factor <= 1:
        return images
    hw = images.ndim - (2 if gray else 3)          # the axis of H; W follows it
    h, w = images.shape[hw], images.shape[hw + 1]
    hh, ww = h // factor, w // factor
    idx = [slice(None)] * images.ndim
    idx[hw], idx[hw + 1] = slice(0, hh * factor), slice(0, ww * factor)
    lead, tail = images.shape[:hw], images.shape[hw + 2:]
    a = images[tuple(idx)].astype(np.float32).reshape(lead + (hh, factor, ww, factor) + tail)
    return (a.mean(axis=(hw + 1, hw + 3)) + 0.5).astype(np.uint8)
