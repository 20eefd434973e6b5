"""What a report needs beyond one training: sweeps over settings and seeds, denoising curves,
classifier probes, AE vs PCA vs t-SNE embeddings, and the Pillow charts and figures they export."""
