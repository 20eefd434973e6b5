"""Datasets and what is done to them: the 5x7 fonts of font.h (glyphs, datasets), images (emoji,
folders, IDX, digits), sample shapes, noise, and how arrays look on screen (display)."""
