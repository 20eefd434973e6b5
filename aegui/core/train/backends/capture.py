"""Captured training steps on CUDA: the whole step (forward, loss, backward, optimizer) is
recorded once as a CUDA graph and replayed for every batch.

The models aegui trains are small (thousands to a few million weights, batches of 32 to 128),
so an eager step on a GPU spends its time launching a hundred-odd kernels, not running them
(measured on an H100: the emoji VAE took 18.5 ms an epoch eagerly, 2.8 ms replayed). A replay
launches them all at once. Everything a step reads therefore lives in fixed device tensors:
the training set, this epoch's batch order (drawn on the GPU), a position the graph advances
itself, the learning rate, Adam's step count and the VAE's beta.

TrainingSession.steps() comes here on CUDA for the gradient optimizers, except where the data
changes on the host each epoch (fresh-noise denoising, augmentation); the CPU path never does. The
records mean what the eager loop's mean; the random draws (batch order, VAE noise) differ from it.
On the CPU `captured_steps` runs the same backend with each graph called eagerly (the tests).
"""
from __future__ import annotations

import contextlib

import numpy as np
import torch

from aegui.core.schema.experiment import SCIPY_OPTIMIZERS
from aegui.core.train.backends.torch_base import TorchBackend
from aegui.core.train.loop.contract import Measured
from aegui.core.train.optim import _FUSED, FlatOptimizer, adam_settings, clip_rows_, lr_factor

# The numerics revision of the captured (CUDA-graph) loop: bump it with any change to the numbers
# computed here (docs/numerics.md; the report's rows that use it are then made again).
NUMERICS = 1

_WARMUP = 2     # eager steps on a side stream before capturing (cuBLAS / cuDNN set up there)


def usable(session) -> bool:
    """Whether the session's step can be captured (fixed shapes, no host-side data per epoch: an
    augmented run draws new glyphs each epoch, which a graph replaying the clean set never saw)."""
    exp = session.exp
    if session.device.type != "cuda" or exp.train.optimizer in SCIPY_OPTIMIZERS:
        return False
    if session.objective.corrupts_inputs and exp.noise.mode == "fresh" or session.augmenter is not None:
        return False
    return hasattr(torch.cuda, "CUDAGraph")


def autocast_dtype(session):
    """bf16 for train.precision "bf16" on CUDA; None (fp32) otherwise."""
    prec = getattr(session.exp.train, "precision", "fp32")
    return torch.bfloat16 if prec == "bf16" and session.device.type == "cuda" else None


class _Step:
    """The static tensors of one run and its graphs: `whole` does a full step per replay;
    with `split` (full-batch runs that measure before stepping) `fwd` and `opt` do the halves."""

    def __init__(self, s, xin, target, bs: int, gen, opt: FlatOptimizer, alive: torch.Tensor):
        self.s, self.xin, self.target, self.bs, self.gen, self.opt = s, xin, target, bs, gen, opt
        self.alive = alive
        t, spec, dev = s.exp.train, s.exp.model, s.device
        self.n = n = xin.shape[-2]
        self.full_batch = bs == n
        self.nfull, self.tail = n // bs, n % bs
        objective = s.objective
        self.split = self.full_batch and s.step_is_exact and xin is s.x
        self.dtype = autocast_dtype(s)
        flat = s.model.flat
        self.lr_base = torch.tensor(s.lrs, dtype=torch.float32, device=dev).view(-1, 1)
        self.lr_vec = torch.zeros_like(self.lr_base)
        self.lr_one = torch.zeros((), device=dev)
        self.step_t = torch.zeros((), device=dev)
        # Loss weights that change with the epoch (the VAE's beta during its KL warm-up).
        self.weights = {name: torch.ones((), device=dev) for name in objective.weights(spec, 1)} \
            if objective.weights_change(spec) else None
        self.order = torch.arange(n, device=dev)
        self.pos0 = torch.arange(bs, device=dev)
        self.pos = self.pos0.clone()
        self.pos_tail = torch.arange(self.nfull * bs, n, device=dev)
        self.order_gen = torch.Generator(device=dev).manual_seed(t.seed + 1)
        uniform = all(v == s.lrs[0] for v in s.lrs)
        self.fused = _FUSED.get(t.optimizer) if uniform and flat.dtype == torch.float32 else None
        self.keys: list[str] = []
        self.acc = None
        self.graphs: dict = {}
        self._factor = None
        self._alive_version = -1
        self.capture()

    # ---------------------------------------------------------------- the step's pieces
    def _batch(self, pos):
        if self.full_batch:
            return self.xin, self.target
        idx = self.order[pos]
        return self.xin.index_select(0, idx), self.target.index_select(0, idx)

    def _forward_backward(self, xb, tb, gen):
        s, spec = self.s, self.s.exp.model
        # Weights that change with the epoch (the VAE's beta in its KL warm-up) are device
        # scalars: the loss is asked for their full value, and the total is rebuilt with them.
        epoch = max(1, spec.kl_warmup)
        cast = torch.autocast("cuda", dtype=self.dtype) if self.dtype is not None else contextlib.nullcontext()
        with cast:
            with s.model.weight_views():
                total, parts, logits = s.loss(xb, tb, epoch, gen)
        parts = {k: v.float() for k, v in parts.items()}
        if self.weights is not None:
            parts["total"] = s.objective.total(parts, self.weights)
        total = parts["total"]
        total.sum().backward()
        return total, parts, logits

    @torch.no_grad()
    def _opt_step(self):
        cfg, opt = self.s.exp.train, self.opt
        p, g, m, v = opt.p, opt.p.grad, opt.m, opt.v
        b1, b2, eps = adam_settings(cfg)
        self.step_t.add_(1)
        if cfg.clip_norm:
            clip_rows_(g, cfg.clip_norm)
        if self.fused is not None:
            self.fused([p], [g], [m], [v], [], [self.step_t], lr=self.lr_one, beta1=b1, beta2=b2,
                       weight_decay=cfg.weight_decay, eps=eps, amsgrad=False, maximize=False)
        else:
            # FlatOptimizer's update with the step count and learning rates on the device (lr_vec
            # is 0 for frozen models).
            opt.update(g, self.lr_vec, self.step_t)
        opt.p.grad.zero_()

    def _whole(self, pos, share: float, advance: bool, gen):
        xb, tb = self._batch(pos)
        total, parts, logits = self._forward_backward(xb, tb, gen)
        with torch.no_grad():
            self.acc.add_(torch.stack([parts[k] for k in self.keys]).detach(), alpha=share)
            if advance:
                pos.add_(self.bs)
        self._opt_step()
        return total.detach(), {k: v.detach() for k, v in parts.items()}, logits.detach()

    def _fwd(self, gen):
        total, parts, logits = self._forward_backward(self.xin, self.target, gen)
        return total.detach(), {k: v.detach() for k, v in parts.items()}, logits.detach()

    # ---------------------------------------------------------------- capture
    def _programs(self, gen):
        """name -> function running one piece of the step (each becomes one graph)."""
        if self.split:
            return {"fwd": lambda: self._fwd(gen), "opt": lambda: self._opt_step()}
        out = {"whole": lambda: self._whole(self.pos, self.bs / self.n, not self.full_batch, gen)}
        if self.tail:
            out["tail"] = lambda: self._whole(self.pos_tail, self.tail / self.n, False, gen)
        return out

    def _warm_up(self) -> None:
        """A few steps on the state itself, put back after: cuBLAS and cuDNN choose their kernels and
        the memory pool fills before a graph records them. Each starts at the epoch's first batch: a
        step recorded again at a check (a model frozen, freeze()) found the batch position at the
        epoch's end and read past the data, a device-side assert that ends CUDA for the process."""
        s, opt, flat = self.s, self.opt, self.s.model.flat
        cuda = s.device.type == "cuda"
        # The running statistics too: the warm-up's batch-norm steps move them.
        state = (flat, flat.grad, opt.m, opt.v, self.step_t, self.acc, self.pos, s.model.stats)
        saved = [x.detach().clone() for x in state]
        scratch = torch.Generator(device=s.device).manual_seed(0)
        side = torch.cuda.Stream() if cuda else None
        if cuda:
            side.wait_stream(torch.cuda.current_stream())
        try:
            with torch.cuda.stream(side) if cuda else contextlib.nullcontext():
                for _ in range(_WARMUP):
                    self.pos.copy_(self.pos0)
                    for run in self._programs(scratch).values():
                        run()
        finally:
            if cuda:
                torch.cuda.current_stream().wait_stream(side)
            with torch.no_grad():
                for dst, src in zip(state, saved):
                    dst.copy_(src)
            del saved

    def capture(self) -> None:
        s = self.s
        flat = s.model.flat
        if flat.grad is None:
            flat.grad = torch.zeros_like(flat)
        if self.acc is None:
            with torch.no_grad(), s.model.weight_views():
                _, parts, _ = s.loss(self.xin[:1], self.target[:1], 1, None)
            self.keys = list(parts)
            self.acc = torch.zeros(len(self.keys), s.k, device=s.device)
        self.lr_vec.copy_(self.lr_base * self.alive.view(-1, 1))
        self.lr_one.fill_(s.lrs[0])
        self.programs = self._programs(self.gen)
        self.graphs, self.out = None, {}
        # On the CPU too, though nothing there needs warming: its tests then run the warm-up as CUDA does.
        self._warm_up()
        if s.device.type != "cuda":
            return      # replayed eagerly, one call a replay: lets the CPU tests run this loop
        self.graphs = {}
        pool = None
        for name, run in self.programs.items():
            g = torch.cuda.CUDAGraph()
            if self.gen is not None and hasattr(g, "register_generator_state"):
                g.register_generator_state(self.gen)
            # thread_local: the GUI thread may use CUDA while the training thread records.
            with torch.cuda.graph(g, pool=pool, capture_error_mode="thread_local"):
                self.out[name] = run()
            pool = g.pool()
            self.graphs[name] = g
        torch.cuda.synchronize()

    # ---------------------------------------------------------------- per epoch
    def begin_epoch(self, epoch: int) -> None:
        s, t, spec = self.s, self.s.exp.train, self.s.exp.model
        factor = lr_factor(t, epoch - 1)
        # alive changes in place when a model dies; torch's version counter (no public reader) says so.
        if factor != self._factor or self.alive._version != self._alive_version:
            self._factor, self._alive_version = factor, self.alive._version
            self.lr_vec.copy_(self.lr_base * factor * self.alive.view(-1, 1))
            self.lr_one.fill_(s.lrs[0] * factor)
        if self.weights is not None:
            for name, value in s.objective.weights(spec, epoch).items():
                self.weights[name].fill_(value)
        if not self.full_batch:
            torch.randperm(self.n, generator=self.order_gen, device=s.device, out=self.order)
            self.pos.copy_(self.pos0)
        self.acc.zero_()

    def replay(self, name: str):
        if self.graphs is None:
            return self.programs[name]()
        self.graphs[name].replay()
        return self.out[name]

    def epoch_parts(self) -> dict:
        return {k: self.acc[i].clone() for i, k in enumerate(self.keys)}


class CapturedBackend(TorchBackend):
    """The eager backend's steps replayed from CUDA graphs (see the module doc)."""

    name = "captured"

    def start(self, run) -> None:
        """Seeds the run, builds the optimizer with its moment buffers and records the step's CUDA graphs;
        CaptureFailed when they cannot be recorded (out of memory, an operation a graph cannot hold)."""
        s = self.s
        t = s.exp.train
        s.captured = True
        rng = np.random.default_rng(t.seed)
        gen = None
        # The CPU stand-in replays eagerly: its generator needs no graph to register with (without
        # one the VAE's noise came from the global generator, and the run from whatever seeded it last).
        if s.device.type != "cuda" or hasattr(torch.cuda.CUDAGraph, "register_generator_state"):
            gen = torch.Generator(device=s.device).manual_seed(t.seed)
        else:   # older torch: graphs draw only from the default generator
            torch.cuda.manual_seed(t.seed)
        xin, target = s.training_pairs(rng)
        n = xin.shape[-2]
        bs = t.batch_size if 0 < t.batch_size < n else n
        self.opt = opt = FlatOptimizer(t, s.model.flat, torch.tensor(s.lrs, dtype=torch.float32), s.momenta)
        if opt.m is None:
            opt.m = torch.zeros_like(s.model.flat)
        if opt.v is None:
            opt.v = torch.zeros_like(s.model.flat)
        try:
            self.step = step = _Step(s, xin, target, bs, gen, opt, self.alive)
        except RuntimeError as e:     # out of memory, or an operation a graph cannot hold
            raise CaptureFailed from e
        self.exact = step.split
        self.batches = 1 if step.split else step.nfull + (1 if step.tail else 0)

    def begin(self, epoch: int, keep_parts: bool) -> None:
        """The epoch's learning rates, loss weights and batch order, written into the graphs' inputs."""
        self.step.begin_epoch(epoch)

    def forward(self, epoch: int, batch: int) -> None:
        """Replays the forward (and backward) graph of this batch: a whole batch, the shorter last one, or the
        forward part of a split step."""
        step = self.step
        name = "fwd" if step.split else "whole" if batch <= step.nfull else "tail"
        self.total, self.parts, self.logits = step.replay(name)

    def first_loss(self):
        """The replayed step's loss [K]."""
        return self.total

    def measured(self) -> Measured:
        """The replayed forward pass's numbers, copied out of the graph's buffers."""
        return Measured(self.s.wrong(self.logits), self.total.clone(), {k: v.clone() for k, v in self.parts.items()})

    def drop_step(self) -> None:
        """Zeroes the gradient the graphs accumulate into."""
        self.s.model.flat.grad.zero_()      # the graphs add into it: the next step starts from zero

    def update(self) -> None:
        """Replays the optimizer's graph when the step is split (else the whole step's graph already stepped).
        """
        if self.step.split:
            self.step.replay("opt")

    def parts_so_far(self, batch: int) -> dict:
        """The epoch's loss parts over the batches replayed so far, scaled to the whole set."""
        step = self.step
        if step.full_batch:
            return {k: v.clone() for k, v in self.parts.items()}
        if batch < self.batches:
            seen = batch * step.bs
            return {k: v * (step.n / seen) for k, v in step.epoch_parts().items()}
        return step.epoch_parts()

    def freeze(self, rows: np.ndarray) -> None:
        """As the base; a fused optimizer kernel cannot hold a model still, so the step is recorded again with
        per-model learning rates."""
        super().freeze(rows)
        if self.step.fused is not None:
            # The fused kernel cannot freeze one row: record the step again with per-model
            # learning rates (0 for the frozen).
            self.step.fused = None
            self.step.capture()


def captured_steps(s):
    """The records of session `s`'s run with its steps captured (on the CPU, called eagerly); a step
    that cannot be captured trains eagerly instead (s.capture_error says why)."""
    from aegui.core.train.backends.eager import EagerBackend
    from aegui.core.train.loop.epochs import run

    backend = CapturedBackend(s)
    try:
        yield from run(s, backend)
    except CaptureFailed as e:
        s.captured, s.capture, s.capture_error = False, False, str(e.__cause__)
        s.model.flat.grad = None
        yield from run(s, EagerBackend(s))


class CaptureFailed(Exception):
    """Recording the step's graph failed (its cause says why); nothing has moved."""
