import time

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from aegui.qt import i18n
from aegui.qt.latent.latent_canvas import LatentCanvas
from aegui.qt.window.window_matrix import settle

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


def wheel(w: LatentCanvas, notches: int = 1, at: QPoint | None = None) -> None:
    """Turn the mouse wheel over the plot, as a user zooms."""
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication
    viewport = w.plot.viewport()
    pos = QPointF(at if at is not None else viewport.rect().center())
    event = QWheelEvent(pos, QPointF(viewport.mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, 120 * notches),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, event)


def choose_view(w: LatentCanvas, x_range, y_range) -> None:
    """The user zooms (the wheel) to the view (x_range, y_range)."""
    wheel(w)
    w.vb.setRange(xRange=x_range, yRange=y_range, padding=0)


def settle_map(qtbot, w):
    """The map is drawn and nothing else is on its way (decodes run on a worker)."""
    qtbot.waitUntil(lambda: w.map_image() is not None and not w.busy(), timeout=10000)


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
    choose_view(canvas, (-0.5, 0.5), (0.0, 1.0))
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
    qtbot.waitUntil(lambda: len(canvas.dec.calls) >= 1 and not canvas.busy(), timeout=10000)
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
    assert not canvas.busy()                       # nothing scheduled: no map is decoded
    assert canvas.dec.calls == [] and not canvas.map.item.isVisible()


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
    canvas.export_strip(path, scale=8)
    img = QImage(str(path))
    # Tiles 8x enlarged with one glyph pixel between them, the end labels in a band below.
    assert img.width() == 6 * 5 * 8 + 5 * 8 and img.height() > 7 * 8
    # Ink is black: top-left pixel of the first tile.
    assert img.pixelColor(2, 2).value() == 0
    band = [img.pixelColor(x, y).value() for y in range(7 * 8, img.height()) for x in range(img.width())]
    assert min(band) < 128   # the labels "a" and "b" are written


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
    signs = np.sign(np.sum(pca.components_ * canvas.state.basis, axis=1))
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


def test_screenshot(canvas, qtbot):
    settle_map(qtbot, canvas)
    canvas.pin_at(0.5, 0.5)
    canvas.pin_at(-1.0, 1.0)
    canvas.interpolate(0, 5)
    canvas.hover_at(0.5, 0.3)
    settle()
    assert canvas.grab().save("/tmp/latent_canvas.png")


# -- images ----------------------------------------------------------------------------------

def colour_pattern(z: np.ndarray, side: int = 16, alpha: bool = False) -> np.ndarray:
    """[M, side, side, 3|4]: red grows with z0, blue with z1; the top-left pixel is black."""
    z = np.asarray(z, np.float32)
    out = np.zeros((len(z), side, side, 4 if alpha else 3), np.float32)
    out[..., 0] = (1 / (1 + np.exp(-2 * z[:, 0])))[:, None, None]
    out[..., 2] = (1 / (1 + np.exp(-2 * z[:, 1:].sum(1))))[:, None, None]
    out[:, 0, 0, :3] = 0.0
    if alpha:
        out[..., 3] = 1.0
        out[:, -1, -1, 3] = 0.0   # one transparent pixel: white on screen
    return out


@pytest.fixture
def image_canvas(canvas):
    calls = []

    def dec(z):
        calls.append(z.copy())
        return colour_pattern(z)
    canvas.set_decoder(dec, (16, 16, 3), vae=True)
    codes = make_codes()
    canvas.set_codes(codes, LABELS, autorange=True, images=colour_pattern(codes))
    canvas.calls = calls
    return canvas


def preview_pixel(w: LatentCanvas, row: int, col: int):
    return w.preview.grab().toImage().pixelColor(w.preview.cell_rect(row, col).center().toPoint())


def test_hover_on_an_image_model_paints_a_colour_preview(image_canvas, qtbot):
    w = image_canvas
    w.hover_at(-1.5, 0.0)
    red_left = preview_pixel(w, 8, 8).red()
    w.hover_at(1.5, 0.0)
    assert preview_pixel(w, 8, 8).red() > red_left + 100
    assert preview_pixel(w, 0, 0).value() < 40               # the black pixel is top-left: upright
    assert w.preview.image().shape == (16, 16, 3) and w.cursor_item.image.shape == (16, 16, 3)
    # Big pictures get a big preview, not 20 px cells and a grid.
    assert w.preview.scale() * 16 >= 120 and not w.preview._grid
    settle_map(qtbot, w)
    assert w.map_image().shape[2:] == (16, 16, 3)


def test_rgba_images_are_shown_on_white(canvas):
    canvas.set_decoder(lambda z: colour_pattern(z, alpha=True), (16, 16, 4))
    img = canvas.hover_at(0.2, 0.2)
    assert img.shape == (16, 16, 4)
    corner = preview_pixel(canvas, 15, 15)
    assert (corner.red(), corner.green(), corner.blue()) == (255, 255, 255)
    assert canvas.cursor_item.image.shape == (16, 16, 3) and canvas.cursor_item.image[-1, -1].tolist() == [255] * 3


def test_sample_from_prior_pins_n_seeded_samples_and_rerolls(image_canvas, qtbot):
    w = image_canvas
    assert w.tray.sample_button.isEnabled()
    w.tray.count.setValue(5)
    qtbot.mouseClick(w.tray.sample_button, Qt.MouseButton.LeftButton)
    items = w.tray.items()
    assert len(items) == 5 and all(it.prior for it in items)
    z = np.array([it.z for it in items])    # left to right: the first sample is leftmost
    np.testing.assert_allclose(z, np.random.default_rng(0).standard_normal((5, 2)), atol=1e-6)
    np.testing.assert_allclose(items[0].image, colour_pattern(z[:1])[0], atol=1e-6)
    assert len(w.prior_item.data) == 5                # where they came from, marked on the plot
    w.pin_at(0.1, 0.1)                                # a pinned one survives re-rolls
    qtbot.mouseClick(w.tray.reroll_button, Qt.MouseButton.LeftButton)
    assert w.tray.seed.value() == 1
    items = w.tray.items()
    assert len(items) == 6 and sum(it.prior for it in items) == 5
    z1 = np.array([it.z for it in items if it.prior])
    np.testing.assert_allclose(z1, np.random.default_rng(1).standard_normal((5, 2)), atol=1e-6)
    # Images cannot go to the glyph library or the editor; they can be saved as PNG.
    assert not items[0].act_save.isVisible() and not items[0].act_edit.isVisible() and items[0].act_png.isVisible()
    qtbot.mouseClick(w.tray.clear_button, Qt.MouseButton.LeftButton)
    assert w.tray.items() == [] and len(w.prior_item.data) == 0


def test_prior_sampling_needs_a_vae(canvas):
    assert not canvas.tray.sample_button.isEnabled()
    assert "VAE" in canvas.tray.sample_button.toolTip()
    assert canvas.sample_prior(4, 0) is None and canvas.tray.items() == []


def test_thumbnails_toggle(image_canvas, qtbot):
    w = image_canvas
    assert w.codes_box.isVisible() and w.codes_mode() == "thumbs"
    thumbs = w.thumbnail_items()
    assert len(thumbs) == len(LABELS) and not w.scatter.isVisible()
    xy = w.projected_codes()
    assert [(t.pos().x(), t.pos().y()) for t in thumbs[:3]] == [tuple(map(float, p)) for p in xy[:3]]
    # Same size on screen at every zoom.
    size = thumbs[0].sceneBoundingRect().width()
    w.vb.setRange(xRange=(-0.5, 0.5), yRange=(-0.5, 0.5), padding=0)
    assert thumbs[0].sceneBoundingRect().width() == pytest.approx(size)
    assert w.set_codes_mode("points")
    assert w.thumbnail_items() == [] and w.scatter.isVisible()
    # Too many samples for thumbnails: the mode is not offered.
    many = make_codes(n=400)
    w.set_codes(many, [str(i) for i in range(400)], images=colour_pattern(many))
    assert w.codes_combo.findData("thumbs") < 0 and w.thumbnail_items() == []


def test_colour_by_label_with_a_legend(image_canvas):
    w = image_canvas
    codes = make_codes(n=60, seed=4)
    labels = [str(i % 3) for i in range(60)]      # class numbers, as IDX and digits have
    w.set_codes(codes, labels, images=colour_pattern(codes))
    assert w.codes_mode() == "classes"
    assert list(w.class_colors()) == ["0", "1", "2"] and len(set(w.class_colors().values())) == 3
    assert len(w.legend.items) == 3 and w.legend.isVisible()
    counts = [len(item.data) for item in w.codes.class_items]
    assert counts == [20, 20, 20]
    np.testing.assert_allclose(w.codes.class_items[1].data["x"], codes[1::3, 0], atol=1e-6)
    assert all(not t.isVisible() for t in w.codes.texts)   # no text labels over class colours
    items = list(w.codes.class_items)
    w.set_codes(codes + 1, labels, images=colour_pattern(codes))   # a training snapshot moves them
    assert w.codes.class_items == items and len(w.legend.items) == 3
    np.testing.assert_allclose(w.codes.class_items[1].data["x"], codes[1::3, 0] + 1, atol=1e-6)
    w.set_codes_mode("points")
    assert not w.legend.isVisible() and w.codes.class_items == []


def test_slow_decoders_get_fewer_map_tiles(canvas, qtbot):
    def slow(z):
        time.sleep(0.002 * len(z))
        return pattern(z)
    canvas.set_decoder(slow, (7, 5))
    qtbot.waitUntil(lambda: not canvas.busy(), timeout=20000)
    canvas.map.compute()
    qtbot.waitUntil(lambda: not canvas.busy(), timeout=20000)
    assert canvas.map_tile_count() <= canvas.map.BUDGET_S / 0.002 + 1
    canvas.map.compute()
    qtbot.waitUntil(lambda: not canvas.busy(), timeout=20000)
    rows, cols = canvas.map_image().shape[:2]
    assert rows * cols < canvas.map.TILES


def test_traversal_and_gif_exports(image_canvas, tmp_path):
    from PIL import Image
    w = image_canvas
    w.vb.setRange(xRange=(-2, 2), yRange=(-1, 1), padding=0)
    assert w.export_traversal(tmp_path / "t.png", n=5)
    fig = Image.open(tmp_path / "t.png")
    assert fig.width > 5 * 16 * 3 and fig.height > 5 * 16 * 3
    w.interpolate(0, 1, steps=4)
    assert w.export_strip_gif(tmp_path / "s.gif") == 6
    assert Image.open(tmp_path / "s.gif").n_frames == 6
    with pytest.raises(OSError, match="Could not write"):
        w.export_traversal(tmp_path / "missing" / "t.png")


def test_image_screenshot(image_canvas, qtbot):
    settle_map(qtbot, image_canvas)
    image_canvas.sample_prior(6, 0)
    image_canvas.hover_at(0.5, 0.3)
    settle()
    assert image_canvas.grab().save("/tmp/latent_canvas_images.png")
