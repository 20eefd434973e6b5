"""Catalogue datasets the user already has on disk: a folder checked file by file against the
catalogue's hashes and remembered (`aegui data add NAME FOLDER`), so nothing is downloaded or
copied.

A file of the entry is accepted, in this order, as
- the published .gz itself (its SHA-256 is the catalogue's `hash`);
- the file unpacked (train-images-idx3-ubyte, or torchvision's train-images.idx3-ubyte), when
  its bytes match the published SHA-256 of the unpacked file (`DataFile.unpacked`);
- a .gz that is not the published one (compressed again by a course or a mirror) but unpacks
  to those bytes.
The folder may be the files' own folder, its raw/ folder, or a torchvision root (MNIST/raw,
FashionMNIST/raw, ...). Where a role has several candidates (torchvision keeps the .gz and the
unpacked file side by side) the first that matches wins; a candidate that is present but
differs is named in the error. Entries with no published hash of their unpacked files
(Fashion-MNIST, KMNIST, EMNIST here) accept the published .gz only, and say so.

Registered folders are kept in $cache/registered.json (name -> folder) and checked again, by
hash, in every process that uses them (as cached downloads are): a file changed after it was
added is refused, not read.

    check = check_folder("mnist", "~/data/MNIST")    # FolderCheck: per role, the file and how
    register("mnist", "~/data/MNIST")                # checks, then remembers the folder
    dataset_files("mnist")                           # role -> Path: the cache, else a folder
"""
from __future__ import annotations

import gzip
import hashlib
import json
import stat
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from aegui.core.data.catalogue import DataFile, Entry, entry
from aegui.core.jobs.job import CANCELLED, FINISHED, Job, Progress

REGISTRY = "registered.json"
TORCHVISION_FOLDERS = ("MNIST", "FashionMNIST", "KMNIST", "EMNIST", "QMNIST")
# A .gz is read at most this far (the largest catalogue file unpacks to 98 MB): a damaged or
# hostile one cannot keep the check busy for long.
MAX_UNPACKED = 1 << 30
_CHUNK = 1 << 20
_verified: dict[tuple, bool] = {}   # (path, size, mtime, kind, hash) -> matched, in this process

HOW = {"published": "the published .gz", "unpacked": "unpacked, matching the published SHA-256 of the unpacked file",
       "repacked": "a .gz that unpacks to the published unpacked file"}


class LocalFilesError(Exception):
    """One sentence for the user: which file, what is wrong with it, what to do. `kind`
    ("differs", "missing", "not_folder", "archive"), `path` (the file that differs, or the
    folder) and `wanted` (the names accepted) hold the same in parts, for the window's words."""
    expected = True      # the user's files, not a bug: no traceback on the terminal

    def __init__(self, message: str, *, kind: str = "", path: Path | None = None, wanted: tuple[str, ...] = (),
                 gz_only: bool = False):
        super().__init__(message)
        self.kind, self.path, self.wanted, self.gz_only = kind, path, wanted, gz_only


class CheckCancelled(Exception):
    """The user cancelled a folder check; nothing was registered."""
    expected = True


@dataclass
class FileMatch:
    """Which file of a folder stands for one role of a dataset, how it matched, and the candidates whose bytes
    differ."""
    role: str
    path: Path | None            # the accepted file (None: no candidate matched)
    how: str = ""                # a key of HOW
    rejected: list[Path] = field(default_factory=list)   # present, but their bytes differ


@dataclass
class FolderCheck:
    """A folder checked against a catalogue dataset's files: where they were found and which matched."""
    entry: Entry
    folder: Path                 # where the files were found (may be a raw/ below the one given)
    files: list[FileMatch]

    @property
    def ok(self) -> bool:
        """Whether a file matched every role."""
        return all(f.path is not None for f in self.files)

    def paths(self) -> dict[str, Path]:
        """{role: the matching file} for the roles that matched."""
        return {f.role: f.path for f in self.files if f.path is not None}

    def error(self) -> LocalFilesError | None:
        """Why the folder is refused, as the error register() raises (None when ok)."""
        if self.ok:
            return None
        f = next(f for f in self.files if f.path is None)
        df = self.entry.role(f.role)
        wanted = (df.name, df.unpacked_name) if df.unpacked else (df.name,)
        if f.rejected:
            return LocalFilesError(self.problem(), kind="differs", path=f.rejected[0], wanted=wanted,
                                   gz_only=not df.unpacked)
        return LocalFilesError(self.problem(), kind="missing", path=self.folder, wanted=wanted, gz_only=not df.unpacked)

    def problem(self) -> str:
        """Why the folder is refused, naming the first file that failed (empty when ok)."""
        for f in self.files:
            if f.path is not None:
                continue
            df = self.entry.role(f.role)
            if f.rejected:
                others = [p.name for p in f.rejected[1:]]
                also = f" (nor does {', '.join(others)})" if others else ""
                what = f"{df.name} or {df.unpacked_name}" if df.unpacked else df.name
                unknown = "" if df.unpacked else (f"; no SHA-256 of the unpacked {df.unpacked_name} is published, "
                                                  "so only the published .gz can be checked")
                return (f"{f.rejected[0]}: its bytes differ from the published {self.entry.name} {what} "
                        f"(SHA-256){also}{unknown}; replace it with the original file or run "
                        f"`aegui data fetch {self.entry.name}`")
            want = f"{df.name} or {df.unpacked_name}" if df.unpacked else df.name
            extra = "" if df.unpacked else (f" (no SHA-256 of the unpacked {df.unpacked_name} is published, so only "
                                            "the published .gz can be checked)")
            return f"{self.folder}: no {want} for {self.entry.name}{extra}"
        return ""


# ---------------------------------------------------------------- hashing

def _hash_file(path: Path, cancel) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            if cancel is not None and cancel():
                raise CheckCancelled(str(path))
            h.update(chunk)
    return h.hexdigest()


def _hash_unpacked(path: Path, cancel, limit: int = MAX_UNPACKED) -> str | None:
    """SHA-256 of a .gz's contents; None when it is not a readable gzip file or unpacks to more
    than `limit` bytes."""
    h = hashlib.sha256()
    total = 0
    try:
        with gzip.open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(_CHUNK), b""):
                if cancel is not None and cancel():
                    raise CheckCancelled(str(path))
                total += len(chunk)
                if total > limit:
                    return None
                h.update(chunk)
    except (OSError, EOFError, zlib.error):
        return None
    return h.hexdigest()


_IDX_ITEM = {0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8}   # IDX type code -> bytes


def _idx_total(head: bytes) -> int | None:
    """The size in bytes of the IDX file whose first bytes are `head`; None if it is not one."""
    if len(head) < 4 or head[:2] != b"\0\0" or head[2] not in _IDX_ITEM or len(head) < 4 + 4 * head[3]:
        return None
    dims = [int.from_bytes(head[4 + 4 * i: 8 + 4 * i], "big") for i in range(head[3])]
    count = 1
    for d in dims:
        count *= d
    return 4 + 4 * len(dims) + count * _IDX_ITEM[head[2]]


def _readable_size(path: Path, kind: str, size: int) -> int | None:
    """How many bytes hashing `path` may read, from its size and first bytes alone; None when
    those already show it is not the file wanted (a 20 GB file where the published one has 10 MB,
    a .gz of zeros that would unpack to the 1 GiB cap), so it is never read through."""
    try:
        if kind == "contents":
            with gzip.open(path, "rb") as fh:
                total = _idx_total(fh.read(64))
            return total if total is not None and total <= MAX_UNPACKED else None
        with open(path, "rb") as fh:
            head = fh.read(64)
    except (OSError, EOFError, zlib.error):
        return None
    if path.name.endswith(".gz"):
        return size if head[:2] == b"\x1f\x8b" else None
    return size if _idx_total(head) == size else None


def _matches(path: Path, kind: str, known: str, cancel=None, published_size: int = 0) -> bool:
    """kind "file": the file's own SHA-256; "contents": its gunzipped bytes'. `published_size`:
    the file's size in the catalogue (0: not published); a file of another size is not hashed."""
    algorithm, _, digest = known.partition(":")
    if algorithm != "sha256" or not digest:
        return False
    try:
        st = path.stat()
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_UNPACKED or published_size and st.st_size != published_size:
        return False
    key = (str(path), st.st_size, st.st_mtime_ns, kind, known)
    if key not in _verified:
        limit = _readable_size(path, kind, st.st_size)
        if limit is None:
            got = None
        else:
            got = _hash_file(path, cancel) if kind == "file" else _hash_unpacked(path, cancel, limit)
        _verified[key] = got == digest.lower()
    return _verified[key]


# ---------------------------------------------------------------- checking a folder

def _folders(folder: Path) -> list[Path]:
    return [folder, folder / "raw"] + [folder / name / "raw" for name in TORCHVISION_FOLDERS]


def _candidates(f: DataFile, folder: Path) -> list[tuple[Path, str, str]]:
    """(path, how, kind) to try for one file, in order; only the ones that exist."""
    plain = f.unpacked_name
    dotted = plain.replace("-idx", ".idx", 1)        # torchvision / Kaggle name: train-images.idx3-ubyte
    out = [(folder / f.name, "published", "file")]
    if f.unpacked:
        out += [(folder / plain, "unpacked", "file"), (folder / dotted, "unpacked", "file"),
                (folder / f.name, "repacked", "contents")]
    return [c for c in out if c[0].is_file()]


def _base_folder(e: Entry, folder: Path) -> Path:
    """The first of folder, folder/raw, folder/<torchvision>/raw holding any file of the entry."""
    for candidate in _folders(folder):
        if candidate.is_dir() and any(_candidates(f, candidate) for f in e.files):
            return candidate
    return folder


def check_folder(name: str, folder, progress: Callable[[str, int, int], object] | None = None,
                 cancel: Callable[[], bool] | None = None) -> FolderCheck:
    """Each file of catalogue entry `name` looked for in `folder` and checked by hash;
    `progress(file name, index, count)` before each file. Raises LocalFilesError when the
    folder does not exist, KeyError for an unknown name, CheckCancelled."""
    e = entry(name)
    if e.archive is not None:
        raise LocalFilesError(f"{e.name} comes inside one archive ({e.archive.name}) whose files are checked as "
                              f"they are unpacked; run `aegui data fetch {e.name}`", kind="archive",
                              wanted=(e.archive.name,))
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise LocalFilesError(f"{root}: not a folder; name the folder that holds the {e.name} files",
                              kind="not_folder", path=root)
    base = _base_folder(e, root)
    matches = []
    for i, f in enumerate(e.files, 1):
        if progress is not None:
            progress(f.unpacked_name, i, len(e.files))
        m = FileMatch(f.role, None)
        for path, how, kind in _candidates(f, base):
            known = f.hash if how == "published" else f.unpacked
            if _matches(path, kind, known, cancel, f.size if how == "published" else 0):
                m.path, m.how = path, how
                break
            if path not in m.rejected:
                m.rejected.append(path)
        if m.path is not None:
            m.rejected = []
        matches.append(m)
    return FolderCheck(e, base, matches)


# ---------------------------------------------------------------- the registry

def _registry_path() -> Path:
    from aegui.core.data.fetch import cache_dir
    return cache_dir() / REGISTRY


def registered_folders() -> dict[str, str]:
    """name -> folder, as registered (not checked); {} when none or the file is unreadable."""
    from aegui.core.files.jsonfile import read_json
    try:
        raw = read_json(_registry_path())
    except ValueError:
        return {}
    if not isinstance(raw, dict):
        return {}
    return {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)}


def register(name: str, folder, progress=None, cancel=None) -> FolderCheck:
    """check_folder, then remember the folder for `name`; LocalFilesError (naming the file)
    when a file is missing or differs."""
    from aegui.core.files.atomic import atomic_write_text
    check = check_folder(name, folder, progress, cancel)
    if not check.ok:
        raise check.error()
    table = registered_folders()
    table[check.entry.name] = str(check.folder.resolve())
    atomic_write_text(_registry_path(), json.dumps(table, indent=2, sort_keys=True) + "\n")
    return check


def unregister(name: str) -> bool:
    """Forgets the folder registered for a dataset; False when none was."""
    from aegui.core.files.atomic import atomic_write_text
    table = registered_folders()
    key = entry(name).name
    if key not in table:
        return False
    del table[key]
    atomic_write_text(_registry_path(), json.dumps(table, indent=2, sort_keys=True) + "\n")
    return True


def registered_files(name: str) -> tuple[dict[str, Path] | None, str]:
    """(role -> Path, "") from the folder registered for `name`, checked again; (None, why) when
    none is registered or it no longer checks out."""
    e = entry(name)
    folder = registered_folders().get(e.name)
    if folder is None:
        return None, ""
    try:
        check = check_folder(e.name, folder)
    except LocalFilesError as err:
        return None, str(err)
    return (check.paths(), "") if check.ok else (None, check.problem())


def dataset_files(name: str) -> dict[str, Path]:
    """role -> Path of a catalogue dataset: the download cache when complete, else the folder
    registered with `aegui data add`; FetchError saying how to get the files otherwise."""
    from aegui.core.data.fetch import FetchError, dataset_dir, missing
    e = entry(name)
    if not missing(e.name):
        folder = dataset_dir(e.name)
        return {f.role: folder / f.name for f in e.files}
    files, why = registered_files(e.name)
    if files is not None:
        return files
    if why:
        raise FetchError(f"the folder registered for {e.name} no longer checks out: {why}")
    from aegui.core.data.fetch import verified_folder
    folder = verified_folder(e.name)     # raises the usual "not downloaded yet" sentence
    return {f.role: folder / f.name for f in e.files}


def state(name: str) -> str:
    """For `aegui data list`: "fetched", "registered: FOLDER" or "not fetched" (cheap: the
    registered folder is not hashed here)."""
    from aegui.core.data.fetch import missing
    e = entry(name)
    if not missing(e.name):
        return "fetched"
    folder = registered_folders().get(e.name)
    return f"registered: {folder}" if folder else "not fetched"


@dataclass(kw_only=True)
class AddFolderProgress(Progress):
    """AddFolderJob's: state "checking" before each file is hashed, then "finished" with the
    FolderCheck as `result`, or "cancelled"."""
    file: str = ""      # the file about to be hashed
    index: int = 0      # which one (1-based)
    count: int = 0      # of how many


class AddFolderJob(Job):
    """register() as a job for a window's worker: steps() yields AddFolderProgress; a folder that
    does not check out raises LocalFilesError (one sentence). cancel() is safe from another
    thread."""

    def __init__(self, name: str, folder):
        self.name, self.folder = entry(name).name, Path(folder)

    def steps(self) -> Iterator[AddFolderProgress]:
        """Checks and registers the folder on a thread of its own, yielding the hashing's progress; a file
        missing or different raises from here."""
        import queue
        q: queue.Queue = queue.Queue()
        outcome: dict = {}

        def work():
            try:
                outcome["check"] = register(self.name, self.folder,
                                            lambda f, i, n: q.put((f, i, n)), lambda: self.cancelled)
            except BaseException as err:   # noqa: BLE001 - handed to the generator's thread
                outcome["error"] = err

        t = threading.Thread(target=work, name="aegui-add-folder", daemon=True)
        t.start()
        while t.is_alive() or not q.empty():
            try:
                f, i, n = q.get(timeout=0.05)
            except queue.Empty:
                continue
            yield AddFolderProgress(state="checking", file=f, index=i, count=n, fraction=(i - 1) / n)
        t.join()
        err = outcome.get("error")
        if isinstance(err, CheckCancelled):
            yield AddFolderProgress(state=CANCELLED)
            return
        if err is not None:
            raise err
        yield AddFolderProgress(state=FINISHED, result=outcome["check"], fraction=1.0)
