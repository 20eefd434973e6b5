"""The gradient-step epoch loop, run op by op on any device: what TrainingSession.steps() does
unless the optimizer is scipy's (scipy_opt.py) or the step can be replayed from a CUDA graph
(capture.py). It uses only the session's public contract (see session.py's docstring)."""
from __future__ import annotations

import time
from typing import Iterator

import numpy as np
import torch

from aegui.core.train import progress as P
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


def _in_progress(s, epoch: int, batch: int, batches: int, parts, start) -> Iterator[P.ProgressRecord]:
    """The record of an epoch in progress after `batch`, when one is wanted: asked for between
    batches (step mode, a pause reaching it), or a heartbeat (the wrong pixels then not measured
    again). `parts()`: the loss parts so far."""
    asked = batch < batches and s.batch_report is not None and s.batch_report()
    if asked or s.heartbeat_due():
        yield s.partial_record(epoch, batch, batches, parts(), start, measure=asked)


def eager_steps(s) -> Iterator[P.ProgressRecord]:
    """The records of session `s`'s run (see TrainingSession.steps)."""
    t = s.exp.train
    rng = np.random.default_rng(t.seed)
    gen = torch.Generator(device=s.device).manual_seed(t.seed)
    # The batch order is drawn on the CPU, which a CUDA generator cannot do.
    order_gen = gen if s.device.type == "cpu" else torch.Generator().manual_seed(t.seed)
    xin, target = s.training_pairs(rng)
    n = xin.shape[-2] if s.augmenter is None else s.augmenter.rows
    bs = t.batch_size if 0 < t.batch_size < n else n
    full_batch = bs == n
    objective = s.objective
    deterministic = s.step_is_exact and s.augmenter is None
    fresh_noise = objective.corrupts_inputs and s.exp.noise.mode == "fresh"
    opt = FlatOptimizer(t, s.model.flat, torch.tensor(s.lrs, dtype=torch.float32), s.momenta)
    flat = s.model.flat
    snapshot = s.last_finite()
    start = time.perf_counter()
    last_loss = torch.full((s.k,), float("nan"))
    batches = -(-n // bs)
    gens = member_order_generators(s, full_batch)
    rows = None if gens is None else torch.arange(s.k, device=s.device).view(-1, 1)
    for epoch in range(1, t.epochs + 1):
        s.epoch = epoch
        factor = lr_factor(t, epoch - 1)
        last = epoch == t.epochs or s.stop_requested
        check = epoch % t.check_every == 0 or last or s.report_every_epoch
        if s.augmenter is not None:
            inputs, target = (torch.from_numpy(a).to(s.device) for a in s.augmenter.pairs(rng, s.k))
        else:
            inputs = s.noisy_inputs(rng) if fresh_noise else xin
        order = _epoch_order(gens, order_gen, n, full_batch, s.device)
        wrong = None
        epoch_parts: dict = {}
        seen = 0
        for b, lo in enumerate(range(0, n, bs), start=1):
            xb, tb = _batch(inputs, target, order, lo, bs, rows)
            with s.model.weight_views():
                total, parts, logits = s.loss(xb, tb, epoch, gen)
            s.note_first_loss(total)
            total.sum().backward()
            if (check or s.batch_report is not None or s.heartbeat_s is not None) and not full_batch:
                # Mini-batch runs report the epoch's mean loss, not the last (maybe tiny) batch's.
                share = xb.shape[-2] / n
                seen += xb.shape[-2]
                epoch_parts = {k: v.detach() * share + epoch_parts.get(k, 0) for k, v in parts.items()}
            if check and not last and full_batch and deterministic and xin is s.x:
                # The forward pass already shows this epoch's weights: measure before the
                # step so a model that hits the target is kept exactly as measured. The last
                # epoch is measured after its step, so the final record (and the saved
                # metrics) describe the weights that are kept.
                wrong = s.wrong(logits.detach())
                last_loss = total.detach()
                parts_now = {k: v.detach() for k, v in parts.items()}
                if s.target_hit(wrong, last_loss):
                    flat.grad = None
                    break
            opt.step(flat.grad, factor, s.alive)
            # Zeroed, not dropped: the next backward adds into it, where a fresh full-size
            # gradient each step page-faults its memory in again (12 000 faults and 18 ms of
            # system time per 70 ms epoch of the 1.6 M-weight emoji VAE).
            flat.grad.zero_()
            if b < batches:
                yield from _in_progress(s, epoch, b, batches, lambda: {k: v * (n / seen) for k, v in epoch_parts.items()},
                                        start)
        if not check and (s.report_every_epoch or (s.batch_report is not None and s.batch_report())):
            check = True     # step mode or a pause began during this epoch
        if not check:
            yield from _in_progress(s, epoch, batches, batches,
                                    lambda: epoch_parts or {k: v.detach() for k, v in parts.items()}, start)
            continue
        if wrong is None:
            wrong = s.evaluator.wrong()
            parts_now = epoch_parts or {k: v.detach() for k, v in parts.items()}
            last_loss = parts_now["total"]
        rec = s.record(s.checkpoint(epoch, wrong, last_loss, parts_now, snapshot, opt, start), epoch)
        yield rec
        if rec.done:
            return
