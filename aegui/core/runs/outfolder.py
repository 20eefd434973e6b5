"""Where `aegui train` / `aegui teach` save (--out): one writer at a time, and never another model
replaced without being asked.

The rule: a folder may be saved into again when the model there was made from the same
experiment (the same data, model, noise and augmentation; the name and the training settings,
such as epochs, seed or learning rate, may differ: that is the same model trained again). A
folder holding any other model, or files aegui cannot read as one, is refused unless the user
says to replace it (--force); the save then removes the old model's files (its taught glyph
files included) along with writing the new ones (storage.save_model).
"""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

from aegui.core.config.validation import experiment_from_dict
from aegui.core.files import lock, modelpaths
from aegui.core.runs.storage import ModelFileError, existing_sidecar, model_paths
from aegui.core.schema.experiment import shown

# Sections and fields that do not make another model.
_SAME_MODEL_IGNORES = ("name", "schema_version", "train")


def _identity(exp: dict) -> dict:
    exp = json.loads(json.dumps(exp))       # tuples and lists alike
    out = {k: v for k, v in exp.items() if k not in _SAME_MODEL_IGNORES}
    data = dict(out.get("data") or {})
    for key in modelpaths.DATA_FILES:
        if isinstance(data.get(key), str) and data[key].strip():
            data[key] = os.path.abspath(os.path.expanduser(data[key]))
    if isinstance(data.get("extra_glyphs"), list):
        # Glyph files are copied beside the model: the same file is the same name anywhere.
        data["extra_glyphs"] = [Path(p).name if isinstance(p, str) else p for p in data["extra_glyphs"]]
    out["data"] = data
    return out


def check_replace(path, experiment: dict, force: bool) -> None:
    """ModelFileError when the model at `path` (as storage.model_paths reads it) is another model
    than one of `experiment` (an Experiment's to_dict()) and `force` is not given."""
    _, meta_path = model_paths(path)
    if force or not meta_path.exists():
        return
    meta = existing_sidecar(meta_path)
    try:
        # Through the same reader as the new experiment: fields added since it was saved get
        # their defaults on both sides.
        there = None if meta is None else experiment_from_dict(modelpaths.resolved(meta.get("experiment"),
                                                                                   meta_path.parent))
    except (OSError, ValueError, TypeError, RecursionError):
        there = None
    if there is None:
        raise ModelFileError(f"{meta_path}: --out holds a file aegui cannot read as a model; give "
                             "another folder, or --force to replace it")
    if _identity(there.to_dict()) != _identity(experiment):
        what = f"another model ({shown(there.name)})" if there.name else "another model"
        raise ModelFileError(f"{meta_path.parent}: --out holds {what}; give another folder, or "
                             "--force to replace it and remove its files")


@contextmanager
def claimed(path, experiment: dict, force: bool = False):
    """Hold the model's lock at `path` while the body trains and saves; refuse (ModelFileError)
    when another writer holds it or, see check_replace, another model is there. A folder made
    here and left empty (the run saved nothing) is removed again."""
    weights_path, _ = model_paths(path)
    folder = weights_path.parent
    made = not folder.exists()
    try:
        held = lock.acquire(folder, weights_path.stem)
    except lock.FolderBusy as e:
        raise ModelFileError(str(e)) from None
    except OSError as e:
        if folder.exists() and not folder.is_dir():
            raise ModelFileError(f"{folder}: --out is a file, not a folder; give a folder") from None
        from aegui.core.files.errors import user_message
        raise ModelFileError(user_message(e, folder)) from None
    try:
        check_replace(path, experiment, force)
        yield
    finally:
        lock.release(held)
        if made:
            try:
                folder.rmdir()
            except OSError:
                pass
