"""One description of each editable Experiment field: its English label, tooltip, choices and range.

The model builder lays its form out from these and the sweep editor names and offers the fields it
varies with them; the Spanish of every text here is registered once in aegui.qt.widgets.fields.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from aegui.core.archs import ARCHS, labels as arch_labels
from aegui.core.config import experiment as C
from aegui.core.data.noise import LABELS as NOISE_LABELS

# English names of the values a choice field takes (config files spell the keys).
ACTIVATION_LABELS = {"relu": "ReLU", "leaky_relu": "leaky ReLU", "elu": "ELU", "tanh": "tanh",
                     "sigmoid": "sigmoid", "softplus": "softplus", "identity": "identity (linear)"}
INIT_LABELS = {"uniform": "uniform", "xavier": "Xavier (Glorot)", "he": "He (Kaiming)"}
LOSS_LABELS = {"mse": "MSE (squared error)", "bce": "BCE (cross-entropy)"}
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
SOURCE_LABELS = {"font": "5x7 fonts (font.h)", "emoji": "Emoji", "folder": "Image folder",
                 "idx": "MNIST-style IDX files", "digits": "8x8 digits (scikit-learn)"}
COLOR_LABELS = {"gray": "grey (1 = ink)", "rgb": "RGB on white", "rgba": "RGBA (transparency)"}

# Row labels, also used to name a field in error messages.
FIELD_LABELS = {
    "name": "Name",
    "data.source": "Source", "data.fonts": "Fonts", "data.path": "Font file", "data.chars": "Characters",
    "data.folder": "Folder", "data.images": "Images file", "data.labels_path": "Labels file",
    "data.size": "Size", "data.emoji_size": "Size", "data.color": "Colour",
    "data.subcategories": "Emoji", "data.classes": "Classes", "data.max_samples": "Max samples",
    "data.val_split": "Validation", "data.split_seed": "Split seed",
    "model.arch": "Architecture", "model.input_shape": "Input", "model.channels": "Conv channels",
    "model.kind": "Kind", "model.beta": "β (KL weight)", "model.kl_warmup": "KL warm-up",
    "model.sparsity": "Sparsity", "model.sparsity_weight": "Sparsity weight",
    "model.sparsity_rho": "Target rate ρ", "model.sparsity_k": "Codes kept (k)",
    "model.contractive_weight": "Contractive weight", "model.flip_confidence": "Change a pixel at",
    "noise.kind": "Noise", "noise.level": "Noise level", "noise.mode": "Noisy inputs",
    "noise.copies": "Copies",
    "model.encoder": "Encoder", "model.latent": "Latent size", "model.mirror": "Mirror decoder",
    "model.decoder": "Decoder", "model.layers": "Layers",
    "model.hidden_activation": "Hidden act.", "model.latent_activation": "Latent act.",
    "model.output_activation": "Output act.", "model.init": "Init",
    "train.loss": "Loss", "train.optimizer": "Optimizer", "train.learning_rate": "Learning rate",
    "train.momentum": "Momentum", "train.schedule": "LR schedule", "train.decay_rate": "Decay rate",
    "train.step_size": "Step every", "train.step_gamma": "Step factor", "train.epochs": "Epochs",
    "train.batch_size": "Batch size", "train.weight_decay": "Weight decay", "train.seed": "Seed",
    "train.seeds": "Best of K", "train.target_max_wrong": "Target", "train.check_every": "Check every",
    "train.device": "Device", "train.precision": "Precision", "train.eval_samples": "Check on",
}

TIPS = {
    "data.source": "Where the training samples come from",
    "data.folder": "A folder of PNG, JPEG, BMP or GIF pictures; subfolder names become labels",
    "data.images": "An MNIST-style images file, e.g. train-images-idx3-ubyte (or .gz)",
    "data.labels_path": "Empty: the labels file beside the images is used when there is one",
    "data.size": "Every picture is padded to a square and resized to this many pixels a side",
    "data.color": "grey: 1 = ink on a white background; RGB: colours on white; RGBA: keeps transparency",
    "data.classes": "Keep only these classes, e.g. 0,1,7; empty = all",
    "data.max_samples": "Keep at most this many samples, spread evenly over the set; 0 = all",
    "data.val_split": "Share of the samples held out to measure the validation loss; 0 = none",
    "data.split_seed": "Seed of the random train / validation split",
    "model.arch": "Fully connected layers, convolutions for images (each one halves height and width), or "
                  "local 3x3 convolutions that keep the image's size (they learn strokes, not whole glyphs)",
    "model.channels": "Output channels of each convolution; a conv layer halves the image's sides, a local "
                      "one keeps them (the last local layer's maps are the code)",
    "model.input_shape": "Set by the dataset: the size of each sample",
    "data.chars": "Train on these characters only; empty = every glyph of the chosen fonts",
    "data.path": "A font.h other than the course file",
    "model.beta": "Weight of the KL term of the VAE loss",
    "model.kl_warmup": "Epochs over which β grows from 0 to its value; 0 = no warm-up",
    "model.sparsity_weight": "Weight of the sparsity penalty on the latent code",
    "model.sparsity_rho": "Average activation the KL penalty pulls each code unit towards",
    "model.sparsity_k": "k-sparse: each sample keeps only its k largest latent units; the rest are zeroed",
    "model.contractive_weight": "Weight of the penalty on the encoder's Jacobian",
    "model.flip_confidence": "Denoising changes a drawn pixel only when the model is at least this sure it is "
                             "wrong; 0.5 takes the model's output as it is, higher keeps more of the drawing",
    "noise.level": "Probability that a pixel is corrupted (gaussian: the noise's standard deviation)",
    "noise.mode": "New noise every epoch, or a fixed set of noisy copies of each glyph",
    "model.mirror": "The decoder uses the encoder's sizes in reverse order",
    "model.latent": "Size of the code; 2 lets you see the latent space as a plane",
    "train.learning_rate": "Type values such as 0.01 or 1e-3",
    "train.batch_size": "Glyphs per update; 0 = the whole dataset at once",
    "train.weight_decay": "Pulls the weights towards 0 at every step; 0 = off",
    "train.seeds": "Train K models with seeds seed, seed+1, … side by side and keep the best",
    "train.target_max_wrong": "Stop as soon as a model's worst glyph has at most this many wrong pixels",
    "train.check_every": "Epochs between metric checks and progress points",
    "train.eval_samples": "A check measures at most this many samples (a fixed sample of big sets "
                          "such as MNIST); 0 = all",
    "train.precision": "bf16: the training step on a CUDA GPU runs under bf16 autocast; elsewhere fp32",
}
# scipy.optimize chooses its own steps over the whole data set (aegui.core.train.scipy_opt).
SCIPY_BATCH_TIP = "scipy optimizers use the whole dataset at every iteration, so the batch is always full"

# Choice field -> (the values it takes, their English names).
CHOICES = {
    "model.kind": (C.KINDS, C.KIND_LABELS), "model.arch": (tuple(ARCHS), arch_labels()),
    "model.hidden_activation": (C.ACTIVATIONS, ACTIVATION_LABELS),
    "model.latent_activation": (C.ACTIVATIONS, ACTIVATION_LABELS),
    "model.output_activation": (C.ACTIVATIONS, ACTIVATION_LABELS),
    "model.init": (C.INITS, INIT_LABELS), "model.sparsity": (C.SPARSITY, SPARSITY_LABELS),
    "train.loss": (C.LOSSES, LOSS_LABELS), "train.optimizer": (C.OPTIMIZERS, OPTIMIZER_LABELS),
    "train.schedule": (C.SCHEDULES, SCHEDULE_LABELS), "train.device": (C.DEVICES, DEVICE_LABELS),
    "train.precision": (C.PRECISIONS, PRECISION_LABELS),
    "noise.kind": (C.NOISE_KINDS, NOISE_LABELS), "noise.mode": (C.NOISE_MODES, MODE_LABELS),
    "data.source": (C.SOURCES, SOURCE_LABELS), "data.color": (C.COLORS, COLOR_LABELS),
}

# Whole-number fields -> the (lowest, highest) value a form offers.
RANGES = {
    "data.size": C.IMAGE_SIZE_RANGE, "data.max_samples": (0, 100_000_000), "data.split_seed": (0, 2**31 - 1),
    "model.kl_warmup": (0, 10_000_000), "model.sparsity_k": (1, 100_000), "model.latent": (1, 1024), "noise.copies": (1, 100_000),
    "train.step_size": (1, 10_000_000), "train.epochs": (1, 100_000_000), "train.batch_size": (0, 10_000_000),
    "train.seed": (0, 2**31 - 1), "train.seeds": (1, 256), "train.target_max_wrong": (0, 100_000),
    "train.check_every": (1, 1_000_000), "train.eval_samples": (0, 10_000_000),
}


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    tip: str = ""
    choices: tuple = ()
    choice_labels: dict = field(default_factory=dict)
    range: tuple | None = None


FIELDS = {key: Field(key, label, TIPS.get(key, ""), *CHOICES.get(key, ((), {})), RANGES.get(key))
          for key, label in FIELD_LABELS.items()}


def choice_keys(key: str) -> tuple:
    """The values a choice field takes, e.g. C.OPTIMIZERS for 'train.optimizer'; () for any other."""
    return FIELDS[key].choices if key in FIELDS else ()
