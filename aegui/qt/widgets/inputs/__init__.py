"""What the user types into: `field_editors` (the editor of a field description, chosen by its
type) and `fields` (the fields' names), `layer_editor` (layer sizes, numbers like 1e-3), `path_edit`
(a path and its dialog) and `decimal_key` (the '.' key types the decimal comma)."""
