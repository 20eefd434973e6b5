"""Convolutional autoencoders, K at once, on the same flat [K, P] buffer as the MLPs.

K models share one grouped convolution (groups=K): model k's channels are the k-th block of
the channel axis. Encoder: stride-2 convs (kernel 4, padding 1: each halves the image), then
a linear map to the code; decoder: the mirror with transposed convs. A network.LayeredNetwork
like mlp_net.Autoencoder, so training, storage and latent tools need not care.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from aegui.core.schema.experiment import ModelSpec
from aegui.core.models.param_layouts import KERNEL, PAD, STRIDE, Block, conv_layout
from aegui.core.models.network import LayeredNetwork

# The numerics revision of the convolutional network (with param_layouts.py): bump it with any change to the
# numbers computed here (docs/numerics.md; the report's rows that use it are then made again).
NUMERICS = 1


class ConvAutoencoder(LayeredNetwork):
    """K stacked convolutional autoencoders on one flat parameter buffer: stride-2 convolutions down to a dense
    code and transposed convolutions back."""
    def __init__(self, spec: ModelSpec, k: int = 1):
        enc, dec, n_params, small, latent_dim = self._layout(spec)
        h, w, c = spec.image_shape
        super().__init__(spec, k, n_params, h * w * c, latent_dim)
        self.enc_blocks, self.dec_blocks, self.small = enc, dec, small
        self.h, self.w, self.c = h, w, c

    @staticmethod
    def _layout(spec: ModelSpec):
        """(encoder blocks, decoder blocks, parameter count, (h, w) of the smallest map, code length)."""
        return (*conv_layout(spec), spec.latent_dim)

    def layers(self) -> list[Block]:
        """The encoder's blocks, then the decoder's."""
        return self.enc_blocks + self.dec_blocks

    def work_per_sample(self) -> int:
        """Multiply-adds of one sample's forward pass: a conv weight is used at every position
        of its feature map, so this is far more than the parameter count (the training engine
        picks its thread count by it)."""
        h, w = self.small
        total = sum(math.prod(b.weight_shape) for b in (self.enc_blocks[-1], self.dec_blocks[0]))
        convs = self.enc_blocks[:-1]
        for i, blk in enumerate(convs):          # conv i makes a map of (H, W) / 2^(i+1)
            scale = 2 ** (len(convs) - 1 - i)
            total += math.prod(blk.weight_shape) * h * w * scale * scale
        for j, blk in enumerate(self.dec_blocks[1:]):   # deconv j reads a map of small * 2^j
            total += math.prod(blk.weight_shape) * h * w * 4 ** j
        return total

    # ---- layout conversions: flat rows [.., N, H*W*C] (row-major H, W, C) <-> grouped images
    def _to_images(self, x: torch.Tensor) -> torch.Tensor:
        """[N, D] shared or [K, N, D] -> [N, K*C, H, W] for grouped convolution."""
        if x.dim() == 2:
            img = x.view(-1, self.h, self.w, self.c).permute(0, 3, 1, 2)
            return img.repeat(1, self.k, 1, 1)
        k, n = x.shape[:2]
        img = x.reshape(k, n, self.h, self.w, self.c).permute(1, 0, 4, 2, 3)
        return img.reshape(n, k * self.c, self.h, self.w)

    def _from_images(self, img: torch.Tensor) -> torch.Tensor:
        """[N, K*C, H, W] -> [K, N, H*W*C]."""
        n = img.shape[0]
        out = img.view(n, self.k, self.c, self.h, self.w).permute(1, 0, 3, 4, 2)
        return out.reshape(self.k, n, self.input_dim)

    def _linear(self, blk: Block, h: torch.Tensor) -> torch.Tensor:
        w, b = self.parts(blk)
        return torch.baddbmm(b.unsqueeze(1), h, w.view(self.k, blk.fan_in, blk.fan_out))

    def _conv(self, blk: Block, h: torch.Tensor) -> torch.Tensor:
        w, b = self.parts(blk)
        k = self.k
        if blk.kind == "conv":
            return F.conv2d(h, w.reshape(k * blk.fan_out, blk.fan_in, KERNEL, KERNEL), b.reshape(-1),
                            stride=STRIDE, padding=PAD, groups=k)
        return F.conv_transpose2d(h, w.reshape(k * blk.fan_in, blk.fan_out, KERNEL, KERNEL), b.reshape(-1),
                                  stride=STRIDE, padding=PAD, groups=k)

    # ---- forward pieces (the contract of network.Network)
    def _encoder_maps(self, x: torch.Tensor, steps=None) -> torch.Tensor:
        """The last convolution's activated maps [N, K*C, h, w]."""
        h = self._to_images(x)
        for blk in self.enc_blocks[:-1]:
            h = self.activate(blk, self._conv(blk, h), steps)
        return h

    def encode_raw(self, x: torch.Tensor, steps: list | None = None):
        """The conv maps, then the dense layer to the code: ([K, N, L], [])."""
        h = self._encoder_maps(x, steps)
        n = h.shape[0]
        h = h.view(n, self.k, -1).transpose(0, 1)        # [K, N, C*h*w]
        code = self.enc_blocks[-1]
        return self.activate(code, self._linear(code, h), steps), []

    def _expand(self, z: torch.Tensor, steps=None) -> torch.Tensor:
        """Codes [K, N, L] -> the decoder's first maps [N, K*C, h, w]."""
        expand = self.dec_blocks[0]
        h = self.activate(expand, self._linear(expand, z), steps)   # [K, N, C*h*w]
        n = h.shape[1]
        return h.transpose(0, 1).reshape(n, self.k * self.dec_blocks[1].fan_in, *self.small)

    def decode_logits(self, z: torch.Tensor, steps: list | None = None) -> torch.Tensor:
        """The dense layer from the code to the smallest maps, the transposed convolutions up, the last one's
        output before its activation as [K, N, D]."""
        h = self._expand(self.stack(z), steps)
        blocks = self.dec_blocks[1:]
        for blk in blocks[:-1]:
            h = self.activate(blk, self._conv(blk, h), steps)
        logits = self._conv(blocks[-1], h)
        if steps is not None:
            self.activate(blocks[-1], logits, steps)
        return self._from_images(logits)

    @torch.no_grad()
    def feature_maps(self, x) -> list[tuple[str, np.ndarray]]:
        """For the network view (K = 1): (name, [channels, h, w]) for one input x [D] of each encoder
        convolution, then of each decoder deconvolution but the last (whose output is the image)."""
        xt = torch.as_tensor(np.asarray(x, np.float32).reshape(1, -1), device=self.flat.device)
        convs: list = []
        self._encoder_maps(xt, convs)
        out = [(f"conv {i + 1}", step.post) for i, step in enumerate(convs)]
        d = self._expand(self.encode(xt))
        out.append(("code → maps", d[0]))
        for i, blk in enumerate(self.dec_blocks[1:-1]):
            d = self.activate(blk, self._conv(blk, d))
            out.append((f"deconv {i + 1}", d[0]))
        return [(name, m.cpu().numpy().copy()) for name, m in out]
