"""What the user put on the latent canvas for one model goes with that model: the points pinned
and sampled into the tray (with their markers on the map), the interpolation between two of its
samples and the latent arithmetic's points. Another model on the canvas puts them away; that model
shown again brings them back, as they were. (Codes of one model mean nothing on another's map:
the emoji VAE's prior samples stayed on the MNIST map.)

Kept per model object, weakly: a model the workspace forgets takes its overlays with it.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Overlays:
    pins: list[tuple[np.ndarray, np.ndarray, bool]] = field(default_factory=list)  # (z, image, prior), tray order
    strip: tuple[int, int] | None = None       # the interpolation's ends (sample indices)
    steps: int = 10
    interp_start: int | None = None            # Shift+click's first point, waiting for the second
    arithmetic: dict = field(default_factory=dict)   # ArithmeticPanel.state()
    page: int = 0                              # the tray's page in front

    def empty(self) -> bool:
        return not (self.pins or self.strip is not None or self.interp_start is not None or self.arithmetic)


class ModelOverlays:
    def __init__(self, canvas):
        self.canvas = canvas
        self._kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def kept(self, model) -> Overlays | None:
        return self._kept.get(model) if model is not None else None

    def stash(self, model) -> None:
        """Keep what the canvas shows for `model`, which is leaving it."""
        if model is None:
            return
        c = self.canvas
        saved = Overlays(pins=[(it.z.copy(), it.image.copy(), it.prior) for it in c.tray.items()],
                         strip=c.state.strip_ends, steps=c.interp.steps.value(), interp_start=c.state.interp_start,
                         arithmetic=c.arithmetic.state(),
                         page=c.tabs.currentIndex())
        if saved.empty():
            self._kept.pop(model, None)
        else:
            self._kept[model] = saved

    def restore(self, model) -> None:
        """Put back what was kept for `model`, now on the canvas (its codes already set)."""
        saved = self._kept.pop(model, None) if model is not None else None
        c = self.canvas
        if saved is None or not c.state.ready():
            return
        for z, image, prior in reversed(saved.pins):      # the tray adds at the front
            c.tray.add(z, image, prior)
        n = len(c.state.codes)
        c.interp.steps.setValue(saved.steps)
        if saved.strip is not None and max(saved.strip) < n:
            c.interpolate(*saved.strip)
        elif saved.interp_start is not None and saved.interp_start < n:
            c.start_interpolation(saved.interp_start)
        c.arithmetic.set_state(saved.arithmetic)
        c.codes.update_markers()
        c.tabs.setCurrentIndex(saved.page)
