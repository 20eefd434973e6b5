"""Crash-safe file writes. Kept free of torch and Qt so any module may use it."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Writes `data` to `path` through a temporary file in the same folder and a rename, so a reader (or a
    crash) finds the old file or the new one, never part of either; the file gets the user's usual permissions.
    """
    # The temp file lives in the target's folder so os.replace stays a same-filesystem rename:
    # readers see the old file or the new one, never half of either.
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        e.writing = True        # it names the folder it could not make: kept
        raise
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise named(e, path, e.filename) from None      # it names a temporary name
    try:
        # mkstemp makes the file private (0600); a saved model or library should get the
        # permissions any other file the user writes gets.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise named(e, path, tmp) from None
        raise


def named(e: OSError, path, tmp=None) -> OSError:
    """`e` naming `path`: a write names no file ("No space left on device" of what?) and a
    rename names the hidden temporary file the user never sees (.index.html.ad210ont.tmp)."""
    if e.filename is not None and (tmp is None or str(e.filename) != str(tmp)) and e.filename2 is None:
        return e
    out = OSError(e.errno, e.strerror, str(path))
    out.writing = True      # errors.os_problem: "a folder is in the way", not "pick a file inside it"
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str) -> None:
    """atomic_write_bytes of the text in UTF-8."""
    atomic_write_bytes(path, text.encode("utf-8"))
