"""A throw-away architecture in one file, as a newcomer would add one: a tied-weight autoencoder
(one hidden layer, the decoder uses the encoder's weights transposed; with identity activations
and MSE it learns the principal subspace, as PCA does). tests/core/archs/test_new_architecture.py
registers it with one call and trains it through the CLI; test_every_architecture.py checks it
with the built-in ones, and tests/qt/builder/test_builder_new_architecture.py shows it in the builder.

Its network writes what aegui/core/models/network.Network asks of every network: encode_raw and
decode_logits (each layer handing Explain its values), init_weights and the named weights for
storage; the rest (encode, decode, select, ...) comes from the base class.
"""
from __future__ import annotations

import torch

from aegui.core.archs import Architecture
from aegui.core.schema.experiment import ModelSpec, check
from aegui.core.models.layers import Slot, init_bound, stored_tensor
from aegui.core.models.network import Network


class TiedAutoencoder(Network):
    def __init__(self, spec: ModelSpec, k: int = 1):
        d, n = spec.full_layers[0], spec.full_layers[1]
        super().__init__(spec, k, d * n + n + d, d, n)
        # How Explain names and shows its two layers (a Slot's offset is not used here).
        self.encoder = Slot("encoder", d, n, 0, spec.latent_activation)
        self.decoder = Slot("decoder", n, d, d * n + n, spec.output_activation)

    def _parts(self):
        d, n = self.input_dim, self.latent_dim
        w = self.flat[:, : d * n].view(self.k, d, n)
        return w, self.flat[:, d * n: d * n + n].unsqueeze(1), self.flat[:, d * n + n:].unsqueeze(1)

    def encode_raw(self, x, steps=None):
        w, b_enc, _ = self._parts()
        return self.activate(self.encoder, torch.baddbmm(b_enc, self.stack(x), w), steps), []

    def decode_logits(self, z, steps=None):
        w, _, b_dec = self._parts()
        logits = torch.baddbmm(b_dec, self.stack(z), w.transpose(1, 2))
        if steps is not None:
            self.activate(self.decoder, logits, steps)
        return logits

    def init_weights(self, seeds, inits=None) -> None:
        inits = inits or [self.spec.init] * self.k
        d, n = self.input_dim, self.latent_dim
        with torch.no_grad():
            self.flat.zero_()
            for k, seed in enumerate(seeds):
                g = torch.Generator().manual_seed(int(seed))
                bound = init_bound(inits[k], d, n)
                self.flat[k, : d * n] = ((torch.rand(d * n, generator=g) * 2 - 1) * bound).to(self.flat.device)

    def named_weights(self, k: int = 0) -> dict:
        w, b_enc, b_dec = self._parts()
        return {"tied.weight": w[k].detach(), "encoder.bias": b_enc[k, 0].detach(),
                "decoder.bias": b_dec[k, 0].detach()}

    def load_named_weights(self, tensors, k: int = 0) -> None:
        with torch.no_grad():
            for name, dest in zip(("tied.weight", "encoder.bias", "decoder.bias"), self._parts()):
                dest[k].view(-1).copy_(stored_tensor(tensors, name, dest[k].squeeze(0).shape).reshape(-1))


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
