"""Import the JSON configs students of the course write, by the rules in student_rules.py.

The file is walked key by key (objects of settings are sections: student_rules.SECTIONS); each key
finds its rule, which sets an aegui field or fills a slot that is put together with others (the
layer sizes: student_shapes.py; the optimizer's alpha, a stop condition, a null seed: here). Every
key becomes a row of the import's table (import_report.py), so nothing is dropped without a word.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, fields as dc_fields, replace
from pathlib import Path

from aegui.core.schema.experiment import (
    _SECTIONS, ADAM_OPTIMIZERS, SCIPY_OPTIMIZERS, SLOPED_ACTIVATIONS, ConfigError, Experiment, whole)
from aegui.core.schema.kinds import kind_of
from aegui.core.config import student_rules as R
from aegui.core.config.import_report import (
    DEFAULT, IGNORED, NOT_IN_FILE, SAME, UNKNOWN, UNSUPPORTED, USED, Imported, Row, show)
from aegui.core.config.student_shapes import ASSIGNMENT_LATENT, assemble
from aegui.core.config.validation import validate

# A choice given as an object ({"type": "adam", "lr": 0.001}) names it under one of these keys.
_NAME_KEYS = ("type", "name", "kind", "method", "function", "fn", "id", "tipo", "nombre")
_FORMS = {"int": "a whole number such as 100", "float": "a number such as 0.01",
          "str": 'a name such as "adam"', "bool": "true or false", "int | None": "a whole number or null",
          "float | None": "a number or null"}
_ADAM_LIKE = ("adam", "adamw", "rmsprop")      # their alpha is the step size, not a momentum
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
        self.noise_section = False
        self.notes: list[str] = []

    # ---------------------------------------------------------------- walking the file
    def walk(self, raw: dict, path: str = "", within: str = "") -> None:
        for key, value in raw.items():
            k, where = R.normalize(key), f"{path}.{key}" if path else str(key)
            if isinstance(value, dict) and k in R.SECTIONS:
                kind = R.SECTIONS[k] or within
                self.noise_section |= kind == "noise"
                self.walk(value, where, kind)
            elif isinstance(value, dict) and (R.rule_for(k, within) or R.Rule((), "")).values:
                self.named_object(_Entry(where, k, within, value))
            elif isinstance(value, dict) and R.rule_for(k, within) is None:
                self.walk(value, where, within)
            else:
                self.take(_Entry(where, k, within, value))

    def named_object(self, e: _Entry) -> None:
        """{"type": "adam", "lr": 0.001} under a choice's key: the choice, then its settings."""
        low = {R.normalize(a): a for a in e.value}
        name = next((n for n in _NAME_KEYS if n in low), None)
        if name is None:
            raise ConfigError(e.where, f"an object here names its choice under \"type\", as in "
                              f'{{"type": "adam", "learning_rate": 0.001}}; got {e.value!r}', self.source)
        rest = dict(e.value)
        self.take(_Entry(f"{e.where}.{low[name]}", e.key, e.within, rest.pop(low[name])))
        self.walk(rest, e.where, e.within)

    def take(self, e: _Entry) -> None:
        rule = R.rule_for(e.key, e.within)
        row = Row(e.where, e.value)
        self.rows.append(row)
        if rule is None:
            row.status, row.stops = UNKNOWN, not R.harmless(e.key)
            row.why = "its name says it is about output, not training"
        elif rule.target == "-":
            self.check(row, rule)
        elif rule.target.startswith("@"):
            if rule.target in self.slots:
                self.replaced(self.slots[rule.target][1], row)
            self.slots[rule.target] = (e.value, row)
        else:
            value = rule.null if e.value is None and rule.null is not None else e.value
            self.assign(rule.target, R.synonym(rule.values, value), row)
            for target, also in rule.also:
                self.assign(target, also, row, keep=True)
            if row.status == USED:
                row.why = "null: off" if value is not e.value else rule.why

    def check(self, row: Row, rule: R.Rule) -> None:
        v = row.value
        same = rule.expect is None or v == rule.expect or (
            isinstance(v, str) and isinstance(rule.expect, str) and R.normalize(v, False).startswith(rule.expect))
        row.status = (SAME if rule.expect is not None else IGNORED) if same else UNSUPPORTED
        row.why = rule.why if same else f"aegui can only do {show(rule.expect)} here ({rule.why})"

    # ---------------------------------------------------------------- setting fields
    def assign(self, target: str, value, row: Row, keep: bool = False) -> None:
        """Field `target` = value, told in `row`; keep: only when no other key set it."""
        if not _exists(target):
            row.status = UNSUPPORTED
            row.why = f"this aegui has no {target} yet"
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
        old.status, old.why = IGNORED, f"{new.key} gives it too; that value is used"

    def slot(self, name: str, default=None):
        return self.slots[name][0] if name in self.slots else default

    def value(self, target: str, default=None):
        return self.set[target][0] if target in self.set else default

    def used(self, name: str, target: str, value, why: str = "") -> None:
        """Slot `name`'s row sets `target` = value."""
        row = self.slots[name][1]
        self.assign(target, value, row)
        row.why = row.why or why

    def refuse(self, name: str, why: str) -> None:
        row = self.slots[name][1]
        row.status, row.why = UNSUPPORTED, why

    # ---------------------------------------------------------------- the slots
    def resolve(self) -> None:
        self.resolve_optimizer()
        self.resolve_activation()
        self.resolve_stop()
        self.resolve_batch_and_seed()
        self.resolve_data()
        self.resolve_noise()
        self.resolve_shape()
        m = Experiment().model
        acts = {self.value(f"model.{r}_activation", getattr(m, f"{r}_activation")) for r in ("hidden", "latent", "output")}
        if not acts & set(SLOPED_ACTIVATIONS):
            self.unset(("model.slope",), "a slope scales tanh and sigmoid units and this model has none")
        for _value, row in self.slots.values():
            if row.status == USED and not row.fields:
                row.status, row.why = IGNORED, row.why or "another key of the file gives it"

    def resolve_optimizer(self) -> None:
        opt = self.value("train.optimizer")
        if "@alpha" in self.slots:
            if (opt or "adam") in _ADAM_LIKE:
                self.used("@alpha", "train.learning_rate", self.slot("@alpha"), f"{opt or 'adam'}'s step size")
            else:
                self.used("@alpha", "train.momentum", self.slot("@alpha"), "the momentum of gradient descent")
        if "@optimizer_beta" in self.slots:
            if opt in ("sgd", "momentum"):
                self.used("@optimizer_beta", "train.momentum", self.slot("@optimizer_beta"))
            else:
                self.refuse("@optimizer_beta", "Adam has two betas: write beta_1 and beta_2")
        if "@betas" in self.slots:
            betas = self.slot("@betas")
            if not (isinstance(betas, list) and len(betas) == 2):
                raise ConfigError(self.slots["@betas"][1].key, f"Adam's betas are two numbers such as "
                                  f"[0.9, 0.999]; got {betas!r}", self.source)
            self.used("@betas", "train.adam_beta1", betas[0])
            self.used("@betas", "train.adam_beta2", betas[1])
        momentum = self.value("train.momentum", 0)
        if opt == "sgd" and isinstance(momentum, (int, float)) and momentum > 0:
            self.set["train.optimizer"][1].why = "gradient descent with momentum > 0"
            self.assign("train.optimizer", "momentum", self.set["train.optimizer"][1])
        opt = self.value("train.optimizer", Experiment().train.optimizer)
        if opt not in ADAM_OPTIMIZERS:
            self.unset(("train.adam_beta1", "train.adam_beta2", "train.adam_eps"), f"a setting of Adam; the "
                       f"optimizer is {opt}")
        if opt in SCIPY_OPTIMIZERS:
            self.unset(("train.clip_norm",), f"{opt} picks its own steps and clips no gradient")

    def unset(self, targets, why: str) -> None:
        """Fields the file gives that nothing would use here: told, not set (validation refuses them)."""
        for target in targets:
            if target in self.set:
                _value, row = self.set.pop(target)
                row.fields = tuple(f for f in row.fields if f != target)
                if not row.fields:
                    row.status, row.why = IGNORED, why

    def resolve_activation(self) -> None:
        raw = self.slot("@activation")
        if raw is not None:
            self.used("@activation", "model.hidden_activation", R.synonym("activation", raw))
        is_vae = self.value("model.kind") == "vae"
        if "@beta" in self.slots and is_vae and "model.beta" not in self.set:
            self.used("@beta", "model.beta", self.slot("@beta"), "a VAE's KL weight")
        elif "@beta" in self.slots:
            self.slots.setdefault("@slope", self.slots["@beta"])
        if "@slope" in self.slots:
            beta = self.slot("@slope")
            logistic = isinstance(raw, str) and R.normalize(raw, False) in R.LOGISTIC
            if logistic and isinstance(beta, (int, float)) and not isinstance(beta, bool):
                self.used("@slope", "model.slope", 2 * beta, "the course's logistic is 1/(1+e^(-2βx)), "
                          "sigmoid(2βx)")
            elif beta == 1 and not _exists("model.slope"):
                row = self.slots["@slope"][1]
                row.status, row.why = SAME, "a slope of 1 is the activation as it is"
            else:
                self.used("@slope", "model.slope", beta, "the activation's slope β: f(βx)")

    def resolve_stop(self) -> None:
        if self.slot("@stop_enabled") is False:
            for target in ("train.patience", "train.min_delta"):
                if target in self.set:
                    value, row = self.set.pop(target)
                    row.status, row.why, row.fields = IGNORED, "early stopping is off in the file", ()
            self.slots["@stop_enabled"][1].status = SAME
            self.slots["@stop_enabled"][1].why = "no early stopping"
        elif "@stop_enabled" in self.slots:
            row = self.slots["@stop_enabled"][1]
            row.status, row.why = SAME, "early stopping as its patience says"
        if "@stop" not in self.slots and "@stop_value" in self.slots:
            self.used("@stop_value", "train.loss_target", self.slot("@stop_value"), "a loss target")
            return
        if "@stop" not in self.slots:
            return
        name = R.normalize(self.slot("@stop"), False) if isinstance(self.slot("@stop"), str) else self.slot("@stop")
        value = self.slot("@stop_value")
        if name in R.STOP_PIXELS:
            self.used("@stop", "train.target_max_wrong", R.STOP_PIXELS[name], "stop at that many wrong pixels")
        elif name in R.STOP_COUNTS and value is not None:
            self.used("@stop", "train.target_max_wrong", value, "stop at that many wrong pixels")
        elif name in R.STOP_LOSS and value is not None:
            self.used("@stop", "train.loss_target", value, "stop once the loss is this low")
        elif name in R.STOP_NONE:
            row = self.slots["@stop"][1]
            row.status, row.why = SAME, "train the epochs given"
        else:
            self.refuse("@stop", f"a stop condition aegui does not have ({name!r}); aegui stops at a number "
                        "of wrong pixels, a loss or the epochs")
        if "@stop_value" in self.slots:
            row = self.slots["@stop_value"][1]
            row.status, row.fields, row.why = SAME, (), f"read with {self.slots['@stop'][1].key}"

    def resolve_batch_and_seed(self) -> None:
        if "@mode" in self.slots:
            mode = self.slot("@mode")
            size = R.MODES.get(R.normalize(mode, False), "?") if isinstance(mode, str) else "?"
            if size is None and "train.batch_size" in self.set:
                row = self.slots["@mode"][1]
                row.status, row.why = SAME, "mini-batches of batch_size"
            elif size is None or size == "?":
                self.refuse("@mode", "aegui trains on batches (give batch_size), the whole set (\"batch\") or "
                            "one glyph at a time (\"online\")")
            elif "train.batch_size" in self.set:
                row = self.slots["@mode"][1]
                row.status, row.why = IGNORED, f"{self.set['train.batch_size'][1].key} gives the batch"
            else:
                self.used("@mode", "train.batch_size", size, "0: the whole set at every update" if size == 0
                          else "one glyph at a time")
        if "@seed" in self.slots:
            seed = self.slot("@seed")
            if seed is None:
                seed = random.SystemRandom().randrange(2**31 - 1)
                self.used("@seed", "train.seed", seed, "null: a random seed, kept in the config")
            else:
                self.used("@seed", "train.seed", seed)

    def resolve_data(self) -> None:
        if "@path" in self.slots:
            value, row = self.slots["@path"]
            found = _beside(value, self.base_dir)
            if found is not None:
                self.assign("data.path", str(found), row)
            else:
                row.status = DEFAULT
                row.why = "no such file beside the config; aegui trains on its course font (give another with --dataset)"
        if "@subset" in self.slots:
            value, row = self.slots["@subset"]
            all_glyphs = isinstance(value, str) and R.normalize(value, False).startswith("all")
            row.status = SAME if all_glyphs else UNSUPPORTED
            row.why = "every glyph" if all_glyphs else "pick characters with data.chars instead"

    def resolve_noise(self) -> None:
        """Noise above 0 makes a plain autoencoder a denoising one; 0, or denoising switched off,
        keeps it plain; a kind that cannot train on noisy inputs refuses it."""
        kind = self.value("model.kind", Experiment().model.kind)
        enabled = self.slot("@denoise", True)
        if "@denoise" in self.slots:
            row = self.slots["@denoise"][1]
            row.status, row.why = SAME, "denoising on" if enabled else "denoising off: a plain autoencoder"
        row = (self.set.get("noise.level") or self.set.get("noise.kind") or (None, None))[1]
        if row is None or not enabled:
            return
        level = self.value("noise.level")
        if isinstance(level, (int, float)) and not isinstance(level, bool) and level == 0:
            row.why = "0: no noise, a plain autoencoder"
            return
        if kind_of(kind).corrupts_inputs:
            return
        to = kind_of(kind).with_noise
        if not to:
            row.status, row.fields = UNSUPPORTED, ()
            self.set.pop("noise.level", None)
            row.why = f"a {kind_of(kind).label} model in aegui trains on clean inputs"
            return
        self.set["model.kind"] = (to, self.set.get("model.kind", (None, row))[1])
        row.fields += ("model.kind",)
        if "noise.level" not in self.set:
            self.rows.append(Row(NOT_IN_FILE, None, DEFAULT, ("noise.level",), "aegui's default noise level"))

    def resolve_shape(self) -> None:
        slots = {k: v for k, (v, _row) in self.slots.items() if k.startswith("@") and k in _SHAPE}
        where = {k: row.key for k, (_v, row) in self.slots.items()}
        shape = assemble(slots, where)
        if shape is None:
            return
        self.notes += shape.notes
        rows = [row for k, (_v, row) in self.slots.items() if k in _SHAPE]
        self.set["model.layers"], self.set["model.mirror"] = (shape.layers, rows[0]), (shape.mirror, rows[0])
        for row in rows:
            row.fields += ("model.layers",)
        for role, act in shape.activations.items():
            if act is not None and f"model.{role}_activation" not in self.set:
                self.assign(f"model.{role}_activation", act, rows[0])
        if shape.assumed_latent:
            self.rows.append(Row(NOT_IN_FILE, None, DEFAULT, ("model.latent",),
                                 f"latent size: not in the file; {ASSIGNMENT_LATENT}, the assignment's 2-D "
                                 "latent space"))


_SHAPE = ("@network", "@encoder", "@decoder", "@hidden", "@decoder_hidden", "@latent", "@input",
          "@encoder_acts", "@decoder_acts", "@encoder_act", "@decoder_act")


def _exists(target: str) -> bool:
    if target == "name":
        return True
    section, _, name = target.partition(".")
    return section in _SECTIONS and name in {f.name for f in dc_fields(_SECTIONS[section])}


def _beside(value, base_dir) -> Path | None:
    if not isinstance(value, str) or not value.strip():
        return None
    path = Path(value).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    try:
        return path.resolve() if path.is_file() else None
    except OSError:
        return None


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
                raise ConfigError(where[f"{section}.{name}"], f"expected {_FORMS[t]}; got {value!r}", source)


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
        reader.resolve()
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
        raise ConfigError(e.field, e.problem, source) from None
    except (TypeError, ValueError) as e:
        raise ConfigError("(student config)", f"a value has the wrong type ({e})", source) from None
    rows = reader.rows + _defaults(reader, exp)
    _results(rows, exp)
    for note in reader.notes:
        rows.append(Row(NOT_IN_FILE, None, DEFAULT, (), note))
    return Imported(exp, rows, source)


def _defaults(reader: _Reader, exp: Experiment) -> list[Row]:
    out = []
    for target in _SHOWN_DEFAULTS:
        if target not in reader.set:
            out.append(Row(NOT_IN_FILE, None, DEFAULT, (target,), "aegui's default"))
    if not any(t == "model.layers" for t in reader.set):
        out.append(Row(NOT_IN_FILE, None, DEFAULT, ("model.layers",), "aegui's default"))
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
            if f is not None and not f.applies(exp) and row.status == USED:
                row.why = (row.why + "; " if row.why else "") + f"unused: {_why_not(target, exp)}"


def _why_not(target: str, exp: Experiment) -> str:
    if target.startswith("noise."):
        return f"a {kind_of(exp).label} model takes no noise"
    return {"train.momentum": f"the optimizer is {exp.train.optimizer}",
            "model.beta": f"a {exp.model.kind}, not a VAE",
            "model.kl_warmup": f"a {exp.model.kind}, not a VAE",
            "train.decay_rate": f"the schedule is {exp.train.schedule}"}.get(target, "it does not apply")


def import_student_config(raw, source: str | None = None, base_dir=None) -> tuple[Experiment, list[str]]:
    """read_student's experiment and its notes (every row but the plain ones), whatever keys it
    did not understand."""
    imported = read_student(raw, source, base_dir)
    return imported.experiment, imported.notes()
