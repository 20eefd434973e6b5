"""The Spanish window writes every number with a decimal comma: labels, buttons, list entries,
tooltips, table cells, text fields and spin boxes, the status bar, chart titles, legends and axis
tick labels, in every perspective and tab, while a model trains (epochs/s, time left, loss) and
after. Only code and data keep their points: a file path, a version, a setting's literal value
in a sweep's config name ("learning_rate=0.01", as written in the sweep file)."""
import re

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QApplication, QComboBox, QGroupBox, QHeaderView,
                               QLabel, QLineEdit, QPlainTextEdit, QProgressBar, QStatusBar, QTabBar, QTabWidget,
                               QTextEdit, QWidget)

from aegui.qt.widgets.glyphs.glyph_view import GlyphView
from aegui.qt.window.window_matrix import settle

DECIMAL_POINT = re.compile(r"\d\.\d")
CODE_OR_DATA = [
    re.compile(r"[\w.]+=[^\s,;)\]]+"),          # a setting's literal in a config name: lr=0.01
    re.compile(r"\S*[\\/]\S*"),                 # a file path
    re.compile(r"\bv?\d+\.\d+\.\d+\S*"),        # a version: 3.11.2, 0.14.0
]


def with_a_decimal_point(text: str) -> bool:
    text = re.sub(r"<[^>]+>", " ", text)        # rich text's tags (colours like #1f77b4 are not numbers)
    for pattern in CODE_OR_DATA:
        text = pattern.sub(" ", text)
    return bool(DECIMAL_POINT.search(text))


def tick_texts(axis: pg.AxisItem) -> list[str]:
    """The tick labels the axis draws now (pyqtgraph computes them as it paints)."""
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [text for _, _, text in specs[2]] if specs else []


def chart_texts(view: pg.GraphicsView):
    for item in view.scene().items():
        if not item.isVisible():
            continue
        if isinstance(item, pg.PlotItem):
            yield (item.titleLabel.text or "").replace("<br>", " "), "chart title"
        elif isinstance(item, pg.AxisItem):
            yield item.labelText or "", "axis label"
            for text in tick_texts(item):
                yield text, "axis tick"
            if item._tickLevels is None and item.style["showValues"]:
                # What it would write for values it may show later (a loss of 0.25 on a linear scale).
                yield " ".join(item.tickStrings([0.25, 0.5], 1.0, 0.25)), "axis tick for 0.25 and 0.5"
        elif isinstance(item, pg.TextItem):
            yield item.textItem.toPlainText(), "chart text"
        elif isinstance(item, pg.LabelItem):
            yield item.text or "", "chart label"


def item_view_texts(view: QAbstractItemView):
    model = view.model()
    if model is None:
        return
    for r in range(min(model.rowCount(), 200)):
        for c in range(model.columnCount()):
            yield str(model.index(r, c).data() or ""), "table cell"
            yield str(model.index(r, c).data(Qt.ItemDataRole.ToolTipRole) or ""), "table cell tooltip"
    for c in range(model.columnCount()):
        yield str(model.headerData(c, Qt.Orientation.Horizontal) or ""), "table header"


def widget_texts(w: QWidget):
    yield w.toolTip(), "tooltip"
    if isinstance(w, QLabel):
        yield w.text(), "label"
    elif isinstance(w, QAbstractButton):
        yield w.text(), "button"
    elif isinstance(w, QGroupBox):
        yield w.title(), "group"
    elif isinstance(w, QComboBox):
        for i in range(w.count()):
            yield w.itemText(i), "list entry"
    elif isinstance(w, QLineEdit):
        yield w.text(), "text field"
    elif isinstance(w, (QPlainTextEdit, QTextEdit)):
        yield w.toPlainText(), "text box"
    elif isinstance(w, QProgressBar) and w.isTextVisible():
        yield w.text(), "progress bar"
    elif isinstance(w, QTabBar):
        for i in range(w.count()):
            yield w.tabText(i), "tab"
            yield w.tabToolTip(i), "tab tooltip"
    elif isinstance(w, GlyphView):
        yield w.caption(), "picture caption"
    elif isinstance(w, QStatusBar):
        yield w.currentMessage(), "status bar"
    elif isinstance(w, QAbstractItemView) and not isinstance(w, QHeaderView):   # headers: with their table
        yield from item_view_texts(w)
    elif isinstance(w, pg.GraphicsView):
        yield from chart_texts(w)


def visible_texts(where: str) -> dict[str, str]:
    """What shows a decimal point now -> where it was first seen (menu entries included: they
    are what a user reads on opening the menu)."""
    found = {}
    for window in QApplication.topLevelWidgets():
        if not window.isVisible():
            continue
        for action in window.findChildren(QAction):
            for text, kind in ((action.text(), "menu entry"), (action.toolTip(), "menu entry tooltip")):
                if action.isVisible() and text and with_a_decimal_point(text):
                    found.setdefault(f"{kind}: {text!r}", where)
        for w in [window] + window.findChildren(QWidget):
            if not w.isVisible():
                continue
            for text, kind in widget_texts(w):
                if text and with_a_decimal_point(text):
                    found.setdefault(f"{kind} of {type(w).__name__}: {text!r}", where)
    return found


def every_tab(where: str, seen: set) -> dict[str, str]:
    """The texts of every page of every visible tab widget (and of the tabs inside those pages)."""
    found = visible_texts(where)
    for tabs in _visible_tab_widgets():
        if id(tabs) in seen:
            continue
        seen.add(id(tabs))
        current = tabs.currentIndex()
        for i in range(tabs.count()):
            if not tabs.isTabEnabled(i):
                continue
            tabs.setCurrentIndex(i)
            settle()
            found = every_tab(f"{where} / {tabs.tabText(i)}", seen) | found
        tabs.setCurrentIndex(current)
    return found


def _visible_tab_widgets():
    return [t for window in QApplication.topLevelWidgets() if window.isVisible()
            for t in window.findChildren(QTabWidget) if t.isVisible()]


def every_dock(window, qtbot) -> dict[str, str]:
    """Every dock brought forward in turn (in its perspective), with every tab it holds."""
    found, seen = {}, set()
    for key in window.docks:
        window.show_dock(key)
        settle()
        panel = window.drawing if key == "draw" else getattr(window, key)
        if callable(getattr(panel, "busy", None)):     # what it computes once shown (Compare's table)
            qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)
            settle()
        found = every_tab(f"{window.arranger.current()} / {key}", seen) | found
    return found


def test_the_spanish_window_writes_every_number_with_a_decimal_comma(window, qtbot):
    """Every text a user can read, gathered in each perspective and tab, while training, after a
    sweep and over the map; each chart axis is also asked how it would write 0.25 and 0.5, so an
    axis left to pyqtgraph's own labels is found even when its range shows whole numbers."""
    from aegui.core.analyses.sweeps.sweep import Sweep
    from aegui.core.schema.experiment import Experiment, TrainConfig
    from aegui.core.config.validation import with_changes
    window.menus.lang_actions["es"].trigger()
    settle()
    found = {}
    for key in ("explore", "train", "experiments"):
        window.arranger.switch(key)
        settle()
        found = every_tab(key, set()) | found

    # A run long enough to read its speed, time left and loss while it trains.
    window.show_dock("builder")
    window.builder.set_experiment(Experiment(train=TrainConfig(epochs=100_000, check_every=10)))
    qtbot.mouseClick(window.builder.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.training.n_records() > 5, timeout=30000)
    window.show_dock("training")
    settle()
    found = visible_texts("while training") | found
    with qtbot.waitSignal(window.runner.finished, timeout=10000):
        qtbot.mouseClick(window.builder.stop_button, Qt.MouseButton.LeftButton)
    settle()
    found = every_dock(window, qtbot) | found

    # A sweep's results: its table (means ± std, the varied learning rate), charts and summary.
    window.show_dock("experiments")
    panel = window.experiments
    base = with_changes(Experiment(name="tiny"), model={"layers": (35, 8, 2, 8, 35)},
                        train={"epochs": 10, "check_every": 5, "device": "cpu", "seeds": 1})
    panel.editor.set_sweep(Sweep(name="tiny sweep", base=base, vary={"train.learning_rate": [0.01, 0.05]}, seeds=2))
    with qtbot.waitSignal(panel.sweep_finished, timeout=60000):
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=10000)
    settle()
    found = every_tab("experiments after a sweep", set()) | found

    # The map's preview names the point under the pointer: z = (x; y).
    window.arranger.switch("explore")
    settle()
    canvas = window.latent
    x, y = canvas.projected_codes().mean(axis=0) + 0.123
    QTest.mouseMove(canvas.plot.viewport(), canvas.plot.mapFromScene(canvas.vb.mapViewToScene(QPointF(x, y))))
    qtbot.waitUntil(lambda: "z =" in canvas.preview.caption(), timeout=5000)
    found = visible_texts("the map, hovered") | found
    assert not found, f"{len(found)} texts with a decimal point:\n" + "\n".join(
        f"{where}: {text}" for text, where in sorted(found.items()))
