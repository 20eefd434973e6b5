"""What an architecture (the config's `model.arch`) is to the rest of aegui: one object that knows
its rules, its size, its network and how the builder shows it. Torch-free: the builder lays out and
counts models with these before torch is loaded; `build` and the methods that take a model import
torch (through the network's module) when they are called.

A new architecture subclasses Architecture (or ImageArchitecture for one that reads images through
`model.channels`), fills in the methods below and is registered in aegui/core/archs/__init__.py.
"""
from __future__ import annotations

import math

from aegui.core.schema.experiment import ConfigError, ModelSpec, check, shown, whole


class Architecture:
    """One value of model.arch: its rules, its size and memory, the network it builds, and how the builder lays
    it out. Subclasses fill in the methods."""
    name = ""                # the config's model.arch
    label = ""               # its English name (the Spanish is in resources/i18n/es.json)
    reads_images = False     # reads `model.input_shape` images (True) or flat vectors
    # The builder rows that apply to it besides the ones every model has (kind, activations ...).
    builder_rows: tuple[str, ...] = ()
    max_layers: int | None = None       # most entries `model.channels` may list (None: not used)
    dense = False                       # fully connected: the network view draws units and weights
    has_feature_maps = False            # the network view shows its feature maps
    # Its layers see only a few pixels around each output pixel, so it denoises shapes it never
    # saw: the pixel editor falls back to such a model for drawings another finds unfamiliar.
    denoises_unseen_shapes = False

    # ---------------------------------------------------------------- configuration
    def validate(self, spec: ModelSpec) -> None:
        """Its own rules, beyond the ones every model follows (config/validation.py); ConfigError
        names the field to change."""

    def parameter_count(self, spec: ModelSpec) -> int:
        """Trainable parameters of one model of `spec`, counted without building it."""
        raise NotImplementedError

    def input_size(self, spec: ModelSpec) -> int:
        """Values of one sample."""
        return spec.full_layers[0]

    def check_fits(self, spec: ModelSpec, data) -> None:
        """ConfigError unless the model reads `data`'s samples (a Dataset: shape, dim, name)."""
        first = spec.full_layers[0]
        if first != data.dim:
            shape = "x".join(str(s) for s in data.shape)
            raise ConfigError("model.layers", f"the input layer has {first} units but each sample of "
                              f"{data.name} has {data.dim} values ({shape}); make the first and last "
                              f"layers {data.dim}")

    # ---------------------------------------------------------------- the network
    def build(self, spec: ModelSpec, k: int = 1):
        """K stacked models on one flat [K, P] parameter `flat`: a models/network.Network (its
        encode_raw and decode_logits hand Explain each layer's values)."""
        raise NotImplementedError

    def feature_maps(self, model, x) -> list:
        """(name, [channels, h, w] array) of each feature map for one input x [D] (K = 1)."""
        raise ValueError("only convolutional models have feature maps")

    # ---------------------------------------------------------------- memory (train/memory.py, capture.py)
    def forward_values(self, spec: ModelSpec) -> int:
        """Values one sample passes through in a forward pass (every layer's output, the input too)."""
        raise NotImplementedError

    def step_activations(self, spec: ModelSpec) -> int:
        """Values per sample a captured CUDA step keeps for backward (train/memory.free_models)."""
        raise NotImplementedError

    def shrink_advice(self, spec: ModelSpec) -> tuple[str, str]:
        """(field, what to do) when its weights are what does not fit in memory."""
        return "model.layers", f"use smaller layers (the largest has {max(spec.full_layers):,} units)"

    # ---------------------------------------------------------------- the builder form
    def layer_chain(self, spec: ModelSpec, shape, latent_at: int) -> list[tuple[str, bool]]:
        """The builder's picture of the layers, input to output: (text, is the code) per step;
        `shape` is the data's (H, W[, C]) or None, `latent_at` the form's latent layer."""
        return [(str(v), i == latent_at) for i, v in enumerate(spec.full_layers)]

    def form_layers(self, d: int, latent: int, encoder, decoder, mirror: bool, channels,
                    shape) -> tuple[tuple[int, ...], int, bool]:
        """(model.layers, index of the latent layer, model.mirror) from the builder's rows: input
        size d, latent size, encoder / decoder sizes, the mirror box, channels, the data's shape."""
        raise NotImplementedError

    def form_checks(self, exp, latent_at: int) -> list[ConfigError]:
        """Rules the builder adds to validation that only the form's layout can break (English;
        the builder translates the problem)."""
        return []


class ImageArchitecture(Architecture):
    """An architecture that reads `input_shape` images through `channels` convolutions and lists
    only [input, latent, output] sizes in `layers`."""

    reads_images = True
    has_feature_maps = True
    example_shape = "[32, 32, 3]"       # named when input_shape is missing

    def input_size(self, spec: ModelSpec) -> int:
        """Values of one sample: height x width x channels."""
        return math.prod(spec.image_shape)

    def check_fits(self, spec: ModelSpec, data) -> None:
        """ConfigError naming model.input_shape unless the data's samples are images of the shape the model
        reads."""
        have = tuple(data.shape) if len(data.shape) == 3 else (*data.shape, 1)
        if len(data.shape) not in (2, 3) or have != spec.image_shape:
            shape = "x".join(str(s) for s in data.shape)
            want = "x".join(str(s) for s in spec.input_shape)
            raise ConfigError("model.input_shape", f"the {spec.arch} model reads {want} images but "
                              f"{data.name} holds {shape} samples; set model.input_shape to "
                              f"{list(data.shape)} (and the input/output layers to {data.dim})")
        super().check_fits(spec, data)

    def validate_images(self, m: ModelSpec) -> None:
        """input_shape and channels."""
        shape = m.input_shape
        check(isinstance(shape, tuple) and len(shape) in (2, 3) and all(whole(v) and v > 0 for v in shape),
              "model.input_shape", f"a {m.arch} model needs the images' [height, width] or [height, width, "
              f"channels], e.g. {self.example_shape}; got {shown(list(shape) if isinstance(shape, tuple) else shape)}")
        _, _, c = m.image_shape
        check(c in (1, 3, 4), "model.input_shape", f"images have 1 (grey), 3 (RGB) or 4 (RGBA) channels, got {c}")
        ch, most = m.channels, self.max_layers
        check(isinstance(ch, tuple) and 1 <= len(ch) <= most, "model.channels",
              f"list 1 to {most} conv layers' channel counts, e.g. [32, 64]; got {shown(ch)}")
        for i, v in enumerate(ch):
            check(whole(v) and 0 < v <= 1024, f"model.channels[{i}]",
                  f"channel counts must be whole numbers from 1 to 1024, got {shown(v)}")

    def shrink_advice(self, spec: ModelSpec) -> tuple[str, str]:
        """The conv channels, or smaller images, are what to cut when the weights do not fit in memory."""
        return "model.channels", f"use fewer conv channels (now {list(spec.channels)}) or smaller images"

    def feature_maps(self, model, x) -> list:
        """The network's own feature maps of one input."""
        return model.feature_maps(x)

    @staticmethod
    def image_sides(shape) -> tuple[int, int, int]:
        """(H, W, C) of a data shape (H, W) or (H, W, C)."""
        return (*shape, 1)[:3] if len(shape) == 2 else tuple(shape)
