"""Local (fully convolutional) autoencoders: same-size 3x3 convolutions, K at once.

Encoder: one 3x3 conv (stride 1, zero padding 1) per entry of `channels`, each followed by the
hidden activation, the last one by the latent activation; its feature map is the code, flattened
per sample channel-major: code[c * H * W + y * W + x] is channel c at row y, column x, so the
code has channels[-1] x H x W values. Decoder: one 3x3 conv back to the image's channels, then
the output activation. No layer sees more than a few pixels around each output pixel, so the
model learns stroke rules instead of whole glyphs (issue 15: it denoises fonts it never saw).

Built on ConvAutoencoder: the same flat [K, P] buffer, grouped convolutions (groups = K), weight
views, named weights (torch's Conv2d layout, so safetensors storage works) and initialisation.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from aegui.core.schema.experiment import ModelSpec
from aegui.core.models.arch import LOCAL_KERNEL, Block, local_latent_dim, local_layout
from aegui.core.models.conv import ConvAutoencoder
from aegui.core.models.layers import ACTIVATIONS, Slot, top_k_of


class LocalAutoencoder(ConvAutoencoder):
    is_local = True     # its code is its last feature map (no linear layer to a code vector)

    def __init__(self, spec: ModelSpec, k: int = 1):
        torch.nn.Module.__init__(self)
        self.spec, self.k = spec, k
        self.enc_blocks, self.dec_blocks, n_params = local_layout(spec)
        self.flat = torch.nn.Parameter(torch.zeros(k, n_params))
        self.h, self.w, self.c = spec.image_shape
        self.small = (self.h, self.w)          # every map keeps the image's size
        self.input_dim = self.h * self.w * self.c
        self.latent_dim = local_latent_dim(spec)
        self.is_vae = False                    # refused by config validation
        self.top_k = top_k_of(spec)
        last = self.dec_blocks[-1]
        self.dec_slots = [Slot(last.name, last.fan_in, last.fan_out, last.offset, last.activation)]
        self.enc_slots: list[Slot] = []

    def work_per_sample(self) -> int:
        """Multiply-adds of one sample's forward pass: every weight is used at each of H x W positions."""
        return sum(math.prod(b.weight_shape) for b in self.blocks()) * self.h * self.w

    def _conv(self, blk: Block, h: torch.Tensor) -> torch.Tensor:
        w, b = self._wb(blk)
        k = self.k
        return F.conv2d(h, w.reshape(k * blk.fan_out, blk.fan_in, LOCAL_KERNEL, LOCAL_KERNEL), b.reshape(-1),
                        padding=LOCAL_KERNEL // 2, groups=k)

    def encoder_maps(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Each encoder conv's activated map [N, K*C, H, W]; the last one is the code."""
        h = self._to_images(x)
        maps = []
        for blk in self.enc_blocks:
            h = ACTIVATIONS[blk.activation](self._conv(blk, h))
            maps.append(h)
        return maps

    def encode_raw(self, x: torch.Tensor, keep_pre: bool = False):
        h = self.encoder_maps(x)[-1]
        n = h.shape[0]
        return h.reshape(n, self.k, -1).transpose(0, 1), []      # [K, N, C*H*W], channel-major

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        z = self._stack(z)
        n = z.shape[1]
        h = z.transpose(0, 1).reshape(n, self.k * self.dec_blocks[0].fan_in, self.h, self.w)
        return self._from_images(self._conv(self.dec_blocks[0], h))

    @torch.no_grad()
    def feature_maps(self, x) -> list[tuple[str, np.ndarray]]:
        """For the network view (K = 1): (name, [channels, H, W]) of each encoder conv for one input x [D]."""
        xt = torch.as_tensor(np.asarray(x, np.float32).reshape(1, -1), device=self.flat.device)
        maps = self.encoder_maps(xt)
        names = [f"conv {i + 1}" for i in range(len(maps) - 1)] + [f"conv {len(maps)} = code"]
        return [(name, m[0].cpu().numpy().copy()) for name, m in zip(names, maps)]
