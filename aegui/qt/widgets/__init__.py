"""Small widgets several panels share: the glyph view, the path field, elided labels and text helpers,
and the translated field names (fields) the builder and the sweep editor both show."""
