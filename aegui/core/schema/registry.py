"""What a registry (of architectures, of model kinds) shows a field that is described once, at
import: its names and labels as they are when read, so one registered later is offered too."""
from __future__ import annotations

import importlib
from collections.abc import Mapping, MutableMapping

from aegui.core.schema.shown import shown


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


def add(table: MutableMapping, entry, what: str):
    """`entry` added to `table` under its `name`, which must be its own: ValueError otherwise
    (`what`: "a data source", "an architecture", for the message). `entry` is the object, or where
    its class is, "package.module:Class" (made with no arguments): a registration is then one line,
    with no import beside it."""
    if isinstance(entry, str):
        entry = load(entry)()
    if not entry.name or entry.name in table:
        raise ValueError(f"{what} needs a name of its own; {shown(entry.name)} is taken or empty")
    table[entry.name] = entry
    return entry


def load(path: str):
    """The object a "module:name" path names, its module imported now (a registry's entry, a
    panel's factory)."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)
