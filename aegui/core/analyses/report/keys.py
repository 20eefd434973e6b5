"""A course report row's key: what decides the row's numbers, so that a row made from other
settings, other data, by code whose numbers changed since, or on other libraries is known as
stale and made again (`aegui report NAME --list` says "stale" and why; `aegui report NAME` runs
it again; the page never shows it as current).

The key is a hash of four parts, each a hash (done.json keeps them as `key_parts`, so that a
stale row can say which part changed):

- **preset**: the preset file as it runs (its description and stated time left out: they only
  document it), the experiment config it names as its base, and the report's figures, check and
  options for the row. The seeds a row uses are written there (`train.seed`, `seeds`,
  `data.split_seed`, the options' noise); the seeds nobody wrote are the code's defaults,
  covered by the settings' numerics revision.
- **data**: the bytes of the data the preset reads, by source (each source's `report_files`,
  aegui/core/data/sources/): the font file (the course's
  resources/font.h unless `data.path` names another, and any `data.extra_glyphs`), every file
  of resources/emoji/, scikit-learn's digits file, a folder's or IDX files' bytes, and for a
  catalogue dataset (MNIST...) the SHA-256 the catalogue publishes for its files (the files
  are checked against them when fetched or added, so they are the data's own checksum).
- **numerics**: the numerics revision of every component the row uses (numerics.py: the
  training loop the CPU runs it with, its model kinds' objectives, architectures, optimizers,
  data sources, noise and augmentation, the analyses and the report's checks; uses.py says
  which). done.json keeps the revisions themselves as `numerics`, so that a stale row names the
  component whose revision changed. A comment, a docstring, a message or the version number
  changes no revision: it leaves every row current.
- **libraries**: the installed versions of torch, numpy, scipy, scikit-learn and Pillow: a
  seeded run on the CPU gives the same numbers on the same torch, not across versions.

The runs a row trains (kept in its work/ folder so that a cancelled row resumes) have a key of
their own, `runs_key`: the same parts, but only the components that decide the runs (training,
models, data, the sweep, compare and classifier jobs), not the report's checks, figures and
measurements. A row made stale by a revision of its checks or figures is then made again from
its saved runs (read back, not trained again), which gives what a run from scratch would.

done.json also records the aegui version and a hash of the source that made it (`source_part`:
every aegui module the report runs, by following imports): provenance shown on the page, not
part of the key.

Everything is read from files (no module is imported, so `--list` stays quick and torch-free)
and cached for as long as the files' sizes and modification times stay the same.
"""
from __future__ import annotations

import ast
import hashlib
import json
from functools import lru_cache
from pathlib import Path

PARTS = ("preset", "data", "numerics", "libraries")
LIBRARIES = ("torch", "numpy", "scipy", "scikit-learn", "pillow")
ENTRY = "aegui.core.analyses.report.run"
CHANGED = {"preset": "its preset or the report's settings for it",
           "data": "the data it reads",
           "numerics": "the numerics revisions of what computes it",
           "libraries": f"the installed libraries ({', '.join(LIBRARIES)})"}

# The folder holding the `aegui` package whose revisions and source are read (tests point it at
# a copy they change).
SOURCE_ROOT = Path(__file__).resolve().parents[4]

_cache: dict = {}


def row_revisions(exp) -> dict[str, int]:
    """The numerics revision of every component report experiment `exp` uses (uses.py), and its
    check's own revision where its checks module gives it one (numerics.check_revisions)."""
    from aegui.core.analyses.report import numerics, uses
    out = numerics.revisions(uses.components(exp, SOURCE_ROOT), SOURCE_ROOT)
    if exp.check:
        for name in set(uses.CHECKS_COMPONENTS) & set(out):
            out.update(numerics.check_revisions(name, exp.check, SOURCE_ROOT))
    return dict(sorted(out.items()))


def row_key(exp) -> tuple[str, dict[str, str]]:
    """(key, parts) of a report experiment (run.ReportExperiment)."""
    parts = {"preset": preset_part(exp), "data": data_part(exp.preset), "numerics": numerics_part(row_revisions(exp)),
             "libraries": libraries_part()}
    return _digest(json.dumps(parts, sort_keys=True).encode()), parts


def runs_key(exp) -> str:
    """The key of the runs a row trains: its preset, data and libraries, and the revisions of the
    components that train (not the report's own checks and figures)."""
    from aegui.core.analyses.report import numerics, uses
    revisions = numerics.revisions(uses.runs_components(exp, SOURCE_ROOT), SOURCE_ROOT)
    parts = {"preset": preset_part(exp), "data": data_part(exp.preset), "numerics": numerics_part(revisions),
             "libraries": libraries_part()}
    return _digest(json.dumps(parts, sort_keys=True).encode())


def made_by(exp) -> dict:
    """done.json's fields about what made a row: the revisions its key covers (`numerics`, so that a
    stale row names what changed), and as provenance the aegui version and source_part()."""
    return {"numerics": row_revisions(exp), "aegui_version": _version(), "source": source_part()}


def _version() -> str:
    """aegui/__init__.py's __version__, read from the source tree the key reads (imported where the
    sources are not on disk: the desktop bundle)."""
    init = SOURCE_ROOT / "aegui" / "__init__.py"
    if not init.is_file():
        from aegui import __version__
        return __version__
    for node in ast.parse(init.read_bytes(), str(init)).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__version__" for t in node.targets):
            return str(ast.literal_eval(node.value))
    return "unknown"


def numerics_part(revisions: dict[str, int]) -> str:
    """The key's numerics part: a hash of the components' numerics revisions."""
    return _digest(json.dumps(sorted(revisions.items())).encode())


def why_stale(then: dict, exp, parts_now: dict[str, str] | None = None) -> str:
    """The sentence --list and the page show for a row whose done.json record `then` was made
    with another key than `exp`'s now (whose key parts are `parts_now`, when known)."""
    parts_then = then.get("key_parts")
    if not isinstance(parts_then, dict):
        return "made by an aegui whose row keys did not cover its code and data; it runs again next time"
    if "numerics" not in parts_then:
        return ("made by an aegui whose row keys hashed the source of its code, not its numerics revisions; "
                "it runs again next time")
    if parts_now is None:
        _, parts_now = row_key(exp)
    changed = [f"a change of {CHANGED[p]}" for p in PARTS if p != "numerics" and parts_then.get(p) != parts_now.get(p)]
    if parts_then.get("numerics") != parts_now.get("numerics"):
        changed += _revisions_changed(then.get("numerics"), row_revisions(exp))
    return f"made before {_listed(changed) if changed else 'a change of its key'}; it runs again next time"


def _revisions_changed(then, now: dict[str, int]) -> list[str]:
    """"numerics revision 3 of the dense numpy loop" for each component whose revision changed,
    "a change of the components it uses (...)" when the set changed."""
    from aegui.core.analyses.report.numerics import label
    if not isinstance(then, dict):
        return [f"a change of {CHANGED['numerics']}"]
    # A check's own revision ("component:check") that was not there before was 0.
    before = {**{n: 0 for n in now if ":" in n}, **then}
    out = [f"numerics revision {now[n]} of {label(n)}" for n in sorted(now) if n in before and before[n] != now[n]]

    def labels(names) -> str:
        return _listed([label(n) for n in sorted(names)])
    added, dropped = set(now) - set(before), set(then) - set(now)
    which = ([f"now also {labels(added)}"] if added else []) + ([f"no longer {labels(dropped)}"] if dropped else [])
    if which:
        out.append(f"a change of the components it uses ({'; '.join(which)})")
    return out


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


# ---------------------------------------------------------------- preset

def _preset_raw(preset: Path):
    from aegui.core.files.jsonfile import read_json
    raw = read_json(preset)
    if isinstance(raw, dict):
        raw = {k: v for k, v in raw.items() if k not in ("description", "time_2cores_s")}
    return raw


def _base_file(preset: Path, raw) -> Path | None:
    base = raw.get("base") if isinstance(raw, dict) else None
    return preset.parent / base if isinstance(base, str) else None


def preset_part(exp) -> str:
    """The key's preset part: a hash of the preset as it runs (description and stated time left out), the base
    config it names, and the row's figures, check and options."""
    raw = _preset_raw(Path(exp.preset))
    h = hashlib.sha256(json.dumps(raw, sort_keys=True).encode())
    base = _base_file(Path(exp.preset), raw)
    if base is not None:
        h.update(base.read_bytes())
    h.update(json.dumps({"figures": exp.figures, "check": exp.check, "options": exp.options,
                         **({"expected_failure": exp.expected_failure} if getattr(exp, "expected_failure", ()) else {})},
                        sort_keys=True).encode())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------- data

DATA_FIELDS = ("source", "path", "labels_path", "catalogue", "extra_glyphs")


def _data_settings(node, found: dict[str, set], under_data: bool = False) -> None:
    """Collects every data setting of DATA_FIELDS anywhere in a preset: in `data` objects (the
    base's, a run's changes) and as dotted keys ("data.path" in a sweep's vary)."""
    if isinstance(node, dict):
        for key, value in node.items():
            field = key[len("data."):] if isinstance(key, str) and key.startswith("data.") else key if under_data else None
            if field in DATA_FIELDS:
                values = value if isinstance(value, list) else [value]
                found.setdefault(field, set()).update(json.dumps(v, sort_keys=True) for v in values)
            _data_settings(value, found, key == "data")
    elif isinstance(node, list):
        for value in node:
            _data_settings(value, found, under_data)


def _base_source_stated(raw, base_raw) -> bool:
    for node in (base_raw, raw.get("base") if isinstance(raw, dict) else None):
        if isinstance(node, dict) and isinstance(node.get("data"), dict) and "source" in node["data"]:
            return True
    return False


def data_part(preset) -> str:
    """The checksum of the data a preset reads (see the module's docstring)."""
    from aegui.core.files.jsonfile import read_json
    preset = Path(preset)
    raw = _preset_raw(preset)
    base = _base_file(preset, raw)
    base_raw = read_json(base) if base is not None and base.is_file() else None
    found: dict[str, set] = {}
    _data_settings([raw, base_raw], found)
    strings = lambda field: sorted(json.loads(v) for v in found.get(field, ()) if isinstance(json.loads(v), str))
    sources = set(strings("source"))
    if not _base_source_stated(raw, base_raw):
        sources.add("font")                      # DataConfig's default
    from aegui.core.data.sources import SOURCES     # each source names its files; no numpy, no torch
    parts = []
    for source in sorted(sources):
        entry = SOURCES.get(source)
        parts.append((source, _files_hash(entry.report_files(strings)) if entry is not None else ""))
    extra = [Path(p) for v in found.get("extra_glyphs", ()) for p in _flat(json.loads(v)) if isinstance(p, str)]
    if extra:
        parts.append(("extra_glyphs", _files_hash(extra)))
    for name in strings("catalogue"):
        parts.append(("catalogue " + name, _catalogue_hash(name)))
    return _digest(json.dumps(parts).encode())


def _flat(value) -> list:
    return [x for v in value for x in _flat(v)] if isinstance(value, list) else [value]


def _catalogue_hash(name: str) -> str:
    from aegui.core.data.catalogue import entry
    try:
        e = entry(name)
    except KeyError:
        return "unknown"
    return _digest(json.dumps([(f.role, f.hash, f.unpacked) for f in e.files]).encode())


def _files_hash(paths) -> str:
    """A hash of the bytes of each file (a folder: of every file in it, by relative name); a
    path that is not there counts as its name (the run says what is missing)."""
    h = hashlib.sha256()
    for path in paths:
        if path is None:
            continue
        path = Path(path).expanduser()
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            h.update(f.relative_to(path).as_posix().encode() if path.is_dir() else f.name.encode())
            h.update(b"\0" + _file_hash(f).encode())
    return h.hexdigest()[:16]


def _file_hash(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return "absent"
    stamp = ("file", str(path.resolve()), st.st_size, st.st_mtime_ns)
    if stamp not in _cache:
        from aegui.core.data.fetch import file_hash
        try:
            _cache[stamp] = file_hash(path, "sha256")
        except OSError:
            return "unreadable"
    return _cache[stamp]


# ---------------------------------------------------------------- source (provenance, not key)

def _module_files(root: Path) -> dict[str, Path]:
    files = {}
    for p in (root / "aegui").rglob("*.py"):
        parts = p.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        files[name] = p
    return files


def _imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The aegui modules a module's import statements name (those inside functions too)."""
    out = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                head = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(head + ([module] if module else []))
            out.add(module)
            out.update(f"{module}.{a.name}" for a in node.names)
    found = set()
    for m in out:
        parts = m.split(".")
        found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1) if ".".join(parts[:i]) in known)
    return found


def source_modules(root: Path | None = None, entry: str = ENTRY) -> list[str]:
    """The modules source_part covers, by name: `entry` and every aegui module its imports reach."""
    root = Path(root or SOURCE_ROOT)
    known = _module_files(root)
    seen, todo = set(), [entry]
    while todo:
        name = todo.pop()
        if name in seen or name not in known:
            continue
        seen.add(name)
        todo.extend(_imports(name, known[name], known))
    return sorted(seen)


def source_part(root: Path | None = None, entry: str = ENTRY) -> str:
    """A hash of the source of every module the report runs (done.json's `source`: which code made
    a row, shown on the page; not part of its key)."""
    root = Path(root or SOURCE_ROOT)
    stamp = ("source", entry, str(root), tuple(sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns)
                                            for p in (root / "aegui").rglob("*.py"))))
    if stamp not in _cache:
        known = _module_files(root)
        h = hashlib.sha256()
        for name in source_modules(root, entry):
            h.update(name.encode() + b"\0" + known[name].read_bytes() + b"\0")
        _cache[stamp] = h.hexdigest()[:16]
    return _cache[stamp]


# ---------------------------------------------------------------- libraries

@lru_cache(maxsize=1)
def libraries_part() -> str:
    """The key's libraries part: a hash of the installed versions of torch, numpy, scipy, scikit-learn and
    Pillow (read once a process)."""
    from importlib import metadata
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return _digest(json.dumps(versions, sort_keys=True).encode())
