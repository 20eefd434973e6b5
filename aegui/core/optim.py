"""Optimizers and LR schedules over the flat [K, P] parameter buffer.

Written out rather than torch.optim because each of the K models may have its own
learning rate (sweeps) and dead models must be frozen; all are elementwise, so the K
models stay independent.
"""
from __future__ import annotations

import math

import torch

from aegui.core.config import TrainConfig


def lr_factor(cfg: TrainConfig, epoch: int) -> float:
    """Multiplier of the base learning rate at a 0-based epoch."""
    if cfg.schedule == "exponential":
        return cfg.decay_rate ** epoch
    if cfg.schedule == "step":
        return cfg.step_gamma ** (epoch // cfg.step_size)
    if cfg.schedule == "cosine":
        return 0.5 * (1 + math.cos(math.pi * min(epoch, cfg.epochs) / cfg.epochs))
    return 1.0


class FlatOptimizer:
    def __init__(self, cfg: TrainConfig, param: torch.Tensor, lrs: torch.Tensor):
        self.cfg = cfg
        self.p = param
        self.lrs = lrs.view(-1, 1).to(param.device, param.dtype)
        self.t = 0
        zeros = lambda: torch.zeros_like(param)   # noqa: E731
        self.m = zeros() if cfg.optimizer in ("momentum", "adam", "adamw") else None
        self.v = zeros() if cfg.optimizer in ("adam", "adamw", "rmsprop") else None

    def reset_state(self, mask: torch.Tensor) -> None:
        """Forget momentum for the models in `mask` (used when a diverged model is restored)."""
        for buf in (self.m, self.v):
            if buf is not None:
                buf[mask] = 0

    @torch.no_grad()
    def step(self, grad: torch.Tensor, factor: float, alive: torch.Tensor) -> None:
        cfg, p = self.cfg, self.p
        lr = self.lrs * factor * alive.view(-1, 1)
        self.t += 1
        wd = cfg.weight_decay
        if wd and cfg.optimizer != "adamw":
            grad = grad.add(p, alpha=wd)
        if cfg.optimizer == "sgd":
            p.sub_(lr * grad)
        elif cfg.optimizer == "momentum":
            self.m.mul_(cfg.momentum).add_(grad)
            p.sub_(lr * self.m)
        elif cfg.optimizer == "rmsprop":
            self.v.mul_(0.99).addcmul_(grad, grad, value=0.01)
            p.sub_(lr * grad / (self.v.sqrt() + 1e-8))
        else:   # adam / adamw
            b1, b2 = 0.9, 0.999
            if cfg.optimizer == "adamw" and wd:
                p.mul_(1 - lr * wd)
            self.m.lerp_(grad, 1 - b1)
            self.v.mul_(b2).addcmul_(grad, grad, value=1 - b2)
            denom = (self.v / (1 - b2 ** self.t)).sqrt_().add_(1e-8)
            p.sub_((lr / (1 - b1 ** self.t)) * self.m / denom)
