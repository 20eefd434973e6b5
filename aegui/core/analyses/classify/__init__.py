"""Classifying from codes: the probe (a softmax head on a trained autoencoder's codes, beside the same
head on raw pixels) and the stacked-autoencoder classifier."""
