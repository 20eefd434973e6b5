"""The drawing canvas's brush fits the picture's size: on an 8x8 digit the
default brush painted 2-3 cells per stroke and a "7" became a blob."""
import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from aegui.qt.editor.image_canvas import DrawPanel


def _at(canvas, y: float, x: float) -> QPoint:
    """The widget point over image point (y, x)."""
    g, s = canvas.grid_rect(), canvas.scale()
    return QPoint(round(g.x() + x * s), round(g.y() + y * s))


def _panel(qtbot, shape):
    panel = DrawPanel()
    qtbot.addWidget(panel)
    panel.resize(420, 640)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_model(lambda x: x, None, shape)
    return panel


def test_a_stroke_on_an_8x8_digit_paints_one_cell_wide(qtbot):
    panel = _panel(qtbot, (8, 8))
    c = panel.canvas
    # The top bar of a "7", drawn a little off the cells' centres as a hand does.
    QTest.mousePress(c, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _at(c, 1.3, 1.4))
    for x in (2.2, 3.1, 4.3, 5.2, 6.4):
        QTest.mouseMove(c, _at(c, 1.3 + 0.05 * x, x))
    QTest.mouseRelease(c, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _at(c, 1.6, 6.4))
    inked = {(int(r), int(k)) for r, k in zip(*np.nonzero(c.pixels > 0))}
    assert inked == {(1, k) for k in range(1, 7)}, sorted(inked)
    assert set(np.unique(c.pixels)) <= {0.0, 1.0}        # whole cells, no grey rims
    # One click, one cell.
    c.clear()
    QTest.mouseClick(c, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _at(c, 3.2, 4.7))
    assert {(int(r), int(k)) for r, k in zip(*np.nonzero(c.pixels > 0))} == {(3, 4)}
    assert panel.brush.value() == c.brush


def test_bigger_pictures_keep_a_proportionate_soft_brush(qtbot):
    panel = _panel(qtbot, (28, 28))
    assert panel.canvas.brush == 1.5 and panel.brush.value() == 1.5
    panel.set_model(lambda x: x, None, (16, 16))
    assert panel.canvas.brush == 1.0 and panel.brush.value() == 1.0
