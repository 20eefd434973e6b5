"""For pictures that are not black and white, the training panel's right-hand side: the mean
reconstruction error (MSE and PSNR) and the worst samples, original beside reconstruction."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from aegui.core.train.image_quality import reconstruction_errors, worst
from aegui.qt.i18n import bind_text, on_language, tr
from aegui.qt.widgets.glyphs.glyph_view import GlyphView
from aegui.qt.widgets.text.terms import explain

N_WORST = 6


class WorstSamples(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel(alignment=Qt.AlignmentFlag.AlignHCenter)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        bind_text(self, self.title.setText, "Worst reconstructions")
        bind_text(self, self.setToolTip, "PSNR = 10·log10(1 / MSE) over the sample's pixels (values 0 to 1): higher is "
                  "better; about 30 dB and up looks right.")
        self.summary = QLabel(wordWrap=True, alignment=Qt.AlignmentFlag.AlignHCenter)
        self.grid = QGridLayout()
        self.grid.setSpacing(4)
        self.cells: list[tuple[GlyphView, GlyphView, QLabel]] = []
        for i in range(N_WORST):
            orig, rec = GlyphView(cell_size=2, grid=False), GlyphView(cell_size=2, grid=False)
            for v in (orig, rec):
                v.setMinimumSize(28, 28)
                v.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            caption = QLabel(alignment=Qt.AlignmentFlag.AlignHCenter)
            row, col = divmod(i, 3)
            self.grid.addWidget(orig, 2 * row, 2 * col)
            self.grid.addWidget(rec, 2 * row, 2 * col + 1)
            self.grid.addWidget(caption, 2 * row + 1, 2 * col, 1, 2)
            self.cells.append((orig, rec, caption))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 0, 4, 0)
        lay.addWidget(self.title)
        lay.addWidget(self.summary)
        lay.addLayout(self.grid, 1)
        self._state = None
        on_language(self, self._show)
        self._show()

    def set_samples(self, originals, recon, labels, mse=None, psnr=None) -> tuple[np.ndarray, np.ndarray]:
        """Shows the worst reconstructions; returns (mse, psnr) per sample (measured here unless
        given: a model's view brings them from the worker)."""
        if mse is None or psnr is None:
            mse, psnr = reconstruction_errors(originals, recon)
        self._state = (np.asarray(originals), np.asarray(recon), list(labels), mse, psnr)
        self._show()
        return mse, psnr

    def shown_indices(self) -> list[int]:
        return [] if self._state is None else list(worst(self._state[3], N_WORST))

    def _show(self) -> None:
        if self._state is None:
            self.summary.setText("")
            for orig, rec, caption in self.cells:
                orig.hide(), rec.hide(), caption.hide()
            return
        originals, recon, labels, mse, psnr = self._state
        mean_mse = float(mse.mean())
        mean_psnr = float(10 * np.log10(1 / mean_mse)) if mean_mse > 0 else float(psnr.max())
        self.summary.setText(tr("mean PSNR {psnr:.1f} dB · MSE {mse:.4f}", psnr=mean_psnr, mse=mean_mse))
        self.summary.setToolTip(explain("PSNR"))
        picks = worst(mse, N_WORST)
        for k, (orig, rec, caption) in enumerate(self.cells):
            if k >= len(picks):
                orig.hide(), rec.hide(), caption.hide()
                continue
            i = int(picks[k])
            orig.set_image(originals[i])
            rec.set_image(recon[i])
            name = labels[i] if i < len(labels) else str(i)
            caption.setText(tr("{psnr:.1f} dB", psnr=float(psnr[i])))
            caption.setToolTip(tr("{name} · MSE {mse:.5f}", name=name, mse=float(mse[i])))
            orig.show(), rec.show(), caption.show()
