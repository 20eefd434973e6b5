"""Deleting a model moves its files to the trash folder of the user's data, never unlinks them:
$AEGUI_HOME/trash/<name>-<time>/ holds them as a model that opens (a record says where they came
from), and restore() moves them back.

A model saved as a folder (model.json, model.safetensors, metrics.csv, a taught model's glyph file)
moves whole; one saved as NAME.json beside other files moves only its own: NAME.json,
NAME.safetensors, NAME.metrics.csv and its replay file.
"""
from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from aegui.core.files.atomic import atomic_write_text
from aegui.core.files.paths import fresh_folder, safe_name, user_data_dir

RECORD = "trashed.json"     # where the files came from, written beside them in the trash


@dataclass(frozen=True)
class Trashed:
    """A model moved to the trash: its folder there, what opens it, where it was, and every move made (to undo
    them in order)."""
    folder: Path            # the model's folder in the trash
    opens: Path             # what open_trained() takes to open the trash copy
    original: Path          # the path the model was opened from
    moves: tuple[tuple[Path, Path], ...]   # (where it was, where it is now), in the order moved


def trash_dir() -> Path:
    """The trash folder in the user's data folder, where deleted models' files go."""
    return user_data_dir() / "trash"


def model_files(path) -> list[Path]:
    """The files that belong to the model saved at `path` (a NAME.json or NAME.safetensors), those
    that exist: weights, sidecar, metrics and replay."""
    from aegui.core.runs.storage import model_paths
    from aegui.core.train.history import metrics_path
    from aegui.core.train.snapshots import replay_path
    weights, sidecar = model_paths(path)
    files = [weights, sidecar, metrics_path(sidecar)]
    replay = _sidecar(sidecar).get("replay")
    files.append(weights.with_name(replay["file"]) if isinstance(replay, dict) and replay.get("file")
                 else replay_path(weights))
    return [f for f in dict.fromkeys(files) if f.exists()]


def is_folder_model(path) -> bool:
    """Whether `path` is a model's own folder (it holds model.json)."""
    path = Path(path)
    return path.is_dir() and (path / "model.json").exists()


def move_to_trash(path, name: str) -> Trashed:
    """Move the model saved at `path` (named `name`) into a new folder of the trash."""
    path = Path(path)
    folder = _new_folder(name)
    if is_folder_model(path):
        shutil.move(str(path), str(folder))
        moves = ((path, folder),)
        opens = folder
        _repoint(folder / "model.json", path, folder)
    else:
        folder.mkdir(parents=True)
        moves = tuple((f, folder / f.name) for f in model_files(path))
        if not moves:
            folder.rmdir()
            raise FileNotFoundError(f"{path}: no model files there to move to the trash")
        for src, dst in moves:
            shutil.move(str(src), str(dst))
        opens = folder / Path(path).with_suffix(".json").name
    record = {"name": name, "from": str(path), "trashed": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
              "files": [str(src) for src, _ in moves]}
    atomic_write_text(folder / RECORD, json.dumps(record, indent=2) + "\n")
    return Trashed(folder, opens, path, moves)


def restore(trashed: Trashed) -> Path:
    """Move the files back where they were; returns the path the model opens from again.
    FileExistsError (naming the file) when one of them exists there again: nothing is overwritten."""
    for src, _ in trashed.moves:
        if src.exists():
            raise FileExistsError(f"{src}: a file of that name is back there; the model stays in {trashed.folder}")
    (trashed.folder / RECORD).unlink(missing_ok=True)
    if is_folder_model(trashed.folder) and trashed.moves == ((trashed.original, trashed.folder),):
        _repoint(trashed.folder / "model.json", trashed.folder, trashed.original)
    for src, dst in trashed.moves:
        src.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(dst), str(src))
    if trashed.folder.exists() and not any(trashed.folder.iterdir()):
        trashed.folder.rmdir()
    return trashed.original


def _new_folder(name: str) -> Path:
    safe = safe_name(name, "model")
    folder = fresh_folder(trash_dir() / f"{safe}-{time.strftime('%Y%m%d-%H%M%S')}")
    folder.parent.mkdir(parents=True, exist_ok=True)
    return folder


def _sidecar(path: Path) -> dict:
    from aegui.core.files.jsonfile import read_json
    try:
        meta = read_json(path, "model")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _repoint(sidecar: Path, old: Path, new: Path) -> None:
    """A folder model's experiment names files inside its folder by absolute path (a taught model's
    glyph file): after the folder moved, name them where they are now."""
    meta = _sidecar(sidecar)
    data = meta.get("experiment", {}).get("data", {}) if isinstance(meta.get("experiment"), dict) else {}
    extra = data.get("extra_glyphs") if isinstance(data, dict) else None
    if not isinstance(extra, list):
        return
    moved = [str(new / Path(p).relative_to(old)) if isinstance(p, str) and Path(p).is_relative_to(old) else p
             for p in extra]
    if moved != extra:
        data["extra_glyphs"] = moved
        atomic_write_text(sidecar, json.dumps(meta, indent=2) + "\n")
