"""A lean numpy autoencoder for the 5x7 glyphs: the yardstick aegui's Font3 time is measured against.

Written from the description of the best student code's algorithm (not from its text): a
35-20-2-20-35 MLP, tanh hidden layers, a linear 2-D code, sigmoid outputs, binary cross-entropy
(mean per pixel), Adam (lr 0.01, betas 0.9 / 0.999, eps 1e-4), Xavier-normal weights and zero
biases, the glyphs as one shuffled batch per epoch, and the wrong pixels (outputs thresholded
at 0.5) counted every 10 epochs. What is timed is the run up to its first check at 0 wrong pixels.

"Lean": plain numpy in float64, every array allocated once before the loop and written in place
(np.dot / np.add ... with out=), the check counted from the epoch's own forward pass (the weights
before that epoch's step, which is what the check reports), no framework and no Python per layer
beyond the four layers written out.
"""
from __future__ import annotations

import numpy as np

LAYERS = (35, 20, 2, 20, 35)
LR, B1, B2, EPS = 0.01, 0.9, 0.999, 1e-4
CHECK_EVERY = 10


def run(x: np.ndarray, seed: int, max_epochs: int = 20_000) -> tuple[int, int]:
    """Train from `seed` until a check finds 0 wrong pixels on every glyph; (epoch, wrong pixels of
    the worst glyph at the last check)."""
    rng = np.random.default_rng(seed)
    x = np.ascontiguousarray(x, dtype=np.float64)
    n, d = x.shape
    sizes = LAYERS
    ws = [rng.normal(0.0, np.sqrt(2.0 / (a + b)), (a, b)) for a, b in zip(sizes, sizes[1:])]
    bs = [np.zeros(b) for b in sizes[1:]]
    params = ws + bs
    grads = [np.empty_like(p) for p in params]
    ms = [np.zeros_like(p) for p in params]
    vs = [np.zeros_like(p) for p in params]
    tmp = [np.empty_like(p) for p in params]
    gw, gb = grads[:4], grads[4:]
    # Activations a[0] = batch, a[1..4]; deltas of each layer's pre-activation.
    a = [np.empty((n, s)) for s in sizes]
    dl = [np.empty((n, s)) for s in sizes[1:]]
    xb, on = a[0], np.empty((n, d), dtype=bool)
    thr = np.empty((n, d), dtype=bool)
    scale = 1.0 / (n * d)
    worst = d
    for epoch in range(1, max_epochs + 1):
        perm = rng.permutation(n)
        np.take(x, perm, axis=0, out=xb)
        # forward
        np.dot(a[0], ws[0], out=a[1]); a[1] += bs[0]; np.tanh(a[1], out=a[1])
        np.dot(a[1], ws[1], out=a[2]); a[2] += bs[1]
        np.dot(a[2], ws[2], out=a[3]); a[3] += bs[2]; np.tanh(a[3], out=a[3])
        np.dot(a[3], ws[3], out=a[4]); a[4] += bs[3]          # logits
        if epoch % CHECK_EVERY == 0:
            np.greater_equal(a[4], 0.0, out=thr)              # sigmoid(l) >= 0.5  <=>  l >= 0
            np.greater_equal(xb, 0.5, out=on)
            np.not_equal(thr, on, out=thr)
            worst = int(thr.sum(1).max())
            if worst == 0:
                return epoch, 0
        # sigmoid, then d(mean BCE)/d logits = (sigmoid - x) / (n d)
        out = dl[3]
        np.negative(a[4], out=out); np.exp(out, out=out); out += 1.0; np.reciprocal(out, out=out)
        out -= xb; out *= scale
        # backward
        for i in (3, 2, 1, 0):
            np.dot(a[i].T, dl[i], out=gw[i])
            np.sum(dl[i], axis=0, out=gb[i])
            if i:
                np.dot(dl[i], ws[i].T, out=dl[i - 1])
                if i != 2:      # tanh layers 1 and 3; layer 2 (the code) is linear
                    np.multiply(a[i], a[i], out=a[i]); np.subtract(1.0, a[i], out=a[i])
                    dl[i - 1] *= a[i]
        # Adam
        c1, c2 = 1 - B1 ** epoch, 1 - B2 ** epoch
        step = LR * np.sqrt(c2) / c1
        eps = EPS * np.sqrt(c2)
        for p, g, m, v, t in zip(params, grads, ms, vs, tmp):
            m *= B1; np.multiply(g, 1 - B1, out=t); m += t
            v *= B2; np.multiply(g, g, out=t); t *= 1 - B2; v += t
            np.sqrt(v, out=t); t += eps; np.divide(m, t, out=t); t *= step; p -= t
    return max_epochs, worst
