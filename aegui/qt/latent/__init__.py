"""The latent-space canvas (pan, zoom, decode under the cursor), the layers that draw the dataset's
codes on it (latent_codes), and its trays of generated samples and interpolations."""
