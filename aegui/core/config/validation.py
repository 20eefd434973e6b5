"""What makes an Experiment valid: each field's own rule (its type, range or choices, as its
description in config/fields.py says; the form checks what is typed with the same descriptions),
the rules between fields written here, the reader of a native JSON object that applies them, and
validated copies with some fields changed.

The architecture's own rules (a conv model's image sides, a local model's layers) come from its
entry in the registry, aegui/core/archs/; the data source's (a folder needs its path) from its own,
aegui/core/data/sources/.
"""
from __future__ import annotations

from dataclasses import replace

from aegui.core.archs import ARCHS
from aegui.core.schema.experiment import (
    ADAM_OPTIMIZERS, MAX_AUGMENT_COPIES, NOISE_KINDS, SCIPY_OPTIMIZERS, _SECTIONS, ConfigError, Experiment, check,
    parse_experiment, whole)
from aegui.core.config.fields import FIELDS, sloped
from aegui.core.data.sources import source_of
from aegui.core.schema.kinds import kind_of
from aegui.core.schema.experiment import shown


def validate(exp: Experiment) -> Experiment:
    """`exp` itself when every field is valid; the first bad one raises ConfigError naming it."""
    for f in FIELDS.values():
        if not f.of:                  # a row editing part of another field is checked as that field
            error = f.error(f.value(exp))
            if error is not None:
                raise error
    _validate_between(exp)
    validate_augment(exp)
    return exp


def _validate_between(exp: Experiment) -> None:
    """The rules that tie one field to another: each field is already of its type and range."""
    m, t, d = exp.model, exp.train, exp.data
    _validate_data(exp)
    check(len(m.layers) >= (2 if m.mirror else 3), "model.layers",
          "needs at least input, latent and output sizes, e.g. [35, 10, 2, 10, 35]")
    full = m.full_layers
    check(full[0] == full[-1], "model.layers",
          f"the output size ({full[-1]}) must equal the input size ({full[0]})")
    ARCHS[m.arch].validate(m)
    check(m.flip_confidence == 0.5 or source_of(d).glyphs, "model.flip_confidence",
          "keeping the input's pixels applies to 5x7 glyphs (black and white) only; set it to 0.5")
    if kind_of(m).sparse_codes and m.sparsity == "kl":
        check(m.latent_activation == "sigmoid", "model.latent_activation",
              "KL sparsity needs codes in (0, 1): use 'sigmoid'")
    if kind_of(m).sparse_codes and m.sparsity == "topk":
        check(m.sparsity_k < m.latent_dim, "model.sparsity_k",
              f"top-k keeps k of the {m.latent_dim} latent units, so k must be below {m.latent_dim} "
              f"(got {m.sparsity_k}); widen the latent layer or lower k")
    if m.dropout:
        _validate_dropout(exp)
    if t.loss == "bce":
        check(m.output_activation == "sigmoid", "model.output_activation",
              "the BCE loss needs outputs in (0, 1): use 'sigmoid' or switch train.loss to 'mse'")
    if t.optimizer in SCIPY_OPTIMIZERS:
        _validate_scipy(exp)
    _validate_options(exp)


def validate_augment(exp: Experiment) -> None:
    """The augment section: each probability within 0-1 and a whole number of copies; ConfigError names the
    field."""
    a = exp.augment
    check(isinstance(a.enabled, bool), "augment.enabled", f"must be true or false, got {shown(a.enabled)}")
    for name in ("shift", "thicken", "thin", "distort", "splice", "strokes", "keep"):
        v = getattr(a, name)
        check(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1, f"augment.{name}",
              f"must be a probability from 0 to 1, got {shown(v)}")
    check(whole(a.copies) and 1 <= a.copies <= MAX_AUGMENT_COPIES, "augment.copies",
          f"must be a whole number from 1 to {MAX_AUGMENT_COPIES}, got {shown(a.copies)}")
    check(isinstance(a.noise_kinds, tuple), "augment.noise_kinds",
          f"must be a list of noise types, got {shown(a.noise_kinds)}")
    for i, kind in enumerate(a.noise_kinds):
        check(kind in NOISE_KINDS, f"augment.noise_kinds[{i}]", f"{shown(kind)} is not one of {', '.join(NOISE_KINDS)}")
    lv = a.noise_levels
    ok = isinstance(lv, tuple) and len(lv) in (0, 2) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in lv)
    check(ok and (not lv or lv[0] <= lv[1]), "augment.noise_levels",
          f"must be [low, high] with 0 <= low <= high <= 1 (e.g. [0.0, 0.3]) or [], got {shown(lv)}")
    if not a.enabled:
        return
    check(source_of(exp.data).glyphs, "augment.enabled",
          f"shape augmentation is for 5x7 font glyphs; data.source is {shown(exp.data.source)}: "
          "set augment.enabled to false")
    check(exp.train.optimizer not in SCIPY_OPTIMIZERS, "augment.enabled",
          f"train.optimizer {shown(exp.train.optimizer)} needs the same data at every iteration; "
          "use adam or set augment.enabled to false")
    if kind_of(exp).corrupts_inputs:
        check(exp.noise.mode == "fresh", "noise.mode",
              "augmentation draws new noisy glyphs every epoch; set noise.mode to 'fresh'")


def _validate_dropout(exp: Experiment) -> None:
    m = exp.model
    arch = ARCHS[m.arch]
    check("model.dropout" in arch.builder_rows, "model.dropout", f"dropout is for fully connected layers and "
          f"the {arch.label} architecture has none; set model.dropout to 0")
    check(not kind_of(m).penalizes_jacobian, "model.dropout", "the contractive penalty's Jacobian is "
          "computed without dropout; set model.dropout to 0 or use another model kind")
    check(exp.train.optimizer not in SCIPY_OPTIMIZERS, "train.optimizer", f"{shown(exp.train.optimizer)} needs "
          "a deterministic loss and dropout drops random units; use adam or set model.dropout to 0")


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


def _validate_options(exp: Experiment) -> None:
    """Settings that only some optimizers or models use are refused where nothing would use them,
    so a config never carries a value that silently does nothing."""
    t, m = exp.train, exp.model
    if t.optimizer not in ADAM_OPTIMIZERS:
        for name, default in (("adam_beta1", 0.9), ("adam_beta2", 0.999), ("adam_eps", 1e-8)):
            check(getattr(t, name) == default, f"train.{name}", f"is a setting of adam and adamw and "
                  f"train.optimizer is {t.optimizer!r}; set it back to {default:g} or use adam")
    check(t.clip_norm == 0 or t.optimizer not in SCIPY_OPTIMIZERS, "train.clip_norm",
          f"{t.optimizer!r} picks its own steps by line searches and clips no gradient; set "
          "train.clip_norm to 0 or use a gradient-step optimizer such as adam")
    if m.slope != 1:
        check(sloped(exp), "model.slope", "scales tanh and sigmoid units and this model has none; set it to 1 "
              "or use tanh or sigmoid activations")


def _validate_data(exp: Experiment) -> None:
    """The data source's own rules (aegui/core/data/sources/)."""
    source_of(exp.data).validate(exp.data)


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
    """`with_changes(exp, train={"epochs": 10})`: a validated copy with some fields replaced. A
    list given for a list field is taken as the tuple the dataclasses hold (`layers=[35, 2, 35]`),
    as a JSON file's is."""
    parts = {k: replace(getattr(exp, k), **{f: _held(x) for f, x in v.items()})
             for k, v in sections.items() if k in _SECTIONS}
    out = replace(exp, **parts, **{k: v for k, v in sections.items() if k not in _SECTIONS})
    return validate(out)


def _held(value):
    return tuple(value) if isinstance(value, list) else value
