"""Search and highlight on the latent canvas: by label, and k nearest neighbours (latent / pixels)."""
import numpy as np
from PySide6.QtCore import QPointF, Qt

from aegui.qt.latent.latent_canvas import LatentCanvas


def _canvas(qtbot):
    canvas = LatentCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(700, 500)
    canvas.show()
    labels = ["ankle boot", "a", "b", "ankle boot", "A", "coat"]
    codes = np.array([[0, 0], [5, 5], [0.2, 0.1], [9, 9], [0.5, 0], [4, 4]], np.float32)
    # Pixel space disagrees with latent space: sample 5's image equals sample 0's.
    images = np.zeros((6, 7, 5), np.float32)
    for i, v in enumerate([1, 0, 0.1, 0.3, 0.2, 1]):
        images[i, :, :] = v
    canvas.set_decoder(lambda z: np.zeros((len(z), 35), np.float32), (7, 5))
    canvas.set_codes(codes, labels, autorange=True, images=images)
    return canvas, codes


def test_search_by_label_rings_exactly_those_points(qtbot):
    canvas, codes = _canvas(qtbot)
    s = canvas.search
    s.edit.setText("ankle boot")
    assert list(s.selected) == [0, 3]
    np.testing.assert_allclose(s.rings.getData()[0], codes[[0, 3], 0])
    s.edit.setText("a")                       # exact matches (any case) before substrings
    assert list(s.selected) == [1, 4]
    s.edit.setText("oat")
    assert list(s.selected) == [5] and "1 point labelled" in s.result.text()
    s.edit.setText("zebra")
    assert len(s.selected) == 0 and "No label" in s.result.text()
    s.edit.clear()
    assert len(s.rings.getData()[0]) == 0


def test_nearest_neighbours_in_latent_and_pixel_space(qtbot):
    canvas, codes = _canvas(qtbot)
    s = canvas.search
    assert list(s.neighbours(0, k=2, space="latent")) == [2, 4]
    assert list(s.neighbours(0, k=2, space="pixel")) == [5, 3]
    # The rings follow the points when training moves the codes.
    s.neighbours(0, k=2, space="latent")
    moved = codes.copy()
    moved[2] = (7, 7)
    canvas.set_codes(moved, canvas.state.labels, images=None)
    assert list(s.selected) == [4, 5]                   # latent neighbours measured again
    np.testing.assert_allclose(s.rings.getData()[0], moved[[4, 5], 0])


def test_alt_click_rings_neighbours_of_the_point_clicked(qtbot):
    canvas, codes = _canvas(qtbot)
    canvas.search.k_spin.setValue(1)
    pos = canvas.vb.mapViewToScene(QPointF(*codes[3]))
    view_pos = canvas.plot.mapFromScene(pos)
    qtbot.mouseClick(canvas.plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier, view_pos)
    assert canvas.search._centre == 3 and list(canvas.search.selected) == [1]
    assert canvas.tray.items() == []                    # Alt+click rings; it does not pin


def test_3d_view_turns_the_plane_and_hover_decodes_on_it(qtbot):
    from aegui.qt.latent.view.rotate3d import view_basis
    canvas = LatentCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(700, 500)
    canvas.show()
    codes = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], np.float32)
    got = []
    canvas.set_decoder(lambda z: (got.append(np.array(z)), np.zeros((len(z), 35), np.float32))[1], (7, 5))
    canvas.set_codes(codes, list("abcd"), autorange=True)
    assert canvas.rotate.isVisibleTo(canvas) and not canvas.rotate.active()
    canvas.rotate.check.setChecked(True)
    canvas.rotate.set_angles(90, 0)                 # turned a quarter: the screen's x is -z2
    xy = canvas.projected_codes()
    np.testing.assert_allclose(xy[3, 0] - xy[0, 0], -1.0, atol=1e-6)
    np.testing.assert_allclose(xy[1, 0] - xy[0, 0], 0.0, atol=1e-6)
    b = view_basis(30, 20)
    np.testing.assert_allclose(b @ b.T, np.eye(2), atol=1e-9)
    canvas.rotate.set_angles(30, 20)
    canvas.hover_at(0.3, -0.2)
    z = got[-1][0]
    mean = codes.mean(0)
    np.testing.assert_allclose(z, mean + np.array([0.3, -0.2]) @ b, atol=1e-5)   # a point of the view plane
    # A right-button drag turns it.
    from PySide6.QtCore import QPoint
    vp = canvas.plot.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.RightButton, pos=QPoint(100, 100))
    qtbot.mouseMove(vp, QPoint(140, 100))
    qtbot.mouseRelease(vp, Qt.MouseButton.RightButton, pos=QPoint(140, 100))
    assert canvas.rotate.yaw.value() != 30


def test_star_of_another_latent_size_is_dropped_when_the_model_changes(qtbot):
    canvas, codes = _canvas(qtbot)
    canvas.search.mark(np.array([1.0, 2.0], np.float32))
    assert len(canvas.search.marker.getData()[0]) == 1
    canvas.set_codes(np.zeros((6, 16), np.float32), canvas.state.labels, autorange=True)   # a 16-D model
    assert len(canvas.search.marker.getData()[0]) == 0
