"""A sweep's results as a sortable table: one row per config, mean ± std of each metric.

Rows exist for every config from the start, so the table fills in as groups finish and a
cancelled sweep shows which configs never ran. Sorting uses the numbers behind the text
(SORT_ROLE), and configs without results stay at the bottom in either direction.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from aegui.core.analyses.sweeps import evaluate as sweep_eval
from aegui.core.analyses.sweeps.sweep import format_value
from aegui.core.config.fields import FIELDS
from aegui.qt.i18n import number, on_language, plural, tr
from aegui.qt.experiments.sweep_charts import config_color
from aegui.qt.widgets.inputs.fields import field_label
from aegui.qt.widgets.text.terms import field_tip, with_terms

VALUE_SLACK = 6         # px added to a named value's column
MAX_VALUE_WIDTH = 130   # px, for a long value (a layer list); a named one is shown whole:
WHOLE_LABEL_CHARS = 24  # "SGD + momentum 0.9" was cut to "SGD + m…tum 0.9"
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
CONFIG_ROLE = Qt.ItemDataRole.UserRole + 2
# metric column -> (summary key, header, digits of the mean, digits of the std)
METRIC_COLUMNS = [("final_max_wrong", "Max wrong", ".2f", ".2f"),
                  ("final_mean_wrong", "Mean wrong", ".2f", ".2f"),
                  ("final_loss", "Loss", ".3g", ".2g"),
                  ("epochs_to_target", "Epochs to target", ".0f", ".0f")]


def mean_std_text(mean, std, fmt_mean: str, fmt_std: str) -> str:
    if mean is None or not math.isfinite(mean):
        return "–"
    return f"{number(mean, fmt_mean)} ± {number(std, fmt_std)}"


class SweepTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.sweep = None
        self.configs = []
        self.keys: list[str] = []
        self.rows: dict[int, dict] = {}      # config -> summary (configs with results)
        self.health = None                    # the result's SweepHealth: which runs did not train
        self.running: set[int] = set()
        self.finished = False                 # True once the sweep ended (finished or cancelled)
        self.columns: list[tuple[str, str]] = []

    def set_sweep(self, sweep, configs) -> None:
        self.beginResetModel()
        self.sweep, self.configs = sweep, list(configs)
        self.keys = list(sweep.vary) or ["label"]
        self.rows, self.running, self.finished = {}, set(), False
        self.health = None
        self.columns = ([("index", "Config")] + [("value", k) for k in self.keys]
                        + [("metric", m[0]) for m in METRIC_COLUMNS]
                        + [("metric", name) for name in sweep_eval.metric_names(sweep)] + [("reached", ""), ("time", ""),
                                                                         ("runs", "")])
        self.endResetModel()

    def set_result(self, result, running=(), finished: bool = False) -> None:
        """Summaries of the configs with runs; `running`: configs being trained now."""
        self.rows = {row["config"]: row for row in result.summaries()} if result is not None else {}
        self.health = result.health() if result is not None else None
        self.running = set(running)
        self.finished = finished
        if self.configs:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.configs) - 1, len(self.columns) - 1))

    @property
    def first_metric(self) -> int:
        return self.column_of("metric")

    def column_of(self, kind: str, key: str = "") -> int:
        for i, (k, name) in enumerate(self.columns):
            if k == kind and (not key or name == key):
                return i
        raise KeyError(f"{kind} {key}")

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.configs)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        kind, key = self.columns[section]
        target = self.sweep.target if self.sweep is not None else None
        if role == Qt.ItemDataRole.DisplayRole:
            if kind == "value":
                return tr("Name") if key == "label" else field_label(key)
            if kind == "metric":
                if key == "epochs_to_target" and target is not None:
                    return tr("Epochs to ≤{target}", target=target)
                fixed = next((m[1] for m in METRIC_COLUMNS if m[0] == key), None)
                if fixed is not None:
                    return tr(fixed)
                base, _, level = sweep_eval.label(key).partition(" @ ")
                return f"{tr(base)} @ {level}" if level else tr(base)
            return tr({"index": "Config", "reached": "Reached", "time": "s / run", "runs": "Runs"}[kind])
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self._header_tip(kind, key, target)
            if kind == "value":   # the config key, then what the field is (β, momentum explained)
                return "\n".join([tip, field_tip(FIELDS[key])]) if key in FIELDS and field_tip(FIELDS[key]) else tip
            # "Max wrong", "PSNR @ ...": the term the header names, under what the column holds
            english = next((m[1] for m in METRIC_COLUMNS if m[0] == key), None)
            if english is None:
                english = sweep_eval.label(key) if kind == "metric" else ""
            return with_terms(tip or "", english) or None
        return None

    def _header_tip(self, kind: str, key: str, target) -> str | None:
        """What a column holds (without the terms its header names)."""
        if kind == "value":
            return key
        if kind == "metric" and key == "epochs_to_target":
            if target is None:
                return tr("No target was set for this sweep")
            return plural(target, tr("First checked epoch whose worst glyph had at most 1 wrong pixel"),
                          tr("First checked epoch whose worst glyph had at most {target} wrong pixels", target=target))
        if kind == "metric" and key.startswith("final_") and "noisy_input_wrong" in \
                sweep_eval.metric_names(self.sweep):
            return tr("Clean-input reconstruction: for denoising see the noisy-input columns")
        if kind == "metric":
            return tr("Mean ± population std (ddof=0) over the runs where the value is defined; runs that "
                      "diverged are left out (the Runs column counts them)")
        if kind == "time":
            return tr("Training time per run: each session's time divided by its runs (they train together)")
        return None

    def _value(self, config, key):
        if key == "label":
            return config.label, config.label
        value = config.values[key]
        if key in self.sweep.labels:
            text = self.sweep.labels[key][self.sweep.vary[key].index(value)]
        else:
            text = number(value, "g") if isinstance(value, float) else format_value(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return text, float(value)
        if isinstance(value, tuple):
            return text, (len(value), format_value(value))
        return text, text

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        c = self.configs[index.row()]
        kind, key = self.columns[index.column()]
        row = self.rows.get(c.index)
        if role == CONFIG_ROLE:
            return c.index
        if role == Qt.ItemDataRole.DecorationRole and kind == "index":
            return config_color(c.index)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [c.label]
            if kind in ("metric", "reached", "runs") and row is not None:
                if row["n_diverged"]:
                    lines.append(tr("Left out, diverged: {diverged} of {runs}; the mean is over the other {trained}",
                                    trained=row["n_runs"] - row["n_diverged"], runs=row["n_runs"],
                                    diverged=row["n_diverged"]))
                failed = self.health.failed(c.index)
                if sum(failed.values()):
                    # their numbers are a real, untrained model's: counted, and said
                    lines.append(tr("Counted in the mean, though untrained: {untrained} of {runs} ({dead}: no better "
                                    "than the majority picture; {flat}: a loss that fell under {fall:g} % from its "
                                    "first check)", untrained=sum(failed.values()), runs=row["n_runs"],
                                    dead=failed["dead"], flat=failed["did not learn"], fall=self.health.learn_fall(c.index)))
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ForegroundRole and row is None:
            return QBrush(QColor(128, 128, 128))
        if role == Qt.ItemDataRole.TextAlignmentRole and kind not in ("value",):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return None
        sort = role == SORT_ROLE
        if kind == "index":
            return c.index if sort else str(c.index + 1)
        if kind == "value":
            text, key_ = self._value(c, key)
            return key_ if sort else text
        if row is None and (kind == "runs" or index.column() == self.first_metric):
            # Said in the first result column too: the Runs column is the table's last, out of
            # sight in a narrow dock, where a cancelled sweep's rows were only greyed.
            state = "running…" if c.index in self.running else "not run" if self.finished else "waiting"
            return None if sort else tr(state)
        if kind == "runs":
            untrained = sum(self.health.failed(c.index).values())
            if row["n_diverged"] and untrained:
                text = tr("{done}/{total}, {diverged} diverged, {untrained} untrained", done=row["n_runs"],
                          total=self.sweep.seeds, diverged=row["n_diverged"], untrained=untrained)
            elif row["n_diverged"]:
                text = tr("{done}/{total}, {diverged} diverged", done=row["n_runs"], total=self.sweep.seeds,
                          diverged=row["n_diverged"])
            elif untrained:
                text = tr("{done}/{total}, {untrained} untrained", done=row["n_runs"], total=self.sweep.seeds,
                          untrained=untrained)
            else:
                text = f"{row['n_runs']}/{self.sweep.seeds}"
            return row["n_runs"] if sort else text
        if row is None:
            return None if sort else ""
        if index.column() == self.first_metric and row["n_diverged"] == row["n_runs"]:
            return None if sort else tr("all diverged")
        if kind == "metric":
            mean, std = row[f"{key}_mean"], row[f"{key}_std"]
            if sort:
                return mean if math.isfinite(mean) else None
            fmt = next((m for m in METRIC_COLUMNS if m[0] == key), (key, "", ".2f", ".2f"))
            return mean_std_text(mean, std, fmt[2], fmt[3])
        if kind == "reached":
            n = row["reached_target"]
            if sort:
                return n
            return "–" if n is None else f"{n}/{row['n_runs']}"
        if kind == "time":
            mean = row["seconds_mean"]
            return mean if sort else number(mean, ".2f")
        return None


class _SortProxy(QSortFilterProxyModel):
    """Numbers sort as numbers; rows without a value sort last whichever way."""

    def lessThan(self, left, right) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:
            if a is None and b is None:
                return left.row() < right.row()
            descending = self.sortOrder() == Qt.SortOrder.DescendingOrder
            return (a is None) == descending
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)


class SweepTable(QTableView):
    config_selected = Signal(object)   # config index, or None

    def __init__(self, parent=None):
        super().__init__(parent)
        self.table_model = SweepTableModel(self)
        self.proxy = _SortProxy(self)
        self.proxy.setSourceModel(self.table_model)
        self.proxy.setSortRole(SORT_ROLE)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)   # config order until a header is clicked
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)   # 35-25-…-25-35 keeps both ends
        self.horizontalHeader().setHighlightSections(False)
        self.selectionModel().selectionChanged.connect(self._selection_changed)
        on_language(self, self._ask_texts_again)

    def set_sweep(self, sweep, configs) -> None:
        self.table_model.set_sweep(sweep, configs)
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.fit_columns()

    def rows_height(self) -> int:
        """The height that shows the header and every row (and the horizontal scroll bar when
        the columns are wider than the view): the table asks for no more, the charts under it
        take the rest (two rows took 290 px and pushed the charts out of the window)."""
        rows = max(1, self.table_model.rowCount())
        height = self.horizontalHeader().sizeHint().height() + rows * self.verticalHeader().defaultSectionSize()
        height += 2 * self.frameWidth()
        bar = self.horizontalScrollBar()
        if self.horizontalHeader().length() > self.viewport().width():
            height += bar.sizeHint().height()
        return height

    def _fit_height(self) -> None:
        height = self.rows_height()
        if self.maximumHeight() != height:
            self.setMaximumHeight(height)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_height()      # narrower: the scroll bar may come, and needs its row

    def set_result(self, result, running=(), finished: bool = False) -> None:
        self.table_model.set_result(result, running, finished)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Columns as wide as their contents, but a long varied value (a layer list with its label)
        no wider than MAX_VALUE_WIDTH: the numbers to compare must stay in view."""
        self.resizeColumnsToContents()
        m = self.table_model
        for i, (kind, _) in enumerate(m.columns):
            longest = max((len(m.index(r, i).data() or "") for r in range(m.rowCount())), default=0)
            if kind == "value" and longest > WHOLE_LABEL_CHARS and self.columnWidth(i) > MAX_VALUE_WIDTH:
                self.setColumnWidth(i, MAX_VALUE_WIDTH)
            elif kind == "value":
                # Contents' width is to the pixel: a style or font a little wider than the one
                # measured elided "without momentum" by its last letter.
                self.setColumnWidth(i, self.columnWidth(i) + VALUE_SLACK)
        self._fit_height()

    def config_at(self, row: int) -> int:
        return self.proxy.index(row, 0).data(CONFIG_ROLE)

    def cell_text(self, config: int, column: int) -> str:
        return self.table_model.index(self._source_row(config), column).data()

    def cell_value(self, config: int, column: int):
        return self.table_model.index(self._source_row(config), column).data(SORT_ROLE)

    def select_config(self, config: int | None) -> None:
        if config is None:
            self.clearSelection()
            return
        src = self.table_model.index(self._source_row(config), 0)
        self.selectRow(self.proxy.mapFromSource(src).row())

    def _source_row(self, config: int) -> int:
        return next(i for i, c in enumerate(self.table_model.configs) if c.index == config)

    def _selection_changed(self, *_):
        rows = self.selectionModel().selectedRows()
        self.config_selected.emit(self.config_at(rows[0].row()) if rows else None)

    def _ask_texts_again(self) -> None:
        """The model writes its headers and cells as they are shown (in the current language):
        the view asks for them again."""
        m = self.table_model
        if m.columns:
            m.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(m.columns) - 1)
            m.dataChanged.emit(m.index(0, 0), m.index(max(m.rowCount() - 1, 0), len(m.columns) - 1))
