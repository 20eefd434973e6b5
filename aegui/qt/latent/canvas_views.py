"""Mixin of the LatentCanvas: the views issue 13 added over its projection: a replay frame drawn
in place of the codes (replay_bar), and the turning 3-D view of a 3-D latent space (rotate3d)."""
from __future__ import annotations

import numpy as np


class CanvasViews:
    # -- replay (see replay_bar) -------------------------------------------------------------
    def projection(self) -> tuple[np.ndarray, np.ndarray]:
        """(basis [2, L], origin [L]): view xy = (z - origin) @ basis.T."""
        return self._basis.copy(), self._origin.copy()

    def project(self, codes) -> np.ndarray:
        """View coordinates [..., 2] of codes [..., L] in the current projection."""
        return (np.asarray(codes, np.float64) - self._origin) @ self._basis.T

    def show_replay_codes(self, codes) -> None:
        """Draw these codes [N, L] (a replay frame) where the dataset's are, in the same
        projection; None puts the model's own codes back."""
        self._replay_codes = None if codes is None else np.asarray(codes, np.float32)
        if len(self._codes) == 0:
            return
        self._update_projection()
        self._refresh_points(self._labels)

    def fit_replay(self, codes) -> None:
        """Frame every point of every snapshot [S, N, L], so a replay plays without leaving the view."""
        if len(codes) == 0 or np.shape(codes)[2] != self.latent_size():
            return
        xy = self.project(codes).reshape(-1, 2)
        lo, hi = xy.min(0), xy.max(0)
        span = np.maximum(hi - lo, 1e-3)
        self.vb.setRange(xRange=(lo[0] - 0.08 * span[0], hi[0] + 0.15 * span[0]),
                         yRange=(lo[1] - 0.08 * span[1], hi[1] + 0.15 * span[1]), padding=0)

    # -- 3-D view (see rotate3d) -------------------------------------------------------------
    def _on_rotated(self) -> None:
        """The 3-D view turned: keep the zoom, move the points and decode the new plane."""
        if len(self._codes) == 0:
            return
        first = self.rotate.active() and not getattr(self, "_rotated_once", False)
        self._rotated_once = self.rotate.active()
        self._update_projection()
        self._refresh_points(self._labels)
        if first:
            self.reset_view()
        self._redecode()
