"""Drawing for image models: the model gets exactly the pixels drawn."""
import numpy as np
from PySide6.QtCore import QPoint, Qt

from aegui.qt.editor.image_canvas import DrawPanel, stamp


def test_round_brush_is_round_and_soft():
    px = np.zeros((28, 28), np.float32)
    stamp(px, 14.5, 14.5, 3.0, 1.0)                      # centred on pixel (14, 14)
    assert px[14, 14] == 1.0 and px[14, 16] == 1.0 and px[14, 17] == 0.5 and px[14, 18] == 0.0
    assert 0.0 < px[12, 12] < 1.0 and px[11, 11] == 0.0   # round: the square's corners stay blank
    np.testing.assert_allclose(px, px.T)                 # symmetric: a disc
    stamp(px, 14.5, 14.5, 1.0, 0.0)                      # erase
    assert px[14, 14] == 0.0


def test_drawing_with_the_mouse_feeds_the_model_the_drawn_pixels(qtbot):
    panel = DrawPanel()
    qtbot.addWidget(panel)
    panel.resize(420, 600)
    panel.show()
    got = []

    def reconstruct(x):
        got.append(np.array(x))
        return 1.0 - x
    codes = []
    panel.input_changed.connect(lambda x: None)
    panel.code_changed.connect(codes.append)
    train = np.zeros((3, 28, 28), np.float32)
    train[1, :, 10:14] = 1.0                              # a vertical bar, like the stroke below
    train[2, 10:14, :] = 1.0
    panel.set_model(reconstruct, lambda x: x[:, :2] + 0.5, (28, 28), train, ["blank", "one", "dash"])
    c = panel.canvas
    g = c.grid_rect()
    s = c.scale()
    top = QPoint(int(g.x() + 12 * s), int(g.y() + 2 * s))
    bottom = QPoint(int(g.x() + 12 * s), int(g.y() + 26 * s))
    qtbot.mousePress(c, Qt.MouseButton.LeftButton, pos=top)
    for k in range(1, 11):
        qtbot.mouseMove(c, QPoint(top.x(), top.y() + (bottom.y() - top.y()) * k // 10))
    qtbot.mouseRelease(c, Qt.MouseButton.LeftButton, pos=bottom)
    panel.run_model()
    fed = got[-1].reshape(28, 28)
    np.testing.assert_array_equal(fed, c.pixels)        # exactly what is drawn (no noise chosen)
    assert fed[5:24, 12].min() > 0.9 and fed[:, :8].max() == 0.0
    np.testing.assert_allclose(panel.output_view.image(), 1.0 - c.pixels)
    assert panel.nearest(c.pixels)[0] == 1                # the nearest training image is the bar
    assert panel.near_views[0].caption() == "one"
    np.testing.assert_allclose(codes[-1], c.pixels.reshape(-1)[:2] + 0.5)
    # Noise: the model gets a corrupted copy, the drawing stays.
    panel.noise.setCurrentIndex(panel.noise.findData("salt_pepper"))
    panel.level.setValue(0.3)
    assert not np.array_equal(got[-1].reshape(28, 28), c.pixels)
    panel.clear_button.click()
    panel.run_model()
    assert c.pixels.max() == 0.0
