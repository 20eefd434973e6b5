"""The window keeps the size it was given when a model with a 3-D latent space is trained and
shown: 1280x800 became 1280x828, the projection and 3-D controls' row pushing the
window's minimum height up."""
from tests.qt.builder.forms import small_mlp


def test_a_3d_model_does_not_grow_the_window(window, qtbot):
    from aegui.qt.window.window_matrix import settle
    b = window.builder
    small_mlp(b, latent=3, epochs=2)
    before = set(map(id, window.workspace.models))
    with qtbot.waitSignal(window.runner.finished, timeout=60000):
        b.train_button.click()
    qtbot.waitUntil(lambda: any(id(m) not in before for m in window.workspace.models), timeout=20000)
    trained = next(m for m in window.workspace.models if id(m) not in before)
    combo = window.model_bar.model_combo            # the user picks it in the toolbar
    from aegui.qt.models.names import title
    combo.setCurrentIndex(next(i for i in range(combo.count()) if combo.itemText(i).startswith(title(trained))))
    qtbot.waitUntil(lambda: window.latent.latent_size() == 3, timeout=20000)
    window.show_dock("latent")
    for size in ((1280, 800), (1024, 700)):
        window.resize(*size)
        settle()
        assert window.latent.rotate.isVisible()                 # the 3-D controls are on screen
        assert (window.width(), window.height()) == size
        window.latent.rotate.check.setChecked(True)             # turned: still the same window
        settle()
        assert (window.width(), window.height()) == size
        window.latent.rotate.check.setChecked(False)
