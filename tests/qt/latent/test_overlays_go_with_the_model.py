"""What the user put on the latent map belongs to the model it was put on: another model on the
canvas takes none of it along (the emoji VAE's prior samples stayed on the MNIST map), and the
first model shown again gets back its pins, prior samples, interpolation and arithmetic. The
search rings, the cursor's picture and a replay frame are cleared with the model."""
from types import SimpleNamespace

import numpy as np
import pytest

from aegui.core.train.snapshots import SnapshotStore
from aegui.core.workspace.workspace import Workspace
from aegui.qt.latent.latent_canvas import LatentCanvas
from tests.qt.latent.test_latent_canvas import LABELS, make_codes, pattern


class FakeModel(SimpleNamespace):
    """A SimpleNamespace the canvas can keep weak references to, as to a TrainedModel."""
    __hash__ = object.__hash__
    __eq__ = object.__eq__


def fake_model(name, seed, kind="vae"):
    """What the canvas reads of a TrainedModel: codes, labels, a decoder, its shape and kind."""
    codes = make_codes(seed=seed)
    replay = SnapshotStore(capacity=4)
    for k in range(3):
        replay.add(k + 1, 1.0, codes * (k + 1) / 3)
    shown = SimpleNamespace(labels=LABELS, images=lambda: None)
    return FakeModel(name=name, view=SimpleNamespace(codes=codes), shown=shown, shape=(7, 5), kind=kind,
                           replay=replay, history=object(), decoder=lambda: (lambda z: pattern(z) * (seed % 2 or 0.5)))


@pytest.fixture
def two(qtbot):
    ws = Workspace()
    canvas = LatentCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(700, 500)
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.bind(ws)
    a, b = fake_model("emoji VAE", 1), fake_model("MNIST VAE", 2)
    ws.models = [a, b]
    ws.set_current(a)
    return ws, canvas, a, b


def _markers(item) -> np.ndarray:
    data = item.data
    return np.column_stack([data["x"], data["y"]]) if len(data) else np.zeros((0, 2))


def test_prior_samples_leave_with_their_model_and_come_back_with_it(two):
    ws, canvas, a, b = two
    z, _ = canvas.sample_prior(5, seed=3)
    before = _markers(canvas.prior_item)
    assert len(before) == 5
    ws.set_current(b)
    assert len(_markers(canvas.prior_item)) == 0 and canvas.tray.items() == []
    assert canvas.tray_shown()            # its room stays: the map keeps its size
    ws.set_current(a)
    np.testing.assert_allclose(_markers(canvas.prior_item), before)
    np.testing.assert_array_equal(canvas.tray.prior_codes(), z)
    assert canvas.tray_shown()


def test_pins_and_their_markers_leave_with_their_model_and_come_back_with_it(two):
    ws, canvas, a, b = two
    canvas.pin_at(0.4, -0.3)
    canvas.pin_at(-1.0, 0.5)
    before = canvas.pin_markers()
    np.testing.assert_allclose(before, [[-1.0, 0.5], [0.4, -0.3]], atol=1e-6)
    ws.set_current(b)
    assert len(canvas.pin_markers()) == 0 and canvas.tray.items() == []
    canvas.pin_at(0.0, 0.0)                         # b's own pin
    ws.set_current(a)
    np.testing.assert_allclose(canvas.pin_markers(), before)
    ws.set_current(b)
    np.testing.assert_allclose(canvas.pin_markers(), [[0.0, 0.0]], atol=1e-6)


def test_the_interpolation_leaves_with_its_model_and_comes_back_with_it(two):
    ws, canvas, a, b = two
    strip = canvas.interpolate(2, 7, steps=6)
    line = canvas.codes.line_item.getData()
    ws.set_current(b)
    assert canvas.strip_images() is None and canvas.codes.line_item.getData()[0] is None
    ws.set_current(a)
    np.testing.assert_array_equal(canvas.strip_images(), strip)
    np.testing.assert_allclose(canvas.codes.line_item.getData(), line)
    assert canvas.interp.ends() == (LABELS[2], LABELS[7])


def test_the_arithmetic_leaves_with_its_model_and_comes_back_with_it(two):
    ws, canvas, a, b = two
    for slot, k in zip("abc", (0, 1, 2)):
        canvas.arithmetic.pick_sample(slot, k)
    result = canvas.arithmetic.result_on_map()
    assert result is not None
    ws.set_current(b)
    assert canvas.arithmetic.result_on_map() is None and len(canvas.arithmetic.pick_item.data) == 0
    ws.set_current(a)
    np.testing.assert_allclose(canvas.arithmetic.result_on_map(), result)


def test_search_rings_the_cursor_picture_and_a_replay_frame_are_cleared(two):
    ws, canvas, a, b = two
    canvas.search.find("a")
    canvas.hover_at(0.2, 0.2)
    canvas.replay.show_frame(0)
    assert len(canvas.search.rings.data) == 1 and canvas.cursor_item.isVisible()
    np.testing.assert_allclose(canvas.projected_codes(), a.replay.arrays()[0][0], atol=1e-5)
    ws.set_current(b)
    assert len(canvas.search.rings.data) == 0 and canvas.search.edit.text() == ""
    assert not canvas.cursor_item.isVisible() and canvas.preview_image() is None
    np.testing.assert_allclose(canvas.projected_codes(), b.view.codes, atol=1e-5)
    assert canvas.replay.shown_index() == -1 and canvas.replay.store is b.replay
