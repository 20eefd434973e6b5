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


def _choose(panel, slot, k):
    """Pick sample k in the slot's list, as the user does."""
    combo = panel.combos[slot]
    combo.setCurrentIndex(1 + k)
    combo.activated.emit(1 + k)


def test_a_result_outside_the_view_is_brought_into_it_keeping_what_was_shown(canvas, qtbot):
    """The user zoomed in on a, b and c; a − b + c lands off the view: the view widens to show it
    (the step's arrow ends on screen), and everything it showed before is still in it."""
    settle_map(qtbot, canvas)
    codes = canvas.state.codes
    # Two samples far apart for a and b: c plus their difference lands well outside a view around c.
    d = np.linalg.norm(codes[:, None] - codes[None], axis=2)
    a, b = np.unravel_index(np.argmax(d), d.shape)
    c = int(np.argmin(np.linalg.norm(codes - codes.mean(0), axis=1)))
    x, y = (float(v) for v in codes[c])
    canvas.vb.setRange(xRange=(x - 0.3, x + 0.3), yRange=(y - 0.3, y + 0.3), padding=0)
    (x0, x1), (y0, y1) = canvas.vb.viewRange()
    panel = canvas.arithmetic
    for slot, k in (("a", int(a)), ("b", int(b)), ("c", c)):
        _choose(panel, slot, k)
    rx, ry = panel.result_on_map()
    assert not (x0 <= rx <= x1 and y0 <= ry <= y1)        # the case: it landed outside
    (nx0, nx1), (ny0, ny1) = canvas.vb.viewRange()
    assert nx0 < rx < nx1 and ny0 < ry < ny1, ((rx, ry), canvas.vb.viewRange())
    assert nx0 <= x0 and x1 <= nx1 and ny0 <= y0 and y1 <= ny1


def test_a_result_inside_the_view_leaves_it_alone(canvas, qtbot):
    """a − a + c is c, a sample on screen: the view stays as the user had it."""
    settle_map(qtbot, canvas)
    before = canvas.vb.viewRange()
    panel = canvas.arithmetic
    for slot, k in (("a", 1), ("b", 1), ("c", 3)):
        _choose(panel, slot, k)
    np.testing.assert_allclose(panel.result_on_map(), canvas.projected_codes()[3], atol=1e-5)
    assert canvas.vb.viewRange() == before
