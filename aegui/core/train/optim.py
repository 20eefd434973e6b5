"""Optimizers and LR schedules over the flat [K, P] parameter buffer, and the one torch Adam.

Written out rather than torch.optim because each of the K models may have its own
learning rate and momentum (sweeps, comparison grids) and dead models must be frozen; all are elementwise, so the K
models stay independent. Each step works in place (large temporaries cost a page-faulting
allocation per step: Adam on 1.6 M weights took 13 ms with them); Adam / AdamW use torch's
fused kernel, one pass over the weights per model row, where it applies.

`adam_` is Adam's update written out, once for every torch Adam that is not the fused kernel:
FlatOptimizer's (rows with their own rates, or no fused kernel), the captured CUDA step's (its step
count and rates live on the device, backends/capture.py) and TensorAdam's (a list of tensors: the
classifier heads'). The numpy loop has its own (backends/dense.py).
"""
from __future__ import annotations

import math

import torch

from aegui.core.schema.experiment import TrainConfig

# Numerics revisions (docs/numerics.md): bump one with any change to the numbers its part
# computes (the report's rows that use it are then made again).
NUMERICS = 1        # the learning-rate schedules and gradient clipping
ADAM_NUMERICS = 1   # Adam and AdamW (FlatOptimizer, TensorAdam)
SGD_NUMERICS = 1    # SGD, momentum and RMSprop

# torch's private fused kernels: torch.optim.Adam(fused=True) steps one learning rate for all rows.
_FUSED = {"adam": getattr(torch, "_fused_adam_", None), "adamw": getattr(torch, "_fused_adamw_", None)}
_CLIP_EPS = 1e-6    # torch.nn.utils.clip_grad_norm_'s: the factor is max_norm / (norm + 1e-6)


def adam_settings(cfg: TrainConfig) -> tuple[float, float, float]:
    """(beta1, beta2, eps) of Adam and AdamW: train.adam_beta1, adam_beta2 and adam_eps."""
    return float(cfg.adam_beta1), float(cfg.adam_beta2), float(cfg.adam_eps)


@torch.no_grad()
def clip_rows_(grad: torch.Tensor, max_norm: float) -> torch.Tensor:
    """Each model's gradient (a row of the flat [K, P] buffer: all of that model's weights) scaled
    in place as torch.nn.utils.clip_grad_norm_ scales one model's: by max_norm / (norm + 1e-6)
    where that is below 1. The stacked models are clipped apart, each by its own norm, as each
    would be trained alone. No reading back: a captured step (capture.py) can hold it."""
    norm = torch.linalg.vector_norm(grad, dim=1, keepdim=True)
    return grad.mul_((max_norm / (norm + _CLIP_EPS)).clamp_(max=1.0))


def lr_factor(cfg: TrainConfig, epoch: int) -> float:
    """Multiplier of the base learning rate at a 0-based epoch."""
    if cfg.schedule == "exponential":
        return cfg.decay_rate ** epoch
    if cfg.schedule == "step":
        return cfg.step_gamma ** (epoch // cfg.step_size)
    if cfg.schedule == "cosine":
        return 0.5 * (1 + math.cos(math.pi * min(epoch, cfg.epochs) / cfg.epochs))
    return 1.0


def momentum_of(cfg: TrainConfig, momenta, param: torch.Tensor):
    """The momentum each model row steps with: the config's number when all rows share it (the
    same arithmetic as one model alone), else a [K, 1] column, one value per row."""
    values = [float(v) for v in momenta] if momenta is not None else []
    if not values or all(v == values[0] for v in values):
        return values[0] if values else cfg.momentum
    return torch.tensor(values, dtype=param.dtype, device=param.device).view(-1, 1)


class FlatOptimizer:
    """SGD, momentum, Adam, AdamW or RMSprop over one flat [K, P] parameter, each model row at its own learning
    rate (and momentum), fused where torch offers it."""
    def __init__(self, cfg: TrainConfig, param: torch.Tensor, lrs: torch.Tensor, momenta=None):
        self.cfg = cfg
        self.p = param
        self.lrs = lrs.view(-1, 1).to(param.device, param.dtype)
        self.lr_list = [float(v) for v in lrs.reshape(-1)]
        self.momentum = momentum_of(cfg, momenta, param)
        self.t = 0
        zeros = lambda: torch.zeros_like(param)   # noqa: E731
        self.m = zeros() if cfg.optimizer in ("momentum", "adam", "adamw") else None
        self.v = zeros() if cfg.optimizer in ("adam", "adamw", "rmsprop") else None
        self.fused = _FUSED.get(cfg.optimizer) if param.dtype == torch.float32 and param.is_contiguous() else None
        self.buf = zeros() if cfg.optimizer in ("adam", "adamw", "rmsprop") and self.fused is None else None
        self._step_t = None
        self._live_src, self._live_version, self._live = None, -1, []

    def reset_state(self, mask: torch.Tensor) -> None:
        """Forget momentum for the models in `mask` (used when a diverged model is restored)."""
        for buf in (self.m, self.v):
            if buf is not None:
                buf[mask] = 0

    @torch.no_grad()
    def step(self, grad: torch.Tensor, factor: float, alive: torch.Tensor) -> None:
        """One step of every live model on `grad` (clipped in place first when train.clip_norm is set)."""
        self.t += 1
        if self.cfg.clip_norm:
            clip_rows_(grad, self.cfg.clip_norm)
        if self.fused is not None:
            self._fused_step(grad.contiguous(), factor, alive)
            return
        self.update(grad, self.lrs * factor * alive.view(-1, 1), self.t)

    @torch.no_grad()
    def update(self, grad: torch.Tensor, lr: torch.Tensor, t) -> None:
        """The written-out step: rates `lr` [K, 1] (0 for a frozen model), the step count `t` (1 at
        the first step: a number, or a 0-d tensor on the device that a captured graph reads)."""
        cfg, p = self.cfg, self.p
        wd = cfg.weight_decay
        if wd and cfg.optimizer != "adamw":
            grad = grad.add(p, alpha=wd)
        if cfg.optimizer == "sgd":
            p.addcmul_(grad, lr, value=-1)
        elif cfg.optimizer == "momentum":
            self.m.mul_(self.momentum).add_(grad)
            p.addcmul_(self.m, lr, value=-1)
        elif cfg.optimizer == "rmsprop":
            self.v.mul_(0.99).addcmul_(grad, grad, value=0.01)
            buf = torch.sqrt(self.v, out=self._buf()).add_(1e-8)
            p.addcmul_(torch.div(grad, buf, out=buf), lr, value=-1)
        else:
            b1, b2, eps = adam_settings(cfg)
            adam_(p, grad, self.m, self.v, lr, t, (b1, b2), eps,
                  decay=wd if cfg.optimizer == "adamw" else 0.0, buf=self._buf())

    def _buf(self) -> torch.Tensor:
        if self.buf is None:
            self.buf = torch.zeros_like(self.p)
        return self.buf

    def _fused_step(self, grad: torch.Tensor, factor: float, alive: torch.Tensor) -> None:
        """torch's fused Adam(W), the kernel behind torch.optim.Adam(fused=True): once over all
        rows when they share a learning rate and all live, else row by row (dead rows are
        skipped, which freezes them)."""
        b1, b2, eps = adam_settings(self.cfg)
        kw = dict(beta1=b1, beta2=b2, weight_decay=self.cfg.weight_decay, eps=eps, amsgrad=False, maximize=False)
        if self._step_t is None:
            self._step_t = torch.zeros((), dtype=torch.float32, device=self.p.device)
        self._step_t.fill_(float(self.t))
        lrs = self.lr_list
        # alive changes only when a model dies (in place, which bumps its version): reading it
        # back every step would make a GPU wait for the step before. (_version is torch's own
        # in-place counter: there is no public reader of it.)
        if alive is not self._live_src or alive._version != self._live_version:
            self._live_src, self._live_version, self._live = alive, alive._version, alive.tolist()
        live = self._live
        if all(live) and all(v == lrs[0] for v in lrs):
            self.fused([self.p], [grad], [self.m], [self.v], [], [self._step_t], lr=lrs[0] * factor, **kw)
            return
        for k, ok in enumerate(live):
            if ok:
                self.fused([self.p[k]], [grad[k]], [self.m[k]], [self.v[k]], [], [self._step_t],
                           lr=lrs[k] * factor, **kw)


@torch.no_grad()
def adam_(p, g, m, v, lr, t, betas: tuple[float, float], eps: float, decay: float = 0.0, buf=None) -> None:
    """One Adam step of weights `p` on gradient `g` in place, torch.optim.Adam's update (AdamW's
    with a decoupled `decay`): `m` and `v` the running means, `t` the step count (1 at the first
    step), `lr` one rate (a number) or a [K, 1] column of per-row rates; `buf` (p's shape) spares a
    temporary.

    The bias corrections are computed in the precision of `t`: a number in double, a 0-d tensor on
    the device (a captured graph reads it when replayed) in its own dtype. The float32 arithmetic
    keeps the order each of its callers had before they shared it, so the numbers of runs made with
    them do not move (docs/numerics.md): a column of rates (FlatOptimizer, the captured step) as
    sqrt(v) / sqrt(c2) + eps and the quotient times lr / c1; one rate (TensorAdam) as
    sqrt(v / c2) + eps and addcdiv. Both are held to torch.optim.Adam step by step
    (tests/core/train/test_adam_and_clipping.py)."""
    b1, b2 = betas
    if decay:
        p.mul_(1 - lr * decay)
    m.lerp_(g, 1 - b1)
    v.mul_(b2).addcmul_(g, g, value=1 - b2)
    if isinstance(t, torch.Tensor):
        c1, c2 = 1 - torch.pow(b1, t), 1 - torch.pow(b2, t)
        root_c2 = torch.sqrt(c2)
    else:
        c1, c2 = 1 - b1 ** t, 1 - b2 ** t
        root_c2 = math.sqrt(c2)
    if isinstance(lr, torch.Tensor):
        denom = torch.sqrt(v, out=buf).div_(root_c2).add_(eps)
        p.addcmul_(torch.div(m, denom, out=denom), lr / c1, value=-1)
    else:
        denom = (v / c2 if buf is None else torch.div(v, c2, out=buf)).sqrt_().add_(eps)
        p.addcdiv_(m, denom, value=-lr / c1)


class TensorAdam:
    """Adam over a list of tensors (adam_ on each), the same update as torch.optim.Adam.

    Not torch.optim's because every torch.optim optimizer imports torch._dynamo when built, and the
    packaged app leaves the compiler stack out (installer/aegui.spec)."""

    def __init__(self, params, lr: float, betas=(0.9, 0.999), eps: float = 1e-8):
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    def zero_grad(self) -> None:
        """Lets every gradient go."""
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        """One Adam step of every tensor that has a gradient."""
        self.t += 1
        for p, m, v in zip(self.params, self.m, self.v):
            if p.grad is not None:
                adam_(p, p.grad, m, v, self.lr, self.t, self.betas, self.eps)
