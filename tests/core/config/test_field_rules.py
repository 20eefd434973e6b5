"""A field's rule is written once, in its description (aegui/core/config/fields.py), and `aegui train`
obeys it: for every field, values at and just beyond each bound, of a wrong type and outside the
choices are accepted or refused by the CLI exactly as the description's check says, with the same
sentence naming the field. The builder form checks what is typed with the same descriptions
(tests/qt/builder/test_builder_field_rules.py), so the form and the CLI cannot disagree."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

import pytest

from aegui.core.schema import experiment as E
from aegui.core.config import fields as F
from aegui.core.schema.experiment import Experiment, TrainConfig

from core_helpers import run_cli

# The name is the one field a file cannot give a wrong value: any JSON value is read as its text.
CHECKED = [f for f in F.FIELDS.values() if f.section and not f.of]


def _beyond(value, direction: float):
    """The nearest value past a bound: the next whole number, or the next float."""
    return value + int(direction) if isinstance(value, int) else math.nextafter(value, direction * math.inf)


def values_of(f: F.Field) -> list:
    """Values at and just beyond each bound, of a wrong type, outside the choices. A list's bound
    replaces its middle item (a list of layers needs at least three)."""
    default = f.value(Experiment())
    if f.type == "choice":
        return [default, "no-such-choice", True]
    if f.type in ("int", "float"):
        out = ["many", True, None]
        if f.type == "float":
            out += [1]               # a whole number is a number (the file's 1 reads as 1.0)
        else:
            out += [1.5]
        if f.range is not None:
            lo, hi = f.range
            out += [lo, _beyond(lo, -1)]
            if hi != math.inf:
                out += [hi, _beyond(hi, 1)]
        return out
    if f.type == "bool":
        return [True, False, "yes", 1]
    if f.type in ("text", "path"):
        return ["", 5, ["a"]]
    if f.type == "ints":
        out = ["1,2", [1.5], [True]]
        if f.range is not None:
            for item in (f.range[0], _beyond(f.range[0], -1)):
                at = list(default) or [0]
                at[len(at) // 2] = item
                out.append(at)
        return out
    if f.type == "names":
        return ["Font3", [5], [""]]
    raise AssertionError(f"{f.key}: no test values for its type {f.type!r}")


def as_read(f: F.Field, value):
    """A JSON value as the config reader hands it on: a list field's list is a tuple, a float
    field's whole number a float, as the form's values are."""
    if f.type in ("ints", "names") and isinstance(value, list):
        return tuple(value)
    return float(value) if f.type == "float" and E.whole(value) else value


@pytest.fixture
def train_stub(monkeypatch):
    """`aegui train` up to the training itself: the config is read, overridden and validated."""
    trained = []
    monkeypatch.setattr("aegui.cli.train._train_and_save", lambda args, exp, out: trained.append(exp) or 0)
    return trained


def config_with(path, key: str, value) -> None:
    raw = Experiment().to_dict()
    section, name = key.split(".", 1)
    raw[section][name] = value
    path.write_text(json.dumps(raw))


def train_error(capsys, argv) -> tuple[int, str]:
    rc = run_cli(["train", *argv, "--quiet"])
    return rc, capsys.readouterr().err.strip()


@pytest.mark.parametrize("key", [f.key for f in CHECKED])
def test_the_cli_accepts_and_refuses_what_the_field_description_does(key, tmp_path, capsys, train_stub):
    f = F.FIELDS[key]
    for value in values_of(f):
        cfg = tmp_path / "cfg.json"
        config_with(cfg, key, value)
        # The check the form applies to what is typed (qt/builder/form.py) and its sentence.
        expected = f.error(as_read(f, value))
        rc, err = train_error(capsys, [cfg, "--out", tmp_path / "out"])
        if expected is None:
            assert rc == 0, f"{key} = {value!r} passes its description's check but `aegui train` said: {err}"
        else:
            assert rc == 2 and len(err.splitlines()) == 1, (key, value, rc, err)
            assert err.endswith(f"{cfg}: {expected.field}: {expected.problem}"), (key, value, err)


def test_best_of_300_seeds_is_refused_as_the_form_refuses_it(tmp_path, capsys, train_stub):
    """The form's 'Best of K' stops at 256; `aegui train` trained 300 models from a file or --seeds."""
    cfg = tmp_path / "cfg.json"
    config_with(cfg, "train.seeds", 300)
    rc, err = train_error(capsys, [cfg, "--out", tmp_path / "out"])
    assert rc == 2 and err == f"aegui: error: {cfg}: train.seeds: must be from 1 to 256, got 300"
    config_with(cfg, "train.seeds", 1)
    rc, err = train_error(capsys, [cfg, "--out", tmp_path / "out", "--seeds", "300"])
    assert rc == 2 and err == "aegui: error: train.seeds: must be from 1 to 256, got 300"
    assert train_stub == []


@pytest.mark.parametrize("key, value, problem", [
    ("train.epochs", 2e8, "must be a whole number, got 200000000.0"),
    ("train.epochs", 200_000_000, "must be from 1 to 100000000, got 200000000"),
    ("train.batch_size", 20_000_000, "must be from 0 to 10000000, got 20000000"),
])
def test_counts_past_the_forms_maximum_are_refused(key, value, problem, tmp_path, capsys, train_stub):
    cfg = tmp_path / "cfg.json"
    config_with(cfg, key, value)
    rc, err = train_error(capsys, [cfg, "--out", tmp_path / "out"])
    assert rc == 2 and err == f"aegui: error: {cfg}: {key}: {problem}"


@dataclass(frozen=True)
class _TrainWithClip(TrainConfig):
    clip: float = 1.0


def test_a_field_added_to_the_descriptions_is_checked_on_the_cli(tmp_path, capsys, train_stub, monkeypatch):
    """A new field is its dataclass field and its description; nothing else should be needed for
    a config file's wrong value to be refused by name (it was not checked at all)."""
    monkeypatch.setitem(E._SECTIONS, "train", _TrainWithClip)
    monkeypatch.setitem(F.FIELDS, "train.clip", F.Field("train.clip", "Clip", "float", range=(0.0, 10.0)))
    raw = Experiment().to_dict()
    cfg = tmp_path / "cfg.json"
    for value, problem in (("abc", "must be a number, got 'abc'"), (11.0, "must be from 0 to 10, got 11")):
        raw["train"]["clip"] = value
        cfg.write_text(json.dumps(raw))
        rc, err = train_error(capsys, [cfg, "--out", tmp_path / "out"])
        assert rc == 2 and err == f"aegui: error: {cfg}: train.clip: {problem}"
    raw["train"]["clip"] = 2.5
    cfg.write_text(json.dumps(raw))
    assert train_error(capsys, [cfg, "--out", tmp_path / "out"])[0] == 0
    assert train_stub[-1].train.clip == 2.5
