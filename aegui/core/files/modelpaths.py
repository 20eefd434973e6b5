"""Paths inside a model's sidecar, relative to the model so its folder can be moved or copied.

A saved experiment may name files: data.extra_glyphs (the glyphs `aegui teach` added, a chain of
teachings naming several), data.path and data.labels_path. On saving, the glyph files travel
with the model (copied beside it when they are elsewhere) and every path inside the model's
folder is stored relative to it. On loading, a relative path is read beside the model, and an
absolute one (models saved before) is used where it points or, when that file is gone, found
beside the model by its file name.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

DATA_FILES = ("path", "labels_path")


def _name(path: str) -> str:
    # A model saved on Windows names its files with backslashes.
    return re.split(r"[\\/]", path)[-1]


def plain(name) -> bool:
    """A file name with no folder part: what a sidecar may name for a save to replace or remove."""
    return (isinstance(name, str) and name not in ("", ".", "..") and "/" not in name
            and "\\" not in name and "\0" not in name)


def _inside(path: str, folder: Path) -> str | None:
    """`path` relative to `folder` when it is inside it."""
    try:
        full = Path(path).expanduser().resolve()
    except (OSError, ValueError, RuntimeError):
        return None
    return full.relative_to(folder).as_posix() if full.is_relative_to(folder) and full != folder else None


def _carry(path: str, folder: Path, files: dict, reserved: set) -> str:
    """Copy the file at `path` into the save (`files`) under its name, or a name with its hash
    when that name is taken by other bytes; returns the name."""
    from aegui.core.files.userfile import read_file
    data = read_file(Path(path).expanduser(), "font")
    name = _name(path)
    taken = name in reserved or (name in files and files[name] != data) or (
        name not in files and (folder / name).is_file() and (folder / name).read_bytes() != data)
    if taken or not plain(name):
        stem, dot, ext = name.rpartition(".") if "." in name.strip(".") else (name, "", "")
        name = f"{stem or 'glyphs'}-{hashlib.sha256(data).hexdigest()[:8]}{dot}{ext}"
    files[name] = data
    return name


def stored(exp: dict, folder, files: dict, reserved=()) -> dict:
    """The experiment dict as a model's sidecar keeps it: glyph files added to `files` when they
    are not in `folder` already, paths inside `folder` made relative to it."""
    folder = Path(folder).expanduser().resolve()
    data = exp.get("data")
    if not isinstance(data, dict):
        return exp
    for key in DATA_FILES:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            data[key] = _inside(value, folder) or value
    glyphs = []
    for path in data.get("extra_glyphs") or ():
        rel = _inside(path, folder)
        if rel is None or (rel not in files and not (folder / rel).is_file()):
            rel = _carry(path, folder, files, set(reserved))
        glyphs.append(rel)
    if "extra_glyphs" in data:
        data["extra_glyphs"] = glyphs
    return exp


def _find(path: str, folder: Path) -> str:
    if os.path.isabs(path) and os.path.exists(path):
        return path
    if not os.path.isabs(path):
        beside = folder / path
        if beside.exists():
            return str(beside)
        if os.path.exists(path):
            return path      # relative to where aegui ran, as models before relative paths read it
    # Moved since it was saved (or saved on Windows): the file of that name beside the model.
    by_name = folder / _name(path)
    if by_name.exists():
        return str(by_name)
    return path if os.path.isabs(path) else str(folder / path)


def resolved(exp, folder):
    """A sidecar's experiment dict with its paths made absolute (anything malformed is left for
    the experiment's validation to name)."""
    if not isinstance(exp, dict) or not isinstance(exp.get("data"), dict):
        return exp
    folder = Path(folder).expanduser().resolve()
    data = dict(exp["data"])
    for key in DATA_FILES:
        if isinstance(data.get(key), str) and data[key].strip():
            data[key] = _find(data[key], folder)
    if isinstance(data.get("extra_glyphs"), list):
        data["extra_glyphs"] = [_find(p, folder) if isinstance(p, str) and p.strip() else p
                                for p in data["extra_glyphs"]]
    return {**exp, "data": data}


def owned(meta: dict, names: tuple, folder, folder_model: bool) -> set[str]:
    """The file names in `folder` that belong to the model whose sidecar is `meta`: `names` (its
    weights, sidecar and metrics.csv), its replay and, in a model's own folder, its glyph files."""
    if not meta:
        return set()
    folder = Path(folder).expanduser().resolve()
    out = set(names)
    for name in (meta.get("weights_file"), (meta.get("replay") or {}).get("file")
                 if isinstance(meta.get("replay"), dict) else None):
        if plain(name):
            out.add(name)
    data = meta.get("experiment", {}).get("data") if isinstance(meta.get("experiment"), dict) else None
    glyphs = data.get("extra_glyphs") if isinstance(data, dict) else None
    if folder_model and isinstance(glyphs, list):
        for path in glyphs:
            if isinstance(path, str) and not os.path.isabs(path) and plain(path):
                out.add(path)
            elif isinstance(path, str) and os.path.isabs(path):
                rel = _inside(path, folder)
                if plain(rel):
                    out.add(rel)
    return out
