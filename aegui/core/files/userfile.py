"""Opening a file the user named: a regular file only, and no bigger than its kind may be.

A named pipe (FIFO) makes a plain open() wait forever for a writer, /dev/zero is read until
memory runs out, and a socket fails with raw OS text. Each is refused here with one sentence
naming the file, from os.stat before anything is opened; the open itself is non-blocking and the
file is checked again on the descriptor, so a path swapped in between cannot block either.

    data = read_file(path, "font")        # bytes, or FileRefused / the usual OSError
    with open_file(path, "picture") as fh: ...
    check_file(path, "weights")           # the size, for readers that open by name

FileRefused is an OSError, so every reader that already turns OSError into its own sentence
(errors.user_message) reports these too.
"""
from __future__ import annotations

import errno
import os
import stat

_MiB = 1 << 20
_GiB = 1 << 30

# kind -> (what it is, in a sentence; the most bytes read). Generous for real files (the
# course font is 4 KB, MNIST's largest file 47 MB, a 10^7-weight model 40 MB), small enough
# that a wrong file is refused before it fills memory.
LIMITS: dict[str, tuple[str, int]] = {
    "font": ("a font .h file", 16 * _MiB),
    "config": ("a config file", 16 * _MiB),
    "json": ("a JSON file", 64 * _MiB),
    "model": ("a model description (.json)", 64 * _MiB),
    "weights": ("a weights file (.safetensors)", 4 * _GiB),
    "replay": ("a replay file (.safetensors)", 4 * _GiB),
    "idx": ("an IDX data file", 4 * _GiB),
    "npz": ("a .npz data file", 4 * _GiB),
    "picture": ("a picture", 256 * _MiB),
    "table": ("a table (.csv)", 256 * _MiB),
    "library": ("a glyph library", 64 * _MiB),
    "report": ("a report file", 64 * _MiB),
}


class FileRefused(OSError):
    """Not a regular file, or bigger than its kind may be; str() is the whole sentence."""

    def __init__(self, path, problem: str):
        super().__init__(None, problem, str(path))

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"


def size_text(n: int) -> str:
    """A byte count as people read it: "1.5 MiB", "12 KiB", "300 bytes"."""
    for unit, scale in (("GiB", _GiB), ("MiB", _MiB), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{n} bytes"


def _what_is(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device (like /dev/zero), not a file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file"
    return "not a regular file"


def _check(path, kind: str, st: os.stat_result) -> int:
    if stat.S_ISDIR(st.st_mode):
        # The usual OSError, so readers that say "is a folder; pick ..." keep their own words.
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    what, limit = LIMITS[kind]
    problem = _what_is(st.st_mode)
    if problem is not None:
        raise FileRefused(path, f"this is {problem}; name {what}")
    if st.st_size > limit:
        raise FileRefused(path, f"{size_text(st.st_size)}, more than the {size_text(limit)} {what} may be; "
                          "is it the right file?")
    return st.st_size


def check_file(path, kind: str) -> int:
    """The size of `path` (symlinks followed), after checking it is a regular file within the
    limit for `kind` (a key of LIMITS). Nothing is opened."""
    return _check(path, kind, os.stat(path))


def open_file(path, kind: str):
    """`path` opened for reading in binary, after check_file; never blocks on a FIFO."""
    check_file(path, kind)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        _check(path, kind, os.fstat(fd))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_at_most(fh, limit: int, expected: int = 0) -> bytes:
    """Up to `limit` + 1 bytes of `fh` (one past the limit shows a reader it was passed), read in
    steps: fh.read(n) allocates n bytes before it reads one, so read(limit + 1) with a limit of
    4 GiB failed with MemoryError on a small file under a memory limit. `expected` (the size the
    file says it has) is read in one step, as the common case."""
    want = limit + 1
    chunks, total = [], 0
    step = min(max(expected, 0) + 1, want)
    while total < want:
        chunk = fh.read(step)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        step = min(_MiB, want - total)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_file(path, kind: str) -> bytes:
    """The bytes of `path`, refused as check_file does; a file that grew past the limit while
    it was read is refused too."""
    limit = LIMITS[kind][1]
    with open_file(path, kind) as fh:
        data = read_at_most(fh, limit, os.fstat(fh.fileno()).st_size)
    if len(data) > limit:
        raise FileRefused(path, f"more than the {size_text(limit)} {LIMITS[kind][0]} may be; is it the right file?")
    return data


def read_text(path, kind: str, encoding: str = "utf-8-sig") -> str:
    """A user's file read within its kind's size limit (read_file) and decoded. UTF-8 with or without the byte-order
    mark that Windows' Notepad and Excel's "CSV UTF-8" write first (plain "utf-8" keeps it, and json refuses it)."""
    return read_file(path, kind).decode(encoding)

