"""What makes an Experiment valid: rules that name the bad field (ConfigError), the reader of a
native JSON object that applies them, and validated copies with some fields changed.

The architecture's own rules (a conv model's image sides, a local model's layers) come from its
entry in the registry, aegui/core/archs/.
"""
from __future__ import annotations

import math
from dataclasses import replace

from aegui.core.archs import ARCHS
from aegui.core.config.experiment import (
    ACTIVATIONS, COLORS, DEVICES, EMOJI_SIZES, IMAGE_SIZE_RANGE, INITS, KINDS, LOSSES, MAX_AUGMENT_COPIES,
    MAX_VAL_SPLIT, NOISE_KINDS, NOISE_MODES, OPTIMIZERS, PRECISIONS, SCHEDULES, SCIPY_OPTIMIZERS, SOURCES,
    SPARSITY, _SECTIONS, ConfigError, DataConfig, Experiment, check, parse_experiment, whole)
from aegui.core.config.kinds import kind_of



def _choice(value, options, field_: str) -> None:
    check(value in options, field_, f"{value!r} is not one of {', '.join(options)}")


def _positive(value, field_: str, allow_zero: bool = False) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (value >= 0 if allow_zero else value > 0)
    check(ok, field_, f"must be a {'non-negative' if allow_zero else 'positive'} number, got {value!r}")


def _in_range(value, key: str) -> None:
    """The range the field's description gives (config/fields.py): a seed past it overflowed
    torch's 64-bit seed deep inside training."""
    from aegui.core.config.fields import FIELDS
    problem = FIELDS[key].check(value)
    check(problem is None, key, problem or "")


def validate(exp: Experiment) -> Experiment:
    """`exp` itself when every field is valid; the first bad one raises ConfigError naming it."""
    m, t, n, d = exp.model, exp.train, exp.noise, exp.data
    validate_data(d)
    layers = m.layers
    check(isinstance(layers, tuple) and len(layers) >= (2 if m.mirror else 3), "model.layers",
          "needs at least input, latent and output sizes, e.g. [35, 10, 2, 10, 35]")
    for i, size in enumerate(layers):
        check(isinstance(size, int) and not isinstance(size, bool) and size > 0,
              f"model.layers[{i}]", f"layer sizes must be positive integers, got {size!r}")
    full = m.full_layers
    check(full[0] == full[-1], "model.layers",
          f"the output size ({full[-1]}) must equal the input size ({full[0]})")
    _choice(m.kind, KINDS, "model.kind")
    _choice(m.arch, tuple(ARCHS), "model.arch")
    ARCHS[m.arch].validate(m)
    fc = m.flip_confidence
    check(isinstance(fc, (int, float)) and not isinstance(fc, bool) and 0.5 <= fc < 1, "model.flip_confidence",
          f"must be at least 0.5 (take the model's output) and below 1, got {fc!r}")
    check(fc == 0.5 or d.source == "font", "model.flip_confidence",
          "keeping the input's pixels applies to 5x7 glyphs (black and white) only; set it to 0.5")
    for name in ("hidden_activation", "latent_activation", "output_activation"):
        _choice(getattr(m, name), ACTIVATIONS, f"model.{name}")
    _choice(m.init, INITS, "model.init")
    _positive(m.beta, "model.beta", allow_zero=True)
    check(isinstance(m.kl_warmup, int) and m.kl_warmup >= 0, "model.kl_warmup",
          f"must be a whole number of epochs >= 0, got {m.kl_warmup!r}")
    _choice(m.sparsity, SPARSITY, "model.sparsity")
    _positive(m.sparsity_weight, "model.sparsity_weight", allow_zero=True)
    check(isinstance(m.sparsity_rho, (int, float)) and 0 < m.sparsity_rho < 1, "model.sparsity_rho",
          f"must be between 0 and 1, got {m.sparsity_rho!r}")
    if kind_of(m).sparse_codes and m.sparsity == "kl":
        check(m.latent_activation == "sigmoid", "model.latent_activation",
              "KL sparsity needs codes in (0, 1): use 'sigmoid'")
    check(whole(m.sparsity_k) and m.sparsity_k >= 1, "model.sparsity_k",
          f"must be a whole number of codes >= 1, got {m.sparsity_k!r}")
    if kind_of(m).sparse_codes and m.sparsity == "topk":
        check(m.sparsity_k < m.latent_dim, "model.sparsity_k",
              f"top-k keeps k of the {m.latent_dim} latent units, so k must be below {m.latent_dim} "
              f"(got {m.sparsity_k}); widen the latent layer or lower k")
    _positive(m.contractive_weight, "model.contractive_weight", allow_zero=True)
    _choice(t.loss, LOSSES, "train.loss")
    if t.loss == "bce":
        check(m.output_activation == "sigmoid", "model.output_activation",
              "the BCE loss needs outputs in (0, 1): use 'sigmoid' or switch train.loss to 'mse'")
    _choice(t.optimizer, OPTIMIZERS, "train.optimizer")
    if t.optimizer in SCIPY_OPTIMIZERS:
        _validate_scipy(exp)
    _positive(t.learning_rate, "train.learning_rate")
    check(isinstance(t.momentum, (int, float)) and 0 <= t.momentum < 1, "train.momentum",
          f"must be in [0, 1), got {t.momentum!r}")
    _choice(t.schedule, SCHEDULES, "train.schedule")
    check(isinstance(t.decay_rate, (int, float)) and 0 < t.decay_rate <= 1, "train.decay_rate",
          f"must be in (0, 1], got {t.decay_rate!r}")
    check(isinstance(t.step_size, int) and t.step_size > 0, "train.step_size",
          f"must be a positive whole number of epochs, got {t.step_size!r}")
    _positive(t.step_gamma, "train.step_gamma")
    for name in ("epochs", "seeds", "check_every"):
        value = getattr(t, name)
        check(isinstance(value, int) and not isinstance(value, bool) and value > 0,
              f"train.{name}", f"must be a positive whole number, got {value!r}")
    check(whole(t.eval_samples) and t.eval_samples >= 0, "train.eval_samples",
          f"must be 0 (measure every sample at a check) or a positive whole number, got {t.eval_samples!r}")
    check(isinstance(t.batch_size, int) and t.batch_size >= 0, "train.batch_size",
          f"must be 0 (full batch) or a positive whole number, got {t.batch_size!r}")
    _positive(t.weight_decay, "train.weight_decay", allow_zero=True)
    check(isinstance(t.seed, int) and not isinstance(t.seed, bool) and t.seed >= 0, "train.seed",
          f"must be a whole number >= 0, got {t.seed!r}")
    _in_range(t.seed, "train.seed")
    _choice(t.device, DEVICES, "train.device")
    _choice(t.precision, PRECISIONS, "train.precision")
    if t.target_max_wrong is not None:
        check(isinstance(t.target_max_wrong, int) and t.target_max_wrong >= 0,
              "train.target_max_wrong", f"must be a whole number >= 0 or null, got {t.target_max_wrong!r}")
    _choice(n.kind, NOISE_KINDS, "noise.kind")
    check(isinstance(n.level, (int, float)) and 0 <= n.level <= 1, "noise.level",
          f"must be between 0 and 1 (a fraction, 0.1 = 10 %), got {n.level!r}")
    _choice(n.mode, NOISE_MODES, "noise.mode")
    check(isinstance(n.copies, int) and n.copies > 0, "noise.copies",
          f"must be a positive whole number, got {n.copies!r}")
    validate_augment(exp)
    return exp


def validate_augment(exp: Experiment) -> None:
    a = exp.augment
    check(isinstance(a.enabled, bool), "augment.enabled", f"must be true or false, got {a.enabled!r}")
    for name in ("shift", "thicken", "thin", "distort", "splice", "strokes", "keep"):
        v = getattr(a, name)
        check(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1, f"augment.{name}",
              f"must be a probability from 0 to 1, got {v!r}")
    check(whole(a.copies) and 1 <= a.copies <= MAX_AUGMENT_COPIES, "augment.copies",
          f"must be a whole number from 1 to {MAX_AUGMENT_COPIES}, got {a.copies!r}")
    check(isinstance(a.noise_kinds, tuple), "augment.noise_kinds",
          f"must be a list of noise types, got {a.noise_kinds!r}")
    for i, kind in enumerate(a.noise_kinds):
        _choice(kind, NOISE_KINDS, f"augment.noise_kinds[{i}]")
    lv = a.noise_levels
    ok = isinstance(lv, tuple) and len(lv) in (0, 2) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in lv)
    check(ok and (not lv or lv[0] <= lv[1]), "augment.noise_levels",
          f"must be [low, high] with 0 <= low <= high <= 1 (e.g. [0.0, 0.3]) or [], got {lv!r}")
    if not a.enabled:
        return
    check(exp.data.source == "font", "augment.enabled",
          f"shape augmentation is for 5x7 font glyphs; data.source is {exp.data.source!r}: "
          "set augment.enabled to false")
    check(exp.train.optimizer not in SCIPY_OPTIMIZERS, "augment.enabled",
          f"train.optimizer {exp.train.optimizer!r} needs the same data at every iteration; "
          "use adam or set augment.enabled to false")
    if kind_of(exp).corrupts_inputs:
        check(exp.noise.mode == "fresh", "noise.mode",
              "augmentation draws new noisy glyphs every epoch; set noise.mode to 'fresh'")


def _validate_scipy(exp: Experiment) -> None:
    """scipy's line searches need the same loss at the same weights, over the whole data set."""
    t, m, n = exp.train, exp.model, exp.noise
    name = repr(t.optimizer)
    check(not kind_of(m).samples_codes, "train.optimizer", f"{name} needs a deterministic loss and the VAE samples "
          "its codes; use adam (or another gradient-step optimizer) for a VAE")
    if kind_of(m).corrupts_inputs:
        check(n.mode == "fixed"
, "noise.mode", f"train.optimizer {name} needs a deterministic loss; set "
              "noise.mode to 'fixed' (fixed noisy copies) or use adam")
    check(t.batch_size == 0, "train.batch_size", f"train.optimizer {name} uses the whole data set at "
          "every iteration; set train.batch_size to 0")


def validate_data(d: DataConfig) -> None:
    _choice(d.source, SOURCES, "data.source")
    check(isinstance(d.fonts, tuple) and all(isinstance(f, str) for f in d.fonts), "data.fonts",
          f"must be a list of font names, got {d.fonts!r}")
    if d.source == "font":
        check(len(d.fonts) > 0, "data.fonts", "name at least one font (e.g. Font3) or 'all'")
    check(isinstance(d.chars, str), "data.chars", f"must be a string of characters, got {d.chars!r}")
    check(isinstance(d.path, str), "data.path", f"must be a path (a string), got {d.path!r}")
    check(isinstance(d.labels_path, str), "data.labels_path",
          f"must be a path (a string) or empty, got {d.labels_path!r}")
    lo, hi = IMAGE_SIZE_RANGE
    check(whole(d.size) and lo <= d.size <= hi, "data.size",
          f"must be a whole number of pixels from {lo} to {hi}, got {d.size!r}")
    if d.source == "emoji":
        check(d.size in EMOJI_SIZES, "data.size",
              f"emoji come at {', '.join(map(str, EMOJI_SIZES[:-1]))} or {EMOJI_SIZES[-1]} px, "
              f"got {d.size!r}; pick one of those")
    _choice(d.color, COLORS, "data.color")
    check(isinstance(d.subcategories, tuple) and all(isinstance(s, str) and s for s in d.subcategories),
          "data.subcategories", f"must be a list of emoji subcategory names such as "
          f"'face-smiling', got {d.subcategories!r}")
    check(isinstance(d.classes, tuple) and all(whole(c) and c >= 0 for c in d.classes),
          "data.classes", f"must be a list of class numbers >= 0 such as [0, 1, 7], got {d.classes!r}")
    check(isinstance(d.catalogue, str), "data.catalogue", f"must be a dataset name, got {d.catalogue!r}")
    check(isinstance(d.extra_glyphs, tuple) and all(isinstance(p, str) and p.strip() for p in d.extra_glyphs),
          "data.extra_glyphs", f"must be a list of font.h paths, got {d.extra_glyphs!r}")
    check(not d.extra_glyphs or d.source == "font", "data.extra_glyphs",
          f"adds 5x7 glyphs from font.h files, but data.source is {d.source!r}; set it to []")
    if d.source in ("folder", "idx") and not (d.source == "idx" and d.catalogue.strip()):
        what = "an image folder" if d.source == "folder" else \
            "an IDX images file (e.g. train-images-idx3-ubyte), or a data.catalogue dataset"
        check(d.path.strip() != "", "data.path", f"the {d.source} source needs {what}; set data.path")
    check(whole(d.max_samples) and d.max_samples >= 0, "data.max_samples",
          f"must be 0 (all samples) or a positive whole number, got {d.max_samples!r}")
    vs = d.val_split
    check(isinstance(vs, (int, float)) and not isinstance(vs, bool) and math.isfinite(vs)
          and 0 <= vs <= MAX_VAL_SPLIT, "data.val_split",
          f"must be a fraction from 0 (no validation set) to {MAX_VAL_SPLIT} (0.2 = 20 % held out), "
          f"got {vs!r}")
    check(whole(d.split_seed) and d.split_seed >= 0, "data.split_seed",
          f"must be a whole number >= 0, got {d.split_seed!r}")
    _in_range(d.split_seed, "data.split_seed")


# ---------------------------------------------------------------- reading and changing

def experiment_from_dict(raw: dict, source: str | None = None) -> Experiment:
    """The validated Experiment of a native JSON object; errors name `source` (the file)."""
    try:
        return validate(parse_experiment(raw))
    except ConfigError as e:
        if source and not e.source:
            raise ConfigError(e.field, e.problem, source) from None
        raise


def with_changes(exp: Experiment, **sections) -> Experiment:
    """`with_changes(exp, train={"epochs": 10})`: a validated copy with some fields replaced."""
    parts = {k: replace(getattr(exp, k), **v) for k, v in sections.items() if k in _SECTIONS}
    out = replace(exp, **parts, **{k: v for k, v in sections.items() if k not in _SECTIONS})
    return validate(out)
