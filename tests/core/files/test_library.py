import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from aegui.core.data.glyphs import Glyph, read_font_h
from aegui.core.data.library import FORMAT, GlyphLibrary, LibraryEntry, LibraryReadOnlyError, clean_label

ROOT = Path(__file__).resolve().parents[3]

A = (0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11)
B = (0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E)
T = (0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04)


def arr(rows):
    return Glyph(0x20, rows, "?").to_array()


@pytest.fixture
def lib_path(tmp_path):
    return tmp_path / "library.json"


def test_default_path_follows_aegui_home(tmp_path, monkeypatch):
    monkeypatch.setenv("AEGUI_HOME", str(tmp_path / "home"))
    lib = GlyphLibrary()
    assert lib.path == tmp_path / "home" / "library.json"
    assert len(lib) == 0 and lib.warning is None
    assert not lib.path.exists()  # nothing written until something changes


def test_add_remove_rename_persist_across_instances(lib_path):
    lib = GlyphLibrary(lib_path)
    assert lib.add(arr(A), "A", "drawn") == 0
    assert lib.add(Glyph(0x42, B, "B"), source="generated") == 1  # a Glyph keeps its label
    assert lib.add(arr(T) * 0.9, "T", "latent") == 2               # ink is >= 0.5
    assert lib.rename(1, "  b  ") == "b"
    removed = lib.remove(0)
    assert removed.label == "A" and removed.rows == A

    again = GlyphLibrary(lib_path)
    assert [(e.label, e.rows, e.source) for e in again.entries()] == [("b", B, "generated"), ("T", T, "latent")]
    assert again.warning is None
    assert all(e.created for e in again.entries())
    np.testing.assert_array_equal(again.entry(1).to_array(), arr(T))
    g = again.glyph(1)
    assert (g.code, g.rows, g.label) == (0x21, T, "T")

    again.insert(0, removed)  # undo of the removal: same place, same time stamp
    third = GlyphLibrary(lib_path)
    assert third.entries()[0] == removed and len(third) == 3


def test_file_format(lib_path):
    lib = GlyphLibrary(lib_path)
    lib.add(arr(A), "ñ", "drawn")
    doc = json.loads(lib_path.read_text("utf-8"))
    assert doc["format"] == FORMAT == "aegui-glyph-library" and doc["version"] == 1
    assert doc["glyphs"][0]["label"] == "ñ" and doc["glyphs"][0]["rows"] == list(A)
    assert set(doc["glyphs"][0]) == {"label", "rows", "created", "source"}
    lib.remove(0)
    assert json.loads(lib_path.read_text("utf-8"))["glyphs"] == []


@pytest.mark.parametrize("bad", ["", "   ", "a\nb", "tab\there", "x" * 33, "a*/\\", None, 5])
def test_bad_labels_are_refused_and_nothing_changes(lib_path, bad):
    lib = GlyphLibrary(lib_path)
    lib.add(arr(A), "A")
    with pytest.raises(ValueError):
        lib.add(arr(B), bad)
    with pytest.raises(ValueError):
        lib.rename(0, bad)
    assert [e.label for e in GlyphLibrary(lib_path).entries()] == ["A"]


def test_label_rules():
    assert clean_label(" ") == "space"
    assert clean_label("Ω") == "Ω"
    assert clean_label("\\") == "\\"
    assert clean_label(" arrow left ") == "arrow left"


def test_array_without_label_and_bad_shape_are_refused(lib_path):
    lib = GlyphLibrary(lib_path)
    with pytest.raises(ValueError):
        lib.add(arr(A), None)
    with pytest.raises(ValueError):
        lib.add(np.zeros((5, 7)), "x")
    with pytest.raises(IndexError):
        lib.remove(0)
    assert not lib_path.exists()


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe garbage", b"[1, 2, 3]",
                                     b'{"format": "something-else", "version": 1, "glyphs": []}'])
def test_damaged_file_is_kept_aside_and_warned(lib_path, content):
    lib_path.write_bytes(content)
    lib = GlyphLibrary(lib_path)
    assert len(lib) == 0
    assert lib.warning and "could not be read" in lib.warning
    damaged = list(lib_path.parent.glob("library.json.damaged-*"))
    assert damaged == [lib.damaged_path]
    assert damaged[0].read_bytes() == content   # byte for byte
    assert str(damaged[0]) in lib.warning
    assert not lib_path.exists()

    lib.add(arr(A), "A")                          # the new library does not touch the old file
    assert damaged[0].read_bytes() == content
    assert [e.label for e in GlyphLibrary(lib_path).entries()] == ["A"]


def test_two_damaged_files_in_the_same_second_do_not_collide(lib_path):
    for content in (b"first", b"second"):
        lib_path.write_bytes(content)
        GlyphLibrary(lib_path)
    kept = sorted(p.read_bytes() for p in lib_path.parent.glob("library.json.damaged-*"))
    assert kept == [b"first", b"second"]


def test_partly_damaged_file_keeps_the_good_glyphs(lib_path):
    good = LibraryEntry("A", A, "2024-01-01T00:00:00+00:00", "drawn").to_dict()
    doc = {"format": FORMAT, "version": 1,
           "glyphs": [good, {"label": "B", "rows": [1, 2, 3], "created": "", "source": "drawn"},
                      {"label": "", "rows": list(T), "created": "", "source": "drawn"}]}
    original = json.dumps(doc)
    lib_path.write_text(original, "utf-8")
    lib = GlyphLibrary(lib_path)
    assert [e.label for e in lib.entries()] == ["A"]
    assert lib.skipped == 2 and "2 of 3 entries" in lib.warning
    assert lib.damaged_path.read_text("utf-8") == original
    # The good part is written back at once, so it survives a session with no changes.
    assert [e.label for e in GlyphLibrary(lib_path).entries()] == ["A"]


def test_newer_version_is_neither_moved_nor_overwritten(lib_path):
    text = json.dumps({"format": FORMAT, "version": 99, "glyphs": []})
    lib_path.write_text(text, "utf-8")
    lib = GlyphLibrary(lib_path)
    assert lib.read_only and "newer" in lib.warning
    with pytest.raises(LibraryReadOnlyError):
        lib.add(arr(A), "A")
    assert len(lib) == 0
    assert lib_path.read_text("utf-8") == text
    assert not list(lib_path.parent.glob("*.damaged-*"))


def test_failed_save_leaves_memory_as_on_disk(lib_path, monkeypatch):
    lib = GlyphLibrary(lib_path)
    lib.add(arr(A), "A")

    def broken(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("aegui.core.data.library.atomic_write_text", broken)
    with pytest.raises(OSError):
        lib.add(arr(B), "B")
    with pytest.raises(OSError):
        lib.remove(0)
    assert [e.label for e in lib.entries()] == ["A"]


def test_export_font_h_round_trips(lib_path, tmp_path):
    lib = GlyphLibrary(lib_path)
    labels = ["A", "space", "ñ", "\\", "arrow left", "a//b", "0x7f"]
    for k, label in enumerate(labels):
        lib.add(arr([(r + k) % 32 for r in A]), label)
    out = lib.export_font_h(tmp_path / "out" / "font.h")
    fonts = read_font_h(out)
    assert len(fonts) == 1 and not fonts[0].warnings
    font = fonts[0]
    assert font.name == "UserFont"
    assert [g.code for g in font.glyphs] == list(range(0x20, 0x20 + len(labels)))
    assert [g.label for g in font.glyphs] == labels
    assert [g.rows for g in font.glyphs] == [e.rows for e in lib.entries()]
    assert font == lib.to_font()


def test_export_with_a_course_font_name_keeps_its_base(lib_path, tmp_path):
    lib = GlyphLibrary(lib_path)
    lib.add(arr(A), "A")
    lib.add(arr(B), "B")
    font = read_font_h(lib.export_font_h(tmp_path / "f.h", name="Font3"))[0]
    assert [g.code for g in font.glyphs] == [0x60, 0x61] and [g.label for g in font.glyphs] == ["A", "B"]


def test_export_refuses_empty_library_and_bad_names(lib_path, tmp_path):
    lib = GlyphLibrary(lib_path)
    with pytest.raises(ValueError):
        lib.export_font_h(tmp_path / "f.h")
    lib.add(arr(A), "A")
    with pytest.raises(ValueError):
        lib.export_font_h(tmp_path / "f.h", name="not an identifier")
    assert not (tmp_path / "f.h").exists()


def test_module_imports_neither_qt_nor_torch():
    code = ("import sys, aegui.core.data.library, aegui.core.files.atomic; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'PySide6', 'shiboken6')); "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
