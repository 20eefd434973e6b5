"""A student's YAML config, read into the same values a JSON one gives, so the same rules read it.

PyYAML's safe loader builds no Python objects. Two things it does differently from what a student's
own code meant are undone here:
- YAML 1.1 reads "1e-3" and "5e2" as strings (its floats need a point: "1.0e-3"); a student's code
  turned them into numbers (float(cfg["lr"])), so they are read as numbers.
- Dates and other non-JSON values become text, and keys text ("yes:" is the key "True").

An alias repeats a node without copying it; a chain of them (a: [x, x], b: [*a, *a], ...) grows
exponentially once walked, so the values are copied under a budget of MAX_NODES and a file past it
is refused.
"""
from __future__ import annotations

import re

from aegui.core.files.jsonfile import MAX_DEPTH
from aegui.core.schema.experiment import ConfigError

MAX_NODES = 100_000         # a student's config has tens; a sweep of grids a few thousand
YAML_SUFFIXES = (".yaml", ".yml")
_EXPONENT_FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+$")


def _loader():
    import yaml

    class Loader(yaml.SafeLoader):
        pass
    Loader.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT_FLOAT, list("-+0123456789."))
    return Loader


def parse_yaml(text: str | bytes, source=None):
    """The values of a YAML text, as parse_json gives a JSON one's; ConfigError naming `source` and
    the line on any problem."""
    import yaml
    source = None if source is None else str(source)
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        # PyYAML's pure-Python parser took 14 s on 100,000 nested "[" under load: refused before parsing
        if text.count("[") + text.count("{") > MAX_NODES // 10:
            raise ConfigError("(yaml)", f"holds more than {MAX_NODES // 10:,} lists and sections; no configuration "
                              "needs that many", source)
        value = yaml.load(text, Loader=_loader())
    except UnicodeDecodeError:
        raise ConfigError("(file)", "this is not a text (UTF-8) file; pick the right file", source) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ConfigError("(yaml)", f"not valid YAML: {e.problem or e.context}{where}", source) from None
    except yaml.YAMLError as e:
        raise ConfigError("(yaml)", f"not valid YAML: {e}", source) from None
    except RecursionError:
        raise ConfigError("(yaml)", f"nested more than {MAX_DEPTH} levels deep; no aegui file is", source) from None
    budget = [MAX_NODES]
    return _plain(value, 1, budget, source)


def _plain(value, depth: int, budget: list, source):
    budget[0] -= 1
    if budget[0] < 0:
        raise ConfigError("(yaml)", f"holds more than {MAX_NODES:,} values once its aliases (*name) are "
                          "repeated; no configuration needs that many", source)
    if depth > MAX_DEPTH:
        raise ConfigError("(yaml)", f"nested more than {MAX_DEPTH} levels deep; no aegui file is", source)
    if isinstance(value, dict):
        return {_key(k): _plain(v, depth + 1, budget, source) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1, budget, source) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)          # a date, a timestamp, bytes: as the text it was written as


def _key(key) -> str:
    return key if isinstance(key, str) else "null" if key is None else str(key)
