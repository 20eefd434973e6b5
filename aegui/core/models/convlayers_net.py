"""Convolutional autoencoders written layer by layer (arch "convlayers"), K at once on one flat
[K, P] buffer: each layer line of model.conv_encoder / model.conv_decoder (models/layer_kinds.py)
runs by its kind's entry in FORWARD. As in conv_net.py, model k's channels are the k-th block of the
channel axis ([N, K*C, H, W], grouped convolutions); flat vectors are [K, N, D].
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from aegui.core.models.layer_kinds import BN_EPS, BN_MOMENTUM, WEIGHTED, Step, layer_plan
from aegui.core.models.layers import stored_tensor
from aegui.core.models.network import LayeredNetwork
from aegui.core.schema.experiment import ModelSpec

# The numerics revision of the layer-list convolutional network (with layer_kinds.py): bump it with
# any change to the numbers computed here (docs/numerics.md; the report's rows that use it are then
# made again).
NUMERICS = 2


@dataclass(frozen=True)
class _Param:
    """A weighted step as LayeredNetwork lays out and initialises it."""
    name: str
    offset: int
    fan_in: int
    fan_out: int
    kernel: float
    weight_shape: tuple


def _flat(net, h: torch.Tensor) -> torch.Tensor:
    """Maps [N, K*C, H, W] -> [K, N, C*H*W] (channel by channel); flat inputs as they are."""
    return h.view(h.shape[0], net.k, -1).transpose(0, 1) if h.dim() == 4 else h


def _conv(net, step: Step, h):
    w, b = net.parts(step)
    k = net.k
    if step.kind == "conv":
        pad = step.pad
        if step.same:
            # Keras's 'same': k - 1 zeros a side pair, the odd one below / right (a 2x2 kernel
            # pads one row below and one column right). An odd kernel pads both sides alike, which
            # the convolution does itself; an even one's is written out (torch warns on even kernels),
            # a copy of the map: 003's 3x3 layers spent 7 % of a step copying before.
            (kh, kw) = step.kernel
            if kh % 2 and kw % 2:
                pad = (kh // 2, kw // 2)
            else:
                pad = (0, 0)
                h = F.pad(h, ((kw - 1) // 2, kw // 2, (kh - 1) // 2, kh // 2))
        return F.conv2d(h, w.reshape(k * step.shape_out[0], *step.weight_shape[1:]), b.reshape(-1),
                        stride=step.stride, padding=pad, groups=k)
    w = w.reshape(k * step.shape_in[0], *step.weight_shape[1:])
    if not step.same:
        return F.conv_transpose2d(h, w, b.reshape(-1), stride=step.stride, padding=step.pad, groups=k)
    return _same_deconv(h, w, b.reshape(-1), step, k)


def _same_deconv(h, w, b, step: Step, k: int):
    """Keras's Conv2DTranspose(padding='same'): the transpose of a 'same' convolution of a map
    `stride` times larger. Its whole output, cropped where that convolution padded: max(k - s, 0)
    rows (columns), half of them (rounded down) above (left); zeros past the end when s > k."""
    full = F.conv_transpose2d(h, w, None, stride=step.stride, groups=k)
    _, oh, ow = step.shape_out
    top, left = (max(kk - s, 0) // 2 for kk, s in zip(step.kernel, step.stride))
    out = full[:, :, top:top + oh, left:left + ow]
    if out.shape[2:] != (oh, ow):
        out = F.pad(out, (0, ow - out.shape[3], 0, oh - out.shape[2]))
    return out + b.view(1, -1, 1, 1)


def _maxpool(net, step: Step, h):
    return F.max_pool2d(h, step.kernel, stride=step.kernel)


def _upsample(net, step: Step, h):
    """Nearest neighbour, as Keras's UpSampling2D: each value repeated into an FxF block."""
    return h.repeat_interleave(step.kernel[0], 2).repeat_interleave(step.kernel[1], 3)


def _batchnorm(net, step: Step, h):
    """(h - mean) / sqrt(var + eps) * gamma + beta per channel: in a training step the batch's own
    mean and (biased) variance, which also move the running ones by 1 - momentum; otherwise the
    running ones. Model k's channels are its own block of the channel axis."""
    gamma, beta = net.parts(step)
    c = step.shape_in[0]
    at = step.stats_offset
    run_mean, run_var = net.stats[:, at:at + c], net.stats[:, at + c:at + 2 * c]
    if net.in_step:
        mean = h.mean((0, 2, 3))
        var = h.var((0, 2, 3), unbiased=False)
        with torch.no_grad():
            if net.whole_set_stats:
                run_mean.copy_(mean.detach().view(net.k, c))
                run_var.copy_(var.detach().view(net.k, c))
            else:
                run_mean.mul_(BN_MOMENTUM).add_((1 - BN_MOMENTUM) * mean.detach().view(net.k, c))
                run_var.mul_(BN_MOMENTUM).add_((1 - BN_MOMENTUM) * var.detach().view(net.k, c))
    else:
        mean, var = run_mean.reshape(-1), run_var.reshape(-1)
    scale = gamma.reshape(-1) / torch.sqrt(var + BN_EPS)
    shift = beta.reshape(-1) - mean * scale
    return h * scale.view(1, -1, 1, 1) + shift.view(1, -1, 1, 1)


def _dense(net, step: Step, h):
    w, b = net.parts(step)
    h = _flat(net, h)
    return torch.baddbmm(b.unsqueeze(1), h, w.view(net.k, step.fan_in, step.fan_out))


def _reshape(net, step: Step, h):
    """[K, N, C*H*W] -> [N, K*C, H, W]: the inverse of a dense layer's flattening."""
    h = _flat(net, h)
    return h.transpose(0, 1).reshape(h.shape[1], net.k * step.shape_out[0], *step.shape_out[1:])


# A layer kind's forward pass: (network, its Step, input) -> output before its activation.
FORWARD = {"conv": _conv, "deconv": _conv, "maxpool": _maxpool, "upsample": _upsample,
           "batchnorm": _batchnorm, "dense": _dense, "reshape": _reshape}


class LayerStackAutoencoder(LayeredNetwork):
    """K stacked autoencoders built from layer lines (conv, deconv, pool, upsample, batch-norm, dense) on one
    flat parameter buffer, with batch-norm running statistics beside it."""
    def __init__(self, spec: ModelSpec, k: int = 1):
        enc, dec, n_params, n_stats = layer_plan(spec)
        h, w, c = spec.image_shape
        super().__init__(spec, k, n_params, h * w * c, math.prod(enc[-1].shape_out), n_stats)
        self.enc_steps, self.dec_steps = enc, dec
        self.h, self.w, self.c = h, w, c
        self._params = [_Param(s.name, s.offset, s.fan_in, s.fan_out, s.kernel_area, s.weight_shape)
                        for s in enc + dec if s.kind in WEIGHTED]
        self._norms = [s for s in enc + dec if s.kind == "batchnorm"]
        self.reset_stats()

    @property
    def steps_differ(self) -> bool:
        """True with batch-norm layers (a step normalises by its batch), or dropout."""
        return bool(self._norms) or super().steps_differ

    def layers(self) -> list:
        """The layers that hold weights, in order."""
        return self._params

    def reset_stats(self) -> None:
        """Running means 0, variances 1 (batch-norm starts as the identity, as Keras's does)."""
        with torch.no_grad():
            for s in self._norms:
                c = s.shape_in[0]
                self.stats[:, s.stats_offset:s.stats_offset + c] = 0
                self.stats[:, s.stats_offset + c:s.stats_offset + 2 * c] = 1

    def init_weights(self, seeds, inits=None) -> None:
        """Drawn as every layer's; then batch-norm's scales γ are 1 and its statistics fresh."""
        super().init_weights(seeds, inits)
        n = len(seeds)
        with torch.no_grad():
            for s in self._norms:
                self.flat[:n, s.offset:s.offset + s.shape_in[0]] = 1
        self.reset_stats()

    def named_weights(self, k: int = 0) -> dict[str, torch.Tensor]:
        """The base's tensors plus each batch-norm layer's running mean and variance."""
        out = super().named_weights(k)
        for s in self._norms:
            c, at = s.shape_in[0], s.stats_offset
            out[f"{s.name}.running_mean"] = self.stats[k, at:at + c].detach()
            out[f"{s.name}.running_var"] = self.stats[k, at + c:at + 2 * c].detach()
        return out

    def load_named_weights(self, tensors: dict[str, torch.Tensor], k: int = 0) -> None:
        """The base's, plus each batch-norm layer's running mean and variance."""
        super().load_named_weights(tensors, k)
        with torch.no_grad():
            for s in self._norms:
                c, at = s.shape_in[0], s.stats_offset
                self.stats[k, at:at + c] = stored_tensor(tensors, f"{s.name}.running_mean", (c,))
                self.stats[k, at + c:at + 2 * c] = stored_tensor(tensors, f"{s.name}.running_var", (c,))

    def work_per_sample(self) -> int:
        """Multiply-adds of one sample's forward pass: each conv weight at every output position, each dense
        weight once."""
        total = 0
        for s in self.enc_steps + self.dec_steps:
            if s.kind == "conv":
                total += math.prod(s.weight_shape) * s.shape_out[1] * s.shape_out[2]
            elif s.kind == "deconv":
                total += math.prod(s.weight_shape) * s.shape_in[1] * s.shape_in[2]
            elif s.kind == "dense":
                total += math.prod(s.weight_shape)
        return max(total, 1)

    # ---- layout conversions: flat rows [.., N, H*W*C] (row-major H, W, C) <-> grouped images
    def _to_images(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:
            return x.view(-1, self.h, self.w, self.c).permute(0, 3, 1, 2).repeat(1, self.k, 1, 1)
        k, n = x.shape[:2]
        return x.reshape(k, n, self.h, self.w, self.c).permute(1, 0, 4, 2, 3).reshape(n, k * self.c, self.h, self.w)

    def _from_images(self, img: torch.Tensor) -> torch.Tensor:
        n = img.shape[0]
        out = img.view(n, self.k, self.c, self.h, self.w).permute(1, 0, 3, 4, 2)
        return out.reshape(self.k, n, self.input_dim)

    def _run(self, steps, h, out: list | None, maps: list | None = None, last_raw: bool = False):
        for i, s in enumerate(steps):
            h = FORWARD[s.kind](self, s, h)
            if s.activation and not (last_raw and i == len(steps) - 1):
                h = self.activate(s, h, out)
            elif s.activation and out is not None:
                self.activate(s, h, out)
            if maps is not None and h.dim() == 4:
                maps.append((f"{s.kind} {i + 1}", h[0]))
        return h

    # ---- forward pieces (the contract of network.Network)
    def encode_raw(self, x: torch.Tensor, steps: list | None = None):
        """The encoder's layers run on the images, flattened to ([K, N, L], [])."""
        return _flat(self, self._run(self.enc_steps, self._to_images(x), steps)), []

    def decode_logits(self, z: torch.Tensor, steps: list | None = None) -> torch.Tensor:
        """The decoder's layers run on the codes, the last before its activation, as [K, N, D]."""
        h = self._run(self.dec_steps, self.stack(z), steps, last_raw=True)
        return self._from_images(h) if h.dim() == 4 else h

    @torch.no_grad()
    def feature_maps(self, x) -> list[tuple[str, np.ndarray]]:
        """For the network view (K = 1): (name, [channels, h, w]) of every map the encoder, then
        the decoder, makes for one input x [D] (the decoder's last, the image, left out)."""
        xt = torch.as_tensor(np.asarray(x, np.float32).reshape(1, -1), device=self.flat.device)
        maps: list = []
        code = _flat(self, self._run(self.enc_steps, self._to_images(xt), None, maps))
        out = [(f"encoder {name}", m) for name, m in maps]
        maps = []
        self._run(self.dec_steps[:-1], code, None, maps)
        out += [(f"decoder {name}", m) for name, m in maps]
        return [(name, m.cpu().numpy().copy()) for name, m in out]
