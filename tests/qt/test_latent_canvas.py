import time

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from aegui.qt import i18n
from aegui.qt.widgets.latent_canvas import LatentCanvas

LABELS = [chr(ord("a") + i) for i in range(26)] + list("012345")


def pattern(z: np.ndarray) -> np.ndarray:
    """A 7x5 image per code that changes with floor(2*z) and is not symmetric."""
    z = np.asarray(z, np.float64)
    r = np.arange(7)[None, :, None]
    c = np.arange(5)[None, None, :]
    fx = np.floor(2 * z[:, 0])[:, None, None]
    fy = np.floor(2 * z[:, 1:].sum(1))[:, None, None] if z.shape[1] > 1 else 0
    img = ((r + fx) % 3 == 0) ^ ((c + fy) % 2 == 0)
    img = img.astype(np.float32)
    img[:, 0, 0] = 1.0   # top-left always ink, bottom-right never: shows flips
    img[:, -1, -1] = 0.0
    return img


class FakeDecoder:
    def __init__(self):
        self.calls: list[np.ndarray] = []

    def __call__(self, z):
        assert z.dtype == np.float32 and z.ndim == 2
        self.calls.append(z.copy())
        return pattern(z)


def make_codes(n=32, dim=2, seed=0):
    return (np.random.default_rng(seed).normal(size=(n, dim)) * 1.5).astype(np.float32)


@pytest.fixture
def canvas(qtbot):
    w = LatentCanvas()
    qtbot.addWidget(w)
    w.resize(700, 500)
    w.show()
    qtbot.waitExposed(w)
    dec = FakeDecoder()
    w.set_decoder(dec, (7, 5))
    w.set_codes(make_codes(), LABELS, autorange=True)
    w.dec = dec
    return w


def viewport_pos(w: LatentCanvas, x: float, y: float) -> QPoint:
    scene = w.vb.mapViewToScene(QPointF(x, y))
    return w.plot.mapFromScene(scene)


def settle_map(qtbot, w):
    qtbot.waitUntil(lambda: w.map_image() is not None, timeout=2000)
    qtbot.wait(w.MAP_DELAY_MS + 50)


def test_hover_changes_preview_and_cursor_glyph(canvas):
    first = canvas.hover_at(0.3, 0.3).copy()
    cursor_first = canvas.cursor_item.image.copy()
    assert canvas.cursor_item.isVisible()
    second = canvas.hover_at(-1.2, 0.8)
    assert not np.array_equal(first, second)
    assert not np.array_equal(cursor_first, canvas.cursor_item.image)
    np.testing.assert_array_equal(canvas.preview_image(), pattern(np.array([[-1.2, 0.8]]))[0])
    np.testing.assert_array_equal(canvas.preview.image(), canvas.preview_image())
    assert "-1.20" in canvas.preview.caption()


def test_glyph_images_are_upright(canvas, qtbot):
    canvas.hover_at(0.0, 0.0)
    top = canvas.cursor_item.mapToView(QPointF(0.5, 0.5))       # row 0
    bottom = canvas.cursor_item.mapToView(QPointF(0.5, 6.5))    # last row
    left, right = canvas.cursor_item.mapToView(QPointF(0.5, 0.5)), canvas.cursor_item.mapToView(QPointF(4.5, 0.5))
    assert top.y() > bottom.y() and left.x() < right.x()
    # The top-left pixel is ink, drawn black.
    assert canvas.cursor_item.image[0, 0] == 0 and canvas.cursor_item.image[-1, -1] == 255
    settle_map(qtbot, canvas)
    tiles = canvas.map_image()
    assert tiles.shape[2:] == (7, 5) and tiles[..., 0, 0].all() and not tiles[..., -1, -1].any()


def test_mouse_move_decodes_the_point_under_the_cursor(canvas, qtbot):
    settle_map(qtbot, canvas)
    canvas.dec.calls.clear()
    QTest.mouseMove(canvas.plot.viewport(), viewport_pos(canvas, 0.7, -0.4))
    qtbot.waitUntil(lambda: any(len(c) == 1 for c in canvas.dec.calls), timeout=2000)
    z = [c for c in canvas.dec.calls if len(c) == 1][-1][0]
    sx, sy = canvas.vb.viewPixelSize()
    assert abs(z[0] - 0.7) <= 2 * sx and abs(z[1] + 0.4) <= 2 * sy
    assert canvas.cursor_item.isVisible()


def test_set_codes_keeps_the_view_unless_asked(canvas):
    canvas.vb.setRange(xRange=(-0.5, 0.5), yRange=(0.0, 1.0), padding=0)
    before = np.array(canvas.vb.viewRange())
    canvas.set_codes(make_codes(seed=1), LABELS)
    np.testing.assert_allclose(canvas.vb.viewRange(), before)
    canvas.set_codes(make_codes(seed=1) * 3, LABELS, autorange=True)
    after = np.array(canvas.vb.viewRange())
    assert after[0, 1] - after[0, 0] > 3
    xy = canvas.projected_codes()
    assert (xy[:, 0] > after[0, 0]).all() and (xy[:, 0] < after[0, 1]).all()


def test_latent_map_is_one_batched_call_after_pan_zoom_settles(canvas, qtbot):
    settle_map(qtbot, canvas)
    canvas.dec.calls.clear()
    for k in range(5):  # a burst of range changes, like a wheel zoom
        canvas.vb.setRange(xRange=(-1 - 0.1 * k, 1), yRange=(-1, 1 + 0.1 * k), padding=0)
    qtbot.waitUntil(lambda: len(canvas.dec.calls) >= 1, timeout=2000)
    qtbot.wait(canvas.MAP_DELAY_MS * 2)
    assert len(canvas.dec.calls) == 1
    z = canvas.dec.calls[0]
    tiles = canvas.map_image()
    assert len(z) == tiles.shape[0] * tiles.shape[1] >= 64
    (x0, x1), (y0, y1) = canvas.vb.viewRange()
    assert x0 < z[:, 0].min() and z[:, 0].max() < x1 and y0 < z[:, 1].min() and z[:, 1].max() < y1
    # Row 0 of the map is the top of the view.
    assert z[0, 1] > z[-1, 1]

    canvas.map_check.setChecked(False)
    canvas.dec.calls.clear()
    canvas.vb.setRange(xRange=(-2, 2), yRange=(-2, 2), padding=0)
    qtbot.wait(canvas.MAP_DELAY_MS * 2)
    assert canvas.dec.calls == [] and not canvas.map_item.isVisible()


def test_click_pins_into_the_tray(canvas, qtbot):
    settle_map(qtbot, canvas)
    pos = viewport_pos(canvas, -0.6, 0.9)
    with qtbot.waitSignal(canvas.pinned, timeout=2000) as blocker:
        QTest.mouseClick(canvas.plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    z, img = blocker.args
    sx, sy = canvas.vb.viewPixelSize()
    assert abs(z[0] + 0.6) <= 2 * sx and abs(z[1] - 0.9) <= 2 * sy
    np.testing.assert_array_equal(img, pattern(z[None])[0])
    items = canvas.tray.items()
    assert len(items) == 1
    with qtbot.waitSignal(canvas.save_requested) as saved:
        items[0].act_save.trigger()
    np.testing.assert_array_equal(saved.args[0], img)
    with qtbot.waitSignal(canvas.send_to_editor) as sent:
        items[0].act_edit.trigger()
    np.testing.assert_array_equal(sent.args[0], img)
    items[0].act_remove.trigger()
    assert canvas.tray.items() == []


def test_interpolation_strip_and_png_export(canvas, qtbot, tmp_path):
    codes = make_codes()
    canvas.interp.combo_a.setCurrentIndex(3)
    canvas.interp.combo_b.setCurrentIndex(17)
    qtbot.mouseClick(canvas.interp.interp_button, Qt.MouseButton.LeftButton)
    strip = canvas.strip_images()
    assert strip.shape == (10, 7, 5)
    np.testing.assert_array_equal(strip[0], pattern(codes[3:4])[0])
    np.testing.assert_array_equal(strip[-1], pattern(codes[17:18])[0])
    assert canvas.interp.ends() == ("d", "r")

    strip = canvas.interpolate(0, 1, steps=6)
    assert strip.shape == (6, 7, 5)
    path = tmp_path / "strip.png"
    canvas.export_strip(path)
    img = QImage(str(path))
    assert (img.width(), img.height()) == (6 * 5 * 8 + 5 * 8, 7 * 8)
    # Ink is black: top-left pixel of the first tile.
    assert QImage(str(path)).pixelColor(2, 2).value() == 0


def test_shift_click_two_points_interpolates(canvas, qtbot):
    xy = canvas.projected_codes()
    for k in (4, 9):
        QTest.mouseClick(canvas.plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                         viewport_pos(canvas, *xy[k]))
    qtbot.waitUntil(lambda: canvas.strip_images() is not None, timeout=2000)
    assert canvas.interp.ends() == (LABELS[4], LABELS[9])
    assert canvas.tray.items() == []  # Shift+click does not pin


def test_pca_projection_decodes_full_vectors(canvas, qtbot):
    from sklearn.decomposition import PCA
    codes = make_codes(dim=4, seed=3) * np.array([3, 1, 0.5, 0.1], np.float32)
    canvas.set_codes(codes, LABELS)
    assert canvas.proj_box.isVisible()
    canvas.proj_combo.setCurrentIndex(1)
    canvas.dec.calls.clear()
    canvas.hover_at(0.4, -0.2)
    z = canvas.dec.calls[-1]
    assert z.shape == (1, 4)
    pca = PCA(n_components=2, svd_solver="full").fit(codes)
    signs = np.sign(np.sum(pca.components_ * canvas._basis, axis=1))
    np.testing.assert_allclose(z[0], pca.inverse_transform([[0.4 * signs[0], -0.2 * signs[1]]])[0], atol=1e-5)
    np.testing.assert_allclose(np.abs(canvas.projected_codes()), np.abs(pca.transform(codes)), atol=1e-4)


def test_dims_projection_fills_other_dims_with_the_mean(canvas):
    codes = make_codes(dim=4, seed=5)
    canvas.set_codes(codes, LABELS)
    canvas.dim_i.setValue(1)
    canvas.dim_j.setValue(3)
    canvas.dec.calls.clear()
    canvas.hover_at(0.25, -0.75)
    z = canvas.dec.calls[-1][0]
    mean = codes.mean(0)
    np.testing.assert_allclose(z, [mean[0], 0.25, mean[2], -0.75], atol=1e-6)
    np.testing.assert_allclose(canvas.projected_codes(), codes[:, [1, 3]], atol=1e-6)


def test_one_dimensional_latent(canvas, qtbot):
    codes = make_codes(dim=1, seed=2)
    canvas.set_codes(codes, LABELS)
    assert not canvas.proj_box.isVisible()
    xy = canvas.projected_codes()
    np.testing.assert_allclose(xy[:, 0], codes[:, 0])
    assert (xy[:, 1] == 0).all()
    canvas.dec.calls.clear()
    canvas.hover_at(0.5, 0.3)
    assert canvas.dec.calls[-1].tolist() == [[0.5]]
    settle_map(qtbot, canvas)
    assert canvas.interpolate(0, 1, steps=4).shape == (4, 7, 5)


def test_without_a_decoder_shows_a_message(canvas):
    canvas.set_decoder(None, (7, 5))
    assert canvas.message.isVisible() and canvas.message.text()
    assert canvas.hover_at(0.0, 0.0) is None and canvas.preview_image() is None
    canvas.set_decoder(canvas.dec, (7, 5))
    assert not canvas.message.isVisible()


def test_colour_images(canvas, qtbot):
    canvas.set_decoder(lambda z: np.tile(pattern(z)[..., None], (1, 1, 1, 3)) * [1.0, 0.5, 0.0], (7, 5, 3))
    assert canvas.hover_at(0.1, 0.1).shape == (7, 5, 3)
    canvas.vb.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)
    qtbot.waitUntil(lambda: canvas.map_image() is not None and canvas.map_image().shape[-1] == 3, timeout=2000)


def test_language_switch(canvas):
    try:
        i18n.set_language("es")
        assert canvas.reset_button.text() == "Restablecer vista"
        assert canvas.tabs.tabText(1) == "Interpolación"
    finally:
        i18n.set_language("en")
    assert canvas.reset_button.text() == "Reset view"


def test_hover_is_fast(canvas):
    canvas.hover_at(0.0, 0.0)
    t = time.perf_counter()
    for k in range(100):
        canvas.hover_at(0.01 * k, -0.01 * k)
        canvas.preview.repaint()
    assert (time.perf_counter() - t) / 100 < 0.016


def test_screenshot(canvas, qtbot):
    settle_map(qtbot, canvas)
    canvas.pin_at(0.5, 0.5)
    canvas.pin_at(-1.0, 1.0)
    canvas.interpolate(0, 5)
    canvas.hover_at(0.5, 0.3)
    qtbot.wait(20)
    assert canvas.grab().save("/tmp/latent_canvas.png")
