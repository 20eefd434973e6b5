"""A data set's background, the colour the drawing canvas starts from: the frame of its pictures
(no ink for the glyphs and MNIST, white for emoji drawn on white, black for photos on black), or
the display's paper when there are no pictures."""
import numpy as np

from aegui.core.data.display import background, paper


def test_without_pictures_the_paper_of_each_colour_convention():
    assert paper((28, 28)) == 0.0 and paper((28, 28)).shape == ()
    np.testing.assert_array_equal(paper((16, 16, 3)), [1, 1, 1])
    np.testing.assert_array_equal(paper((16, 16, 4)), [1, 1, 1, 0])
    np.testing.assert_array_equal(background(None, (8, 8, 3)), [1, 1, 1])


def test_the_frame_of_the_pictures_decides():
    grey = np.zeros((5, 8, 8), np.float32)
    grey[:, 2:6, 3:5] = 1.0                       # ink in the middle, as in MNIST
    assert background(grey, (8, 8)) == 0.0
    white = np.ones((4, 6, 6, 3), np.float32)
    white[:, 2:4, 2:4] = (1.0, 0.8, 0.0)          # a yellow face on white
    np.testing.assert_array_equal(background(white.reshape(4, -1), (6, 6, 3)), [1, 1, 1])
    dark = np.zeros((4, 6, 6, 3), np.float32)
    dark[:, 1:5, 1:5] = 0.7                       # photos on black
    np.testing.assert_array_equal(background(dark, (6, 6, 3)), [0, 0, 0])


def test_the_shipped_emoji_start_white_and_the_digits_blank():
    from aegui.core.schema.experiment import Experiment
    from aegui.core.config.validation import with_changes
    from aegui.core.data.datasets import from_config
    emoji = from_config(with_changes(Experiment(), data={"source": "emoji", "size": 16, "color": "rgb"}).data)
    np.testing.assert_allclose(background(emoji.x, emoji.shape), [1, 1, 1], atol=0.02)
    digits = from_config(with_changes(Experiment(), data={"source": "digits"}).data)
    assert background(digits.x, digits.shape) == 0.0
