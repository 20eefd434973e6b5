"""One description of each editable Experiment field: its type, label, tooltip, choices and range,
how a form shows it (suffix, special-value text, unit) and when it applies to the experiment being
edited. The model builder lays its form out from these, in this order; the sweep editor offers,
parses and checks the fields it varies with them. Qt-free: the texts are English, the window
translates them (their Spanish is in resources/i18n/es.json).

A new plain field is its dataclass field (experiment.py), its description here and its Spanish:
the builder then shows, fills, reads, checks and hides it with no code of its own.
"""
from __future__ import annotations

import math
from dataclasses import MISSING, dataclass, field, fields as dataclass_fields, replace
from typing import Callable, Mapping

from aegui.core.archs import LABELS as ARCH_LABELS, NAMES as ARCH_NAMES, arch_of
from aegui.core.schema import experiment as C
from aegui.core.schema.kinds import LABELS as KIND_LABELS, NAMES as KIND_NAMES, kind_of
from aegui.core.data.noise import LABELS as NOISE_LABELS
from aegui.core.data.sources import LABELS as SOURCE_LABELS, NAMES as SOURCE_NAMES, SOURCES, reads_glyphs
from aegui.core.schema.experiment import shown

# English names of the values a choice field takes (config files spell the keys).
ACTIVATION_LABELS = {"relu": "ReLU", "leaky_relu": "leaky ReLU", "elu": "ELU", "tanh": "tanh",
                     "sigmoid": "sigmoid", "softplus": "softplus", "cosh": "cosh",
                     "identity": "identity (linear)"}
INIT_LABELS = {"uniform": "uniform", "xavier": "Xavier (Glorot)", "he": "He (Kaiming)"}
LOSS_LABELS = {"mse": "MSE (squared error)", "bce": "BCE (cross-entropy)",
               "l2_norm": "L2 norm ‖x − x̂‖ (per sample)"}
# cosh grows like e^|x| / 2: float32 overflows past |x| ≈ 89, and a layer of cosh units feeds the
# next values of at least 1, so a deep stack of them can blow up where tanh would not.
ACTIVATION_TIP = "cosh grows exponentially (cosh 10 ≈ 11,000): large inputs overflow, so keep layers few and weights small"
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "SGD + momentum", "adam": "Adam", "adamw": "AdamW",
                    "rmsprop": "RMSprop", "powell": "Powell (scipy)", "bfgs": "BFGS (scipy)",
                    "cg": "CG (scipy)"}
SCHEDULE_LABELS = {"constant": "constant", "exponential": "exponential", "step": "steps",
                   "cosine": "cosine to 0"}
MODE_LABELS = {"fresh": "fresh every epoch", "fixed": "fixed copies"}
SPARSITY_LABELS = {"l1": "L1 on the code", "kl": "KL to a target rate ρ",
                   "topk": "k-sparse (keep the top k)"}
DEVICE_LABELS = {"auto": "Auto", "cpu": "CPU", "cuda": "CUDA (GPU)", "mps": "Apple MPS (GPU)"}
PRECISION_LABELS = {"fp32": "fp32", "bf16": "bf16 (CUDA)"}
COLOR_LABELS = {"gray": "grey (1 = ink)", "rgb": "RGB on white", "rgba": "RGBA (transparency)"}
IDX_FILTER = "IDX files (*idx*ubyte *idx*ubyte.gz *.idx *.gz);;All files (*)"
# scipy.optimize chooses its own steps over the whole data set (aegui.core.train.backends.scipy_opt).
SCIPY_BATCH_TIP = "scipy optimizers use the whole dataset at every iteration, so the batch is always full"

TYPES = ("int", "float", "bool", "text", "choice", "ints", "names", "path")


def always(exp) -> bool:
    """The `applies` of a field every model has."""
    return True


@dataclass(frozen=True)
class Field:
    """One setting of an experiment as the builder's form and validate() read it: its label, type, choices or
    range, and when it applies."""
    key: str                        # "train.learning_rate"; "name" for the experiment's name
    label: str                      # the row's label; error messages name the field with it too
    type: str                       # one of TYPES (ints / names: lists of whole numbers / of names)
    tip: str = ""
    choices: tuple = ()
    choice_labels: Mapping = field(default_factory=dict)
    range: tuple | None = None      # the lowest and highest value a form offers and check() accepts
                                    # (of each item, for a list); math.inf: no highest
    open: str = ""                   # "low" / "high" / "both": the value must stay strictly inside
    suffix: str = ""                # after the number in its box, e.g. " epochs"
    special: str = ""               # shown instead of the lowest value, e.g. "all" for 0
    placeholder: str = ""           # shown in an empty text box
    percent: bool = False           # a fraction shown as a percentage
    decimals: int = 0               # percent: decimals shown
    step: float = 1.0               # percent: what one arrow click adds, in percent
    slider: bool = False            # percent: a slider beside the box
    optional: str = ""              # the value may be None: the check box that turns it on
    unit: str = ""                  # a word after the box in its row, e.g. "seeds"
    joins: str = ""                 # shown in the row of this other field, after `lead`
    lead: str = ""
    unreadable: str = ""            # the problem when typed text cannot be read
    unknown: str = ""               # how a list names a value it cannot offer, e.g. "{key} (not available)"
    folder: bool = False            # path: a folder, not a file
    dialog: str = ""                # path: the title of the dialog that picks it
    file_filter: str = ""           # path: the dialog's file types
    of: str = ""                    # a row that edits part of another field (model.encoder of model.layers)
    in_form: bool = True            # False: no row of its own (set from other rows, e.g. data.catalogue)
    applies: Callable = always      # does the field matter for this experiment? (a form hides it if not)
    enabled: Callable = always      # can it be edited now? (a form greys it out if not)
    kept_if: Callable | None = None   # when this is false the field reads as its default: a value the
                                      # form keeps while the row is hidden that the config would refuse

    @property
    def section(self) -> str:
        """'train' for 'train.learning_rate'; '' for the name."""
        return self.key.split(".", 1)[0] if "." in self.key else ""

    @property
    def name(self) -> str:
        """The key without its section ("learning_rate" of "train.learning_rate")."""
        return self.key.split(".", 1)[-1]

    @property
    def group(self) -> str:
        """The part of a form the row goes in: a denoiser's noise settings belong with its model."""
        return {"noise": "model", "": "name"}.get(self.section, self.section)

    def value(self, exp):
        """This field's value in an Experiment."""
        return getattr(getattr(exp, self.section), self.name) if self.section else getattr(exp, self.name)

    def default(self, part):
        """The field's default in `part`, the Experiment's section (a dataclass) that holds it."""
        f = next(f for f in dataclass_fields(part) if f.name == self.name)
        return f.default if f.default is not MISSING else f.default_factory()

    def check(self, value) -> str | None:
        """The problem with a value (the wrong type, outside the range, not one of the choices), or
        None. The form checks what is typed with it and validate() every field of a config file."""
        error = self.error(value)
        return error.problem if error is not None else None

    def error(self, value) -> C.ConfigError | None:
        """check() as the ConfigError naming the field (an item of a list by its index)."""
        if value is None and self.optional:
            return None
        if self.choices:
            # By type too: JSON's true is not the choice 1, nor 32.0 the size 32.
            if any(value == c and type(value) is type(c) for c in self.choices):
                return None
            return C.ConfigError(self.key, f"{shown(value)} is not one of {', '.join(map(str, self.choices))}")
        kind = _KINDS[self.type]
        if not kind.holds(value):
            return C.ConfigError(self.key, f"must be {kind.what}, got {shown(value)}")
        if self.type in ("ints", "names"):
            for i, item in enumerate(value):
                problem = _problem(_ITEMS[self.type], self.range, self.open, item)
                if problem:
                    return C.ConfigError(f"{self.key}[{i}]", problem)
            return None
        if self.type in ("int", "float"):
            problem = _problem(kind, self.range, self.open, value, checked=True)
            return C.ConfigError(self.key, problem) if problem else None
        return None


@dataclass(frozen=True)
class _Kind:
    """What a field's type holds, in a sentence's words."""
    what: str
    holds: Callable


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


_KINDS = {
    "int": _Kind("a whole number", C.whole),
    "float": _Kind("a number", _number),
    "bool": _Kind("true or false", lambda v: isinstance(v, bool)),
    "text": _Kind("text (a string)", lambda v: isinstance(v, str)),
    "path": _Kind("a path (a string)", lambda v: isinstance(v, str)),
    "choice": _Kind("one of the choices", lambda v: True),
    "ints": _Kind("a list of whole numbers", lambda v: isinstance(v, tuple)),
    "names": _Kind("a list of names", lambda v: isinstance(v, tuple)),
}
# The items of a list field: a name is text that says something.
_ITEMS = {"ints": _KINDS["int"], "names": _Kind("a name (text that is not empty)",
                                                 lambda v: isinstance(v, str) and bool(v.strip()))}


def _show(v) -> str:
    # Whole numbers whole: a seed's bound 2147483647 is not "2.14748e+09".
    return str(v) if isinstance(v, int) and abs(v) < 10 ** 30 else f"{v:g}"


def _problem(kind: _Kind, bounds, open_: str, value, checked: bool = False) -> str | None:
    """The problem with one number (or list item) against its type and bounds; `open_` names the
    bounds the value may not reach ("low", "high", "both")."""
    if not checked and not kind.holds(value):
        return f"must be {kind.what}, got {shown(value)}"
    if bounds is None or isinstance(value, str):
        return None
    lo, hi = bounds
    low_open, high_open = open_ in ("low", "both"), open_ in ("high", "both")
    if (value > lo if low_open else value >= lo) and (value < hi if high_open else value <= hi):
        return None
    if hi == math.inf and lo == 0 and kind is _KINDS["float"]:
        where = "a positive number" if low_open else "a non-negative number"
    elif hi == math.inf and lo == 0:
        where = f"{kind.what} above 0" if low_open else f"{kind.what} >= 0"
    elif hi == math.inf:
        where = f"above {_show(lo)}" if low_open else f"at least {_show(lo)}"
    elif not low_open and not high_open:
        where = f"from {_show(lo)} to {_show(hi)}"
    else:
        where = (f"above {_show(lo)}" if low_open else f"at least {_show(lo)}") + " and " + \
                (f"below {_show(hi)}" if high_open else f"at most {_show(hi)}")
    return f"must be {where}, got {_show(value)}"


# ---------------------------------------------------------------- when a field applies

def arch_rows(arch: str) -> tuple[str, ...]:
    """The rows an architecture lays its layers out with (its registry entry's builder_rows)."""
    try:
        return arch_of(arch).builder_rows
    except C.ConfigError:        # an architecture this aegui does not know (a loaded file's)
        return ()


def uses(key: str) -> Callable:
    """The experiment's architecture lays its layers out with the row `key`."""
    return lambda e: key in arch_rows(e.model.arch)


def droppable(e) -> bool:
    """The architecture drops hidden units (its builder has the dropout row) and the kind does not
    compute its own forward pass (the contractive penalty's Jacobian is carried without dropout)."""
    return "model.dropout" in arch_rows(e.model.arch) and not kind_of(e).penalizes_jacobian


def kind_flag(flag: str) -> Callable:
    """The experiment's model kind has `flag` (a Kind's flag, schema/kinds.py: "corrupts_inputs", ...)."""
    return lambda e: getattr(kind_of(e), flag)


def source_row(key: str) -> Callable:
    """The experiment's data source shows the builder row `key` (its registry entry's fields)."""
    def applies(e) -> bool:
        source = SOURCES.get(e.data.source)
        return source is not None and source.applies(key, e.data)
    return applies


def glyph_data(e) -> bool:
    """The experiment's data are 5x7 glyphs (its source's `glyphs` flag)."""
    return reads_glyphs(e.data)


def sparsity(*penalties: str) -> Callable:
    """An `applies` rule: a sparse kind using one of these penalties."""
    return lambda e: kind_of(e).sparse_codes and e.model.sparsity in penalties


def steps_by_lr(e) -> bool:
    """scipy's line searches choose their own steps: no learning rate, schedule or momentum applies."""
    return e.train.optimizer not in C.SCIPY_OPTIMIZERS


def adam(e) -> bool:
    """Adam's betas and epsilon are settings of adam and adamw only."""
    return e.train.optimizer in C.ADAM_OPTIMIZERS


def sloped(e) -> bool:
    """A layer of the model computes tanh or sigmoid, the functions model.slope scales (the VAE's code
    is a sample, no activation's)."""
    m = e.model
    acts = {m.hidden_activation, m.output_activation} | ({m.latent_activation} if not kind_of(e).samples_codes else set())
    return bool(acts & set(C.SLOPED_ACTIVATIONS))


def early_stopping(e) -> bool:
    """An `applies` rule: early stopping is on (train.patience > 0)."""
    return e.train.patience > 0


def schedule(name: str) -> Callable:
    """An `applies` rule: this learning-rate schedule is chosen and the optimizer steps by a learning rate."""
    return lambda e: e.train.schedule == name and steps_by_lr(e)


def _choice(key, label, choices, labels, tip="", **more) -> Field:
    return Field(key, label, "choice", tip, tuple(choices), labels, **more)


EPOCHS = " epochs"
ANY = math.inf      # a range with no highest value
_ALL = "all"

# ---------------------------------------------------------------- the fields, in the form's order

_FIELDS = (
    Field("name", "Name", "text"),
    # -- Dataset
    # The registry's names and labels as they are when read: a data source registered later is offered too.
    Field("data.source", "Source", "choice", "Where the training samples come from", SOURCE_NAMES, SOURCE_LABELS),
    Field("data.fonts", "Fonts", "names", applies=source_row("data.fonts")),
    Field("data.path", "Font file", "path", "A font.h other than the course file", applies=source_row("data.path")),
    Field("data.chars", "Characters", "text", "Train on these characters only; empty = every glyph of the "
          "chosen fonts", placeholder="only these characters, e.g. abcdefghij", applies=source_row("data.chars")),
    Field("data.folder", "Folder", "path", "A folder of PNG, JPEG, BMP or GIF pictures; subfolder names "
          "become labels", folder=True, dialog="Choose the image folder", of="data.path",
          applies=source_row("data.folder")),
    Field("data.images", "Images file", "path", "An MNIST-style images file, e.g. train-images-idx3-ubyte "
          "(or .gz)", dialog="Choose the IDX images file", file_filter=IDX_FILTER, of="data.path",
          applies=source_row("data.images")),
    Field("data.labels_path", "Labels file", "path", "Empty: the labels file beside the images is used when "
          "there is one", dialog="Choose the IDX labels file", file_filter=IDX_FILTER,
          applies=source_row("data.labels_path")),
    Field("data.emoji_size", "Size", "choice", "Every picture is padded to a square and resized to this many "
          "pixels a side", choices=C.EMOJI_SIZES, of="data.size", applies=source_row("data.emoji_size")),
    Field("data.size", "Size", "int", "Every picture is padded to a square and resized to this many pixels "
          "a side", range=C.IMAGE_SIZE_RANGE, suffix=" px", applies=source_row("data.size")),
    _choice("data.color", "Colour", C.COLORS, COLOR_LABELS, "grey: 1 = ink on a white background; RGB: "
            "colours on white; RGBA: keeps transparency", applies=source_row("data.color")),
    Field("data.subcategories", "Emoji", "names", applies=source_row("data.subcategories")),
    Field("data.classes", "Classes", "ints", "Keep only these classes, e.g. 0,1,7; empty = all",
          range=(0, ANY), placeholder="all, or e.g. 0,1,7", unreadable="write class numbers separated by commas, e.g. 0,1,7",
          applies=source_row("data.classes")),
    Field("data.max_samples", "Max samples", "int", "Keep at most this many samples, spread evenly over the "
          "set; 0 = all", range=(0, 100_000_000), special=_ALL, applies=source_row("data.max_samples")),
    Field("data.val_split", "Validation", "float", "Share of the samples held out to measure the validation "
          "loss; 0 = none", range=(0.0, C.MAX_VAL_SPLIT), percent=True, decimals=1, step=5.0, suffix=" %"),
    Field("data.split_seed", "Split seed", "int", "Seed of the random train / validation split",
          range=(0, 2**31 - 1), joins="data.val_split", lead="seed", enabled=lambda e: e.data.val_split > 0),
    Field("data.catalogue", "Catalogue dataset", "text", in_form=False),
    # Glyph files a model was taught (aegui teach): kept as loaded, no row of their own.
    Field("data.extra_glyphs", "Taught glyphs", "names", in_form=False),
    # -- Model (a denoiser's noise too)
    Field("model.kind", "Kind", "choice", "", KIND_NAMES, KIND_LABELS),     # live: a kind registered later too
    # The registry's names and labels as they are when read: an architecture registered later is offered and accepted.
    Field("model.arch", "Architecture", "choice", "Fully connected layers, convolutions for "
          "images (each one halves height and width), or local 3x3 convolutions that keep the image's size "
          "(they learn strokes, not whole glyphs)", ARCH_NAMES, ARCH_LABELS),
    Field("model.beta", "β (KL weight)", "float", "Weight of the KL term of the VAE loss", range=(0.0, ANY),
          applies=kind_flag("has_kl")),
    Field("model.kl_warmup", "KL warm-up", "int", "Epochs over which β grows from 0 to its value; 0 = no "
          "warm-up", range=(0, 10_000_000), suffix=EPOCHS, applies=kind_flag("has_kl")),
    _choice("model.sparsity", "Sparsity", C.SPARSITY, SPARSITY_LABELS, applies=kind_flag("sparse_codes")),
    Field("model.sparsity_weight", "Sparsity weight", "float", "Weight of the sparsity penalty on the latent "
          "code", range=(0.0, ANY), applies=sparsity("l1", "kl")),
    Field("model.sparsity_rho", "Target rate ρ", "float", "Average activation the KL penalty pulls each code "
          "unit towards", range=(0.0, 1.0), open="both", applies=sparsity("kl")),
    Field("model.sparsity_k", "Codes kept (k)", "int", "k-sparse: each sample keeps only its k largest latent "
          "units; the rest are zeroed", range=(1, 100_000), applies=sparsity("topk")),
    Field("model.contractive_weight", "Contractive weight", "float", "Weight of the penalty on the encoder's "
          "Jacobian", range=(0.0, ANY), applies=kind_flag("penalizes_jacobian")),
    _choice("noise.kind", "Noise", C.NOISE_KINDS, NOISE_LABELS, applies=kind_flag("corrupts_inputs")),
    Field("noise.level", "Noise level", "float", "Probability that a pixel is corrupted (gaussian: the noise's "
          "standard deviation)", range=(0.0, 1.0), percent=True, decimals=1, slider=True, suffix=" %",
          applies=kind_flag("corrupts_inputs")),
    _choice("noise.mode", "Noisy inputs", C.NOISE_MODES, MODE_LABELS, "New noise every epoch, or a fixed set "
            "of noisy copies of each glyph", applies=kind_flag("corrupts_inputs")),
    Field("noise.copies", "Copies", "int", range=(1, 100_000), joins="noise.mode", unit="copies",
          enabled=lambda e: e.noise.mode == "fixed"),
    Field("model.flip_confidence", "Change a pixel at", "float", "Denoising changes a drawn pixel only when "
          "the model is at least this sure it is wrong; 0.5 takes the model's output as it is, higher keeps "
          "more of the drawing", range=(0.5, 1.0), open="high", percent=True, suffix=" % sure",
          applies=lambda e: kind_of(e).corrupts_inputs and glyph_data(e),
          kept_if=glyph_data),        # images have no drawn pixels to keep
    Field("model.input_shape", "Input", "ints", "Set by the dataset: the size of each sample"),
    Field("model.channels", "Conv channels", "ints", "Output channels of each convolution; a conv layer "
          "halves the image's sides, a local one keeps them (the last local layer's maps are the code)",
          # A conv network written layer by layer takes its channels from its own lines.
          applies=lambda e: uses("model.channels")(e) and not e.model.conv_encoder),
    # One line a layer ("conv 32 3x3", "maxpool 2x2", "batchnorm", "dense 2": models/layer_kinds.py);
    # no row of their own: the form keeps them as loaded and its layer picture draws them.
    Field("model.conv_encoder", "Encoder layers", "names", in_form=False, applies=uses("model.conv_encoder"),
          kept_if=uses("model.conv_encoder")),
    Field("model.conv_decoder", "Decoder layers", "names", in_form=False, applies=uses("model.conv_decoder"),
          kept_if=uses("model.conv_decoder")),
    Field("model.encoder", "Encoder", "ints", of="model.layers", applies=uses("model.encoder")),
    Field("model.latent", "Latent size", "int", "Size of the code; 2 lets you see the latent space as a "
          "plane", range=(1, 1024), of="model.layers", applies=uses("model.latent")),
    Field("model.mirror", "Mirror decoder", "bool", "The decoder uses the encoder's sizes in reverse order",
          applies=uses("model.mirror")),
    Field("model.decoder", "Decoder", "ints", of="model.layers",
          applies=lambda e: "model.decoder" in arch_rows(e.model.arch) and not e.model.mirror),
    Field("model.layers", "Layers", "ints", range=(1, ANY)),
    _choice("model.hidden_activation", "Hidden act.", C.ACTIVATIONS, ACTIVATION_LABELS, ACTIVATION_TIP),
    Field("model.dropout", "Dropout", "float", "Share of each hidden layer's outputs zeroed at random at "
          "every training step (the rest scaled up to keep their mean); evaluation, encoding and decoding "
          "never drop; 0 = off", range=(0.0, 1.0), open="high", percent=True, decimals=1, step=5.0,
          suffix=" %", applies=droppable, kept_if=droppable),
    # The VAE's code is a sample of N(mu, sigma): no activation applies to it.
    _choice("model.latent_activation", "Latent act.", C.ACTIVATIONS, ACTIVATION_LABELS, ACTIVATION_TIP,
            applies=lambda e: not kind_of(e).samples_codes),

    _choice("model.output_activation", "Output act.", C.ACTIVATIONS, ACTIVATION_LABELS, ACTIVATION_TIP),
    Field("model.slope", "Slope β", "float", "Every tanh and sigmoid unit computes tanh(βx) or 1 / (1 + e^(−βx)); "
          "1 = the usual functions. A logistic written 1 / (1 + e^(−2βx)) is the sigmoid at twice its β",
          range=(0.0, 100.0), open="low", applies=sloped, kept_if=sloped),
    _choice("model.init", "Init", C.INITS, INIT_LABELS),
    # -- Training
    _choice("train.loss", "Loss", C.LOSSES, LOSS_LABELS, "MSE and BCE: a mean per value (summed per sample "
            "for a VAE); the L2 norm: each sample's distance to its reconstruction, averaged over the batch"),
    _choice("train.optimizer", "Optimizer", C.OPTIMIZERS, OPTIMIZER_LABELS),
    Field("train.learning_rate", "Learning rate", "float", "Type values such as 0.01 or 1e-3",
          range=(0.0, ANY), open="low", applies=steps_by_lr),
    Field("train.momentum", "Momentum", "float", range=(0.0, 1.0), open="high", applies=lambda e: e.train.optimizer == "momentum"),
    _choice("train.schedule", "LR schedule", C.SCHEDULES, SCHEDULE_LABELS, applies=steps_by_lr),
    Field("train.decay_rate", "Decay rate", "float", range=(0.0, 1.0), open="low", applies=schedule("exponential")),
    Field("train.step_size", "Step every", "int", range=(1, 10_000_000), suffix=EPOCHS, applies=schedule("step")),
    Field("train.step_gamma", "Step factor", "float", range=(0.0, ANY), open="low", applies=schedule("step")),
    Field("train.epochs", "Epochs", "int", range=(1, 100_000_000)),
    Field("train.batch_size", "Batch size", "int", "Glyphs per update; 0 = the whole dataset at once",
          range=(0, 10_000_000), special="full batch"),
    Field("train.weight_decay", "Weight decay", "float", "Pulls the weights towards 0 at every step; 0 = off",
          range=(0.0, ANY)),
    Field("train.clip_norm", "Clip norm", "float", "A step's gradient longer than this (the norm of all of one "
          "model's weights' gradients together) is scaled down to it; 0 = off", range=(0.0, ANY),
          applies=steps_by_lr, kept_if=steps_by_lr),
    Field("train.adam_beta1", "Adam β₁", "float", "How much of Adam's running mean of the gradients each step "
          "keeps (0.9 usually)", range=(0.0, 1.0), open="high", applies=adam, kept_if=adam),
    Field("train.adam_beta2", "Adam β₂", "float", "How much of Adam's running mean of the squared gradients each "
          "step keeps (0.999 usually)", range=(0.0, 1.0), open="high", joins="train.adam_beta1", lead="β₂",
          applies=adam, kept_if=adam),
    Field("train.adam_eps", "Adam ε", "float", "Added to the square root in Adam's denominator, so a weight with "
          "tiny gradients does not take huge steps (1e-8 usually)", range=(0.0, 1.0), open="low",
          applies=adam, kept_if=adam),
    Field("train.seed", "Seed", "int", range=(0, 2**31 - 1)),
    Field("train.seeds", "Best of K", "int", "Train K models with seeds seed, seed+1, … side by side and keep "
          "the best", range=(1, 256), unit="seeds"),
    # The check box is the row's label: a separate "Target" label would not fit the dock.
    Field("train.target_max_wrong", "Target", "int", "Stop as soon as a model's worst glyph has at most this "
          "many wrong pixels", range=(0, 100_000), optional="Stop at ≤", unit="wrong pixels"),
    Field("train.loss_target", "Loss target", "float", "Stop as soon as the kept model's training loss is at or "
          "below this; 0 = off", range=(0.0, ANY)),
    Field("train.patience", "Early stop", "int", "Stop once the loss has not fallen for this many epochs, read at "
          "the checks (the validation loss with a validation split, else the training loss), and keep each "
          "model's weights of its best check; 0 = off", range=(0, 100_000_000), suffix=EPOCHS, special="off"),
    Field("train.min_delta", "Min. improvement", "float", "Early stopping: a fall of the loss by this much or "
          "less is no improvement", range=(0.0, ANY), joins="train.patience", lead="by more than",
          enabled=early_stopping),     # as data.split_seed: early stopping's own setting, unused while it is off
    Field("train.check_every", "Check every", "int", "Epochs between metric checks and progress points",
          range=(1, 1_000_000), suffix=EPOCHS),
    Field("train.eval_samples", "Check on", "int", "A check measures at most this many samples (a fixed "
          "sample of big sets such as MNIST); 0 = all", range=(0, 10_000_000), suffix=" samples", special=_ALL),
    _choice("train.device", "Device", C.DEVICES, DEVICE_LABELS, unknown="{key} (not available)"),
    _choice("train.precision", "Precision", C.PRECISIONS, PRECISION_LABELS, "bf16: the training step on a CUDA "
            "GPU runs under bf16 autocast; elsewhere fp32"),
)
FIELDS: dict[str, Field] = {f.key: f for f in _FIELDS}


def in_group(group: str) -> list[Field]:
    """The fields a form shows in one group (name, data, model or train), in order."""
    return [f for f in FIELDS.values() if f.group == group and f.in_form]


def config_fields() -> list[Field]:
    """The fields an Experiment stores (not the rows that edit part of one, nor the name)."""
    return [f for f in FIELDS.values() if f.section and not f.of]


def label(key: str) -> str:
    """The English label of a field ('model.layers[2]' is labelled as 'model.layers'), or the key."""
    f = FIELDS.get(key) or FIELDS.get(key.split("[", 1)[0])
    return f.label if f is not None else key


def choice_keys(key: str) -> tuple:
    """The values a choice field takes, e.g. C.OPTIMIZERS for 'train.optimizer'; () for any other."""
    return FIELDS[key].choices if key in FIELDS else ()


def applies(key: str, exp) -> bool:
    """Whether the field `key` matters for `exp` (the form hides it, the import ignores it otherwise)."""
    return FIELDS[key].applies(exp)


def keep_used(exp):
    """`exp` with each field whose `kept_if` fails back at its default (see Field.kept_if)."""
    for f in FIELDS.values():
        part = getattr(exp, f.section, None)
        if f.kept_if is not None and not f.kept_if(exp) and f.value(exp) != f.default(part):
            exp = replace(exp, **{f.section: replace(part, **{f.name: f.default(part)})})
    return exp


INTS_PROBLEM = "write whole numbers separated by commas, e.g. 0,1,7"


def parse_ints(text: str, problem: str = INTS_PROBLEM) -> tuple[int, ...]:
    """'0, 1 7' -> (0, 1, 7); ValueError(problem) for anything but whole numbers >= 0."""
    tokens = [t for t in text.replace(",", " ").replace(";", " ").split() if t]
    if not all(t.isdigit() for t in tokens):
        raise ValueError(problem)
    return tuple(int(t) for t in tokens)
