"""The local architecture (same-size 3x3 convolutions) in the app: the builder's fields follow
its channels, and a local denoiser trained from the builder drives the network view (feature
maps), the latent canvas (a 560-D code seen through a 2-D projection) and the pixel editor."""
import numpy as np

from aegui.core.schema.experiment import Experiment
from aegui.core.config.validation import with_changes

from tests.qt.builder.forms import pick

from aegui.qt.models.names import title


def test_builder_local_fills_the_sizes_from_the_data_and_channels(builder):
    pick(builder.form.widget("model.kind"), "dae")
    pick(builder.form.widget("model.arch"), "local")
    assert builder.model.channels_editor.isVisibleTo(builder)
    for w in (builder.model.encoder_editor, builder.model.decoder_editor, builder.form.widget("model.latent"), builder.form.widget("model.mirror")):
        assert not w.isVisibleTo(builder)
    builder.model.channels_editor.set_values([16, 16])
    exp = builder.experiment()
    m = exp.model
    assert (m.arch, m.input_shape, m.channels, m.layers) == ("local", (7, 5), (16, 16), (35, 560, 35))
    assert not m.mirror and builder.validate_fields() == []
    text = builder.model.layers_label.text()
    assert "7×5×16" in text and "560" in text and "2,625".replace(",", "\u202f") in text   # 2 625 parameters
    builder.model.channels_editor.set_values([32, 32, 8])
    assert builder.experiment().model.layers == (35, 280, 35)
    # Up to 8 local layers (a conv model stops at 5).
    while builder.model.channels_editor.add_button.isEnabled():
        builder.model.channels_editor.add_layer()
    assert len(builder.model.channels_editor.values()) == 8
    builder.model.channels_editor.set_values([16, 16])
    # A VAE is refused at the kind.
    pick(builder.form.widget("model.kind"), "vae")
    assert [e.field for e in builder.validate_fields()] == ["model.kind"]
    pick(builder.form.widget("model.kind"), "dae")
    # Back to an MLP: a small glyph model, not a 560-unit latent.
    pick(builder.form.widget("model.arch"), "mlp")
    mlp = builder.experiment().model
    assert mlp.latent_dim <= 10 and builder.validate_fields() == []


def test_builder_round_trips_a_local_experiment(builder):
    exp = with_changes(Experiment(), model={"arch": "local", "kind": "sparse", "layers": (35, 420, 35),
                                            "channels": (8, 12), "input_shape": (7, 5),
                                            "latent_activation": "elu"})
    builder.set_experiment(exp)
    assert builder.experiment() == exp
    assert builder.form.widget("model.arch").currentData() == "local" and builder.model.channels_editor.values() == [8, 12]


def test_trained_local_model_in_network_view_latent_canvas_and_editor(window, qtbot):
    b = window.builder
    b.set_experiment(with_changes(Experiment(), name="local-dae", model={
        "arch": "local", "kind": "dae", "layers": (35, 280, 35), "channels": (8, 8), "input_shape": (7, 5),
        "latent_activation": "elu"}, train={"epochs": 40, "check_every": 20, "device": "cpu", "seeds": 1,
                                            "target_max_wrong": None}))
    with qtbot.waitSignal(window.runner.finished, timeout=60000) as done:
        b.train_button.click()
    assert done.args[0].state == "finished"
    entry = window.workspace.current
    from aegui.core.models.local_net import LocalAutoencoder
    assert isinstance(entry.model, LocalAutoencoder) and entry.shape == (7, 5)
    # Network view: the encoder's same-size maps.
    window.network.flush()
    qtbot.waitUntil(lambda: not window.network.busy(), timeout=10000)   # the model runs on a worker
    maps = window.network.feature_maps()
    assert [(name, fm.shape) for name, fm in maps] == [("conv 1", (8, 7, 5)), ("conv 2 = code", (8, 7, 5))]
    window.network.grab()
    # Latent canvas: 280-D codes, two of their dimensions on screen; a point decodes to a glyph.
    canvas = window.latent
    assert canvas.latent_size() == 280 and canvas.projected_codes().shape == (32, 2)
    x, y = canvas.projected_codes()[3]
    img = canvas.hover_at(float(x), float(y))
    assert img.shape == (7, 5) and np.isfinite(img).all()
    canvas.proj_combo.setCurrentIndex(1)                    # PCA of the 280-D codes
    x, y = canvas.projected_codes()[3]
    assert canvas.hover_at(float(x), float(y)).shape == (7, 5)
    # Pixel editor: the trained local model denoises the glyph drawn.
    choice = window.editor.denoiser
    choice.choose(next(m for m in choice.choices() if choice.choice_text(m).startswith(title(entry))))
    assert window.workspace.editor_choice is entry
    ds = entry.dataset
    a = ds.images()[ds.labels.index("a")]
    window.editor.set_glyph(a)
    window.editor.set_noise("salt_pepper", 10)
    qtbot.waitUntil(lambda: not window.editor.busy(), timeout=10000)   # a new model runs on a worker
    out = window.editor.output()
    expected = entry.reconstructor()(window.editor.noisy().reshape(1, 35)).reshape(7, 5)
    np.testing.assert_allclose(out, expected, atol=1e-6)
