"""Datasets as flat float arrays with labels: `from_config` loads what a DataConfig describes (its
data source reads it: aegui/core/data/sources/); `split` / `load_split` hold out a seeded
validation set."""
from __future__ import annotations

import numpy as np

from aegui.core.schema.experiment import ConfigError, DataConfig, shown
from aegui.core.data.dataset import Dataset
from aegui.core.data.sources import SOURCES, source_of
# The font source's readers, imported from here by most of aegui.
from aegui.core.data.sources.font import font_dataset, load_fonts, with_extra_glyphs

__all__ = ["font_dataset", "from_config", "load_fonts", "load_split", "official_test_set", "split",
           "split_indices", "with_extra_glyphs"]

# Numerics revision (docs/numerics.md): bump it with any change to the numbers this module
# computes (the report's rows that use it are then made again).
NUMERICS = 1        # the validation split and sample choice (max_samples)


def from_config(data: DataConfig, progress=None) -> Dataset:
    """The whole dataset a DataConfig describes (no split; see load_split). `progress(done,
    total)` is called while a folder of pictures loads."""
    return source_of(data).load(data, progress)


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
    """The official test set (MNIST's t10k files, Keras' x_test...) of a config whose source has one,
    or None: training and validation come from the training files only, the test files give the
    reported accuracy / reconstruction error."""
    source = SOURCES.get(data.source)
    return source.test_set(data) if source is not None else None
