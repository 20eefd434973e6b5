"""Denoising measured: the denoising curve (wrong pixels against the noise level, over seeds), a
drawing tested on N noisy copies, and one drawing denoised as the pixel editor shows it."""
