"""A VAE's sampling step, one row a latent dimension: the mean and spread the encoder gave, the
noise drawn, the code the decoder got (mean + spread x noise) and the KL term. The numbers are
the ones aegui.core.analyses.explain computed; the table only writes them down."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSizePolicy, QTableWidget, QTableWidgetItem

from aegui.qt.i18n import bind_text, number
from aegui.qt.widgets.text.terms import with_terms

# (header, its tooltip): the columns, in the order of VaeStep's fields shown.
COLUMNS = (("μ", "mean: where the encoder puts this input on this dimension"),
           ("σ", "spread: how far the encoder lets the code wander (exp of half the log-variance)"),
           ("ε", "noise: drawn from N(0, 1) with the seed (Re-sample draws another)"),
           ("z", "code: μ + σ × ε, what the decoder got"),
           ("KL", "KL term of this dimension, in nats: the price of μ away from 0 and σ away from 1"))


def fmt(value: float) -> str:
    return number(value, ".4g")


class LatentTable(QTableWidget):
    """set_step(vae): one row a latent dimension; sized to show every row (the panel scrolls)."""

    def __init__(self, parent=None):
        super().__init__(0, len(COLUMNS), parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.columns = ("mean", "sigma", "noise", "code", "kl")
        for col, (head, tip) in enumerate(COLUMNS):
            item = QTableWidgetItem(head)
            self.setHorizontalHeaderItem(col, item)
            # The KL column says what KL is, too.
            bind_text(self, lambda text, item=item, head=head: item.setToolTip(with_terms(text, head)), tip)

    def set_step(self, vae) -> None:
        if vae is None:
            self.setRowCount(0)
            self._fit()
            return
        values = np.stack([vae.mean, vae.sigma, vae.noise, vae.code, vae.kl], axis=1)
        self.setRowCount(len(values))
        for row, numbers in enumerate(values):
            self.setVerticalHeaderItem(row, QTableWidgetItem(str(row + 1)))
            for col, v in enumerate(numbers):
                item = self.item(row, col)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.setItem(row, col, item)
                item.setText(fmt(float(v)))
        self._fit()

    def value(self, row: int, column: str) -> str:
        """The text shown for `column` ("mean", "sigma", "noise", "code", "kl") of dimension `row`."""
        return self.item(row, self.columns.index(column)).text()

    def _fit(self) -> None:
        rows = sum(self.rowHeight(r) for r in range(self.rowCount()))
        self.setFixedHeight(self.horizontalHeader().height() + rows + 2 * self.frameWidth() + 2)
