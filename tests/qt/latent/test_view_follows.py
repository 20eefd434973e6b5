"""The latent canvas follows what it shows: codes that grow out of the view, and the point under a
resting mouse when the model or the view changes."""
import numpy as np
from PySide6.QtCore import QPointF

from aegui.qt.window.window_matrix import settle
from tests.qt.latent.test_latent_canvas import LABELS, FakeDecoder, choose_view, make_codes, pattern


def test_codes_growing_out_of_an_untouched_view_are_followed(canvas):
    # Training with a latent size of 3: codes start near +-3 and grow to +-50..100.
    for scale in (1, 5, 20, 60):
        canvas.set_codes(make_codes(seed=2) * scale, LABELS)
        (x0, x1), (y0, y1) = canvas.vb.viewRange()
        xy = canvas.projected_codes()
        inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
        assert inside.all(), f"points left the view at scale {scale}"


def test_a_view_the_user_chose_is_kept_until_no_point_is_left_in_it(canvas):
    choose_view(canvas, (-0.5, 0.5), (-0.5, 0.5))
    assert not canvas.follow.following()
    chosen = np.array(canvas.vb.viewRange())
    canvas.set_codes(make_codes(seed=1), LABELS)
    np.testing.assert_allclose(canvas.vb.viewRange(), chosen)
    canvas.set_codes(make_codes(seed=1) + 100, LABELS)
    assert canvas.vb.viewRange()[0][0] > 90


def _rest_mouse(canvas, x, y):
    scene = canvas.vb.mapViewToScene(QPointF(x, y))
    canvas.mouse.moved(scene)
    canvas.mouse.flush()
    return scene


def test_a_new_model_decodes_the_point_under_the_resting_mouse(canvas, qtbot):
    scene = _rest_mouse(canvas, 0.7, -0.4)
    other = FakeDecoder()
    canvas.set_decoder(lambda z: 1 - pattern(z), (7, 5))
    canvas.set_codes(make_codes(seed=3) * 4, LABELS, autorange=True)
    settle()
    p = canvas.vb.mapSceneToView(scene)
    expected = 1 - pattern(canvas.state.lift(np.array([[p.x(), p.y()]], np.float32)))[0]
    np.testing.assert_array_equal(canvas.preview_image(), expected)
    assert other.calls == []


def test_a_wheel_zoom_keeps_the_cursor_glyph_its_size_on_screen(canvas, qtbot):
    _rest_mouse(canvas, 0.7, -0.4)
    def height_px():
        return canvas.cursor_item.sceneBoundingRect().height()
    before = height_px()
    canvas.vb.scaleBy((0.5, 0.5))
    settle()
    assert abs(height_px() - before) <= 2, (before, height_px())


import pytest  # noqa: E402

from tests.qt.latent.test_latent_canvas import canvas  # noqa: E402,F401  (the fixture)
