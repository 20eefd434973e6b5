"""Which plane of a latent space of more than two dimensions the canvas shows: two chosen
dimensions, the first two principal components, or (3-D) a plane the user turns. The bar holds the
controls and computes the affine projection; the canvas draws through it."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from aegui.qt.i18n import bind_text
from aegui.qt.latent.view.rotate3d import Rotate3D


def _row(*widgets) -> QHBoxLayout:
    lay = QHBoxLayout()
    lay.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        lay.addWidget(w)
    return lay


class ProjectionBar(QWidget):
    reprojected = Signal()       # another plane: fit the view to it
    turned = Signal()            # the 3-D view turned: keep the zoom

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QLabel()
        bind_text(self, self.label.setText, "Projection:")
        self.combo = QComboBox()
        # Sized to its entries whenever they change: on first show only, a bar first shown in
        # English kept that width in Spanish ("Proyección: dimensi").
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.addItems(["", ""])
        bind_text(self, lambda t: self.combo.setItemText(0, t), "dims i,j")
        bind_text(self, lambda t: self.combo.setItemText(1, t), "PCA")
        bind_text(self, self.combo.setToolTip, "PCA: the plane of the two directions along which the codes vary most")
        self.dim_i, self.dim_j = QSpinBox(), QSpinBox()
        bind_text(self, self.dim_i.setToolTip, "Latent dimension shown horizontally")
        bind_text(self, self.dim_j.setToolTip, "Latent dimension shown vertically")
        self.dims_box = QWidget()
        self.dims_box.setLayout(_row(QLabel("x"), self.dim_i, QLabel("y"), self.dim_j))
        self.proj_box = QWidget()
        self.proj_box.setLayout(_row(self.label, self.combo, self.dims_box))
        self.proj_box.layout().addStretch(1)
        self.rotate = Rotate3D()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.proj_box)
        lay.addWidget(self.rotate)       # its own row: beside the others it did not fit at 1024 px
        self.n = 0
        self.combo.currentIndexChanged.connect(self._projection_changed)
        self.dim_i.valueChanged.connect(lambda _: self._dims_changed(self.dim_i, self.dim_j))
        self.dim_j.valueChanged.connect(lambda _: self._dims_changed(self.dim_j, self.dim_i))
        self.rotate.changed.connect(self.turned)
        self.rotate.check.toggled.connect(lambda _: self._enable())
        self.configure(2)

    def configure(self, n: int) -> None:
        """Controls for a latent space of n dimensions (none for 1 or 2)."""
        self.n = n
        for spin, val in ((self.dim_i, 0), (self.dim_j, 1)):
            spin.blockSignals(True)
            spin.setRange(0, max(0, n - 1))
            spin.setValue(min(val, max(0, n - 1)))
            spin.blockSignals(False)
        self.proj_box.setVisible(n > 2)
        self.dims_box.setVisible(self.combo.currentIndex() == 0)
        self.rotate.setVisible(n == 3)
        self.setVisible(n > 2)
        self._enable()

    def three_d(self) -> bool:
        return self.rotate.check.isChecked() and self.n == 3

    def _enable(self) -> None:
        """A 3-D view chooses its own plane: the projection and dims controls wait until it is off."""
        self.proj_box.setEnabled(not self.three_d())

    def basis(self, codes: np.ndarray, previous: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(basis [2, n], origin [n]) of the plane shown: view xy = (z - origin) @ basis.T."""
        n = codes.shape[1] if codes.ndim == 2 else self.n
        codes = codes.astype(np.float64)
        if n <= 2:
            return np.eye(2, n), np.zeros(n)
        if n == 3 and self.three_d():
            return self.rotate.basis(), (codes.mean(0) if len(codes) else np.zeros(n))
        if self.combo.currentIndex() == 1 and len(codes) >= 2:
            from sklearn.decomposition import PCA  # slow import, only when asked for
            pca = PCA(n_components=2, svd_solver="full").fit(codes)
            # inverse_transform is xy @ components_ + mean_ (no whitening): the same affine map.
            basis = pca.components_.copy()
            if previous.shape == basis.shape:
                # Refits during training may flip an axis; keep the old orientation.
                basis *= np.where(np.sum(basis * previous, axis=1) < 0, -1.0, 1.0)[:, None]
            return basis, pca.mean_
        i, j = self.dim_i.value(), self.dim_j.value()
        # Dimensions off screen sit at the dataset mean.
        origin = codes.mean(0) if len(codes) else np.zeros(n)
        origin[[i, j]] = 0.0
        basis = np.zeros((2, n))
        basis[0, i] = basis[1, j] = 1.0
        return basis, origin

    def axis_names(self) -> tuple[str, str]:
        if self.n > 2 and self.combo.currentIndex() == 1:
            return "PC1", "PC2"
        if self.n > 2:
            return f"z{self.dim_i.value()}", f"z{self.dim_j.value()}"
        return "z0", "z1"

    def _projection_changed(self, _index: int) -> None:
        self.dims_box.setVisible(self.combo.currentIndex() == 0)
        self.reprojected.emit()

    def _dims_changed(self, changed: QSpinBox, other: QSpinBox) -> None:
        if changed.value() == other.value():  # one axis twice would make y meaningless
            other.blockSignals(True)
            other.setValue((changed.value() + 1) % max(1, self.n))
            other.blockSignals(False)
        self.reprojected.emit()
