"""One writer per model: a lock file holding the writer's process id beside the model's files
(`.model.lock` in a model folder) while a save, or a whole `aegui train/teach --out` run, goes on.

The lock is an operating-system lock on that file (flock; on Windows a byte-range lock), which
the system drops when its process ends, however it ends: a lock file left by a killed run is
simply taken over, and a live one is refused with a sentence naming the process that holds it.
The pid inside is only for that sentence. Within one process the same thread may take a lock it
already holds (the CLI holds it for the run, the save inside takes it again).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

try:
    import fcntl
except ImportError:          # Windows
    fcntl = None
    import msvcrt

# Far past the pid text, so on Windows (where a locked range cannot be read) the pid stays readable.
_WIN_OFFSET = 1 << 20


class FolderBusy(ValueError):
    """Another process (or another thread here) is writing the same model."""


_held: dict[Path, list] = {}       # lock path -> [owning thread id, depth, fd]
_guard = threading.Lock()


def lock_path(folder, key: str) -> Path:
    return Path(folder) / f".{key}.lock"


def _try(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            os.lseek(fd, _WIN_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return True
    except OSError:
        return False


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii", errors="replace").split()[0]
    except (OSError, IndexError):
        return "another aegui"
    return f"another aegui (process {pid})" if pid.isdigit() else "another aegui"


def _busy(folder: Path, who: str) -> FolderBusy:
    return FolderBusy(f"{folder}: {who} is training or saving a model in this folder; wait for it to "
                      "finish or choose another folder")


def acquire(folder, key: str = "model") -> Path:
    """Take the lock of the model `key` in `folder` (created if missing); FolderBusy when another
    writer holds it. Returns the lock file's path for release()."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = lock_path(folder, key).resolve()
    me = threading.get_ident()
    with _guard:
        mine = _held.get(path)
        if mine is not None:
            if mine[0] != me:
                raise _busy(folder, "another task of this aegui")
            mine[1] += 1
            return path
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try(fd):
                os.close(fd)
                raise _busy(folder, _holder(path))
            # A holder that just finished removed the file it locked; ours must be the one there.
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same or fcntl is None:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())
        _held[path] = [me, 1, fd]
        return path


def release(path: Path) -> None:
    with _guard:
        mine = _held.get(path)
        if mine is None:
            return
        mine[1] -= 1
        if mine[1]:
            return
        del _held[path]
        fd = mine[2]
        if fcntl is not None:
            path.unlink(missing_ok=True)     # while still locked: the next writer makes a fresh one
            os.close(fd)
        else:
            os.close(fd)
            try:
                path.unlink()
            except OSError:
                pass


class holding:
    """`with holding(folder, key):` acquire() ... release()."""

    def __init__(self, folder, key: str = "model"):
        self.folder, self.key, self.path = folder, key, None

    def __enter__(self) -> Path:
        self.path = acquire(self.folder, self.key)
        return self.path

    def __exit__(self, *exc) -> None:
        release(self.path)
