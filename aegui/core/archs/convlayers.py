"""arch "convlayers": a convolutional autoencoder written layer by layer, each with its own kernel,
stride and padding, with max-pooling, up-sampling, batch-norm, dense and reshape layers between
(model.conv_encoder / model.conv_decoder, read by models/layer_kinds.py): the course documents'
Keras networks as they are written. The code is the encoder's last output, flattened."""
from __future__ import annotations

import math

from aegui.core.archs.base import ImageArchitecture
from aegui.core.data.sources import reads_glyphs
from aegui.core.models.layer_kinds import PlanError, layer_plan
from aegui.core.schema.experiment import ConfigError, ModelSpec, check
from aegui.core.schema.kinds import kind_of


class ConvLayers(ImageArchitecture):
    """A convolutional autoencoder written layer by layer ("conv 32 3x3", "maxpool 2x2", "dense 2"), or laid out
    from the channels and latent size when no lines are given."""
    name = "convlayers"
    label = "convolutional, layer by layer"
    # Empty layer lists are laid out from the channels and latent rows (layer_kinds.layer_lines).
    builder_rows = ("model.channels", "model.latent", "model.conv_encoder", "model.conv_decoder")
    max_layers = 5

    def plan(self, m: ModelSpec):
        """layer_plan(m), its PlanError as the ConfigError naming the line."""
        try:
            return layer_plan(m)
        except PlanError as e:
            raise ConfigError(f"{e.field}[{e.index}]", e.problem) from None

    def validate(self, m: ModelSpec) -> None:
        """The images and channels, both layer lists or neither, sides that survive the halvings, layer
        sizes that match the plan's ends, and no VAE or contractive kind; ConfigError names the field."""
        self.validate_images(m)
        check(bool(m.conv_encoder) == bool(m.conv_decoder), "model.conv_decoder" if m.conv_encoder
              else "model.conv_encoder", "list both the encoder's and the decoder's layers, or neither "
              "(then the conv channels lay them out)")
        h, w, _ = m.image_shape
        if not m.conv_encoder:
            f = 2 ** len(m.channels)
            check(h % f == 0 and w % f == 0, "model.channels", f"{len(m.channels)} conv layers halve the "
                  f"image {len(m.channels)} times, so its sides must be multiples of {f}; {h}x{w} px are not")
        enc, dec, _, _ = self.plan(m)
        h, w, c = m.image_shape
        code = math.prod(enc[-1].shape_out)
        full = m.full_layers
        check(len(full) == 3, "model.layers", f"a convlayers model lists only [input, latent, output] "
              f"sizes, e.g. [{h * w * c}, {code}, {h * w * c}]; its layers are model.conv_encoder / conv_decoder")
        check(full[0] == h * w * c == full[2], "model.layers", f"the input and output sizes ({full[0]}, "
              f"{full[2]}) must be height x width x channels = {h}x{w}x{c} = {h * w * c}")
        check(full[1] == code, "model.layers", f"the encoder's last layer gives {code} values "
              f"({'x'.join(map(str, enc[-1].shape_out))}), so the latent size must be {code}, not {full[1]}")
        out = dec[-1].shape_out
        check(math.prod(out) == h * w * c and (len(out) == 1 or out == (c, h, w)), "model.conv_decoder",
              f"the decoder's last layer must give the image back ({c} channel(s) of {h}x{w}, or "
              f"'dense {h * w * c}'); it gives {'x'.join(map(str, out))}")
        check(not kind_of(m).samples_codes, "model.kind", "the VAE's code needs a mean and a variance "
              "layer: use arch 'conv' or 'mlp' for a VAE")
        check(not kind_of(m).penalizes_jacobian, "model.kind",
              "the contractive penalty is computed for MLP encoders only; use arch 'mlp'")

    def parameter_count(self, spec: ModelSpec) -> int:
        """From the layer plan's count."""
        return layer_plan(spec)[2]

    def build(self, spec: ModelSpec, k: int = 1):
        """A LayerStackAutoencoder of K stacked models."""
        from aegui.core.models.convlayers_net import LayerStackAutoencoder
        return LayerStackAutoencoder(spec, k)

    def forward_values(self, spec: ModelSpec) -> int:
        """The input plus every layer's output in the plan; 0 when the plan is invalid."""
        try:
            enc, dec, _, _ = layer_plan(spec)
        except ValueError:
            return 0
        return math.prod(spec.image_shape) + sum(math.prod(s.shape_out) for s in enc + dec)

    def step_activations(self, spec: ModelSpec) -> int:
        """Twice the forward values."""
        return self.forward_values(spec) * 2

    def shrink_advice(self, spec: ModelSpec) -> tuple[str, str]:
        """The layer lines' channels or layers are what to cut when the weights do not fit."""
        return "model.conv_encoder", "use fewer channels or layers in model.conv_encoder / conv_decoder"

    def layer_chain(self, spec: ModelSpec, shape, latent_at: int) -> list[tuple[str, bool]]:
        """Each planned layer's output shape, the code marked; the sizes alone when the plan cannot be made."""
        try:
            enc, dec, _, _ = layer_plan(spec)
        except (ValueError, IndexError):
            return super().layer_chain(spec, shape, latent_at)

        def text(s):
            return "×".join(str(v) for v in (*s.shape_out[1:], s.shape_out[0])) if len(s.shape_out) == 3 \
                else str(s.shape_out[0])
        h, w, c = spec.image_shape
        ends = (f"{h}×{w}×{c}", False)
        return [ends, *((text(s), False) for s in enc[:-1]), (text(enc[-1]), True),
                *((text(s), False) for s in dec[:-1]), ends]

    def form_layers(self, d, latent, encoder, decoder, mirror, channels, shape):
        """Only the input, latent and output sizes: the layers come from the layer lines."""
        return (d, latent, d), 1, False

    def form_checks(self, exp, latent_at: int) -> list[ConfigError]:
        """5x7 glyphs are refused: too small for these convolutions."""
        if reads_glyphs(exp.data):
            return [ConfigError("model.arch", "5x7 glyphs are too small for these convolutions; "
                                              "use the MLP architecture for fonts")]
        return []
