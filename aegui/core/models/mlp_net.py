"""Autoencoders as K stacked MLPs sharing one flat parameter buffer.

K = 1 is an ordinary model; K > 1 trains K independent models at once (seeds, sweeps)
with batched matmuls. One flat [K, P] leaf keeps the optimizer to a handful of tensor ops
per step, which is what makes best-of-K fast on a CPU.
"""
from __future__ import annotations

import torch

from aegui.core.schema.experiment import ModelSpec
from aegui.core.schema.kinds import kind_of
from aegui.core.models.layers import Slot
from aegui.core.models.network import LayeredNetwork

# The numerics revision of the MLP network: bump it with any change to the numbers computed here
# (docs/numerics.md; the report's rows that use it are then made again).
NUMERICS = 1


def layout(spec: ModelSpec) -> tuple[list[Slot], list[Slot], int]:
    """(encoder slots, decoder slots, parameters) of a fully connected spec, the slots laid end to end in the
    flat buffer; a VAE's last encoder layer emits a mean and a log-variance."""
    sizes = spec.full_layers
    li = spec.latent_index
    enc_sizes = list(sizes[: li + 1])
    if kind_of(spec).samples_codes:
        enc_sizes[-1] *= 2   # the last encoder layer emits mean and log-variance
    dec_sizes = list(sizes[li:])
    offset = 0
    enc, dec = [], []
    for part, ss, out_act, dest in (("encoder", enc_sizes, spec.latent_activation, enc),
                                    ("decoder", dec_sizes, spec.output_activation, dec)):
        for i in range(len(ss) - 1):
            last = i == len(ss) - 2
            act = out_act if last else spec.hidden_activation
            if part == "encoder" and last and kind_of(spec).samples_codes:
                act = "identity"
            dest.append(Slot(f"{part}.{i}", ss[i], ss[i + 1], offset, act))
            offset += ss[i] * ss[i + 1] + ss[i + 1]
    return enc, dec, offset


class Autoencoder(LayeredNetwork):
    """K stacked fully connected autoencoders on one flat parameter buffer."""
    def __init__(self, spec: ModelSpec, k: int = 1):
        enc, dec, n_params = layout(spec)
        super().__init__(spec, k, n_params, spec.full_layers[0], spec.latent_dim)
        self.enc_slots, self.dec_slots = enc, dec

    def layers(self) -> list[Slot]:
        """The encoder's slots, then the decoder's."""
        return self.enc_slots + self.dec_slots

    def weights_of(self, s: Slot) -> tuple[torch.Tensor, torch.Tensor]:
        """(weight [K, fan_in, fan_out], bias [K, 1, fan_out]) of a layer, ready for baddbmm."""
        w, b = self.parts(s)
        return w.view(self.k, s.fan_in, s.fan_out), b.unsqueeze(1)

    # ---- forward pieces; inputs [N, D] are shared by all K models, or [K, N, D]
    def _run(self, slots, h, steps=None):
        for s in slots:
            w, b = self.weights_of(s)
            h = self.activate(s, torch.baddbmm(b, h, w), steps)
            # Every layer _run is given is a hidden one (decode_logits keeps the output layer),
            # except a VAE's mean and log-variance, whose sample is random already.
            if not (self.is_vae and s is self.enc_slots[-1]):
                h = self.drop(h)
        return h

    def encode_raw(self, x: torch.Tensor, steps: list | None = None):
        """The encoder's layers: ([K, N, L] or a VAE's [K, N, 2L], [])."""
        return self._run(self.enc_slots, self.stack(x), steps), []

    def decode_logits(self, z: torch.Tensor, steps: list | None = None) -> torch.Tensor:
        """The decoder's layers, the last before its activation, as [K, N, D]."""
        slots = self.dec_slots
        h = self._run(slots[:-1], self.stack(z), steps)
        w, b = self.weights_of(slots[-1])
        logits = torch.baddbmm(b, h, w)
        if steps is not None:
            self.activate(slots[-1], logits, steps)
        return logits
