"""Tooltips never cover what the pointer shows: resting on the latent map (where the decoded
picture follows the cursor) brings up no tooltip; the explanation of "latent space" is on the
dock's title bar and the "?" button."""
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from aegui.qt.widgets.text.terms import explain


def _rest(widget, pos: QPoint) -> str:
    """What a tooltip shows after the pointer rests at `pos` of `widget` ("" for none)."""
    QToolTip.hideText()
    QApplication.sendEvent(widget, QHelpEvent(QEvent.Type.ToolTip, pos, widget.mapToGlobal(pos)))
    return QToolTip.text() if QToolTip.isVisible() else ""


def test_resting_on_the_map_shows_no_tooltip_and_the_title_explains_the_term(window, qtbot):
    window.arranger.switch("explore")
    canvas = window.latent
    qtbot.waitUntil(lambda: canvas.plot.isVisible() and canvas.state.ready(), timeout=10000)
    viewport = canvas.plot.viewport()
    for fx, fy in ((0.5, 0.5), (0.2, 0.3), (0.8, 0.8)):
        spot = QPoint(int(viewport.width() * fx), int(viewport.height() * fy))
        assert _rest(viewport, spot) == "", f"a tooltip covers the map at {spot}"
    for widget in (canvas.preview, canvas.side):       # the decoded preview beside the map
        assert _rest(widget, widget.rect().center()) == ""
    dock = window.docks["latent"]
    assert dock.titleBarWidget() is None              # the hero stands alone: Qt's own title bar
    assert _rest(dock, QPoint(dock.width() // 2, 4)) == explain("latent space")
    assert canvas.help_button.toolTip().startswith("The latent space: the encoder turns each sample")
    QToolTip.hideText()
