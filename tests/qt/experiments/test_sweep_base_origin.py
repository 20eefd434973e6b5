"""The sweep editor says which config its base is: the default one, the builder's (the same as the
builder now, or changed there since), or a sweep file's. The base was silently the default config
until "Use the builder's config" was clicked, while the builder showed another model."""
import json

from PySide6.QtCore import Qt

from aegui.qt import i18n
from aegui.qt.window.window_matrix import show_as


def test_the_base_names_where_it_came_from_and_follows_the_builder(window, qtbot, tmp_path):
    show_as(window, (1280, 800), "en", "light", "experiments")
    editor = window.experiments.editor
    window.experiments.tabs.setCurrentWidget(editor)
    origin = editor.origin_label
    assert origin.isVisible()
    assert origin.text().startswith("The default config, not the builder's"), origin.text()
    assert window.workspace.draft is not None and editor.base() != window.workspace.draft

    qtbot.mouseClick(editor.builder_button, Qt.MouseButton.LeftButton)
    assert editor.base() == window.workspace.draft
    assert origin.text() == "The builder's config, as the builder has it now.", origin.text()

    b = window.builder
    b.form.widget("model.latent").setValue(b.form.widget("model.latent").value() + 1)          # the builder changes after
    qtbot.waitUntil(lambda: window.workspace.draft != editor.base())
    assert origin.text().startswith("The builder's config as it was when you took it; the builder has "
                                    "changed since"), origin.text()
    b.form.widget("model.latent").setValue(b.form.widget("model.latent").value() - 1)          # and back: the same again
    qtbot.waitUntil(lambda: window.workspace.draft == editor.base())
    assert origin.text() == "The builder's config, as the builder has it now."

    path = tmp_path / "lr.json"
    path.write_text(json.dumps({"name": "lr", "base": {"name": "from file"}, "vary": {"train.learning_rate": [0.1]},
                                "seeds": 1}))
    editor.load(path)
    assert origin.text().startswith("From the sweep file lr.json"), origin.text()
    i18n.set_language("es")
    assert origin.text().startswith("Del archivo de barrido lr.json"), origin.text()
