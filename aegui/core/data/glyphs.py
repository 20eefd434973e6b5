"""5x7 glyphs and the course's font.h: parse, write back, convert to arrays. Qt-free."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from aegui.core.schema.experiment import shown

ROWS, COLS = 7, 5

# The course ships Font1..Font3 as consecutive 32-glyph slices of ASCII.
_BASES = {"font1": 0x20, "font2": 0x40, "font3": 0x60}
_EXAMPLE = "int const Font1[32][7] = {...}"
_TOKEN = re.compile(r"\w+|\S")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WORD = re.compile(r"\w+")
_COMMENT_START = re.compile(r"//|/\*")
_ROW_NOTE = re.compile(r"\s*(0[xX][0-9a-fA-F]+|\d+)\s*(?:,\s*(.*?))?\s*")


def label_for(code: int) -> str:
    """A character code's label: the character itself, "space", "DEL", or its hex code."""
    if code == 0x20:
        return "space"
    if code == 0x7F:
        return "DEL"
    if 0x20 < code < 0x7F:
        return chr(code)
    return f"0x{code:02x}"


def array_to_text(arr, on: str = "#", off: str = ".") -> str:
    """A 5x7 glyph as seven lines of text, `on` for ink (values >= 0.5) and `off` for the rest."""
    grid = np.asarray(arr, dtype=np.float64)
    if grid.shape not in ((ROWS, COLS), (ROWS * COLS,)):
        raise ValueError(f"expected a (7, 5) or (35,) array, got shape {grid.shape}")
    grid = grid.reshape(ROWS, COLS) >= 0.5
    return "\n".join("".join(on if px else off for px in line) for line in grid)


@dataclass(frozen=True)
class Glyph:
    """One 5x7 glyph as font.h holds it: a character code and seven 5-bit rows."""
    code: int                 # e.g. 0x61
    rows: tuple[int, ...]     # 7 ints in 0..31, bit 4 = leftmost pixel
    label: str                # 'a', 'space', 'DEL'

    def __post_init__(self):
        # Plain ints so glyphs built from numpy values compare and hash like parsed ones.
        code, rows = int(self.code), tuple(int(r) for r in self.rows)
        if len(rows) != ROWS or any(not 0 <= r < 32 for r in rows):
            raise ValueError(f"glyph 0x{code:02x} needs 7 rows in 0..31, got {rows}")
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "rows", rows)

    def to_array(self) -> np.ndarray:
        """The glyph as a (7, 5) float32 array of 0 and 1."""
        shifts = np.arange(COLS - 1, -1, -1)
        return ((np.array(self.rows)[:, None] >> shifts) & 1).astype(np.float32)

    @classmethod
    def from_array(cls, arr, code: int, label: str | None = None) -> "Glyph":
        """A glyph from a (7, 5) or (35,) array, thresholded at 0.5; labelled after its code unless `label` is
        given."""
        grid = np.asarray(arr, dtype=np.float64)
        if grid.shape not in ((ROWS, COLS), (ROWS * COLS,)):
            raise ValueError(f"expected a (7, 5) or (35,) array, got shape {grid.shape}")
        bits = (grid.reshape(ROWS, COLS) >= 0.5).astype(int)
        rows = tuple(int(r) for r in bits @ (1 << np.arange(COLS - 1, -1, -1)))
        return cls(code, rows, label_for(code) if label is None else label)

    def to_text(self, on: str = "#", off: str = ".") -> str:
        """The glyph as seven lines of text (array_to_text)."""
        return array_to_text(self.to_array(), on, off)


@dataclass(frozen=True)
class Font:
    """One array of a font.h file: its name and glyphs (with notes about the file, not part of the font)."""
    name: str                 # 'Font1'
    glyphs: tuple[Glyph, ...]
    # Notes about the source file, not part of the font: a written-then-parsed font equals the original.
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self):
        object.__setattr__(self, "glyphs", tuple(self.glyphs))
        object.__setattr__(self, "warnings", tuple(self.warnings))


class FontParseError(ValueError):
    """A font.h that cannot be read: the message, with the file and line it refers to."""
    def __init__(self, message: str, source: str = "font.h", line: int | None = None):
        self.message, self.source, self.line = message, source, line
        where = f"{source} line {line}" if line is not None else source
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        return type(self), (self.message, self.source, self.line)


def glyphs_to_array(glyphs) -> np.ndarray:
    """The glyphs as [N, 35] float32 rows."""
    glyphs = list(glyphs)
    if not glyphs:
        return np.zeros((0, ROWS * COLS), dtype=np.float32)
    return np.stack([g.to_array().reshape(-1) for g in glyphs])


# --- parsing -----------------------------------------------------------------

def _split_comments(text: str):
    """(line number, code, comment text) per line; a comment counts as a space in the code."""
    in_block = False
    for n, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        code, notes, i = [], [], 0
        while i <= len(line):
            if in_block:
                end = line.find("*/", i)
                if end < 0:
                    notes.append(line[i:])
                    break
                notes.append(line[i:end])
                i, in_block = end + 2, False
                continue
            m = _COMMENT_START.search(line, i)
            if m is None:
                code.append(line[i:])
                break
            code.append(line[i:m.start()])
            if m.group() == "//":
                # No line splicing: the course file ends a comment with `\\`, which C would
                # join to the next row; the author clearly meant one row per line.
                notes.append(line[m.end():])
                break
            i, in_block = m.end(), True
        yield n, " ".join(code), " ".join(notes)


def _shown(tok: str) -> str:
    """A token as quoted in a message: a 100 KB number is cut, so the message stays one line."""
    return tok if len(tok) <= 40 else tok[:40] + "…"


def _number(tok: str) -> int | None:
    t = tok.rstrip("uUlL")
    if not t[:1].isdigit() or "_" in t:
        return None
    try:
        if t[:2].lower() in ("0x", "0b"):
            return int(t, 0)
        return int(t, 8) if len(t) > 1 and t[0] == "0" else int(t, 10)
    except ValueError:
        return None


def _declaration(tokens, i):
    """Matches `NAME [n?] [c?] = {` at i: (name, n, c, index after `{`) or None."""
    def tok(j):
        return tokens[j][1] if j < len(tokens) else ""
    if not _WORD.fullmatch(tok(i)):
        return None
    j, dims = i + 1, []
    for _ in range(2):
        if tok(j) != "[":
            return None
        size = None
        if tok(j + 1) != "]":
            size, j = tok(j + 1), j + 1
        if tok(j + 1) != "]":
            return None
        dims.append(_number(size) if size else None)
        j += 2
    if tok(j) != "=" or tok(j + 1) != "{":
        return None
    return tok(i), dims[0], dims[1], j + 2


# Rows read between two calls of parse_font_h's progress(done, total): a file of 100,000 glyphs
# takes seconds to read.
PROGRESS_ROWS = 2000


def parse_font_h(text: str, source: str = "font.h", progress=None) -> list[Font]:
    """The arrays of a font.h; `progress(rows read, rows in the file)` every PROGRESS_ROWS rows
    and at the end (the count is of the rows' braces, so it is known before they are read)."""
    lines = list(_split_comments(text))
    tokens = [(n, t) for n, code, _ in lines for t in _TOKEN.findall(code)]
    notes = {n: note.strip() for n, _, note in lines if note.strip()}
    # Every `{` opens a row, but the one of each array (after its `=`).
    expected = sum(t == "{" for _, t in tokens) - sum(t == "=" for _, t in tokens)
    read = 0

    def fail(message, line=None):
        raise FontParseError(message, source, line)

    fonts, declared_on, i = [], {}, 0
    while i < len(tokens):
        decl = _declaration(tokens, i)
        if decl is None:
            i += 1
            continue
        name, n_rows, n_cols, i = decl
        decl_line = tokens[i - 1][0]
        if not _IDENT.fullmatch(name):
            fail(f"array name `{_shown(name)}` is not a C identifier (letters A-Z and a-z, digits and _, "
                 "not starting with a digit)", decl_line)
        if name in declared_on:
            fail(f"array {name} is declared twice (first on line {declared_on[name]})", decl_line)
        declared_on[name] = decl_line
        never_closed = f"array {name} opened on line {decl_line} is never closed"

        rows = []  # (first line, last line, [(line, token, value)])
        while True:
            if i >= len(tokens):
                fail(never_closed, decl_line)
            n, t = tokens[i]
            i += 1
            if t == ",":
                continue
            if t == "}":
                break
            if t != "{":
                if _number(t) is not None:
                    fail(f"value {_shown(t)} is outside any row; each glyph row needs its own {{...}}", n)
                fail(f"{never_closed} (line {n} has `{_shown(t)}` before its closing `}};`)", decl_line)
            values = []
            while True:
                if i >= len(tokens):
                    fail(never_closed, decl_line)
                m, v = tokens[i]
                if v in ("{", ";"):
                    fail(f"row opened on line {n} is never closed (found `{_shown(v)}` on line {m})", n)
                i += 1
                if v == "}":
                    break
                if v != ",":
                    value = _number(v)
                    if value is None:
                        fail(f"`{_shown(v)}` is not a number", m)
                    values.append((m, v, value))
            rows.append((n, m, values))
            read += 1
            if progress is not None and read % PROGRESS_ROWS == 0:
                progress(read, max(read, expected))
        if i < len(tokens) and tokens[i][1] == ";":
            i += 1
        fonts.append(_build_font(name, n_rows, n_cols, decl_line, rows, notes, len(fonts), source))

    if not fonts:
        fail(f"no glyph arrays found; expected C arrays like `{_EXAMPLE}`")
    if progress is not None:
        progress(read, read)
    return fonts


def _build_font(name, n_rows, n_cols, decl_line, rows, notes, index, source) -> Font:
    def fail(message, line):
        raise FontParseError(message, source, line)

    shape = f"[{'' if n_rows is None else n_rows}][{'' if n_cols is None else n_cols}]"
    if not rows:
        fail(f"array {name} has no rows", decl_line)
    if n_cols is not None and n_cols not in (ROWS, ROWS + 1):
        fail(f"array {name} is declared {shape}; glyph rows have 7 values "
             "(or 8 with a leading width column)", decl_line)
    width = n_cols or len(rows[0][2])
    for first, _, values in rows:
        if len(values) not in (ROWS, ROWS + 1):
            fail(f"row has {len(values)} values; expected 7 (or 8 with a leading width column)", first)
        if len(values) != width:
            why = f"as declared {shape}" if n_cols else "like the first row"
            fail(f"row has {len(values)} values; expected {width} {why}", first)
    if n_rows is not None and n_rows != len(rows):
        fail(f"array {name} is declared with {n_rows} rows but has {len(rows)}", decl_line)

    # Each comment is claimed once, by the row that ends on its line.
    row_notes, used = [], set()
    for _, last, _ in rows:
        m = _ROW_NOTE.fullmatch(notes.get(last, "")) if last not in used else None
        used.add(last)
        row_notes.append(m)

    base = _BASES.get(name.lower())
    if base is None:
        base = _number(row_notes[0].group(1)) if row_notes[0] else 0x20 + 32 * index
    glyphs, warnings = [], []
    for k, ((first, last, values), note) in enumerate(zip(rows, row_notes)):
        code, label = base + k, None
        if note:
            said = _number(note.group(1))
            if said != code:
                warnings.append(f"{source} line {last}: {name} row {k} is commented "
                                f"{_shown(note.group(1))} but its position makes it 0x{code:02x} "
                                f"({label_for(code)}); using 0x{code:02x}")
            label = (note.group(2) or "").replace("\\\\", "\\") or None
        pixels = values[len(values) - ROWS:]  # a leading width column is skipped
        for line, tok, value in pixels:
            if value > 0x1F:
                fail(f"value {_shown(tok)} does not fit 5 bits (rows hold 0x00..0x1f)", line)
        bits = tuple(v for _, _, v in pixels)
        glyphs.append(Glyph(code, bits, label if label is not None else label_for(code)))
    return Font(name, tuple(glyphs), tuple(warnings))


def read_font_h(path, progress=None) -> list[Font]:
    """The arrays of the font.h at `path` (progress: as parse_font_h's)."""
    from aegui.core.files.errors import os_problem
    from aegui.core.files.userfile import read_file
    source = str(path)
    try:
        data = read_file(path, "font")
    except FileNotFoundError:
        raise FontParseError("file not found", source) from None
    except OSError as e:
        raise FontParseError(os_problem(e), source) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Course files written on Windows carry accented comments in cp1252.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as e:
            line = data[:e.start].count(b"\n") + 1
            raise FontParseError(f"not a text file (byte 0x{data[e.start]:02x} is neither "
                                 "UTF-8 nor Windows-1252)", source, line) from None
    return parse_font_h(text, source, progress)


# --- writing -----------------------------------------------------------------

def label_problem(label: str) -> str | None:
    """What keeps `label` (already stripped) from being a glyph's label, or None. One rule for
    the window's label dialog (data/library.clean_label), teaching a font.h and writing one: a
    label is written in a one-line comment, and read back from it."""
    if not label:
        return "a label cannot be empty"
    if not label.isprintable():
        # NUL, a line break, a right-to-left mark: a comment would hide, break or reorder them.
        return "a label must be one line of printable characters"
    if label.endswith("\\") and "*/" in label:
        # font.h writes such a label inside /* ... */, which `*/` would close early.
        return "a label ending in a backslash cannot contain '*/'"
    return None


def _check_writable(font: Font, names: set) -> None:
    """Refuses fonts that parse_font_h would read back differently."""
    if not _IDENT.fullmatch(font.name) or font.name in names:
        raise ValueError(f"font name {shown(font.name)} is not a unique C identifier")
    names.add(font.name)
    if not font.glyphs:
        raise ValueError(f"font {font.name} has no glyphs")
    first = font.glyphs[0].code
    base = _BASES.get(font.name.lower(), first)
    if first != base or any(g.code != base + k for k, g in enumerate(font.glyphs)):
        raise ValueError(f"font {font.name}: codes must run consecutively from 0x{base:02x}, "
                         "since font.h gives each glyph its code by position")
    for g in font.glyphs:
        problem = "it has spaces around it" if g.label != g.label.strip() else label_problem(g.label)
        if problem:
            raise ValueError(f"font {font.name}: label {shown(g.label)} of 0x{g.code:02x} "
                             f"cannot be written in a one-line comment: {problem}")


def write_font_h(fonts, header_comment: str | None = None) -> str:
    """The fonts as a font.h text (C arrays with a comment per glyph), under an optional header comment;
    ValueError for nothing to write or a font that cannot be written."""
    fonts, names, blocks = list(fonts), set(), []
    if not fonts:
        raise ValueError("no fonts to write")
    if header_comment:
        blocks.append("\n".join(f"// {s}".rstrip() for s in header_comment.splitlines()))
    for font in fonts:
        _check_writable(font, names)
        out = [f"int const {font.name}[{len(font.glyphs)}][7] = {{"]
        for k, g in enumerate(font.glyphs):
            values = ", ".join(f"0x{r:02x}" for r in g.rows)
            sep = "," if k < len(font.glyphs) - 1 else ""
            label = g.label.replace("\\", "\\\\")
            # A `//` comment ending in a backslash would swallow the next row in C.
            note = (f"/* 0x{g.code:02x}, {label} */" if label.endswith("\\")
                    else f"// 0x{g.code:02x}, {label}")
            out.append(f"   {{{values}}}{sep}   {note}")
        out.append("};")
        blocks.append("\n".join(out))
    return "\n\n".join(blocks) + "\n"
