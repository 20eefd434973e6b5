"""The course report's pictures, drawn with Pillow: bars, matrices, scatter plots and stacks
(figures.py), loss curves (curves.py), a grid search's heatmap (heatmap.py), pictures of trained
models (models.py) and the figures that measure what a document shows in a picture (measures.py)."""
