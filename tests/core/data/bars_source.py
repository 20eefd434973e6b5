"""A data source for the tests that a new source is one module and one registration: bars and
stripes, every N x N picture whose rows are each all ink or all blank ("bars"), and the same turned
a quarter ("stripes"), 2^(N+1) - 4 of them. It reads no file; data.size is its side."""
from __future__ import annotations

import itertools

from aegui.core.data.sources import DataSource
from aegui.core.schema.experiment import DataConfig, check, shown

NUMERICS = 1
LARGEST = 8      # 508 pictures; 256 px a side would be 2^257


class Bars(DataSource):
    name = "bars"
    label = "Bars and stripes"
    fields = ("data.size", "data.max_samples")

    def validate(self, data: DataConfig) -> None:
        super().validate(data)
        check(data.size <= LARGEST, "data.size", f"bars and stripes come at 4 to {LARGEST} px a side; "
              f"got {shown(data.size)}")

    def sample_shape(self, data: DataConfig) -> tuple[int, ...]:
        return (data.size, data.size)

    def likely_samples(self, data: DataConfig) -> int | None:
        return 2 ** (data.size + 1) - 4

    def load(self, data: DataConfig, progress=None):
        import numpy as np

        from aegui.core.data.dataset import Dataset
        from aegui.core.data.sources.base import at_most
        n = data.size
        # Every row pattern but all blank and all ink (those are bars and stripes at once).
        rows = [np.array(bits, dtype=np.float32) for bits in itertools.product((0, 1), repeat=n)][1:-1]
        bars = [np.repeat(r[:, None], n, axis=1) for r in rows]
        x = np.stack(bars + [b.T for b in bars]).reshape(-1, n * n)
        labels = ["bars"] * len(bars) + ["stripes"] * len(bars)
        return at_most(Dataset(f"bars and stripes {n}x{n}", np.ascontiguousarray(x), labels, (n, n)),
                       data.max_samples)
