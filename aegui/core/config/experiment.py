"""Experiment description: frozen dataclasses <-> JSON, with validation that names the field."""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields, replace

SCHEMA_VERSION = 1

KINDS = ("ae", "dae", "vae", "sparse", "contractive")
KIND_LABELS = {"ae": "autoencoder", "dae": "denoising", "vae": "variational (VAE)",
               "sparse": "sparse", "contractive": "contractive"}
ACTIVATIONS = ("relu", "leaky_relu", "elu", "tanh", "sigmoid", "softplus", "identity")
INITS = ("uniform", "xavier", "he")
LOSSES = ("mse", "bce")
OPTIMIZERS = ("sgd", "momentum", "adam", "adamw", "rmsprop", "powell", "bfgs", "cg")
# scipy.optimize methods (aegui.core.train.scipy_opt): whole-batch, deterministic losses only.
SCIPY_OPTIMIZERS = ("powell", "bfgs", "cg")
SCHEDULES = ("constant", "exponential", "step", "cosine")
NOISE_KINDS = ("salt_pepper", "bit_flip", "gaussian")
NOISE_MODES = ("fresh", "fixed")
SPARSITY = ("l1", "kl", "topk")   # topk: k-sparse, keep the k largest codes (no penalty)
DEVICES = ("auto", "cpu", "cuda", "mps")
PRECISIONS = ("fp32", "bf16")     # bf16: autocast of the captured CUDA step (train/capture.py)
ARCHS = ("mlp", "conv", "local")
ARCH_LABELS = {"mlp": "fully connected (MLP)", "conv": "convolutional",
               "local": "local convolutions (same size)"}
IMAGE_ARCHS = ("conv", "local")   # read `input_shape` images through `channels` convolutions
MAX_CONV_LAYERS = 5
MAX_LOCAL_LAYERS = 8


class ConfigError(ValueError):
    """A bad configuration value; `field` is the dotted path, e.g. 'train.learning_rate'."""

    def __init__(self, field: str, problem: str, source: str | None = None):
        self.field, self.problem, self.source = field, problem, source
        where = f"{source}: " if source else ""
        super().__init__(one_line(f"{where}{field}: {problem}"))


def one_line(text: str) -> str:
    """Control characters from a file (a key named "\\n") escaped: an error is one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


SOURCES = ("font", "emoji", "folder", "idx", "digits")
COLORS = ("gray", "rgb", "rgba")
EMOJI_SIZES = (16, 32, 64)
IMAGE_SIZE_RANGE = (4, 256)             # folder images are resized to size x size
MAX_VAL_SPLIT = 0.8   # the training-fraction experiment trains on 30 % of the glyphs
MAX_AUGMENT_COPIES = 256


@dataclass(frozen=True)
class DataConfig:
    fonts: tuple[str, ...] = ("Font3",)   # font: array names in the font file, or ("all",)
    chars: str = ""                       # font: keep only these characters ("" = all)
    path: str = ""                        # font: a font.h ("" = the course file shipped with
                                          # aegui); folder: the image folder; idx: the images file
    source: str = "font"                  # font, emoji, folder, idx (MNIST-style files), digits
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

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """conv: (H, W, C) of the input images (C = 1 for grey)."""
        shape = tuple(self.input_shape)
        return shape if len(shape) == 3 else (*shape, 1)

    @property
    def full_layers(self) -> tuple[int, ...]:
        if self.mirror:
            return tuple(self.layers) + tuple(reversed(self.layers[:-1]))
        return tuple(self.layers)

    @property
    def latent_index(self) -> int:
        sizes = self.full_layers
        return len(self.layers) - 1 if self.mirror else sizes.index(min(sizes[1:-1]))

    @property
    def latent_dim(self) -> int:
        return self.full_layers[self.latent_index]


@dataclass(frozen=True)
class NoiseConfig:
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


@dataclass(frozen=True)
class Experiment:
    name: str = "experiment"
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelSpec = field(default_factory=ModelSpec)
    train: TrainConfig = field(default_factory=TrainConfig)
    noise: NoiseConfig = field(default_factory=NoiseConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)

    def to_dict(self) -> dict:
        out = {"schema_version": SCHEMA_VERSION}
        out.update(asdict(self))
        out["data"]["fonts"] = list(self.data.fonts)
        for section, key in (("model", "layers"), ("model", "channels"), ("model", "input_shape"),
                             ("data", "subcategories"), ("data", "classes"), ("data", "extra_glyphs"),
                             ("augment", "noise_kinds"), ("augment", "noise_levels")):
            out[section][key] = list(out[section][key])
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def validate(self) -> "Experiment":
        validate(self)
        return self


# ---------------------------------------------------------------- validation

def _check(cond: bool, field_: str, problem: str) -> None:
    if not cond:
        raise ConfigError(field_, problem)


def _choice(value, options, field_: str) -> None:
    _check(value in options, field_, f"{value!r} is not one of {', '.join(options)}")


def _positive(value, field_: str, allow_zero: bool = False) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (value >= 0 if allow_zero else value > 0)
    _check(ok, field_, f"must be a {'non-negative' if allow_zero else 'positive'} number, got {value!r}")


def validate(exp: Experiment) -> None:
    m, t, n, d = exp.model, exp.train, exp.noise, exp.data
    validate_data(d)
    layers = m.layers
    _check(isinstance(layers, tuple) and len(layers) >= (2 if m.mirror else 3), "model.layers",
           "needs at least input, latent and output sizes, e.g. [35, 10, 2, 10, 35]")
    for i, size in enumerate(layers):
        _check(isinstance(size, int) and not isinstance(size, bool) and size > 0,
               f"model.layers[{i}]", f"layer sizes must be positive integers, got {size!r}")
    full = m.full_layers
    _check(full[0] == full[-1], "model.layers",
           f"the output size ({full[-1]}) must equal the input size ({full[0]})")
    _choice(m.kind, KINDS, "model.kind")
    _choice(m.arch, ARCHS, "model.arch")
    if m.arch == "conv":
        validate_conv(m)
    elif m.arch == "local":
        validate_local(m)
    fc = m.flip_confidence
    _check(isinstance(fc, (int, float)) and not isinstance(fc, bool) and 0.5 <= fc < 1, "model.flip_confidence",
           f"must be at least 0.5 (take the model's output) and below 1, got {fc!r}")
    _check(fc == 0.5 or d.source == "font", "model.flip_confidence",
           "keeping the input's pixels applies to 5x7 glyphs (black and white) only; set it to 0.5")
    for name in ("hidden_activation", "latent_activation", "output_activation"):
        _choice(getattr(m, name), ACTIVATIONS, f"model.{name}")
    _choice(m.init, INITS, "model.init")
    _positive(m.beta, "model.beta", allow_zero=True)
    _check(isinstance(m.kl_warmup, int) and m.kl_warmup >= 0, "model.kl_warmup",
           f"must be a whole number of epochs >= 0, got {m.kl_warmup!r}")
    _choice(m.sparsity, SPARSITY, "model.sparsity")
    _positive(m.sparsity_weight, "model.sparsity_weight", allow_zero=True)
    _check(isinstance(m.sparsity_rho, (int, float)) and 0 < m.sparsity_rho < 1, "model.sparsity_rho",
           f"must be between 0 and 1, got {m.sparsity_rho!r}")
    if m.kind == "sparse" and m.sparsity == "kl":
        _check(m.latent_activation == "sigmoid", "model.latent_activation",
               "KL sparsity needs codes in (0, 1): use 'sigmoid'")
    _check(_whole(m.sparsity_k) and m.sparsity_k >= 1, "model.sparsity_k",
           f"must be a whole number of codes >= 1, got {m.sparsity_k!r}")
    if m.kind == "sparse" and m.sparsity == "topk":
        _check(m.sparsity_k < m.latent_dim, "model.sparsity_k",
               f"top-k keeps k of the {m.latent_dim} latent units, so k must be below {m.latent_dim} "
               f"(got {m.sparsity_k}); widen the latent layer or lower k")
    _positive(m.contractive_weight, "model.contractive_weight", allow_zero=True)
    _choice(t.loss, LOSSES, "train.loss")
    if t.loss == "bce":
        _check(m.output_activation == "sigmoid", "model.output_activation",
               "the BCE loss needs outputs in (0, 1): use 'sigmoid' or switch train.loss to 'mse'")
    _choice(t.optimizer, OPTIMIZERS, "train.optimizer")
    if t.optimizer in SCIPY_OPTIMIZERS:
        _validate_scipy(exp)
    _positive(t.learning_rate, "train.learning_rate")
    _check(isinstance(t.momentum, (int, float)) and 0 <= t.momentum < 1, "train.momentum",
           f"must be in [0, 1), got {t.momentum!r}")
    _choice(t.schedule, SCHEDULES, "train.schedule")
    _check(isinstance(t.decay_rate, (int, float)) and 0 < t.decay_rate <= 1, "train.decay_rate",
           f"must be in (0, 1], got {t.decay_rate!r}")
    _check(isinstance(t.step_size, int) and t.step_size > 0, "train.step_size",
           f"must be a positive whole number of epochs, got {t.step_size!r}")
    _positive(t.step_gamma, "train.step_gamma")
    for name in ("epochs", "seeds", "check_every"):
        value = getattr(t, name)
        _check(isinstance(value, int) and not isinstance(value, bool) and value > 0,
               f"train.{name}", f"must be a positive whole number, got {value!r}")
    _check(_whole(t.eval_samples) and t.eval_samples >= 0, "train.eval_samples",
           f"must be 0 (measure every sample at a check) or a positive whole number, got {t.eval_samples!r}")
    _check(isinstance(t.batch_size, int) and t.batch_size >= 0, "train.batch_size",
           f"must be 0 (full batch) or a positive whole number, got {t.batch_size!r}")
    _positive(t.weight_decay, "train.weight_decay", allow_zero=True)
    _check(isinstance(t.seed, int) and not isinstance(t.seed, bool) and t.seed >= 0, "train.seed",
           f"must be a whole number >= 0, got {t.seed!r}")
    _choice(t.device, DEVICES, "train.device")
    _choice(t.precision, PRECISIONS, "train.precision")
    if t.target_max_wrong is not None:
        _check(isinstance(t.target_max_wrong, int) and t.target_max_wrong >= 0,
               "train.target_max_wrong", f"must be a whole number >= 0 or null, got {t.target_max_wrong!r}")
    _choice(n.kind, NOISE_KINDS, "noise.kind")
    _check(isinstance(n.level, (int, float)) and 0 <= n.level <= 1, "noise.level",
           f"must be between 0 and 1 (a fraction, 0.1 = 10 %), got {n.level!r}")
    _choice(n.mode, NOISE_MODES, "noise.mode")
    _check(isinstance(n.copies, int) and n.copies > 0, "noise.copies",
           f"must be a positive whole number, got {n.copies!r}")
    validate_augment(exp)


def validate_augment(exp: Experiment) -> None:
    a = exp.augment
    _check(isinstance(a.enabled, bool), "augment.enabled", f"must be true or false, got {a.enabled!r}")
    for name in ("shift", "thicken", "thin", "distort", "splice", "strokes", "keep"):
        v = getattr(a, name)
        _check(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1, f"augment.{name}",
               f"must be a probability from 0 to 1, got {v!r}")
    _check(_whole(a.copies) and 1 <= a.copies <= MAX_AUGMENT_COPIES, "augment.copies",
           f"must be a whole number from 1 to {MAX_AUGMENT_COPIES}, got {a.copies!r}")
    _check(isinstance(a.noise_kinds, tuple), "augment.noise_kinds",
           f"must be a list of noise types, got {a.noise_kinds!r}")
    for i, kind in enumerate(a.noise_kinds):
        _choice(kind, NOISE_KINDS, f"augment.noise_kinds[{i}]")
    lv = a.noise_levels
    ok = isinstance(lv, tuple) and len(lv) in (0, 2) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in lv)
    _check(ok and (not lv or lv[0] <= lv[1]), "augment.noise_levels",
           f"must be [low, high] with 0 <= low <= high <= 1 (e.g. [0.0, 0.3]) or [], got {lv!r}")
    if not a.enabled:
        return
    _check(exp.data.source == "font", "augment.enabled",
           f"shape augmentation is for 5x7 font glyphs; data.source is {exp.data.source!r}: "
           "set augment.enabled to false")
    _check(exp.train.optimizer not in SCIPY_OPTIMIZERS, "augment.enabled",
           f"train.optimizer {exp.train.optimizer!r} needs the same data at every iteration; "
           "use adam or set augment.enabled to false")
    if exp.model.kind == "dae":
        _check(exp.noise.mode == "fresh", "noise.mode",
               "augmentation draws new noisy glyphs every epoch; set noise.mode to 'fresh'")


def _validate_scipy(exp: Experiment) -> None:
    """scipy's line searches need the same loss at the same weights, over the whole data set."""
    t, m, n = exp.train, exp.model, exp.noise
    name = repr(t.optimizer)
    _check(m.kind != "vae", "train.optimizer", f"{name} needs a deterministic loss and the VAE samples "
           "its codes; use adam (or another gradient-step optimizer) for a VAE")
    if m.kind == "dae":
        _check(n.mode == "fixed", "noise.mode", f"train.optimizer {name} needs a deterministic loss; set "
               "noise.mode to 'fixed' (fixed noisy copies) or use adam")
    _check(t.batch_size == 0, "train.batch_size", f"train.optimizer {name} uses the whole data set at "
           "every iteration; set train.batch_size to 0")


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate_image_model(m: ModelSpec, max_layers: int, example: str) -> None:
    """input_shape and channels, shared by the conv and local architectures."""
    shape = m.input_shape
    _check(isinstance(shape, tuple) and len(shape) in (2, 3) and all(_whole(v) and v > 0 for v in shape),
           "model.input_shape", f"a {m.arch} model needs the images' [height, width] or [height, width, "
           f"channels], e.g. {example}; got {list(shape) if isinstance(shape, tuple) else shape!r}")
    _, _, c = m.image_shape
    _check(c in (1, 3, 4), "model.input_shape", f"images have 1 (grey), 3 (RGB) or 4 (RGBA) channels, got {c}")
    ch = m.channels
    _check(isinstance(ch, tuple) and 1 <= len(ch) <= max_layers, "model.channels",
           f"list 1 to {max_layers} conv layers' channel counts, e.g. [32, 64]; got {ch!r}")
    for i, v in enumerate(ch):
        _check(_whole(v) and 0 < v <= 1024, f"model.channels[{i}]",
               f"channel counts must be whole numbers from 1 to 1024, got {v!r}")


def validate_local(m: ModelSpec) -> None:
    """A local model reads images of `input_shape` through len(channels) same-size 3x3 convs;
    the last map is the code, so `layers` is [H*W*C, channels[-1]*H*W, H*W*C]."""
    _check(m.kind not in ("vae", "contractive"), "model.kind",
           f"a local model's code is its last feature map, so kind {m.kind!r} does not apply: use 'ae', "
           "'dae' or 'sparse' (or arch 'mlp' / 'conv' for a VAE)" if m.kind == "vae" else
           "the contractive penalty is computed for MLP encoders only: use 'ae', 'dae' or 'sparse' with "
           "arch 'local', or arch 'mlp'")
    _validate_image_model(m, MAX_LOCAL_LAYERS, "[7, 5] for 5x7 glyphs")
    h, w, c = m.image_shape
    d, latent = h * w * c, m.channels[-1] * h * w
    full = m.full_layers
    right = f"set model.layers to [{d}, {latent}, {d}]"
    _check(len(full) == 3, "model.layers", f"a local model lists only [input, latent, output] sizes; "
           f"its hidden layers are the conv channels: {right}")
    _check(full[0] == d, "model.layers",
           f"a local model's input is height x width x channels = {h}x{w}x{c} = {d}: {right}")
    _check(full[1] == latent, "model.layers", f"a local model's latent is channels[-1] x H x W = "
           f"{m.channels[-1]}x{h}x{w} = {latent}: {right}")


def validate_conv(m: ModelSpec) -> None:
    """A conv model reads images of `input_shape` through len(channels) stride-2 convs, then a
    linear map to the code; `layers` only gives [input, latent, output] sizes."""
    _validate_image_model(m, MAX_CONV_LAYERS, "[32, 32, 3]")
    h, w, c = m.image_shape
    ch = m.channels
    factor = 2 ** len(ch)
    _check(h % factor == 0 and w % factor == 0, "model.channels",
           f"{len(ch)} conv layers halve the image {len(ch)} times, so its sides must be multiples of "
           f"{factor}; {h}x{w} px are not: use fewer conv layers or another image size")
    full = m.full_layers
    _check(len(full) == 3, "model.layers",
           f"a conv model lists only [input, latent, output] sizes, e.g. [{h * w * c}, 16, {h * w * c}]; "
           "its hidden layers are the conv channels")
    _check(full[0] == h * w * c, "model.layers",
           f"the input size ({full[0]}) must be height x width x channels = {h}x{w}x{c} = {h * w * c}")
    _check(m.kind != "contractive", "model.kind",
           "the contractive penalty is computed for MLP encoders only; use arch 'mlp'")


def validate_data(d: DataConfig) -> None:
    _choice(d.source, SOURCES, "data.source")
    _check(isinstance(d.fonts, tuple) and all(isinstance(f, str) for f in d.fonts), "data.fonts",
           f"must be a list of font names, got {d.fonts!r}")
    if d.source == "font":
        _check(len(d.fonts) > 0, "data.fonts", "name at least one font (e.g. Font3) or 'all'")
    _check(isinstance(d.chars, str), "data.chars", f"must be a string of characters, got {d.chars!r}")
    _check(isinstance(d.path, str), "data.path", f"must be a path (a string), got {d.path!r}")
    _check(isinstance(d.labels_path, str), "data.labels_path",
           f"must be a path (a string) or empty, got {d.labels_path!r}")
    lo, hi = IMAGE_SIZE_RANGE
    _check(_whole(d.size) and lo <= d.size <= hi, "data.size",
           f"must be a whole number of pixels from {lo} to {hi}, got {d.size!r}")
    if d.source == "emoji":
        _check(d.size in EMOJI_SIZES, "data.size",
               f"emoji come at {', '.join(map(str, EMOJI_SIZES[:-1]))} or {EMOJI_SIZES[-1]} px, "
               f"got {d.size!r}; pick one of those")
    _choice(d.color, COLORS, "data.color")
    _check(isinstance(d.subcategories, tuple) and all(isinstance(s, str) and s for s in d.subcategories),
           "data.subcategories", f"must be a list of emoji subcategory names such as "
           f"'face-smiling', got {d.subcategories!r}")
    _check(isinstance(d.classes, tuple) and all(_whole(c) and c >= 0 for c in d.classes),
           "data.classes", f"must be a list of class numbers >= 0 such as [0, 1, 7], got {d.classes!r}")
    _check(isinstance(d.catalogue, str), "data.catalogue", f"must be a dataset name, got {d.catalogue!r}")
    _check(isinstance(d.extra_glyphs, tuple) and all(isinstance(p, str) and p.strip() for p in d.extra_glyphs),
           "data.extra_glyphs", f"must be a list of font.h paths, got {d.extra_glyphs!r}")
    _check(not d.extra_glyphs or d.source == "font", "data.extra_glyphs",
           f"adds 5x7 glyphs from font.h files, but data.source is {d.source!r}; set it to []")
    if d.source in ("folder", "idx") and not (d.source == "idx" and d.catalogue.strip()):
        what = "an image folder" if d.source == "folder" else \
            "an IDX images file (e.g. train-images-idx3-ubyte), or a data.catalogue dataset"
        _check(d.path.strip() != "", "data.path", f"the {d.source} source needs {what}; set data.path")
    _check(_whole(d.max_samples) and d.max_samples >= 0, "data.max_samples",
           f"must be 0 (all samples) or a positive whole number, got {d.max_samples!r}")
    vs = d.val_split
    _check(isinstance(vs, (int, float)) and not isinstance(vs, bool) and math.isfinite(vs)
           and 0 <= vs <= MAX_VAL_SPLIT, "data.val_split",
           f"must be a fraction from 0 (no validation set) to {MAX_VAL_SPLIT} (0.2 = 20 % held out), "
           f"got {vs!r}")
    _check(_whole(d.split_seed) and d.split_seed >= 0, "data.split_seed",
           f"must be a whole number >= 0, got {d.split_seed!r}")


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
    for key in ("fonts", "layers", "subcategories", "classes", "channels", "input_shape", "noise_kinds",
                "noise_levels", "extra_glyphs"):
        if key in values:
            if not isinstance(values[key], (list, tuple)):
                raise ConfigError(f"{section}.{key}", f"must be a list, got {values[key]!r}")
            values[key] = tuple(values[key])
    for f in fields(cls):
        if f.name in values and f.type == "tuple[float, ...]":
            values[f.name] = tuple(float(v) if _whole(v) else v for v in values[f.name])
        elif f.name in values and f.type in ("float",) and isinstance(values[f.name], int) \
                and not isinstance(values[f.name], bool):
            values[f.name] = float(values[f.name])
    return cls(**values)


def experiment_from_dict(raw: dict, source: str | None = None) -> Experiment:
    try:
        if not isinstance(raw, dict):
            raise ConfigError("(top level)", "a configuration must be a JSON object")
        version = raw.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ConfigError("schema_version", f"unsupported version {version!r}; this aegui reads {SCHEMA_VERSION}")
        unknown = sorted(set(raw) - {"schema_version", "name", *_SECTIONS})
        if unknown:
            raise ConfigError(unknown[0], f"unknown section; known: name, {', '.join(_SECTIONS)}")
        parts = {k: _build(cls, raw.get(k, {}), k) for k, cls in _SECTIONS.items()}
        exp = Experiment(name=str(raw.get("name", "experiment")), **parts)
        validate(exp)
        return exp
    except ConfigError as e:
        if source and not e.source:
            raise ConfigError(e.field, e.problem, source) from None
        raise


def with_changes(exp: Experiment, **sections) -> Experiment:
    """`with_changes(exp, train={"epochs": 10})`: a validated copy with some fields replaced."""
    parts = {k: replace(getattr(exp, k), **v) for k, v in sections.items() if k in _SECTIONS}
    out = replace(exp, **parts, **{k: v for k, v in sections.items() if k not in _SECTIONS})
    validate(out)
    return out
