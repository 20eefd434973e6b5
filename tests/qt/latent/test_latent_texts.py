"""The latent canvas and its pieces follow the language the way every widget of the window does:
each binds its texts where it makes them (i18n.bind_text) and asks for its texts made from state
again (i18n.on_language); none keeps a `retranslate` method or a slot of its own on the language
notifier. Switching to Spanish and back shows the texts made from state (the codes list's modes,
the tray's tooltips, an arithmetic list's first item, the canvas's message) in the new language."""
import numpy as np
import pytest

from aegui.qt import i18n
from aegui.qt.latent.latent_canvas import LatentCanvas
from tests.qt.latent.test_canvas_menu_legend_and_theme import pictures


@pytest.fixture
def canvas(qtbot):
    w = LatentCanvas()
    qtbot.addWidget(w)
    w.resize(760, 520)
    return w


def test_texts_made_from_state_follow_the_language_both_ways(canvas):
    canvas.set_decoder(pictures, (8, 8, 3), vae=True)
    codes = np.random.default_rng(0).normal(size=(12, 2)).astype(np.float32)
    canvas.set_codes(codes, [str(k % 3) for k in range(12)], autorange=True, images=pictures(codes))
    canvas.tray.count.setValue(3)
    canvas.arithmetic.pick("a", at=(0.1, 0.2))
    combo = canvas.codes_combo

    i18n.set_language("es")
    assert [combo.itemText(k) for k in range(combo.count())] == ["Puntos", "Miniaturas", "Color por etiqueta"]
    assert canvas.tray.sample_button.toolTip().startswith("Decodifica 3 puntos z")
    assert canvas.arithmetic.combos["b"].itemText(0) == "(elige)"
    assert canvas.help_button.toolTip().startswith("El espacio latente:")
    assert canvas.map_check.text() == "Mapa latente" and canvas.tabs.tabText(0) == "Generados"

    i18n.set_language("en")
    assert [combo.itemText(k) for k in range(combo.count())] == ["Points", "Thumbnails", "Colour by label"]
    assert canvas.tray.sample_button.toolTip().startswith("Decode 3 points z")
    assert canvas.arithmetic.combos["b"].itemText(0) == "(choose)"
    assert canvas.help_button.toolTip().startswith("The latent space:")


def test_the_message_of_a_canvas_without_codes_follows_the_language(canvas):
    canvas.set_decoder(pictures, (8, 8, 3))
    i18n.set_language("es")
    assert canvas.message.text().startswith("Aún no hay códigos latentes")
    i18n.set_language("en")
    assert canvas.message.text().startswith("No latent codes yet")


def test_a_pinned_sample_menu_follows_the_language_and_a_removed_one_is_forgotten(canvas):
    canvas.set_decoder(pictures, (8, 8, 3))
    codes = np.random.default_rng(1).normal(size=(6, 2)).astype(np.float32)
    canvas.set_codes(codes, [f"s{k}" for k in range(6)], autorange=True)
    canvas.pin_at(0.0, 0.0)
    canvas.pin_at(0.5, 0.5)
    kept, removed = canvas.tray.items()
    canvas.tray.remove(removed)
    i18n.set_language("es")
    assert kept.act_save.text() == "A la biblioteca" and kept.act_slots["a"].text() == "Usar como a"
    assert kept.arithmetic_menu.title() == "Aritmética latente"
    i18n.set_language("en")
    assert kept.act_save.text() == "Save to library" and kept.act_slots["c"].text() == "Use as c"
