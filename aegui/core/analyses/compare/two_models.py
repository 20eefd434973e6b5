"""Compare two models on the same data: their metrics in one table, their codes (and a 2-D map of
each model's codes) and their reconstructions of the same inputs.

The table holds what fits the data: wrong pixels for black-and-white glyphs, MSE and PSNR for
grey or colour pictures, both models' own training loss, the parameters and latent size, and for
denoisers the error on the same noisy copies beside the noisy input's. When model A held samples
out for validation (held_out_mask), the wrong pixels are counted on its training set and on its
validation set apart: counted on all of them, a model named "— 0 px" (its training set's worst)
showed 17 wrong pixels, all from glyphs it never trained on. Two models that read
different data shapes are refused with a sentence that names both shapes. Qt-free; numpy out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from aegui.core.train.image_quality import is_binary, reconstruction_errors
from aegui.core.analyses.replay import projection
from aegui.core.archs import arch_of
from aegui.core.schema.experiment import ConfigError, Experiment
from aegui.core.schema.kinds import kind_of
from aegui.core.data.sources import sample_shape
from aegui.core.data.dataset import Dataset, spread_indices
from aegui.core.data.datasets import from_config, split_indices
from aegui.core.data.noise import LABELS as NOISE_LABELS
from aegui.core.data.noise import apply_noise
from aegui.core.models import latent
from aegui.core.models import losses as L

MAX_SAMPLES = 2000      # samples measured and shown (spread evenly over bigger sets)


class CompareError(ValueError):
    """Two models that cannot be compared, or data neither reads; the message says why."""


@dataclass
class MetricRow:
    """One row of the metrics table: a measure's value for each model and which way is better."""
    key: str                        # e.g. "mean_wrong", "psnr"
    label: str                      # English, for a table
    values: tuple                   # (model A's, model B's): numbers, or text for kind / architecture
    lower_is_better: bool | None    # None: not a score (parameters, latent size, kind)
    note: str = ""                  # what a value means when it needs saying (the loss's formula)

    @property
    def better(self) -> int | None:
        """0 or 1: which model scores better; None when they tie or it is not a score."""
        a, b = self.values
        if self.lower_is_better is None or not all(isinstance(v, (int, float)) for v in (a, b)) \
                or a == b or any(math.isnan(v) for v in (a, b)):
            return None
        return int((b < a) == self.lower_is_better)


@dataclass
class Comparison:
    """Two models on the same samples: their codes, the codes on a plane, their reconstructions and the metrics
    table."""
    names: tuple[str, str]
    data_name: str
    shape: tuple                    # how a sample is shown, e.g. (7, 5)
    labels: list[str]               # of the compared samples
    inputs: np.ndarray              # [N, D] the samples both models got
    codes: tuple                    # ([N, La], [N, Lb]) each model's codes (a VAE's means)
    xy: tuple                       # ([N, 2], [N, 2]) the codes on a plane (the dims for L <= 2, else PCA)
    reconstructions: tuple          # ([N, D], [N, D]) outputs (a denoiser's, flip_confidence kept)
    rows: list[MetricRow]
    noise: tuple | None = None      # (kind, level) of the noisy rows, when a denoiser is compared
    notes: list[str] = field(default_factory=list)
    held_out: int = 0               # of the samples, those A held out for validation

    def row(self, key: str) -> MetricRow:
        """The metrics row of `key`; KeyError naming the rows there are when it has none."""
        for r in self.rows:
            if r.key == key:
                return r
        raise KeyError(f"no metric {key!r}; the table has {', '.join(r.key for r in self.rows)}")

    def nearest(self, side: int, point) -> int:
        """The sample whose code is nearest `point` on model `side`'s map (0 = A, 1 = B): what a
        hover there picks, to ring the same sample on the other map (xy[1 - side][index])."""
        d = ((self.xy[side] - np.asarray(point, np.float64)) ** 2).sum(1)
        return int(np.argmin(d))

    def table(self) -> list[tuple[str, str, str]]:
        """(label, A, B) as text."""
        return [(r.label, _fmt(r.values[0]), _fmt(r.values[1])) for r in self.rows]


def _fmt(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (int, np.integer)):
        return f"{v:,}"
    return f"{v:.4g}"


def data_shape(model, exp: Experiment) -> tuple:
    """The shape of one sample the model reads, (H, W) for grey: the data it was trained on,
    else its input."""
    if arch_of(exp.model).reads_images:
        shape = tuple(exp.model.input_shape)
    else:
        try:
            shape = tuple(sample_shape(exp.data))
        except ConfigError:       # its data is gone (a folder or IDX file moved): the input size
            shape = (model.input_dim,)
        shape = shape if math.prod(shape) == model.input_dim else (model.input_dim,)
    return shape[:2] if len(shape) == 3 and shape[2] == 1 else shape


def describe_shape(shape) -> str:
    """A sample shape in words for messages: "5x7 glyphs (35 values)", "28x28 grey images (784 values)"."""
    shape = tuple(shape)
    if shape == (7, 5):
        return "5x7 glyphs (35 values)"
    n = math.prod(shape)
    if len(shape) == 1:
        return f"{n:,} values per sample"
    colour = {3: " RGB", 4: " RGBA"}.get(shape[2], "") if len(shape) == 3 else " grey"
    return f"{shape[0]}x{shape[1]}{colour} images ({n:,} values)"


def check_same_data(shape_a, shape_b, names=("A", "B")) -> None:
    """Raises CompareError, naming both shapes, when the two models read differently shaped samples."""
    if tuple(shape_a) != tuple(shape_b):
        raise CompareError(f"{names[0]} reads {describe_shape(shape_a)} and {names[1]} reads "
                           f"{describe_shape(shape_b)}: two models can be compared only on the same "
                           "data; pick two models of the same data shape")


def architecture(exp: Experiment) -> str:
    """'fully connected (MLP): 35 → 32 → 16 → 2 → ...': the builder's picture of the layers."""
    m = exp.model
    arch = arch_of(m)
    shape = tuple(m.input_shape) if arch.reads_images else None
    return f"{arch.label}: " + " → ".join(text for text, _ in arch.layer_chain(m, shape, m.latent_index))


@torch.no_grad()
def own_loss(model, exp: Experiment, x: np.ndarray) -> tuple[float, str]:
    """The model's training loss on x, measured deterministically (a VAE decodes its mean, a
    denoiser gets clean inputs), and what it is."""
    spec, t = exp.model, exp.train
    xt = torch.as_tensor(np.asarray(x, np.float32), device=model.flat.device)
    what = t.loss.upper()
    if kind_of(spec).samples_codes:
        h, _ = model.encode_raw(xt)
        mu, logvar = h[..., : model.latent_dim], h[..., model.latent_dim:].clamp(-20, 20)
        recon = L.reconstruction(model.decode_logits(mu), xt, t.loss, spec.output_activation, True, spec.slope)
        total = recon + spec.beta * L.kl_normal(mu, logvar)
        return float(total[0]), f"{what} summed per sample + {spec.beta:g} x KL"
    recon = L.reconstruction(model.decode_logits(model.encode(xt)), xt, t.loss, spec.output_activation, False,
                             spec.slope)
    return float(recon[0]), f"{what}, mean per value (reconstruction term)"


def held_out_mask(exp: Experiment, n: int) -> np.ndarray | None:
    """Which of the n samples of `exp`'s whole data its run held out for validation (the same
    seeded split the run made), or None when it held none out."""
    if not exp.data.val_split:
        return None
    _, val = split_indices(n, exp.data.val_split, exp.data.split_seed)
    mask = np.zeros(n, bool)
    mask[val] = True
    return mask


def compare(model_a, exp_a: Experiment, model_b, exp_b: Experiment, data: Dataset | None = None, *,
            names: tuple[str, str] | None = None, noise: tuple[str, float] | None = None,
            repeats: int = 10, seed: int = 0, max_samples: int = MAX_SAMPLES,
            held_out: np.ndarray | None = None) -> Comparison:
    """Both K = 1 models on `data` (default: the data model A was trained on). noise=(kind,
    level): the noisy copies a denoiser is measured on (default: the first denoiser's own).
    held_out: which samples of `data` A held out for validation (default, for A's own data:
    held_out_mask's); their wrong pixels are counted apart from the training set's."""
    names = names or (exp_a.name, exp_b.name if exp_b.name != exp_a.name else f"{exp_b.name} (B)")
    shape_a, shape_b = data_shape(model_a, exp_a), data_shape(model_b, exp_b)
    check_same_data(shape_a, shape_b, names)
    if data is None:
        data = from_config(exp_a.data)
        held_out = held_out_mask(exp_a, len(data)) if held_out is None else held_out
    if data.dim != model_a.input_dim:
        raise CompareError(f"{data.name} holds {describe_shape(data.shape)} but the models read "
                           f"{describe_shape(shape_a)}; pick data of that shape")
    if not len(data):
        raise CompareError(f"{data.name} holds no samples")
    if len(data) > max_samples:
        index = spread_indices(len(data), max_samples)
        data = data.subset(index)
        held_out = held_out[index] if held_out is not None else None
    x = np.asarray(data.x, np.float32)
    models, exps = (model_a, model_b), (exp_a, exp_b)
    binary = is_binary(x)
    codes = tuple(latent.encode(m, x) for m in models)
    xy = tuple(_plane(c) for c in codes)
    recon = tuple(latent.denoise(m, x) if kind_of(e).corrupts_inputs else latent.reconstruct(m, x)
                  for m, e in zip(models, exps))
    rows = [MetricRow("kind", "kind", tuple(e.model.kind for e in exps), None),
            MetricRow("architecture", "architecture", tuple(architecture(e) for e in exps), None),
            MetricRow("parameters", "parameters", tuple(int(m.parameter_count()) for m in models), None),
            MetricRow("latent", "latent size", tuple(int(m.latent_dim) for m in models), None)]
    notes = []
    held = held_out if held_out is not None and 0 < held_out.sum() < len(held_out) else None
    if binary:
        wrong = tuple(((r >= 0.5) != (x >= 0.5)).sum(1) for r in recon)
        rows += _wrong_rows(wrong, held)
        if held is not None and exp_b.data != exp_a.data and exp_b.data.val_split:
            notes.append("B held out samples of its own for validation: the training and validation sets are A's.")
    errors = tuple(reconstruction_errors(x, r) for r in recon)
    rows.append(MetricRow("mse", "MSE", tuple(float(mse.mean()) for mse, _ in errors), True))
    if not binary:
        rows.append(MetricRow("psnr", "PSNR (dB)", tuple(float(p.mean()) for _, p in errors), False))
    losses = tuple(own_loss(m, e, x) for m, e in zip(models, exps))
    same = losses[0][1] == losses[1][1]
    rows.append(MetricRow("loss", "loss (its own)", tuple(v for v, _ in losses), True if same else None,
                          losses[0][1] if same else f"A: {losses[0][1]}; B: {losses[1][1]}"))
    if not same:
        notes.append("The two models train on different losses, so their loss values do not compare.")
    denoisers = [e for e in exps if kind_of(e).corrupts_inputs]
    if noise is None and denoisers:
        noise = (denoisers[0].noise.kind, denoisers[0].noise.level)
    if noise is not None:
        rows += _noisy_rows(models, exps, x, noise, repeats, seed, binary)
    return Comparison(names, data.name, tuple(data.shape), list(data.labels), x, codes, xy, recon, rows,
                      noise, notes, int(held.sum()) if held is not None else 0)


def _wrong_rows(wrong, held) -> list[MetricRow]:
    """Max and mean wrong pixels of both models: on all the samples, or (`held`: the samples A
    held out) on its training set and its validation set apart."""
    parts = [("", "", np.ones(len(wrong[0]), bool))] if held is None else \
        [("_train", ", training set", ~held), ("_val", ", validation set", held)]
    rows = []
    for suffix, what, keep in parts:
        rows.append(MetricRow(f"max_wrong{suffix}", f"max wrong pixels{what}",
                              tuple(int(w[keep].max()) for w in wrong), True))
        rows.append(MetricRow(f"mean_wrong{suffix}", f"mean wrong pixels{what}",
                              tuple(float(w[keep].mean()) for w in wrong), True))
    return rows


def _plane(codes: np.ndarray) -> np.ndarray:
    basis, origin = projection(codes)
    xy = (np.asarray(codes, np.float64) - origin) @ basis.T
    return np.pad(xy, ((0, 0), (0, 2 - xy.shape[1]))) if xy.shape[1] < 2 else xy


def _noisy_rows(models, exps, x, noise, repeats, seed, binary) -> list[MetricRow]:
    """Both models on the same noisy copies (clean targets), and the noisy input itself."""
    kind, level = noise
    copies = np.repeat(x, repeats, axis=0)
    noisy = apply_noise(copies, kind, level, np.random.default_rng(seed))
    what = f"{NOISE_LABELS.get(kind, kind)} {level * 100:g} %"
    outs = [latent.denoise(m, noisy) if kind_of(e).corrupts_inputs else latent.reconstruct(m, noisy)

            for m, e in zip(models, exps)]
    if binary:
        score = lambda out: float(((out >= 0.5) != (copies >= 0.5)).sum(1).mean())   # noqa: E731
        key, label = "noisy_wrong", f"mean wrong pixels at {what}"
    else:
        score = lambda out: float(((out - copies) ** 2).mean())                      # noqa: E731
        key, label = "noisy_mse", f"MSE at {what}"
    base = score(noisy)
    return [MetricRow(key, label, tuple(score(o) for o in outs), True, f"the noisy input: {base:.4g}"),
            MetricRow(f"{key}_input", f"{label}: the noisy input", (base, base), None)]
