"""Trims the ICU data library that PySide6's Qt carries (libicudata.so.NN, 32 MB) to what Qt
reads for the languages the app speaks.

    python installer/icu_data.py LIBRARY [--languages en es]      (the spec runs it on Linux)

Qt links ICU for three things only (the ICU functions libQt6Core imports): collation (`ucol_*`:
QCollator, which sorts the file dialog's names), time-zone names (`ucal_*`) and legacy text
encodings (`ucnv_*`: QStringDecoder("Shift_JIS") and the like). The data library holds those and
much more: every locale's collation, currency, unit, language, region and zone names, number
spelling, transliteration, line-break dictionaries and 200 legacy encoding tables. What is kept:
every file that is not a locale's (the Unicode collation table, normalisation, time-zone rules,
the key pools, the indexes) and the locale files of `languages` and of the root locale. What
goes: other languages' locale files (Qt then sorts and names time zones as the root locale
does: Unicode's default order, "GMT+1"), the encoding tables (the app reads and writes UTF-8
only; UTF-8/16/32 and Latin-1 are Qt's own) and the break-iterator, transliteration and
number-spelling trees, which Qt never calls. docs/packaging.md has the measurements.

It needs `icupkg` (Debian/Ubuntu: icu-devtools), `readelf` and a C compiler driver (`cc`); the
spec skips the step, with a note, where one is missing. The library is rebuilt with the same
name, soname and single exported symbol (icudtNN_dat), so libicuuc finds it as before.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LANGUAGES = ("en", "es")      # the app's languages (aegui/qt's i18n)
TOOLS = ("icupkg", "readelf", "cc")
# Trees of the data Qt never reads: break iterators, transliterators, rule-based number spelling.
DROPPED_TREES = ("brkitr", "translit", "rbnf")
_LOCALE = re.compile(r"^([a-z]{2,3})(_.*)?\.res$")   # de.res, es_419.res, coll/de__PHONEBOOK.res
_NOT_LOCALES = {"res_index.res"}                       # matches the pattern, is every tree's index


def items_to_drop(names: list[str], languages=LANGUAGES) -> list[str]:
    """The items of an ICU data package (as `icupkg -l` lists them) that the trimmed one leaves out."""
    drop = []
    for name in names:
        folder, _, base = name.rpartition("/")
        locale = _LOCALE.match(base)
        if base.endswith(".cnv") or folder.split("/")[0] in DROPPED_TREES:
            drop.append(name)
        elif locale and base not in _NOT_LOCALES and locale.group(1) not in languages:
            drop.append(name)
    return drop


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def _data_symbol(library: Path) -> tuple[str, int, int]:
    """(name, address, size) of the library's icudtNN_dat symbol."""
    out = subprocess.run(["readelf", "--dyn-syms", "-W", str(library)], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 8 and re.fullmatch(r"icudt\d+_dat", fields[7]):
            return fields[7], int(fields[1], 16), int(fields[2], 0)
    raise ValueError(f"{library}: no icudtNN_dat symbol (not an ICU data library)")


def _symbol_bytes(library: Path, address: int, size: int) -> bytes:
    """The bytes at a virtual address, found through the section that holds it."""
    out = subprocess.run(["readelf", "-SW", str(library)], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if m:
            start, offset, length = (int(g, 16) for g in m.groups())
            if start <= address and address + size <= start + length:
                with open(library, "rb") as f:
                    f.seek(offset + address - start)
                    return f.read(size)
    raise ValueError(f"{library}: no section holds the data symbol")


def trim(library: Path, languages=LANGUAGES) -> tuple[int, int]:
    """Rewrites `library` in place with the trimmed data; returns its (old, new) size in bytes."""
    library = Path(library)
    symbol, address, size = _data_symbol(library)
    package = symbol[:-len("_dat")] + ("l" if sys.byteorder == "little" else "b")   # icudt73l
    before = library.stat().st_size
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "in").mkdir()
        (tmp / "out").mkdir()
        full = tmp / "in" / f"{package}.dat"
        full.write_bytes(_symbol_bytes(library, address, size))
        names = subprocess.run(["icupkg", "-l", str(full)], capture_output=True, text=True, check=True).stdout.split()
        (tmp / "drop.txt").write_text("\n".join(items_to_drop(names, languages)) + "\n", encoding="ascii")
        # icupkg names the items after the output file, so it keeps the package's own name.
        small = tmp / "out" / f"{package}.dat"
        subprocess.run(["icupkg", "-r", str(tmp / "drop.txt"), str(full), str(small)], check=True,
                       capture_output=True)
        source = tmp / "data.S"
        source.write_text(
            '    .section .note.GNU-stack,"",@progbits\n'
            "    .section .rodata\n"
            f"    .globl {symbol}\n"
            f"    .type {symbol}, @object\n"
            "    .balign 16\n"
            f"{symbol}:\n"
            f'    .incbin "{small}"\n'
            f"    .size {symbol}, . - {symbol}\n", encoding="ascii")
        built = tmp / library.name
        subprocess.run(["cc", "-shared", "-nostdlib", f"-Wl,-soname,{library.name}", "-o", str(built), str(source)],
                       check=True, capture_output=True)
        shutil.copyfile(built, library)
    return before, library.stat().st_size


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--languages", nargs="+", default=list(LANGUAGES))
    args = parser.parse_args(argv)
    missing = missing_tools()
    if missing:
        print(f"icu_data.py: {', '.join(missing)} not found; {args.library} left as it is", file=sys.stderr)
        return 2
    before, after = trim(args.library, tuple(args.languages))
    print(f"icu_data.py: {args.library.name} {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
