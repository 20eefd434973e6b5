"""Convolutional autoencoders, K at once, on the same flat [K, P] buffer as the MLPs.

K models share one grouped convolution (groups=K): model k's channels are the k-th block of
the channel axis. Encoder: stride-2 convs (kernel 4, padding 1: each halves the image), then
a linear map to the code; decoder: the mirror with transposed convs. Exposes the same
interface as nets.Autoencoder, so training, storage and latent tools need not care.
"""
from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np
import torch
import torch.nn.functional as F

from aegui.core.models.arch import KERNEL, PAD, STRIDE, Block, conv_layout
from aegui.core.schema.experiment import ModelSpec
from aegui.core.models.layers import ACTIVATIONS, Slot, init_bound, keep_top_k, stored_tensor, top_k_of


class ConvAutoencoder(torch.nn.Module):
    def __init__(self, spec: ModelSpec, k: int = 1):
        super().__init__()
        self.spec, self.k = spec, k
        self.enc_blocks, self.dec_blocks, n_params, self.small = conv_layout(spec)
        self.flat = torch.nn.Parameter(torch.zeros(k, n_params))
        self.h, self.w, self.c = spec.image_shape
        self.input_dim = self.h * self.w * self.c
        self.latent_dim = spec.latent_dim
        self.is_vae = spec.kind == "vae"
        self.top_k = top_k_of(spec)
        # Only the output activation is read from here by the training engine.
        last = self.dec_blocks[-1]
        self.dec_slots = [Slot(last.name, last.fan_in, last.fan_out, last.offset, last.activation)]
        self.enc_slots: list[Slot] = []

    # ---- parameters
    _views: dict | None = None     # the blocks' weights while inside weight_views()

    @contextmanager
    def weight_views(self):
        """As nets.Autoencoder.weight_views: one split of `flat` for all blocks, so backward
        writes flat.grad in one piece instead of one zero-padded copy per block."""
        blocks = self.blocks()
        chunks = self.flat.split([n for b in blocks for n in (math.prod(b.weight_shape), b.fan_out)], dim=1)
        self._views = {b.name: (chunks[2 * i], chunks[2 * i + 1]) for i, b in enumerate(blocks)}
        try:
            yield self
        finally:
            self._views = None

    def _wb(self, blk: Block):
        if self._views is not None:
            return self._views[blk.name]
        n_w = math.prod(blk.weight_shape)
        w = self.flat[:, blk.offset:blk.offset + n_w]
        b = self.flat[:, blk.offset + n_w:blk.offset + n_w + blk.fan_out]
        return w, b

    def blocks(self) -> list[Block]:
        return self.enc_blocks + self.dec_blocks

    def named_weights(self, k: int = 0) -> dict[str, torch.Tensor]:
        out = {}
        for blk in self.blocks():
            w, b = self._wb(blk)
            out[f"{blk.name}.weight"] = w[k].detach().view(blk.weight_shape)
            out[f"{blk.name}.bias"] = b[k].detach()
        return out

    def load_named_weights(self, tensors: dict[str, torch.Tensor], k: int = 0) -> None:
        with torch.no_grad():
            for blk in self.blocks():
                w, b = self._wb(blk)
                for key, dest, shape in ((f"{blk.name}.weight", w[k], blk.weight_shape),
                                         (f"{blk.name}.bias", b[k], (blk.fan_out,))):
                    dest.copy_(stored_tensor(tensors, key, shape).reshape(-1))

    def init_weights(self, seeds, inits=None) -> None:
        inits = inits or [self.spec.init] * self.k
        with torch.no_grad():
            self.flat.zero_()
            for k, seed in enumerate(seeds):
                g = torch.Generator().manual_seed(int(seed))
                for blk in self.blocks():
                    w, _ = self._wb(blk)
                    shape = blk.weight_shape
                    recept = blk.kernel * blk.kernel      # fan-in x receptive field
                    fan_in = blk.fan_in * recept
                    bound = init_bound(inits[k], fan_in, blk.fan_out * recept)
                    vals = (torch.rand(math.prod(shape), generator=g) * 2 - 1) * bound
                    w[k].copy_(vals.to(w.device))

    def select(self, k: int):
        one = type(self)(self.spec, 1)      # the local model (local.py) selects as itself
        with torch.no_grad():
            one.flat.copy_(self.flat[k:k + 1].detach().cpu())
        return one

    def parameter_count(self) -> int:
        return self.flat.shape[1]

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
    def _stack(self, x: torch.Tensor) -> torch.Tensor:
        return x.expand(self.k, *x.shape) if x.dim() == 2 else x

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
        w, b = self._wb(blk)
        return torch.baddbmm(b.unsqueeze(1), h, w.view(self.k, blk.fan_in, blk.fan_out))

    def _conv(self, blk: Block, h: torch.Tensor) -> torch.Tensor:
        w, b = self._wb(blk)
        k = self.k
        if blk.kind == "conv":
            return F.conv2d(h, w.reshape(k * blk.fan_out, blk.fan_in, KERNEL, KERNEL), b.reshape(-1),
                            stride=STRIDE, padding=PAD, groups=k)
        return F.conv_transpose2d(h, w.reshape(k * blk.fan_in, blk.fan_out, KERNEL, KERNEL), b.reshape(-1),
                                  stride=STRIDE, padding=PAD, groups=k)

    # ---- forward pieces (same contract as nets.Autoencoder)
    def encode_raw(self, x: torch.Tensor, keep_pre: bool = False):
        h = self._to_images(x)
        for blk in self.enc_blocks[:-1]:
            h = ACTIVATIONS[blk.activation](self._conv(blk, h))
        n = h.shape[0]
        h = h.view(n, self.k, -1).transpose(0, 1)        # [K, N, C*h*w]
        code = self.enc_blocks[-1]
        return ACTIVATIONS[code.activation](self._linear(code, h)), []

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.encode_raw(x)
        if self.top_k:
            return keep_top_k(h, self.top_k)
        return h[..., : self.latent_dim] if self.is_vae else h

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        z = self._stack(z)
        expand = self.dec_blocks[0]
        h = ACTIVATIONS[expand.activation](self._linear(expand, z))   # [K, N, C*h*w]
        n = h.shape[1]
        ch = self.dec_blocks[1].fan_in
        h = h.transpose(0, 1).reshape(n, self.k * ch, *self.small)
        blocks = self.dec_blocks[1:]
        for blk in blocks[:-1]:
            h = ACTIVATIONS[blk.activation](self._conv(blk, h))
        return self._from_images(self._conv(blocks[-1], h))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return ACTIVATIONS[self.dec_blocks[-1].activation](self.decode_logits(z))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))

    @torch.no_grad()
    def feature_maps(self, x) -> list[tuple[str, np.ndarray]]:
        """For the network view (K = 1): (name, [channels, h, w]) for one input x [D] of each encoder
        convolution, then of each decoder deconvolution but the last (whose output is the image)."""
        xt = torch.as_tensor(np.asarray(x, np.float32).reshape(1, -1), device=self.flat.device)
        out = []
        h = self._to_images(xt)
        for i, blk in enumerate(self.enc_blocks[:-1]):
            h = ACTIVATIONS[blk.activation](self._conv(blk, h))
            out.append((f"conv {i + 1}", h[0].cpu().numpy().copy()))
        code = self.encode(xt)
        expand = self.dec_blocks[0]
        d = ACTIVATIONS[expand.activation](self._linear(expand, code))
        ch = self.dec_blocks[1].fan_in
        d = d.transpose(0, 1).reshape(1, self.k * ch, *self.small)
        out.append(("code → maps", d[0].cpu().numpy().copy()))
        blocks = self.dec_blocks[1:]
        for i, blk in enumerate(blocks[:-1]):
            d = ACTIVATIONS[blk.activation](self._conv(blk, d))
            out.append((f"deconv {i + 1}", d[0].cpu().numpy().copy()))
        return out
