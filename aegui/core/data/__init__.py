"""Datasets and what is done to them: the data sources a config reads (sources/: one module a source
and their registry), the 5x7 fonts of font.h (glyphs), images (emoji, folders, IDX, digits), the
shape of a sample from file headers (data_shape), datasets and their splits, noise, how arrays look
on screen (display), and the user's glyph library (library)."""
