"""How files are read and written, whatever they hold: atomic writes and file sets, the one reader of
user files and of JSON, one-sentence errors, locks, where files live (paths), model paths and the
model index, PNG writing, and where the user guide's site is (guide_site). The ground floor beside
the schema: what a model or the glyph library stores is runs/storage.py and data/library.py."""
