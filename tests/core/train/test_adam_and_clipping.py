"""Adam's betas and epsilon (train.adam_beta1 / adam_beta2 / adam_eps), weight decay and gradient
clipping by global norm (train.clip_norm) in every Adam aegui steps with and every gradient-step
backend. There is one written-out Adam per backend: optim.adam_ in torch (behind FlatOptimizer
when torch's fused kernel does not apply, the captured step's optimizer and optim.TensorAdam) and
backends/dense.NumpyAdam in numpy. Each is checked against torch.optim.Adam / AdamW step by step
with betas and eps far from the defaults, with L2 (Adam) and decoupled (AdamW) weight decay, with
a rate per model row and with the step count held on the device (as a captured graph holds it);
the numpy one with a rate per row, a learning-rate factor and a frozen row. Clipping against
torch.nn.utils.clip_grad_norm_ over one model's parameters, each stacked model by its own norm.

Tolerances: the same float32 update in another order of operations, relative 1e-5 after 25 steps
(the dense loop keeps its moments scaled by 1 / (1 - beta), a few roundings more)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from aegui.core.config.validation import with_changes
from aegui.core.data.datasets import font_dataset
from aegui.core.train.backends import capture, dense
from aegui.core.train.optim import FlatOptimizer, TensorAdam, adam_, clip_rows_
from aegui.core.train.session import TrainingSession
from core_helpers import small_experiment

B1, B2, EPS, LR, WD = 0.7, 0.95, 1e-3, 0.05, 0.1
STEPS = 25


def grads(k: int, p: int, steps: int = STEPS) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(7)
    # Scales that differ per step, so the betas' running means matter.
    return [torch.randn(k, p, generator=g) * (0.1 + i % 5) for i in range(steps)]


def reference(start: torch.Tensor, gs, optimizer: str = "adam", lrs=None, decay: float | None = None,
              factors=None) -> list[torch.Tensor]:
    """Each row trained alone by torch.optim.Adam / AdamW (`lrs` one rate per row, default LR;
    weight decay `decay`, default WD for AdamW and none for Adam; `factors[i]` scales the rate of
    step i): the weights after each step [K, P]."""
    rows = [torch.nn.Parameter(r.clone()) for r in start]
    cls = torch.optim.AdamW if optimizer == "adamw" else torch.optim.Adam
    wd = (WD if optimizer == "adamw" else 0.0) if decay is None else decay
    lrs = lrs or [LR] * len(rows)
    opts = [cls([r], lr=lr, betas=(B1, B2), eps=EPS, weight_decay=wd, foreach=False) for r, lr in zip(rows, lrs)]
    out = []
    for i, g in enumerate(gs):
        for r, opt, gk, lr in zip(rows, opts, g, lrs):
            opt.param_groups[0]["lr"] = lr * (factors[i] if factors else 1.0)
            r.grad = gk.clone()
            opt.step()
        out.append(torch.stack([r.detach().clone() for r in rows]))
    return out


def config(optimizer="adam", **more):
    return small_experiment(train={"optimizer": optimizer, "adam_beta1": B1, "adam_beta2": B2, "adam_eps": EPS,
                                   "weight_decay": WD if optimizer == "adamw" else 0.0, **more}).train


@pytest.mark.parametrize("optimizer", ["adam", "adamw"])
@pytest.mark.parametrize("fused", [True, False])
def test_flat_optimizer_steps_as_torch_adam(optimizer, fused):
    start = torch.randn(2, 30, generator=torch.Generator().manual_seed(1))
    p = start.clone()
    opt = FlatOptimizer(config(optimizer), p, torch.tensor([LR, LR]))
    if fused:
        assert opt.fused is not None, "this torch has no fused Adam kernel on the CPU"
    else:
        opt.fused, opt.buf = None, torch.zeros_like(p)
    alive = torch.ones(2, dtype=torch.bool)
    for g, want in zip(grads(2, 30), reference(start, grads(2, 30), optimizer)):
        opt.step(g.clone(), 1.0, alive)
        torch.testing.assert_close(p, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fused", [True, False])
def test_flat_optimizer_adam_with_l2_weight_decay_steps_as_torch_adam(fused):
    start = torch.randn(2, 30, generator=torch.Generator().manual_seed(4))
    p = start.clone()
    opt = FlatOptimizer(config("adam", weight_decay=WD), p, torch.tensor([LR, LR]))
    if not fused:
        opt.fused = None
    for g, want in zip(grads(2, 30), reference(start, grads(2, 30), "adam", decay=WD)):
        opt.step(g.clone(), 1.0, torch.ones(2, dtype=torch.bool))
        torch.testing.assert_close(p, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("optimizer", ["adam", "adamw"])
@pytest.mark.parametrize("device_count", [False, True])
def test_the_torch_adam_steps_rows_with_their_own_rates(optimizer, device_count):
    """adam_ on a [K, P] buffer with a [K, 1] column of rates, its step count a number or a 0-d
    tensor (what a captured graph reads when replayed), as each row trained alone."""
    lrs = [LR, LR / 7, LR * 3]
    start = torch.randn(3, 20, generator=torch.Generator().manual_seed(5))
    p, m, v = start.clone(), torch.zeros(3, 20), torch.zeros(3, 20)
    lr = torch.tensor(lrs).view(-1, 1)
    t = torch.zeros(())
    for i, (g, want) in enumerate(zip(grads(3, 20), reference(start, grads(3, 20), optimizer, lrs=lrs))):
        t += 1
        adam_(p, g.clone(), m, v, lr, t.clone() if device_count else i + 1, (B1, B2), EPS,
              decay=WD if optimizer == "adamw" else 0.0)
        torch.testing.assert_close(p, want, rtol=1e-5, atol=1e-6)


# The arithmetic of each torch Adam before they shared optim.adam_, copied: the shared one must give
# their numbers to the bit (runs made with them keep their numbers, docs/numerics.md). The float32
# sums differ between them in the order of operations and in the precision of the bias corrections.
def _former_flat_adam(p, g, m, v, lr, t: int, decay: float):
    """FlatOptimizer without the fused kernel: corrections in double, sqrt(v) / sqrt(c2)."""
    if decay:
        p.mul_(1 - lr * decay)
    m.lerp_(g, 1 - B1)
    v.mul_(B2).addcmul_(g, g, value=1 - B2)
    buf = torch.sqrt(v).div_(math.sqrt(1 - B2 ** t)).add_(EPS)
    p.addcmul_(torch.div(m, buf), lr / (1 - B1 ** t), value=-1)


def _former_captured_adam(p, g, m, v, lr, t: torch.Tensor, decay: float):
    """The captured step without the fused kernel: its step count a float32 tensor on the device."""
    if decay:
        p.mul_(1 - lr * decay)
    m.lerp_(g, 1 - B1)
    v.mul_(B2).addcmul_(g, g, value=1 - B2)
    denom = torch.sqrt(v).div_(torch.sqrt(1 - torch.pow(B2, t))).add_(EPS)
    p.addcmul_(m / denom, lr / (1 - torch.pow(B1, t)), value=-1)


def _former_tensor_adam(p, g, m, v, lr: float, t: int):
    """TensorAdam: sqrt(v / c2) and addcdiv."""
    c1, c2 = 1 - B1 ** t, 1 - B2 ** t
    m.lerp_(g, 1 - B1)
    v.mul_(B2).addcmul_(g, g, value=1 - B2)
    p.addcdiv_(m, (v / c2).sqrt_().add_(EPS), value=-lr / c1)


@pytest.mark.parametrize("optimizer", ["adam", "adamw"])
def test_the_flat_optimizers_adam_keeps_its_former_numbers_to_the_bit(optimizer):
    """FlatOptimizer's written-out step (where torch has no fused kernel) through adam_, rows with
    their own rates and a learning-rate factor."""
    start = torch.randn(3, 40, generator=torch.Generator().manual_seed(8))
    p, q = start.clone(), start.clone()
    lrs = torch.tensor([LR, LR / 7, LR * 3])
    opt = FlatOptimizer(config(optimizer), p, lrs)
    opt.fused = None
    m, v = torch.zeros_like(q), torch.zeros_like(q)
    decay = WD if optimizer == "adamw" else 0.0
    for t, g in enumerate(grads(3, 40), 1):
        opt.step(g.clone(), 0.9, torch.ones(3, dtype=torch.bool))
        _former_flat_adam(q, g.clone(), m, v, (lrs * 0.9).view(-1, 1), t, decay)
        assert torch.equal(p, q), f"step {t}"


@pytest.mark.parametrize("optimizer", ["adam", "adamw"])
def test_the_captured_steps_adam_keeps_its_former_numbers_to_the_bit(optimizer, monkeypatch):
    """Without the fused kernel the captured step steps through adam_ with its step count on the
    device (float32), as it counted before."""
    s, step = _captured_step(optimizer, False, monkeypatch)
    flat = s.model.flat
    q = flat.detach().clone()
    m, v, t = torch.zeros_like(q), torch.zeros_like(q), torch.zeros(())
    lr = step.lr_vec.clone()
    decay = WD if optimizer == "adamw" else 0.0
    for i, g in enumerate(grads(2, flat.shape[1], 10), 1):
        flat.grad.copy_(g)
        step._opt_step()
        t += 1
        _former_captured_adam(q, g.clone(), m, v, lr, t, decay)
        assert torch.equal(flat.detach(), q), f"step {i}"


def test_tensor_adam_keeps_its_former_numbers_to_the_bit():
    start = torch.randn(2, 30, generator=torch.Generator().manual_seed(9))
    params = [torch.nn.Parameter(r.clone()) for r in start]
    q = start.clone()
    m, v = torch.zeros_like(q), torch.zeros_like(q)
    opt = TensorAdam(params, lr=LR, betas=(B1, B2), eps=EPS)
    for t, g in enumerate(grads(2, 30), 1):
        for prm, gk in zip(params, g):
            prm.grad = gk.clone()
        opt.step()
        for k in range(2):
            _former_tensor_adam(q[k], g[k].clone(), m[k], v[k], LR, t)
        assert torch.equal(torch.stack([prm.detach() for prm in params]), q), f"step {t}"


def test_the_defaults_differ_from_these_settings():
    """The settings above move the weights elsewhere than the defaults: the comparison sees them."""
    start = torch.randn(2, 30, generator=torch.Generator().manual_seed(1))
    p = start.clone()
    opt = FlatOptimizer(small_experiment().train, p, torch.tensor([LR, LR]))
    for g in grads(2, 30):
        opt.step(g.clone(), 1.0, torch.ones(2, dtype=torch.bool))
    assert (p - reference(start, grads(2, 30))[-1]).abs().max() > 1e-2


def test_tensor_adam_steps_as_torch_adam():
    start = torch.randn(2, 30, generator=torch.Generator().manual_seed(2))
    params = [torch.nn.Parameter(r.clone()) for r in start]
    opt = TensorAdam(params, lr=LR, betas=(B1, B2), eps=EPS)
    for g, want in zip(grads(2, 30), reference(start, grads(2, 30))):
        for prm, gk in zip(params, g):
            prm.grad = gk.clone()
        opt.step()
        torch.testing.assert_close(torch.stack([q.detach() for q in params]), want, rtol=1e-5, atol=1e-6)


def test_dense_loop_adam_steps_as_torch_adam():
    start = torch.randn(2, 30, generator=torch.Generator().manual_seed(3))
    p = start.numpy().copy()
    opt = dense.NumpyAdam(p, [LR, LR], (B1, B2, EPS))
    for g, want in zip(grads(2, 30), reference(start, grads(2, 30))):
        opt.step(g.numpy().copy(), 1.0, None)
        np.testing.assert_allclose(p, want.numpy(), rtol=1e-5, atol=1e-6)


def test_dense_loop_adam_steps_rows_with_their_rates_a_factor_and_a_frozen_row():
    """Rates per row, a learning-rate factor that changes each step, and row 1 frozen (a model
    the divergence guard stopped): it neither moves nor updates its moments."""
    lrs, factors = [LR, LR / 3, LR * 2], [0.97 ** i for i in range(STEPS)]
    start = torch.randn(3, 30, generator=torch.Generator().manual_seed(6))
    p = start.numpy().copy()
    opt = dense.NumpyAdam(p, lrs, (B1, B2, EPS))
    live = np.array([True, False, True])
    want = reference(start, grads(3, 30), lrs=lrs, factors=factors)
    for g, f, w in zip(grads(3, 30), factors, want):
        opt.step(g.numpy().copy(), f, live)
        np.testing.assert_allclose(p[live], w.numpy()[live], rtol=1e-5, atol=1e-6)
    assert np.array_equal(p[1], start.numpy()[1]) and not opt.m[1].any() and not opt.v[1].any()


def _captured_step(optimizer: str, fused: bool, monkeypatch):
    """The captured loop's step object of a small session on the CPU (its graphs run eagerly)."""
    if not fused:
        monkeypatch.setattr(capture, "_FUSED", {})
    exp = small_experiment(train={"optimizer": optimizer, "adam_beta1": B1, "adam_beta2": B2, "adam_eps": EPS,
                                  "learning_rate": LR, "weight_decay": WD if optimizer == "adamw" else 0.0,
                                  "seeds": 2})
    s = TrainingSession(exp, font_dataset(("Font3",)), device="cpu")
    opt = FlatOptimizer(exp.train, s.model.flat, torch.tensor(s.lrs))
    step = capture._Step(s, s.x, s.x, len(s.x), None, opt, torch.ones(2, dtype=torch.bool))
    assert (step.fused is not None) == fused
    step.begin_epoch(1)
    return s, step


@pytest.mark.parametrize("optimizer", ["adam", "adamw"])
@pytest.mark.parametrize("fused", [True, False])
def test_captured_step_adam_steps_as_torch_adam(optimizer, fused, monkeypatch):
    s, step = _captured_step(optimizer, fused, monkeypatch)
    flat = s.model.flat
    start = flat.detach().clone()
    gs = grads(2, flat.shape[1])
    for g, want in zip(gs, reference(start, gs, optimizer)):
        flat.grad.copy_(g)
        step._opt_step()
        torch.testing.assert_close(flat.detach(), want, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- clipping

def _stacked_grads(k: int = 3):
    """A stacked model's gradient from a real loss, rows far apart in size (one below the clip)."""
    exp = small_experiment(train={"seeds": k})
    s = TrainingSession(exp, font_dataset(("Font3",)), device="cpu")
    with s.model.weight_views():
        total, _, _ = s.loss(s.x, s.x, 1)
    (total * torch.tensor([1.0, 30.0, 0.01][:k])).sum().backward()
    return s, s.model.flat.grad.detach().clone()


def test_clip_rows_is_clip_grad_norm_of_each_model():
    s, g = _stacked_grads()
    norms = g.norm(dim=1)
    max_norm = float(norms.sort().values[1])        # one row above, one at, one below
    got = clip_rows_(g.clone(), max_norm)
    for k in range(3):
        one = s.model.select(k)
        with torch.no_grad():
            grads_k = [torch.empty_like(t).copy_(t) for t in one.named_weights(0).values()]
        # The same row, laid out as that model's tensors, clipped by torch over all of them.
        pieces = g[k].split([t.numel() for t in grads_k])
        params = [torch.nn.Parameter(torch.zeros_like(t)) for t in grads_k]
        for prm, piece in zip(params, pieces):
            prm.grad = piece.view_as(prm).clone()
        total = torch.nn.utils.clip_grad_norm_(params, max_norm)
        assert float(total) == pytest.approx(float(norms[k]), rel=1e-5)
        torch.testing.assert_close(got[k], torch.cat([prm.grad.reshape(-1) for prm in params]), rtol=1e-6, atol=0)
    assert torch.equal(got[0 if norms[0] < max_norm else 2], g[0 if norms[0] < max_norm else 2])
    assert float(got[int(norms.argmax())].norm()) == pytest.approx(max_norm, rel=1e-5)
    # The numpy loop's clipping is the same.
    g_np = g.numpy().copy()
    dense.clip_rows(g_np, max_norm)
    np.testing.assert_allclose(g_np, got.numpy(), rtol=1e-6)


def _train(exp, k_seeds=None, mode="eager"):
    s = TrainingSession(exp, font_dataset(("Font3",)), seeds=k_seeds, device="cpu")
    if mode == "eager":
        s.dense = False
    else:
        assert mode != "dense" or dense.usable(s)
    steps = capture.captured_steps(s) if mode == "captured" else s.steps()
    recs = list(steps)
    return s, recs


def test_stacked_models_are_clipped_each_by_its_own_norm():
    """Model 1 of a stack of two trains as it does alone: its clipping does not see model 0's
    gradient (clipping over the stack would scale both by their joint norm)."""
    exp = small_experiment(train={"optimizer": "sgd", "learning_rate": 0.5, "clip_norm": 0.05, "epochs": 30})
    both, _ = _train(exp, [0, 1])
    alone, _ = _train(exp, [1])
    torch.testing.assert_close(both.model.flat[1], alone.model.flat[0], rtol=1e-5, atol=1e-6)
    unclipped, _ = _train(with_changes(exp, train={"clip_norm": 0.0}), [1])
    assert (unclipped.model.flat[0] - alone.model.flat[0]).abs().max() > 1e-2


def test_an_eager_run_with_clipping_is_torch_sgd_after_clip_grad_norm():
    """Full-batch SGD with clipping, step for step as torch trains one model with clip_grad_norm_."""
    exp = small_experiment(train={"optimizer": "sgd", "learning_rate": 0.5, "clip_norm": 0.05, "epochs": 20,
                                  "check_every": 20})
    s, _ = _train(exp, [0])
    ref = TrainingSession(exp, font_dataset(("Font3",)), seeds=[0], device="cpu")
    flat = ref.model.flat
    opt = torch.optim.SGD([flat], lr=0.5)
    for _ in range(20):
        opt.zero_grad()
        total, _, _ = ref.loss(ref.x, ref.x, 1)
        total.sum().backward()
        torch.nn.utils.clip_grad_norm_([flat], 0.05)
        opt.step()
    torch.testing.assert_close(s.model.flat, flat, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode", ["dense", "captured"])
def test_every_loop_clips_and_uses_the_betas_as_the_eager_loop(mode):
    """The numpy loop and the captured loop (on the CPU) give the eager loop's losses with
    clipping and non-default betas and eps (and not those of the defaults)."""
    opts = {"clip_norm": 0.5, "adam_beta1": B1, "adam_beta2": B2, "adam_eps": EPS, "epochs": 30,
            "check_every": 10, "seeds": 2, "target_max_wrong": None, "learning_rate": 0.02}
    exp = small_experiment(train=opts)
    _, fast = _train(exp, mode=mode)
    _, slow = _train(exp, mode="eager")
    _, plain = _train(small_experiment(train={**opts, "clip_norm": 0.0, "adam_beta1": 0.9, "adam_beta2": 0.999,
                                              "adam_eps": 1e-8}), mode="eager")
    for a, b in zip(fast, slow):
        np.testing.assert_allclose(a.loss_per_model, b.loss_per_model, rtol=1e-4)
    assert np.abs(fast[-1].loss_per_model - plain[-1].loss_per_model).max() > 1e-3
