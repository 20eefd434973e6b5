"""The network view: columns of units, weights as lines, units lit by the input."""
import numpy as np

from aegui.core.schema.experiment import ModelSpec
from aegui.core.data.datasets import font_dataset
from aegui.core.archs import build_model
from aegui.qt.network.network_view import NetworkView


def _model(layers=(35, 10, 2, 10, 35), kind="ae"):
    m = build_model(ModelSpec(layers=layers, kind=kind), 1)
    m.init_weights([3])
    return m


def test_unit_colours_change_with_the_input(qtbot):
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    data = font_dataset()
    view.set_model(_model(), sample=data.x[0], now=True)
    view.flush()
    qtbot.waitUntil(lambda: not view.busy(), timeout=10000)   # the model runs on a worker
    first = view.unit_colors()
    assert [len(c) for c in first] == [35, 10, 2, 10, 35]
    np.testing.assert_array_equal(first[0][data.x[0] > 0.5], [[214, 39, 40]] * int((data.x[0] > 0.5).sum()))
    view.set_input(data.x[5])
    view.flush()
    qtbot.waitUntil(lambda: not view.busy(), timeout=10000)   # the model runs on a worker
    second = view.unit_colors()
    for a, b in zip(first, second):       # every column changes: input, hidden units, code, output
        assert np.abs(a - b).sum() > 0
    view.set_input(np.zeros(99))          # does not fit the model: units go idle, nothing breaks
    view.flush()
    qtbot.waitUntil(lambda: not view.busy(), timeout=10000)   # the model runs on a worker
    assert (view.unit_colors()[1] == 225).all()
    img = view.grab()
    assert img.width() > 0


def test_wide_layers_show_a_spread_of_units_and_vae_code_is_the_mean(qtbot):
    view = NetworkView()
    qtbot.addWidget(view)
    m = _model((784, 128, 4, 128, 784), kind="vae")
    view.set_model(m, sample=np.random.default_rng(0).random(784), now=True)
    view.flush()
    qtbot.waitUntil(lambda: not view.busy(), timeout=10000)   # the model runs on a worker
    sizes = [len(s) for s in view.shown_units()]
    assert sizes == [40, 40, 4, 40, 40]
    acts = view.activations()
    assert len(acts[2]) == 4                 # the means, not mean + log-variance
    from aegui.core.models import latent
    np.testing.assert_allclose(acts[2], latent.encode(m, acts[0][None])[0], rtol=1e-5, atol=1e-6)


def test_conv_model_shows_the_feature_maps_of_the_input(qtbot):
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    spec = ModelSpec(arch="conv", kind="ae", layers=(784, 4, 784), channels=(4, 8), input_shape=(28, 28),
                     hidden_activation="relu")
    m = build_model(spec, 1)
    m.init_weights([1])
    x = np.zeros((28, 28), np.float32)
    x[4:24, 12:16] = 1.0
    view.set_model(m, sample=x, now=True)
    view.flush()
    qtbot.waitUntil(lambda: not view.busy(), timeout=10000)   # the model runs on a worker
    assert view.maps.isVisibleTo(view) and not view.canvas.isVisibleTo(view)
    maps = view.feature_maps()
    assert [(name, fm.shape) for name, fm in maps] == [
        ("conv 1", (4, 14, 14)), ("conv 2", (8, 7, 7)), ("code → maps", (8, 7, 7)), ("deconv 1", (4, 14, 14))]
    view.set_input(x.T)                       # a bar the other way: other maps
    view.flush()
    qtbot.waitUntil(lambda: not view.busy(), timeout=10000)   # the model runs on a worker
    assert np.abs(view.feature_maps()[0][1] - maps[0][1]).sum() > 0
    assert view.unit_colors() == []
    view.grab()
