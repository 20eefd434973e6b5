"""Denoising measured: the denoising curve (wrong pixels against the noise level, over seeds) and a
drawing tested on N noisy copies."""
