"""One sentence for a failure the user can act on, whatever raised it.

Every "open" path (models, configs, fonts, datasets) reports through `user_message`, so raw
Python text ("[Errno 20] Not a directory", "'utf-8' codec can't decode byte 0x89") never
reaches a message box, and `is_expected` tells the workers which failures are the user's
file (one sentence, no traceback) and which are bugs (traceback on stderr for a report).
"""
from __future__ import annotations

import errno
from pathlib import Path

_OS_PROBLEMS = {
    errno.ENOENT: "file not found; check the path",
    errno.ENOTDIR: "a part of the path is a file, not a folder; pick the model's .json file or its folder",
    errno.EISDIR: "this is a folder; pick a file inside it",
    errno.EACCES: "permission denied; check the file's permissions",
    errno.EPERM: "permission denied; check the file's permissions",
    errno.ENOSPC: "the disk is full; free some space and try again",
    errno.EROFS: "the disk is read-only; choose another place",
    errno.ENAMETOOLONG: "the name is too long; choose a shorter one",
    errno.ELOOP: "its links lead round in a circle (a symbolic link loop); fix or remove the link",
}

# Where a write says otherwise than a read (atomic.named marks a write's error).
_WRITING = {
    errno.EISDIR: "a folder of that name is in the way of the file aegui writes; move it away or "
                  "choose another place",
    errno.EEXIST: "a file of that name is in the way of the folder aegui makes; move it away or "
                  "choose another place",
    errno.ENOTDIR: "a file is in the way of the folder aegui makes; move it away or choose another place",
}

# Signatures that say what a file really is, for "this is not a config / model" sentences.
_MAGIC = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
          (b"PK", "a zip archive"), (b"\x1f\x8b", "a gzip file"), (b"%PDF", "a PDF document"))


def file_kind(path) -> str | None:
    """'a PNG image', ... for a file whose first bytes say what it is; None otherwise."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return None
    return next((name for magic, name in _MAGIC if head.startswith(magic)), None)


def os_problem(e: OSError) -> str:
    """What went wrong with a file, without the errno number or the repeated path."""
    from aegui.core.files.userfile import FileRefused
    if isinstance(e, FileRefused):
        return e.strerror        # already aegui's own words (sizes in MiB, FIFO), kept as written
    if getattr(e, "writing", False) and e.errno in _WRITING:
        return _WRITING[e.errno]
    return _OS_PROBLEMS.get(e.errno, (e.strerror or type(e).__name__).rstrip(".").lower()
                            if e.strerror else type(e).__name__)


def user_message(e: BaseException, path=None) -> str:
    """One sentence naming the file (when known) and what to do."""
    if isinstance(e, UnicodeDecodeError):
        kind = file_kind(path) if path is not None else None
        what = f"this is {kind}, not a text file" if kind else "this is not a text (UTF-8) file"
        return f"{path}: {what}; pick the right file" if path is not None else f"{what}; pick the right file"
    # A value or path of any length can come from the user; the sentence keeps its start and end.
    from aegui.core.schema.experiment import clipped
    if isinstance(e, OSError):
        where = e.filename if e.filename is not None else path
        where = Path(where) if where is not None else None
        if where is not None and path is not None and e.errno == errno.ENOTDIR:
            where = Path(path)
        problem = os_problem(e)
        return clipped(f"{where}: {problem}") if where is not None else problem[:1].upper() + problem[1:]
    text = clipped(str(e).strip())
    return text or type(e).__name__


def is_expected(e: BaseException) -> bool:
    """A bad file or value (the user's to fix), or control flow marked `expected` (a cancelled
    load), as opposed to a bug in aegui."""
    return isinstance(e, (OSError, ValueError, UnicodeError)) or getattr(type(e), "expected", False)
