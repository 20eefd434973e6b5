"""Parameter layouts of the built-in architectures, without torch: their registry entries
(aegui/core/archs/) count parameters with these before torch is imported, and mlp_net.py / conv_net.py /
local_net.py lay out their flat buffers by them."""
from __future__ import annotations

import math
from dataclasses import dataclass

from aegui.core.schema.experiment import ModelSpec
from aegui.core.schema.kinds import kind_of

KERNEL, STRIDE, PAD = 4, 2, 1   # each conv halves the image; each transposed conv doubles it
LOCAL_KERNEL = 3                # arch "local": 3x3, stride 1, zero padding 1: the map keeps its size


@dataclass(frozen=True)
class Block:
    """One conv, deconv, local or linear layer's place in the flat parameter buffer: its sizes, offset and
    activation."""
    name: str
    kind: str        # "conv" | "deconv" | "linear" | "local" (3x3 same-size conv)
    fan_in: int      # input channels (conv) or features (linear)
    fan_out: int
    offset: int
    activation: str

    @property
    def kernel(self) -> int:
        """Side of the kernel (1 for a linear block): its receptive field is kernel x kernel."""
        return LOCAL_KERNEL if self.kind == "local" else 1 if self.kind == "linear" else KERNEL

    @property
    def weight_shape(self) -> tuple[int, ...]:
        """The weight's shape as stored: (out, in, k, k) for conv and local, (in, out, k, k) for deconv, (in,
        out) for linear."""
        if self.kind == "local":
            return (self.fan_out, self.fan_in, LOCAL_KERNEL, LOCAL_KERNEL)
        if self.kind == "conv":
            return (self.fan_out, self.fan_in, KERNEL, KERNEL)
        if self.kind == "deconv":
            return (self.fan_in, self.fan_out, KERNEL, KERNEL)
        return (self.fan_in, self.fan_out)

    @property
    def size(self) -> int:
        """Parameters it holds: weight and bias."""
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
    vae = kind_of(spec).samples_codes
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


def local_layout(spec: ModelSpec):
    """(encoder blocks, decoder blocks, parameter count) of a local model: same-size 3x3 convs
    with `channels` outputs (the last one's map is the code), then one 3x3 conv back to the
    image's channels. Torch's Conv2d weight layout [out, in, 3, 3] for every block."""
    c = spec.image_shape[2]
    chans = list(spec.channels)
    enc: list[Block] = []
    offset = 0
    for i, (a, b) in enumerate(zip([c] + chans[:-1], chans)):
        last = i == len(chans) - 1
        enc.append(Block(f"encoder.conv{i}", "local", a, b, offset,
                         spec.latent_activation if last else spec.hidden_activation))
        offset += enc[-1].size
    dec = [Block("decoder.conv0", "local", chans[-1], c, offset, spec.output_activation)]
    return enc, dec, offset + dec[0].size


def local_latent_dim(spec: ModelSpec) -> int:
    """A local model's code length: the last feature map, channels[-1] x H x W values."""
    h, w, _ = spec.image_shape
    return spec.channels[-1] * h * w


def mlp_parameter_count(sizes, latent_index: int, kind: str) -> int:
    """Weights and biases of a fully connected model of these layer sizes, a VAE's code layer counting its mean
    and log-variance; nothing is built."""
    enc = list(sizes[: latent_index + 1])
    if kind_of(kind).samples_codes and len(enc) > 1:

        enc[-1] *= 2      # the VAE encoder emits a mean and a log-variance per latent unit
    total = 0
    for part in (enc, list(sizes[latent_index:])):
        total += sum(a * b + b for a, b in zip(part, part[1:]))
    return total

