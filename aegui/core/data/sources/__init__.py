"""The data sources a config can read (the config's `data.source`), one module each, and their
registry. Everything that depends on where the samples come from asks the source here: which
settings apply, validation, the sample shape and count, loading, the official test set, the files
of a report's key, the builder's rows and checks, the CLI's --dataset. See base.py for what a
source provides.

A new data source: a module beside these (a subclass of base.DataSource, with its NUMERICS), one
`register("aegui.core.data.sources.MODULE:Class")` line below (the module is imported there, so
nothing else names it), and the Spanish of its label in resources/i18n/es.json.
"""
from __future__ import annotations

from aegui.core.data.sources.base import Count, DataSource, FormProblem, form_problem
from aegui.core.schema.experiment import ConfigError, shown
from aegui.core.schema.registry import LiveLabels, add

__all__ = ["LABELS", "NAMES", "SOURCES", "Count", "DataSource", "FormProblem", "form_problem", "reads_glyphs", "register",
           "sample_shape", "source_of", "source_with", "unregister"]

SOURCES: dict[str, DataSource] = {}     # name -> source, in the order the builder lists them
NAMES = SOURCES.keys()                  # the registered names as they are when read, not at import
LABELS = LiveLabels(SOURCES)            # name -> label, read when asked (the builder's field)


def register(source: DataSource | str) -> DataSource:
    """Adds a data source to SOURCES under its name; a second one of the same name (or none) is
    refused. `source` is one, or "package.module:Class" (schema/registry.py's add)."""
    return add(SOURCES, source, "a data source")


def unregister(name: str) -> None:
    """Forget a data source (tests that register a throw-away one)."""
    SOURCES.pop(name, None)


def source_of(thing) -> DataSource:
    """The source of a name, a DataConfig or an Experiment; ConfigError naming data.source if unknown."""
    name = thing if isinstance(thing, str) else getattr(thing, "source", None)
    if name is None:
        name = thing.data.source
    try:
        return SOURCES[name]
    except (KeyError, TypeError):
        raise ConfigError("data.source", f"{shown(name)} is not one of {', '.join(SOURCES)}") from None


def reads_glyphs(data) -> bool:
    """Whether a DataConfig's samples are 5x7 glyphs (its source's `glyphs` flag); False for a
    source no entry has (a loaded file's, before validation refuses it)."""
    source = SOURCES.get(data.source)
    return source is not None and source.glyphs


def sample_shape(data) -> tuple[int, ...]:
    """(H, W) or (H, W, C) of each sample `datasets.from_config(data)` would give, from the config and
    file headers only (see DataSource.sample_shape)."""
    return source_of(data).sample_shape(data)


def source_with(key: str) -> str:
    """The name of the first source the builder row `key` applies to (opening a font.h: the source
    that reads font files)."""
    return next(name for name, source in SOURCES.items() if key in source.fields)


register("aegui.core.data.sources.font:Font")
register("aegui.core.data.sources.emoji:Emoji")
register("aegui.core.data.sources.folder:Folder")
register("aegui.core.data.sources.idx:Idx")
register("aegui.core.data.sources.digits:Digits")
