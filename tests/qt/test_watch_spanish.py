"""Issue 13's widgets speak Spanish: every visible string goes through tr()."""
from aegui.qt import i18n
from aegui.qt.editor.image_canvas import DrawPanel
from aegui.qt.latent.latent_canvas import LatentCanvas
from aegui.qt.network.network_view import NetworkView
from aegui.qt.builder.step_controls import StepControls


def test_watch_widgets_in_spanish(qtbot):
    canvas, net, steps, draw = LatentCanvas(), NetworkView(), StepControls(), DrawPanel()
    for w in (canvas, net, steps, draw):
        qtbot.addWidget(w)
    i18n.set_language("es")
    assert steps.epoch_button.text() == "Paso: época" and steps.speed_combo.itemText(0) == "Lo más rápido posible"
    assert canvas.replay.play_button.text() == "Reproducir" and canvas.replay.act_record.text() == "Grabar repetición"
    assert canvas.replay.info.full_text().startswith("Sin repetición")
    assert canvas.search.edit.placeholderText() == "Buscar etiqueta…"
    assert canvas.search.space.itemText(1) == "píxeles"
    assert net.message.text().startswith("Sin modelo") and "Unidades" in net.hint.text()
    assert draw.clear_button.text() == "Borrar todo" and draw.noise.itemText(2) == "sal y pimienta"
    i18n.set_language("en")
    assert steps.epoch_button.text() == "Step epoch" and canvas.replay.play_button.text() == "Play"
