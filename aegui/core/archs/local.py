"""arch "local": same-size 3x3 convolutions with `model.channels` outputs, the last one's maps being
the code, and one 3x3 convolution back to the image (models/local_net.py; docs/local-architecture.md)."""
from __future__ import annotations

import math

from aegui.core.archs.base import ImageArchitecture
from aegui.core.schema.experiment import ModelSpec, check, shown
from aegui.core.schema.kinds import kind_of
from aegui.core.models.param_layouts import local_layout


class Local(ImageArchitecture):
    """Same-size 3x3 convolutions: every map keeps the image's size and the last one is the code, so it denoises
    shapes it never saw."""
    name = "local"
    label = "local convolutions (same size)"
    builder_rows = ("model.channels",)      # the code is the last map: no latent size to choose
    max_layers = 8
    example_shape = "[7, 5] for 5x7 glyphs"
    denoises_unseen_shapes = True

    def validate(self, m: ModelSpec) -> None:
        """`layers` is [H*W*C, channels[-1]*H*W, H*W*C]."""
        kind = kind_of(m)
        check(not (kind.samples_codes or kind.penalizes_jacobian), "model.kind",
              f"a local model's code is its last feature map, so kind {shown(m.kind)} does not apply: use 'ae', "
              "'dae' or 'sparse' (or arch 'mlp' / 'conv' for a VAE)" if kind.samples_codes else

              "the contractive penalty is computed for MLP encoders only: use 'ae', 'dae' or 'sparse' with "
              "arch 'local', or arch 'mlp'")
        self.validate_images(m)
        h, w, c = m.image_shape
        d, latent = h * w * c, m.channels[-1] * h * w
        full = m.full_layers
        right = f"set model.layers to [{d}, {latent}, {d}]"
        check(len(full) == 3, "model.layers", f"a local model lists only [input, latent, output] sizes; "
              f"its hidden layers are the conv channels: {right}")
        check(full[0] == d, "model.layers",
              f"a local model's input is height x width x channels = {h}x{w}x{c} = {d}: {right}")
        check(full[1] == latent, "model.layers", f"a local model's latent is channels[-1] x H x W = "
              f"{m.channels[-1]}x{h}x{w} = {latent}: {right}")

    def parameter_count(self, spec: ModelSpec) -> int:
        """From the local layout's count."""
        return local_layout(spec)[2]

    def build(self, spec: ModelSpec, k: int = 1):
        """A LocalAutoencoder of K stacked models."""
        from aegui.core.models.local_net import LocalAutoencoder
        return LocalAutoencoder(spec, k)

    def forward_values(self, spec: ModelSpec) -> int:
        """The image twice and every same-size map."""
        h, w, c = spec.image_shape
        return 2 * h * w * c + sum(spec.channels) * h * w    # every map keeps the image's size

    def step_activations(self, spec: ModelSpec) -> int:
        """Every same-size map and three copies of the image."""
        h, w, c = spec.image_shape
        return sum(spec.channels) * h * w + h * w * c * 3

    def layer_chain(self, spec: ModelSpec, shape, latent_at: int) -> list[tuple[str, bool]]:
        """The image, each same-size map as HxWxC, the last one marked as the code, and the image again."""
        if shape is None:
            return super().layer_chain(spec, shape, latent_at)
        h, w, c = self.image_sides(shape)
        maps = [f"{h}×{w}×{ch}" for ch in spec.channels]
        ends = (f"{h}×{w}×{c}", False)
        return [ends, *((m, False) for m in maps[:-1]), (f"{maps[-1] if maps else '?'} = {spec.latent_dim}", True),
                ends]

    def form_layers(self, d, latent, encoder, decoder, mirror, channels, shape):
        """The input, code and output sizes, the code being the last map (its channels times the image's
        pixels)."""
        # The code is the last same-size feature map: its length follows the channels (the input
        # size stands in for H x W while the data's shape is unknown).
        chans = list(channels) or [1]
        code = chans[-1] * (math.prod(shape[:2]) if shape else d)
        return (d, code, d), 1, False
