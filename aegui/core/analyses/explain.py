"""Explain one input: walk it through a model and keep every number on the way.

For every layer its values before and after the activation (a fully connected layer's units; a
convolution's feature maps [channels, h, w]); for a VAE the mean and spread (sigma) of each
latent dimension, the noise drawn (seeded, so the same seed draws the same noise and another
seed re-samples), the code mean + sigma * noise, the KL term of each dimension and the decoder's
output; for a denoiser the noisy input, its code, the output, the output thresholded (keeping
the pixels the model is not sure of, as model.flip_confidence says) and the pixels it changed.

K = 1 models of any architecture: the walk is the model's own encode_raw / decode_logits, each
layer handing over its values (models/network.Network's `steps`), so it stays what the model
computes; numpy out, so a panel can draw it on the GUI thread. tests/core/analyses/test_explain.py
checks it against plain torch on the saved weights.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from aegui.core.schema.kinds import kind_of
from aegui.core.archs import arch_of
from aegui.core.data.noise import apply_noise
from aegui.core.models.latent import keep_sure
from aegui.core.models.layers import keep_top_k

LOGVAR_CLAMP = (-20.0, 20.0)    # as in training (train/session.py): exp() of it stays finite


@dataclass
class LayerValues:
    """One layer's values for the explained input: before and after its activation, and its part in the model.
    """
    name: str                   # the weights' name in model.safetensors without .weight, or "input"
    kind: str                   # input, dense, conv, deconv, local (same-size conv), linear
    activation: str             # "" for the input
    pre: np.ndarray | None      # before the activation ([units] or [channels, h, w]); None for the input
    post: np.ndarray            # after it: what the next layer reads
    role: str = ""              # "code" on the layer that gives the code, "output" on the last,
                                # "mean, log-variance" on a VAE encoder's last layer
    part: str = ""              # "encoder" or "decoder" ("" for the input)


@dataclass
class VaeStep:
    """A VAE's sampling step for the explained input, per latent dimension: mean, spread, the noise drawn, the
    code and its KL term."""
    mean: np.ndarray            # [L] mu
    log_var: np.ndarray         # [L] log sigma^2 (clamped as in training)
    sigma: np.ndarray           # [L] the spread exp(log_var / 2)
    noise: np.ndarray           # [L] eps ~ N(0, 1), drawn with `seed`
    code: np.ndarray            # [L] mean + sigma * noise: what the decoder got
    kl: np.ndarray              # [L] KL(N(mu, sigma^2) || N(0, 1)) per dimension, in nats
    seed: int
    mean_output: np.ndarray     # [D] the decoder's output for the mean (what reconstructions show)

    @property
    def kl_total(self) -> float:
        """The KL term summed over the latent dimensions, in nats."""
        return float(self.kl.sum())


@dataclass
class DenoiseStep:
    """A denoiser's step for the explained input: the noisy input, the output, the thresholded result and the
    pixels it changed."""
    noisy: np.ndarray           # [D] the input the model got
    output: np.ndarray          # [D] its output, probabilities
    result: np.ndarray          # [D] 0 / 1: the output thresholded at 0.5, keeping the input's pixel
                                # where the model is less than flip_confidence sure it is wrong
    changed: np.ndarray         # [D] bool: pixels where result differs from the (thresholded) input
    flip_confidence: float
    clean: np.ndarray | None = None     # [D] the drawing before the noise, when known
    wrong: int | None = None            # result's wrong pixels against `clean`
    noisy_wrong: int | None = None      # the noisy input's, the same


@dataclass
class Explanation:
    """One input walked through a model: every layer's values, the code, the output, and the VAE's or denoiser's
    step where the model has one."""
    input: np.ndarray           # [D] what went in (the noisy input for a denoiser)
    shape: tuple                # how a sample is shown, e.g. (7, 5) or (32, 32, 3)
    layers: list[LayerValues]   # input first, output last
    code: np.ndarray            # [L] the code the decoder got (a VAE's sampled one)
    output: np.ndarray          # [D] the decoder's output for it
    vae: VaeStep | None = None
    denoise: DenoiseStep | None = None
    notes: list[str] = field(default_factory=list)

    def layer(self, name: str) -> LayerValues:
        """The layer named `name`; KeyError naming the layers there are."""
        for lay in self.layers:
            if lay.name == name:
                return lay
        raise KeyError(f"no layer {name!r}; the layers are {', '.join(lay.name for lay in self.layers)}")


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy().copy()


def _vector(x, dim: int) -> np.ndarray:
    v = np.asarray(x, np.float32).reshape(-1)
    if v.size != dim:
        raise ValueError(f"the model reads {dim} values per sample; this input has {v.size}")
    return v


def _layers(steps, part: str, last_role: str) -> list[LayerValues]:
    return [LayerValues(s.name, s.kind, s.activation, _np(s.pre), _np(s.post),
                        last_role if i == len(steps) - 1 else "", part) for i, s in enumerate(steps)]


@torch.no_grad()
def _decode(model, z, layers: list) -> torch.Tensor:
    """The output [D] for a code z [1, L], each decoder layer's values appended to `layers`."""
    steps: list = []
    out = model.decode(z, steps)[0, 0]
    layers += _layers(steps, "decoder", "output")
    return out


def explain(model, x, *, seed: int = 0, clean=None, noise: tuple[str, float] | None = None,
            shape: tuple | None = None) -> Explanation:
    """Walk one sample x ([D] or its image shape) through the K = 1 `model`.

    seed: draws a VAE's noise (the same seed, the same draw; another re-samples) and the
    `noise` added to x. noise=(kind, level): x is taken as clean, and the input is x with that
    noise (a denoiser's dataset item). clean: the drawing before its noise, for a denoiser's
    wrong-pixel counts. shape: how a sample is shown (default: the model's image shape, else
    5x7 for 35 values, else flat)."""
    if model.k != 1:
        raise ValueError("explain one model: select it first (model.select(k))")
    spec = model.spec
    dim = model.input_dim
    x = _vector(x, dim)
    if noise is not None:
        clean = x
        x = apply_noise(x.reshape(1, -1), noise[0], noise[1], np.random.default_rng(seed))[0]
    device = model.flat.device
    xt = torch.as_tensor(x, device=device)
    layers = [LayerValues("input", "input", "", None, x.copy())]
    steps: list = []
    with torch.no_grad():
        h = model.encode_raw(xt.view(1, -1), steps)[0][0]      # [1, L] or [1, 2L]
    layers += _layers(steps, "encoder", "mean, log-variance" if model.is_vae else "code")
    vae = None
    notes = []
    latent_dim = model.latent_dim
    if model.is_vae:
        mu = h[:, :latent_dim]
        log_var = h[:, latent_dim:].clamp(*LOGVAR_CLAMP)
        sigma = torch.exp(0.5 * log_var)
        eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(int(seed))).to(device)
        z = mu + sigma * eps
        kl = -0.5 * (1 + log_var - mu.pow(2) - log_var.exp())
        mean_output = _decode(model, mu, [])
        vae = VaeStep(_np(mu[0]), _np(log_var[0]), _np(sigma[0]), _np(eps[0]), _np(z[0]), _np(kl[0]),
                      int(seed), _np(mean_output))
    elif model.top_k:
        z = keep_top_k(h, model.top_k)
        notes.append(f"k-sparse: the code keeps its {model.top_k} largest values and zeroes the rest")
    else:
        z = h
    out = _decode(model, z, layers)
    output = _np(out)
    denoise = None
    if kind_of(spec).corrupts_inputs:

        confidence = float(getattr(spec, "flip_confidence", 0.5))
        kept = keep_sure(x, output, confidence) if confidence > 0.5 else output
        result = (kept >= 0.5).astype(np.float32)
        denoise = DenoiseStep(x.copy(), output, result, result != (x >= 0.5), confidence)
        if clean is not None:
            truth = _vector(clean, dim) >= 0.5
            denoise.clean = truth.astype(np.float32)
            denoise.wrong = int((result.astype(bool) != truth).sum())
            denoise.noisy_wrong = int(((x >= 0.5) != truth).sum())
    if shape is None:
        shape = tuple(spec.input_shape) if arch_of(spec).reads_images else ((7, 5) if dim == 35 else (dim,))
    return Explanation(x.copy(), tuple(shape), layers, _np(z[0]), output, vae, denoise, notes)
