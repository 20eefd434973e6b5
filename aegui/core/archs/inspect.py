"""What a fully connected autoencoder holds and does, as numpy for the network view: its layer
sizes, each layer's weights, and every unit's activation for one input; a convolutional one's
feature maps (each architecture draws its own: aegui/core/archs/). K=1 models."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from aegui.core.archs import arch_of
from aegui.core.models.layers import activate


@dataclass
class Layers:
    """A fully connected model drawn as columns of units: the column sizes, the weights between neighbours, and
    which column is the code."""
    sizes: list[int]                 # units per column: input, hidden..., code, hidden..., output
    weights: list[np.ndarray]        # [sizes[i], sizes[i+1]] between column i and i+1
    latent_column: int               # which column is the code
    names: list[str]


def is_dense(model) -> bool:
    """The network view draws the units of fully connected models (mlp_net.Autoencoder)."""
    return arch_of(model.spec).dense


def layers(model) -> Layers:
    """The columns and weights of a fully connected model (K = 1); ValueError for any other architecture."""
    if not is_dense(model):
        raise ValueError("only fully connected models have units in columns")
    latent = model.latent_dim
    sizes, weights, names = [model.input_dim], [], ["input"]
    slots = list(model.enc_slots) + list(model.dec_slots)
    with torch.no_grad():
        for i, s in enumerate(slots):
            w, _ = model.weights_of(s)
            w = w[0].detach().cpu().numpy()
            if i == len(model.enc_slots) - 1:
                w = w[:, :latent]         # a VAE's encoder also emits log-variances: draw the means
            weights.append(w.copy())
            sizes.append(w.shape[1])
            names.append("code" if i == len(model.enc_slots) - 1 else
                         "output" if i == len(slots) - 1 else "hidden")
    return Layers(sizes, weights, len(model.enc_slots), names)


@torch.no_grad()
def activations(model, x) -> list[np.ndarray]:
    """Each column's values [units] for one input x [D] (the code is the mean for a VAE)."""
    h = torch.as_tensor(np.asarray(x, np.float32).reshape(1, 1, -1), device=model.flat.device)
    out = [h[0, 0].cpu().numpy().copy()]
    n_enc = len(model.enc_slots)
    for i, s in enumerate(list(model.enc_slots) + list(model.dec_slots)):
        w, b = model.weights_of(s)
        h = activate(s.activation, torch.baddbmm(b, h, w), model.spec.slope)
        if i == n_enc - 1 and model.is_vae:
            h = h[..., : model.latent_dim]
        out.append(h[0, 0].cpu().numpy().copy())
    return out


def spread(n: int, keep: int) -> np.ndarray:
    """`keep` indices spread over range(n) (all when n <= keep)."""
    if n <= keep:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, keep).round().astype(int))


def strongest(w: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of the `count` largest |w| entries: the lines worth drawing."""
    flat = np.abs(w).ravel()
    if flat.size <= count:
        k = np.arange(flat.size)
    else:
        k = np.argpartition(flat, flat.size - count)[flat.size - count:]
    return np.unravel_index(k, w.shape)


def is_conv(model) -> bool:
    """Whether the network view shows the model's feature maps."""
    return arch_of(model.spec).has_feature_maps


def feature_maps(model, x) -> list[tuple[str, np.ndarray]]:
    """A conv model's feature maps for one input x [D]: (name, [channels, h, w]) per map."""
    return arch_of(model.spec).feature_maps(model, x)
