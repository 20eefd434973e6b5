"""Comparing: two trained models side by side (two_models.py: codes, reconstructions, metrics) and runs
of several settings over epochs (runs.py: train and test loss per epoch, for the course's
comparisons)."""
