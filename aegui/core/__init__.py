"""Qt-free core: the CLI, the tests and the window all drive it. Never imports Qt.

One folder a concern: config (experiment files), data (datasets and noise), models (the
networks), train (the training loop), analyses (sweeps and report figures), files (what lands on disk)."""
