import pickle
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from aegui.core.data.glyphs import (Font, FontParseError, Glyph, array_to_text, glyphs_to_array, label_for, parse_font_h, read_font_h, write_font_h)

FONT_H = Path(__file__).resolve().parents[3] / "resources" / "font.h"
HEADER = ("Aca tienen 3 juegos de fonts para entrenar el autoencoder.\n"
          "Usen solo uno de los tres.  Son 32 patrones de 7x5 cada uno.")

A_TEXT = "\n".join(["..#..", ".#.#.", "#...#", "#...#", "#####", "#...#", "#...#"])
LOWER_A_TEXT = "\n".join([".....", ".###.", "....#", ".##.#", "#..##", "#..##", ".##.#"])


@pytest.fixture(scope="module")
def fonts():
    return read_font_h(FONT_H)


def by_code(fonts, code):
    return next(g for f in fonts for g in f.glyphs if g.code == code)


def font3_block():
    text = FONT_H.read_text()
    return text[text.index("int const Font3"):]


def parse_error(text):
    with pytest.raises(FontParseError) as info:
        parse_font_h(text, "test.h")
    return info.value


# --- the shipped file ---------------------------------------------------------

def test_real_file_has_three_fonts_of_32(fonts):
    assert [f.name for f in fonts] == ["Font1", "Font2", "Font3"]
    for font, base in zip(fonts, (0x20, 0x40, 0x60)):
        assert [g.code for g in font.glyphs] == list(range(base, base + 32))
        assert [g.label for g in font.glyphs] == [label_for(c) for c in range(base, base + 32)]


def test_g_takes_its_code_from_position_and_warns(fonts):
    g = fonts[1].glyphs[7]
    assert (g.code, g.label) == (0x47, "G")
    assert len(fonts[1].warnings) == 1
    warning = fonts[1].warnings[0]
    assert "0x37" in warning and "0x47" in warning and "line 47" in warning
    assert fonts[0].warnings == () and fonts[2].warnings == ()


def test_known_shapes(fonts):
    assert by_code(fonts, 0x41).to_text() == A_TEXT
    assert by_code(fonts, 0x61).to_text() == LOWER_A_TEXT
    assert by_code(fonts, 0x20).rows == (0,) * 7
    assert by_code(fonts, 0x7F).to_text(on="X", off=" ") == "\n".join(["XXXXX"] * 7)
    # The `\\` comment must not eat the `]` row that follows it.
    assert by_code(fonts, 0x5C).label == "\\"
    assert by_code(fonts, 0x5D).rows == (0x0E, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0E)


def test_labels():
    assert [label_for(c) for c in (0x20, 0x41, 0x5C, 0x7E, 0x7F)] == ["space", "A", "\\", "~", "DEL"]
    assert label_for(0x80) == "0x80"


# --- other editions and spellings -----------------------------------------------

def test_one_font_edition(fonts):
    only = parse_font_h(font3_block())
    assert len(only) == 1
    assert only[0] == fonts[2]
    assert only[0].glyphs[0].code == 0x60


def test_leading_width_column(fonts):
    rows = [f"   {{5, {', '.join(f'0x{r:02x}' for r in g.rows)}}},   // 0x{g.code:02x}, {g.label}"
            for g in fonts[2].glyphs]
    text = "unsigned char const Font3[32][8] = {\n" + "\n".join(rows) + "\n};\n"
    assert parse_font_h(text) == [fonts[2]]


def test_c_variants_and_any_row_count():
    text = ("#include <stdint.h>\n"
            "static const uint8_t Font1[3][7] = {\r\n"
            "  {0, 4, 10, 17, 31, 17, 17},  /* 0x20, space */\r\n"
            "  {0x1F, 0X1f, 0b11111, 037, 31u, 0, 0},\r\n"
            "  {0,0,0,0,0,0,0}\r\n"
            "};\r\n")
    [font] = parse_font_h(text)
    assert [g.code for g in font.glyphs] == [0x20, 0x21, 0x22]
    assert font.glyphs[0].rows == (0, 4, 10, 17, 31, 17, 17)
    assert font.glyphs[1].rows == (31, 31, 31, 31, 31, 0, 0)
    assert [g.label for g in font.glyphs] == ["space", "!", '"']


def test_unknown_array_names_get_codes_from_comment_or_order():
    row = "{0,0,0,0,0,0,0}"
    text = (f"int Emoji[2][7] = {{ {row},  // 0x80, heart\n {row} }};\n"
            f"int Other[][7] = {{ {row} }};\n")
    emoji, other = parse_font_h(text)
    assert [(g.code, g.label) for g in emoji.glyphs] == [(0x80, "heart"), (0x81, "0x81")]
    assert other.glyphs[0].code == 0x20 + 32 * 1


# --- malformed files ------------------------------------------------------------

GOOD_ROW = "   {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},"


def test_value_too_big():
    err = parse_error(f"int const Font1[2][7] = {{\n{GOOD_ROW}\n   {{0x00, 0x20, 0, 0, 0, 0, 0}}\n}};\n")
    assert err.line == 3 and err.source == "test.h"
    assert str(err) == "test.h line 3: value 0x20 does not fit 5 bits (rows hold 0x00..0x1f)"


def test_row_with_wrong_count():
    err = parse_error(f"int const Font1[2][7] = {{\n{GOOD_ROW}\n   {{0, 0, 0, 0, 0, 0}}\n}};\n")
    assert str(err) == ("test.h line 3: row has 6 values; "
                        "expected 7 (or 8 with a leading width column)")


def test_row_count_disagrees_with_declared_width():
    err = parse_error("int const Font1[1][7] = {\n  {5, 0, 0, 0, 0, 0, 0, 0}\n};\n")
    assert err.line == 2 and "row has 8 values; expected 7" in str(err)


def test_non_number_token():
    err = parse_error(f"int const Font1[2][7] = {{\n{GOOD_ROW}\n   {{0, 0, O, 0, 0, 0, 0}}\n}};\n")
    assert str(err) == "test.h line 3: `O` is not a number"


def test_array_never_closed_at_end_of_file():
    err = parse_error(f"// x\nint const Font1[2][7] = {{\n{GOOD_ROW}\n{GOOD_ROW}\n")
    assert err.line == 2
    assert str(err) == "test.h line 2: array Font1 opened on line 2 is never closed"


def test_array_never_closed_before_next_array():
    text = FONT_H.read_text().replace("0x1f}   // 0x5f, _\n};", "0x1f}   // 0x5f, _\n")
    err = parse_error(text)
    assert err.line == 39
    assert "array Font2 opened on line 39 is never closed" in str(err)
    assert "line 74" in str(err)  # where Font3 starts


def test_row_never_closed():
    err = parse_error(f"int const Font1[2][7] = {{\n   {{0, 0, 0, 0, 0, 0, 0,\n{GOOD_ROW}\n}};\n")
    assert err.line == 2 and "row opened on line 2 is never closed" in str(err)


def test_no_arrays():
    err = parse_error("// nothing here\n#define X 3\n")
    assert err.line is None
    assert str(err) == ("test.h: no glyph arrays found; expected C arrays like "
                        "`int const Font1[32][7] = {...}`")


def test_declared_size_mismatch():
    err = parse_error(f"\nint const Font1[32][7] = {{\n{GOOD_ROW}\n{GOOD_ROW}\n}};\n")
    assert err.line == 2 and "32" in str(err) and "has 2" in str(err)


def test_duplicate_names():
    block = f"int const Font1[1][7] = {{\n{GOOD_ROW}\n}};\n"
    err = parse_error(block + "\n" + block)
    assert err.line == 5 and "Font1" in str(err) and "line 1" in str(err)


def test_error_survives_pickling():
    err = parse_error("nothing")
    copy = pickle.loads(pickle.dumps(err))
    assert (str(copy), copy.source, copy.line) == (str(err), err.source, err.line)


def test_read_missing_file(tmp_path):
    missing = tmp_path / "nope.h"
    with pytest.raises(FontParseError) as info:
        read_font_h(missing)
    assert str(missing) in str(info.value) and "file not found" in str(info.value)


def test_read_undecodable_file(tmp_path):
    path = tmp_path / "bad.h"
    path.write_bytes(b"// ok\nint const Font1[1][7] = {\x81\x8d\x90};\n")
    with pytest.raises(FontParseError) as info:
        read_font_h(path)
    assert info.value.line == 2 and str(path) in str(info.value)


def test_read_windows_1252_comments(tmp_path):
    path = tmp_path / "font.h"
    path.write_bytes("// Acá están\n".encode("cp1252") + font3_block().encode())
    assert [f.name for f in read_font_h(path)] == ["Font3"]


# --- writing ----------------------------------------------------------------------

def test_round_trip_real_file(fonts):
    text = write_font_h(fonts, HEADER)
    assert parse_font_h(text) == fonts
    assert parse_font_h(text)[1].warnings == ()
    # Course style: only the mislabelled G and the backslash comment differ from the original.
    changed = [(a, b) for a, b in zip(FONT_H.read_text().splitlines(), text.splitlines()) if a != b]
    assert len(text.splitlines()) == len(FONT_H.read_text().splitlines())
    assert [b for _, b in changed] == [
        "   {0x0e, 0x11, 0x10, 0x10, 0x13, 0x11, 0x0f},   // 0x47, G",
        "   {0x10, 0x10, 0x08, 0x04, 0x02, 0x01, 0x01},   /* 0x5c, \\\\ */"]


def test_round_trip_with_user_glyphs(fonts):
    heart = Glyph.from_array(np.array([[0, 1, 0, 1, 0], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1],
                                       [0, 1, 1, 1, 0], [0, 1, 1, 1, 0], [0, 0, 1, 0, 0],
                                       [0, 0, 0, 0, 0]]), 0x80, "heart // <3")
    slash = Glyph(0x81, (1, 2, 4, 8, 16, 0, 0), "a\\")
    font3 = Font("Font3", fonts[2].glyphs + (heart, slash))
    emoji = Font("Emoji", (Glyph(0xE000, heart.rows, "❤"), Glyph(0xE001, (31,) * 7, "block")))
    text = write_font_h([font3, emoji])
    assert parse_font_h(text) == [font3, emoji]
    assert "int const Font3[34][7] = {" in text


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_written_file_is_c_that_keeps_every_row(fonts, tmp_path):
    (tmp_path / "font.h").write_text(write_font_h(fonts, HEADER))
    (tmp_path / "t.c").write_text('#include <stdio.h>\n#include "font.h"\n'
                                  'int main(void) { printf("%d", Font2[29][0]); return 0; }\n')
    subprocess.run(["gcc", "-Wall", "-Werror", "t.c", "-o", "t"], cwd=tmp_path, check=True)
    out = subprocess.run([str(tmp_path / "t")], capture_output=True, text=True, check=True)
    assert out.stdout == str(0x0E)  # the `]` glyph, which a `// ... \\` comment would swallow


def test_writer_refuses_what_it_cannot_read_back(fonts):
    gap = Font("Font3", fonts[2].glyphs[:2] + fonts[2].glyphs[3:])
    with pytest.raises(ValueError, match="consecutively"):
        write_font_h([gap])
    with pytest.raises(ValueError, match="consecutively"):
        write_font_h([Font("Font1", fonts[2].glyphs)])
    with pytest.raises(ValueError, match="identifier"):
        write_font_h([fonts[0], fonts[0]])
    with pytest.raises(ValueError, match="label"):
        write_font_h([Font("X", (Glyph(0x80, (0,) * 7, "two\nlines"),))])


# --- arrays -----------------------------------------------------------------------

def test_array_round_trip(fonts):
    glyphs = [g for f in fonts for g in f.glyphs]
    arr = glyphs_to_array(glyphs)
    assert arr.shape == (96, 35) and arr.dtype == np.float32
    assert set(np.unique(arr)) <= {0.0, 1.0}
    for g, flat in zip(glyphs, arr):
        assert Glyph.from_array(flat, g.code) == g
        assert Glyph.from_array(g.to_array(), g.code, g.label) == g
    assert glyphs_to_array([]).shape == (0, 35)


def test_to_array_orientation(fonts):
    a = by_code(fonts, 0x41).to_array()
    assert a.shape == (7, 5) and a.dtype == np.float32
    assert a[0].tolist() == [0, 0, 1, 0, 0]
    assert a[:, 0].tolist() == [0, 0, 1, 1, 1, 1, 1]  # bit 4 is the left column


def test_from_array_threshold_and_shape():
    noisy = np.full((7, 5), 0.49)
    noisy[0, 0] = 0.5
    assert Glyph.from_array(noisy, 0x21).rows == (0x10, 0, 0, 0, 0, 0, 0)
    with pytest.raises(ValueError):
        Glyph.from_array(np.zeros((5, 7)), 0x21)


def test_array_to_text(fonts):
    a = by_code(fonts, 0x41)
    assert array_to_text(a.to_array() * 0.9) == A_TEXT
    assert array_to_text(a.to_array().reshape(-1)) == A_TEXT


def test_a_huge_number_is_cut_in_the_message():
    """A 100 KB number token was echoed whole: the message is cut, still one readable line."""
    from aegui.core.data.glyphs import FontParseError, parse_font_h
    big = "9" * 100_000
    with pytest.raises(FontParseError) as err:
        parse_font_h("int const Font1[1][7] = {{" + big + ",0,0,0,0,0,0}};", "f.h")
    message = str(err.value)
    assert len(message) < 200 and "f.h line 1" in message and "…" in message


def test_an_array_name_that_is_not_a_c_identifier_is_named():
    """`Шрифт_ü[20][7]` said "no glyph arrays found"; it says the name is not a C identifier."""
    from aegui.core.data.glyphs import FontParseError, parse_font_h
    with pytest.raises(FontParseError) as err:
        parse_font_h("\nint const Шрифт_ü[1][7] = {{0,0,0,0,0,0,0}};", "f.h")
    message = str(err.value)
    assert "Шрифт_ü" in message and "not a C identifier" in message and "line 2" in message


def test_characters_asked_for_and_absent_from_the_font_are_told_not_dropped():
    """data.chars "A~" on Font3 (lower case) trained on '~' alone without a word; now the dataset says which were
    left out, and where none is there the error lists what the font has."""
    from aegui.core.data.sources.font import font_dataset
    from aegui.core.schema.experiment import ConfigError
    ds = font_dataset(("Font3",), "A~~b")
    assert ds.labels == ["b", "~"]
    assert ds.warnings == ["data.chars: 'A' is not in Font3; training on '~b' only"]
    assert font_dataset(("Font3",), "ab").warnings == []
    with pytest.raises(ConfigError, match=r"none of 'AB' is in Font3, which has ` a b .* ~ DEL"):
        font_dataset(("Font3",), "AB")
