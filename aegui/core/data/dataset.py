"""A dataset as flat float arrays with labels and the shape each sample is shown in."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

GLYPH_SHAPE = (7, 5)


@dataclass
class Dataset:
    """Samples as flat rows in [0, 1], their labels, how one is shown (its shape) and, for fonts, their
    character codes."""
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
        """Values per sample."""
        return int(self.x.shape[1])

    def images(self) -> np.ndarray:
        """The samples in their own shape, [N, *shape]."""
        return self.x.reshape(len(self), *self.shape)


def spread_indices(n: int, keep: int) -> np.ndarray:
    """`keep` indices spread evenly over range(n) (every n/keep-th), all of them if keep >= n;
    on data sorted by class every class keeps its share."""
    if keep <= 0 or keep >= n:
        return np.arange(n)
    return (np.arange(keep) * n) // keep
