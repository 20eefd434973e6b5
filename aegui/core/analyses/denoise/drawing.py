"""One drawing denoised as the pixel editor shows it: the model's output for the drawing's noisy
copy, and whether the clean drawing is like what the model learned (when it is not, a local model
may denoise it instead). No Qt: the editor runs it on the GUI thread for the user's edits and on a
worker for a training snapshot's new weights."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aegui.core.data.dataset import GLYPH_SHAPE

SIZE = GLYPH_SHAPE[0] * GLYPH_SHAPE[1]


@dataclass
class EditorResult:
    """What the pixel editor shows for a drawing: the model's output, whether it is unlike the training glyphs,
    and whether the local model stepped in."""
    output: np.ndarray | None = None      # (7, 5) in [0, 1], or None without a working model
    unfamiliar: float | None = None       # the drawing's reconstruction error when unlike the training set
    fell_back: bool = False               # the local model denoised it
    offer_fallback: bool = False          # the local model could (the box is shown)
    drawn_error: float = 0.0
    error: str | None = None              # what broke the model


def denoise_drawing(glyph, noisy, denoise, familiarity, fallback, use_fallback: bool) -> EditorResult:
    """What the editor shows for a drawing and its noisy copy. `denoise` maps a batch [M, 35] in
    [0, 1] to [M, 35] (None: no model); `familiarity` is the model's
    aegui.core.models.familiarity.Familiarity or None; `fallback` is (name, denoiser) or None."""
    out = EditorResult()
    if denoise is None:
        return out
    try:
        if familiarity is not None:
            # The clean drawing, not the noisy one: is the glyph itself like the training set?
            drawn = out.drawn_error = familiarity.error(glyph)
            if familiarity.is_unfamiliar(drawn):
                out.unfamiliar = drawn
            # Not only unfamiliar drawings: one the model does not give back as it is gets
            # snapped too (aegui.core.models.familiarity.KNOWN).
            out.offer_fallback = fallback is not None and not familiarity.is_known(drawn)
            if out.offer_fallback and use_fallback:
                denoise, out.fell_back = fallback[1], True
        result = denoise(np.asarray(noisy, np.float32).reshape(1, SIZE).copy())
        out.output = np.clip(np.asarray(result, np.float32).reshape(GLYPH_SHAPE), 0.0, 1.0)
    except Exception as exc:  # a broken model must not take the editor down with it
        out.output, out.error = None, str(exc) or type(exc).__name__
    return out
