"""The perspectives, as data: the room each column of a perspective takes; which docks show in
which column, and in which tab, is each panel's place in the panel table (panels.py). A column is
docks shown as tabs (the first in front); the hero takes whatever the other columns leave, so
growing the window grows the hero.

    left column | hero            | right column
                | bottom column   |

Adding a panel to a perspective is its Place in its panels.py entry (it becomes one more tab there,
taking no room from the others); a panel in no perspective is a dock that opens floating.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from aegui.qt.perspectives.panels import docks_at


@dataclass(frozen=True)
class Column:
    share: float             # of the window's width (left, right) or of the docks' height (bottom)
    least: int               # px: never narrower (shorter) than this, nor than the panel's minimum
    most: int                # px: never wider (taller) than this
    place: tuple[str, str] = field(default=("", ""), compare=False)    # (perspective, column), set by it

    @property
    def docks(self) -> tuple[str, ...]:
        """Tabbed together, the first in front (the panels placed here, as the panel table is now)."""
        return docks_at(*self.place)


@dataclass(frozen=True)
class Perspective:
    key: str
    title: str               # English; shown through tr()
    tip: str
    shortcut: str
    left: Column | None = None
    right: Column | None = None
    bottom: Column | None = None

    def __post_init__(self):
        for name in ("left", "right", "bottom"):
            col = getattr(self, name)
            if col is not None:
                object.__setattr__(self, name, Column(col.share, col.least, col.most, (self.key, name)))

    @property
    def hero(self) -> tuple[str, ...]:
        """The docks that take what the columns leave (tabbed, first in front)."""
        return docks_at(self.key, "hero")

    def docks(self) -> tuple[str, ...]:
        out = list(self.hero)
        for col in (self.left, self.right, self.bottom):
            if col is not None:
                out += col.docks
        return tuple(out)

    def columns(self) -> dict[str, Column]:
        return {name: col for name, col in (("left", self.left), ("right", self.right), ("bottom", self.bottom))
                if col is not None}


PERSPECTIVES: tuple[Perspective, ...] = (
    # The latent map and the pixel editor, as big as the window allows: what the app is for.
    Perspective("explore", "Explore", "The latent map and the pixel editor, big: hover, pin, draw and denoise",
                "Ctrl+1", right=Column(share=0.34, least=330, most=560)),
    # Set a model up, train it and watch the charts and the codes move.
    Perspective("train", "Train", "The model builder, the training charts and the latent map as the model learns",
                "Ctrl+2", left=Column(share=0.27, least=300, most=420),
                bottom=Column(share=0.5, least=300, most=520)),
    # Sweeps and analyses: tables and comparison charts need the width.
    Perspective("experiments", "Experiments", "Sweeps over settings and seeds, searches and analyses",
                "Ctrl+3", left=Column(share=0.27, least=300, most=420)),
)

DEFAULT = "explore"


def perspective(key: str) -> Perspective:
    return next(p for p in PERSPECTIVES if p.key == key)


def home_of(dock: str, first: str = DEFAULT) -> str | None:
    """The perspective a dock belongs to (`first` when it is there too), or None."""
    keys = [first] + [p.key for p in PERSPECTIVES if p.key != first]
    return next((k for k in keys if dock in perspective(k).docks()), None)
