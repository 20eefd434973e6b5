"""Autoencoders as K stacked MLPs sharing one flat parameter buffer.

K = 1 is an ordinary model; K > 1 trains K independent models at once (seeds, sweeps)
with batched matmuls. One flat [K, P] leaf keeps the optimizer to a handful of tensor ops
per step, which is what makes best-of-K fast on a CPU.
"""
from __future__ import annotations

from contextlib import contextmanager

import torch

from aegui.core.schema.experiment import ModelSpec
from aegui.core.models.layers import ACTIVATIONS, Slot, init_bound, keep_top_k, stored_tensor, top_k_of


def layout(spec: ModelSpec) -> tuple[list[Slot], list[Slot], int]:
    sizes = spec.full_layers
    li = spec.latent_index
    enc_sizes = list(sizes[: li + 1])
    if spec.kind == "vae":
        enc_sizes[-1] *= 2   # the last encoder layer emits mean and log-variance
    dec_sizes = list(sizes[li:])
    offset = 0
    enc, dec = [], []
    for part, ss, out_act, dest in (("encoder", enc_sizes, spec.latent_activation, enc),
                                    ("decoder", dec_sizes, spec.output_activation, dec)):
        for i in range(len(ss) - 1):
            last = i == len(ss) - 2
            act = out_act if last else spec.hidden_activation
            if part == "encoder" and last and spec.kind == "vae":
                act = "identity"
            dest.append(Slot(f"{part}.{i}", ss[i], ss[i + 1], offset, act))
            offset += ss[i] * ss[i + 1] + ss[i + 1]
    return enc, dec, offset


class Autoencoder(torch.nn.Module):
    def __init__(self, spec: ModelSpec, k: int = 1):
        super().__init__()
        self.spec = spec
        self.k = k
        self.enc_slots, self.dec_slots, n_params = layout(spec)
        self.flat = torch.nn.Parameter(torch.zeros(k, n_params))
        self.input_dim = spec.full_layers[0]
        self.latent_dim = spec.latent_dim
        self.is_vae = spec.kind == "vae"
        self.top_k = top_k_of(spec)

    # ---- parameters
    _views: dict | None = None     # the layers' weights while inside weight_views()

    @contextmanager
    def weight_views(self):
        """Within this block every layer's weight and bias come from one split of `flat`, so
        backward writes flat.grad in one piece; a slice per layer makes autograd build and add
        up one zero-padded full-size gradient per layer (twice the time on a 1.6 M-weight VAE)."""
        slots = self.slots()
        chunks = self.flat.split([n for s in slots for n in (s.fan_in * s.fan_out, s.fan_out)], dim=1)
        self._views = {s.name: (chunks[2 * i].view(self.k, s.fan_in, s.fan_out), chunks[2 * i + 1].unsqueeze(1))
                       for i, s in enumerate(slots)}
        try:
            yield self
        finally:
            self._views = None

    def _wb(self, s: Slot):
        if self._views is not None:
            return self._views[s.name]
        w_end = s.offset + s.fan_in * s.fan_out
        w = self.flat[:, s.offset:w_end].view(self.k, s.fan_in, s.fan_out)
        b = self.flat[:, w_end:w_end + s.fan_out].unsqueeze(1)
        return w, b

    def slots(self) -> list[Slot]:
        return self.enc_slots + self.dec_slots

    def named_weights(self, k: int = 0) -> dict[str, torch.Tensor]:
        out = {}
        for s in self.slots():
            w, b = self._wb(s)
            out[f"{s.name}.weight"] = w[k].detach()
            out[f"{s.name}.bias"] = b[k, 0].detach()
        return out

    def load_named_weights(self, tensors: dict[str, torch.Tensor], k: int = 0) -> None:
        with torch.no_grad():
            for s in self.slots():
                w, b = self._wb(s)
                for key, dest in ((f"{s.name}.weight", w[k]), (f"{s.name}.bias", b[k, 0])):
                    dest.copy_(stored_tensor(tensors, key, dest.shape))

    def init_weights(self, seeds, inits=None) -> None:
        """Model k is initialised from its own generator, so its start does not depend on K."""
        inits = inits or [self.spec.init] * self.k
        slots = self.slots()
        sizes = [s.fan_in * s.fan_out for s in slots]
        # One draw a model, not one a layer: a generator's stream is the same either way, and
        # thousands of models (best-of-K on a GPU) took seconds layer by layer.
        cols = torch.cat([torch.arange(s.offset, s.offset + n) for s, n in zip(slots, sizes)])
        vals = torch.empty(len(seeds), len(cols))
        for k, seed in enumerate(seeds):
            torch.rand(len(cols), generator=torch.Generator().manual_seed(int(seed)), out=vals[k])
        bounds = {name: torch.cat([torch.full((n,), init_bound(name, s.fan_in, s.fan_out))
                                   for s, n in zip(slots, sizes)]) for name in set(inits[:len(seeds)])}
        scale = bounds[inits[0]] if len(bounds) == 1 else torch.stack([bounds[i] for i in inits[:len(seeds)]])
        vals.mul_(2).sub_(1).mul_(scale)
        with torch.no_grad():
            self.flat.zero_()
            self.flat[:len(seeds), cols] = vals.to(self.flat.device)

    def select(self, k: int) -> "Autoencoder":
        """A K=1 copy of model k on the CPU."""
        one = Autoencoder(self.spec, 1)
        with torch.no_grad():
            one.flat.copy_(self.flat[k:k + 1].detach().cpu())
        return one

    # ---- forward pieces; inputs [N, D] are shared by all K models, or [K, N, D]
    def _stack(self, x: torch.Tensor) -> torch.Tensor:
        return x.expand(self.k, *x.shape) if x.dim() == 2 else x

    def _run(self, slots, h, keep_pre: bool = False):
        pres = []
        for s in slots:
            w, b = self._wb(s)
            pre = torch.baddbmm(b, h, w)
            if keep_pre:
                pres.append(pre)
            h = ACTIVATIONS[s.activation](pre)
        return h, pres

    def encode_raw(self, x: torch.Tensor, keep_pre: bool = False):
        return self._run(self.enc_slots, self._stack(x), keep_pre)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Codes [K, N, L]; the mean for a VAE."""
        h, _ = self.encode_raw(x)
        if self.top_k:
            return keep_top_k(h, self.top_k)
        return h[..., : self.latent_dim] if self.is_vae else h

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        """Decoder output before the output activation (so BCE can use the stable logits form)."""
        h = self._stack(z)
        slots = self.dec_slots
        h, _ = self._run(slots[:-1], h)
        w, b = self._wb(slots[-1])
        return torch.baddbmm(b, h, w)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return ACTIVATIONS[self.dec_slots[-1].activation](self.decode_logits(z))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))

    def parameter_count(self) -> int:
        return self.flat.shape[1]

