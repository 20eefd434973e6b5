"""Datasets as flat float arrays with labels: fonts now, images later."""
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

    def __len__(self) -> int:
        return len(self.labels)

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


def from_config(data: DataConfig) -> Dataset:
    return font_dataset(data.fonts, data.chars, data.path or None)
