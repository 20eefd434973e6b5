"""source "font": the 5x7 glyphs of font.h arrays (the course's resources/font.h unless data.path
names another), with any glyphs a model was taught (data.extra_glyphs)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from aegui.core.data import glyphs as G
from aegui.core.data.dataset import GLYPH_SHAPE, Dataset
from aegui.core.data.sources.base import DataSource, at_most
from aegui.core.files.paths import course_font_path
from aegui.core.schema.experiment import ConfigError, DataConfig, check, shown

# The revision of the numbers this source gives: raised by a change that makes its samples differ
# (read by the report's key, so rows trained on them are made again).
NUMERICS = 1

COURSE_FONT_GLYPHS = 32          # each of the course's fonts holds 32 glyphs
COURSE_FONTS = 3


class Font(DataSource):
    """5x7 glyphs of a font.h file (the course's unless data.path names another), some arrays and characters of
    it, plus any taught glyphs."""
    name = "font"
    label = "5x7 fonts (font.h)"
    fields = ("data.fonts", "data.path", "data.chars")
    path_field = "data.path"
    glyphs = True

    def applies(self, key: str, data: DataConfig) -> bool:
        """As the base, except the font file's row, shown only once a file other than the course's is chosen."""
        # The font file's row shows only once another file than the course's is chosen.
        if key == "data.path":
            return bool(data.path)
        return super().applies(key, data)

    def validate(self, data: DataConfig) -> None:
        """At least one font must be named."""
        check(len(data.fonts) > 0, "data.fonts", "name at least one font (e.g. Font3) or 'all'")
        super().validate(data)

    def sample_shape(self, data: DataConfig) -> tuple[int, ...]:
        """5x7."""
        return GLYPH_SHAPE

    def likely_samples(self, data: DataConfig) -> int | None:
        """From the course font's size: glyphs per array times the arrays named, fewer with a character subset.
        """
        n = COURSE_FONT_GLYPHS * (COURSE_FONTS if "all" in data.fonts else max(1, len(data.fonts)))
        if data.chars:
            n = min(n, len(set(data.chars)) * max(1, n // COURSE_FONT_GLYPHS))
        return n

    def load(self, data: DataConfig, progress=None):
        """The chosen arrays and characters with the taught glyphs, at most data.max_samples."""
        ds = with_extra_glyphs(font_dataset(data.fonts, data.chars, data.path or None), data.extra_glyphs)
        return at_most(ds, data.max_samples)

    def report_files(self, strings) -> list[Path | None]:
        """The course's font.h and the preset's own font file, if any."""
        return [course_font_path()] + [Path(p) for p in strings("path") if p]


def load_fonts(path=None) -> list[G.Font]:
    """Every array of a font.h (the course's by default)."""
    return G.read_font_h(path or course_font_path())


def font_dataset(fonts=("Font3",), chars: str = "", path=None) -> Dataset:
    """A dataset of the named arrays of a font.h ("all" for every one), optionally only the characters in
    `chars`; FontParseError or ValueError naming what is missing."""
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
    fonts_name, warnings = "+".join(f.name for f in chosen), []
    if chars:
        want = set(chars)
        every = glyphs
        glyphs = [g for g in glyphs if chr(g.code) in want or g.label in want]
        if not glyphs:
            raise ConfigError("data.chars", f"none of {shown(chars)} is in {fonts_name}, which has "
                              f"{' '.join(g.label for g in every)}")
        # a character asked for and absent is told, not silently left out of what trains
        found = {chr(g.code) for g in glyphs} | {g.label for g in glyphs}
        asked = dict.fromkeys(chars)
        absent = "".join(c for c in asked if c not in found)
        if absent:
            warnings.append(f"data.chars: {shown(absent)} {'is' if len(absent) == 1 else 'are'} not in {fonts_name}; "
                            f"training on {shown(''.join(c for c in asked if c in found))} only")
    name = fonts_name + (f" [{chars}]" if chars else "")
    return Dataset(name, G.glyphs_to_array(glyphs), [g.label for g in glyphs],
                   GLYPH_SHAPE, [g.code for g in glyphs], warnings)


def with_extra_glyphs(ds: Dataset, paths) -> Dataset:
    """`ds` followed by every glyph of each font.h in `paths` (data.extra_glyphs: the glyphs
    `aegui teach` added to a model's own)."""
    if not paths:
        return ds
    glyphs = [g for path in paths for f in load_fonts(Path(path)) for g in f.glyphs]
    return Dataset(f"{ds.name}+{len(glyphs)} taught", np.concatenate([ds.x, G.glyphs_to_array(glyphs)]),
                   ds.labels + [g.label for g in glyphs], ds.shape, ds.codes + [g.code for g in glyphs])
