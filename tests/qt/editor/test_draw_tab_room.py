"""The Draw tab at 1024x700 with a 32 px colour emoji model: the canvas starts white (the emoji's
background), the model's input and output and the nearest training images are all on screen
without scrolling (they were below the fold), and the canvas holds still while the user draws,
picks a colour and the nearest images change."""
import numpy as np
from PySide6.QtCore import QPoint, QRect, Qt

from aegui.core.data.display import background
from tests.qt.builder.forms import pick, small_mlp
from aegui.qt.window.window_matrix import settle
from tests.qt.editor.test_editor_holds_still import click_at


def train_emoji(window, qtbot, size=32):
    b = window.builder
    pick(b.form.widget("data.source"), "emoji")
    b.data.emoji_size_combo.setCurrentIndex(b.data.emoji_size_combo.findData(size))
    pick(b.form.widget("data.color"), "rgb")
    b.data.subcat_picker.choose_preset("Faces")
    small_mlp(b, latent=2, epochs=2, check_every=1)
    with qtbot.waitSignal(window.runner.finished, timeout=120000):
        b.train_button.click()
    return window.workspace.current


def whole_on_screen(win, w) -> bool:
    """Shown whole: nothing of it clipped by a parent, a scroll area or the window's edge."""
    inside = QRect(w.mapTo(win, QPoint(0, 0)), w.size())
    return w.isVisible() and w.visibleRegion().boundingRect() == w.rect() and win.rect().contains(inside)


def test_at_1024x700_the_draw_tab_shows_everything_and_the_canvas_holds_still(window, qtbot):
    model = train_emoji(window, qtbot)
    assert model.shape == (32, 32, 3)
    window.arranger.switch("explore")
    window.show_dock("draw")
    window.resize(1024, 700)
    settle()
    panel = window.drawing
    qtbot.waitUntil(lambda: not panel.busy(), timeout=10000)
    settle()
    canvas = panel.canvas
    np.testing.assert_allclose(canvas.pixels, np.broadcast_to(background(model.shown.x, model.shape), model.shape))
    assert canvas.pixels.min() > 0.9                                     # white, as the emoji are drawn on
    for w in (panel.input_view, panel.output_view, panel.near_label, *panel.near_views):
        assert whole_on_screen(window, w), f"{type(w).__name__} {w.objectName()!r} is not whole on screen"

    def geometry():
        return canvas.mapTo(window, QPoint(0, 0)).toTuple(), canvas.size().toTuple(), canvas.grid_rect().getRect()
    first = geometry()
    g, s = canvas.grid_rect(), canvas.scale()
    points = [(4, 4), (10, 24), (27, 6), (16, 16), (3, 29), (29, 29), (20, 11), (8, 17)]
    aim = {p: canvas.mapTo(window, QPoint(int(g.x() + (p[1] + 0.5) * s), int(g.y() + (p[0] + 0.5) * s)))
           for p in points}
    for k, p in enumerate(points):
        if k == 3:          # the eyedropper on, then off: the hint above the canvas changes twice
            qtbot.mouseClick(panel.bar.pick_button, Qt.MouseButton.LeftButton)
            settle()
            assert geometry() == first
            qtbot.mouseClick(panel.bar.pick_button, Qt.MouseButton.LeftButton)
        click_at(qtbot, window, aim[p])
        qtbot.waitUntil(lambda: not panel.busy(), timeout=10000)
        settle()
        assert geometry() == first, f"click {k + 1} at {p} moved the canvas"
        np.testing.assert_allclose(canvas.pixels[p], panel.bar.colour, atol=1e-6,
                                   err_msg=f"click {k + 1} did not paint the pixel aimed at, {p}")
