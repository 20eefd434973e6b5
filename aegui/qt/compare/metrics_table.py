"""Two models' metrics in one table, the better value of each score marked (bold, tinted, ✓).
The rows are aegui.core.analyses.compare.two_models's MetricRows; their labels are said again here through
tr(), by key, so the table speaks the window's language."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSizePolicy, QTableWidget, QTableWidgetItem

from aegui.core.schema.experiment import KIND_LABELS
from aegui.core.data.noise import LABELS as NOISE_LABELS
from aegui.qt.i18n import number, tr
from aegui.qt.widgets.text.terms import with_terms

BETTER = QColor(46, 160, 67, 70)
LABELS = {"kind": "kind", "architecture": "architecture", "parameters": "parameters", "latent": "latent size",
          "max_wrong": "max wrong pixels", "mean_wrong": "mean wrong pixels", "mse": "MSE", "psnr": "PSNR (dB)",
          "loss": "loss (its own)"}
# A model that held samples out for validation: its wrong pixels on each set apart.
SPLIT = {"max_wrong_train": ("max wrong pixels", "training set"), "mean_wrong_train": ("mean wrong pixels", "training set"),
         "max_wrong_val": ("max wrong pixels", "validation set"), "mean_wrong_val": ("mean wrong pixels", "validation set")}
NOISY = {"noisy_wrong": "mean wrong pixels at {noise} {level} %", "noisy_mse": "MSE at {noise} {level} %",
         "noisy_wrong_input": "… of the noisy input itself", "noisy_mse_input": "… of the noisy input itself"}


def _fmt(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, int):
        return number(v, ",")
    return number(v, ".4g")


def row_label(row, noise) -> str:
    if row.key in LABELS:
        return tr(LABELS[row.key])
    if row.key in SPLIT:
        metric, part = SPLIT[row.key]
        return tr("{metric}, {part}", metric=tr(metric), part=tr(part))
    if row.key in NOISY and noise is not None:
        kind, level = noise
        return tr(NOISY[row.key], noise=tr(NOISE_LABELS.get(kind, kind)), level=number(level * 100, "g"))
    return row.label        # a metric added to the core since: its English label


def row_values(row) -> tuple[str, str]:
    if row.key == "kind":
        return tuple(tr(KIND_LABELS.get(v, v)) for v in row.values)
    if row.key == "architecture":
        # "fully connected (MLP): 35 → 256 → 35": the registry's label, translated, then the numbers.
        out = []
        for v in row.values:
            label, _, chain = v.partition(": ")
            out.append(f"{tr(label)}: {chain}" if chain else tr(label))
        return tuple(out)
    return tuple(_fmt(v) for v in row.values)


class MetricsTable(QTableWidget):
    def __init__(self, parent=None):
        super().__init__(0, 3, parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setWordWrap(True)
        self.verticalHeader().hide()
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        head = self.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.comparison = None

    def set_comparison(self, c, names=("A", "B")) -> None:
        self.comparison = c
        self.setHorizontalHeaderLabels([tr("metric"), names[0], names[1]])
        rows = [] if c is None else c.rows
        self.setRowCount(len(rows))
        bold = QFont(self.font())
        bold.setBold(True)
        for r, row in enumerate(rows):
            label = QTableWidgetItem(row_label(row, c.noise))
            tip = (tr("The two models train on different losses, so their loss values do not compare.")
                   if row.key == "loss" and row.lower_is_better is None else "")
            # "max wrong pixels", "PSNR (dB)": what the metric's term means
            term = LABELS.get(row.key) or NOISY.get(row.key) or SPLIT.get(row.key, ("",))[0]
            label.setToolTip(with_terms(tip, term))
            self.setItem(r, 0, label)
            better = row.better
            for side, text in enumerate(row_values(row)):
                item = QTableWidgetItem(text + (" ✓" if better == side else ""))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if better == side:
                    item.setFont(bold)
                    item.setBackground(BETTER)
                    item.setToolTip(tr("the better of the two"))
                self.setItem(r, 1 + side, item)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Rows as tall as their wrapped texts, and the table as tall as its rows (no scrolling)."""
        self.resizeRowsToContents()
        height = sum(self.rowHeight(r) for r in range(self.rowCount()))
        self.setFixedHeight(self.horizontalHeader().height() + height + 2 * self.frameWidth() + 2)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # The columns share the width: narrower, a long architecture wraps onto more lines (fitted
        # only when filled, it was cut at 1280x800, where the panel sits beside the maps).
        if event.size().width() != event.oldSize().width():
            self._fit_rows()

    def marked(self) -> dict[str, int]:
        """key -> the side (0 or 1) marked better, for each row that has one (tests)."""
        c = self.comparison
        out = {}
        for r, row in enumerate([] if c is None else c.rows):
            for side in (0, 1):
                if self.item(r, 1 + side).text().endswith(" ✓"):
                    out[row.key] = side
        return out
