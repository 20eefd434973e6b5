"""What importing a config did with each of its keys: the table `aegui import` prints, `aegui train`
tells one line a key, and the window shows before it applies anything.

Each row is one key of the file (where it was written, e.g. "training.epochs_max"), or one setting
the file does not give and aegui filled in. A row is USED (it set these aegui fields), SAME (what
aegui does anyway), IGNORED (it changes nothing aegui trains), DEFAULT (not in the file: aegui's
value, or an assumption said in `why`), UNKNOWN (not understood) or UNSUPPORTED (understood, but
aegui cannot do it). An UNKNOWN row whose key may change training, and every UNSUPPORTED one,
stops the import unless the user accepts it anyway.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from aegui.core.schema.experiment import ConfigError, Experiment

USED, SAME, IGNORED, DEFAULT, UNKNOWN, UNSUPPORTED = "used", "same", "ignored", "default", "unknown", "unsupported"
NOT_IN_FILE = "(not in the file)"


def english(text: str, **args) -> str:
    """A template filled in as written (the window passes its tr() instead)."""
    return text.format(**args) if args else text


@dataclass
class Row:
    """One key of a student's config in the import table: what it set in aegui's, or why it was ignored, refused
    or not understood."""
    key: str                          # where the file wrote it, e.g. "training.epochs_max"
    value: object                     # as written
    status: str = USED
    fields: tuple[str, ...] = ()      # the aegui fields it set
    why: str = ""                     # why, as a template filled with `args` (translatable)
    args: dict = field(default_factory=dict)
    more: list = field(default_factory=list)        # further (template, args) said after `why`
    result: dict = field(default_factory=dict)    # field -> its value in the imported experiment
    stops: bool = False               # UNKNOWN: its name says it may change training

    @property
    def blocking(self) -> bool:
        """Whether this key stops the import (not possible in aegui, or not understood where it may change
        training)."""
        return self.status == UNSUPPORTED or (self.status == UNKNOWN and self.stops)

    def say(self, status: str | None, why: str, **args) -> None:
        """Set the row's status (None: keep it) and its reason."""
        self.status = status or self.status
        self.why, self.args, self.more = why, args, []

    def reason(self, translate=english) -> str:
        """The row's explanation, each template filled and joined; `translate` gives it in another language."""
        parts = ([(self.why, self.args)] if self.why else []) + self.more
        return "; ".join(translate(t, **a) for t, a in parts)

    def outcome(self, translate=english) -> str:
        """What became of the key, in words: "train.epochs = 2000", "not understood", ..."""
        done = ", ".join(f"{f} = {show(v)}" for f, v in self.result.items())
        why = self.reason(translate)
        if self.status == USED:
            return translate("{done} ({why})", done=done, why=why) if why else done
        if self.status == DEFAULT:
            return translate("{done} ({why})", done=done, why=why) if done else why
        if self.status == SAME:
            return translate("nothing to change: {why}", why=why)
        if self.status == IGNORED:
            return translate("not used: {why}", why=why)
        if self.status == UNSUPPORTED:
            return translate("NOT POSSIBLE: {why}", why=why)
        return translate("NOT UNDERSTOOD: {why}", why=why) if why and not self.stops else translate("NOT UNDERSTOOD")


def show(value) -> str:
    """A value as the table shows it: JSON's spelling (null, true), layers as 35-20-2-20-35, layer
    lines as "conv 32 3x3 s2 p1; dense 16"."""
    if isinstance(value, tuple) and value and all(isinstance(v, int) for v in value):
        return "-".join(map(str, value))
    if isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
        # a convolutional network's layer lines, as the builder lists them: whole, which is the point
        return "; ".join(value)
    if isinstance(value, tuple):
        value = list(value)
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass
class Imported:
    """A config as read: the experiment, and for a student's config its table."""
    experiment: Experiment
    rows: list[Row] = field(default_factory=list)
    source: str | None = None
    native: bool = False

    @property
    def blocking(self) -> list[Row]:
        """The rows that stop the import."""
        return [r for r in self.rows if r.blocking]

    def lines(self, translate=english, only=None) -> list[str]:
        """One line a key: "training.epochs_max = 2000: train.epochs = 2000" (only: of the rows
        whose status is one of these)."""
        return [(translate(NOT_IN_FILE) if r.key == NOT_IN_FILE else f"{r.key} = {show(r.value)}")
                + f": {r.outcome(translate)}" for r in self.rows if only is None or r.status in only]

    def unused(self, translate=english) -> list[str]:
        """The lines of the keys that changed nothing: not understood, not possible or not used."""
        return self.lines(translate, (UNKNOWN, UNSUPPORTED, IGNORED))

    def notes(self) -> list[str]:
        """The table one line a key (what `aegui train` tells and the builder shows)."""
        return self.lines()

    def table(self) -> str:
        """The rows as aligned columns: key, value as written, what aegui made of it."""
        if self.native:
            return f"{self.source or 'the file'}: an aegui config; nothing to translate"
        cells = [(r.key, "" if r.key == NOT_IN_FILE else show(r.value), r.outcome()) for r in self.rows]
        wide = [max([len(c[i]) for c in cells] + [len(h)]) for i, h in enumerate(("key", "value"))]
        out = [f"{'key':<{wide[0]}}  {'value':<{wide[1]}}  aegui"]
        out += [f"{k:<{wide[0]}}  {v:<{wide[1]}}  {o}" for k, v, o in cells]
        return "\n".join(out)

    def refusal(self) -> ConfigError:
        """The error that names the keys which stop the import."""
        keys = [r.key for r in self.blocking]
        return ConfigError(keys[0], f"{len(keys)} key{'s' if len(keys) > 1 else ''} that may change the "
                           f"network, the data, the training length, the optimizer or the noise "
                           f"{'are' if len(keys) > 1 else 'is'} not understood or not possible in aegui: "
                           f"{', '.join(keys)}; fix or remove {'them' if len(keys) > 1 else 'it'}, or add --lenient "
                           "to import the rest anyway", self.source)
