"""Experiment description: frozen dataclasses <-> JSON, and ConfigError, which names the field.

What makes an experiment valid is in config/validation.py (it asks the architecture registry,
aegui/core/archs/, which itself reads ModelSpec from here).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields

from aegui.core.schema.kinds import KIND_TABLE
from aegui.core.schema.shown import ECHO_LIMIT, shown  # noqa: F401  (imported from here across aegui)

# The numerics revision of the experiment settings' defaults (with config/validation.py): bump it
# with any change to the numbers computed here (docs/numerics.md; the report's rows that use it are
# then made again).
NUMERICS = 1

SCHEMA_VERSION = 1

KINDS = tuple(KIND_TABLE)     # the model kinds and what each is: schema/kinds.py
KIND_LABELS = {k.name: k.label for k in KIND_TABLE.values()}
ACTIVATIONS = ("relu", "leaky_relu", "elu", "tanh", "sigmoid", "softplus", "cosh", "identity")
SLOPED_ACTIVATIONS = ("tanh", "sigmoid")   # the functions model.slope scales the input of
INITS = ("uniform", "xavier", "he")
LOSSES = ("mse", "bce", "l2_norm")   # l2_norm: ||x - x_hat||_2 per sample
OPTIMIZERS = ("sgd", "momentum", "adam", "adamw", "rmsprop", "powell", "bfgs", "cg")
ADAM_OPTIMIZERS = ("adam", "adamw")   # the optimizers train.adam_beta1 / adam_beta2 / adam_eps set
# scipy.optimize methods (aegui.core.train.backends.scipy_opt): whole-batch, deterministic losses only.
SCIPY_OPTIMIZERS = ("powell", "bfgs", "cg")
SCHEDULES = ("constant", "exponential", "step", "cosine")
NOISE_KINDS = ("salt_pepper", "bit_flip", "gaussian")
NOISE_MODES = ("fresh", "fixed")
SPARSITY = ("l1", "kl", "topk")   # topk: k-sparse, keep the k largest codes (no penalty)
DEVICES = ("auto", "cpu", "cuda", "mps")
PRECISIONS = ("fp32", "bf16")     # bf16: autocast of the captured CUDA step (train/backends/capture.py)
# The architectures (model.arch) are registered in aegui/core/archs/.


class ConfigError(ValueError):
    """A bad configuration value; `field` is the dotted path, e.g. 'train.learning_rate'."""

    def __init__(self, field: str, problem: str, source: str | None = None):
        self.field, self.problem, self.source = field, problem, source
        where = f"{source}: " if source else ""
        super().__init__(one_line(f"{where}{field}: {problem}"))


def one_line(text: str) -> str:
    """Control characters from a file (a key named "\\n") escaped: an error is one line. A
    message that still runs past MESSAGE_LIMIT (a value echoed whole, somewhere shown() was not
    used) keeps its start, which names the field, and its end, which says what to do."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return clipped(text)


def clipped(text: str) -> str:
    """`text` as it is when within MESSAGE_LIMIT; else its start and its end around " … "."""
    if len(text) <= MESSAGE_LIMIT:
        return text
    return f"{text[:MESSAGE_LIMIT * 2 // 3]} … {text[-(MESSAGE_LIMIT // 3):]}"


# How long a message may grow (how much of a user's value it repeats: schema/shown.py).
MESSAGE_LIMIT = 600


def check(cond: bool, field_: str, problem: str) -> None:
    """The validation rules' one step: ConfigError(field_, problem) unless `cond`."""
    if not cond:
        raise ConfigError(field_, problem)


def whole(value) -> bool:
    """An int that is not a bool (JSON's true would pass isinstance(v, int))."""
    return isinstance(value, int) and not isinstance(value, bool)


COLORS = ("gray", "rgb", "rgba")
EMOJI_SIZES = (16, 32, 64)
IMAGE_SIZE_RANGE = (4, 256)             # folder images are resized to size x size
MAX_VAL_SPLIT = 0.8   # the training-fraction experiment trains on 30 % of the glyphs
MAX_AUGMENT_COPIES = 256


@dataclass(frozen=True)
class DataConfig:
    """The config's data section: which source, which of its samples, and how they are shaped and split."""
    fonts: tuple[str, ...] = ("Font3",)   # font: array names in the font file, or ("all",)
    chars: str = ""                       # font: keep only these characters ("" = all)
    path: str = ""                        # font: a font.h ("" = the course file shipped with
                                          # aegui); folder: the image folder; idx: the images file
    source: str = "font"                  # a data source's name (aegui/core/data/sources/): font, emoji,
                                          # folder, idx (MNIST-style files), digits
    size: int = 32                        # emoji (16, 32, 64) and folder (4-256): image side in px
    color: str = "gray"                   # emoji / folder: gray (1 = ink), rgb (on white), rgba
    subcategories: tuple[str, ...] = ()   # emoji: e.g. ("face-smiling",); () = all
    labels_path: str = ""                 # idx: the labels file ("" = look beside the images)
    classes: tuple[int, ...] = ()         # idx / digits: keep only these classes; () = all
    max_samples: int = 0                  # keep at most this many samples (0 = all)
    val_split: float = 0.0                # fraction (0-0.5) held out to measure validation loss
    split_seed: int = 0                   # seed of the train / validation split
    catalogue: str = ""                   # idx: a fetched catalogue dataset (mnist, fashion-mnist,
                                          # kmnist, emnist-letters) instead of data.path
    extra_glyphs: tuple[str, ...] = ()    # font: more font.h files, every glyph of each added to
                                          # the chosen fonts' (what `aegui teach` taught a model)


@dataclass(frozen=True)
class ModelSpec:
    """The config's model section: kind, architecture, layer sizes, activations, initialisation and each kind's
    own settings."""
    kind: str = "ae"
    layers: tuple[int, ...] = (35, 25, 10, 2, 10, 25, 35)
    mirror: bool = False                  # layers lists the encoder only; the decoder mirrors it
    hidden_activation: str = "elu"
    latent_activation: str = "identity"
    output_activation: str = "sigmoid"
    init: str = "xavier"
    beta: float = 1.0                     # VAE: weight of the KL term
    kl_warmup: int = 0                    # VAE: epochs over which beta grows from 0
    sparsity: str = "l1"
    sparsity_weight: float = 1e-3
    sparsity_rho: float = 0.05
    sparsity_k: int = 2                   # topk: codes kept per sample (the k largest)
    contractive_weight: float = 1e-3
    arch: str = "mlp"                     # mlp: `layers`; conv: stride-2 convs with `channels`;
                                          # local: same-size 3x3 convs with `channels`
    channels: tuple[int, ...] = (32, 64)  # conv: output channels of each conv (each halves H, W)
    input_shape: tuple[int, ...] = ()     # conv / local: the images' (H, W) or (H, W, C)
    # Denoising 5x7 glyphs: keep an input pixel unless the model is at least this sure it is
    # wrong. 0.5 takes the model's output as it is; higher trusts the drawing more, which is
    # what keeps a model from "correcting" a glyph of a font it never saw into one it knows.
    flip_confidence: float = 0.5
    # mlp: the share of each hidden layer's outputs zeroed at every training step (0 = none);
    # evaluation, encoding and decoding never drop (models/network.py: Network.dropping).
    dropout: float = 0.0
    # convlayers: the encoder's and the decoder's layers, one line each, e.g. "conv 32 3x3",
    # "maxpool 2x2", "batchnorm", "dense 2" (models/layer_kinds.py reads them). Files written
    # before these fields existed leave them out: () is every other architecture's value.
    conv_encoder: tuple[str, ...] = ()
    conv_decoder: tuple[str, ...] = ()
    # The slope β of every tanh and sigmoid unit (hidden, latent and output layers): tanh(β x) and
    # 1 / (1 + exp(-β x)); 1 is the functions as they are. The course writes its logistic
    # 1 / (1 + exp(-2 β x)): that is this sigmoid at slope 2 β (models/layers.py: activate).
    slope: float = 1.0

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """conv: (H, W, C) of the input images (C = 1 for grey)."""
        shape = tuple(self.input_shape)
        return shape if len(shape) == 3 else (*shape, 1)

    @property
    def full_layers(self) -> tuple[int, ...]:
        """Every layer's size from input to output, the decoder mirrored in when `mirror`."""
        if self.mirror:
            return tuple(self.layers) + tuple(reversed(self.layers[:-1]))
        return tuple(self.layers)

    @property
    def latent_index(self) -> int:
        """Which of full_layers is the code: the last listed when mirrored, else the smallest hidden layer."""
        sizes = self.full_layers
        return len(self.layers) - 1 if self.mirror else sizes.index(min(sizes[1:-1]))

    @property
    def latent_dim(self) -> int:
        """Size of the code."""
        return self.full_layers[self.latent_index]


@dataclass(frozen=True)
class NoiseConfig:
    """The config's noise section: the kind and level a denoiser trains on, fresh every epoch or as fixed
    copies."""
    kind: str = "salt_pepper"
    level: float = 0.1
    mode: str = "fresh"                   # fresh noise every epoch, or `copies` fixed noisy copies
    copies: int = 10


@dataclass(frozen=True)
class AugmentConfig:
    """5x7 glyphs only (aegui.core.data.augment): fresh shape changes and mixed noise every epoch."""
    enabled: bool = False
    shift: float = 0.5                    # probability a glyph moves 1 px (where its ink fits)
    thicken: float = 0.15                 # ... that its strokes get one pixel bolder
    thin: float = 0.15                    # ... that two-pixel-wide vertical strokes get thinner
    distort: float = 0.3                  # ... of an italic shear or a stroke end cut / grown
    splice: float = 0.0                   # ... that it is replaced by the top / left of it over another's rest
    strokes: float = 0.0                  # ... that it is replaced by a few random connected pen strokes
    keep: float = 0.0                     # share of the glyphs left as they are (noise still applies)
    copies: int = 1                       # augmented copies of every glyph per epoch
    noise_kinds: tuple[str, ...] = ()     # denoising: each sample draws one ( () = noise.kind )
    noise_levels: tuple[float, ...] = ()  # [low, high]: each sample's level ( () = noise.level )


@dataclass(frozen=True)
class TrainConfig:
    """The config's train section: loss, optimizer and schedule, epochs and batches, seeds, targets, early
    stopping and device."""
    loss: str = "bce"
    optimizer: str = "adam"
    learning_rate: float = 0.01
    momentum: float = 0.9
    schedule: str = "constant"
    decay_rate: float = 0.999             # exponential: lr * decay_rate ** epoch
    step_size: int = 1000                 # step: lr * step_gamma ** (epoch // step_size)
    step_gamma: float = 0.5
    epochs: int = 5000
    batch_size: int = 0                   # 0 = full batch
    weight_decay: float = 0.0
    seed: int = 0
    seeds: int = 1                        # models trained together; the best one is kept
    device: str = "auto"
    precision: str = "fp32"               # "bf16" runs the CUDA step under bf16 autocast
    target_max_wrong: int | None = None   # stop once a model's worst glyph has <= this many
    check_every: int = 10                 # epochs between metric checks / progress records
    eval_samples: int = 10000             # a check measures at most this many samples (0 = all);
                                          # see core/train/evaluation.py
    # Fields below were added after files were first saved: a file without them takes these
    # defaults, which train as before they existed.
    clip_norm: float = 0.0                # each model's gradient scaled to at most this global
                                          # norm before a step (0 = off)
    patience: int = 0                     # early stopping: epochs without improvement (0 = off)
    min_delta: float = 0.0                # early stopping: a fall this small is no improvement
    loss_target: float = 0.0              # stop once the kept model's training loss is <= this (0 = off)
    adam_beta1: float = 0.9               # adam / adamw: decay of the running mean of gradients
    adam_beta2: float = 0.999             # ... of the running mean of squared gradients
    adam_eps: float = 1e-8                # ... added to the denominator's square root


@dataclass(frozen=True)
class Experiment:
    """A whole config: its name and the data, model, train, noise and augment sections."""
    name: str = "experiment"
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelSpec = field(default_factory=ModelSpec)
    train: TrainConfig = field(default_factory=TrainConfig)
    noise: NoiseConfig = field(default_factory=NoiseConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)

    def to_dict(self) -> dict:
        """As a config JSON holds it, with its schema version and lists for tuples."""
        out = {"schema_version": SCHEMA_VERSION}
        out.update(asdict(self))
        out["data"]["fonts"] = list(self.data.fonts)
        for section, key in (("model", "layers"), ("model", "channels"), ("model", "input_shape"),
                             ("model", "conv_encoder"), ("model", "conv_decoder"),
                             ("data", "subcategories"), ("data", "classes"), ("data", "extra_glyphs"),
                             ("augment", "noise_kinds"), ("augment", "noise_levels")):
            out[section][key] = list(out[section][key])
        return out

    def to_json(self) -> str:
        """to_dict() as indented JSON."""
        return json.dumps(self.to_dict(), indent=2)


# ---------------------------------------------------------------- JSON (native schema)

_SECTIONS = {"data": DataConfig, "model": ModelSpec, "train": TrainConfig, "noise": NoiseConfig,
             "augment": AugmentConfig}
# Sections a native file may leave out (added after the first release; their defaults apply).
OPTIONAL_SECTIONS = ("augment",)


def _build(cls, raw: dict, section: str):
    if not isinstance(raw, dict):
        raise ConfigError(section, f"must be an object, got {type(raw).__name__}")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{section}.{unknown[0]}", f"unknown field; known fields: {', '.join(sorted(known))}")
    values = dict(raw)
    # JSON's lists are the dataclasses' tuples, its whole numbers the floats they hold; whether a
    # value is of its field's type is validation's (each field's description, config/fields.py).
    for f in fields(cls):
        v = values.get(f.name)
        if f.type.startswith("tuple") and isinstance(v, list):
            v = tuple(v)
        if f.type == "tuple[float, ...]" and isinstance(v, tuple):
            v = tuple(float(x) if whole(x) else x for x in v)
        elif f.type == "float" and whole(v):
            v = float(v)
        if f.name in values:
            values[f.name] = v
    return cls(**values)


def parse_experiment(raw: dict) -> Experiment:
    """The Experiment a native JSON object describes, its fields' names and types checked but not
    its values: validation.experiment_from_dict is the reader that also validates."""
    if not isinstance(raw, dict):
        raise ConfigError("(top level)", "a configuration must be a JSON object")
    version = raw.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ConfigError("schema_version", f"unsupported version {shown(version)}; this aegui reads {SCHEMA_VERSION}")
    unknown = sorted(set(raw) - {"schema_version", "name", *_SECTIONS})
    if unknown:
        raise ConfigError(unknown[0], f"unknown section; known: name, {', '.join(_SECTIONS)}")
    parts = {k: _build(cls, raw.get(k, {}), k) for k, cls in _SECTIONS.items()}
    return Experiment(name=str(raw.get("name", "experiment")), **parts)
