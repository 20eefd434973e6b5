"""The analyses panel: denoising curve, AE latent vs PCA vs t-SNE, classifier probe."""
