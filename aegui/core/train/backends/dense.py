"""The full-batch epoch loop of small dense autoencoders on the CPU, forward and backward written
out in numpy: what TrainingSession.steps() runs for the glyph presets (K stacked MLPs, 32 to 96
glyphs, a few thousand weights each).

For networks this small torch's cost is per operation, not arithmetic: the Font3 preset's step
(8 models, 6 layers) ran about 110 aten operations and autograd's bookkeeping for some 5 MFLOP,
0.6-0.9 ms an epoch. Here a step is one batched matmul per layer forward and two backward (all K
models at once, on arrays allocated once), the activations' derivatives from what the forward
pass kept, and Adam over the whole flat buffer in a handful of in-place calls; the wrong pixels
of a check come from the same forward pass. The weights are the model's own `flat` (a numpy view
of its memory), so checkpoints, snapshots and best_model() see them as the torch loop would.

It computes what eager.py computes, with torch's fused Adam's update (Adam, its one numpy
implementation here); tests/core/train/test_dense.py compares the losses of both and trains Font3
to 0 wrong pixels. A check's numbers go to the observers as the numpy arrays they are (no torch
call at a check but the last epoch's measure, which goes through the session's Evaluator).
"""
from __future__ import annotations

import math

import numpy as np
import torch

from aegui.core.models.mlp_net import Autoencoder
from aegui.core.models.objectives import Plain   # reconstruction only: no penalty, noise or sampling
from aegui.core.schema.experiment import SLOPED_ACTIVATIONS
from aegui.core.train.loop.contract import Backend, Check, Measured
from aegui.core.train.optim import adam_settings, lr_factor

# Numerics revisions (docs/numerics.md): bump one with any change to the numbers its part
# computes (the report's rows that use it are then made again).
NUMERICS = 1        # the dense numpy loop
ADAM_NUMERICS = 1   # its numpy Adam (NumpyAdam)

# Above this many multiply-adds per step torch's threaded kernels win over numpy's per-call
# savings (a step of this size takes milliseconds either way).
_MAX_WORK = 2e7
_ACTS = ("elu", "tanh", "relu", "identity", "sigmoid")


def usable(s) -> bool:
    """Whether session `s` is one this loop runs exactly: a plain dense autoencoder on the CPU,
    full batch on the clean training set (so no record is asked for inside an epoch), Adam
    without weight decay, BCE and sigmoid outputs."""
    exp, t, spec = s.exp, s.exp.train, s.exp.model
    m = s.model
    return (s.device.type == "cpu" and type(m) is Autoencoder and type(s.objective) is Plain
            and not spec.dropout and not m.top_k and s.augmenter is None and s.val_x is None
            and t.optimizer == "adam" and not t.weight_decay and t.loss == "bce"
            and spec.output_activation == "sigmoid" and m.flat.dtype == torch.float32
            and all(lay.activation in _ACTS for lay in m.layers())
            and not 0 < t.batch_size < len(s.data)
            and s.k * len(s.data) * m.work_per_sample() <= _MAX_WORK)


class _Net:
    """The K stacked models' layers as numpy views of the shared flat buffer, and every array a
    step writes, allocated once.

    A layer lies in `flat` as its weight [fan_in, fan_out] then its bias [fan_out]: read as one
    [fan_in + 1, fan_out] matrix, the bias is its last row. Every layer's input carries a last
    column of ones, so one matmul gives x W + b forward and one gives both gradients backward
    (a bias add and a bias-gradient sum per layer fewer)."""

    def __init__(self, model: Autoencoder, x: np.ndarray):
        self.flat = model.flat.detach().numpy()          # shares the parameter's memory
        self.stats = model.stats.detach().numpy()        # [K, 0]: a dense autoencoder keeps none
        self.grad = np.zeros_like(self.flat)
        k, n = self.flat.shape[0], x.shape[0]
        self.x = x
        self.layers = model.layers()
        # model.slope: a tanh or sigmoid layer activates slope * (x W + b); its gradient carries the
        # factor back (layers.activate's rule; at 1 no layer is scaled, as before the option).
        slope = model.spec.slope
        self.slope = [np.float32(slope) if slope != 1.0 and lay.activation in SLOPED_ACTIVATIONS else None
                      for lay in self.layers]
        self.wb, self.gwb = [], []
        for lay in self.layers:
            lo, size = lay.offset, (lay.fan_in + 1) * lay.fan_out
            self.wb.append(self.flat[:, lo:lo + size].reshape(k, lay.fan_in + 1, lay.fan_out))
            self.gwb.append(self.grad[:, lo:lo + size].reshape(k, lay.fan_in + 1, lay.fan_out))
        self.xa = np.ones((n, x.shape[1] + 1), np.float32)
        self.xa[:, :-1] = x
        # h[i]: hidden layer i's output (its activation) and the ones column; aux[i]: what its
        # derivative needs; d[i]: the loss's gradient w.r.t. its pre-activation (the last column
        # is a by-product of the matmul that makes it, never read). The logits have no ones column.
        *hidden, out = self.layers
        self.h = [np.ones((k, n, lay.fan_out + 1), np.float32) for lay in hidden]
        self.h.append(np.empty((k, n, out.fan_out), np.float32))
        self.aux = [np.empty_like(h) for h in self.h]
        self.d = [np.empty_like(h) for h in self.h]
        # max / min against an array of zeros: against a scalar 0 they took 3 us, not 0.8 (no SIMD)
        self.zeros = [np.zeros_like(h) for h in self.h]
        scale = 1.0 / (n * x.shape[1])
        # d(mean BCE)/d logits = (sigmoid(l) - x) / (N D) = tanh(l / 2) * s/2 + (1/2 - x) * s
        self.half_scale = np.float32(scale / 2)
        self.offset = ((0.5 - x) * scale).astype(np.float32)
        self.on = x >= 0.5

    def forward(self) -> np.ndarray:
        """The logits [K, N, D] of the training set at the current weights."""
        inp = self.xa
        last = len(self.layers) - 1
        for i, lay in enumerate(self.layers):
            h = self.h[i]
            np.matmul(inp, self.wb[i], out=h if i == last else h[..., :-1])
            if self.slope[i] is not None:
                h *= self.slope[i]      # the ones column of a hidden layer is reset below
            if i < last:
                _activate(lay.activation, h, self.aux[i], self.zeros[i])
                if lay.activation in ("tanh", "sigmoid"):
                    h[..., -1] = 1      # elu, relu and identity keep 1 as it is (and are not sloped)
            inp = h
        return self.h[last]

    def loss(self, logits: np.ndarray) -> np.ndarray:
        """Each model's mean BCE [K] (float64), torch's stable form of it."""
        ll = logits.astype(np.float64)
        per = np.maximum(ll, 0) - ll * self.x + np.log1p(np.exp(-np.abs(ll)))
        return per.mean((1, 2))

    def wrong(self, logits: np.ndarray) -> np.ndarray:
        """Wrong pixels per model and sample [K, N] (a sigmoid output >= 0.5 is a logit >= 0)."""
        return ((logits >= 0) != self.on).sum(-1)

    def backward(self) -> None:
        """self.grad = d (sum of the K models' mean BCE) / d flat, from the last forward pass."""
        last = len(self.layers) - 1
        d = self.d[last]
        np.multiply(self.h[last], np.float32(0.5), out=d)
        np.tanh(d, out=d)
        d *= self.half_scale
        d += self.offset
        if self.slope[last] is not None:     # the logits are slope * (h W + b)
            d *= self.slope[last]
        for i in range(last, -1, -1):
            inp = self.xa if i == 0 else self.h[i - 1]
            np.matmul(inp.swapaxes(-1, -2), d, out=self.gwb[i])
            if i:
                prev = self.d[i - 1]
                np.matmul(d, self.wb[i].swapaxes(-1, -2), out=prev)
                _derive(self.layers[i - 1].activation, prev, self.h[i - 1], self.aux[i - 1])
                if self.slope[i - 1] is not None:
                    prev *= self.slope[i - 1]
                d = prev[..., :-1]


def _activate(act: str, h: np.ndarray, aux: np.ndarray, zeros: np.ndarray) -> None:
    """h (the pre-activation) becomes act(h) in place; aux keeps what _derive needs."""
    if act == "elu":       # max(x, 0) + expm1(min(x, 0)); its derivative is exp(min(x, 0))
        np.minimum(h, zeros, out=aux)
        np.expm1(aux, out=aux)
        np.maximum(h, zeros, out=h)
        h += aux
        aux += 1
    elif act == "tanh":
        np.tanh(h, out=h)
    elif act == "relu":
        np.greater(h, zeros, out=aux)
        np.maximum(h, zeros, out=h)
    elif act == "sigmoid":
        np.negative(h, out=h)
        np.exp(h, out=h)
        h += 1
        np.reciprocal(h, out=h)


def _derive(act: str, d: np.ndarray, h: np.ndarray, aux: np.ndarray) -> None:
    """d (gradient w.r.t. the layer's output) becomes the gradient w.r.t. its pre-activation."""
    if act in ("elu", "relu"):
        d *= aux
    elif act == "tanh":
        np.multiply(h, h, out=aux)
        np.subtract(1, aux, out=aux)
        d *= aux
    elif act == "sigmoid":
        np.subtract(1, h, out=aux)
        aux *= h
        d *= aux


class NumpyAdam:
    """torch's fused Adam on the flat buffer (the same update as optim.FlatOptimizer), one
    learning rate per model; dead models (alive False) neither move nor update their moments.
    reset_state is what the divergence guard has a restored model's state forgotten with.

    The moments are kept divided by (1 - beta): m' = beta1 m' + g and v' = beta2 v' + g^2 need no
    scaling of g, and the constants fold into the step and eps (10 calls a step instead of 13)."""

    def __init__(self, flat: np.ndarray, lrs, settings: tuple[float, float, float]):
        self.b1, self.b2, self.eps = settings      # optim.adam_settings
        self.p = flat
        self.m, self.v = np.zeros_like(flat), np.zeros_like(flat)
        self.tmp = np.empty_like(flat)
        self.lrs = np.asarray(lrs, np.float64).reshape(-1, 1)
        self.t = 0

    def reset_state(self, rows: np.ndarray) -> None:
        """Forgets the moments of the models in `rows`."""
        self.m[rows] = 0
        self.v[rows] = 0

    def step(self, g: np.ndarray, factor: float, live: np.ndarray | None) -> None:
        """One Adam step of the rows in `live` (all when None) at the learning rates times `factor`; overflow is
        left to the divergence guard."""
        with np.errstate(over="ignore", invalid="ignore"):   # a blown-up model: the checkpoint sees it
            self._step(g, factor, live)

    def _step(self, g: np.ndarray, factor: float, live: np.ndarray | None) -> None:
        b1, b2, eps = self.b1, self.b2, self.eps
        self.t += 1
        c1, c2 = 1 - b1 ** self.t, math.sqrt(1 - b2 ** self.t)
        # p -= lr / c1 * m / (sqrt(v) / c2 + eps) with m = (1 - B1) m', sqrt(v) = a sqrt(v')
        a = math.sqrt(1 - b2) / c2
        rows = slice(None) if live is None else live
        p, m, v, tmp = self.p[rows], self.m[rows], self.v[rows], self.tmp[rows]
        g = g[rows]
        m *= np.float32(b1)
        m += g
        np.multiply(g, g, out=tmp)
        v *= np.float32(b2)
        v += tmp
        np.sqrt(v, out=tmp)
        tmp += np.float32(eps / a)
        np.divide(m, tmp, out=tmp)
        tmp *= (self.lrs[rows] * (factor * (1 - b1) / (c1 * a))).astype(np.float32)
        p -= tmp
        if live is not None:     # fancy-indexed rows were copies: write them back
            self.p[rows], self.m[rows], self.v[rows] = p, m, v


def clip_rows(g: np.ndarray, max_norm: float) -> None:
    """optim.clip_rows_ in numpy: each model's row scaled by max_norm / (norm + 1e-6) where below 1."""
    with np.errstate(over="ignore", invalid="ignore"):   # a blown-up model: the checkpoint sees it
        norm = np.sqrt(np.einsum("kp,kp->k", g, g, dtype=np.float64))
        g *= np.minimum(max_norm / (norm + 1e-6), 1.0).astype(np.float32)[:, None]


class DenseBackend(Backend):
    """The numpy steps of a session `usable` accepts: one forward pass an epoch (its outputs give a
    check's wrong pixels), the backward pass and Adam in update()."""

    name = "dense"
    exact = True     # always the full, clean training set

    def __init__(self, session):
        self.s = session

    def start(self, run) -> None:
        """The numpy network over the whole training set and its Adam."""
        s = self.s
        self.net = _Net(s.model, np.ascontiguousarray(s.data.x, dtype=np.float32))
        self.opt = NumpyAdam(self.net.flat, s.lrs, adam_settings(s.exp.train))
        self.alive = np.ones(s.k, dtype=bool)
        self.live = None        # the rows a step moves (None: all)

    def begin(self, epoch: int, keep_parts: bool) -> None:
        """The epoch's learning-rate factor."""
        self.factor = lr_factor(self.s.exp.train, epoch - 1)

    def forward(self, epoch: int, batch: int) -> None:
        """The forward pass of every model over the whole set (one batch an epoch)."""
        self.logits = self.net.forward()
        self.loss = None

    def _loss(self) -> np.ndarray:
        """Each model's loss at the last forward pass [K] (the backward pass only reads its outputs)."""
        if self.loss is None:
            self.loss = self.net.loss(self.logits).astype(np.float32)
        return self.loss

    def first_loss(self):
        """The loss of the pass just made [K]."""
        return self._loss()

    def measured(self) -> Measured:
        """Wrong pixels and loss of the pass just made."""
        loss = self._loss()
        return Measured(self.net.wrong(self.logits), loss, {"recon": loss, "total": loss})

    def update(self) -> None:
        """Backward pass, gradient clipping where asked, and the Adam step of the live models."""
        net, t = self.net, self.s.exp.train
        net.backward()
        if t.clip_norm:
            clip_rows(net.grad, t.clip_norm)
        self.opt.step(net.grad, self.factor, self.live)

    def parts_so_far(self, batch: int) -> dict:
        """The reconstruction loss (this loop trains plain autoencoders only)."""
        loss = self._loss()
        return {"recon": loss, "total": loss}

    def wrong_now(self):
        """Wrong pixels of the weights now, as numpy."""
        return self.read_wrong(self.s.evaluator.wrong())

    @staticmethod
    def read_wrong(wrong) -> np.ndarray:
        """Wrong pixels as a numpy array (converted from torch when the evaluator gave a tensor)."""
        return wrong if isinstance(wrong, np.ndarray) else wrong.numpy()

    @staticmethod
    def read_loss(loss) -> np.ndarray:
        """The loss as it is (already numpy)."""
        return loss

    def weights(self) -> tuple:
        """The numpy weights and running statistics it steps."""
        return self.net.flat, self.net.stats

    def extents(self) -> tuple[np.ndarray, np.ndarray]:
        """Each model's largest |weight| (NaN propagates); no running statistics, so zeros."""
        # max / min propagate NaN, as the torch backends' amax / amin do
        extent = np.maximum(self.net.flat.max(1), -self.net.flat.min(1))
        return extent, np.zeros(len(extent), dtype=extent.dtype)     # no running statistics

    def read(self, epoch: int, m: Measured, extents: bool) -> Check:
        """The check's numbers, already numpy, with the extents when asked."""
        check = Check(epoch, self.read_wrong(m.wrong), m.loss,
                      {k: np.asarray(v, dtype=np.float64) for k, v in m.parts.items()})
        if extents:
            check.weight_extent, check.stats_extent = self.extents()
        return check

    def freeze(self, rows: np.ndarray) -> None:
        """Forgets the frozen models' Adam state and steps only the others from now on."""
        self.opt.reset_state(rows)
        self.alive &= ~rows
        self.live = None if self.alive.all() else self.alive.copy()
