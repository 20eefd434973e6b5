"""Pixels as shown: a diverged model's NaN outputs draw as blank paper (white), in grey, RGB and
RGBA alike, with no "invalid value encountered in cast" (a cast of NaN to uint8 is undefined: the
report's picture of 000's diverged VAE showed whatever the cast made of it)."""
import warnings

import numpy as np

from aegui.core.data.display import to_uint8


def test_nan_pixels_are_blank_paper_in_every_layout():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grey = to_uint8(np.full((2, 3), np.nan))
        rgb = to_uint8(np.full((2, 3, 3), np.nan))
        rgba = to_uint8(np.array([[[np.nan, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, np.nan]]]))
    assert (grey == 255).all() and (rgb == 255).all()
    assert rgba[0, 0].tolist() == [255, 0, 0] and rgba[0, 1].tolist() == [255, 255, 255]
    # ordinary pixels are unchanged: ink is black in grey, colours stay
    assert to_uint8(np.array([[1.0, 0.0]])).tolist() == [[0, 255]]
