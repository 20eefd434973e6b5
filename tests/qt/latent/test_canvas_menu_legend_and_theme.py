"""The latent canvas's defects a walk-through of the window found, each as the user met it: the
class legend covering points and cut, the cursor's picture left painted, pyqtgraph's generic
right-click menu instead of the app's own, the 3-D view's tiny unlabelled sliders, "1 points
labelled", the canvas white in the dark theme."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMenu

from aegui.qt import i18n
from aegui.qt.latent.latent_canvas import LatentCanvas


def glyphs(z):
    z = np.asarray(z, np.float32)
    img = np.zeros((len(z), 7, 5), np.float32)
    img[:, 0, 0] = 1.0
    img[:, 3, :] = (z[:, :1] > 0).astype(np.float32)
    return img


def pictures(z):
    z = np.asarray(z, np.float32)
    out = np.zeros((len(z), 8, 8, 3), np.float32)
    out[..., 0] = (1 / (1 + np.exp(-z[:, 0])))[:, None, None]
    return out


@pytest.fixture
def canvas(qtbot):
    w = LatentCanvas()
    qtbot.addWidget(w)
    w.resize(760, 520)
    w.show()
    qtbot.waitExposed(w)
    w.set_decoder(glyphs, (7, 5))
    codes = (np.random.default_rng(0).normal(size=(32, 2)) * 1.5).astype(np.float32)
    w.set_codes(codes, [chr(ord("a") + i % 26) + str(i // 26) for i in range(32)], autorange=True)
    return w


def _viewport_point(w, x, y) -> QPoint:
    return w.plot.mapFromScene(w.vb.mapViewToScene(QPointF(x, y)))


def _hover(qtbot, w, x, y):
    QTest.mouseMove(w.plot.viewport(), _viewport_point(w, x, y))
    qtbot.waitUntil(lambda: w.cursor_item.isVisible(), timeout=5000)


def test_the_class_legend_is_whole_and_off_the_points(qtbot):
    """Ten digit classes (MNIST): the legend sat over the plot, covering points, and was
    cut at its edge, so 7-9 could not be told apart."""
    w = LatentCanvas()
    qtbot.addWidget(w)
    w.resize(640, 480)
    w.show()
    qtbot.waitExposed(w)
    w.set_decoder(pictures, (8, 8, 3))
    codes = (np.random.default_rng(1).normal(size=(200, 2))).astype(np.float32)
    labels = [str(i % 10) for i in range(200)]
    w.set_codes(codes, labels, autorange=True, images=pictures(codes))
    assert w.codes_mode() == "classes"
    qtbot.waitUntil(lambda: w.legend.isVisible() and len(w.legend.items) == 10, timeout=5000)
    QApplication.processEvents()
    legend = w.legend.sceneBoundingRect()
    shown = w.plot.mapToScene(w.plot.viewport().rect()).boundingRect()
    under = [k for k, (x, y) in enumerate(w.projected_codes())
             if legend.contains(w.vb.mapViewToScene(QPointF(float(x), float(y))))]
    assert not under, f"the legend covers {len(under)} points"
    assert shown.adjusted(-1, -1, 1, 1).contains(legend), "the legend is cut"
    # Every class is named in it.
    names = [label.text for _sample, label in w.legend.items]
    assert sorted(names) == [str(d) for d in range(10)]


def test_the_cursor_picture_goes_when_the_mouse_leaves(qtbot, canvas):
    """The small decoded picture at the cursor stayed painted after the mouse left."""
    _hover(qtbot, canvas, 0.0, 0.0)
    # Out over the column beside the map: the plot's viewport is left.
    side = canvas.preview
    QTest.mouseMove(side, side.rect().center())
    qtbot.waitUntil(lambda: not canvas.cursor_item.isVisible(), timeout=2000)
    # Hidden (another perspective, another tab) while the mouse was on it: gone when it shows again.
    _hover(qtbot, canvas, 0.5, 0.5)
    canvas.hide()
    canvas.show()
    qtbot.waitExposed(canvas)
    assert not canvas.cursor_item.isVisible()


def _right_click_menu(qtbot, w, x, y) -> QMenu:
    QTest.mouseClick(w.plot.viewport(), Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier,
                     _viewport_point(w, x, y))
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=3000)
    return QApplication.activePopupWidget()


def _texts(menu: QMenu) -> list[str]:
    out = []
    for a in menu.actions():
        if a.menu() is not None:
            out += [a.text()] + _texts(a.menu())
        elif not a.isSeparator():
            out.append(a.text())
    return out


def test_right_click_opens_the_app_s_own_translated_menu(qtbot, canvas):
    """Alt+click (nearest neighbours) is a window manager's; the right-click menu was
    pyqtgraph's (Mouse Mode, Plot Options), in English. The app's menu reaches the neighbours,
    pins, decodes, exports and resets the view, in the interface language."""
    i18n.set_language("es")
    try:
        x, y = canvas.projected_codes()[5]
        menu = _right_click_menu(qtbot, canvas, float(x), float(y))
        texts = _texts(menu)
        for generic in ("Mouse Mode", "Plot Options", "View All", "Export..."):
            assert generic not in texts, texts
        near = next(a for a in menu.actions() if a.text() == i18n.tr("Nearest neighbours of '{label}'",
                                                                         label=canvas.search._labels[5]))
        for english in ("Pin this point to the tray", "Decode here", "Reset view", "Export"):
            assert i18n.tr(english) in texts and i18n.tr(english) != english, english
        near.trigger()
        menu.close()
        assert canvas.search._centre == 5 and len(canvas.search.selected) == canvas.search.k_spin.value()
    finally:
        i18n.set_language("en")
        if QApplication.activePopupWidget() is not None:
            QApplication.activePopupWidget().close()


def test_the_3d_view_s_sliders_are_named_and_wide_and_the_dims_wait(qtbot, canvas):
    """Two unlabelled ~20 px sliders; the dims projection controls stayed enabled in 3-D."""
    codes = (np.random.default_rng(2).normal(size=(32, 3))).astype(np.float32)
    canvas.set_decoder(glyphs, (7, 5))
    canvas.set_codes(codes, [str(i) for i in range(32)], autorange=True)
    rotate = canvas.rotate
    assert rotate.isVisible()
    rotate.check.setChecked(True)
    QApplication.processEvents()
    for slider in (rotate.yaw, rotate.pitch):
        assert slider.isEnabled() and slider.width() >= 80, slider.width()
        names = [lab.text() for lab in canvas.findChildren(QLabel) if lab.buddy() is slider and lab.text()]
        assert names, "a slider without a name"
    assert not canvas.dim_i.isEnabled() and not canvas.dim_j.isEnabled() and not canvas.proj_combo.isEnabled()
    rotate.check.setChecked(False)
    assert canvas.dim_i.isEnabled() and canvas.proj_combo.isEnabled()


def test_one_point_found_is_one_point(canvas):
    """One labelled point is said in the singular, not "1 points labelled"."""
    canvas.search.edit.setText("c0")
    canvas.search.find("c0")
    assert canvas.search.result.text() == "1 point labelled 'c0'"
    canvas.search.find("0")
    assert canvas.search.result.text().startswith("26 points labelled")


def test_the_canvas_follows_the_dark_theme(qtbot, canvas):
    """In the dark theme the latent canvas stayed white."""
    from aegui.qt import theme
    canvas.map_check.setChecked(False)          # the plot's own background, not the decoded map
    theme.apply("dark")
    try:
        QApplication.processEvents()
        img = canvas.plot.grab().toImage()
        corner = canvas.plot.mapFromScene(canvas.vb.sceneBoundingRect().topRight()) + QPoint(-3, 3)
        assert QColor(img.pixelColor(corner)).lightness() < 100
    finally:
        theme.apply("light")
