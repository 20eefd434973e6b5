"""What a registry (of architectures, of model kinds) shows a field that is described once, at
import: its names and labels as they are when read, so one registered later is offered too."""
from __future__ import annotations

from collections.abc import Mapping


class LiveLabels(Mapping):
    """name -> English label (the entry's `label`) of each entry of `table`, read when asked."""

    def __init__(self, table: Mapping):
        self._table = table

    def __getitem__(self, name: str) -> str:
        return self._table[name].label

    def __iter__(self):
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)
