"""Reading and writing experiment files: native JSON, or a student's flat/nested JSON or YAML, which
student_json translates (with its table: import_report.Imported)."""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from aegui.core.schema.experiment import _SECTIONS, OPTIONAL_SECTIONS, ConfigError, Experiment
from aegui.core.config.validation import experiment_from_dict
from aegui.core.config.import_report import Imported
from aegui.core.config.student_json import read_student


def _native_shape(raw: dict) -> bool:
    """The native sections (the optional ones may be missing), holding only native field names."""
    if set(raw) - {"name", *_SECTIONS} or set(_SECTIONS) - set(raw) - set(OPTIONAL_SECTIONS):
        return False
    return all(isinstance(raw[k], dict) and set(raw[k]) <= {f.name for f in fields(cls)}
               for k, cls in _SECTIONS.items() if k in raw)


def parse_config(text: str, source: str | None = None):
    """The values of a config's text: YAML when `source` ends in .yaml or .yml, JSON otherwise."""
    from aegui.core.files.jsonfile import parse_json
    from aegui.core.files.yamlfile import YAML_SUFFIXES, parse_yaml
    if source is not None and Path(str(source)).suffix.lower() in YAML_SUFFIXES:
        return parse_yaml(text, source)
    return parse_json(text, source)


def read_config_text(text: str, source: str | None = None, base_dir=None) -> Imported:
    """A native or student-style config as read (JSON, or YAML when `source` ends in .yaml or
    .yml), with a student's table. Keys it did not
    understand are rows of the table (Imported.blocking), not errors; a bad value is a
    ConfigError naming its key."""
    raw = parse_config(text, source)
    if isinstance(raw, dict) and ("schema_version" in raw or _native_shape(raw)):
        # A full native config without its version is refused by name rather than read as a
        # student's (which would ignore most fields and misread noise.kind as model.kind).
        return Imported(experiment_from_dict(raw, source), source=source, native=True)
    return read_student(raw, source, base_dir)


def experiment_from_json(text: str, source: str | None = None) -> tuple[Experiment, list[str]]:
    """Read a native or a student-style JSON config; returns the experiment and notes (how keys
    were read, assumptions) worth telling the user, whatever keys it did not understand."""
    imported = read_config_text(text, source)
    return imported.experiment, imported.notes()


def read_config(path) -> Imported:
    """read_config_text of a file; a student's relative paths are read beside it."""
    from aegui.core.files.userfile import read_text
    path = Path(path)
    try:
        text = read_text(path, "config")
    except FileNotFoundError:
        raise ConfigError("(file)", "file not found; check the path", str(path)) from None
    except (OSError, UnicodeDecodeError) as e:
        from aegui.core.files.errors import user_message
        raise ConfigError("(file)", user_message(e, path).removeprefix(f"{path}: "), str(path)) from None
    return read_config_text(text, str(path), path.parent)


def load_experiment(path, lenient: bool = False) -> tuple[Experiment, list[str]]:
    """The experiment of a config file and its notes. A student's config with a key that may change
    training and is not understood is refused naming it (ConfigError), unless `lenient`."""
    imported = read_config(path)
    if imported.blocking and not lenient:
        raise imported.refusal()
    return imported.experiment, imported.notes()


def save_experiment(exp: Experiment, path) -> None:
    """Writes the experiment as a config JSON, atomically."""
    from aegui.core.files.atomic import atomic_write_text
    atomic_write_text(Path(path), exp.to_json() + "\n")
