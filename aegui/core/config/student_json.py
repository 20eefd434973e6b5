"""Import the JSON configs students of the course write, by the rules in student_rules.py.

The file is walked key by key (objects of settings are sections: student_rules.SECTIONS); each key
finds its rule, which sets an aegui field or fills a slot that is put together with others
(student_slots.py: the optimizer's alpha, a stop condition, a null seed, the layer sizes). Every key
becomes a row of the import's table (import_report.py), so nothing is dropped without a word.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields as dc_fields, replace
from pathlib import Path

from aegui.core.schema.experiment import _SECTIONS, ConfigError, Experiment, shown, whole
from aegui.core.schema.kinds import kind_of
from aegui.core.config import student_rules as R
from aegui.core.config.import_report import (
    DEFAULT, IGNORED, NOT_IN_FILE, SAME, UNKNOWN, UNSUPPORTED, USED, Imported, Row, show)
from aegui.core.config.student_slots import resolve
from aegui.core.config.validation import validate

OUTPUT = "output"      # the kind of a section about output (plots, interpolation): its keys change no training
# A choice given as an object ({"type": "adam", "lr": 0.001}) names it under one of these keys.
_NAME_KEYS = ("type", "name", "kind", "method", "function", "fn", "id", "tipo", "nombre")
_FORMS = {"int": "a whole number such as 100", "float": "a number such as 0.01",
          "str": 'a name such as "adam"', "bool": "true or false", "int | None": "a whole number or null",
          "float | None": "a number or null"}
# What a network that has learned nothing scores, as the mean over pixels aegui's loss is: sigmoid
# outputs of 0.5 everywhere give binary cross-entropy ln 2 whatever the targets, and squared error at
# most 0.25 (on 0/1 pixels). A loss target at or above it is met before the network learns anything:
# a student's "error_threshold": 1 stopped at epoch 10 with 25 wrong pixels, saved as "reached target".
UNLEARNED_LOSS = {"bce": math.log(2), "mse": 0.25}
# What a table reader needs to see even when the file leaves it out: aegui's value is used.
_SHOWN_DEFAULTS = ("train.optimizer", "train.learning_rate", "train.epochs", "train.batch_size", "train.loss",
                   "model.init", "model.output_activation")


@dataclass
class _Entry:
    where: str       # the key as written, dotted from the top
    key: str         # normalized
    within: str      # the kind of section it is in
    value: object


class _Reader:
    """One import: the rows, the fields set (field -> (value, row)) and the slots filled."""

    def __init__(self, source, base_dir):
        self.source, self.base_dir = source, base_dir
        self.rows: list[Row] = []
        self.set: dict[str, tuple[object, Row]] = {}
        self.slots: dict[str, tuple[object, Row]] = {}

    # ---------------------------------------------------------------- walking the file
    def walk(self, raw: dict, path: str = "", within: str = "") -> None:
        for key, value in raw.items():
            k, where = R.normalize(key), f"{path}.{key}" if path else str(key)
            if isinstance(value, dict) and k in R.SECTIONS:
                self.walk(value, where, R.SECTIONS[k] or within)
            elif isinstance(value, dict) and (R.rule_for(k, within) or R.Rule((), "")).values:
                self.named_object(_Entry(where, k, within, value))
            elif isinstance(value, dict) and R.rule_for(k, within) is None:
                # "interpolation": {"from": "a", "steps": 5} is about what is done after training
                self.walk(value, where, OUTPUT if R.harmless(k) else within)
            else:
                self.take(_Entry(where, k, within, value))

    def named_object(self, e: _Entry) -> None:
        """{"type": "adam", "lr": 0.001} under a choice's key: the choice, then its settings."""
        low = {R.normalize(a): a for a in e.value}
        name = next((n for n in _NAME_KEYS if n in low), None)
        if name is None:
            raise ConfigError(e.where, f"an object here names its choice under \"type\", as in "
                              f'{{"type": "adam", "learning_rate": 0.001}}; got {shown(e.value)}', self.source)
        rest = dict(e.value)
        self.take(_Entry(f"{e.where}.{low[name]}", e.key, e.within, rest.pop(low[name])))
        self.walk(rest, e.where, e.within)

    def take(self, e: _Entry) -> None:
        rule = R.rule_for(e.key, e.within) if e.within != OUTPUT else None
        if rule is not None and rule.target == "data.fonts" and _names_a_file(e.value):
            # "dataset": "font.h" names the course's file, not a font in it: read as "font_file" is
            rule = R.rule_for("font_file", "")
        elif rule is not None and rule.target == "data.fonts" and _names_a_source(e.value):
            rule = R.rule_for("source", "data")        # "dataset": "emoji" names the data set
        row = Row(e.where, e.value)
        self.rows.append(row)
        if rule is None:
            row.status, row.stops = UNKNOWN, not (R.harmless(e.key) or e.within == OUTPUT)
            row.say(None, "its name says it is about output, not training")
        elif rule.target == "-":
            self.check(row, rule)
        elif rule.target.startswith("@"):
            if rule.target in self.slots:
                self.replaced(self.slots[rule.target][1], row)
            self.slots[rule.target] = (e.value, row)
        else:
            value = rule.null if e.value is None and rule.null is not None else e.value
            conv = R.conv_kind(value) if rule.target == "model.kind" else None
            if conv:
                # "type": "conv_autoencoder": the kind, and a convolutional network (student_conv.py)
                self.slots["@conv"] = (value, row)
                self.assign(rule.target, conv, row)
            else:
                self.assign(rule.target, R.synonym(rule.values, value), row)
            for target, also in rule.also:
                self.assign(target, also, row, keep=True)
            if row.status == USED:
                row.say(None, "null: off" if value is not e.value else rule.why)

    def check(self, row: Row, rule: R.Rule) -> None:
        v = row.value
        same = rule.expect is None or v == rule.expect or (
            isinstance(v, str) and isinstance(rule.expect, str) and R.normalize(v, False).startswith(rule.expect))
        if same:
            row.say(SAME if rule.expect is not None else IGNORED, rule.why)
        else:
            row.say(UNSUPPORTED, "aegui can only do {expected} here ({reason})", expected=show(rule.expect),
                    reason=rule.why)

    # ---------------------------------------------------------------- setting fields
    def assign(self, target: str, value, row: Row, keep: bool = False) -> None:
        """Field `target` = value, told in `row`; keep: only when no other key set it."""
        if not _exists(target):
            row.say(UNSUPPORTED, "this aegui has no {field} yet", field=target)
            return
        if target in self.set:
            if keep:
                return
            if self.set[target][1] is not row:
                self.replaced(self.set[target][1], row)
        self.set[target] = (value, row)
        if target not in row.fields:
            row.fields += (target,)

    def replaced(self, old: Row, new: Row) -> None:
        old.say(IGNORED, "{key} gives it too; that value is used", key=new.key)

    def slot(self, name: str, default=None):
        return self.slots[name][0] if name in self.slots else default

    def value(self, target: str, default=None):
        return self.set[target][0] if target in self.set else default

    def used(self, name: str, target: str, value, why: str = "", **args) -> None:
        """Slot `name`'s row sets `target` = value."""
        row = self.slots[name][1]
        self.assign(target, value, row)
        if not row.why:
            row.say(None, why, **args)

    def refuse(self, name: str, why: str, **args) -> None:
        self.slots[name][1].say(UNSUPPORTED, why, **args)

    # ---------------------------------------------------------------- the slots
    def unset(self, targets, why: str, **args) -> None:
        """Fields the file gives that nothing would use here: told, not set (validation refuses them)."""
        for target in targets:
            if target in self.set:
                _value, row = self.set.pop(target)
                row.fields = tuple(f for f in row.fields if f != target)
                if not row.fields:
                    row.say(IGNORED, why, **args)



def _names_a_file(value) -> bool:
    return isinstance(value, str) and (value.strip().lower().endswith(".h") or "/" in value or "\\" in value)


def _names_a_source(value) -> bool:
    return isinstance(value, str) and R.normalize(value, False) in R.SOURCES


def _exists(target: str) -> bool:
    if target == "name":
        return True
    section, _, name = target.partition(".")
    return section in _SECTIONS and name in {f.name for f in dc_fields(_SECTIONS[section])}


def _typed(sections: dict, where: dict, source) -> None:
    """A value of the wrong kind is refused naming the key it was written under; whole floats
    become ints, ints floats, where the field wants them."""
    for section, values in sections.items():
        types = {f.name: f.type for f in dc_fields(_SECTIONS[section])}
        for name, value in list(values.items()):
            t = types.get(name, "")
            if t in ("int", "int | None") and isinstance(value, float) and value.is_integer():
                value = values[name] = int(value)
            if t in ("float", "float | None") and whole(value):
                value = values[name] = float(value)
            if t.startswith("tuple") and isinstance(value, list):
                value = values[name] = tuple(value)
            ok = {"int": whole, "float": lambda v: isinstance(v, float), "str": lambda v: isinstance(v, str),
                  "bool": lambda v: isinstance(v, bool), "int | None": lambda v: v is None or whole(v),
                  "float | None": lambda v: v is None or isinstance(v, float)}.get(t)
            if ok is not None and not ok(value):
                raise ConfigError(where[f"{section}.{name}"], f"expected {_FORMS[t]}; got {shown(value)}", source)


def _fonts(value):
    fonts = [value] if isinstance(value, (str, int)) else list(value) if isinstance(value, list) else value
    if not isinstance(fonts, list):
        return fonts
    return tuple(f"Font{f}" if isinstance(f, int) or str(f).isdigit() else str(f) for f in fonts)


def read_student(raw, source: str | None = None, base_dir=None) -> Imported:
    """The experiment a student's config describes and its table. Raises ConfigError naming the
    key for a value of the wrong shape or out of range; keys not understood are rows (see
    Imported.blocking), not errors."""
    if not isinstance(raw, dict):
        raise ConfigError("(top level)", "a configuration must be a JSON object", source)
    reader = _Reader(source, base_dir)
    try:
        reader.walk(raw)
        resolve(reader)
    except ConfigError as e:
        raise ConfigError(e.field, e.problem, source) from None
    sections: dict = {"model": {}, "train": {}, "noise": {}, "data": {}}
    name = Path(source).stem if source else "imported"
    for target, (value, _row) in reader.set.items():
        if target == "name":
            name = str(value)
            continue
        section, _, fname = target.partition(".")
        sections.setdefault(section, {})[fname] = _fonts(value) if target == "data.fonts" else value
    where = {t: row.key for t, (_v, row) in reader.set.items()}
    try:
        _typed(sections, where, source)
        exp = Experiment(name=name)
        exp = replace(exp, **{s: replace(getattr(exp, s), **v) for s, v in sections.items()})
        validate(exp)
    except ConfigError as e:
        # named by the key the student wrote too: "dataset.image_size (data.size)"
        key = where.get(e.field)
        field = f"{key} ({e.field})" if key and key != e.field and e.field not in ("model.layers", "model.mirror") \
            else e.field
        raise ConfigError(field, e.problem, source) from None
    except (TypeError, ValueError) as e:
        raise ConfigError("(student config)", f"a value has the wrong type ({e})", source) from None
    exp = _loss_target_that_teaches(reader, exp)
    rows = reader.rows + _defaults(reader, exp)
    _results(rows, exp)
    return Imported(exp, rows, source)


def _adds_to_its_loss(exp: Experiment) -> bool:
    """A kind whose loss adds a term to the reconstruction's (a KL, a sparsity or Jacobian penalty)."""
    k = kind_of(exp)
    return k.has_kl or k.samples_codes or k.sparse_codes or k.penalizes_jacobian


def _loss_target_that_teaches(reader: _Reader, exp: Experiment) -> Experiment:
    """A loss target a network meets without learning (UNLEARNED_LOSS) is refused, naming what the
    key may have meant: the student's loss was another unit (a sum over the pixels), or the value
    counts wrong pixels. With --lenient the rest trains its epochs, without the target. A target
    below it is kept, and its row says which unit it was taken in."""
    target, unlearned = exp.train.loss_target, UNLEARNED_LOSS.get(exp.train.loss)
    if ("train.loss_target" not in reader.set or unlearned is None or not target
            or _adds_to_its_loss(exp) or exp.model.output_activation != "sigmoid"):
        return exp
    args = {"loss": exp.train.loss.upper(), "unlearned": round(unlearned, 3), "pixels": exp.model.full_layers[0]}
    if target < unlearned:
        # Kept, in aegui's unit; the student's code may have summed its pixels, so the table says
        # which unit was assumed and what the same target is per pixel.
        _value, row = reader.set["train.loss_target"]
        row.more.append(("taken in aegui's unit, {loss} as the mean over pixels, where a network that has "
                         "learned nothing scores {unlearned}; if your loss summed the {pixels} pixels, write "
                         "{per_pixel}",
                         {**args, "per_pixel": float(f"{target / args['pixels']:.3g}")}))
        return exp
    _value, row = reader.set.pop("train.loss_target")
    row.fields = tuple(f for f in row.fields if f != "train.loss_target")
    if float(target).is_integer():       # a whole number may well count wrong pixels
        row.say(UNSUPPORTED, "as a loss target, a network that has learned nothing (0.5 for every pixel) meets it: "
                "{loss}, the mean over pixels aegui trains on, starts at {unlearned}, so training would stop at its "
                "first check. If it counts wrong pixels, write \"max_wrong_pixels\": {value}; if your loss summed "
                "the {pixels} pixels, divide it by {pixels}", value=int(target), **args)
    else:
        row.say(UNSUPPORTED, "as a loss target, a network that has learned nothing (0.5 for every pixel) meets it: "
                "{loss}, the mean over pixels aegui trains on, starts at {unlearned}, so training would stop at its "
                "first check. If your loss summed the {pixels} pixels, divide it by {pixels}", **args)
    return replace(exp, train=replace(exp.train, loss_target=0.0))


def _in_the_form(target: str, exp: Experiment) -> bool:
    """Whether field `target` matters for `exp`: its own row of the form applies, or a row that edits it
    (data.size is the emoji's size row too)."""
    from aegui.core.config.fields import FIELDS
    return any((g.key == target or g.of == target) and g.applies(exp) for g in FIELDS.values())


def _defaults(reader: _Reader, exp: Experiment) -> list[Row]:
    out = []
    for target in _SHOWN_DEFAULTS:
        if target not in reader.set:
            out.append(Row(NOT_IN_FILE, None, DEFAULT, (target,), "aegui's default"))
    if not any(t == "model.layers" for t in reader.set):
        out.append(Row(NOT_IN_FILE, None, DEFAULT, ("model.layers",), "aegui's default"))
    # which of the file's fonts, or how big and in what colour the pictures are
    for target in ("data.fonts", "data.size", "data.color"):
        if target not in reader.set and _in_the_form(target, exp):
            out.append(Row(NOT_IN_FILE, None, DEFAULT, (target,), "aegui's default"))
    return out


def _results(rows: list[Row], exp: Experiment) -> None:
    """Each row's fields as the experiment has them, and a word where a field does not apply."""
    from aegui.core.config.fields import FIELDS
    for row in rows:
        if row.status in (UNKNOWN, UNSUPPORTED, IGNORED, SAME):
            continue
        for target in row.fields:
            if target == "model.mirror":
                continue
            if target == "model.layers":
                row.result[target] = tuple(exp.model.full_layers)
            elif target == "model.latent":
                row.result[target] = exp.model.latent_dim
            elif target == "name":
                row.result[target] = exp.name
            else:
                section, _, fname = target.partition(".")
                row.result[target] = getattr(getattr(exp, section), fname)
            f = FIELDS.get(target)
            used = f is not None and _in_the_form(target, exp)
            # A row that says why already ("0: no noise, a plain autoencoder") needs no more.
            if f is not None and not used and row.status == USED and not row.why and not row.more:
                row.more.append(_why_not(target, exp))


def _noun(exp: Experiment) -> str:
    kind = kind_of(exp)
    return kind.noun or kind.label


def _why_not(target: str, exp: Experiment) -> tuple[str, dict]:
    if target.startswith("noise."):
        return "unused: this model ({kind}) takes no noise", {"kind": _noun(exp)}
    if target in ("model.beta", "model.kl_warmup"):
        return "unused: this model ({kind}) is not a VAE", {"kind": _noun(exp)}
    if target == "train.momentum":
        return "unused: the optimizer is {optimizer}", {"optimizer": exp.train.optimizer}
    return "unused here", {}


def import_student_config(raw, source: str | None = None, base_dir=None) -> tuple[Experiment, list[str]]:
    """read_student's experiment and its table one line a key, whatever keys it did not understand."""
    imported = read_student(raw, source, base_dir)
    return imported.experiment, imported.notes()
