"""Compare two models of the same data: latent maps side by side with linked hover, the same
inputs' reconstructions and their metrics in one table."""
