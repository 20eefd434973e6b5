"""What the window reads and writes on disk: `files` (models, fonts and datasets opened, the
panels' exports saved), `settings` (where the app's settings live) and `save_place` (the folder a
save dialog opens in)."""
