"""Latent replay as pictures: each snapshot's codes drawn as a scatter (one colour per class,
or labelled points), with the epoch and the loss, as an animated GIF or numbered PNG frames.

Qt-free, so `aegui replay MODEL_DIR --out codes.gif` and the GUI's export draw the same frames.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from aegui.core.analyses.figures import _palette_for, font
from aegui.core.files.png import save_picture

# Tableau's 20 colours, as the latent canvas uses for classes.
COLORS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
          (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
          (174, 199, 232), (255, 187, 120), (152, 223, 138), (255, 152, 150), (197, 176, 213),
          (196, 156, 148), (247, 182, 210), (199, 199, 199), (219, 219, 141), (158, 218, 229)]
POINT = (230, 90, 20)
TEXT = (30, 30, 30)
MAX_TEXT = 80          # label every point only when there are this few


def projection(codes) -> tuple[np.ndarray, np.ndarray]:
    """(basis [2, L], origin [L]) with xy = (z - origin) @ basis.T: the dims themselves for
    L <= 2, the first two principal axes of `codes` (the last snapshot) otherwise."""
    codes = np.asarray(codes, np.float64)
    n = codes.shape[1]
    if n <= 2:
        return np.eye(2, n), np.zeros(n)
    origin = codes.mean(0)
    _, _, vt = np.linalg.svd(codes - origin, full_matrices=False)
    return vt[:2], origin


def class_list(labels) -> list[str] | None:
    """The labels' classes in order (numerically when they are numbers), when the points are worth colouring by
    class: 2 to len(COLORS) classes, fewer than the points. None otherwise."""
    names = set(labels)
    if not (2 <= len(names) <= len(COLORS) and len(names) < len(labels)):
        return None
    try:
        return sorted(names, key=int)
    except ValueError:
        return sorted(names)


def project_all(codes, basis, origin) -> np.ndarray:
    """[S, N, L] -> [S, N, 2]."""
    return (np.asarray(codes, np.float64) - origin) @ np.asarray(basis).T


def bounds(xy: np.ndarray, pad: float = 0.06) -> tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax) around every frame's points, padded by `pad` of each span, so the view stays
    still through the replay."""
    lo, hi = xy.reshape(-1, 2).min(0), xy.reshape(-1, 2).max(0)
    span = np.maximum(hi - lo, 1e-3)
    return lo[0] - pad * span[0], hi[0] + pad * span[0], lo[1] - pad * span[1], hi[1] + pad * span[1]


def draw_frame(xy, labels, caption: str, box, size: int = 480) -> Image.Image:
    """One frame: points at view coordinates `xy` [N, 2] inside `box` (x0, x1, y0, y1)."""
    img = Image.new("RGB", (size, size), (255, 255, 255))
    d = ImageDraw.Draw(img)
    f = font()
    top, margin = 26, 10
    x0, x1, y0, y1 = box
    w, h = size - 2 * margin, size - top - margin
    px = margin + (xy[:, 0] - x0) / (x1 - x0) * w
    py = top + (y1 - xy[:, 1]) / (y1 - y0) * h     # latent y grows upwards
    d.rectangle([margin, top, size - margin, size - margin], outline=(200, 200, 200))
    classes = class_list(labels)
    r = 3 if len(xy) > 200 else 4
    for k, (x, y) in enumerate(zip(px, py)):
        colour = COLORS[classes.index(labels[k])] if classes else POINT
        d.ellipse([x - r, y - r, x + r, y + r], fill=colour, outline=(255, 255, 255))
        if not classes and len(xy) <= MAX_TEXT:
            d.text((x + r + 1, y - r - 10), str(labels[k]), fill=(20, 30, 110), font=f)
    d.text((margin, 6), caption, fill=TEXT, font=f)
    if classes:
        x = size - margin
        for k in range(len(classes) - 1, -1, -1):
            name = classes[k]
            tw = d.textlength(name, font=f)
            x -= tw + 16
            d.ellipse([x, 10, x + 8, 18], fill=COLORS[k])
            d.text((x + 10, 6), name, fill=TEXT, font=f)
    return img


def caption(epoch: int, loss: float) -> str:
    """A frame's caption: its epoch and loss."""
    return f"epoch {epoch}   loss {loss:.4g}"


def frames(codes, epochs, losses, labels, basis=None, origin=None, size: int = 480) -> list[Image.Image]:
    """Every snapshot as a picture, in a shared frame so the points' motion shows."""
    codes = np.asarray(codes)
    if len(codes) == 0:
        raise ValueError("the replay has no snapshots")
    if basis is None:
        basis, origin = projection(codes[-1])
    xy = project_all(codes, basis, origin)
    box = bounds(xy)
    labels = [str(s) for s in labels]
    return [draw_frame(xy[s], labels, caption(int(epochs[s]), float(losses[s])), box, size)
            for s in range(len(codes))]


def save_gif(images: list[Image.Image], path, frame_ms: int = 150, hold_ms: int = 1200) -> int:
    """An animated GIF that loops, the last frame held; returns the number of frames."""
    palette = _palette_for(images)
    seq = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    durations = [frame_ms] * (len(seq) - 1) + [hold_ms]
    save_picture(seq[0], path, format="GIF", save_all=True, append_images=seq[1:], duration=durations,
                 loop=0, disposal=1, optimize=False)
    return len(seq)


def save_pngs(images: list[Image.Image], folder) -> list[Path]:
    """frame-000.png, frame-001.png ... in `folder` (made if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for k, im in enumerate(images):
        p = folder / f"frame-{k:03d}.png"
        save_picture(im, p)
        out.append(p)
    return out


def export(store, labels, path, basis=None, origin=None, size: int = 480, frame_ms: int = 150) -> int:
    """A store's snapshots to `path`: a .gif, or a folder of PNG frames. Returns frames written."""
    codes, epochs, losses = store.arrays()
    images = frames(codes, epochs, losses, labels, basis, origin, size)
    path = Path(path)
    if path.suffix.lower() == ".gif":
        return save_gif(images, path, frame_ms)
    return len(save_pngs(images, path))
