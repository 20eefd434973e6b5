"""What every export format shares: the target checked before anything is read (one sentence
naming it and what to do), the files written as one set (a failure leaves the previous files or
none), and what was written."""
from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path

from aegui.core.export.plan import ExportError


@dataclass(frozen=True)
class Exported:
    script: Path                    # the file asked for (a .py, .onnx, .ipynb or .html)
    weights: Path | None            # the file written beside it, if any (the .npz, the decoder's .onnx)
    script_bytes: int
    weights_bytes: int
    forward_only: bool
    note: str = ""                  # what was written and how to use it, said after the files' names


def check_target(path) -> Path:
    """The target's path, or ExportError when it cannot be one: a folder, an unknown suffix, inside a
    file, or refused by its format's own check."""
    from aegui.core.export.formats import by_suffix, formats
    path = Path(path)
    known = ", ".join(f.suffix for f in formats())
    if path.is_dir():
        raise ExportError(f"{path}: is a folder; name the file to write inside it, e.g. {path / 'model.py'}")
    fmt = by_suffix(path.suffix)
    if fmt is None:
        said = f"'{path.suffix}'" if path.suffix else "no suffix"
        raise ExportError(f"{path}: {said} is not a format aegui exports; end its name in one of {known}, "
                          f"e.g. {path.with_name(path.stem + '.py')}")
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise ExportError(f"{blocking}: is a file, not a folder, so {path.name} cannot go inside it; "
                          "choose another place for it")
    if fmt.check is not None:
        fmt.check(path)
    return path


def write_files(target: Path, key: str, files: dict[str, bytes]) -> None:
    """`files` (plain names beside `target`) written as one (files.fileset.write_set); ExportError
    naming `target` when the folder refuses them, nothing written then."""
    from aegui.core.files.errors import os_problem
    from aegui.core.files.fileset import write_set
    try:
        write_set(target.parent, key, files)
    except OSError as e:
        # A write refused is the folder's, not the file's (files.errors words it for reading).
        problem = "permission denied; choose a folder you may write to" if e.errno in (errno.EACCES, errno.EPERM) \
            else os_problem(e)
        raise ExportError(f"{target}: {problem} (nothing was written)") from None
