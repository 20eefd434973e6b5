"""What the course report concludes from the numbers it measured: the checks of each document
(checks.py picks one; checks_glyphs.py, checks_vae.py, checks_mnist.py), the helpers they share (claims.py: a
finding, verdicts over seeds) and the one test behind every verdict (stats.py)."""
