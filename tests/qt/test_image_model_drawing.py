"""An image model gets the drawing canvas, whose pixels reach the model,
the network view and (as a star) the latent canvas."""
import numpy as np

from tests.qt.builder.forms import pick, small_mlp


def test_image_model_draws_into_the_network_and_latent_canvas(window, qtbot):
    assert (window.width(), window.height()) == (1280, 800)    # the new panels fit a 1280x800 window
    b = window.builder
    pick(b.form.widget("data.source"), "digits")
    small_mlp(b, latent=2, epochs=4, check_every=2)
    with qtbot.waitSignal(window.runner.finished, timeout=60000):
        b.train_button.click()
    entry = window.workspace.current
    assert entry.shape == (8, 8)
    panel = window.drawing
    assert panel.canvas.pixels.shape == (8, 8) and not panel.message.isVisibleTo(panel)
    panel.canvas.paint_line((1.5, 4.0), (6.5, 4.0))
    panel.run_model()
    window.network.flush()
    qtbot.waitUntil(lambda: not window.network.busy(), timeout=10000)   # the model runs on a worker
    drawn = panel.canvas.pixels.reshape(-1)
    np.testing.assert_array_equal(panel.fed, drawn)
    np.testing.assert_array_equal(window.network.activations()[0], drawn)   # the network's input column
    np.testing.assert_allclose(panel.output_view.image().reshape(-1), entry.reconstructor()(drawn[None])[0],
                               rtol=1e-5, atol=1e-6)
    star = window.latent.search.marker.getData()
    z = entry.encoder()(drawn[None])[0]
    np.testing.assert_allclose([star[0][0], star[1][0]], z, rtol=1e-5, atol=1e-5)
