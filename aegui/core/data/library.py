"""The user's glyph library: glyphs kept across sessions in one JSON file. Qt-free, torch-free.

Every change is saved at once, atomically. A file that cannot be read is never overwritten:
it is moved aside (library.json.damaged-<time>) and `warning` says where it went.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from aegui.core.files.atomic import atomic_write_text
from aegui.core.data.glyphs import _BASES, _IDENT, ROWS, Font, Glyph, label_problem, parse_font_h, write_font_h
from aegui.core.files.paths import user_data_dir
from aegui.core.schema.experiment import shown

FORMAT = "aegui-glyph-library"
VERSION = 1
FIRST_CODE = 0x20
MAX_LABEL = 32  # room for a word like "arrow-left" yet still fits a one-line comment


class LibraryReadOnlyError(OSError):
    """The library file could not be moved aside or comes from a newer aegui; saving would lose it."""


def clean_label(label) -> str:
    """The label as stored, or ValueError saying what is wrong with it."""
    if not isinstance(label, str):
        raise ValueError(f"a label must be text, not {type(label).__name__}")
    if label == " ":
        return "space"  # the course's font.h names 0x20 this way, and a bare space would vanish
    text = label.strip()
    problem = label_problem(text)
    if problem:
        raise ValueError(problem)
    if len(text) > MAX_LABEL:
        raise ValueError(f"a label can have at most {MAX_LABEL} characters")
    return text


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class LibraryEntry:
    """One glyph of the library: its label, its seven rows as font.h writes them, when it was added and where it
    came from."""
    label: str
    rows: tuple[int, ...]     # 7 ints in 0..31, bit 4 = leftmost pixel, as in font.h
    created: str              # ISO 8601 local time with offset
    source: str               # "drawn", "generated", "latent", "font", "imported"; free text

    def to_array(self) -> np.ndarray:
        """The glyph as a (7, 5) array."""
        return Glyph(FIRST_CODE, self.rows, self.label).to_array()

    def to_dict(self) -> dict:
        """As library.json holds it."""
        return {"label": self.label, "rows": list(self.rows), "created": self.created, "source": self.source}

    @classmethod
    def from_dict(cls, d) -> "LibraryEntry":
        """An entry read from library.json; ValueError saying what is wrong with a damaged one."""
        if not isinstance(d, dict):
            raise ValueError("entry is not a JSON object")
        rows = d.get("rows")
        if (not isinstance(rows, list) or len(rows) != ROWS
                or any(type(r) is not int or not 0 <= r < 32 for r in rows)):
            raise ValueError(f"rows must be 7 integers in 0..31, got {shown(rows)}")
        created, source = d.get("created", ""), d.get("source", "")
        if not isinstance(created, str) or not isinstance(source, str) or not source:
            raise ValueError("created and source must be text")
        return cls(clean_label(d.get("label")), tuple(rows), created, source)


class GlyphLibrary:
    """An ordered list of LibraryEntry, saved to `path` after each change.

    After construction (or `load()`), `warning` is None or an English sentence about what went
    wrong reading the file; `damaged_path` is where an unreadable file was moved, `skipped`
    how many entries were dropped, and `read_only` says saving is refused.
    """

    def __init__(self, path=None):
        self.path = Path(path) if path is not None else user_data_dir() / "library.json"
        self._entries: list[LibraryEntry] = []
        self.warning: str | None = None
        self.damaged_path: Path | None = None
        self.skipped = 0
        self.read_only = False
        self.load()

    # -- reading ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> list[LibraryEntry]:
        """A copy of the entries, in order."""
        return list(self._entries)

    def entry(self, i: int) -> LibraryEntry:
        """The i-th entry (negative counts from the end); IndexError when there is none."""
        return self._entries[self._index(i)]

    def glyph(self, i: int) -> Glyph:
        """Entry i as a Glyph with the code it gets in to_font()."""
        i = self._index(i)
        e = self._entries[i]
        return Glyph(FIRST_CODE + i, e.rows, e.label)

    def _index(self, i: int) -> int:
        n = len(self._entries)
        if not isinstance(i, (int, np.integer)) or not -n <= i < n:
            raise IndexError(f"no glyph {i} in a library of {n}")
        return int(i) % n

    # -- changing ---------------------------------------------------------------------------
    def add(self, glyph, label: str | None = None, source: str = "drawn") -> int:
        """Append a Glyph or a (7, 5) / (35,) array (ink >= 0.5); returns its index.

        `label` may be left out for a Glyph, which then keeps its own.
        """
        entry = self._make_entry(glyph, label, source)
        return self._change(lambda: self._entries.append(entry), len(self._entries))

    def insert(self, i: int, entry: LibraryEntry) -> int:
        """Put a removed entry back where it was; undo needs this to keep order and time."""
        if not isinstance(entry, LibraryEntry):
            raise TypeError("insert() takes a LibraryEntry; use add() for glyphs and arrays")
        entry = LibraryEntry(clean_label(entry.label), Glyph(FIRST_CODE, entry.rows, "?").rows,
                             entry.created, entry.source)
        i = max(0, min(int(i), len(self._entries)))
        return self._change(lambda: self._entries.insert(i, entry), i)

    def remove(self, i: int) -> LibraryEntry:
        """Takes the i-th entry out and saves (undone if the save fails); returns it, for insert() to put back.
        """
        i = self._index(i)
        entry = self._entries[i]
        self._change(lambda: self._entries.pop(i), i)
        return entry

    def rename(self, i: int, label: str) -> str:
        """Returns the label as stored (surrounding spaces dropped)."""
        i = self._index(i)
        e = self._entries[i]
        new = LibraryEntry(clean_label(label), e.rows, e.created, e.source)
        self._change(lambda: self._entries.__setitem__(i, new), i)
        return new.label

    def clear(self) -> None:
        """Removes every entry and saves (undone if the save fails)."""
        self._change(self._entries.clear, 0)

    def _make_entry(self, glyph, label, source) -> LibraryEntry:
        if not isinstance(source, str) or not source.strip():
            raise ValueError("source must be a short word such as 'drawn'")
        if isinstance(glyph, Glyph):
            rows = glyph.rows
            label = glyph.label if label is None else label
        else:
            if label is None:
                raise ValueError("a label is needed for an array")
            rows = Glyph.from_array(glyph, FIRST_CODE, "?").rows
        return LibraryEntry(clean_label(label), rows, _now(), source.strip())

    def _change(self, apply, result):
        # A change that cannot be saved is undone, so memory never holds glyphs the disk lacks.
        before = list(self._entries)
        apply()
        try:
            self.save()
        except BaseException:
            self._entries = before
            raise
        return result

    # -- disk -------------------------------------------------------------------------------
    def to_json(self) -> str:
        """library.json's text, one glyph per line."""
        # One glyph per line: a diff or a hand repair of the file stays readable.
        head = json.dumps({"format": FORMAT, "version": VERSION})[:-1]
        lines = [json.dumps(e.to_dict(), ensure_ascii=False) for e in self._entries]
        body = ",\n    ".join(lines)
        return f'{head}, "glyphs": [\n    {body}\n]}}\n' if lines else f'{head}, "glyphs": []}}\n'

    def save(self) -> None:
        """Writes library.json atomically; LibraryReadOnlyError when the file could not be read and is kept as
        it is."""
        if self.read_only:
            raise LibraryReadOnlyError(f"{self.path} is not saved over: {self.warning}")
        atomic_write_text(self.path, self.to_json())

    def load(self) -> None:
        """Read the file again; a missing file is an empty library."""
        self._entries, self.warning, self.damaged_path, self.skipped = [], None, None, 0
        self.read_only = False
        from aegui.core.files.errors import os_problem
        from aegui.core.files.userfile import read_file
        try:
            data = read_file(self.path, "library")
        except FileNotFoundError:
            return
        except OSError as e:
            self._refuse(f"cannot read it ({os_problem(e)})")
            return
        # Only with a file to read: the JSON reader's error type comes with the experiment schema,
        # whose dataclasses take a few ms to build, and a first start has no library yet.
        from aegui.core.files.jsonfile import parse_json
        from aegui.core.schema.experiment import ConfigError
        try:
            doc = parse_json(data, self.path)
        except ConfigError as e:
            self._set_aside(f"it is not valid JSON ({e.problem})")
            return
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            self._set_aside(f"it is not an aegui glyph library (no \"format\": \"{FORMAT}\")")
            return
        version = doc.get("version")
        if type(version) is int and version > VERSION:
            # Moving it aside would hide the library from the newer aegui that wrote it.
            self._refuse(f"it was written by a newer aegui (library version {version})")
            return
        if type(version) is not int or version != VERSION or not isinstance(doc.get("glyphs"), list):
            self._set_aside(f"it has an unknown version {shown(version)} or no \"glyphs\" list")
            return
        entries, problems = [], []
        for k, item in enumerate(doc["glyphs"]):
            try:
                entries.append(LibraryEntry.from_dict(item))
            except ValueError as e:
                problems.append(f"entry {k}: {e}")
        if problems:
            self._set_aside(f"{len(problems)} of {len(doc['glyphs'])} entries are damaged "
                            f"({'; '.join(problems[:3])}{'; ...' if len(problems) > 3 else ''})",
                            entries, len(problems))
            return
        self._entries = entries

    def _set_aside(self, reason: str, salvaged: list[LibraryEntry] | None = None, skipped: int = 0) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target, n = self.path.with_name(f"{self.path.name}.damaged-{stamp}"), 1
        while target.exists():
            target, n = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}"), n + 1
        try:
            self.path.rename(target)
        except OSError as e:
            self._refuse(f"{reason}, and it could not be moved aside ({e.strerror or e})")
            return
        self.damaged_path = target
        self.skipped = skipped
        if salvaged:
            self.warning = (f"{self.path} could not be read fully: {reason}. The {len(salvaged)} good "
                            f"glyphs were kept and the original file was saved as {target}.")
            self._entries = salvaged
            try:
                # Written now, so the good glyphs survive even if nothing else changes this session.
                self.save()
            except OSError as e:
                self.warning += f" Saving the repaired library failed ({e.strerror or e})."
        else:
            self.warning = (f"{self.path} could not be read: {reason}. It was saved as {target} "
                            "and a new, empty library was started.")

    def _refuse(self, reason: str) -> None:
        self.read_only = True
        self.warning = f"{self.path} is left untouched and changes will not be saved: {reason}."

    # -- export -----------------------------------------------------------------------------
    def to_font(self, name: str = "UserFont") -> Font:
        """The library as a font with consecutive codes, labels kept."""
        if not _IDENT.fullmatch(name or ""):
            raise ValueError(f"font name {shown(name)} is not a C identifier")
        # font.h gives Font1..Font3 fixed bases by name, so other codes would read back wrong.
        base = _BASES.get(name.lower(), FIRST_CODE)
        return Font(name, tuple(Glyph(base + k, e.rows, e.label) for k, e in enumerate(self._entries)))

    def font_h_text(self, name: str = "UserFont") -> str:
        """Every glyph as one font.h array named `name`, checked to read back the same; ValueError when the
        library is empty."""
        if not self._entries:
            raise ValueError("the library is empty; there is nothing to export")
        font = self.to_font(name)
        text = write_font_h([font], header_comment=f"{len(font.glyphs)} glyphs exported from the "
                                                   f"aegui glyph library, {_now()}")
        back = parse_font_h(text, "exported font.h")
        if len(back) != 1 or back[0] != font:
            raise ValueError("the exported font.h would not read back the same glyphs")
        return text

    def export_font_h(self, path, name: str = "UserFont") -> Path:
        """Write the library as a course-style font.h; checked to parse back before writing."""
        path = Path(path)
        atomic_write_text(path, self.font_h_text(name))
        return path
