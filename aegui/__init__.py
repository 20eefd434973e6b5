"""aegui, the autoencoder studio. Importing this package never imports Qt or torch."""

__version__ = "0.1.0"
