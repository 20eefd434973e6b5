"""Latent arithmetic on the map: a and b picked from the map's right-click menu, c from a pinned
point's menu; the panel shows the decode of a − b + c and the map marks where it lands."""
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from aegui.qt import i18n
from tests.qt.latent.test_latent_canvas import LABELS, canvas, pattern, settle_map, viewport_pos  # noqa: F401


def _menu_action(menu, *texts):
    """The action reached through submenus named texts[:-1], named texts[-1]."""
    for text in texts[:-1]:
        menu = next(a.menu() for a in menu.actions() if a.menu() is not None and a.text() == text)
    return next(a for a in menu.actions() if a.text() == texts[-1])


def _right_click(canvas, x, y):
    QTest.mouseClick(canvas.plot.viewport(), Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier,
                     viewport_pos(canvas, x, y))
    menu = canvas.mouse.menu
    assert menu is not None and menu.isVisible()
    return menu


def test_pick_a_and_b_on_the_map_c_from_a_pin_and_decode_a_minus_b_plus_c(canvas, qtbot):
    settle_map(qtbot, canvas)
    xy = canvas.projected_codes()
    for slot, k in (("a", 4), ("b", 9)):
        menu = _right_click(canvas, *xy[k])
        _menu_action(menu, "Latent arithmetic", f"Use '{LABELS[k]}' as {slot}").trigger()
        menu.close()
    QTest.mouseClick(canvas.plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     viewport_pos(canvas, 0.3, -0.6))            # pin a spot of the map
    [pin] = canvas.tray.items()
    pin.act_slots["c"].trigger()                                 # the pin's "Latent arithmetic > Use as c"
    panel = canvas.arithmetic
    assert canvas.tabs.currentWidget() is panel and canvas.tray_shown()
    codes = canvas.state.codes
    expected_z = codes[4] - codes[9] + pin.z
    np.testing.assert_allclose(panel.result_z, expected_z, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(panel.result_image, pattern(expected_z[None].astype(np.float32))[0])
    np.testing.assert_array_equal(panel.result_view.image(), panel.result_image)
    np.testing.assert_allclose(panel.result_on_map(), canvas.project(expected_z[None])[0], atol=1e-6)
    for slot, k in (("a", 4), ("b", 9)):
        assert panel.combos[slot].currentText() == LABELS[k]
    assert panel.combos["c"].currentText() == "pin" and panel.nearest_label.text().startswith("nearest: ")
    # A spot of the map with no sample under it is a point too.
    menu = _right_click(canvas, 2.9, 2.9)
    _menu_action(menu, "Latent arithmetic", "Use this point as b").trigger()
    menu.close()
    np.testing.assert_allclose(panel.result_z, codes[4] - canvas.lift(2.9, 2.9) + pin.z, atol=2e-2)
    # Choosing a sample in the combo, as a user does, recomputes.
    panel.combos["b"].setCurrentIndex(1 + 2)
    panel.combos["b"].activated.emit(1 + 2)
    np.testing.assert_allclose(panel.result_z, codes[4] - codes[2] + pin.z, rtol=1e-6, atol=1e-6)
    panel.clear_button.click()
    assert panel.result_z is None and panel.result_on_map() is None


def test_the_arithmetic_speaks_spanish(canvas):
    i18n.set_language("es")
    assert canvas.tabs.tabText(2) == "Aritmética"
    menu = canvas.mouse.build_menu(0.0, 0.0)
    assert any(a.text() == "Aritmética latente" for a in menu.actions())
    assert canvas.arithmetic.hint.text().startswith("Elige a, b y c")
