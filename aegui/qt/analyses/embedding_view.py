"""The embeddings tab: for Font1-3, an autoencoder's 2-D latent space beside scikit-learn's PCA
and t-SNE of the pixels (optionally also of the codes), one row of panels per font, every glyph
drawn as its character where it lands. Runs aegui.core.analyses.embedding.EmbeddingJob, which trains a
2-D autoencoder per font first (a fraction of a second each).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QSpinBox

from aegui.core.analyses.charts import PALETTE
from aegui.core.analyses.embedding import (ALL_PANELS, DEFAULT_PANELS, EmbeddingProgress, default_perplexity,
                                          panel_title)
from aegui.qt.i18n import bind_text, number, on_language, tr
from aegui.qt.analyses.analysis_view import AnalysisView, plot_colors
from aegui.qt.widgets.text.pieces import fmt_duration
from aegui.qt.widgets.charts.plot_text import fit_text
from aegui.qt.widgets.charts.locale_axis import locale_axes
from aegui.qt.widgets.inputs.decimal_key import DecimalSpinBox

FONTS = ("Font1", "Font2", "Font3")
PANEL_SETS = {"default": DEFAULT_PANELS, "all": ALL_PANELS}
CELL_MIN = (135, 130)     # px of one panel: below this the scroll area scrolls


def _color(i: int) -> QColor:
    r, g, b = PALETTE[i % len(PALETTE)]
    return QColor(r, g, b)


def _short(label: str) -> str:
    return {"space": "sp", "DEL": "del"}.get(label, label)


class EmbeddingView(AnalysisView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.plots: dict[tuple[str, str, str], pg.PlotItem] = {}       # (font, method, space) -> plot
        self.point_items: dict[tuple[str, str, str], list[pg.TextItem]] = {}
        self._build()
        self.apply_palette()

    def _build(self) -> None:
        self.panels_label, self.seed_label, self.perplexity_label = QLabel(), QLabel(), QLabel()
        bind_text(self, self.panels_label.setText, "Panels")
        bind_text(self, self.seed_label.setText, "Seed")
        bind_text(self, self.perplexity_label.setText, "Perplexity")
        self.panels_combo = QComboBox()
        self.panels_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.panels_combo.setMinimumContentsLength(6)
        for key in PANEL_SETS:
            self.panels_combo.addItem("", key)
        combo = self.panels_combo
        bind_text(self, lambda text: combo.setItemText(combo.findData("default"), text), "AE latent · PCA · t-SNE")
        bind_text(self, lambda text: combo.setItemText(combo.findData("all"), text),
                  "All five (also PCA and t-SNE of the codes)")
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 99_999)
        bind_text(self, self.seed_spin.setToolTip, "Random state of t-SNE")
        self.perplexity_spin = DecimalSpinBox()
        self.perplexity_spin.setRange(0, 100)
        self.perplexity_spin.setDecimals(1)
        self.perplexity_spin.setSingleStep(1)
        bind_text(self, self.perplexity_spin.setSpecialValueText, "auto")
        bind_text(self, self.perplexity_spin.setToolTip,
                  "t-SNE's perplexity, below the number of glyphs; auto = min(30, (N - 1) / 3)")
        options = QHBoxLayout()
        options.setSpacing(4)
        options.addWidget(self.panels_label)
        options.addWidget(self.panels_combo, 1)
        for w in (self.seed_label, self.seed_spin, self.perplexity_label, self.perplexity_spin):
            options.addWidget(w)

        self.grid = pg.GraphicsLayoutWidget()
        self.grid.ci.setContentsMargins(2, 2, 2, 2)
        self.grid.ci.setSpacing(4)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.grid)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)

        export = self.add_export(lambda: self.ask_save("Figure as PNG…", "embedding.png", "png", self.export_png))
        bind_text(self, export.setText, "Figure as PNG…")
        export = self.add_export(lambda: self.ask_save("Figure with the glyphs as PNG…", "embedding-glyphs.png",
                                                       "png", lambda p: self.export_png(p, pictures=True)))
        bind_text(self, export.setText, "Figure with the glyphs as PNG…")
        export = self.add_export(lambda: self.ask_save("Points as CSV…", "embedding.csv", "csv", self.export_csv))
        bind_text(self, export.setText, "Points as CSV…")
        lay = self.layout_
        lay.addLayout(options)
        lay.addLayout(self.bar)
        lay.addWidget(self.status_label)
        lay.addWidget(self.scroll_area, 1)
        on_language(self, self._set_titles)

    # ---------------------------------------------------------------- running
    def run_preset(self) -> bool:
        """The defaults: Font1-3, AE latent · PCA · t-SNE, seed 0, automatic perplexity."""
        self.panels_combo.setCurrentIndex(0)
        self.seed_spin.setValue(0)
        self.perplexity_spin.setValue(0)
        return self.run()

    def run(self, fonts=FONTS, panels=None, seed: int | None = None, perplexity: float | None = None,
            models: dict | None = None) -> bool:
        """Projects `fonts` (default Font1-3) with the settings shown unless given."""
        panels = tuple(panels) if panels is not None else PANEL_SETS[self.panels_combo.currentData()]
        seed = self.seed_spin.value() if seed is None else seed
        if perplexity is None and self.perplexity_spin.value() > 0:
            perplexity = self.perplexity_spin.value()
        fonts = tuple(fonts)
        self._perplexity = perplexity

        def make_job():
            from aegui.core.analyses.embedding import EmbeddingJob
            return EmbeddingJob(fonts, models=models, panels=panels, seed=seed, perplexity=perplexity)
        return self.start(make_job)

    def describe(self, item: EmbeddingProgress) -> str:
        if item.state == "training":
            return tr("{font}: training its 2-D autoencoder, epoch {epoch}/{epochs}", font=item.dataset,
                      epoch=item.epoch, epochs=item.epochs)
        if item.state == "projecting":
            return tr("{font}: {panel} ({done}/{total})", font=item.dataset,
                      panel=tr(panel_title(*item.panel)), done=item.done, total=item.total)
        return ""

    def show_finished(self, item: EmbeddingProgress) -> None:
        result = item.result
        if result is None or not result.panels:
            if result is not None and result.cancelled:
                self.set_status("Cancelled before the first font finished.")
            return
        self.set_result(result)

    # ---------------------------------------------------------------- results
    def set_result(self, result) -> None:
        self.result = result
        self._draw()
        self._set_summary()
        self._update_buttons()

    def _draw(self) -> None:
        res = self.result
        self.grid.clear()
        self.plots, self.point_items = {}, {}
        datasets, kinds = res.datasets, res.kinds
        self.grid.setMinimumSize(CELL_MIN[0] * len(kinds), CELL_MIN[1] * len(datasets))
        font = QFont(self.font())
        font.setPointSizeF(8)
        for r, name in enumerate(datasets):
            for c, (method, space) in enumerate(kinds):
                try:
                    panel = res.panel(name, method, space)
                except KeyError:
                    continue
                plot = self.grid.addPlot(row=r, col=c, axisItems=locale_axes())
                fit_text(plot)
                for axis in ("left", "bottom"):
                    plot.hideAxis(axis)
                plot.hideButtons()
                plot.setMenuEnabled(False)
                items = []
                for (x, y), label in zip(panel.xy, panel.labels):
                    t = pg.TextItem(_short(label), color=_color(r), anchor=(0.5, 0.5))
                    t.setFont(font)
                    t.setPos(float(x), float(y))
                    plot.addItem(t)
                    items.append(t)
                lo, hi = panel.xy.min(0), panel.xy.max(0)
                pad = np.maximum((hi - lo) * 0.08, 1e-6)
                plot.setRange(xRange=(lo[0] - pad[0], hi[0] + pad[0]), yRange=(lo[1] - pad[1], hi[1] + pad[1]),
                              padding=0)
                # Every cell asks for the same width, whatever its title's length.
                plot.titleLabel.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
                plot.setPreferredWidth(CELL_MIN[0])
                self.plots[(name, method, space)] = plot
                self.point_items[(name, method, space)] = items
        # Equal cells: by default a column widens with its plot's contents.
        for c in range(len(kinds)):
            self.grid.ci.layout.setColumnStretchFactor(c, 1)
            self.grid.ci.layout.setColumnPreferredWidth(c, CELL_MIN[0])
        for r in range(len(datasets)):
            self.grid.ci.layout.setRowStretchFactor(r, 1)
        self._set_titles()
        self.apply_palette()

    def _set_titles(self) -> None:
        for (name, method, space), plot in self.plots.items():
            plot.setTitle(self.panel_title(name, method, space), size="8pt")

    @staticmethod
    def panel_title(font: str, method: str, space: str) -> str:
        return f"{font} · {tr(panel_title(method, space))}"

    def _set_summary(self) -> None:
        res = self.result
        if res is None:
            return
        fonts = ", ".join(res.datasets)
        if res.cancelled:
            self.set_status("Cancelled: {fonts} kept.", fonts=fonts)
            return
        perplexity = getattr(self, "_perplexity", None)
        if perplexity is None:
            perplexity = default_perplexity(len(res.panels[0].labels))
        self.set_status("{panels} panels for {fonts} in {elapsed} (t-SNE: seed {seed}, perplexity {perplexity}); "
                        "drag to pan, wheel to zoom.", panels=len(res.panels), fonts=fonts,
                        elapsed=fmt_duration(res.seconds), seed=res.seed,
                        perplexity=number(perplexity, ".3g"))

    # ---------------------------------------------------------------- exports
    def export_png(self, path, pictures: bool = False) -> None:
        self.check_result()
        self.result.figure(pictures=pictures).save(str(path), format="PNG")

    def export_csv(self, path) -> None:
        self.check_result()
        self.result.to_csv(path)

    # ---------------------------------------------------------------- looks
    def apply_palette(self) -> None:
        if not hasattr(self, "grid"):
            return
        bg, fg = plot_colors(self)
        self.grid.setBackground(bg)
        for plot in self.plots.values():
            plot.titleLabel.setAttr("color", fg)
            plot.titleLabel.setText(plot.titleLabel.text)
            plot.vb.setBorder(pg.mkPen(QColor(fg.red(), fg.green(), fg.blue(), 60)))

