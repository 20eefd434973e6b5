"""Fetching catalogue datasets into the per-user cache, only when the user asks.

Downloads go through pooch: each file streams into a temporary file in the cache folder and is
moved to its name only once its hash matches, so a partial or corrupt download never becomes a
cached file. A cached file is hashed again before use (`verified_folder`). Offline, or when the
server fails, FetchError says which file to download from where and where to put it.

    folder = fetch("mnist", progress=lambda p: print(p.text()), cancel=event.is_set)
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from aegui.core.data.catalogue import DataFile, Entry, entry
from aegui.core.jobs.job import CANCELLED, FINISHED, Job
from aegui.core.jobs.job import Progress as JobProgress

_CHUNK = 1 << 16
_verified: dict[tuple, bool] = {}     # (path, size, mtime) -> hash checked in this process


@dataclass(frozen=True)
class Reason:
    """Why one URL failed: kind "offline", "timeout", "http" (detail: the status) or "other"
    (detail: the library's first line). The window says it in the user's language."""
    url: str
    kind: str
    detail: str = ""

    def text(self) -> str:
        """The failure in English, after its URL."""
        return f"{self.url}: " + {"offline": "cannot reach the server (offline?)",
                                  "timeout": "the server did not answer in time",
                                  "http": f"HTTP {self.detail}"}.get(self.kind, self.detail)


@dataclass(frozen=True)
class ManualHint:
    """What to download by hand: `where` (the URL of the first missing file or of the archive),
    the files to put in `folder` (`archive_folder`: the archive's folder they come out of)."""
    where: str
    files: tuple[str, ...]
    folder: Path
    archive_folder: str = ""


class FetchError(Exception):
    """One sentence for the user: which file, what went wrong, what to do. `file`, `problem`
    ("download", "hash" or "" for others), `reasons` and `manual` hold the same in parts, so the
    window can say it in its own words (and language) instead of the CLI's command."""
    expected = True      # the user's network or files, not a bug: no traceback on the terminal

    def __init__(self, message: str, *, file: str = "", problem: str = "", reasons: tuple[Reason, ...] = (),
                 manual: ManualHint | None = None):
        super().__init__(message)
        self.file, self.problem, self.reasons, self.manual = file, problem, tuple(reasons), manual


class FetchCancelled(Exception):
    """The user cancelled; whatever was half-downloaded is gone."""
    expected = True


def cache_dir() -> Path:
    """Where fetched datasets live: $AEGUI_HOME/datasets when set (tests), else the per-user
    cache folder (platformdirs: ~/.cache/aegui/datasets on Linux)."""
    from aegui.core.files.paths import user_cache_dir
    return user_cache_dir() / "datasets"


def dataset_dir(name: str) -> Path:
    """The cache folder of one catalogue dataset."""
    return cache_dir() / entry(name).name


# ---------------------------------------------------------------- hashes

def file_hash(path: Path, algorithm: str) -> str:
    """The hex digest of a file with `algorithm` ("sha256", "md5"), read in 1 MiB chunks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def hash_ok(path: Path, known: str) -> bool:
    """Whether the file matches a known "algorithm:digest"; the answer is kept while its size and modification
    time stay the same, so a big file is hashed once a process."""
    algorithm, _, digest = known.partition(":")
    try:
        st = path.stat()
    except OSError:
        return False
    key = (str(path), st.st_size, st.st_mtime_ns, known)
    if key not in _verified:
        _verified[key] = file_hash(path, algorithm) == digest.lower()
    return _verified[key]


# ---------------------------------------------------------------- progress

@dataclass
class Progress:
    """A download's progress: the file, bytes so far and in all, and which of the files it is."""
    file: str
    done: int           # bytes of this file so far
    total: int          # bytes of this file (0 = the server did not say)
    seconds: float      # since this file started
    index: int = 1      # which file of `files`
    files: int = 1

    @property
    def speed(self) -> float:
        """Bytes per second so far."""
        return self.done / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the speed so far; None when the size or speed is unknown."""
        if not self.total or self.speed <= 0:
            return None
        return max(0.0, (self.total - self.done) / self.speed)

    @property
    def fraction(self) -> float:
        """Share of this file downloaded (0 when its size is unknown)."""
        return min(1.0, self.done / self.total) if self.total else 0.0

    def text(self) -> str:
        """e.g. 'train-images-idx3-ubyte.gz (1/4): 3.2 MB of 9.9 MB, 1.1 MB/s, 6 s left'."""
        size = f"{_mb(self.done)} of {_mb(self.total)}" if self.total else _mb(self.done)
        eta = self.eta
        left = f", {eta:.0f} s left" if eta is not None else ""
        return f"{self.file} ({self.index}/{self.files}): {size}, {_mb(self.speed)}/s{left}"


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.0f} kB"


class _Bar:
    """The progress bar object pooch's HTTPDownloader drives (tqdm's total / update / reset /
    close); it forwards to our callback, throttled, and raises FetchCancelled to stop."""

    def __init__(self, name, index, files, progress, cancel):
        self.name, self.index, self.files = name, index, files
        self.progress, self.cancel = progress, cancel
        self.total = 0
        self.done = 0
        self.start = time.monotonic()
        self.last = 0.0

    def update(self, n):
        self.done += n
        if self.total:
            self.done = min(self.done, self.total)
        if self.cancel is not None and self.cancel():
            raise FetchCancelled(self.name)
        now = time.monotonic()
        if self.progress is not None and (now - self.last >= 0.1 or self.done >= self.total > 0):
            self.last = now
            self.progress(Progress(self.name, self.done, self.total, now - self.start, self.index, self.files))

    def reset(self):
        self.done = 0

    def close(self):
        pass


# ---------------------------------------------------------------- fetching

def missing(name: str) -> list[DataFile]:
    """The files of `name` not yet in the cache (or failing their hash)."""
    e, folder = entry(name), dataset_dir(name)
    return [f for f in e.files if not hash_ok(folder / f.name, f.hash)]


def manual(e: Entry, f: DataFile, folder: Path) -> ManualHint:
    """The files to download by hand (f first, then the others still missing), from where, and
    where they go."""
    if e.archive is not None:
        return ManualHint(e.urls(f.name)[0], tuple(x.name for x in e.files), folder, e.archive_folder)
    others = [x.name for x in e.files if x.name != f.name and not hash_ok(folder / x.name, x.hash)]
    return ManualHint(e.urls(f.name)[0], (f.name, *others), folder)


def manual_hint(e: Entry, f: DataFile, folder: Path) -> str:
    """Which files to download by hand, from where, and where they go."""
    urls = e.urls(f.name)
    where = urls[0] + (f" (or {e.base_urls[0]}{f.name})" if not urls[0].startswith(e.base_urls[0]) else "")
    if e.archive is not None:
        return (f"download {where} by hand, take {', '.join(x.name for x in e.files)} out of its "
                f"{e.archive_folder}/ folder, put them in {folder}{os.sep} and run `aegui data fetch {e.name}` "
                "again to check them")
    others = [x.name for x in e.files if x.name != f.name and not hash_ok(folder / x.name, x.hash)]
    also = f" (and {', '.join(others)} from the same place)" if others else ""
    return (f"download {where}{also} by hand, put it in {folder}{os.sep} and run `aegui data fetch {e.name}` "
            "again to check it")


def _download(e: Entry, f: DataFile, folder: Path, index: int, files: int, progress, cancel) -> Path:
    import pooch
    import requests

    pooch.get_logger().setLevel("WARNING")
    reasons = []
    for url in e.urls(f.name):
        bar = _Bar(f.name, index, files, progress, cancel)
        downloader = pooch.HTTPDownloader(progressbar=bar, timeout=30, chunk_size=_CHUNK)
        try:
            return Path(pooch.retrieve(url, f.hash, fname=f.name, path=folder, downloader=downloader))
        except FetchCancelled:
            raise
        except ValueError as err:
            if "hash" not in str(err).lower():
                raise
            algo = f.hash.partition(":")[0].upper()
            raise FetchError(f"{f.name} from {url} failed its {algo} check (a corrupt or changed file); "
                             f"nothing was kept in {folder}; try again later or {manual_hint(e, f, folder)}",
                             file=f.name, problem="hash", reasons=(Reason(url, "hash", algo),),
                             manual=manual(e, f, folder)) from None
        except requests.exceptions.HTTPError as err:
            reasons.append(Reason(url, "http", str(err.response.status_code if err.response is not None else "?")))
        except (requests.exceptions.RequestException, OSError) as err:
            reasons.append(_reason(url, err))
    raise FetchError(f"could not download {f.name} ({'; '.join(r.text() for r in reasons)}); "
                     f"{manual_hint(e, f, folder)}", file=f.name, problem="download", reasons=tuple(reasons),
                     manual=manual(e, f, folder))


def _reason(url: str, err: BaseException) -> Reason:
    text = str(err)
    if "Connection refused" in text or "Failed to establish" in text or "NameResolution" in text:
        return Reason(url, "offline")
    if "timed out" in text.lower():
        return Reason(url, "timeout")
    return Reason(url, "other", text.splitlines()[0][:120] if text else type(err).__name__)


def _unpack(e: Entry, archive: Path, folder: Path) -> None:
    """Takes the entry's files out of the archive; each lands under its name only once its
    hash matches."""
    try:
        with zipfile.ZipFile(archive) as z:
            for f in e.files:
                member = f"{e.archive_folder}/{f.name}" if e.archive_folder else f.name
                fd, tmp = tempfile.mkstemp(dir=folder, prefix=f.name, suffix=".part")
                try:
                    with os.fdopen(fd, "wb") as out, z.open(member) as src:
                        shutil.copyfileobj(src, out, _CHUNK)
                    if not hash_ok(Path(tmp), f.hash):
                        raise FetchError(f"{f.name} inside {archive.name} failed its hash check; nothing was "
                                         f"kept; {manual_hint(e, f, folder)}", file=f.name, problem="hash",
                                         manual=manual(e, f, folder))
                    os.replace(tmp, folder / f.name)
                finally:
                    if os.path.exists(tmp):
                        os.unlink(tmp)
    except (zipfile.BadZipFile, KeyError) as err:
        raise FetchError(f"{archive}: not the expected archive ({err}); delete it and fetch again") from None


def _check_mirror(name: str) -> None:
    """The downloader speaks http(s) only: another scheme failed as ": No connection adapters"."""
    from aegui.core.data.catalogue import MIRROR_ENV
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    if mirror and not mirror.lower().startswith(("http://", "https://")):
        raise FetchError(f"{MIRROR_ENV}={mirror}: only http:// and https:// addresses work; for files already "
                         f"on this computer run `aegui data add {name} FOLDER`")


def fetch(name: str, progress: Callable[[Progress], object] | None = None,
          cancel: Callable[[], bool] | None = None) -> tuple[Path, list[str]]:
    """Downloads what is missing of dataset `name`; returns (its cache folder, the files that
    were downloaded: [] on a cache hit). Raises FetchError, FetchCancelled."""
    e = entry(name)
    folder = dataset_dir(e.name)
    folder.mkdir(parents=True, exist_ok=True)
    todo = missing(e.name)
    if todo:
        _check_mirror(e.name)
    if not todo:
        return folder, []
    for f in todo:     # a cached file failing its hash is not kept: it is fetched again
        (folder / f.name).unlink(missing_ok=True)
    if e.archive is not None:
        archive = _download(e, e.archive, folder, 1, 1, progress, cancel)
        try:
            _unpack(e, archive, folder)
        finally:
            archive.unlink(missing_ok=True)
        return folder, [f.name for f in todo]
    for i, f in enumerate(todo, 1):
        _download(e, f, folder, i, len(todo), progress, cancel)
    return folder, [f.name for f in todo]


def verified_folder(name: str) -> Path:
    """The cache folder of `name` with every file present and matching its hash; FetchError
    saying how to get them otherwise."""
    e = entry(name)
    folder = dataset_dir(e.name)
    bad = missing(e.name)
    if bad:
        what = "is not downloaded yet" if not any((folder / f.name).exists() for f in bad) else \
            f"has damaged or missing files ({', '.join(f.name for f in bad)})"
        raise FetchError(f"{e.name} {what}; run `aegui data fetch {e.name}` (or File > Open dataset > Catalogue dataset (download)… in the window)")
    return folder


@dataclass(kw_only=True)
class FetchProgress(JobProgress):
    """FetchJob's: state "downloading" while files come in, then "finished" with the dataset's
    folder as `result`, or "cancelled"."""
    download: Progress | None = None                # the file coming in now, while downloading
    downloaded: list = field(default_factory=list)  # names of the files fetched, when finished


class FetchJob(Job):
    """fetch() as a job for the window's worker (aegui.qt.workers.threads.JobRunner): steps() yields
    FetchProgress; errors raise FetchError (one sentence). cancel() is safe from another thread."""

    def __init__(self, name: str):
        self.entry = entry(name)

    def steps(self) -> Iterator[FetchProgress]:
        """Runs fetch() on a thread of its own and yields its progress as it comes; its FetchError is raised
        from here, and cancel() stops the download."""
        import queue
        import threading
        q: queue.Queue = queue.Queue()
        outcome: dict = {}

        def work():
            try:
                outcome["result"] = fetch(self.entry.name, progress=q.put, cancel=lambda: self.cancelled)
            except BaseException as e:   # noqa: BLE001 - handed to the generator's thread
                outcome["error"] = e

        t = threading.Thread(target=work, name="aegui-fetch", daemon=True)
        t.start()
        while t.is_alive() or not q.empty():
            try:
                p = q.get(timeout=0.05)
            except queue.Empty:
                continue
            yield FetchProgress(state="downloading", download=p, fraction=(p.index - 1 + p.fraction) / p.files)
        t.join()
        err = outcome.get("error")
        if isinstance(err, FetchCancelled):
            yield FetchProgress(state=CANCELLED)
            return
        if err is not None:
            raise err
        folder, got = outcome["result"]
        yield FetchProgress(state=FINISHED, fraction=1.0, result=folder, downloaded=got)
