"""Chart axes write their tick labels in the interface language (0,5 and 0,01 in Spanish) and paint
them again when the language changes: pyqtgraph keeps an axis's painted labels until its range
or size changes, so a chart drawn in English kept "0.5" after a switch to Spanish."""
import numpy as np
import pyqtgraph as pg

from aegui.qt import i18n
from aegui.qt.widgets.charts.locale_axis import LocaleAxis, locale_axes
from aegui.qt.widgets.charts.log_axis import LogAxis


def _picture(widget) -> np.ndarray:
    image = widget.grab().toImage()
    return np.array(image.constBits(), np.uint8).copy()


def test_linear_and_log_axes_label_in_the_language_and_repaint_when_it_changes(qtbot):
    widget = pg.PlotWidget(axisItems=locale_axes(left=LogAxis("left")))
    qtbot.addWidget(widget)
    widget.resize(320, 240)
    widget.show()
    qtbot.waitExposed(widget)
    plot = widget.getPlotItem()
    plot.setLogMode(y=True)
    plot.plot([0.0, 0.5, 1.0], [1.0, 0.1, 0.01])
    plot.setXRange(0, 1, padding=0)
    bottom, left = plot.getAxis("bottom"), plot.getAxis("left")
    assert isinstance(bottom, LocaleAxis) and isinstance(left, LogAxis)
    assert not plot.getAxis("top").isVisible() and not plot.getAxis("right").isVisible()
    assert bottom.tickStrings([0.5, 1.0], 1.0, 0.5) == ["0.5", "1.0"]
    assert left.tickStrings([-2.0, -1.0], 1.0, 1.0) == ["0.01", "0.1"]
    english = _picture(widget)

    i18n.set_language("es")
    assert bottom.tickStrings([0.5, 1.0], 1.0, 0.5) == ["0,5", "1,0"]
    assert left.tickStrings([-2.0, -1.0], 1.0, 1.0) == ["0,01", "0,1"]
    qtbot.waitUntil(lambda: not np.array_equal(_picture(widget), english), timeout=2000)
    spanish = _picture(widget)

    i18n.set_language("en")
    qtbot.waitUntil(lambda: np.array_equal(_picture(widget), english), timeout=2000)
    assert not np.array_equal(spanish, english)
