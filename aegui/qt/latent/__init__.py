"""The latent-space canvas (pan, zoom, decode under the cursor) and its trays of generated samples
and interpolations."""
