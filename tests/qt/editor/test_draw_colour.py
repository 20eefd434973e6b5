"""The Draw tab for picture models: the canvas starts from the model's background (white for emoji
drawn on white: it started black), and colour models paint in colour, picked in the colour dialog
or taken with the eyedropper from the canvas or the model's output."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog

from aegui.qt import i18n
from aegui.qt.editor.image_canvas import DrawPanel

SHAPE = (16, 16, 3)


def faces_on_white(n=5) -> np.ndarray:
    imgs = np.ones((n,) + SHAPE, np.float32)
    imgs[:, 4:12, 4:12] = (1.0, 0.8, 0.1)          # a yellow face in the middle of each
    return imgs


def at(view, y: int, x: int) -> QPoint:
    """The widget point over the centre of picture pixel (y, x)."""
    g, s = view.grid_rect(), view.scale()
    return QPoint(int(g.x() + (x + 0.5) * s), int(g.y() + (y + 0.5) * s))


@pytest.fixture
def panel(qtbot):
    p = DrawPanel()
    qtbot.addWidget(p)
    p.resize(420, 640)
    p.show()
    qtbot.waitExposed(p)
    return p


def test_the_canvas_starts_from_the_model_s_background(panel):
    panel.set_model(lambda x: x, None, SHAPE, faces_on_white(), list("abcde"))
    np.testing.assert_array_equal(panel.canvas.pixels, np.ones(SHAPE, np.float32))     # white, not black
    panel.canvas.paint_line((3.5, 3.5), (3.5, 8.5))
    panel.clear_button.click()
    np.testing.assert_array_equal(panel.canvas.pixels, np.ones(SHAPE, np.float32))     # Erase all: white again
    grey = np.zeros((4, 28, 28), np.float32)
    grey[:, 8:20, 12:16] = 1.0
    panel.set_model(lambda x: x, None, (28, 28), grey, list("abcd"))
    assert panel.canvas.pixels.max() == 0.0                                            # MNIST-like: no ink
    assert not panel.bar.colour_button.isVisible() and not panel.bar.pick_button.isVisible()


def test_the_colour_dialog_sets_the_brush_and_the_right_button_erases_to_the_background(panel, qtbot, monkeypatch):
    panel.set_model(lambda x: x, None, SHAPE, faces_on_white(), list("abcde"))
    assert panel.bar.colour_button.isVisible() and panel.bar.pick_button.isVisible()
    asked = []
    monkeypatch.setattr(QColorDialog, "getColor",
                        staticmethod(lambda initial, parent, title: asked.append(title) or QColor(200, 30, 60)))
    qtbot.mouseClick(panel.bar.colour_button, Qt.MouseButton.LeftButton)
    assert asked == ["Brush colour"]
    c = panel.canvas
    qtbot.mouseClick(c, Qt.MouseButton.LeftButton, pos=at(c, 2, 3))
    np.testing.assert_allclose(c.pixels[2, 3], (200 / 255, 30 / 255, 60 / 255), atol=1e-6)
    assert (c.pixels[10, 10] == 1.0).all()                  # one cell: the 16 px canvas paints whole cells
    qtbot.mouseClick(c, Qt.MouseButton.RightButton, pos=at(c, 2, 3))
    np.testing.assert_array_equal(c.pixels[2, 3], (1.0, 1.0, 1.0))
    panel.run_model()
    np.testing.assert_allclose(panel.fed.reshape(SHAPE), c.pixels)


def test_the_eyedropper_takes_a_colour_from_the_output_and_from_the_canvas(panel, qtbot):
    blue = np.zeros(SHAPE, np.float32)
    blue[..., 2] = 0.8
    panel.set_model(lambda x: blue.reshape(1, -1), None, SHAPE, faces_on_white(), list("abcde"))
    panel.run_model()
    qtbot.mouseClick(panel.bar.pick_button, Qt.MouseButton.LeftButton)
    assert panel.bar.picking() and panel.hint.text() == "Click a picture to paint with its colour."
    out = panel.output_view
    qtbot.mouseClick(out, Qt.MouseButton.LeftButton, pos=at(out, 5, 5))
    assert not panel.bar.picking()                          # one pick, then back to painting
    np.testing.assert_allclose(panel.bar.colour, (0.0, 0.0, 0.8), atol=1e-6)
    c = panel.canvas
    qtbot.mouseClick(c, Qt.MouseButton.LeftButton, pos=at(c, 1, 1))
    np.testing.assert_allclose(c.pixels[1, 1], (0.0, 0.0, 0.8), atol=1e-6)
    # From the canvas: a white cell; the click takes the colour and paints nothing.
    before = c.pixels.copy()
    qtbot.mouseClick(panel.bar.pick_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(c, Qt.MouseButton.LeftButton, pos=at(c, 9, 9))
    np.testing.assert_array_equal(c.pixels, before)
    np.testing.assert_allclose(panel.bar.colour, (1.0, 1.0, 1.0))
    i18n.set_language("es")
    assert panel.bar.pick_button.text() == "Tomar color" and panel.bar.colour_button.text() == "Color…"


def test_a_soft_colour_stroke_does_not_pile_up_its_rims(panel):
    panel.set_model(lambda x: x, None, (32, 32, 3), np.ones((3, 32, 32, 3), np.float32), list("abc"))
    c = panel.canvas
    assert not c.cells and c.brush == 1.5
    c.set_colour((0.0, 0.0, 0.0))
    c.paint_line((16.8, 4.5), (16.8, 26.5))          # along a row: each rim pixel is covered many times
    # Row 18's centres are 1.7 px from the stroke: one dot covers them 0.3; the stroke no more.
    np.testing.assert_allclose(c.pixels[18, 8:22], 0.7, atol=1e-5)
