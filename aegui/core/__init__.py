"""Qt-free core: the CLI, the tests and the window all drive it. Never imports Qt.

One folder a concern: config (experiment files), archs (the architectures and their registry),
data (datasets and noise), models (the networks and each model kind's objective), train (the
training loop), analyses (sweeps and report figures), files (what lands on disk)."""
