"""Pieces the MLP and conv autoencoders share: activations (and their derivatives), weight-init
bounds, the check on a saved tensor's shape, and a layer's place in the flat buffer."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from aegui.core.schema.experiment import SLOPED_ACTIVATIONS
from aegui.core.schema.kinds import kind_of

# Numerics revisions (docs/numerics.md): bump one with any change to the numbers its part
# computes (the report's rows that use it are then made again).
NUMERICS = 1        # the layers and activations (with network.py and latent.py)
INIT_NUMERICS = 1   # the weight initialisation (init_bound, init_weights)


# An activation is its entry here, its derivative in ACTIVATION_GRADS, its name in
# schema/experiment.py's ACTIVATIONS, its label in config/fields.py and that label's Spanish, and
# its numpy version (both) in export/layer_source.py for the exported scripts.
ACTIVATIONS = {
    "relu": torch.relu,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.01),
    "elu": F.elu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softplus": F.softplus,
    "cosh": torch.cosh,
    "identity": lambda x: x,
}


def _sigmoid_grad(pre: torch.Tensor) -> torch.Tensor:
    s = torch.sigmoid(pre)
    return s * (1 - s)


# d act / d pre, elementwise: the contractive penalty's Jacobian is carried forward with these.
ACTIVATION_GRADS = {
    "relu": lambda pre: (pre > 0).to(pre.dtype),
    "leaky_relu": lambda pre: torch.where(pre > 0, 1.0, 0.01).to(pre.dtype),
    "elu": lambda pre: torch.where(pre > 0, torch.ones_like(pre), torch.exp(pre.clamp(max=0))),
    "tanh": lambda pre: 1 - torch.tanh(pre) ** 2,
    "sigmoid": _sigmoid_grad,
    "softplus": torch.sigmoid,
    "cosh": torch.sinh,
    "identity": torch.ones_like,
}


def activate(name: str, pre: torch.Tensor, slope: float = 1.0) -> torch.Tensor:
    """The activation `name` of `pre`; tanh and sigmoid take the slope β (model.slope) as
    tanh(β pre) and 1 / (1 + exp(-β pre)). Every layer, the output's too, is activated here (or
    by a loss that knows the same rule: losses.py's BCE from logits)."""
    if slope != 1.0 and name in SLOPED_ACTIVATIONS:
        pre = pre * slope
    return ACTIVATIONS[name](pre)


def activation_grad(name: str, pre: torch.Tensor, slope: float = 1.0) -> torch.Tensor:
    """d act / d pre of `activate(name, pre, slope)`, elementwise; needed for the contractive
    penalty's Jacobian."""
    if slope != 1.0 and name in SLOPED_ACTIVATIONS:
        return slope * ACTIVATION_GRADS[name](pre * slope)
    return ACTIVATION_GRADS[name](pre)


def dropout(h: torch.Tensor, p: float, gen: torch.Generator | None) -> torch.Tensor:
    """Inverted dropout: each value zeroed with probability p (drawn from `gen`, apart for every
    element, so for every sample and stacked model), the rest scaled by 1 / (1 - p) so that a
    unit's mean is what the model without dropout computes."""
    if p <= 0:
        return h
    keep = torch.rand(h.shape, generator=gen, device=h.device, dtype=h.dtype) >= p
    return h * keep / (1 - p)


def init_bound(init: str, fan_in: int, fan_out: int) -> float:
    """Half-width of the uniform draw for a weight: He, Xavier (Glorot), or the classic
    "uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)]"."""
    if init == "he":
        return math.sqrt(6.0 / fan_in)
    if init == "xavier":
        return math.sqrt(6.0 / (fan_in + fan_out))
    return 1.0 / math.sqrt(fan_in)


def stored_tensor(tensors: dict, key: str, shape) -> torch.Tensor:
    """tensors[key], checked against the shape the model needs (loading saved weights)."""
    if key not in tensors:
        raise KeyError(f"tensor {key!r} is missing")
    src = tensors[key]
    if tuple(src.shape) != tuple(shape):
        raise ValueError(f"tensor {key!r} has shape {tuple(src.shape)}; the model needs {tuple(shape)}")
    return src


@dataclass(frozen=True)
class Slot:
    """One dense layer's place in the flat parameter buffer: its sizes, where its weight and bias start, and its
    activation."""
    name: str        # "encoder.0" / "decoder.1"
    fan_in: int
    fan_out: int
    offset: int      # weight at [offset, offset + fan_in*fan_out), bias right after
    activation: str

    kind = "dense"   # as network.LayeredNetwork and Explain ask a layer (arch.Block's are convolutions)
    kernel = 1

    @property
    def weight_shape(self) -> tuple[int, int]:
        """(fan_in, fan_out), as stored."""
        return (self.fan_in, self.fan_out)


def keep_top_k(code: torch.Tensor, k: int) -> torch.Tensor:
    """k-sparse codes (Makhzani & Frey): each sample keeps its k largest units, the rest are
    zeroed; the gradient flows only through the kept units."""
    idx = code.topk(k, dim=-1).indices
    return code * torch.zeros_like(code).scatter_(-1, idx, 1.0)


def top_k_of(spec) -> int:
    """k when the spec is a k-sparse autoencoder, else 0."""
    return spec.sparsity_k if kind_of(spec).sparse_codes and spec.sparsity == "topk" else 0


