"""Qt-free core: datasets, specs, models, training, storage. Never imports Qt."""
