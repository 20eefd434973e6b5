"""Local (fully convolutional) autoencoders: same-size 3x3 convolutions, K at once.

Encoder: one 3x3 conv (stride 1, zero padding 1) per entry of `channels`, each followed by the
hidden activation, the last one by the latent activation; its feature map is the code, flattened
per sample channel-major: code[c * H * W + y * W + x] is channel c at row y, column x, so the
code has channels[-1] x H x W values. Decoder: one 3x3 conv back to the image's channels, then
the output activation. No layer sees more than a few pixels around each output pixel, so the
model learns stroke rules instead of whole glyphs: it denoises fonts it never saw.

Built on ConvAutoencoder: the same flat [K, P] buffer, grouped convolutions (groups = K), weight
views, named weights (torch's Conv2d layout, so safetensors storage works) and initialisation.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from aegui.core.schema.experiment import ModelSpec
from aegui.core.models.param_layouts import LOCAL_KERNEL, Block, local_latent_dim, local_layout
from aegui.core.models.conv_net import ConvAutoencoder

# The numerics revision of the locally connected network: bump it with any change to the numbers
# computed here (docs/numerics.md; the report's rows that use it are then made again).
NUMERICS = 1


class LocalAutoencoder(ConvAutoencoder):
    """K stacked local autoencoders: same-size 3x3 convolutions throughout, the last encoder map being the code.
    """
    @staticmethod
    def _layout(spec: ModelSpec):
        h, w, _ = spec.image_shape
        # Every map keeps the image's size; the code is the last one (no linear layer to a vector).
        return (*local_layout(spec), (h, w), local_latent_dim(spec))

    def work_per_sample(self) -> int:
        """Multiply-adds of one sample's forward pass: every weight is used at each of H x W positions."""
        return sum(math.prod(b.weight_shape) for b in self.layers()) * self.h * self.w

    def _conv(self, blk: Block, h: torch.Tensor) -> torch.Tensor:
        w, b = self.parts(blk)
        k = self.k
        return F.conv2d(h, w.reshape(k * blk.fan_out, blk.fan_in, LOCAL_KERNEL, LOCAL_KERNEL), b.reshape(-1),
                        padding=LOCAL_KERNEL // 2, groups=k)

    def _encoder_maps(self, x: torch.Tensor, steps=None) -> torch.Tensor:
        """The last encoder conv's activated maps [N, K*C, H, W]: the code."""
        h = self._to_images(x)
        for blk in self.enc_blocks:
            h = self.activate(blk, self._conv(blk, h), steps)
        return h

    def encode_raw(self, x: torch.Tensor, steps: list | None = None):
        """The encoder's maps, the last one flattened channel-major as the code: ([K, N, C*H*W], [])."""
        h = self._encoder_maps(x, steps)
        n = h.shape[0]
        return h.reshape(n, self.k, -1).transpose(0, 1), []      # [K, N, C*H*W], channel-major

    def decode_logits(self, z: torch.Tensor, steps: list | None = None) -> torch.Tensor:
        """One same-size convolution from the code maps to the image, before its activation, as [K, N, D]."""
        z = self.stack(z)
        n = z.shape[1]
        blk = self.dec_blocks[0]
        logits = self._conv(blk, z.transpose(0, 1).reshape(n, self.k * blk.fan_in, self.h, self.w))
        if steps is not None:
            self.activate(blk, logits, steps)
        return self._from_images(logits)

    @torch.no_grad()
    def feature_maps(self, x) -> list[tuple[str, np.ndarray]]:
        """For the network view (K = 1): (name, [channels, H, W]) of each encoder conv for one input x [D]."""
        xt = torch.as_tensor(np.asarray(x, np.float32).reshape(1, -1), device=self.flat.device)
        steps: list = []
        self._encoder_maps(xt, steps)
        names = [f"conv {i + 1}" for i in range(len(steps) - 1)] + [f"conv {len(steps)} = code"]
        return [(name, step.post.cpu().numpy().copy()) for name, step in zip(names, steps)]
