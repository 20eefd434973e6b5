"""Datasets as flat float arrays with labels: the 5x7 fonts here, images in image_data.py.
`from_config` loads what a DataConfig describes; `split` / `load_split` hold out a seeded
validation set."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from aegui.core import glyphs as G
from aegui.core.config import ConfigError, DataConfig
from aegui.core.paths import course_font_path

GLYPH_SHAPE = (7, 5)


@dataclass
class Dataset:
    name: str
    x: np.ndarray                  # [N, D] float32 in [0, 1]
    labels: list[str]
    shape: tuple[int, ...] = GLYPH_SHAPE
    codes: list[int] = field(default_factory=list)   # character codes, for fonts
    warnings: list[str] = field(default_factory=list)   # e.g. pictures that could not be read

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, indices, name: str | None = None) -> "Dataset":
        """The samples at `indices` (in that order), as a new Dataset."""
        idx = [int(i) for i in indices]
        return Dataset(name or self.name, np.ascontiguousarray(self.x[idx]),
                       [self.labels[i] for i in idx], tuple(self.shape),
                       [self.codes[i] for i in idx] if self.codes else [], list(self.warnings))

    @property
    def dim(self) -> int:
        return int(self.x.shape[1])

    def images(self) -> np.ndarray:
        return self.x.reshape(len(self), *self.shape)


def load_fonts(path=None) -> list[G.Font]:
    return G.read_font_h(path or course_font_path())


def font_dataset(fonts=("Font3",), chars: str = "", path=None) -> Dataset:
    path = Path(path) if path else course_font_path()
    available = load_fonts(path)
    by_name = {f.name.lower(): f for f in available}
    wanted = [f.lower() for f in fonts]
    if wanted == ["all"]:
        chosen = available
    else:
        missing = [f for f in fonts if f.lower() not in by_name]
        if missing:
            raise ConfigError("data.fonts", f"{missing[0]!r} is not in {path.name}; it has "
                              f"{', '.join(f.name for f in available)} (or use 'all')")
        chosen = [by_name[f] for f in wanted]
    glyphs = [g for f in chosen for g in f.glyphs]
    if chars:
        want = set(chars)
        glyphs = [g for g in glyphs if chr(g.code) in want or g.label in want]
        if not glyphs:
            raise ConfigError("data.chars", f"none of {chars!r} is in the chosen fonts")
    name = "+".join(f.name for f in chosen) + (f" [{chars}]" if chars else "")
    return Dataset(name, G.glyphs_to_array(glyphs), [g.label for g in glyphs],
                   GLYPH_SHAPE, [g.code for g in glyphs])


def spread_indices(n: int, keep: int) -> np.ndarray:
    """`keep` indices spread evenly over range(n) (every n/keep-th), all of them if keep >= n;
    on data sorted by class every class keeps its share."""
    if keep <= 0 or keep >= n:
        return np.arange(n)
    return (np.arange(keep) * n) // keep


def from_config(data: DataConfig, progress=None) -> Dataset:
    """The whole dataset a DataConfig describes (no split; see load_split). `progress(done,
    total)` is called while a folder of pictures loads."""
    from aegui.core import image_data as I
    source = data.source
    if source == "font":
        ds = font_dataset(data.fonts, data.chars, data.path or None)
    elif source == "emoji":
        ds = I.emoji_dataset(data.size, data.color, data.subcategories)
    elif source == "folder":
        return I.folder_dataset(data.path, data.size, data.color, progress=progress,
                                max_samples=data.max_samples)
    elif source == "idx":
        return I.idx_dataset(data.path, data.labels_path or None, data.classes, data.max_samples)
    elif source == "digits":
        return I.digits_dataset(data.classes, data.max_samples)
    else:
        raise ConfigError("data.source", f"{source!r} is not one of font, emoji, folder, idx, digits")
    if data.max_samples and len(ds) > data.max_samples:
        ds = ds.subset(spread_indices(len(ds), data.max_samples), f"{ds.name} [{data.max_samples}]")
    return ds


def split(dataset: Dataset, val_split: float, seed: int = 0) -> tuple[Dataset, Dataset | None]:
    """(train, validation): a seeded random `val_split` fraction of the samples held out (at
    least one); each part keeps the original order. val_split 0 gives (dataset, None)."""
    ok = isinstance(val_split, (int, float)) and not isinstance(val_split, bool) and 0 <= val_split < 1
    if not ok:
        raise ConfigError("data.val_split", f"must be a fraction in [0, 1), got {val_split!r}")
    if val_split == 0:
        return dataset, None
    n = len(dataset)
    n_val = max(1, int(round(n * val_split)))
    if n - n_val < 1:
        raise ConfigError("data.val_split", f"{dataset.name} has only {n} sample(s), too few to hold "
                          "any out for validation; set data.val_split to 0 or use more data")
    perm = np.random.default_rng(seed).permutation(n)
    val_idx, train_idx = np.sort(perm[:n_val]), np.sort(perm[n_val:])
    return dataset.subset(train_idx), dataset.subset(val_idx, f"{dataset.name} (validation)")


def load_split(data: DataConfig, progress=None) -> tuple[Dataset, Dataset | None]:
    """from_config, then split by data.val_split / data.split_seed: (train, validation or None)."""
    return split(from_config(data, progress), data.val_split, data.split_seed)
