"""Follow the codes: while a model trains, the map's view fits its codes as they grow or shrink; a
run starts with it on; the user moving the view turns it off and is told so; a pinned point has a
marker on the map."""
import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from aegui.core.schema.experiment import Experiment, TrainConfig
from aegui.core.workspace.workspace import Workspace
from aegui.qt.latent.view.view_follow import CROWDED
from tests.qt.latent.test_latent_canvas import LABELS, canvas, make_codes, viewport_pos, wheel  # noqa: F401


def _inside(canvas) -> np.ndarray:
    (x0, x1), (y0, y1) = canvas.vb.viewRange()
    xy = canvas.projected_codes()
    return (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)


def _filled(canvas) -> np.ndarray:
    (x0, x1), (y0, y1) = canvas.vb.viewRange()
    xy = canvas.projected_codes()
    return (xy.max(0) - xy.min(0)) / np.array([x1 - x0, y1 - y0])


def test_codes_that_shrink_to_a_speck_are_fitted_again(canvas):
    assert canvas.follow.following() and canvas.follow.check.isVisibleTo(canvas)
    canvas.set_codes(make_codes(seed=4) * 0.02, LABELS)
    assert _inside(canvas).all() and (_filled(canvas) > CROWDED).all()


def test_the_user_s_wheel_turns_following_off_says_so_and_ticking_it_fits_again(canvas):
    ws = Workspace()
    canvas.bind(ws)
    told = []
    ws.notice.connect(lambda text, args: told.append(text))
    wheel(canvas, notches=3)                          # zoom in
    assert not canvas.follow.check.isChecked()
    assert told == ["Follow the codes is off: you moved the view. Tick it to follow them again."]
    view = np.array(canvas.vb.viewRange())
    canvas.set_codes(make_codes() * 1.5, LABELS)      # codes grow, some stay in the user's view
    assert not _inside(canvas).all()
    np.testing.assert_allclose(canvas.vb.viewRange(), view)
    QTest.mouseClick(canvas.follow.check, Qt.MouseButton.LeftButton)
    assert canvas.follow.following() and _inside(canvas).all()


def test_a_pinned_point_has_a_marker_on_the_map(canvas, qtbot):
    x, y = 0.37, -0.81
    QTest.mouseClick(canvas.plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     viewport_pos(canvas, x, y))
    [item] = canvas.tray.items()
    np.testing.assert_allclose(canvas.pin_markers(), [item.z], atol=1e-9)
    canvas.map_check.setChecked(False)               # the marker's own colours, not the map's
    image = canvas.plot.viewport().grab().toImage()
    at = viewport_pos(canvas, *item.z)
    # The triangle's fill, just under its centre.
    colours = {image.pixelColor(at.x() + dx, at.y() + dy).name() for dx in (-1, 0, 1) for dy in (0, 1, 2)}
    assert QColor(0, 150, 136).name() in colours, colours


def test_a_run_starts_following_and_its_codes_stay_in_view(window, qtbot):
    canvas = window.latent
    window.arranger.switch("explore")
    QTest.mouseClick(canvas.follow.check, Qt.MouseButton.LeftButton)      # the user turned it off before
    assert not canvas.follow.following()
    # Long enough to still be training after four snapshots (0.25 s apart) on any machine: the
    # numpy loop runs 3,000 epochs of this small model in well under a second. It is stopped below.
    window.builder.set_experiment(Experiment(train=TrainConfig(epochs=2_000_000, seeds=1, check_every=10)))
    seen = []
    window.workspace.current_updated.connect(lambda model: seen.append((_inside(canvas).all(),
                                                                         canvas.follow.following())))
    QTest.keyClick(window.focusWidget() or window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: len(seen) >= 4, timeout=60000)
    assert all(inside and following for inside, following in seen), seen
    wheel(canvas)                                     # the user zooms while it trains
    assert not canvas.follow.following()
    assert "Follow the codes is off" in window.statusBar().currentMessage()
    window.workspace.stop()
    qtbot.waitUntil(lambda: not window.workspace.training.busy, timeout=30000)
