"""Reading a JSON file the user named, with every failure as a ConfigError naming the file."""
from __future__ import annotations

import json
from pathlib import Path

from aegui.core.config.experiment import ConfigError


def read_json(path):
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("(file)", "file not found; check the path", str(path)) from None
    except IsADirectoryError:
        raise ConfigError("(file)", "is a folder; name the JSON file", str(path)) from None
    except json.JSONDecodeError as e:
        raise ConfigError("(json)", f"not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}",
                          str(path)) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError("(file)", f"cannot read it ({e})", str(path)) from None
