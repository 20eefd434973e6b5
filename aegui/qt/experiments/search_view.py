"""An Optuna search's results in the Experiments panel: the trials, the optimisation history
(each finished trial's score and the best so far) and the parameter importance.

Fed with a SearchResult (aegui.core.analyses.sweeps.search) as trials finish; the same numbers
as trials.csv, history.csv and importance.csv.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from aegui.qt.i18n import bind_text, number, on_language, tr
from aegui.qt.widgets.charts.locale_axis import locale_axes
from aegui.qt.widgets.inputs.fields import field_label

COLUMNS = ("Trial", "State", "Score", "Epochs", "Config")


def _trial_note(t) -> str:
    """What the trial's message says, in the window's language: its seeds that diverged or did not
    train (a failed trial's message is the reason its config could not train)."""
    if t.state == "failed":
        if t.failed_problem:
            return tr("could not train: {field}: {problem}", field=field_label(t.failed_field),
                      problem=tr(t.failed_problem))
        return tr("could not train: {error}", error=t.message)
    parts = []
    if t.diverged:
        parts.append(tr("every seed diverged (scored as every pixel wrong)") if t.diverged == t.runs else
                     tr("diverged: {bad} of {runs} (scored as every pixel wrong; the means are over the rest)",
                        bad=t.diverged, runs=t.runs))
    if t.untrained:
        parts.append(tr("Counted in the mean, though untrained: {untrained} of {runs} ({dead}: no better than the "
                        "majority picture; {flat}: a loss that fell under {fall:g} % from its first check)",
                        untrained=t.untrained, runs=t.runs, dead=t.dead, flat=t.flat, fall=t.learn_fall))
    return "; ".join(parts)


class SearchView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.result = None
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, name in enumerate(COLUMNS):
            # Made here, not by setHorizontalHeaderLabels: the binding keeps the item's wrapper,
            # and only an item made in Python tells it when the table deletes the item.
            self.table.setHorizontalHeaderItem(col, QTableWidgetItem())
            bind_text(self, self.table.horizontalHeaderItem(col).setText, name)
        self.history = pg.PlotWidget(axisItems=locale_axes())
        self.history.showGrid(x=True, y=True, alpha=0.3)
        bind_text(self, self.history.setTitle, "Optimisation history")
        bind_text(self, lambda t: self.history.setLabel("bottom", t), "trial")
        bind_text(self, lambda t: self.history.setLabel("left", t), "score")
        self.scores = pg.ScatterPlotItem(size=7, brush=pg.mkBrush("#1f77b4"), pen=pg.mkPen(None))
        self.best_line = pg.PlotCurveItem(pen=pg.mkPen("#d62728", width=2))
        self.history.addItem(self.scores)
        self.history.addItem(self.best_line)
        self.importance = pg.PlotWidget(axisItems=locale_axes())
        self.importance.setXRange(0, 1)
        bind_text(self, self.importance.setTitle, "Parameter importance")
        self.importance.getAxis("left").setWidth(90)     # room for the field names
        self.bars: pg.BarGraphItem | None = None
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.history)
        charts.addWidget(self.importance)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(charts)
        split.setSizes([45, 55])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(split)
        on_language(self, self._show_result)

    def set_result(self, result) -> None:
        self.result = result
        self._show_result()

    def _show_result(self) -> None:
        """The trials, history and importance of the result (its states and numbers in the
        current language; the name axis fitted to the names)."""
        result = self.result
        if result is None:
            return
        trials = sorted(result.trials, key=lambda t: t.trial)
        self.table.setRowCount(len(trials))
        for row, t in enumerate(trials):
            note = _trial_note(t)
            cells = (str(t.trial + 1), tr(t.state), "" if not math.isfinite(t.score) else number(t.score, ".3f"),
                     str(t.epochs), t.label + (f" — {note}" if note else ""))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
        # The short columns as wide as their contents: the searched values (Config) get the rest.
        for col in range(len(COLUMNS) - 1):
            self.table.resizeColumnToContents(col)
        history = result.history()
        x = np.array([h["trial"] for h in history], dtype=float)
        self.scores.setData(x, np.array([h["score"] for h in history], dtype=float))
        best = np.array([h["best_score"] for h in history], dtype=float)
        # the best so far as steps: it holds until a trial beats it
        self.best_line.setData(np.repeat(x, 2)[1:], np.repeat(best, 2)[:-1]) if len(x) else self.best_line.setData([], [])
        if self.bars is not None:
            self.importance.removeItem(self.bars)
            self.bars = None
        names = list(result.importance)
        if names:
            y = np.arange(len(names), dtype=float)
            self.bars = pg.BarGraphItem(x0=0, y=y, height=0.6, width=[result.importance[k] for k in names],
                                        brush="#2ca02c")
            self.importance.addItem(self.bars)
            short = [k.split(".")[-1] for k in names]
            axis = self.importance.getAxis("left")
            axis.setTicks([list(enumerate(short))])
            # Room for the longest name ("learning_rate", "hidden_activation" were cut at 90 px
            # with a desktop's font): the searched settings are what the chart is about.
            fm = QFontMetrics(axis.style.get("tickFont") or self.importance.font())
            axis.setWidth(max(60, max(fm.horizontalAdvance(n) for n in short) + 16))
            self.importance.setYRange(-0.5, len(names) - 0.5)
