"""What the web page's latent map draws: the codes of the model's data (a VAE's means) as points on
a plane, how a point of that plane becomes a code the decoder reads, and how each point is labelled.

A latent space of one or two dimensions is drawn as it is. A larger one is drawn on the plane of
its codes' first two principal components through their mean: a point (x, y) of the map is the code
mean + x pc1 + y pc2, so every other direction stays at the data's mean. A data set too large to
draw whole gives an evenly spread part of its samples (MAX_POINTS, fewer with pictures).

Glyphs and data of a few classes (MNIST's digits) are drawn as their labels; pictures with a label
each (the emoji) as small pictures, packed into one PNG.
"""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import numpy as np

from aegui.core.export.plan import ExportError

MAX_POINTS = 3000           # points drawn as labels: enough to see the classes' shapes, a few KB each
MAX_PICTURES = 1000         # points drawn as small pictures: their PNG stays a few hundred KB
THUMB = 16                  # a small picture's side at most, in pixels
PAPER_LEVELS = 8            # a picture's pixel this close to its data's background is left transparent
MAX_CLASSES = 20            # more distinct labels than this: each sample is a picture of its own
ENCODE_BATCH = 512          # samples encoded at once (a convolutional encoder's maps of 60,000 fill memory)


@dataclass
class LatentMap:
    xy: np.ndarray                  # [N, 2] float32: each drawn sample's place on the map
    origin: np.ndarray              # [L]: the code at the map's (0, 0)
    basis: np.ndarray               # [2, L]: a code is origin + x basis[0] + y basis[1]
    axes: tuple[str, str]           # the axes' names: ("z0", "z1") or ("PC1", "PC2")
    how: str                        # one sentence for the page: what the map shows
    labels: list[str]               # the distinct labels, in order of first appearance
    label_of: np.ndarray            # [N] uint16: each point's index into labels
    total: int                      # samples in the data set (N or more)
    sprite: str = ""                # the small pictures as a data: URL of one PNG, if drawn as pictures
    thumb: tuple[int, int] = (0, 0)  # one small picture's (height, width) in the PNG
    columns: int = 0                # small pictures a row of the PNG

    def to_json(self) -> dict:
        """What the page's script reads (arrays as base64 of little-endian bytes)."""
        return {"xy": _b64(self.xy.astype("<f4")), "origin": [float(v) for v in self.origin],
                "basis": [[float(v) for v in row] for row in self.basis], "axes": list(self.axes),
                "how": self.how, "labels": self.labels, "label_of": _b64(self.label_of.astype("<u2")),
                "total": self.total, "sprite": self.sprite, "thumb": list(self.thumb), "columns": self.columns}


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


def codes_of(model, x: np.ndarray) -> np.ndarray:
    """The codes of samples x (a VAE's means), as aegui's latent map computes them."""
    from aegui.core.models.latent import encode
    parts = [encode(model, x[i:i + ENCODE_BATCH]) for i in range(0, len(x), ENCODE_BATCH)]
    return np.concatenate(parts) if parts else np.zeros((0, model.latent_dim), np.float32)


def plane(codes: np.ndarray, is_vae: bool) -> tuple[np.ndarray, np.ndarray, tuple[str, str], str]:
    """(origin [L], basis [2, L], axis names, the page's sentence) of the plane the map shows."""
    n, dims = codes.shape
    what = "means (μ) of the codes the encoder gives" if is_vae else "codes"
    if dims <= 2:
        basis = np.eye(2, dims)
        said = f"The map shows the {what} of the data as they are" + \
            (" (one dimension: the horizontal axis; up and down change nothing)." if dims == 1 else ".")
        return np.zeros(dims), basis, ("z0", "z1") if dims == 2 else ("z0", ""), said
    c = codes.astype(np.float64)
    mean = c.mean(0)
    # The full SVD, as the window's PCA: the same data give the same plane.
    _, _, vt = np.linalg.svd(c - mean, full_matrices=False)
    basis = vt[:2] if len(vt) >= 2 else np.eye(2, dims)
    # A principal direction has no sign of its own: point each where its largest entry is positive.
    basis = basis * np.where(basis[np.arange(len(basis)), np.abs(basis).argmax(1)] < 0, -1.0, 1.0)[:, None]
    said = (f"The latent space has {dims} dimensions: the map shows the {what} on the plane of their first two "
            "principal components (PCA) through their mean; a point of the map is decoded as mean + x PC1 + y PC2, "
            f"so the other {dims - 2} directions stay at the data's mean.")
    return mean, basis, ("PC1", "PC2"), said


def _thumbnails(images: np.ndarray, shape) -> np.ndarray:
    """uint8 RGBA [N, h, w, 4] pictures at most THUMB pixels a side, drawn as the window draws them
    (grey as ink on white, RGBA keeping its transparency). The data's background (an emoji's white
    paper) is left transparent, so that pictures close on the map do not hide each other."""
    from aegui.core.data.display import background, block_mean, is_gray, to_uint8
    gray = is_gray(shape)
    if not gray and shape[-1] == 4:
        rgba = (np.clip(images, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    else:
        rgb = to_uint8(images, gray=gray)
        paper = to_uint8(background(images, shape), gray=gray).astype(np.int16)
        if gray:
            rgb = np.repeat(rgb[..., None], 3, axis=-1)
        # Within a few levels of the paper: the background, not the subject.
        subject = np.abs(rgb.astype(np.int16) - paper)
        alpha = np.where(subject.max(-1) > PAPER_LEVELS, 255, 0).astype(np.uint8)
        rgba = np.concatenate([rgb, alpha[..., None]], axis=-1)
    factor = max(1, -(-max(shape[:2]) // THUMB))
    return block_mean(rgba, factor, gray=False)


def _sprite(thumbs: np.ndarray) -> tuple[str, int]:
    """(a data: URL of one PNG holding the pictures row by row, pictures a row)."""
    from PIL import Image
    n, h, w, _ = thumbs.shape
    cols = max(1, int(np.ceil(np.sqrt(n))))
    rows = -(-n // cols)
    sheet = np.zeros((rows * h, cols * w, 4), np.uint8)
    for i, t in enumerate(thumbs):
        r, c = divmod(i, cols)
        sheet[r * h:(r + 1) * h, c * w:(c + 1) * w] = t
    buf = io.BytesIO()
    Image.fromarray(sheet, "RGBA").save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii"), cols


def latent_map(model, dataset, glyphs: bool, name: str = "the model") -> LatentMap:
    """The LatentMap of `model` (called `name` in messages) over `dataset` (a data.dataset.Dataset);
    `glyphs` as aegui eval decides it (the source's glyphs flag). ExportError for codes that are
    not finite."""
    from aegui.core.data.dataset import spread_indices
    labels_all = [str(label) for label in dataset.labels]
    pictures = not glyphs and len(set(labels_all)) > MAX_CLASSES
    keep = spread_indices(len(dataset), MAX_PICTURES if pictures else MAX_POINTS)
    codes = codes_of(model, np.asarray(dataset.x, np.float32)[keep])
    if not np.isfinite(codes).all():
        raise ExportError(f"{name}: its codes of {dataset.name} are not all finite numbers (its training "
                          "diverged); train it again and export that model")
    origin, basis, axes, how = plane(codes, model.is_vae)
    xy = ((codes.astype(np.float64) - origin) @ basis.T).astype(np.float32)
    if len(keep) < len(dataset):
        how += (f" It draws {len(keep):,} of the {len(dataset):,} samples, spread evenly over them"
                + (", and the PCA and the mean are theirs." if codes.shape[1] > 2 else "."))
    names = list(dict.fromkeys(labels_all[i] for i in keep))
    if len(names) <= MAX_CLASSES and not glyphs:
        # Classes are listed in the legend in their order: 0 to 9, not as the data first met them.
        names.sort(key=lambda name: (not name.isdigit(), int(name) if name.isdigit() else 0, name))
    index = {name: i for i, name in enumerate(names)}
    out = LatentMap(xy, origin, basis, axes, how, names,
                    np.array([index[labels_all[i]] for i in keep], np.uint16), len(dataset))
    if pictures:
        thumbs = _thumbnails(dataset.images()[keep], tuple(dataset.shape))
        out.sprite, out.columns = _sprite(thumbs)
        out.thumb = thumbs.shape[1:3]
    return out
