"""Reading a JSON file the user named, with every failure as a ConfigError naming the file.

Every JSON file that comes from the user (configs, specs, model descriptions, report files, the
glyph library) goes through here: a regular file within its size limit (userfile), text, no
nesting deeper than MAX_DEPTH (json's own parser recurses: 100,000 `[` raised RecursionError,
and the readers after it walk the values recursively too), and no number too long to convert
(Python refuses integers of more than 4,300 digits with a ValueError of its own).
"""
from __future__ import annotations

import json
from pathlib import Path

from aegui.core.schema.experiment import ConfigError

# Real files nest 5 levels (a sweep's grid of model fields); 64 leaves room for any hand edit.
MAX_DEPTH = 64


def _too_deep(value) -> bool:
    stack = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        items = v.values() if isinstance(v, dict) else v
        if depth > MAX_DEPTH:
            return True
        stack.extend((x, depth + 1) for x in items if isinstance(x, (dict, list)))
    return False


def parse_json(text: str | bytes, source=None):
    """json.loads of a user's text; ConfigError naming `source` on any problem."""
    source = None if source is None else str(source)
    value = _DEEP = object()
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        value = json.loads(text)
    except UnicodeDecodeError:
        raise ConfigError("(file)", "this is not a text (UTF-8) file; pick the right file", source) from None
    except json.JSONDecodeError as e:
        raise ConfigError("(json)", f"not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}",
                          source) from None
    except RecursionError:
        pass
    except ValueError:
        # int() refuses numbers of more than 4,300 digits (a denial-of-service guard).
        raise ConfigError("(json)", "holds a number with thousands of digits; no setting needs one",
                          source) from None
    if value is _DEEP or isinstance(value, (dict, list)) and _too_deep(value):
        raise ConfigError("(json)", f"nested more than {MAX_DEPTH} levels deep; no aegui file is", source)
    return value


def read_json(path, kind: str = "json"):
    """The JSON value in the file at `path`; `kind` is a key of userfile.LIMITS (its size limit)."""
    from aegui.core.files.userfile import read_file
    path = Path(path)
    try:
        data = read_file(path, kind)
    except FileNotFoundError:
        raise ConfigError("(file)", "file not found; check the path", str(path)) from None
    except IsADirectoryError:
        raise ConfigError("(file)", "is a folder; name the JSON file", str(path)) from None
    except OSError as e:
        from aegui.core.files.errors import os_problem
        raise ConfigError("(file)", os_problem(e), str(path)) from None
    return parse_json(data, path)
