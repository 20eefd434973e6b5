"""The models saved in a folder of models (the autosave folder, the shipped models/), read from
their sidecars alone: name, kind and when trained, without loading weights or data, so File >
Models… lists hundreds of autosaves at once."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

STAMP = "%Y-%m-%dT%H:%M:%S%z"     # how a sidecar writes a time ("saved", "trained_at")


@dataclass(frozen=True)
class SavedModel:
    """A saved model as its sidecar describes it: folder, name, kind and when it was trained."""
    path: Path                  # the folder holding model.json, as open_trained() takes it
    name: str
    kind: str                   # the experiment's model kind ("ae", "dae", "vae", ...)
    trained_at: float | None    # seconds since the epoch


def stamp(seconds: float) -> str:
    """A time as sidecars write it (local time with its UTC offset)."""
    return time.strftime(STAMP, time.localtime(seconds))


def read_stamp(text) -> float | None:
    """Seconds since the epoch of a sidecar time ("2025-10-02T14:32:05+0200"); None if it is not one."""
    try:
        return datetime.strptime(text, STAMP).timestamp()
    except (TypeError, ValueError):
        return None


def read_saved(folder) -> SavedModel | None:
    """What the sidecar folder/model.json says of its model; None when it is not an aegui model."""
    folder = Path(folder)
    from aegui.core.files.jsonfile import read_json
    try:
        meta = read_json(folder / "model.json", "model")
    except ValueError:
        return None
    exp = meta.get("experiment") if isinstance(meta, dict) else None
    if not isinstance(exp, dict) or meta.get("format") != "aegui-model":
        return None
    model = exp.get("model") if isinstance(exp.get("model"), dict) else {}
    return SavedModel(folder, str(exp.get("name", "experiment")), str(model.get("kind", "ae")),
                      read_stamp(meta.get("trained_at")) or read_stamp(meta.get("saved")))


def saved_models(folder) -> list[SavedModel]:
    """The models saved as folders directly in `folder`, oldest first by name (autosave folders
    are named by time)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = (read_saved(p) for p in sorted(folder.iterdir()) if p.is_dir() and not p.name.startswith("."))
    return [m for m in found if m is not None]
