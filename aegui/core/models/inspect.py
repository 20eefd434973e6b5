"""What a fully connected autoencoder holds and does, as numpy for the network view: its layer
sizes, each layer's weights, and every unit's activation for one input. K=1 models."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from aegui.core.models.layers import ACTIVATIONS


@dataclass
class Layers:
    sizes: list[int]                 # units per column: input, hidden..., code, hidden..., output
    weights: list[np.ndarray]        # [sizes[i], sizes[i+1]] between column i and i+1
    latent_column: int               # which column is the code
    names: list[str]


def is_dense(model) -> bool:
    """The network view draws MLPs (nets.Autoencoder); conv models have blocks, not slots only."""
    return hasattr(model, "enc_slots") and not hasattr(model, "enc_blocks")


def layers(model) -> Layers:
    if not is_dense(model):
        raise ValueError("only fully connected models have units in columns")
    latent = model.latent_dim
    sizes, weights, names = [model.input_dim], [], ["input"]
    slots = list(model.enc_slots) + list(model.dec_slots)
    with torch.no_grad():
        for i, s in enumerate(slots):
            w, _ = model._wb(s)
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
        w, b = model._wb(s)
        h = ACTIVATIONS[s.activation](torch.baddbmm(b, h, w))
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
    return hasattr(model, "enc_blocks")


@torch.no_grad()
def feature_maps(model, x) -> list[tuple[str, np.ndarray]]:
    """A conv model's feature maps for one input x [D]: (name, [channels, h, w]) for each
    encoder convolution, then each decoder deconvolution but the last (whose output is the image)."""
    if not is_conv(model):
        raise ValueError("only convolutional models have feature maps")
    if getattr(model, "is_local", False):
        return model.feature_maps(x)       # same-size maps: the encoder's only (its last is the code)
    xt = torch.as_tensor(np.asarray(x, np.float32).reshape(1, -1), device=model.flat.device)
    out = []
    h = model._to_images(xt)
    for i, blk in enumerate(model.enc_blocks[:-1]):
        h = ACTIVATIONS[blk.activation](model._conv(blk, h))
        out.append((f"conv {i + 1}", h[0].cpu().numpy().copy()))
    code = model.encode(xt)
    expand = model.dec_blocks[0]
    d = ACTIVATIONS[expand.activation](model._linear(expand, code))
    ch = model.dec_blocks[1].fan_in
    d = d.transpose(0, 1).reshape(1, model.k * ch, *model.small)
    out.append(("code → maps", d[0].cpu().numpy().copy()))
    blocks = model.dec_blocks[1:]
    for i, blk in enumerate(blocks[:-1]):
        d = ACTIVATIONS[blk.activation](model._conv(blk, d))
        out.append((f"deconv {i + 1}", d[0].cpu().numpy().copy()))
    return out
