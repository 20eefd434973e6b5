"""The files a course report keeps in its folder, each read by one typed reader: an experiment's
done.json (with the figures and tables it lists), its waiting.json / failed.json notes, and a
compare preset's saved runs (work/runs/NNN/run.json beside the trained model in model/).

done.json keeps the size and SHA-256 of each figure and table it lists, as written: one cut short
or changed since (even one still whole in form, a table cut at the end of a line) is damaged.

A report resumes from these files, so a reader never lets a damaged one through half-read: it
returns the file's content checked field by field, None where there is nothing to resume from
(no file yet, or one written for another preset), or raises ConfigError naming the file and
what is wrong with it, so that the report can say so and make it again.
"""
from __future__ import annotations

import csv
import hashlib
import io
import math
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aegui.core.schema.experiment import ConfigError

DONE = "done.json"
WAITING = "waiting.json"
FAILED = "failed.json"
RUN = "run.json"
MAX_TABLE_BYTES = 32 * 1024 * 1024     # far above the longest table a report writes (a 1000-run grid)
MAX_FIGURE_BYTES = 64 * 1024 * 1024    # the largest figure written is about 0.3 MB
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class ReportError(ValueError):
    """A report that cannot go on (another report writes in its folder, a page it cannot write, a
    full disk): one sentence naming the path and what to do."""


def write_bytes(path, data: bytes) -> None:
    """A report file written whole (atomic_write_bytes), its error naming `path`: a write that
    fails names no file ("No space left on device" of what?), a rename its hidden temporary."""
    from aegui.core.files.atomic import atomic_write_bytes
    path = Path(path)
    try:
        atomic_write_bytes(path, data)
    except OSError as e:
        named = None if e.filename is None else Path(e.filename)
        if named is not None and not (named.name.startswith(f".{path.name}.") and named.suffix == ".tmp"):
            raise           # it names a real path (a file in the way of the folder)
        raise OSError(e.errno, e.strerror, str(path)) from None


def _read(path: Path):
    from aegui.core.files.jsonfile import read_json
    return read_json(path, "report")


def _bad(path: Path, field: str, problem: str):
    raise ConfigError(field, problem, str(path))


def _finite(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _text(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check(path: Path, raw: dict, field: str, ok, want: str, required: bool = False):
    if field not in raw:
        if required:
            _bad(path, field, f"missing; it should be {want}")
        return
    if not ok(raw[field]):
        _bad(path, field, f"should be {want}, not {_text(raw[field])}")


def _object(path: Path, raw) -> dict:
    if not isinstance(raw, dict):
        _bad(path, "(top level)", f"should be a JSON object, not {type(raw).__name__}")
    return raw


def _seconds(v) -> bool:
    return _finite(v) and v >= 0


def _number_or_none(v) -> bool:
    return v is None or _finite(v)


def _strings(v) -> bool:
    return isinstance(v, list) and all(isinstance(s, str) for s in v)


def _plain_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name and "\x00" not in name


# ---------------------------------------------------------------- done.json

@dataclass(frozen=True)
class Done:
    """A finished experiment's record: what the page shows, checked (the figures and tables it
    lists are files in its folder). `seconds` is the time the experiment's work took."""
    path: Path
    key: str
    seconds: float
    files: tuple[str, ...]
    tables: tuple[str, ...]
    record: dict           # the whole record as the page and report.json show it (seconds as above)


def _finding(f) -> bool:
    return (isinstance(f, dict) and isinstance(f.get("claim"), str) and isinstance(f.get("measured"), str)
            and f.get("agrees") in (True, False, None))


DONE_FIELDS = (
    # field, check, what it should be, required
    ("key", lambda v: isinstance(v, str), "the row's key (a string)", True),
    ("key_parts", lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
     "an object of the key's parts (texts)", False),
    ("numerics", lambda v: isinstance(v, dict) and all(isinstance(x, int) and not isinstance(x, bool)
                                                       for x in v.values()),
     "an object of the numerics revisions it was made at (integers)", False),
    ("seconds", _seconds, "a number of seconds", True),
    ("files", _strings, "a list of figure file names", False),
    ("tables", _strings, "a list of table file names", False),
    ("figure", lambda v: v is None or isinstance(v, str), "a figure's file name or null", False),
    ("digests", lambda v: isinstance(v, dict) and all(
        isinstance(d, dict) and _whole(d.get("bytes")) and isinstance(d.get("sha256"), str) for d in v.values()),
     'an object of the listed files\' {"bytes": size, "sha256": digest}', False),
    ("findings", lambda v: isinstance(v, list) and all(_finding(f) for f in v),
     'a list of {"claim": text, "measured": text, "agrees": true, false or null}', False),
    ("differs", lambda v: v is None or isinstance(v, str), "a text or null", False),
    ("wall_seconds", _seconds, "a number of seconds", False),
    ("cpu_seconds", _seconds, "a number of seconds", False),
    ("stated_s", _number_or_none, "a number of seconds or null", False),
    ("load_before", _number_or_none, "a load average or null", False),
    ("load_after", _number_or_none, "a load average or null", False),
    ("cores", lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool) and v > 0),
     "a number of cores or null", False),
    ("resumed", lambda v: isinstance(v, bool), "true or false", False),
    ("measured", lambda v: isinstance(v, dict), "an object", False),
    ("settings", lambda v: isinstance(v, dict), "an object", False),
    *((name, lambda v: isinstance(v, str), "a text", False)
      for name in ("aegui", "preset", "preset_name", "preset_description", "kind", "experiment", "started",
                   "aegui_version", "source")),
)

MEASURED_FIELDS = (
    ("seconds_all_runs", _number_or_none, "a number of seconds or null"),
    ("pretrain_seconds", _number_or_none, "a number of seconds or null"),
    ("run_loads", lambda v: isinstance(v, list) and all(_finite(x) for x in v), "a list of load averages"),
    ("stages", lambda v: isinstance(v, dict) and all(isinstance(s, dict) and _seconds(s.get("seconds", 0.0))
                                                     for s in v.values()),
     "an object of stages, each with its seconds"),
)


def check_done(record, folder) -> None:
    """ConfigError naming folder/done.json where `record` is not a finished experiment's record
    (the writer checks its record with this too, so what it writes is always read back)."""
    folder = Path(folder)
    path = folder / DONE
    raw = _object(path, record)
    for field, ok, want, required in DONE_FIELDS:
        _check(path, raw, field, ok, want, required)
    measured = raw.get("measured", {})
    for field, ok, want in MEASURED_FIELDS:
        _check(path, measured, field, ok, f"{want} (measured.{field})")
    digests = raw.get("digests")
    for field, name in _listed(raw):
        if not _plain_name(name):
            _bad(path, field, f"{_text(name)} is not a file name in the experiment's folder")
        if digests is not None and name not in digests:
            _bad(path, "digests", f"has no size and SHA-256 for {name}, which it lists")
        check_listed(folder / name, field, None if digests is None else digests[name])


def _listed(raw: dict) -> list[tuple[str, str]]:
    """(field, file name) of every file a done.json lists: its figures, tables and main figure."""
    listed = [("files", name) for name in raw.get("files", [])] + [("tables", name) for name in raw.get("tables", [])]
    if raw.get("figure") is not None:
        listed.append(("figure", raw["figure"]))
    return listed


def file_digests(record: dict, folder) -> dict:
    """done.json's `digests`: {name: {"bytes", "sha256"}} of every file the record lists, as written,
    so that a file cut short or changed afterwards is found even where it is still whole in form
    (a table cut at the end of a line)."""
    out = {}
    for _, name in _listed(record):
        data = (Path(folder) / name).read_bytes()
        out[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    return out


def check_listed(file: Path, field: str, digest: dict | None) -> None:
    """ConfigError naming `file` (a figure or table done.json lists in `field`) where it is not
    the file the experiment wrote: missing, not a plain file, unreadable, not the size or SHA-256 done.json
    recorded (records written before it kept them: checked by form alone), or not whole in form
    (a table's last line cut off or a row of other length; a PNG without its end or with a
    damaged chunk)."""
    if file.is_symlink():
        _bad(file, "(file)", "is a link, not the file the experiment wrote")
    if file.is_dir():
        _bad(file, "(file)", "is a folder where done.json lists a file")
    if not file.exists():
        _bad(file.parent / DONE, field, f"lists {file.name}, but {file} is not there")
    if not file.is_file():
        _bad(file, "(file)", "is not a plain file")
    table = field == "tables"
    limit = MAX_TABLE_BYTES if table else MAX_FIGURE_BYTES
    try:
        if file.stat().st_size > limit:
            _bad(file, "(file)", f"larger than {limit // 2 ** 20} MB; not a file the report wrote")
        data = file.read_bytes()
    except OSError as e:
        _bad(file, "(file)", f"cannot read it ({e.strerror or e})")
    if digest is not None:
        if len(data) != digest["bytes"]:
            how = "cut short" if len(data) < digest["bytes"] else "longer than written"
            _bad(file, "(file)", f"{how}: {len(data)} bytes where done.json recorded {digest['bytes']}")
        if hashlib.sha256(data).hexdigest() != digest["sha256"]:
            _bad(file, "(file)", "changed since it was written (its SHA-256 is not the one done.json recorded)")
    if table:
        _whole_table(file, data)
    elif file.suffix.lower() == ".png":
        problem = png_problem(data)
        if problem is not None:
            _bad(file, "(file)", problem)


def _whole_table(path: Path, data: bytes) -> None:
    rows = _table_rows(path, data)
    if not data:
        _bad(path, "(file)", "is empty: the table was cut short")
    if not data.endswith(b"\n"):
        _bad(path, "(file)", "its last line is cut off (no line end): the table was cut short")
    width = len(rows[0]) if rows else 0
    for i, row in enumerate(rows[1:], 2):
        if len(row) != width:
            _bad(path, "(file)", f"row {i} has {len(row)} cells where the header has {width}: the table is damaged")


def png_problem(data: bytes) -> str | None:
    """What makes `data` not a whole PNG picture (its chunks walked to the end, each checksum
    checked), or None."""
    if not data.startswith(PNG_MAGIC):
        return "not a PNG picture"
    at = len(PNG_MAGIC)
    while at + 12 <= len(data):
        size = int.from_bytes(data[at:at + 4], "big")
        kind = data[at + 4:at + 8]
        end = at + 12 + size
        if end > len(data):
            break
        if zlib.crc32(data[at + 4:end - 4]) != int.from_bytes(data[end - 4:end], "big"):
            return f"a damaged PNG picture (the checksum of its {kind.decode('latin-1')!r} chunk does not match)"
        at = end
        if kind == b"IEND":
            return None if at == len(data) else "a damaged PNG picture (bytes after its end)"
    return "a PNG picture cut short (its end is missing)"


def _checked_object(path: Path, fields) -> dict | None:
    """The JSON object saved at `path` with each of `fields` (name, check, what it should be) there
    and right, ConfigError naming the file otherwise; None when no file is there."""
    if not path.exists() and not path.is_symlink():
        return None
    raw = _object(path, _read(path))
    for field, ok, want in fields:
        _check(path, raw, field, ok, want, required=True)
    return raw


def read_done(folder, key: str | None) -> Done | None:
    """The record of the experiment finished in `folder` for the row whose key is `key`; None
    when it has not finished (no done.json) or finished with another key (with key None: the
    record whatever its key, to tell a stale row from one never run)."""
    folder = Path(folder)
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        _bad(folder, "(folder)", "is a file where the experiment's folder belongs")
    path = folder / DONE
    if not path.exists() and not path.is_symlink():
        return None
    raw = _read(path)
    check_done(raw, folder)
    if key is not None and raw["key"] != key:
        return None
    seconds = float(raw["seconds"])
    if raw.get("resumed"):
        # A result partly read back took its runs' own time; records written before that rule
        # kept the seconds it took to read them back.
        measured = raw.get("measured") or {}
        stages = measured.get("stages") or {}
        work = measured.get("seconds_all_runs") or (measured.get("pretrain_seconds") or 0.0) + sum(
            float(v.get("seconds", 0.0)) for v in stages.values())
        seconds = round(max(seconds, float(work)), 3)
    return Done(path, raw["key"], seconds, tuple(raw.get("files", ())), tuple(raw.get("tables", ())),
                {**raw, "seconds": seconds})


def read_table(path) -> list[list[str]]:
    """A table (CSV) the page shows, as rows of cells."""
    path = Path(path)
    try:
        if not path.is_file():
            _bad(path, "(file)", "not a file")
        if path.stat().st_size > MAX_TABLE_BYTES:
            _bad(path, "(file)", f"larger than {MAX_TABLE_BYTES // 2 ** 20} MB; not a table the report wrote")
        data = path.read_bytes()
    except OSError as e:
        _bad(path, "(file)", f"cannot read it ({e.strerror or e})")
    return _table_rows(path, data)


def _table_rows(path: Path, data: bytes) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(data.decode("utf-8"))))
    except UnicodeDecodeError:
        _bad(path, "(file)", "not UTF-8 text; not a table the report wrote")
    except csv.Error as e:
        _bad(path, "(file)", f"not a CSV table ({e})")


# ---------------------------------------------------------------- waiting.json, failed.json

NOTES = {WAITING: "reason", FAILED: "error"}


def read_note(path) -> dict | None:
    """An experiment's note (waiting.json: {"key", "reason"}; failed.json: {"key", "error"}),
    or None when there is none."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return None
    raw = _object(path, _read(path))
    _check(path, raw, NOTES[path.name], lambda v: isinstance(v, str), "a text", required=True)
    _check(path, raw, "key", lambda v: isinstance(v, str), "the preset's key (a string)")
    return raw


# ---------------------------------------------------------------- a compare preset's saved runs

@dataclass(frozen=True)
class SavedRun:
    """A finished run of a compare preset, as saved in its folder (runs/NNN/)."""
    folder: Path
    key: str
    epochs: np.ndarray          # the checked epochs
    train_loss: np.ndarray      # one a checked epoch (nan where it was not finite)
    test_loss: np.ndarray
    seconds: float
    metrics: dict
    load_avg: float | None
    model: object               # the trained model (model/ in the folder)


def _losses(v) -> bool:
    return isinstance(v, list) and all(x is None or _finite(x) for x in v)


RUN_FIELDS = (
    ("key", lambda v: isinstance(v, str), "the run's key (a string)"),
    ("epochs", lambda v: isinstance(v, list) and all(isinstance(e, int) and not isinstance(e, bool) and 0 <= e < 2 ** 31
                                                   for e in v), "a list of epoch numbers"),
    ("train_loss", _losses, "a list of losses (numbers or null)"),
    ("test_loss", _losses, "a list of losses (numbers or null)"),
    ("seconds", _seconds, "a number of seconds"),
    ("metrics", lambda v: isinstance(v, dict) and all(_number_or_none(x) for x in v.values()),
     "an object of numbers (or null)"),
)


def read_saved_run(folder, key: str) -> SavedRun | None:
    """The run saved in `folder` for the experiment whose key is `key`; None when none finished
    there (no run.json: a run is marked finished last) or it was another experiment's."""
    folder = Path(folder)
    blocking = not_a_folder(folder)
    if blocking is not None:
        _bad(blocking, "(folder)", "is a file where the saved runs' folder belongs")
    if not folder.exists():
        return None
    path = folder / RUN
    raw = _checked_object(path, RUN_FIELDS)
    if raw is None:
        return None
    _check(path, raw, "load_avg", _number_or_none, "a load average or null")
    if raw["key"] != key:
        return None
    n = len(raw["epochs"])
    for field in ("train_loss", "test_loss"):
        if len(raw[field]) != n:
            _bad(path, field, f"has {len(raw[field])} losses for {n} checked epochs")
    model_dir = folder / "model"
    if not model_dir.is_dir() or not (model_dir / "model.json").is_file():
        _bad(model_dir, "(folder)", "the run's trained model is missing (no folder with model.json)")
    from aegui.core.runs.storage import load_model
    try:
        model = load_model(model_dir)[0]
    except (OSError, ValueError) as e:     # ModelFileError is a ValueError naming the file
        why = str(e)
        if why.startswith(str(model_dir)):        # said once, by the source
            why = why[len(str(model_dir)):].lstrip("/\\: ") or why
        _bad(model_dir, "(model)", why)
    return SavedRun(folder, raw["key"], epochs=np.asarray(raw["epochs"], int),
                    train_loss=np.asarray([np.nan if v is None else v for v in raw["train_loss"]], float),
                    test_loss=np.asarray([np.nan if v is None else v for v in raw["test_loss"]], float),
                    seconds=float(raw["seconds"]), metrics=dict(raw["metrics"]),
                    load_avg=None if raw.get("load_avg") is None else float(raw["load_avg"]), model=model)


def discard(path) -> None:
    """Removes what is at `path` (a report file, or whatever damaged thing took its place)."""
    import shutil
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


WRITTEN = (".png", ".csv", ".json", ".txt")     # the kinds of file an experiment writes in its folder


def folders_in_the_way(folder) -> list[Path]:
    """Folders in an experiment's folder named like a file it writes (curves.csv/): its figures
    and tables could not be written over them."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in WRITTEN and p.is_dir() and not p.is_symlink())


def not_a_folder(path) -> Path | None:
    """`path` or the first of its two parents that is there but is not a folder, or None."""
    path = Path(path)
    for p in (path.parent.parent, path.parent, path):
        if p.is_symlink() or (p.exists() and not p.is_dir()):
            return p
    return None


def clear_saved_run(folder) -> None:
    """Makes way for a run trained again where a damaged one was saved: a file in place of its
    folder (or of a folder above it, up to work/) is removed; so are its run.json (what marks it
    finished: a crash while it trains again leaves it unfinished rather than damaged) and its
    model."""
    folder = Path(folder)
    blocking = not_a_folder(folder)
    if blocking is not None:
        blocking.unlink()
        return
    discard(folder / RUN)
    discard(folder / "model")


# ---------------------------------------------------------------- a classifier preset's saved stages

def _whole(v, low: int = 0) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and low <= v < 2 ** 53


def _share(v) -> bool:
    return _finite(v) and 0 <= v <= 1


def _scores(v) -> bool:
    return isinstance(v, dict) and all(_finite(v.get(k)) for k in ("precision", "recall", "f1"))


def _report(v) -> bool:
    return (isinstance(v, dict) and _scores(v.get("macro")) and _scores(v.get("weighted")) and _finite(v.get("accuracy"))
            and isinstance(v.get("classes"), list)
            and all(_scores(c) and isinstance(c.get("class"), str) and _whole(c.get("support")) for c in v["classes"]))


def _history(v) -> bool:
    return isinstance(v, list) and all(
        isinstance(h, dict) and _whole(h.get("epoch")) and all(_number_or_none(h.get(k)) for k in
                                                              ("loss", "train_accuracy", "val_accuracy", "val_loss"))
        for h in v)


STAGE_FIELDS = (
    ("key", lambda v: isinstance(v, str), "the stage's key (a string)"),
    ("stage", lambda v: isinstance(v, str), "the stage's name"),
    ("features", lambda v: isinstance(v, str), "a text"),
    ("classes", lambda v: isinstance(v, list) and v and all(isinstance(c, str) for c in v), "a list of class names"),
    ("accuracy", _share, "an accuracy from 0 to 1"),
    ("train_accuracy", _share, "an accuracy from 0 to 1"),
    ("confusion", lambda v: isinstance(v, list) and all(isinstance(r, list) and all(_whole(c) for c in r) for r in v),
     "a matrix of counts"),
    ("history", _history, "a list of {epoch, loss, train_accuracy, val_accuracy, val_loss}"),
    ("seconds", _seconds, "a number of seconds"),
    ("report", _report, "a classification report (classes, macro, weighted, accuracy)"),
    ("n_train", _whole, "a number of samples"),
    ("n_test", _whole, "a number of samples"),
)


def read_saved_stage(path, key: str) -> dict | None:
    """A classifier stage saved by an earlier job (work/<stage>.json) for the stage whose key is
    `key`, as StageResult.from_dict takes it; None when there is none or it was another's."""
    path = Path(path)
    raw = _checked_object(path, STAGE_FIELDS)
    if raw is None or raw["key"] != key:
        return None
    n = len(raw["classes"])
    if len(raw["confusion"]) != n or any(len(row) != n for row in raw["confusion"]):
        _bad(path, "confusion", f"should be {n} rows of {n} counts, one a class")
    return raw


# ---------------------------------------------------------------- a sweep's runs trained on Ray

NON_FINITE = ("nan", "inf", "-inf")     # how a number that is not finite is kept: its own text


def plain_number(v):
    """A number as sweep-run files keep it: ints as ints, finite floats as floats (their repr
    reads back to the same float), others as "nan", "inf" or "-inf"."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    v = float(v)
    return v if math.isfinite(v) else str(v)


def _number_of(v) -> bool:
    return (_finite(v) or v in NON_FINITE) and not isinstance(v, bool)


def _numbers(v) -> bool:
    return isinstance(v, list) and all(_number_of(x) for x in v)


SWEEP_RUN_FIELDS = (
    ("key", lambda v: isinstance(v, str), "the run's key (a string)"),
    ("node", lambda v: isinstance(v, str), "the Ray node's id (a string)"),
    ("epochs", lambda v: isinstance(v, list) and v and all(_whole(e) for e in v), "a list of epoch numbers"),
    ("loss", _numbers, "a list of losses"),
    ("max_wrong", _numbers, "a list of wrong-pixel counts"),
    ("mean_wrong", _numbers, "a list of wrong-pixel means"),
    ("seconds", _seconds, "a number of seconds"),
    ("extra", lambda v: isinstance(v, dict) and all(v is None or _number_of(x) for x in v.values()),
     "an object of numbers"),
)


def read_sweep_run(path, key: str) -> dict | None:
    """A sweep's run saved by the driver of a report on Ray (work/sweep-runs/GGG-KK.json) for the
    run whose key is `key`, its numbers as arrays ("epochs", "loss", "max_wrong", "mean_wrong")
    and floats; None when there is none or it was another run's; ConfigError naming the file when
    it is damaged (it is then trained again)."""
    path = Path(path)
    raw = _checked_object(path, SWEEP_RUN_FIELDS)
    if raw is None or raw["key"] != key:
        return None
    n = len(raw["epochs"])
    for field in ("loss", "max_wrong", "mean_wrong"):
        if len(raw[field]) != n:
            _bad(path, field, f"has {len(raw[field])} values for {n} checked epochs")
    out = dict(raw)
    out["epochs"] = np.asarray(raw["epochs"], int)
    for field in ("loss", "max_wrong", "mean_wrong"):
        out[field] = np.asarray([float(x) for x in raw[field]], float)
    out["extra"] = {k: (float(x) if isinstance(x, str) else x) for k, x in raw["extra"].items()}
    return out
