"""Gradient steps run op by op on any device: the backend TrainingSession.steps() uses unless the
optimizer is scipy's (scipy_opt.py), the step can be replayed from a CUDA graph (capture.py) or a
small dense model trains faster in numpy (dense.py). It uses only the session's public contract
(see session.py's docstring)."""
from __future__ import annotations

import numpy as np
import torch

from aegui.core.train.backends.torch_base import TorchBackend
from aegui.core.train.loop.contract import Measured
from aegui.core.train.optim import FlatOptimizer, lr_factor

# The numerics revision of the eager torch loop: bump it with any change to the numbers computed
# here (docs/numerics.md; the report's rows that use it are then made again).
NUMERICS = 1


def member_order_generators(s, full_batch: bool) -> list | None:
    """One batch-order generator per model when the stacked models have different seeds, each
    seeded as that model's run alone seeds its own (so a sweep's seeds, trained side by side,
    see the batches their sequential runs see); None: one order for all (one seed, full
    batches, or augmented batches, which the augmenter draws)."""
    if full_batch or s.augmenter is not None or len(set(s.seeds)) == 1:
        return None
    return [torch.Generator().manual_seed(int(seed)) for seed in s.seeds]


def _epoch_order(gens, order_gen, n: int, full_batch: bool, device):
    """An epoch's batch order: [K, n] (each model its own), [n] (one for all) or None (full batch)."""
    if gens is not None:
        return torch.stack([torch.randperm(n, generator=g, device="cpu") for g in gens]).to(device)
    return None if full_batch else torch.randperm(n, generator=order_gen, device="cpu").to(device)


def _batch(inputs, target, order, lo: int, bs: int, rows):
    """The inputs and targets of the batch at `lo`; with an order per model, [K, b, D] each."""
    if order is None:
        return inputs, target
    idx = order[..., lo:lo + bs]
    if idx.dim() == 2:
        return (inputs[idx] if inputs.dim() == 2 else inputs[rows, idx]), target[idx]
    return inputs[..., idx, :], target[idx]


class EagerBackend(TorchBackend):
    """Plain torch on any device: per batch a forward and backward pass, then the flat optimizer's step."""
    name = "eager"

    def start(self, run) -> None:
        """Seeds the generators (the batch order on the CPU), makes the training pairs and the optimizer."""
        s = self.s
        t = s.exp.train
        self.rng = np.random.default_rng(t.seed)
        self.gen = torch.Generator(device=s.device).manual_seed(t.seed)
        # The batch order is drawn on the CPU, which a CUDA generator cannot do.
        self.order_gen = self.gen if s.device.type == "cpu" else torch.Generator().manual_seed(t.seed)
        self.xin, self.target = s.training_pairs(self.rng)
        self.n = n = self.xin.shape[-2] if s.augmenter is None else s.augmenter.rows
        self.bs = t.batch_size if 0 < t.batch_size < n else n
        self.full_batch = self.bs == n
        self.exact = self.full_batch and s.step_is_exact and s.augmenter is None and self.xin is s.x
        self.fresh_noise = s.objective.corrupts_inputs and s.exp.noise.mode == "fresh"
        self.opt = FlatOptimizer(t, s.model.flat, torch.tensor(s.lrs, dtype=torch.float32), s.momenta)
        self.batches = -(-n // self.bs)
        self.gens = member_order_generators(s, self.full_batch)
        self.rows = None if self.gens is None else torch.arange(s.k, device=s.device).view(-1, 1)

    def begin(self, epoch: int, keep_parts: bool) -> None:
        """The epoch's learning-rate factor, its inputs (fresh noise or augmentation when asked) and its batch
        order."""
        s = self.s
        self.factor = lr_factor(s.exp.train, epoch - 1)
        if s.augmenter is not None:
            self.inputs, self.targets = (torch.from_numpy(a).to(s.device) for a in s.augmenter.pairs(self.rng, s.k))
        else:
            self.inputs = s.noisy_inputs(self.rng) if self.fresh_noise else self.xin
            self.targets = self.target
        self.order = _epoch_order(self.gens, self.order_gen, self.n, self.full_batch, s.device)
        # Mini-batch runs report the epoch's mean loss, not the last (maybe tiny) batch's.
        self.keep = keep_parts and not self.full_batch
        self.epoch_parts: dict = {}
        self.seen = 0

    def forward(self, epoch: int, batch: int) -> None:
        """Forward and backward pass of one batch; keeps the epoch's loss parts when asked."""
        s = self.s
        xb, tb = _batch(self.inputs, self.targets, self.order, (batch - 1) * self.bs, self.bs, self.rows)
        with s.model.weight_views():
            self.total, self.parts, self.logits = s.loss(xb, tb, epoch, self.gen)
        self.total.sum().backward()
        if self.keep:
            share = xb.shape[-2] / self.n
            self.seen += xb.shape[-2]
            self.epoch_parts = {k: v.detach() * share + self.epoch_parts.get(k, 0) for k, v in self.parts.items()}

    def first_loss(self):
        """The loss of the step just made [K]."""
        return self.total.detach()

    def measured(self) -> Measured:
        """Wrong pixels, loss and parts of the forward pass just made."""
        return Measured(self.s.wrong(self.logits.detach()), self.total.detach(),
                        {k: v.detach() for k, v in self.parts.items()})

    def drop_step(self) -> None:
        """Lets the gradient go."""
        self.s.model.flat.grad = None

    def update(self) -> None:
        """The optimizer's step of the live models, then the gradient zeroed for the next backward."""
        flat = self.s.model.flat
        self.opt.step(flat.grad, self.factor, self.alive)
        # Zeroed, not dropped: the next backward adds into it, where a fresh full-size
        # gradient each step page-faults its memory in again (12 000 faults and 18 ms of
        # system time per 70 ms epoch of the 1.6 M-weight emoji VAE).
        flat.grad.zero_()

    def parts_so_far(self, batch: int) -> dict:
        """The mean loss parts of the batches so far, scaled to the whole set."""
        if batch < self.batches:
            return {k: v * (self.n / self.seen) for k, v in self.epoch_parts.items()}
        return self.epoch_parts or {k: v.detach() for k, v in self.parts.items()}
