"""arch "conv": stride-2 convolutions with `model.channels` outputs (each halves the image), then a
linear map to the code; the decoder mirrors it with transposed convolutions (models/conv_net.py)."""
from __future__ import annotations

from aegui.core.archs.base import ImageArchitecture
from aegui.core.data.sources import reads_glyphs
from aegui.core.schema.experiment import ConfigError, ModelSpec, check
from aegui.core.schema.kinds import kind_of
from aegui.core.models.param_layouts import conv_layout


class Conv(ImageArchitecture):
    """Stride-2 convolutions that halve the image per conv layer down to a dense code, and transposed
    convolutions back up."""
    name = "conv"
    label = "convolutional"
    builder_rows = ("model.channels", "model.latent")
    max_layers = 5

    def validate(self, m: ModelSpec) -> None:
        """`layers` only gives [input, latent, output] sizes; the sides must survive the halvings."""
        self.validate_images(m)
        h, w, c = m.image_shape
        ch = m.channels
        factor = 2 ** len(ch)
        check(h % factor == 0 and w % factor == 0, "model.channels",
              f"{len(ch)} conv layers halve the image {len(ch)} times, so its sides must be multiples of "
              f"{factor}; {h}x{w} px are not: use fewer conv layers or another image size")
        full = m.full_layers
        check(len(full) == 3, "model.layers",
              f"a conv model lists only [input, latent, output] sizes, e.g. [{h * w * c}, 16, {h * w * c}]; "
              "its hidden layers are the conv channels")
        check(full[0] == h * w * c, "model.layers",
              f"the input size ({full[0]}) must be height x width x channels = {h}x{w}x{c} = {h * w * c}")
        check(not kind_of(m).penalizes_jacobian, "model.kind",

              "the contractive penalty is computed for MLP encoders only; use arch 'mlp'")

    def parameter_count(self, spec: ModelSpec) -> int:
        """From the conv layout's count."""
        return conv_layout(spec)[2]

    def build(self, spec: ModelSpec, k: int = 1):
        """A ConvAutoencoder of K stacked models."""
        from aegui.core.models.conv_net import ConvAutoencoder
        return ConvAutoencoder(spec, k)

    def forward_values(self, spec: ModelSpec) -> int:
        """The input plus each conv layer's maps (a quarter of the pixels per halving); 0 when the layout is
        invalid."""
        try:
            enc = conv_layout(spec)[0]
        except ValueError:
            return 0
        h, w, c = spec.image_shape
        total = h * w * c
        for i, blk in enumerate(enc[:-1]):       # the convolutions; the last block maps to the code
            total += blk.fan_out * (h * w) // 4 ** (i + 1)
        total *= 2    # the decoder mirrors the maps
        return total + 3 * spec.latent_dim

    def step_activations(self, spec: ModelSpec) -> int:
        """Each conv layer's maps, kept twice, and three copies of the image."""
        h, w, c = spec.image_shape
        return sum(ch * (h * w) // 4 ** (i + 1) for i, ch in enumerate(spec.channels)) * 2 + h * w * c * 3

    def layer_chain(self, spec: ModelSpec, shape, latent_at: int) -> list[tuple[str, bool]]:
        """The image, each halved map as HxWxC, the code, and the image again; the sizes alone while the data's
        shape is unknown."""
        if shape is None:
            return super().layer_chain(spec, shape, latent_at)
        h, w, c = self.image_sides(shape)
        maps, size = [], (h, w)
        for ch in spec.channels:
            size = (size[0] // 2, size[1] // 2)
            maps.append((f"{size[0]}×{size[1]}×{ch}", False))
        ends = (f"{h}×{w}×{c}", False)
        latent = (str(spec.latent_dim), True)
        try:
            self.parameter_count(spec)
        except (ValueError, IndexError, ZeroDivisionError):
            return [ends, latent, ends]       # sides the convolutions cannot halve: validation says so
        return [ends, *maps, latent, *reversed(maps), ends]

    def form_layers(self, d, latent, encoder, decoder, mirror, channels, shape):
        """Only the input, latent and output sizes: the conv layers come from the channels row."""
        # The conv layers are the channels; `layers` holds only the sizes at both ends.
        return ((d, latent) if mirror else (d, latent, d)), 1, mirror

    def form_checks(self, exp, latent_at: int) -> list[ConfigError]:
        """5x7 glyphs are refused: a stride-2 convolution cannot halve them."""
        if reads_glyphs(exp.data):
            return [ConfigError("model.arch", "5x7 glyphs cannot be halved by a stride-2 convolution; "
                                              "use the MLP architecture for fonts")]
        return []
