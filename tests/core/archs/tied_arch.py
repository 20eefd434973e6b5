"""A throw-away architecture in one file, as a newcomer would add one: a tied-weight autoencoder
(one hidden layer, the decoder uses the encoder's weights transposed; with identity activations
and MSE it learns the principal subspace, as PCA does). tests/core/test_new_architecture.py
registers it with one call and trains it through the CLI.

The network keeps the engine's model interface (see aegui/core/archs/base.Architecture.build):
K stacked models on one flat [K, P] parameter, encode_raw / encode / decode_logits, select,
named weights for storage.
"""
from __future__ import annotations

from contextlib import contextmanager

import torch

from aegui.core.archs import Architecture
from aegui.core.schema.experiment import ModelSpec, check
from aegui.core.models.layers import ACTIVATIONS, Slot, init_bound, keep_top_k, stored_tensor, top_k_of


class TiedAutoencoder(torch.nn.Module):
    def __init__(self, spec: ModelSpec, k: int = 1):
        super().__init__()
        self.spec, self.k = spec, k
        self.input_dim, self.latent_dim = spec.full_layers[0], spec.full_layers[1]
        d, n = self.input_dim, self.latent_dim
        self.flat = torch.nn.Parameter(torch.zeros(k, d * n + n + d))
        self.is_vae = False
        self.top_k = top_k_of(spec)
        self.dec_slots = [Slot("decoder", n, d, d * n + n, spec.output_activation)]

    @contextmanager
    def weight_views(self):
        yield self

    def _parts(self):
        d, n = self.input_dim, self.latent_dim
        w = self.flat[:, : d * n].view(self.k, d, n)
        return w, self.flat[:, d * n: d * n + n].unsqueeze(1), self.flat[:, d * n + n:].unsqueeze(1)

    def _stack(self, x):
        return x.expand(self.k, *x.shape) if x.dim() == 2 else x

    def encode_raw(self, x, keep_pre: bool = False):
        w, b_enc, _ = self._parts()
        return ACTIVATIONS[self.spec.latent_activation](torch.baddbmm(b_enc, self._stack(x), w)), []

    def encode(self, x):
        h, _ = self.encode_raw(x)
        return keep_top_k(h, self.top_k) if self.top_k else h

    def decode_logits(self, z):
        w, _, b_dec = self._parts()
        return torch.baddbmm(b_dec, self._stack(z), w.transpose(1, 2))

    def decode(self, z):
        return ACTIVATIONS[self.spec.output_activation](self.decode_logits(z))

    def forward(self, x):
        return self.decode(self.encode(x))

    def init_weights(self, seeds, inits=None) -> None:
        inits = inits or [self.spec.init] * self.k
        d, n = self.input_dim, self.latent_dim
        with torch.no_grad():
            self.flat.zero_()
            for k, seed in enumerate(seeds):
                g = torch.Generator().manual_seed(int(seed))
                bound = init_bound(inits[k], d, n)
                self.flat[k, : d * n] = ((torch.rand(d * n, generator=g) * 2 - 1) * bound).to(self.flat.device)

    def select(self, k: int):
        one = TiedAutoencoder(self.spec, 1)
        with torch.no_grad():
            one.flat.copy_(self.flat[k:k + 1].detach().cpu())
        return one

    def named_weights(self, k: int = 0) -> dict:
        w, b_enc, b_dec = self._parts()
        return {"tied.weight": w[k].detach(), "encoder.bias": b_enc[k, 0].detach(),
                "decoder.bias": b_dec[k, 0].detach()}

    def load_named_weights(self, tensors, k: int = 0) -> None:
        with torch.no_grad():
            for name, dest in zip(("tied.weight", "encoder.bias", "decoder.bias"), self._parts()):
                dest[k].view(-1).copy_(stored_tensor(tensors, name, dest[k].squeeze(0).shape).reshape(-1))

    def parameter_count(self) -> int:
        return self.flat.shape[1]


class Tied(Architecture):
    name = "tied"
    label = "tied weights (one hidden layer)"
    builder_rows = ("model.latent",)

    def validate(self, spec: ModelSpec) -> None:
        check(len(spec.full_layers) == 3, "model.layers", "a tied model lists [input, latent, output] sizes")
        check(spec.kind in ("ae", "dae", "sparse"), "model.kind",
              f"a tied model's code is one linear map, so kind {spec.kind!r} does not apply: use 'ae', 'dae' "
              "or 'sparse'")

    def parameter_count(self, spec: ModelSpec) -> int:
        d, n = spec.full_layers[0], spec.full_layers[1]
        return d * n + n + d

    def build(self, spec: ModelSpec, k: int = 1):
        return TiedAutoencoder(spec, k)

    def forward_values(self, spec: ModelSpec) -> int:
        return sum(spec.full_layers)

    def step_activations(self, spec: ModelSpec) -> int:
        return 3 * sum(spec.full_layers)

    def form_layers(self, d, latent, encoder, decoder, mirror, channels, shape):
        return (d, latent, d), 1, False
