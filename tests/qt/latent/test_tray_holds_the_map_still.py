"""Pinning, sampling and interpolating never move the latent map under the pointer, and a VAE's
"Sample from prior" is one visible click away.

The tray under the map used to open at the first pin: the plot shrank by 174 px at 1280x800, so
the next click, aimed at a point the user saw, pinned empty space (on the Font3 VAE the z under a
still pointer jumped from (4.75, -3.56) to (4.75, -6.67)). The tray's room is now kept from the
start, with its hint and the sampling controls, where the canvas is tall enough; where it is not
(the Train perspective's map above the charts) the map keeps its height and the status bar says
where the pins went. Clicks are aimed as a user aims them: at points seen before the first click.
"""
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from aegui.qt.window.window_matrix import settle
from tests.qt.builder.forms import pick, small_mlp
from tests.qt.latent.test_latent_canvas import viewport_pos


def plot_place(canvas) -> tuple:
    """Where the map's plot is in its scene, to the pixel, and the part of the latent space it shows."""
    r = canvas.vb.sceneBoundingRect()
    return (round(r.x()), round(r.y()), round(r.width()), round(r.height())), \
        tuple(tuple(round(v, 6) for v in axis) for axis in canvas.vb.viewRange())


def click(canvas, at, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.mouseClick(canvas.plot.viewport(), Qt.MouseButton.LeftButton, modifier, at)
    settle()


def two_points_apart(canvas) -> tuple[int, int]:
    """Two dataset points far apart, low on the map (where a tray opening under it cut first)."""
    xy = canvas.projected_codes()
    low = np.argsort(xy[:, 1])
    return int(low[0]), int(low[len(low) // 2])


def test_pinning_two_points_in_turn_leaves_the_map_where_it_was(window, qtbot):
    canvas = window.latent
    window.arranger.switch("explore")
    settle()
    qtbot.waitUntil(lambda: canvas.state.ready() and not canvas.busy(), timeout=20000)
    assert canvas.tray.items() == []
    before = plot_place(canvas)
    xy = canvas.projected_codes().copy()
    a, b = two_points_apart(canvas)
    aims = [viewport_pos(canvas, *xy[k]) for k in (a, b)]       # both seen before the first click
    sx, sy = canvas.pixel_size()
    for n, (k, at) in enumerate(zip((a, b), aims), start=1):
        with qtbot.waitSignal(canvas.pinned, timeout=5000) as pinned:
            click(canvas, at)
        assert plot_place(canvas) == before, f"pin {n} moved the map"
        z = pinned.args[0]
        # What was under the pointer: the aimed point, within the pixel the click rounds to.
        assert abs(z[0] - xy[k, 0]) <= 1.5 * sx and abs(z[1] - xy[k, 1]) <= 1.5 * sy, (n, z, xy[k])
    assert len(canvas.tray.items()) == 2 and canvas.tray_shown()


def test_the_empty_tray_shows_its_hint_and_the_sampling_controls(window):
    canvas = window.latent
    window.arranger.switch("explore")
    settle()
    assert canvas.tray.items() == [] and canvas.tray_shown()
    assert canvas.tray.sample_button.isVisible() and canvas.tray._hint.isVisible()
    assert not canvas.tray.sample_button.isEnabled()       # the demo model is a plain autoencoder


def test_an_interpolation_and_the_arithmetic_do_not_move_the_map(window, qtbot):
    canvas = window.latent
    window.arranger.switch("explore")
    settle()
    qtbot.waitUntil(lambda: canvas.state.ready(), timeout=20000)
    before = plot_place(canvas)
    xy = canvas.projected_codes().copy()
    a, b = two_points_apart(canvas)
    aims = [viewport_pos(canvas, *xy[k]) for k in (a, b)]
    for at in aims:                                           # Shift+click two points: the strip
        click(canvas, at, Qt.KeyboardModifier.ShiftModifier)
    assert canvas.strip_images() is not None and canvas.tabs.currentWidget() is canvas.interp
    assert plot_place(canvas) == before
    canvas.arithmetic.pick("a", sample=a)
    settle()
    assert canvas.tabs.currentWidget() is canvas.arithmetic and plot_place(canvas) == before


def test_a_map_too_short_for_the_tray_keeps_its_height_and_says_where_the_pin_went(window, qtbot):
    canvas = window.latent
    window.arranger.switch("train")
    settle()
    qtbot.waitUntil(lambda: canvas.state.ready() and not canvas.busy(), timeout=20000)
    assert not canvas.tray_shown()       # 1280x800's Train: the map above the charts keeps its height
    before = plot_place(canvas)
    xy = canvas.projected_codes()
    a, _ = two_points_apart(canvas)
    with qtbot.waitSignal(canvas.pinned, timeout=5000):
        click(canvas, viewport_pos(canvas, *xy[a]))
    assert plot_place(canvas) == before and len(canvas.tray.items()) == 1
    assert "Explore" in window.statusBar().currentMessage()
    window.arranger.switch("explore")
    settle()
    assert canvas.tray_shown() and len(canvas.tray.items()) == 1


def _train_a_vae(window, qtbot):
    b = window.builder
    small_mlp(b, latent=2, epochs=2)
    pick(b.form.widget("model.kind"), "vae")
    before = set(map(id, window.workspace.models))
    with qtbot.waitSignal(window.runner.finished, timeout=120000):
        b.train_button.click()
    vae = next(m for m in window.workspace.models if id(m) not in before)
    combo = window.model_bar.model_combo
    combo.setCurrentIndex(window.model_bar._choices.index(vae))
    assert window.workspace.current is vae
    return vae


def test_sampling_from_a_vae_is_one_visible_click_and_in_the_map_s_menu(window, qtbot):
    canvas = window.latent
    _train_a_vae(window, qtbot)
    window.arranger.switch("explore")
    settle()
    button = canvas.tray.sample_button
    qtbot.waitUntil(lambda: button.isEnabled() and not canvas.busy(), timeout=20000)
    assert button.isVisible()
    before = plot_place(canvas)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle()
    n = canvas.tray.count.value()
    assert len(canvas.tray.prior_codes()) == n and plot_place(canvas) == before
    # The map's right-click menu samples too.
    x, y = canvas.projected_codes()[0]
    menu = canvas.mouse.build_menu(float(x), float(y))
    action = next(a for a in menu.actions() if a.text() == "Sample from prior")
    assert action.isEnabled()
    action.trigger()
    assert len(canvas.tray.items()) == 2 * n and plot_place(canvas) == before
    menu.deleteLater()


def test_the_map_s_menu_offers_no_sampling_for_a_plain_autoencoder(window, qtbot):
    canvas = window.latent
    qtbot.waitUntil(lambda: canvas.state.ready(), timeout=20000)
    menu = canvas.mouse.build_menu(0.0, 0.0)
    action = next(a for a in menu.actions() if a.text() == "Sample from prior")
    assert not action.isEnabled() and "plain autoencoder" in action.toolTip()
    menu.deleteLater()
