"""Parameter layouts of both architectures, without torch: the builder form counts parameters
with these before torch is imported, and nets.py / conv.py lay out their flat buffers by them."""
from __future__ import annotations

import math
from dataclasses import dataclass

from aegui.core.config.experiment import ModelSpec

KERNEL, STRIDE, PAD = 4, 2, 1   # each conv halves the image; each transposed conv doubles it


@dataclass(frozen=True)
class Block:
    name: str
    kind: str        # "conv" | "deconv" | "linear"
    fan_in: int      # input channels (conv) or features (linear)
    fan_out: int
    offset: int
    activation: str

    @property
    def weight_shape(self) -> tuple[int, ...]:
        if self.kind == "conv":
            return (self.fan_out, self.fan_in, KERNEL, KERNEL)
        if self.kind == "deconv":
            return (self.fan_in, self.fan_out, KERNEL, KERNEL)
        return (self.fan_in, self.fan_out)

    @property
    def size(self) -> int:
        return math.prod(self.weight_shape) + self.fan_out


def conv_layout(spec: ModelSpec):
    """(encoder blocks, decoder blocks, parameter count, (h, w) of the smallest feature map)."""
    h, w, c = spec.image_shape
    chans = list(spec.channels)
    factor = 2 ** len(chans)
    if h % factor or w % factor:
        raise ValueError(f"images of {h}x{w} px cannot be halved {len(chans)} times; "
                         f"use sizes divisible by {factor} or fewer conv layers")
    small = (h // factor, w // factor)
    flat_dim = chans[-1] * small[0] * small[1]
    vae = spec.kind == "vae"
    enc: list[Block] = []
    dec: list[Block] = []
    offset = 0

    def add(dest, name, kind, fan_in, fan_out, act):
        nonlocal offset
        block = Block(name, kind, fan_in, fan_out, offset, act)
        dest.append(block)
        offset += block.size

    ins = [c] + chans[:-1]
    for i, (a, b) in enumerate(zip(ins, chans)):
        add(enc, f"encoder.conv{i}", "conv", a, b, spec.hidden_activation)
    add(enc, "encoder.code", "linear", flat_dim, spec.latent_dim * (2 if vae else 1),
        "identity" if vae else spec.latent_activation)
    add(dec, "decoder.expand", "linear", spec.latent_dim, flat_dim, spec.hidden_activation)
    outs = list(reversed(ins))
    for i, (a, b) in enumerate(zip(reversed(chans), outs)):
        last = i == len(chans) - 1
        add(dec, f"decoder.deconv{i}", "deconv", a, b, spec.output_activation if last else spec.hidden_activation)
    return enc, dec, offset, small


def mlp_parameter_count(sizes, latent_index: int, kind: str) -> int:
    enc = list(sizes[: latent_index + 1])
    if kind == "vae" and len(enc) > 1:
        enc[-1] *= 2      # the VAE encoder emits a mean and a log-variance per latent unit
    total = 0
    for part in (enc, list(sizes[latent_index:])):
        total += sum(a * b + b for a, b in zip(part, part[1:]))
    return total


def parameter_count(spec: ModelSpec) -> int:
    if spec.arch == "conv":
        return conv_layout(spec)[2]
    return mlp_parameter_count(spec.full_layers, spec.latent_index, spec.kind)
