"""Glyphs and images drawn small: `glyph_view` (one), `glyph_strip` (a row of them under their
titles) and `marks` (one colour per meaning for the marks on them, and the legend that names it)."""
