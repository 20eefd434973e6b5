"""How much memory a training run will take, worked out before anything is allocated.

A config with `layers: [35, 1000000000, 2, 1000000000, 35]` used to end in an allocator
traceback, and one 100 times smaller would take tens of GB (Adam's state on top) and the
machine with it. TrainingSession calls check() before it builds a model; the builder shows
estimate() live. Torch-free at import (the builder counts with it before torch loads).
"""
from __future__ import annotations

from dataclasses import dataclass

from aegui.core.archs import arch_of
from aegui.core.schema.experiment import SCIPY_OPTIMIZERS, ConfigError, Experiment
from aegui.core.schema.kinds import kind_of
from aegui.core.files.sysmem import ENV_LIMIT, forced_limit, parse_size, ram_available  # noqa: F401

FLOAT = 4           # bytes of a float32
# Tensors a layer keeps per sample while training: its pre-activation and activation for
# backward, and the gradient flowing back through it.
_ACT_COPIES = 3
# Flat [K, P] buffers besides the weights: the gradient, the divergence snapshot (session.py)
# and backward's per-layer gradients before they land in the flat one; plus the optimizer's
# own state (optim.py keeps m, v and a scratch buffer). bench/memory_estimate.py measured the
# peaks this must stay above.
_BASE_COPIES = 3
# Fixed costs of any run (allocator, autograd and thread workspaces; cuBLAS's on CUDA): the
# smallest model peaked at 19 MB more than its tensors on the CPU and 160 MB on an H100.
_OVERHEAD = {"cpu": 48 * 2 ** 20, "cuda": 320 * 2 ** 20}
# Refused when the estimate comes within this share of the memory free: the estimate was 0.99
# of the measured peak for 33 and 67 GB runs on an H100 (bench/memory_estimate.py).
MARGIN = 1.05
_OPT_STATE = {"sgd": 1, "momentum": 2, "adam": 3, "adamw": 3, "rmsprop": 3}   # + a step's temporary
_VAL_CHUNK = 4096   # session.val_loss works through the validation set in chunks of this size



class MemoryBudgetError(ConfigError):
    """The run would need more memory than the machine has; the message says what to change."""

    def __init__(self, field: str, problem: str, need: int, have: int):
        super().__init__(field, problem)
        self.need, self.have = need, have


@dataclass(frozen=True)
class Estimate:
    """What a training session needs in memory: weights with their gradients and optimizer state, one step's
    activations, and the data."""
    weights: int        # weights, gradients, snapshot and optimizer state, all K models
    activations: int    # what one training step keeps per batch
    data: int           # the training (and validation) samples on the device, noisy copies too
    params: int         # parameters of one model
    models: int
    rows: int           # samples per step

    @property
    def total(self) -> int:
        """All of it, in bytes."""
        return self.weights + self.activations + self.data


def human(n: float, fmt=format) -> str:
    """Bytes as "50.5 MB"; `fmt(value, spec)` writes the number (a UI passes its own, with its
    decimal point)."""
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1000 or unit == "PB":
            return f"{fmt(n, '.0f')} {unit}" if unit == "bytes" else f"{fmt(n, '.3g')} {unit}"
        n /= 1000
    return f"{fmt(n, '.3g')} PB"


def _widths(exp: Experiment) -> int:
    """Values one sample passes through in a forward pass (every layer's output, the input too)."""
    return arch_of(exp.model).forward_values(exp.model)


def estimate(exp: Experiment, samples: int, dim: int | None = None, models: int | None = None,
             val_samples: int = 0, device: str = "cpu") -> Estimate:
    """Bytes a run of `exp` on `samples` samples of `dim` values takes, K = `models` at once."""
    spec, t, noise = exp.model, exp.train, exp.noise
    k = max(1, int(models or t.seeds or 1))
    arch = arch_of(spec)
    try:
        p = arch.parameter_count(spec)
    except (ValueError, TypeError, IndexError):
        p = 0
    dim = dim if dim is not None else arch.input_size(spec)
    samples = max(0, int(samples))
    fixed = kind_of(spec).corrupts_inputs and noise.mode == "fixed"
    n = samples * (max(1, noise.copies) if fixed else 1)
    rows = min(t.batch_size, n) if 0 < t.batch_size < n else n
    scipy = t.optimizer in SCIPY_OPTIMIZERS
    if scipy:
        # One float64 copy of the model, and scipy's own state: Powell and BFGS keep a
        # P x P matrix (directions / inverse Hessian), CG a few vectors.
        square = 8 * p * p if t.optimizer in ("powell", "bfgs") else 8 * 6 * p
        weights = FLOAT * k * p * (1 + _BASE_COPIES) + 8 * p + square
    else:
        weights = FLOAT * k * p * (1 + _BASE_COPIES + _OPT_STATE.get(t.optimizer, 3))
    if t.patience:
        weights += FLOAT * k * p      # early stopping keeps each model's best weights (train/loop/early_stop.py)
    weights += FLOAT * p * (3 if val_samples else 2)     # best-model copies, the validation model
    per_sample = _widths(exp)
    copies = _ACT_COPIES + (2 if kind_of(spec).penalizes_jacobian else 0)
    activations = FLOAT * k * rows * per_sample * copies * (2 if scipy else 1)
    if val_samples:
        activations = max(activations, FLOAT * min(val_samples, _VAL_CHUNK) * per_sample * 2)
    data = (FLOAT + 1) * samples * dim            # the samples and their thresholded targets
    if fixed:
        data += 2 * FLOAT * n * dim               # the noisy copies and their clean targets
    elif kind_of(spec).corrupts_inputs:
        data += 3 * FLOAT * k * samples * dim     # fresh noise each epoch, K copies (float64 first)
    if scipy:
        data += 2 * 8 * n * dim
    data += FLOAT * val_samples * dim
    overhead = _OVERHEAD["cuda" if str(device).startswith("cuda") else "cpu"]
    return Estimate(int(weights + overhead), int(activations), int(data), p, k, rows)


def available(device: str = "cpu") -> tuple[int | None, str]:
    """(bytes free for a new run, what they are) on `device`; None where it cannot be told."""
    forced = forced_limit()
    if forced is not None:
        return forced, f"memory ({ENV_LIMIT})"
    if str(device).startswith("cuda"):
        import torch
        try:
            free, _ = torch.cuda.mem_get_info(torch.device(device))
        except (RuntimeError, AssertionError, ValueError):
            return None, "GPU memory"
        return int(free), "GPU memory"
    return ram_available(), "RAM"


def advice(exp: Experiment, est: Estimate) -> tuple[str, str]:
    """(the field to change, what to change) for the largest part of the estimate."""
    t, spec = exp.train, exp.model
    fewer = f" or fewer models trained together (train.seeds is {est.models})" if est.models > 1 else ""
    if est.weights >= max(est.activations, est.data):
        field, what = arch_of(spec).shrink_advice(spec)
        if _OPT_STATE.get(t.optimizer, 0) >= 3 or t.optimizer in ("powell", "bfgs"):
            what += f"{fewer}, or an optimizer that keeps less state than {t.optimizer} (sgd, momentum, cg)"
        else:
            what += fewer
        return field, what
    if est.activations >= est.data:
        batch = f"train.batch_size is {t.batch_size}" if t.batch_size else "train.batch_size is 0, the whole set"
        return "train.batch_size", f"use a smaller batch ({batch}){fewer} or smaller layers"
    return "data.max_samples", ("use fewer samples (data.max_samples) or smaller images"
                                + (f", or fewer noisy copies (noise.copies is {exp.noise.copies})"
                                   if kind_of(spec).corrupts_inputs and exp.noise.mode == "fixed" else ""))



def describe(est: Estimate) -> str:
    """The estimate in words: the total, then what the weights, a step and the data take."""
    return (f"{human(est.total)} ({human(est.weights)} for {est.models} x {est.params:,} weights "
            f"with their gradients and optimizer state, {human(est.activations)} for a step on "
            f"{est.rows:,} samples, {human(est.data)} for the data)")


def check(exp: Experiment, samples: int, dim: int | None = None, models: int | None = None,
          device: str = "cpu", val_samples: int = 0) -> Estimate:
    """Raise MemoryBudgetError, one sentence, when the run cannot fit; the estimate otherwise."""
    est = estimate(exp, samples, dim, models, val_samples, device)
    have, what = available(device)
    if have is not None and est.total * MARGIN > have:
        field, what_to_do = advice(exp, est)
        raise MemoryBudgetError(field, f"training needs about {describe(est)} but only "
                                f"{human(have)} of {what} is available; {what_to_do}", est.total, have)
    return est


def check_session(exp: Experiment, data, k: int, device, val_data=None) -> Estimate:
    """check() for TrainingSession: the samples and the device it is about to use."""
    return check(exp, len(data), int(data.dim), k, str(device),
                 len(val_data) if val_data is not None else 0)


# Arrays of the noisy copies a measurement holds at once (denoise_curve.wrong_pixels: the
# copies, the noisy ones, the output, the masks compared), in float32s per value.
_MEASURE_COPIES = 6


def check_measure(exp: Experiment, samples: int, repeats: int, option: str = "--repeats") -> int:
    """Bytes of measuring `samples` samples on `repeats` noisy copies each (teach's and eval's
    --repeats), all at once on the CPU; MemoryBudgetError naming `option` when they cannot fit,
    so a command refuses before any work, not after training (10^8 copies asked for 261 GiB)."""
    dim = arch_of(exp.model).input_size(exp.model)
    rows = max(0, int(samples)) * max(1, int(repeats))
    need = rows * FLOAT * (_MEASURE_COPIES * dim + 2 * _widths(exp)) + _OVERHEAD["cpu"]
    have, what = available("cpu")
    if have is not None and need * MARGIN > have:
        raise MemoryBudgetError(option, f"measuring {samples:,} samples on {repeats:,} noisy copies each needs "
                                f"about {human(need)} but only {human(have)} of {what} is available; "
                                f"use fewer copies", need, have)
    return need


def likely_samples(data) -> int | None:
    """How many samples a DataConfig will give, from the config and file headers only (the
    builder asks on every edit): None when that cannot be told cheaply."""
    from aegui.core.data.sources import source_of
    try:
        n = source_of(data).likely_samples(data)
    except (ConfigError, OSError, ValueError):
        return None
    if n is not None and data.max_samples:
        n = min(n, data.max_samples)
    return n


def free_models(spec, rows: int, device, fraction: float = 0.5) -> int | None:
    """How many stacked models of `spec` fit in `fraction` of the CUDA device's free memory
    when each trains on `rows` samples per step; None off CUDA (the CPU path picks no K)."""
    import torch
    dev = torch.device(device)
    if dev.type != "cuda" or not torch.cuda.is_available():
        return None
    free, _ = torch.cuda.mem_get_info(dev)
    arch = arch_of(spec)
    params = arch.parameter_count(spec)
    acts = arch.step_activations(spec)
    # Weights, gradient, Adam's two moments, the divergence snapshot, the four copies kept
    # while the step is recorded and a spare for the optimizer's temporaries; activations kept
    # for backward and their gradients (x2), all fp32.
    per_model = 4 * (10 * params + 2 * rows * acts)
    return max(1, int(free * fraction // per_model))
