"""Datasets and what is done to them: the 5x7 fonts of font.h (glyphs, datasets), images (emoji,
folders, IDX, digits), sample shapes, noise, how arrays look on screen (display), and the user's
glyph library (library)."""
