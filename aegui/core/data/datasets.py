"""Datasets as flat float arrays with labels: the 5x7 fonts here, images in image_data.py.
`from_config` loads what a DataConfig describes; `split` / `load_split` hold out a seeded
validation set."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from aegui.core.data import glyphs as G
from aegui.core.schema.experiment import ConfigError, DataConfig, shown
from aegui.core.data.dataset import GLYPH_SHAPE, Dataset, spread_indices
from aegui.core.data.image_data import digits_dataset, emoji_dataset, folder_dataset
from aegui.core.files.paths import course_font_path

# Numerics revisions (docs/numerics.md): bump one with any change to the numbers its part
# computes (the report's rows that use it are then made again).
NUMERICS = 1        # the validation split and sample choice (max_samples)
FONT_NUMERICS = 1   # the font data source (with glyphs.py)


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
            raise ConfigError("data.fonts", f"{shown(missing[0])} is not in {path.name}; it has "
                              f"{', '.join(f.name for f in available)} (or use 'all')")
        chosen = [by_name[f] for f in wanted]
    glyphs = [g for f in chosen for g in f.glyphs]
    if chars:
        want = set(chars)
        glyphs = [g for g in glyphs if chr(g.code) in want or g.label in want]
        if not glyphs:
            raise ConfigError("data.chars", f"none of {shown(chars)} is in the chosen fonts")
    name = "+".join(f.name for f in chosen) + (f" [{chars}]" if chars else "")
    return Dataset(name, G.glyphs_to_array(glyphs), [g.label for g in glyphs],
                   GLYPH_SHAPE, [g.code for g in glyphs])


def with_extra_glyphs(ds: Dataset, paths) -> Dataset:
    """`ds` followed by every glyph of each font.h in `paths` (data.extra_glyphs: the glyphs
    `aegui teach` added to a model's own)."""
    if not paths:
        return ds
    glyphs = [g for path in paths for f in load_fonts(Path(path)) for g in f.glyphs]
    return Dataset(f"{ds.name}+{len(glyphs)} taught", np.concatenate([ds.x, G.glyphs_to_array(glyphs)]),
                   ds.labels + [g.label for g in glyphs], ds.shape, ds.codes + [g.code for g in glyphs])


def from_config(data: DataConfig, progress=None) -> Dataset:
    """The whole dataset a DataConfig describes (no split; see load_split). `progress(done,
    total)` is called while a folder of pictures loads."""
    source = data.source
    if source == "font":
        ds = with_extra_glyphs(font_dataset(data.fonts, data.chars, data.path or None), data.extra_glyphs)
    elif source == "emoji":
        ds = emoji_dataset(data.size, data.color, data.subcategories)
    elif source == "folder":
        return folder_dataset(data.path, data.size, data.color, progress=progress,
                                max_samples=data.max_samples)
    elif source == "idx":
        from aegui.core.data.mnist_sets import train_test
        return train_test(data, want_test=False)[0]
    elif source == "digits":
        return digits_dataset(data.classes, data.max_samples)
    else:
        raise ConfigError("data.source", f"{shown(source)} is not one of font, emoji, folder, idx, digits")
    if data.max_samples and len(ds) > data.max_samples:
        ds = ds.subset(spread_indices(len(ds), data.max_samples), f"{ds.name} [{data.max_samples}]")
    return ds


def split(dataset: Dataset, val_split: float, seed: int = 0) -> tuple[Dataset, Dataset | None]:
    """(train, validation): a seeded random `val_split` fraction of the samples held out (at
    least one); each part keeps the original order. val_split 0 gives (dataset, None)."""
    ok = isinstance(val_split, (int, float)) and not isinstance(val_split, bool) and 0 <= val_split < 1
    if not ok:
        raise ConfigError("data.val_split", f"must be a fraction in [0, 1), got {shown(val_split)}")
    if val_split == 0:
        return dataset, None
    train_idx, val_idx = split_indices(len(dataset), val_split, seed, dataset.name)
    return dataset.subset(train_idx), dataset.subset(val_idx, f"{dataset.name} (validation)")


def split_indices(n: int, val_split: float, seed: int = 0, name: str = "the data") -> tuple[np.ndarray, np.ndarray]:
    """(training, validation) indices of split()'s parts of n samples, each sorted."""
    n_val = max(1, int(round(n * val_split))) if val_split else 0
    if n_val and n - n_val < 1:
        raise ConfigError("data.val_split", f"{name} has only {n} sample(s), too few to hold "
                          "any out for validation; set data.val_split to 0 or use more data")
    perm = np.random.default_rng(seed).permutation(n)
    return np.sort(perm[n_val:]), np.sort(perm[:n_val])


def load_split(data: DataConfig, progress=None) -> tuple[Dataset, Dataset | None]:
    """from_config, then split by data.val_split / data.split_seed: (train, validation or None)."""
    return split(from_config(data, progress), data.val_split, data.split_seed)


def official_test_set(data: DataConfig) -> Dataset | None:
    """The official test set (MNIST's t10k files, Keras' x_test...) of an idx-source config, or
    None: training and validation come from the training files only, the test files give the
    reported accuracy / reconstruction error."""
    if data.source != "idx":
        return None
    from aegui.core.data.mnist_sets import train_test
    return train_test(data)[1]
