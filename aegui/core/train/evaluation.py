"""What a training check measures beyond the loss the batches already gave, kept bounded so a
check costs little next to an epoch on MNIST-scale data (60,000 images).

- Wrong pixels (outputs thresholded at 0.5 against the targets) are counted only where they
  mean something: binary data (every value 0 or 1, like the 5x7 glyphs), or when the user set
  train.target_max_wrong. On grey images almost no pixel is exactly 0 or 1 and the count said
  nothing while costing a forward pass over the whole training set at every check (three times
  the time of the training batches of a conv autoencoder on 60,000 MNIST images).
- Forward passes run in chunks of at most CHUNK_ROWS samples (split between the K models), so
  memory stays bounded whatever the set's size.
- Sets larger than train.eval_samples (default EVAL_SAMPLES) are measured on a fixed, evenly
  spread sample of that many (the same samples at every check); train.eval_samples 0 measures
  all. The validation loss uses the same cap on the validation set.
"""
from __future__ import annotations

import numpy as np
import torch

from aegui.core.data.dataset import spread_indices
from aegui.core.models.layers import activate

EVAL_SAMPLES = 10_000   # default of train.eval_samples
CHUNK_ROWS = 4096       # samples per forward pass at a check (over all K models together)


def is_binary(x: np.ndarray) -> bool:
    """True when every value is exactly 0 or 1 (the glyphs), where wrong pixels are exact."""
    x = np.asarray(x)
    return bool(((x == 0) | (x == 1)).all())


def sample_index(n: int, limit: int) -> np.ndarray | None:
    """The fixed sample a check measures (spread evenly, so sorted classes keep their share),
    or None for all n."""
    if not limit or n <= limit:
        return None
    return spread_indices(n, limit)


def capped(x: torch.Tensor, limit: int) -> torch.Tensor:
    """x itself, or its fixed sample of `limit` rows when it has more."""
    idx = sample_index(x.shape[0], limit)
    return x if idx is None else x[torch.as_tensor(idx, device=x.device)]


class Evaluator:
    """Wrong pixels per model and sample at a check, for a session's training set."""

    def __init__(self, model, x: torch.Tensor, limit: int, counting: bool):
        self.model, self.x = model, x
        self.n = x.shape[0]
        self.counting = counting
        self.index = sample_index(self.n, limit)
        # The targets never change: threshold them once (only when wrong pixels are counted).
        self.on = x >= 0.5 if counting else None

    @classmethod
    def for_session(cls, session) -> "Evaluator":
        """The session's evaluator, over at most train.eval_samples samples; it counts wrong pixels when a
        target asks or the data are black and white."""
        t = session.exp.train
        limit = getattr(t, "eval_samples", EVAL_SAMPLES)
        counting = t.target_max_wrong is not None or is_binary(session.data.x)
        return cls(session.model, session.x, limit, counting)

    @property
    def sampled(self) -> int:
        """How many samples a check measures."""
        return self.n if self.index is None else len(self.index)

    def _zeros(self) -> torch.Tensor:
        return torch.zeros((self.model.k, self.n), dtype=torch.int64, device=self.x.device)

    def _on_logits(self, logits: torch.Tensor) -> torch.Tensor:
        act = self.model.output_activation
        # A sigmoid (at any slope > 0) is >= 0.5 exactly where its logit is >= 0.
        return logits >= 0 if act == "sigmoid" else activate(act, logits, self.model.spec.slope) >= 0.5

    @torch.no_grad()
    def wrong_from_logits(self, logits: torch.Tensor, rows=None) -> torch.Tensor:
        """[K, N] wrong pixels from outputs already computed for every sample (full batch)."""
        if not self.counting:
            return self._zeros()
        on = self.on if rows is None else self.on[rows]
        return (self._on_logits(logits) != on).sum(-1)

    @torch.no_grad()
    def logits(self, rows=None) -> torch.Tensor:
        """[K, n, D] outputs of the samples `rows` (default all), computed chunk by chunk."""
        x = self.x if rows is None else self.x[rows]
        step = max(1, CHUNK_ROWS // max(1, self.model.k))
        m = self.model
        return torch.cat([m.decode_logits(m.encode(x[lo:lo + step])) for lo in range(0, x.shape[0], step)], dim=-2)

    @torch.no_grad()
    def wrong(self) -> torch.Tensor:
        """[K, N] wrong pixels at the current weights: measured on the fixed sample (0 for the
        samples outside it), or all zeros where wrong pixels are not counted."""
        if not self.counting:
            return self._zeros()
        step = max(1, CHUNK_ROWS // max(1, self.model.k))
        rows = torch.arange(self.n, device=self.x.device) if self.index is None else \
            torch.as_tensor(self.index, device=self.x.device)
        out = self._zeros()
        for lo in range(0, len(rows), step):
            r = rows[lo:lo + step]
            out[:, r] = self.wrong_from_logits(self.logits(r), r)
        return out


def test_metrics(model, test, chunk: int = CHUNK_ROWS) -> dict:
    """Reconstruction error of a trained model on the official test set (never trained on):
    mean squared error per pixel and the summed BCE per image (a VAE's ELBO scale), decoding
    the mean code; chunked."""
    from aegui.core.models.latent import reconstruct
    mse = bce = 0.0
    n = len(test)
    for lo in range(0, n, chunk):
        x = test.x[lo:lo + chunk]
        out = np.clip(reconstruct(model, x), 1e-6, 1 - 1e-6)
        mse += float(((out - x) ** 2).mean(1).sum())
        bce += float(-(x * np.log(out) + (1 - x) * np.log(1 - out)).sum(1).sum())
    return {"test_samples": n, "test_mse": round(mse / n, 6), "test_bce_per_sample": round(bce / n, 3)}
