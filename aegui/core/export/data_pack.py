"""The data an exported script evaluates on: the samples `aegui eval` reads for the model
(datasets.from_config of its data section), packed so that the script gets the very same float32
values back with numpy alone.

5x7 glyphs (every value 0 or 1) are written into the script as text, '#' for ink, so a reader
sees the font; other samples go into the .npz beside it, as bytes when every value is a byte /
255 (pictures) and as float32 otherwise, all of them up to MAX_STORED_BYTES (the whole MNIST
training set fits) and an evenly spread part of them past it, which the script then says.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Above this many bytes of samples (as stored: one a value for pictures, four for other values)
# the .npz holds an evenly spread part of them; the script's numbers are then that part's.
MAX_STORED_BYTES = 64 * 2 ** 20


@dataclass
class DataPack:
    name: str                       # the dataset's name, as aegui eval prints it
    glyphs: bool                    # wrong pixels are counted (5x7 glyphs), else squared error
    shape: tuple                    # each sample's (H, W) or (H, W, C)
    total: int                      # samples aegui eval reads
    stored: int                     # samples the script holds (total, or the part kept)
    text_rows: list[tuple[str, str]] = field(default_factory=list)   # glyphs as text: (label, rows)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)      # "data.*" arrays for the .npz
    has_validation: bool = False    # data.is_val marks the samples training held out

    @property
    def sampled(self) -> bool:
        return self.stored < self.total


def glyph_text(row: np.ndarray, shape) -> str:
    """A binary glyph as text: its rows joined by '|', '#' for ink (1), '.' for paper (0)."""
    h, w = shape[:2]
    cells = np.where(np.asarray(row).reshape(h, w) >= 0.5, "#", ".")
    return "|".join("".join(r) for r in cells)


def _as_bytes(x: np.ndarray) -> np.ndarray | None:
    """x as uint8 when every value is exactly that byte / 255 in float32 (what the script computes
    back), else None."""
    if x.size == 0 or x.min() < 0 or x.max() > 1:
        return None
    raw = np.rint(x * 255).astype(np.uint8)
    return raw if np.array_equal(raw.astype(np.float32) / np.float32(255), x) else None


def pack(dataset, glyphs: bool, val_split: float = 0.0, split_seed: int = 0) -> DataPack:
    """The DataPack of `dataset` (a data.dataset.Dataset); `glyphs` as aegui eval decides it (the
    source's glyphs flag). With val_split, the samples training held out are marked as aegui eval
    marks them (datasets.split_indices), so the script reports them apart too."""
    from aegui.core.data.datasets import split_indices
    x = np.ascontiguousarray(dataset.x, dtype=np.float32)
    labels = [str(label) for label in dataset.labels]
    shape = tuple(dataset.shape)
    out = DataPack(dataset.name, glyphs, shape, len(x), len(x))
    binary = bool(np.isin(x, (0.0, 1.0)).all())
    if glyphs and binary and len(shape) == 2:
        out.text_rows = [(label, glyph_text(row, shape)) for label, row in zip(labels, x)]
        return out
    stored = _as_bytes(x)
    per_sample = x.shape[1] * (1 if stored is not None else 4)
    keep = np.arange(len(x))
    if per_sample * len(x) > MAX_STORED_BYTES:
        keep = np.unique(np.linspace(0, len(x) - 1, max(1, MAX_STORED_BYTES // per_sample)).astype(int))
    values = stored if stored is not None else x
    out.stored = len(keep)
    out.arrays = {"data.x": values[keep], "data.labels": np.array([labels[i] for i in keep], dtype=str)}
    if val_split and not out.sampled:
        is_val = np.zeros(len(x), bool)
        is_val[split_indices(len(x), val_split, split_seed, dataset.name)[1]] = True
        if 0 < is_val.sum() < len(x):
            out.arrays["data.is_val"] = is_val
            out.has_validation = True
    return out
