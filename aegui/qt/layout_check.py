"""What a person would see as broken in a window, found from the widgets: text cut at a label's
edge, a button narrower than its text, a tab whose title is elided. `--screenshot` prints these,
and the window-size test matrix asserts there are none."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QStyle, QTabBar, QWidget

SLACK = 2   # px: rounding in font metrics


def _name(w: QWidget) -> str:
    chain, p = [], w
    while p is not None and len(chain) < 4:
        chain.append(p.objectName() or type(p).__name__)
        p = p.parentWidget()
    return "/".join(reversed(chain))


def _shown(w: QWidget) -> bool:
    """Visible on screen: shown, with an area, and not inside a hidden tab or a collapsed part."""
    if not w.isVisible() or w.width() <= 0 or w.height() <= 0:
        return False
    r = w.visibleRegion()
    return not r.isEmpty()


def label_problem(label: QLabel) -> str | None:
    text = label.text()
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and "<" in text and ">" in text)
    if not text or rich:
        return None
    if label.pixmap() is not None and not label.pixmap().isNull():
        return None
    full = getattr(label, "full_text", None)
    if callable(full) and full() and full().replace("\u200b", "") != text.replace("\u200b", ""):
        return "its text is elided"
    fm = label.fontMetrics()
    room = label.contentsRect().width() - 2 * max(0, label.margin()) - max(0, label.indent())
    if label.wordWrap():
        word = max((fm.horizontalAdvance(w) for w in text.replace("\u200b", " ").split()), default=0)
        if word > room + SLACK:
            return f"a word needs {word} px, the label has {room}"
        need = label.heightForWidth(label.width())
        if need > label.height() + SLACK:
            return f"needs {need} px of height, has {label.height()}"
        return None
    need = max(fm.horizontalAdvance(line) for line in text.split("\n"))
    if need > room + SLACK:
        return f"needs {need} px, has {room}"
    lines = text.count("\n") + 1
    if fm.height() * lines > label.contentsRect().height() + fm.leading() * lines + SLACK + 2:
        return f"needs {fm.height() * lines} px of height, has {label.contentsRect().height()}"
    return None


def button_problem(button: QAbstractButton) -> str | None:
    if not button.text():
        return None
    need = button.sizeHint().width()
    if need > button.width() + SLACK:
        return f"needs {need} px, has {button.width()}"
    return None


def tab_problems(bar: QTabBar) -> list[str]:
    out = []
    fm = bar.fontMetrics()
    for i in range(bar.count()):
        if not bar.isTabVisible(i):    # hidden on purpose (e.g. Search until a search runs)
            continue
        text = bar.tabText(i).replace("&", "")
        rect = bar.tabRect(i)
        if rect.isEmpty() or not bar.rect().intersects(rect):
            out.append(f"tab {text!r} is scrolled out of the bar")
        else:
            # What the style draws around a title (Qt elides the title below this).
            need = fm.horizontalAdvance(text) + bar.style().pixelMetric(QStyle.PixelMetric.PM_TabBarTabHSpace, None, bar) // 2
            if need > rect.width() + SLACK:
                out.append(f"tab {text!r} needs {need} px, has {rect.width()}")
    return out


def plot_problems(plot) -> list[str]:
    """A chart's title or legend wider than the chart."""
    from aegui.qt.widgets.plot_text import LegendBelow, title_width
    out = []
    title = (plot.titleLabel.text or "").replace("<br>", " ")
    if title and plot.titleLabel.isVisible() and title_width(plot) > plot.width() + SLACK:
        out.append(f"chart title {title!r} needs {title_width(plot):.0f} px, the chart has {plot.width():.0f}")
    legend = getattr(plot, "legend", None)
    if isinstance(legend, LegendBelow) and legend.items and legend.needed_width() > plot.width() + SLACK:
        out.append(f"legend of {title!r} needs {legend.needed_width():.0f} px, the chart has {plot.width():.0f}")
    return out


def layout_problems(root: QWidget) -> list[str]:
    """One line per cut text among the visible widgets under `root`."""
    import pyqtgraph as pg
    problems = []
    for view in root.findChildren(pg.GraphicsView):
        if _shown(view):
            for item in view.scene().items():
                if isinstance(item, pg.PlotItem) and item.isVisible():
                    problems += [f"{_name(view)}: {p}" for p in plot_problems(item)]
    for w in root.findChildren(QWidget):
        if isinstance(w, QComboBox) or not _shown(w):
            continue
        if isinstance(w, QLabel):
            p = label_problem(w)
            what = w.text()
        elif isinstance(w, QAbstractButton) and not isinstance(w.parentWidget(), QTabBar):
            p = button_problem(w)
            what = w.text()
        elif isinstance(w, QTabBar):
            problems += [f"{_name(w)}: {t}" for t in tab_problems(w)]
            continue
        else:
            continue
        if p:
            problems.append(f"{_name(w)} {what!r}: {p}")
    return problems
