""""Run on: this computer / Ray cluster at ...": where the Experiments panel runs a sweep (and the
report dialog a course report's training runs).

The Ray choice runs the sweep's groups as Ray tasks (aegui.core.analyses.sweeps.on_ray): on the
cluster at the address typed, or with the address left empty on a Ray instance started on this
computer for the run. Without Ray installed the choice says how to add it.
"""
from __future__ import annotations

import importlib.util

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from aegui.core.analyses.sweeps.tasks import INSTALL_HINT
from aegui.qt.i18n import bind_text, on_language, tr


def ray_installed() -> bool:
    return importlib.util.find_spec("ray") is not None


SWEEP_TIP = ("Runs the sweep's groups as Ray tasks on the cluster at this address; empty starts Ray on this "
             "computer for the run.")


class RunOnChoice(QWidget):
    """A combo (this computer / Ray cluster at) and the cluster's address; `tooltip` (English,
    translated) says what goes to the cluster."""

    def __init__(self, parent=None, tooltip: str = SWEEP_TIP):
        super().__init__(parent)
        self.label = QLabel()
        bind_text(self, self.label.setText, "Run on:")
        self.combo = QComboBox()
        self.combo.addItems(["", ""])
        bind_text(self, lambda t: self.combo.setItemText(0, t), "this computer")
        bind_text(self, lambda t: self.combo.setItemText(1, t), "Ray cluster at")
        self.address = QLineEdit()
        bind_text(self, self.address.setPlaceholderText, "host:6379, ray://host:10001 or empty (start Ray here)")
        bind_text(self, self.address.setToolTip, tooltip)
        self.address.setMinimumWidth(140)
        self.address.setClearButtonEnabled(True)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self.label)
        lay.addWidget(self.combo)
        lay.addWidget(self.address, 1)
        self.combo.currentIndexChanged.connect(self._sync)
        self._sync()
        on_language(self, self._sync)

    def use_ray(self) -> bool:
        return self.combo.currentIndex() == 1

    def set_ray(self, on: bool, address: str = "") -> None:
        self.combo.setCurrentIndex(1 if on else 0)
        self.address.setText(address)

    def target(self) -> dict | None:
        """None: this computer; else {"address": ADDRESS or None (start Ray here)}."""
        if not self.use_ray():
            return None
        return {"address": self.address.text().strip() or None}

    def problem(self) -> str | None:
        """Why the choice cannot run now (Ray missing), in one sentence."""
        if self.use_ray() and not ray_installed():
            return tr("Ray is not installed: add it with `{hint}`.", hint=INSTALL_HINT)
        return None

    def _sync(self, *_):
        self.address.setVisible(self.use_ray())
        self.setToolTip(self.problem() or "")
