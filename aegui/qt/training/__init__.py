"""Training as it happens: the live charts panel and the reconstructions panel."""
