"""Several files that only make sense together (a model's weights and sidecar, a sweep's five
results files), replaced as one: after a crash at any point a reader finds the previous
complete set or the new complete one, never a mix.

write_set() stages the new files in a hidden folder beside them, then writes a manifest of
their SHA-256 there (the commit point), then moves them in. recover() finishes a committed
set that a crash stopped mid-move, or drops one that never got its manifest; readers call it
first and can tell the user which happened.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from aegui.core.files.atomic import atomic_write_bytes, named

MANIFEST = "MANIFEST.json"
KEPT_PREVIOUS = "kept the previous files: a save was interrupted before it completed"
COMPLETED_NEW = "completed a save that was interrupted after it was written in full"


def staging_dir(folder: Path, key: str) -> Path:
    """Where a file set's new files are written before they replace the old ones: a hidden folder beside them.
    """
    return Path(folder) / f".{key}.incoming"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_set(folder, key: str, files: dict[str, bytes | None]) -> None:
    """Replace `files` (name -> bytes, plain names inside `folder`) as one; a name given None
    is removed with the same commit (a file of the previous set the new one has no use for)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    recover(folder, key)
    stage = staging_dir(folder, key)
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir()
    try:
        for name, data in files.items():
            if data is not None:
                atomic_write_bytes(stage / name, data)
        manifest = json.dumps({name: None if data is None else _sha(data)
                               for name, data in files.items()}).encode()
        atomic_write_bytes(stage / MANIFEST, manifest)     # the commit point
    except BaseException as e:
        # Not committed: the previous set stays, and what was staged would only fill the disk
        # that (most often) just ran out. Named by the file it was for, not its staged copy.
        shutil.rmtree(stage, ignore_errors=True)
        if isinstance(e, OSError) and e.filename is not None and Path(e.filename).parent == stage:
            name = Path(e.filename).name
            raise named(e, folder if name == MANIFEST else folder / name, e.filename) from None
        raise
    _fsync_dir(stage)
    _move_in(folder, stage)


def _move_in(folder: Path, stage: Path) -> None:
    # The manifest stays until every file is in place, so a crash here is finished by recover().
    for name, digest in json.loads((stage / MANIFEST).read_bytes()).items():
        src = stage / name
        try:
            if digest is None:
                (folder / name).unlink(missing_ok=True)
            elif src.exists():
                os.replace(src, folder / name)
        except OSError as e:
            raise named(e, folder / name, src) from None
    _fsync_dir(folder)
    (stage / MANIFEST).unlink()
    shutil.rmtree(stage, ignore_errors=True)


def recover(folder, key: str) -> str | None:
    """Finish or drop an interrupted write_set; returns what was done (a phrase) or None."""
    folder = Path(folder)
    stage = staging_dir(folder, key)
    if not stage.is_dir():
        return None
    try:
        names = json.loads((stage / MANIFEST).read_bytes())
        ok = isinstance(names, dict) and all(
            isinstance(n, str) and "/" not in n and n not in ("", ".", "..") for n in names)
        if ok:
            for name, digest in names.items():
                if digest is None:
                    continue
                src = stage / name
                have = src if src.exists() else folder / name
                if not have.exists() or _sha(have.read_bytes()) != digest:
                    ok = False
                    break
    except (OSError, ValueError):
        ok = False
    if not ok:
        shutil.rmtree(stage, ignore_errors=True)
        return KEPT_PREVIOUS
    _move_in(folder, stage)
    return COMPLETED_NEW
