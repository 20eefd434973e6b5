"""Reading and writing experiment files: native JSON, or a student's flat/nested JSON, which
student_json translates."""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from aegui.core.schema.experiment import _SECTIONS, OPTIONAL_SECTIONS, ConfigError, Experiment
from aegui.core.config.validation import experiment_from_dict
from aegui.core.config.student_json import import_student_config


def _native_shape(raw: dict) -> bool:
    """The native sections (the optional ones may be missing), holding only native field names."""
    if set(raw) - {"name", *_SECTIONS} or set(_SECTIONS) - set(raw) - set(OPTIONAL_SECTIONS):
        return False
    return all(isinstance(raw[k], dict) and set(raw[k]) <= {f.name for f in fields(cls)}
               for k, cls in _SECTIONS.items() if k in raw)


def experiment_from_json(text: str, source: str | None = None) -> tuple[Experiment, list[str]]:
    """Read a native or a student-style JSON config; returns the experiment and notes
    (ignored keys, assumptions) worth telling the user."""
    from aegui.core.files.jsonfile import parse_json
    raw = parse_json(text, source)
    if isinstance(raw, dict) and ("schema_version" in raw or _native_shape(raw)):
        # A full native config without its version is refused by name rather than read as a
        # student's (which would ignore most fields and misread noise.kind as model.kind).
        return experiment_from_dict(raw, source), []
    return import_student_config(raw, source)


def load_experiment(path) -> tuple[Experiment, list[str]]:
    from aegui.core.files.userfile import read_text
    path = Path(path)
    try:
        text = read_text(path, "config")
    except FileNotFoundError:
        raise ConfigError("(file)", "file not found; check the path", str(path)) from None
    except (OSError, UnicodeDecodeError) as e:
        from aegui.core.files.errors import user_message
        raise ConfigError("(file)", user_message(e, path).removeprefix(f"{path}: "), str(path)) from None
    return experiment_from_json(text, str(path))


def save_experiment(exp: Experiment, path) -> None:
    from aegui.core.files.atomic import atomic_write_text
    atomic_write_text(Path(path), exp.to_json() + "\n")
