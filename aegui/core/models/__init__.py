"""The networks: MLP and conv autoencoders as K stacked models on one flat buffer (nets, conv, layers),
their layouts without torch (arch), loss terms (losses), and encode/decode helpers (latent)."""
