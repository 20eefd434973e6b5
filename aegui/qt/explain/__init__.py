"""Explain one input: what the shown model computes for it, layer by layer."""
