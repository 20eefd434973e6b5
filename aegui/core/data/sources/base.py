"""What a data source (the config's `data.source`) is to the rest of aegui: one object that knows
which settings apply to it, the shape and number of its samples, how to read them, which files
they come from and what the builder checks about them. Everything else asks it, never its name.

Light to import: the config layer, the report's key (which reads no torch) and the builder ask it
before any dataset is loaded, so a source's module imports numpy, Pillow or scikit-learn only in
the methods that read samples.

A new source subclasses DataSource in a module of this package and is registered in its
__init__.py; its label's Spanish goes in resources/i18n/es.json.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aegui.core.schema.experiment import DataConfig, check, shown


@dataclass(frozen=True)
class Count:
    """A number written with its noun in a form's problem: `one` when n is 1, else `many` (English,
    `many` with an {n}); the builder translates both."""
    n: int
    one: str
    many: str


@dataclass(frozen=True)
class FormProblem:
    """A check the builder adds for a source (a file that is not there, a class it does not have):
    the field it marks, the English text and the values of its {placeholders} (a Count for a number
    with its noun). The builder translates the text, so it must be in resources/i18n/es.json."""
    field: str
    text: str
    values: dict = field(default_factory=dict)


def form_problem(field_: str, text: str, **values) -> FormProblem:
    """A FormProblem; the Spanish catalogue's checks read the texts given here as translated ones."""
    return FormProblem(field_, text, values)


class DataSource:
    """One value of data.source: its rules, its samples' shape, how it loads, the files a report's key reads,
    and how the builder shows it. Subclasses fill in the methods."""
    name = ""                   # the config's data.source
    label = ""                  # its English name in the builder (the Spanish is in es.json)
    # The DataConfig rows of the builder (fields of aegui/core/config/fields.py) that apply to it;
    # data.val_split and data.split_seed apply to every source.
    fields: tuple[str, ...] = ()
    # The builder's row that shows data.path for it ("data.folder", "data.images", "data.path": the
    # font file), or None when it reads no file of the user's (built-in data: --dataset is refused).
    path_field: str | None = None
    # 5x7 black-and-white glyphs of font.h files: shape augmentation, keeping drawn pixels
    # (model.flip_confidence), taught glyphs (data.extra_glyphs), wrong pixels per glyph, --font.
    glyphs = False
    # Comes with official test files (MNIST's t10k...), kept apart for the reported test metrics.
    official_test = False
    # May read a dataset of the catalogue (data.catalogue) instead of data.path.
    catalogue = False

    # ---------------------------------------------------------------- configuration
    def applies(self, key: str, data: DataConfig) -> bool:
        """Whether the builder row `key` (a data field) matters for `data`."""
        return key in self.fields

    def validate(self, data: DataConfig) -> None:
        """Its own rules between data fields (each field is already of its type and range); a
        ConfigError names the field to change. Every source keeps the taught-glyph rule."""
        check(not data.extra_glyphs or self.glyphs, "data.extra_glyphs",
              f"adds 5x7 glyphs from font.h files, but data.source is {shown(data.source)}; set it to []")

    def require_path(self, data: DataConfig, what: str) -> None:
        """ConfigError on data.path when it is empty; `what` names what the source needs there."""
        check(data.path.strip() != "", "data.path", f"the {data.source} source needs {what}; set data.path")

    # ---------------------------------------------------------------- samples
    def sample_shape(self, data: DataConfig) -> tuple[int, ...]:
        """(H, W) or (H, W, C) of one sample, from the config and file headers only: the builder
        asks on every edit, before torch is loaded."""
        raise NotImplementedError

    def likely_samples(self, data: DataConfig) -> int | None:
        """How many samples it holds before data.max_samples, told cheaply (memory estimates ask on
        every edit); None when that takes reading the data."""
        return None

    def load(self, data: DataConfig, progress=None):
        """The whole Dataset (no validation split); `progress(done, total)` while pictures load."""
        raise NotImplementedError

    def test_set(self, data: DataConfig):
        """The official test Dataset, or None (see official_test)."""
        return None

    # ---------------------------------------------------------------- the report's key
    def report_files(self, strings) -> list[Path | None]:
        """The files whose bytes are its data in a course report's key: `strings(field)` gives
        every string a preset sets for a data field ("path", "labels_path"). Stat and read only,
        no import of numpy or torch: the key is computed for `aegui report --list`."""
        return []

    # ---------------------------------------------------------------- the builder and the CLI
    def form_checks(self, data: DataConfig) -> list[FormProblem]:
        """Checks the builder adds to validation that only its files can fail (a few bytes read)."""
        return []

    def given_path(self, path: str) -> dict:
        """The DataConfig changes that make it read `path` (the CLI's --dataset)."""
        return {"path": path}

    def default_name(self, path: str) -> str:
        """An experiment's default name after the file or folder it reads."""
        return Path(path).name


def at_most(ds, n: int):
    """`ds` cut to data.max_samples, spread evenly over it (every class keeps its share)."""
    from aegui.core.data.dataset import spread_indices
    if n and len(ds) > n:
        ds = ds.subset(spread_indices(len(ds), n), f"{ds.name} [{n}]")
    return ds
