"""One writer per model: a lock file holding the writer's process id beside the model's files
(`.model.lock` in a model folder) while a save, or a whole `aegui train/teach --out` run, goes on.

The lock is an operating-system lock on that file (flock; on Windows a byte-range lock), which
the system drops when its process ends, however it ends: a lock file left by a killed run is
simply taken over, and a live one is refused with a sentence naming the process that holds it.
The pid inside is only for that sentence. Within one process the same thread may take a lock it
already holds (the CLI holds it for the run, the save inside takes it again).

The lock file is written (truncated, given the pid) and later deleted, so its name must never
lead anywhere else: a symbolic link there sent the pid into the file it pointed at and then
deleted that file. The lock is made with O_CREAT | O_EXCL (which never follows a link); one
already there is taken over only when it is a plain file of ours holding nothing but a pid, and
anything else (a link, a named pipe, a folder, a file with other names or other contents) is
refused with a sentence naming it, untouched. Nothing is opened before lstat says what it is, and
every open is O_NOFOLLOW | O_NONBLOCK, so a path swapped in between can neither redirect nor
block it.

    with holding(folder, "model"):  ...        # or acquire() / release()
    # FolderBusy (a ValueError): its str() is the sentence to show; NotALock is one of them
"""
from __future__ import annotations

import errno
import os
import re
import stat
import threading
from pathlib import Path

try:
    import fcntl
except ImportError:          # Windows
    fcntl = None
    import msvcrt

# Far past the pid text, so on Windows (where a locked range cannot be read) the pid stays readable.
_WIN_OFFSET = 1 << 20

_OPEN = (os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
         | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
# What O_NOFOLLOW answers for a link: ELOOP on Linux and macOS, EMLINK on FreeBSD.
_LINK_ERRNOS = {errno.ELOOP, getattr(errno, "EMLINK", errno.ELOOP)}
# What a lock file of ours can hold: a pid and a newline, or nothing yet.
_PID_TEXT = re.compile(rb"[0-9]{0,20}\n?")
# Each round of acquire() loses only to another writer making or removing the file at that moment.
_ROUNDS = 50


class FolderBusy(ValueError):
    """The model's lock cannot be taken: another process (or another thread here) is writing the
    same model, or its lock file's name holds something else (NotALock). str() is the sentence."""


class NotALock(FolderBusy):
    """The lock file's path holds something aegui did not make as a lock (a link, a named pipe, a
    folder, a file with other contents): it is left as it is and named in the sentence."""


_held: dict[Path, list] = {}       # lock path -> [owning thread id, depth, fd]
_guard = threading.Lock()


def lock_path(folder, key: str) -> Path:
    """The lock file of `key` in a folder: a hidden file beside what it guards."""
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


def _content(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 64)


def _holder(fd: int) -> str:
    try:
        pid = _content(fd).decode("ascii", errors="replace").split()[0]
    except (OSError, IndexError):
        return "another aegui"
    return f"another aegui (process {pid})" if pid.isdigit() else "another aegui"


def _busy(folder: Path, who: str) -> FolderBusy:
    return FolderBusy(f"{folder}: {who} is training or saving a model in this folder; wait for it to "
                      "finish or choose another folder")


def _not_a_lock(path: Path, what: str) -> NotALock:
    return NotALock(f"{path}: {what}, so aegui cannot use it as the folder's lock; remove it or "
                    "choose another folder")


def _what_is(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if stat.S_ISDIR(mode):
        return "is a folder"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "is a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device"
    return "is not a regular file"


def _same(path: Path, fd: int) -> bool:
    """The file at `path` (not followed) is the one open as `fd`."""
    try:
        there, mine = os.lstat(path), os.fstat(fd)
    except FileNotFoundError:
        return False
    return (there.st_dev, there.st_ino) == (mine.st_dev, mine.st_ino)


def _open_existing(path: Path, shown: Path) -> int | None:
    """The lock file already at `path`, opened when it is a regular file with no other name;
    NotALock otherwise; None when it vanished meanwhile (its writer just finished)."""
    try:
        what = _what_is(os.lstat(path).st_mode)
        if what is not None:
            raise _not_a_lock(shown, what)
        fd = os.open(path, _OPEN)
    except FileNotFoundError:
        return None
    except OSError as e:
        if e.errno in _LINK_ERRNOS:          # O_NOFOLLOW met a link swapped in after lstat
            raise _not_a_lock(shown, "is a symbolic link") from None
        raise
    try:
        st = os.fstat(fd)
        what = _what_is(st.st_mode)
        if what is None and st.st_nlink > 1:
            # A hard link shares its contents with another name: truncating it loses that file.
            what = "is a file with other names (a hard link)"
        if what is not None:
            raise _not_a_lock(shown, what)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _stale_problem(fd: int) -> str | None:
    """Why the file open as `fd`, whose lock nobody holds, is not a lock left by an aegui; None
    when it is one (it is then ours to remove)."""
    st = os.fstat(fd)
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        return "belongs to another user"
    if st.st_size > 64 or not _PID_TEXT.fullmatch(_content(fd)):
        return "holds other data than a process id"
    return None


def _named(e: OSError, path: Path) -> OSError:
    # os.write and flock name no file: the sentence would say "No space left" of nothing.
    return OSError(e.errno, e.strerror, str(path)) if e.filename is None else e


def _take(path: Path, folder: Path) -> int:
    """An open descriptor of the lock file at `path`, made by us and locked; `folder` is the
    folder as the user named it, for the sentences."""
    shown = folder / path.name
    for _ in range(_ROUNDS):
        try:
            fd, made = os.open(path, _OPEN | os.O_CREAT | os.O_EXCL, 0o644), True
        except FileExistsError:
            fd, made = _open_existing(path, shown), False
            if fd is None:
                continue
        if not _try(fd):
            who = _holder(fd)
            os.close(fd)
            raise _busy(folder, who)
        if made:
            if _same(path, fd) or fcntl is None:
                return fd
        else:
            problem = _stale_problem(fd)
            if problem is not None:
                os.close(fd)
                raise _not_a_lock(shown, problem)
            if fcntl is None:
                return fd       # an open file cannot be deleted on Windows: reuse the stale one
            # Left by a process that ended: removed while locked, so a writer that opened it
            # meanwhile sees it is gone; the next round makes a fresh one of our own.
            try:
                if _same(path, fd):
                    path.unlink(missing_ok=True)
            finally:
                os.close(fd)
            continue
        os.close(fd)
    raise _busy(folder, "another aegui")


def acquire(folder, key: str = "model") -> Path:
    """Take the lock of the model `key` in `folder` (created if missing); FolderBusy when another
    writer holds it, NotALock when its path holds something else. Returns the lock file's path
    for release()."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    # The folder may be reached through a link (the user's choice); the lock's own name never is.
    path = Path(os.path.realpath(folder)) / lock_path(folder, key).name
    me = threading.get_ident()
    with _guard:
        mine = _held.get(path)
        if mine is not None:
            if mine[0] != me:
                raise _busy(folder, "another task of this aegui")
            mine[1] += 1
            return path
        fd = _take(path, folder)
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError as e:
            _drop(path, fd)
            raise _named(e, lock_path(folder, key)) from None
        _held[path] = [me, 1, fd]
        return path


def _drop(path: Path, fd: int) -> None:
    if fcntl is not None:
        if _same(path, fd):
            path.unlink(missing_ok=True)     # while still locked: the next writer makes a fresh one
        os.close(fd)
    else:
        os.close(fd)
        try:
            path.unlink()
        except OSError:
            pass


def release(path: Path) -> None:
    """Lets go of one hold on the lock at `path` by this process (holds nest); the last one unlocks it and
    removes its file."""
    with _guard:
        mine = _held.get(path)
        if mine is None:
            return
        mine[1] -= 1
        if mine[1]:
            return
        del _held[path]
        _drop(path, mine[2])


class holding:
    """`with holding(folder, key):` acquire() ... release()."""

    def __init__(self, folder, key: str = "model"):
        self.folder, self.key, self.path = folder, key, None

    def __enter__(self) -> Path:
        self.path = acquire(self.folder, self.key)
        return self.path

    def __exit__(self, *exc) -> None:
        release(self.path)
