"""arch "mlp": fully connected layers of the sizes `model.layers` lists (models/mlp_net.py)."""
from __future__ import annotations

from aegui.core.archs.base import Architecture
from aegui.core.schema.experiment import ConfigError, ModelSpec
from aegui.core.schema.kinds import kind_of
from aegui.core.models.param_layouts import mlp_parameter_count


class MLP(Architecture):
    """The fully connected autoencoder: model.layers from input to output, the smallest one the code (mirrored:
    the encoder only)."""
    name = "mlp"
    label = "fully connected (MLP)"
    builder_rows = ("model.encoder", "model.latent", "model.mirror", "model.decoder", "model.dropout")
    dense = True

    def parameter_count(self, spec: ModelSpec) -> int:
        """Weights and biases of every layer (a VAE's code layer counts its mean and log-variance)."""
        return mlp_parameter_count(spec.full_layers, spec.latent_index, spec.kind)

    def build(self, spec: ModelSpec, k: int = 1):
        """An Autoencoder of K stacked models."""
        from aegui.core.models.mlp_net import Autoencoder
        return Autoencoder(spec, k)

    def forward_values(self, spec: ModelSpec) -> int:
        """Every layer's size (the code's twice for a model that samples its codes)."""
        sizes = list(spec.full_layers)
        if kind_of(spec).samples_codes:

            sizes[spec.latent_index] *= 2
        return sum(sizes)

    def step_activations(self, spec: ModelSpec) -> int:
        """Three values per unit of every layer."""
        return 3 * sum(spec.full_layers)

    def form_layers(self, d, latent, encoder, decoder, mirror, channels, shape):
        """Input, encoder sizes, latent and (unless mirrored) decoder sizes and output, the latent layer's index
        and the mirror flag."""
        enc = list(encoder)
        if mirror:
            return (d, *enc, latent), len(enc) + 1, True
        return (d, *enc, latent, *decoder, d), len(enc) + 1, False

    def form_checks(self, exp, latent_at: int) -> list[ConfigError]:
        """An unmirrored model's code must stay its smallest layer, or the shown latent layer would not be the
        one used."""
        m = exp.model
        if m.mirror:
            return []
        # ModelSpec takes the smallest layer as the code; keep that the one shown as latent.
        latent = m.layers[latent_at]
        if any(h <= latent for h in m.layers[1:latent_at]) or any(h < latent for h in m.layers[latent_at + 1:-1]):
            return [ConfigError("model.layers", "the latent size must be smaller than every encoder layer "
                                                "and at most every decoder layer")]
        return []
