"""Small widgets several panels share: the glyph view, the path field, elided labels and text helpers."""
