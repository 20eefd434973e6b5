"""What a student's config says in several keys, or in a form that needs reading: the slots the
rules (student_rules.py) fill, made aegui fields by student_json's reader. Adam's alpha is its step
size and gradient descent's the momentum; a stop condition by name; a training mode; a null seed
(a random one, kept); a font file beside the config; noise 0 as a plain autoencoder; the layer
sizes (student_shapes.py)."""
from __future__ import annotations

import math
import random
from pathlib import Path

from aegui.core.schema.experiment import (
    ADAM_OPTIMIZERS, DataConfig, SCIPY_OPTIMIZERS, SLOPED_ACTIVATIONS, ConfigError, Experiment, shown)
from aegui.core.schema.kinds import kind_of
from aegui.core.config import student_rules as R
from aegui.core.config.import_report import DEFAULT, IGNORED, NOT_IN_FILE, SAME, UNSUPPORTED, USED, Row
from aegui.core.config.student_conv import conv_shape, is_conv
from aegui.core.config.student_shapes import ASSIGNMENT_LATENT, SLOTS as _SHAPE, assemble

_ADAM_LIKE = ("adam", "adamw", "rmsprop")      # their alpha is the step size, not a momentum


def resolve(r) -> None:
    """Every slot the reader `r` (student_json._Reader) filled, made fields and rows."""
    _optimizer(r)
    _activation(r)
    _stop(r)
    _batch_and_seed(r)
    _data(r)
    _noise(r)
    _shape(r)
    m = Experiment().model
    acts = {r.value(f"model.{role}_activation", getattr(m, f"{role}_activation"))
            for role in ("hidden", "latent", "output")}
    if not acts & set(SLOPED_ACTIVATIONS):
        r.unset(("model.slope",), "a slope scales tanh and sigmoid units and this model has none")
    for _value, row in r.slots.values():
        if row.status == USED and not row.fields:
            if not row.why:
                row.say(IGNORED, "another key of the file gives it")
            row.status = IGNORED


def _optimizer(r) -> None:
    opt = r.value("train.optimizer")
    if "@alpha" in r.slots:
        if (opt or "adam") in _ADAM_LIKE:
            r.used("@alpha", "train.learning_rate", r.slot("@alpha"), "{optimizer}'s step size",
                      optimizer=opt or "adam")
        else:
            r.used("@alpha", "train.momentum", r.slot("@alpha"), "the momentum of gradient descent")
    if "@optimizer_beta" in r.slots:
        if opt in ("sgd", "momentum"):
            r.used("@optimizer_beta", "train.momentum", r.slot("@optimizer_beta"))
        else:
            r.refuse("@optimizer_beta", "Adam has two betas: write beta_1 and beta_2")
    if "@betas" in r.slots:
        betas = r.slot("@betas")
        if not (isinstance(betas, list) and len(betas) == 2):
            raise ConfigError(r.slots["@betas"][1].key, f"Adam's betas are two numbers such as "
                              f"[0.9, 0.999]; got {shown(betas)}", r.source)
        r.used("@betas", "train.adam_beta1", betas[0])
        r.used("@betas", "train.adam_beta2", betas[1])
    momentum = r.value("train.momentum", 0)
    if opt == "sgd" and isinstance(momentum, (int, float)) and momentum > 0:
        r.set["train.optimizer"][1].say(None, "gradient descent with momentum > 0")
        r.assign("train.optimizer", "momentum", r.set["train.optimizer"][1])
    opt = r.value("train.optimizer", Experiment().train.optimizer)
    if opt not in ADAM_OPTIMIZERS:
        r.unset(("train.adam_beta1", "train.adam_beta2", "train.adam_eps"),
                   "a setting of Adam; the optimizer is {optimizer}", optimizer=opt)
    if opt in SCIPY_OPTIMIZERS:
        r.unset(("train.clip_norm",), "{optimizer} picks its own steps and clips no gradient", optimizer=opt)


def _activation(r) -> None:
    raw = r.slot("@activation")
    if raw is not None:
        r.used("@activation", "model.hidden_activation", R.synonym("activation", raw))
    is_vae = r.value("model.kind") == "vae"
    if "@beta" in r.slots and is_vae and "model.beta" not in r.set:
        r.used("@beta", "model.beta", r.slot("@beta"), "a VAE's KL weight")
    elif "@beta" in r.slots:
        r.slots.setdefault("@slope", r.slots["@beta"])
    if "@slope" in r.slots:
        beta = r.slot("@slope")
        logistic = isinstance(raw, str) and R.normalize(raw, False) in R.LOGISTIC
        if logistic and isinstance(beta, (int, float)) and not isinstance(beta, bool):
            r.used("@slope", "model.slope", 2 * beta, "the course's logistic is 1/(1+e^(-2βx)), "
                      "sigmoid(2βx)")
        else:
            r.used("@slope", "model.slope", beta, "the activation's slope β: f(βx)")


def _stop(r) -> None:
    if r.slot("@stop_enabled") is False:
        for target in ("train.patience", "train.min_delta"):
            if target in r.set:
                value, row = r.set.pop(target)
                row.say(IGNORED, "early stopping is off in the file")
                row.fields = ()
        r.slots["@stop_enabled"][1].say(SAME, "no early stopping")
    elif "@stop_enabled" in r.slots:
        row = r.slots["@stop_enabled"][1]
        row.say(SAME, "early stopping as its patience says")
    if "@stop" not in r.slots and "@stop_value" in r.slots:
        r.used("@stop_value", "train.loss_target", r.slot("@stop_value"), "a loss target")
        return
    if "@stop" not in r.slots:
        return
    name = R.normalize(r.slot("@stop"), False) if isinstance(r.slot("@stop"), str) else r.slot("@stop")
    value = r.slot("@stop_value")
    if name in R.STOP_PIXELS:
        r.used("@stop", "train.target_max_wrong", R.STOP_PIXELS[name], "stop at that many wrong pixels")
    elif name in R.STOP_COUNTS and value is not None:
        r.used("@stop", "train.target_max_wrong", value, "stop at that many wrong pixels")
    elif name in R.STOP_LOSS and value is not None:
        r.used("@stop", "train.loss_target", value, "stop once the loss is this low")
    elif name in R.STOP_NONE:
        row = r.slots["@stop"][1]
        row.say(SAME, "train the epochs given")
    else:
        r.refuse("@stop", "a stop condition aegui does not have ({condition}); aegui stops at a number of "
                    "wrong pixels, a loss or the epochs", condition=repr(name))
    if "@stop_value" in r.slots:
        row = r.slots["@stop_value"][1]
        row.say(SAME, "read with {key}", key=r.slots["@stop"][1].key)
        row.fields = ()


def _batch_and_seed(r) -> None:
    if "@mode" in r.slots:
        mode = r.slot("@mode")
        size = R.MODES.get(R.normalize(mode, False), "?") if isinstance(mode, str) else "?"
        if size is None and "train.batch_size" in r.set:
            row = r.slots["@mode"][1]
            row.say(SAME, "mini-batches of batch_size")
        elif size is None or size == "?":
            r.refuse("@mode", "aegui trains on batches (give batch_size), the whole set (\"batch\") or "
                        "one glyph at a time (\"online\")")
        elif "train.batch_size" in r.set:
            row = r.slots["@mode"][1]
            row.say(IGNORED, "{key} gives the batch", key=r.set["train.batch_size"][1].key)
        else:
            r.used("@mode", "train.batch_size", size, "0: the whole set at every update" if size == 0
                      else "one glyph at a time")
    if "@minibatch" in r.slots:
        _minibatch(r)
    if "@shuffle" in r.slots:
        _shuffle(r)
    if "@seed" in r.slots:
        seed = r.slot("@seed")
        if seed is None:
            seed = random.SystemRandom().randrange(2**31 - 1)
            r.used("@seed", "train.seed", seed, "null: a random seed, kept in the config")
        else:
            r.used("@seed", "train.seed", seed)


def _minibatch(r) -> None:
    """"mini_batch": true beside a batch size says again what the size says; false is the whole set at every
    update, which is what a student's loop that skips its batch size on false trains."""
    on, row = r.slots["@minibatch"]
    given = r.set.get("train.batch_size")
    if not isinstance(on, bool):
        r.refuse("@minibatch", "is true (mini-batches of batch_size) or false (the whole set at every update)")
    elif on and given is not None:
        row.say(SAME, "mini-batches of {key}", key=given[1].key)
    elif on:
        r.refuse("@minibatch", "asks for mini-batches but the file gives no batch size; add batch_size")
    else:      # a batch size given too is told it is not used (StudentRead.replaced)
        r.used("@minibatch", "train.batch_size", 0, "false: the whole set at every update")


def _shuffle(r) -> None:
    """aegui draws a new batch order every epoch: "shuffle": true says so again; false is the same
    with full batches (the order changes nothing), and not possible with mini-batches."""
    on, row = r.slots["@shuffle"]
    batch = r.value("train.batch_size", Experiment().train.batch_size)
    if on is True:
        row.say(SAME, "aegui draws a new batch order every epoch")
    elif on is False and batch == 0:
        row.say(SAME, "whole-set updates: the order changes nothing")
    elif on is False:
        r.refuse("@shuffle", "aegui draws a new batch order every epoch; it cannot keep one order")
    else:
        r.refuse("@shuffle", "is true (a new batch order every epoch) or false")


def _font_index(r) -> None:
    """"font_index": 2 picks from the file's fonts as a Python list does, from 0: Font3."""
    value, row = r.slots["@font_index"]
    if "data.fonts" in r.set:
        row.say(IGNORED, "{key} gives the font", key=r.set["data.fonts"][1].key)
    elif isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 2:
        r.used("@font_index", "data.fonts", [f"Font{value + 1}"], "an index counts from 0, as Python's lists do")
    else:
        r.refuse("@font_index", "picks one of the course's three fonts by its index: 0, 1 or 2")


def _data(r) -> None:
    if "@weight_range" in r.slots:
        r.refuse("@weight_range", "aegui draws first weights by each layer's fan-in (uniform: ±1/√fan_in; xavier; "
                 "he), never from one fixed range")
    if "@font_index" in r.slots:
        _font_index(r)
    _source(r)
    _color(r)
    from aegui.core.data.sources import SOURCES as DATA_SOURCES
    known = DATA_SOURCES.get(r.value("data.source", DataConfig().source))
    fields = known.fields if known is not None else ()
    pictures = "data.size" in fields or "data.emoji_size" in fields
    glyphs, takes_path = "data.fonts" in fields, "data.path" in fields
    if "@path" in r.slots:
        value, row = r.slots["@path"]
        found = _beside(value, r.base_dir, folder=pictures or (takes_path and not glyphs))
        if found is not None and found.is_dir() and pictures:
            # the student's own pictures, not the emoji aegui ships
            r.assign("data.source", "folder", row)
            r.assign("data.path", str(found), row)
            row.say(None, "a folder of your own pictures")
        elif found is not None:
            r.assign("data.path", str(found), row)
        elif pictures and not takes_path:
            row.say(DEFAULT, "no such folder beside the config; aegui trains on the emoji it ships (287 Noto "
                    "emoji; give your pictures' folder with --dataset)")
        elif glyphs and _beside(value, r.base_dir, folder=True) is not None:
            # a folder where a font.h was expected: MNIST's files or pictures, not the course font
            r.refuse("@path", "a folder, and the data set is a font.h; say what the folder holds (\"dataset\": "
                     "\"mnist\", or \"type\": \"folder\" for pictures)")
        elif glyphs:
            row.say(DEFAULT, "no such file beside the config; aegui trains on its course font (give another "
                    "with --dataset)")
        else:
            r.refuse("@path", "no such file or folder beside the config")
    if "@subset" in r.slots:
        value, row = r.slots["@subset"]
        all_glyphs = isinstance(value, str) and R.normalize(value, False).startswith("all")
        row.say(SAME if all_glyphs else UNSUPPORTED,
                "every glyph" if all_glyphs else "pick characters with data.chars instead")


def _source(r) -> None:
    """The data set named by its source ("type": "emoji") or, failing that, by its name ("name": "mnist")."""
    named = "@source" in r.slots
    for slot in ("@source", "@data_name"):
        if slot not in r.slots:
            continue
        value, row = r.slots[slot]
        found = R.SOURCES.get(R.normalize(value, False)) if isinstance(value, str) else None
        if found is None and slot == "@data_name":
            row.say(IGNORED, "the data set's name")
        elif found is None:
            r.refuse(slot, "a data set aegui does not have ({data}); it reads the course's fonts, its emoji, "
                     "MNIST and Fashion-MNIST, scikit-learn's digits or a folder of pictures", data=repr(value))
        elif slot == "@data_name" and named:
            row.say(IGNORED, "the data set's name")
        else:
            source, catalogue = found
            r.assign("data.source", source, row)
            if catalogue:
                r.assign("data.catalogue", catalogue, row)
            named = True


def _color(r) -> None:
    if "@grayscale" in r.slots:
        value, row = r.slots["@grayscale"]
        if isinstance(value, bool):
            r.used("@grayscale", "data.color", "gray" if value else "rgb")
        else:
            r.refuse("@grayscale", "is true (one grey channel) or false (colour)")
    if "@color" in r.slots:
        value, row = r.slots["@color"]
        color = (R.COLORS.get(R.normalize(value, False) if isinstance(value, str) else value)
                 if isinstance(value, (str, int)) and not isinstance(value, bool) else None)
        if color is None:
            r.refuse("@color", "is gray (1 channel), rgb (3) or rgba (4)")
        else:
            r.used("@color", "data.color", color)


def _data_shape(r) -> tuple | None:
    """The shape of one sample of the data the file names ((20, 20) for 20x20 grey pictures, (32, 32,
    3) in colour); None when it cannot be told."""
    from dataclasses import replace
    from aegui.core.data.sources import sample_shape
    from aegui.core.schema.experiment import DataConfig
    given = {f: r.value(f"data.{f}") for f in ("source", "size", "color", "catalogue", "path")}
    try:
        return tuple(sample_shape(replace(DataConfig(), **{f: v for f, v in given.items() if v is not None})))
    except Exception:       # noqa: BLE001 - a value the validation refuses by name later
        return None


def _data_width(r) -> int | None:
    """The values of one sample of the data the file names (400 for 20x20 grey pictures), so a layer
    list that starts with it is read as starting at the input; None when it cannot be told."""
    shape = _data_shape(r)
    return None if shape is None else int(math.prod(shape))


def _noise(r) -> None:
    """Noise above 0 makes a plain autoencoder a denoising one; 0, or denoising switched off,
    keeps it plain; a kind that cannot train on noisy inputs refuses it."""
    kind = r.value("model.kind", Experiment().model.kind)
    if not isinstance(kind, str):
        return         # "model": null or a list: the type check refuses it, naming the key
    enabled = r.slot("@denoise", True)
    if "@denoise" in r.slots:
        row = r.slots["@denoise"][1]
        row.say(SAME, "denoising on" if enabled else "denoising off: a plain autoencoder")
    row = (r.set.get("noise.level") or r.set.get("noise.kind") or (None, None))[1]
    if row is None or not enabled:
        return
    level = r.value("noise.level")
    if isinstance(level, (int, float)) and not isinstance(level, bool) and level == 0:
        row.say(None, "0: no noise, a plain autoencoder")
        return
    if kind_of(kind).corrupts_inputs:
        return
    to = kind_of(kind).with_noise
    if not to:
        row.say(UNSUPPORTED, "aegui trains a {kind} on clean inputs only",
                kind=kind_of(kind).noun or kind_of(kind).label)
        row.fields = ()
        r.set.pop("noise.level", None)
        return
    r.set["model.kind"] = (to, r.set.get("model.kind", (None, row))[1])
    row.fields += ("model.kind",)
    if "noise.level" not in r.set:
        r.rows.append(Row(NOT_IN_FILE, None, DEFAULT, ("noise.level",), "aegui's default noise level"))


def _shape(r) -> None:
    if is_conv(r):
        conv_shape(r, _data_shape(r))
        return
    slots = {k: v for k, (v, _row) in r.slots.items() if k.startswith("@") and k in _SHAPE}
    where = {k: row.key for k, (_v, row) in r.slots.items()}
    shape = assemble(slots, where, _data_width(r))
    if shape is None:
        return
    rows = [row for k, (_v, row) in r.slots.items() if k in _SHAPE]
    r.set["model.layers"], r.set["model.mirror"] = (shape.layers, rows[0]), (shape.mirror, rows[0])
    for row in rows:
        row.fields += ("model.layers",)
    for role, act in shape.activations.items():
        if act is not None and f"model.{role}_activation" not in r.set:
            r.assign(f"model.{role}_activation", act, rows[0])
    # Layers of one network with different activations: aegui has one hidden activation, so the
    # network would not be the author's.
    for why, args in shape.notes:
        row = next((row for row in rows if row.key == args["where"]), rows[0])
        row.say(UNSUPPORTED, why, **args)
    if shape.assumed_latent:
        r.rows.append(Row(NOT_IN_FILE, None, DEFAULT, ("model.latent",),
                          "latent size: not in the file; {size}, the assignment's 2-D latent space",
                          {"size": ASSIGNMENT_LATENT}))




def _beside(value, base_dir, folder: bool = False) -> Path | None:
    """The file (or, with `folder`, the folder) a path in the config names, read beside the config."""
    if not isinstance(value, str) or not value.strip():
        return None
    path = Path(value).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    try:
        return path.resolve() if path.is_file() or (folder and path.is_dir()) else None
    except OSError:
        return None
