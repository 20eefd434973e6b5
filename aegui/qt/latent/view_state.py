"""What the latent canvas and its helpers (the map, the code layers, the mouse, the search, the
arithmetic, the overlays) share: the decoder and its image shape, the dataset's codes and labels,
the projection that puts them on the plot, and the interpolation's ends. The canvas owns one
(`canvas.state`) and is the only writer of the decoder, codes and projection; the helpers read it
through these names. Plain numpy: no Qt, no model.
"""
from __future__ import annotations

from typing import Callable

import numpy as np


class ViewState:
    def __init__(self) -> None:
        self.decoder: Callable[[np.ndarray], np.ndarray] | None = None   # z [M, L] -> images; None: no model
        self.shape: tuple[int, ...] = (7, 5)                             # one decoded image
        self.codes = np.zeros((0, 0), np.float32)                       # the dataset's codes [N, L]
        self.labels: list[str] = []
        # Every projection is affine: z = xy @ basis + origin, xy = (z - origin) @ basis.T
        # (basis rows orthonormal), so hover, map and points share one code path.
        self.basis = np.eye(2)
        self.origin = np.zeros(2)
        self.xy = np.zeros((0, 2))               # where the points are drawn [N, 2]
        self.strip_ends: tuple[int, int] | None = None   # the interpolation's ends (sample indices)
        self.interp_start: int | None = None     # Shift+click's first point, waiting for the second

    def ready(self) -> bool:
        """A decoder and codes to show: what every decode on the canvas needs."""
        return self.decoder is not None and len(self.codes) > 0

    def latent_size(self) -> int:
        return int(self.codes.shape[1])

    def decode(self, z: np.ndarray) -> np.ndarray:
        """Images [M, *shape] of codes z [M, L]."""
        out = np.asarray(self.decoder(z), dtype=np.float32)
        return out.reshape((len(z),) + self.shape)

    def lift(self, xy: np.ndarray) -> np.ndarray:
        """The codes [M, L] that view points xy [M, 2] stand for."""
        return (xy @ self.basis + self.origin).astype(np.float32)

    def project(self, codes) -> np.ndarray:
        """View coordinates [..., 2] of codes [..., L]."""
        return (np.asarray(codes, np.float64) - self.origin) @ self.basis.T

    def strip_codes(self, a: int, b: int, steps: int) -> np.ndarray:
        """`steps` codes on the straight line from sample a's code to sample b's."""
        t = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
        return (1.0 - t) * self.codes[a] + t * self.codes[b]

    def strip_shown(self) -> tuple[int, int] | None:
        """The interpolation's ends while both are samples of the codes shown."""
        ends = self.strip_ends
        return ends if ends is not None and max(ends) < len(self.codes) else None
