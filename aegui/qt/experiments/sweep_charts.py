"""A sweep's comparison charts: error vs epochs per config with mean ± std bands, the final error
per config as bars with std error bars, and, when the sweep varies the fonts, bars per font.

Every config keeps one colour everywhere (bands, bars, the table's swatch, the legend under the
curves), from a qualitative palette (Tableau 10) whose neighbours differ in hue: the light/dark
pairs of tab20 drew two configs in near-identical blues. The legend and the bars name a config by
what differs between the configs (its varied values), the table has the rest.
"""
from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from aegui.qt.i18n import bind_text, number, on_language, tr
from aegui.qt.widgets.charts.count_view import CountViewBox
from aegui.qt.widgets.inputs.fields import field_label
from aegui.qt.widgets.charts.log_axis import LogAxis
from aegui.qt.widgets.charts.locale_axis import locale_axes
from aegui.qt.widgets.charts.plot_text import fit_text, legend_below
from aegui.qt.widgets.text.terms import with_terms

METRICS = {"max_wrong": "Max wrong pixels", "mean_wrong": "Mean wrong pixels", "loss": "Loss"}
FINAL = {"max_wrong": "final_max_wrong", "mean_wrong": "final_mean_wrong", "loss": "final_loss"}
# Tableau 10, then the light halves of Tableau 20 for configs 11-20: readable on both themes.
_PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
            "#9c755f", "#bab0ac",
            "#a0cbe8", "#ffbe7d", "#ff9d9a", "#86bcb6", "#8cd17d", "#f1ce63", "#d4a6c8", "#fabfd2",
            "#d7b5a6", "#79706e"]
EXPORT_MIN_WIDTH = 1000   # px of an exported PNG


def config_color(index: int) -> QColor:
    return QColor(_PALETTE[index % len(_PALETTE)])


def _alpha(color: QColor, a: int) -> QColor:
    c = QColor(color)
    c.setAlpha(a)
    return c


def bar_positions(sweep, configs) -> np.ndarray:
    """x of each config's bar: consecutive, with a gap wherever the first varied field changes."""
    keys = list(sweep.vary)
    if len(keys) < 2:
        return np.arange(len(configs), dtype=float)
    first = keys[0]
    group = [sweep.vary[first].index(c.values[first]) for c in configs]
    return np.array([i + 0.6 * g for i, g in enumerate(group)], dtype=float)


def export_svg(item, path) -> None:
    """pyqtgraph's SVGExporter, tolerant of the close-path "Z" that Qt 6's SVG generator now
    writes: pyqtgraph 0.14.0 fails on it (pyqtgraph issue #3495). Qt also writes the closing
    segment explicitly, so dropping the "Z" changes nothing visible."""
    from pyqtgraph.exporters import SVGExporter
    module = sys.modules[SVGExporter.__module__]
    original = getattr(module, "correctCoordinates", None)
    if original is None:   # a pyqtgraph that no longer has the faulty parser
        SVGExporter(item).export(str(path))
        return

    def tolerant(node, defs, item_, options):
        for element in node.getElementsByTagName("path"):
            d = element.getAttribute("d")
            if "Z" in d or "z" in d:
                element.setAttribute("d", re.sub(r"\s*[Zz]\s*", " ", d).strip())
        return original(node, defs, item_, options)

    module.correctCoordinates = tolerant
    try:
        SVGExporter(item).export(str(path))
    finally:
        module.correctCoordinates = original


def _set_error_bars(item: pg.ErrorBarItem, x, y, std, beam: float | None = None) -> None:
    """±std whiskers, clipped at 0 (no error bar below zero wrong pixels). Every length key is
    set each time: ErrorBarItem keeps old keys, and a stale `height` would not match new x."""
    x, y, std = (np.asarray(a, dtype=float) for a in (x, y, std))
    opts = {"x": x, "y": y, "top": std, "bottom": np.minimum(std, np.maximum(y, 0)), "height": None,
            "width": None, "left": None, "right": None}
    if beam is not None:
        opts["beam"] = beam
    item.setData(**opts)


class SweepCharts(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.result = None
        self.metric_key = "max_wrong"
        self.highlighted: int | None = None
        self.band_items: dict[int, tuple] = {}    # config -> (mean curve, fill)
        self.bar_item: pg.BarGraphItem | None = None
        self.font_bars: list[pg.BarGraphItem] = []

        self.metric_label = QLabel()
        bind_text(self, self.metric_label.setText, "Chart:")
        self.metric_combo = QComboBox()
        # Follows its entries' texts: sized once when first shown, a Spanish entry was cut.
        self.metric_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for i, key in enumerate(METRICS):
            self.metric_combo.addItem("", key)
            bind_text(self, lambda t, i=i: self.metric_combo.setItemText(i, t), METRICS[key])
        self.metric_combo.currentIndexChanged.connect(lambda _: self.set_metric(self.metric_combo.currentData()))
        self.log_check = QCheckBox()
        bind_text(self, self.log_check.setText, "Log scale")
        self.log_check.setChecked(True)
        self.log_check.setEnabled(False)   # loss only: wrong-pixel counts reach 0
        self.log_check.toggled.connect(lambda _: self._draw_bands())
        self.controls = QHBoxLayout()
        self.controls.setContentsMargins(0, 0, 0, 0)
        self.controls.addWidget(self.metric_label)
        self.controls.addWidget(self.metric_combo)
        self.controls.addWidget(self.log_check)
        self.controls.addStretch(1)

        self.charts = pg.GraphicsLayoutWidget()
        self.charts.ci.setContentsMargins(2, 2, 2, 2)
        self.charts.ci.setSpacing(6)
        bind_text(self, self.charts.setToolTip, "Curves, bars and table rows share one colour per config; click a "
                                                "row to highlight it.")
        self.band_view = CountViewBox()     # counts start at 0; a loss (log axis) does not
        self.band_plot = self.charts.ci.addPlot(row=0, col=0, viewBox=self.band_view,
                                                axisItems=locale_axes(left=LogAxis("left")))
        self.bar_plot = self.charts.ci.addPlot(row=0, col=1, axisItems=locale_axes())
        self.font_plot = pg.PlotItem(axisItems=locale_axes())
        bind_text(self, lambda t: self.band_plot.setLabel("bottom", t), "epoch")
        bind_text(self, lambda t: self.bar_plot.setLabel("bottom", t), "config")
        fit_text(self.band_plot, self.bar_plot, self.font_plot)
        self.font_legend = legend_below(self.font_plot)
        self.band_legend = legend_below(self.band_plot)
        for plot in (self.band_plot, self.bar_plot, self.font_plot):
            plot.showGrid(x=False, y=True, alpha=0.15)
            plot.getAxis("left").setWidth(40)
        for plot in (self.bar_plot, self.font_plot):
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
        self.bar_plot.vb.sigResized.connect(self._set_bar_ticks)
        self.error_bars = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), beam=0.25)
        self.bar_notes: list[pg.TextItem] = []
        self.bar_plot.addItem(self.error_bars)
        self.font_error_bars = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), beam=0.2)
        self.font_plot.addItem(self.font_error_bars)
        self._font_shown = False
        self.charts.ci.layout.setColumnStretchFactor(0, 3)
        self.charts.ci.layout.setColumnStretchFactor(1, 2)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(self.controls)
        lay.addWidget(self.charts, 1)
        self._apply_palette()
        self._show_titles()
        on_language(self, self._show_titles)
        on_language(self, self._show_config_names)

    # ---------------------------------------------------------------- public API
    def clear(self) -> None:
        self.result = None
        self.highlighted = None
        self._redraw()

    def set_result(self, result) -> None:
        """A SweepResult, possibly partial (the groups finished so far)."""
        self.result = result
        self._show_font_plot(result is not None and "data.fonts" in result.sweep.vary)
        self._redraw()

    def set_metric(self, metric: str) -> None:
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
        self.metric_key = metric
        i = self.metric_combo.findData(metric)
        if self.metric_combo.currentIndex() != i:
            self.metric_combo.setCurrentIndex(i)   # re-enters through the combo
            return
        self.log_check.setEnabled(metric == "loss")
        self.band_view.counts = metric != "loss"
        self._show_titles()
        self._redraw()

    def log_scale(self) -> bool:
        return self.metric_key == "loss" and self.log_check.isChecked()

    def highlight(self, config: int | None) -> None:
        self.highlighted = config
        for c, (curve, fill) in self.band_items.items():
            color = config_color(c)
            on = config is None or c == config
            curve.setPen(pg.mkPen(color if on else _alpha(color, 70), width=3 if c == config else 1.5))
            fill.setBrush(pg.mkBrush(_alpha(color, 60 if on else 12)))
            curve.setZValue(10 if c == config else 0)
        if self.bar_item is not None:
            self._draw_bars()

    def font_plot_visible(self) -> bool:
        return self._font_shown

    def export_png(self, path) -> None:
        from pyqtgraph.exporters import ImageExporter
        self._ready_for_export()
        exporter = ImageExporter(self.charts.ci)
        # Twice the size on screen (like a high-DPI grab): the layout, and so the relative size of
        # the text, stays the one on screen; a larger factor would only magnify the fonts.
        width = int(self.charts.ci.boundingRect().width())
        exporter.parameters()["width"] = max(EXPORT_MIN_WIDTH, 2 * width)
        exporter.export(str(path))
        if not Path(path).exists():
            raise OSError(f"could not write {path}")

    def export_svg(self, path) -> None:
        self._ready_for_export()
        export_svg(self.charts.ci, path)
        if not Path(path).exists():
            raise OSError(f"could not write {path}")

    # ---------------------------------------------------------------- drawing
    def _ready_for_export(self) -> None:
        if not self.charts.isVisible() and (self.charts.width() < 640 or self.charts.height() < 300):
            self.charts.resize(1000, 420)   # never laid out (tab not opened yet): a readable size

    def _show_font_plot(self, show: bool) -> None:
        if show == self._font_shown:
            return
        if show:
            self.charts.ci.addItem(self.font_plot, row=0, col=2)
            self.charts.ci.layout.setColumnStretchFactor(2, 2)
        else:
            self.charts.ci.removeItem(self.font_plot)
        self._font_shown = show

    def _redraw(self) -> None:
        self._draw_bands()
        self._draw_bars()
        if self._font_shown:
            self._draw_font_bars()

    def _draw_bands(self) -> None:
        plot = self.band_plot
        for curve, fill in self.band_items.values():
            plot.removeItem(fill)
            plot.removeItem(curve)
        self.band_items = {}
        self.band_legend.clear()
        log = self.log_scale()
        plot.setLogMode(y=log)
        res = self.result
        if res is None:
            return
        for c in res.configs_done:
            cv = res.curves(c)
            x, m, s = cv["epoch"], cv[f"{self.metric_key}_mean"], cv[f"{self.metric_key}_std"]
            ok = np.isfinite(m) & np.isfinite(s)
            x, m, s = np.asarray(x, float)[ok], m[ok], s[ok]
            lo, hi = np.maximum(m - s, 0.0), m + s   # wrong pixels and losses are never negative
            if log:
                pos = m[m > 0]
                floor = pos.min() / 10 if pos.size else 1e-12
                m, lo, hi = (np.log10(np.maximum(a, floor)) for a in (m, lo, hi))
            color = config_color(c)
            upper = pg.PlotCurveItem(x, hi, pen=pg.mkPen(None))
            lower = pg.PlotCurveItem(x, lo, pen=pg.mkPen(None))
            fill = pg.FillBetweenItem(upper, lower, brush=pg.mkBrush(_alpha(color, 60)))
            curve = pg.PlotCurveItem(x, m, pen=pg.mkPen(color, width=1.5))
            plot.addItem(fill)
            plot.addItem(curve)
            self.band_items[c] = (curve, fill)
            self.band_legend.addItem(curve, self.config_name(c))
        plot.enableAutoRange()
        if self.highlighted is not None:
            self.highlight(self.highlighted)

    def _final(self, config: int) -> tuple[float, float]:
        row = self.result.summary(config)
        return row[f"{FINAL[self.metric_key]}_mean"], row[f"{FINAL[self.metric_key]}_std"]

    def _draw_bars(self) -> None:
        plot = self.bar_plot
        if self.bar_item is not None:
            plot.removeItem(self.bar_item)
            self.bar_item = None
        for item in self.bar_notes:
            plot.removeItem(item)
        self.bar_notes = []
        res = self.result
        axis = plot.getAxis("bottom")
        if res is None or not res.configs_done:
            _set_error_bars(self.error_bars, [], [], [])
            axis.setTicks(None)
            return
        xs_all = bar_positions(res.sweep, res.configs)
        done = res.configs_done
        x = xs_all[done]
        means, stds = zip(*(self._final(c) for c in done))
        h = np.nan_to_num(np.array(means, float))
        sd = np.nan_to_num(np.array(stds, float))
        brushes = [pg.mkBrush(config_color(c) if self.highlighted in (None, c) else _alpha(config_color(c), 60))
                   for c in done]
        pens = [pg.mkPen(self.palette().color(QPalette.ColorRole.Text), width=2) if c == self.highlighted
                else pg.mkPen(None) for c in done]
        self.bar_item = pg.BarGraphItem(x=x, height=h, width=0.8, brushes=brushes, pens=pens)
        plot.addItem(self.bar_item)
        shown = np.isfinite(np.array(means, float))
        _set_error_bars(self.error_bars, x[shown], h[shown], sd[shown], beam=0.3)
        # No bar is not a zero: a config whose every run diverged says so where its bar would stand.
        for xi, c in zip(x, done):
            if res.none_trained(c):
                note = pg.TextItem(tr("diverged"), color=self.palette().color(QPalette.ColorRole.PlaceholderText),
                                   anchor=(0, 0.5), angle=90)
                note.setPos(xi, 0)
                plot.addItem(note)
                self.bar_notes.append(note)
        self._set_bar_ticks()
        plot.setXRange(xs_all.min() - 0.6, xs_all.max() + 0.6, padding=0)
        top = float(np.max(h + sd)) if len(h) else 1.0
        plot.setYRange(0, top * 1.08 if top > 0 else 1.0, padding=0)

    def _set_bar_ticks(self) -> None:
        """Under the bars, each config's varied values ("0.01", "0.03") when they fit, else its
        number as the table and the legend give it; every step-th one when numbers overlap."""
        res = self.result
        if res is None or not res.configs_done:
            return
        xs = bar_positions(res.sweep, res.configs)
        n = len(xs)
        axis = self.bar_plot.getAxis("bottom")
        fm = QFontMetrics(axis.style["tickFont"] or self.charts.font())
        span = xs.max() - xs.min() + 1.2
        per_bar = max(self.bar_plot.vb.width(), 1.0) / span
        values = [self.config_values(i) for i in range(n)]
        if max(fm.horizontalAdvance(v) for v in values) + 6 <= per_bar:
            axis.setTicks([[(xs[i], values[i]) for i in range(n)]])
            return
        widest = fm.horizontalAdvance(str(n)) + 6
        step = 1 if per_bar >= widest else math.ceil(widest / per_bar)
        axis.setTicks([[(xs[i], str(i + 1)) for i in range(0, n, step)], [(xs[i], "") for i in range(n) if i % step]])

    def config_values(self, config: int) -> str:
        """What sets config `config` apart: its varied values ("0.01"; "35-16-2 / 0.01")."""
        res = self.result
        keys = list(res.sweep.vary)
        if not keys:
            return res.configs[config].label
        return " / ".join(self._value_label(k, res.configs[config].values[k]) for k in keys)

    def config_name(self, config: int) -> str:
        """The legend's name of a config: its number (the table's) and its varied fields with
        their values ("1: Learning rate 0.01"); a value the sweep labels is named by its label."""
        res = self.result
        keys = list(res.sweep.vary)
        cfg = res.configs[config]
        # A config whose every run diverged has no line: its name says why. One whose every run
        # failed a health check has one, an untrained model's: its name says so.
        failed = ""
        if res.none_trained(config):
            failed = f" ({tr('all diverged')})"
        elif res.health().none_learned(config):
            failed = f" ({tr('none trained')})"
        if not keys:
            return f"{config + 1}: {cfg.label}{failed}"
        parts = [self._value_label(k, cfg.values[k]) if k in res.sweep.labels
                 else f"{field_label(k)} {self._value_label(k, cfg.values[k])}" for k in keys]
        return f"{config + 1}: " + ", ".join(parts) + failed

    def _draw_font_bars(self) -> None:
        plot = self.font_plot
        for item in self.font_bars:
            plot.removeItem(item)
        self.font_bars = []
        self.font_legend.clear()
        res = self.result
        axis = plot.getAxis("bottom")
        if res is None or not res.configs_done:
            _set_error_bars(self.font_error_bars, [], [], [])
            axis.setTicks(None)
            return
        sweep = res.sweep
        fonts = sweep.vary["data.fonts"]
        others = [k for k in sweep.vary if k != "data.fonts"]
        series: list[tuple] = []   # combos of the other fields, in config order
        for c in res.configs:
            combo = tuple(c.values[k] for k in others)
            if combo not in series:
                series.append(combo)
        width = 0.8 / max(len(series), 1)
        xs, hs, sds = [], [], []
        for si, combo in enumerate(series):
            bx, bh = [], []
            for c in res.configs_done:
                cfg = res.configs[c]
                if tuple(cfg.values[k] for k in others) != combo:
                    continue
                fi = fonts.index(cfg.values["data.fonts"])
                mean, std = self._final(c)
                bx.append(fi - 0.4 + width * (si + 0.5))
                bh.append(0.0 if not math.isfinite(mean) else mean)
                sds.append(0.0 if not math.isfinite(std) else std)
            if not bx:
                continue
            color = config_color(si)
            if len(series) == 1:   # fonts are the only field: each bar its config's colour
                brushes = [pg.mkBrush(config_color(fonts.index(res.configs[c].values["data.fonts"])))
                           for c in res.configs_done]
                item = pg.BarGraphItem(x=bx, height=bh, width=width * 0.9, brushes=brushes, pen=pg.mkPen(None))
            else:
                item = pg.BarGraphItem(x=bx, height=bh, width=width * 0.9, brush=pg.mkBrush(color),
                                       pen=pg.mkPen(None))
                # Values only: the table's columns name the fields, and the legend shares a narrow column.
                name = ", ".join(self._value_label(k, v) for k, v in zip(others, combo))
                self.font_legend.addItem(item, name)
            plot.addItem(item)
            self.font_bars.append(item)
            xs += bx
            hs += bh
        x, h, sd = np.array(xs), np.array(hs), np.array(sds)
        _set_error_bars(self.font_error_bars, x, h, sd, beam=width * 0.4)
        axis.setTicks([[(i, "+".join(f) if isinstance(f, tuple) else str(f)) for i, f in enumerate(fonts)]])
        plot.setXRange(-0.6, len(fonts) - 0.4, padding=0)
        top = float(np.max(h + sd)) if len(h) else 1.0
        plot.setYRange(0, top * 1.08 if top > 0 else 1.0, padding=0)

    def _value_label(self, key: str, value) -> str:
        from aegui.core.analyses.sweeps.sweep import format_value
        sweep = self.result.sweep
        if key in sweep.labels:
            return sweep.labels[key][sweep.vary[key].index(value)]
        # As the table writes it: a decimal in the interface language.
        return number(value, "g") if isinstance(value, float) else format_value(value)

    # ---------------------------------------------------------------- text and theme
    def _show_titles(self) -> None:
        """The charts' titles: the curves' names the metric shown; a title takes the palette's
        colour only as its text is set."""
        # Short titles: a pyqtgraph title never elides, and it sets the chart's minimum width.
        self.band_plot.setTitle(tr("{metric}, mean ± std", metric=tr(METRICS[self.metric_key])), size="9pt")
        self.band_plot.titleLabel.setToolTip(with_terms("", METRICS[self.metric_key]))
        self.bar_plot.setTitle(tr("Final value per config"), size="9pt")
        self.font_plot.setTitle(tr("Final value per font"), size="9pt")

    def _show_config_names(self) -> None:
        """The legend's and the bars' config names (field names in the current language)."""
        if self.result is None:
            return
        for sample, label in self.band_legend.items:
            config = next((c for c, (curve, _) in self.band_items.items() if curve is sample.item), None)
            if config is not None:
                label.setText(self.config_name(config))
        self._set_bar_ticks()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
            self._show_titles()
            self._show_config_names()

    def _apply_palette(self) -> None:
        # Follow the widget palette (light/dark theme), like the training charts.
        pal = self.palette()
        bg, fg = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        self.charts.setBackground(bg)
        for plot in (self.band_plot, self.bar_plot, self.font_plot):
            for name in ("left", "bottom"):
                ax = plot.getAxis(name)
                ax.setPen(fg)
                ax.setTextPen(fg)
            plot.titleLabel.setAttr("color", fg)
        self.error_bars.setOpts(pen=pg.mkPen(fg, width=1))
        self.font_error_bars.setOpts(pen=pg.mkPen(fg, width=1))
        for legend in (self.font_legend, self.band_legend):
            legend.setBrush(QColor(bg.red(), bg.green(), bg.blue(), 220))
            legend.setLabelTextColor(fg)
