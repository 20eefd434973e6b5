"""What the panels show of a model at one moment: the codes and reconstructions of the samples on
screen, their errors, and for a glyph model how far a drawing may be from its training glyphs.

Computed where the model is (the training worker at each snapshot, the thread that opened a
saved model); the GUI thread only draws it. Numpy out.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aegui.core.train.image_quality import is_binary, reconstruction_errors
from aegui.core.data.dataset import GLYPH_SHAPE, Dataset, spread_indices

# Samples the panels show of a big set (latent codes, reconstructions), spread evenly over it:
# encoding all 60 000 MNIST digits at every snapshot would take longer than the snapshot lasts.
SHOWN_MAX = 1000


def shown_samples(data: Dataset) -> Dataset:
    """All of a small set, SHOWN_MAX spread over a big one."""
    return data if len(data) <= SHOWN_MAX else data.subset(spread_indices(len(data), SHOWN_MAX))


@dataclass(frozen=True)
class ModelView:
    """What the panels show of a model's current weights: the shown samples' codes and reconstructions, their
    errors, and its familiarity limit."""
    model: object                  # the K = 1 CPU model these numbers come from
    codes: np.ndarray              # [n shown, L]
    reconstructions: np.ndarray    # [n shown, *shape] in [0, 1]
    wrong: np.ndarray | None       # [n shown] wrong pixels after a 0.5 threshold (black-and-white data)
    mse: np.ndarray | None         # [n shown] per-sample squared error (grey / colour data)
    psnr: np.ndarray | None        # [n shown] dB (grey / colour data)
    familiarity: object = None     # aegui.core.models.familiarity.Familiarity of a 5x7 glyph model
    epoch: int = 0                 # the progress record it goes with (0: a finished or saved model)

    @property
    def images(self) -> bool:
        """Grey or colour pictures (errors in MSE / PSNR), not black-and-white glyphs."""
        return self.wrong is None


def compute_view(model, shown: Dataset, data: Dataset | None = None, augment=None, epoch: int = 0,
                 saved_familiarity=None) -> ModelView:
    """The view of `model` over the samples `shown`; `data` (default `shown`): the whole set a
    5x7 glyph model's familiarity limit is measured on, with the experiment's `augment` section,
    unless `saved_familiarity` (what the model's sidecar kept of it) is usable."""
    from aegui.core.models import latent
    codes = latent.encode(model, shown.x)
    flat = latent.decode_points(model, codes)
    recon = flat.reshape(len(shown), *shown.shape)
    wrong = mse = psnr = None
    if is_binary(shown.x):
        wrong = ((flat >= 0.5) != (shown.x >= 0.5)).sum(1)
    else:
        mse, psnr = reconstruction_errors(shown.x, flat)
    fam = None
    if tuple(shown.shape) == GLYPH_SHAPE:
        from aegui.core.models.familiarity import familiarity, from_saved
        reconstruct = lambda x: latent.reconstruct(model, x)       # noqa: E731
        fam = from_saved(saved_familiarity, reconstruct) or familiarity(reconstruct, (data or shown).x, augment)
    return ModelView(model, codes, recon, wrong, mse, psnr, fam, epoch)
