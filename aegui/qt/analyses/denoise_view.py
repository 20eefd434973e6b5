"""The denoising-curve tab: wrong pixels after denoising vs noise level, one curve per noise type
with ± std bands over seeds and the noisy input dashed; per-character bars at a chosen type and
level. Runs aegui.core.analyses.denoise.curve.DenoiseCurveJob on the shipped preset, a spec file, or the
window's current glyph model (then one model, so no spread over seeds).
"""
from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QSlider, QSpinBox, QVBoxLayout, QWidget,
)

from aegui.core.analyses.charts import PALETTE
from aegui.core.schema.experiment import ConfigError
from aegui.core.data.dataset import GLYPH_SHAPE
from aegui.core.analyses.denoise.curve import CurveProgress, CurveSpec, load_spec
from aegui.core.data.noise import LABELS as NOISE_LABELS
from aegui.core.files.paths import resources_dir
from aegui.qt.i18n import bind_text, number, on_language, plural, tr
from aegui.qt.models.names import title
from aegui.qt.analyses.analysis_view import AnalysisView, plot_colors, plot_widget, style_plot
from aegui.qt.widgets.text.pieces import fmt_duration
from aegui.qt.widgets.charts.plot_text import legend_below
from aegui.qt.widgets.text.terms import explain

PRESET = resources_dir() / "analyses" / "denoising-curve.json"


def _short(label: str) -> str:
    return {"space": "sp", "DEL": "del"}.get(label, label[:3])


def _color(i: int, alpha: int = 255) -> QColor:
    r, g, b = PALETTE[i % len(PALETTE)]
    return QColor(r, g, b, alpha)


class DenoiseView(AnalysisView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.entry = None            # the window's current model (a TrainedModel) or None
        self._file: Path | None = None
        self._spec: CurveSpec | None = None   # the chosen preset or file, as loaded
        self._band_items: list = []
        self._build()
        self.select_source("preset")
        self.apply_palette()

    # ---------------------------------------------------------------- building
    def _build(self) -> None:
        options = self._build_options()
        self._build_charts()
        self._build_exports()
        lay = self.layout_
        lay.addLayout(options)
        lay.addLayout(self.bar)
        lay.addWidget(self.status_label)
        lay.addWidget(self.charts, 1)
        on_language(self, self._label_sources)
        on_language(self, self._explain_axis)
        on_language(self, self._show_result_again)
        self._label_sources()
        self._explain_axis()

    def _build_options(self) -> QHBoxLayout:
        """What to measure: the source, the seeds and the noisy copies."""
        self.source_combo = QComboBox()
        self.source_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.source_combo.setMinimumContentsLength(8)
        for key in ("preset", "model"):
            self.source_combo.addItem("", key)
        self.source_combo.currentIndexChanged.connect(lambda _: self._source_changed())
        bind_text(self, self.source_combo.setToolTip, "What to measure: the shipped preset (trains the seeds "
                  "first), a curve file, or the model on screen")
        self.open_button = QPushButton()
        bind_text(self, self.open_button.setText, "Open…")
        self.open_button.clicked.connect(self.open_dialog)
        self.seeds_label, self.repeats_label = QLabel(), QLabel()
        bind_text(self, self.seeds_label.setText, "Seeds")
        bind_text(self, self.repeats_label.setText, "Copies")
        self.seeds_spin = QSpinBox()
        self.seeds_spin.setRange(1, 64)
        bind_text(self, self.seeds_spin.setToolTip,
                  "Models trained with seeds seed, seed+1, …: the bands are ± std over them")
        self.repeats_spin = QSpinBox()
        self.repeats_spin.setRange(1, 1000)
        bind_text(self, self.repeats_spin.setToolTip, "Noisy copies of every glyph per noise type, level and seed")
        options = QHBoxLayout()
        options.setSpacing(4)
        options.addWidget(self.source_combo, 1)
        options.addWidget(self.open_button)
        for w in (self.seeds_label, self.seeds_spin, self.repeats_label, self.repeats_spin):
            options.addWidget(w)
        return options

    def _build_charts(self) -> None:
        """The curves, and the bars per character with their noise type and level."""
        self.curve_widget, self.curve_plot = plot_widget()
        self.curve_legend = legend_below(self.curve_plot)
        self.char_widget, self.char_plot = plot_widget()
        self.char_plot.setMouseEnabled(x=False, y=False)
        self.char_plot.hideButtons()
        self.char_plot.vb.sigResized.connect(self._set_char_ticks)
        bind_text(self, lambda text: self.curve_plot.setTitle(text, size="9pt"), "Denoised, mean ± std")
        bind_text(self, lambda text: self.curve_plot.setLabel("bottom", text), "noise (%; gaussian: σ × 100)")
        bind_text(self, lambda text: self.curve_plot.setLabel("left", text), "wrong pixels per glyph")
        self.level_line = pg.InfiniteLine(angle=90, movable=False,
                                          pen=pg.mkPen((128, 128, 128), width=1, style=Qt.PenStyle.DotLine))
        self.char_errors = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), beam=0.25)

        self.kind_combo = QComboBox()
        self.kind_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.kind_combo.currentIndexChanged.connect(lambda _: self._draw_chars())
        bind_text(self, self.kind_combo.setToolTip, "Noise type for the bars")
        self.level_slider = QSlider(Qt.Orientation.Horizontal)
        self.level_slider.setRange(0, 0)
        self.level_slider.valueChanged.connect(lambda _: self._draw_chars())
        self.level_label = QLabel()
        self.level_label.setMinimumWidth(QFontMetrics(self.font()).horizontalAdvance("100 %") + 4)
        bind_text(self, self.level_slider.setToolTip, "Noise level for the bars")
        picks = QHBoxLayout()
        picks.setSpacing(4)
        picks.addWidget(self.kind_combo)
        picks.addWidget(self.level_slider, 1)
        picks.addWidget(self.level_label)
        chars = QWidget()
        cl = QVBoxLayout(chars)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(2)
        cl.addWidget(self.char_widget, 1)
        cl.addLayout(picks)
        self.charts = self.adaptive_splitter(self.curve_widget, chars)

    def _build_exports(self) -> None:
        export = self.add_export(lambda: self.ask_save("Figure as PNG…", "denoising-curve.png", "png",
                                                       self.export_png))
        bind_text(self, export.setText, "Figure as PNG…")
        export = self.add_export(lambda: self.ask_save("Curve as CSV…", "curve.csv", "csv", self.export_csv))
        bind_text(self, export.setText, "Curve as CSV…")
        export = self.add_export(lambda: self.ask_folder("All results to a folder (CSV, PNG, JSON)…",
                                                         self.export_folder))
        bind_text(self, export.setText, "All results to a folder (CSV, PNG, JSON)…")

    # ---------------------------------------------------------------- sources
    def set_model(self, entry) -> None:
        """The window's current model: offered when it reads 5x7 glyphs."""
        self.entry = entry if entry is not None and tuple(entry.shape) == GLYPH_SHAPE else None
        self._label_sources()

    def _label_sources(self) -> None:
        combo = self.source_combo
        for i in range(combo.count()):
            key = combo.itemData(i)
            if key == "preset":
                text = tr("Preset: Font3 DAE, seeds trained here")
            elif key == "model":
                text = tr("Current model: {name}", name=title(self.entry)) if self.entry is not None \
                    else tr("Current model (none on glyphs)")
                item = combo.model().item(i)
                item.setEnabled(self.entry is not None)
            else:
                text = tr("File: {name}", name=Path(key).name)
            combo.setItemText(i, text)
            combo.setItemData(i, text if key in ("preset", "model") else key, Qt.ItemDataRole.ToolTipRole)
        if combo.currentData() == "model" and self.entry is None:
            combo.setCurrentIndex(0)

    def select_source(self, key: str) -> None:
        """"preset", "model" or a spec file's path (added to the list)."""
        if key not in ("preset", "model") and self.source_combo.findData(key) < 0:
            self.source_combo.addItem("", key)
            self._label_sources()
        i = self.source_combo.findData(key)
        if self.source_combo.currentIndex() != i:
            self.source_combo.setCurrentIndex(i)
        else:
            self._source_changed()

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Open a denoising-curve JSON"),
                                              str(PRESET.parent), tr("JSON files (*.json)"))
        if path:
            self.open_spec(path)

    def open_spec(self, path) -> bool:
        """Loads a spec file and makes it the source; a bad file is named in the status line."""
        try:
            load_spec(path)
        except (ConfigError, OSError, ValueError) as e:
            self.set_status("{path}: {problem}", error=True, path=Path(path).name, problem=str(e))
            return False
        self.select_source(str(path))
        return True

    def _source_changed(self) -> None:
        key = self.source_combo.currentData()
        self._spec = None
        trained = False
        if key == "model":
            self.seeds_spin.setValue(1)
        else:
            try:
                self._spec = load_spec(PRESET if key == "preset" else key)
            except (ConfigError, OSError, ValueError) as e:
                self.set_status("{path}: {problem}", error=True, path=Path(str(key)).name, problem=str(e))
            else:
                self.seeds_spin.setValue(self._spec.seeds)
                self.repeats_spin.setValue(self._spec.repeats)
                trained = self._spec.base is not None
        # Seeds apply to models trained here; a file of trained models has one per seed.
        self.seeds_spin.setEnabled(trained)
        self.seeds_label.setEnabled(trained)

    # ---------------------------------------------------------------- running
    def run_preset(self) -> bool:
        self.select_source("preset")
        return self.run()

    def run(self, spec: CurveSpec | None = None, models=None, data=None) -> bool:
        """Measures `spec` with `models` on `data` if given (as DenoiseCurveJob takes them), else
        the chosen source with the seeds and copies set here."""
        if spec is None:
            chosen = self._chosen_spec()
            if chosen is None:
                return False
            spec, models, data = chosen
        self._seeds = spec.seeds if models is None else len(models)

        def make_job():
            from aegui.core.analyses.denoise.curve import DenoiseCurveJob
            # Copies: the window keeps decoding with its models while these are measured.
            copies = [m.select(0) for m in models] if models is not None else None
            return DenoiseCurveJob(spec, models=copies, data=data)
        return self.start(make_job)

    def _chosen_spec(self):
        """(spec, models, data) of the chosen source, or None after saying what is wrong."""
        if self.source_combo.currentData() == "model":
            entry = self.entry
            if entry is None:
                self.set_status("There is no model of 5x7 glyphs on screen; open or train one, or run the "
                                "preset.", error=True)
                return None
            spec = CurveSpec(name=entry.name, base=entry.experiment, seeds=1, repeats=self.repeats_spin.value())
            return spec, [entry.model], entry.dataset
        if self._spec is None:
            self._source_changed()
            if self._spec is None:
                return None
        changes = {"repeats": self.repeats_spin.value()}
        if self._spec.base is not None:
            changes["seeds"] = self.seeds_spin.value()
        try:
            return replace(self._spec, **changes).validate(), None, None
        except ConfigError as e:
            self.set_status("{path}: {problem}", error=True, path=spec_name(self._spec), problem=str(e))
            return None

    def describe(self, item: CurveProgress) -> str:
        if item.state == "training":
            values = dict(epoch=item.epoch, epochs=item.epochs, loss=number(item.loss, ".4g"))
            return plural(self._seeds, tr("Training 1 seed: epoch {epoch}/{epochs}, loss {loss}", **values),
                          tr("Training {seeds} seeds: epoch {epoch}/{epochs}, loss {loss}", seeds=self._seeds,
                             **values))
        if item.state == "evaluating":
            return tr("Measuring {kind} {level} % ({done}/{total})", kind=tr(NOISE_LABELS[item.kind]),
                      level=number(item.level * 100, "g"), done=item.done, total=item.total)
        return ""

    def show_finished(self, item: CurveProgress) -> None:
        result = item.result
        if result is None:
            self.set_status("Cancelled: nothing measured is kept; run again to get the curves.")
            return
        self.set_result(result)

    # ---------------------------------------------------------------- results
    def set_result(self, result) -> None:
        self.result = result
        self.kind_combo.blockSignals(True)
        self.kind_combo.clear()
        for kind in result.kinds:
            self.kind_combo.addItem(tr(NOISE_LABELS[kind]), kind)
        self.kind_combo.setCurrentIndex(result.kinds.index(result.char_kind))
        self.kind_combo.blockSignals(False)
        self.level_slider.blockSignals(True)
        self.level_slider.setRange(0, len(result.levels) - 1)
        self.level_slider.setValue(int(np.argmin(np.abs(result.levels - result.char_level))))
        self.level_slider.blockSignals(False)
        self._draw_curves()
        self._draw_chars()
        self._update_buttons()

    def chosen(self) -> tuple[str, float]:
        """(noise kind, level) of the per-character bars."""
        res = self.result
        kind = self.kind_combo.currentData() or res.char_kind
        return kind, float(res.levels[self.level_slider.value()])

    def _draw_curves(self) -> None:
        res, plot = self.result, self.curve_plot
        plot.clear()
        self.curve_legend.clear()
        self._band_items = []
        fg = plot_colors(self)[1]
        for i, kind in enumerate(res.kinds):
            c = res.curve(kind)
            x = c["levels"] * 100
            lo = pg.PlotDataItem(x, c["mean"] - c["std"], pen=pg.mkPen(None))
            hi = pg.PlotDataItem(x, c["mean"] + c["std"], pen=pg.mkPen(None))
            band = pg.FillBetweenItem(lo, hi, brush=pg.mkBrush(_color(i, 60)))
            for it in (lo, hi, band):
                plot.addItem(it)
            plot.plot(x, c["mean"], pen=pg.mkPen(_color(i), width=2), symbol="o", symbolSize=5,
                      symbolBrush=_color(i), symbolPen=None, name=tr(NOISE_LABELS[kind]))
            plot.plot(x, c["baseline_mean"], pen=pg.mkPen(_color(i), width=1.2, style=Qt.PenStyle.DashLine))
            self._band_items.append(band)
        # One grey legend entry says what the dashed lines are, instead of three more entries.
        self.dash_key = plot.plot([], [], pen=pg.mkPen(fg, width=1.2, style=Qt.PenStyle.DashLine),
                                  name=tr("noisy input (dashed)"))
        plot.addItem(self.level_line, ignoreBounds=True)
        plot.setXRange(float(res.levels.min() * 100), float(res.levels.max() * 100), padding=0.03)
        plot.enableAutoRange(axis="y")

    def _draw_chars(self) -> None:
        res, plot = self.result, self.char_plot
        if res is None:
            return
        kind, level = self.chosen()
        pc = res.per_char(kind, level)
        x = np.arange(len(pc["labels"]), dtype=float)
        plot.clear()
        k = res.kinds.index(kind)
        plot.addItem(pg.BarGraphItem(x=x, height=pc["baseline_mean"], width=0.8, brush=pg.mkBrush(200, 200, 200),
                                     pen=pg.mkPen(None)))
        plot.addItem(pg.BarGraphItem(x=x, height=pc["mean"], width=0.5, brush=pg.mkBrush(_color(k)),
                                     pen=pg.mkPen(None)))
        self.char_errors.setData(x=x, y=pc["mean"], top=pc["std"], bottom=np.minimum(pc["std"], pc["mean"]),
                                 height=None, width=None, left=None, right=None)
        plot.addItem(self.char_errors)
        plot.setXRange(-0.6, len(x) - 0.4, padding=0)
        top = float(np.max(np.maximum(pc["baseline_mean"], pc["mean"] + pc["std"]))) if len(x) else 1.0
        plot.setYRange(0, max(top, 0.5) * 1.05, padding=0)
        self.level_line.setValue(level * 100)
        self.level_label.setText(f"{number(level * 100, 'g')} %")
        self._set_char_ticks()
        self._set_char_texts()

    def _set_char_ticks(self) -> None:
        """Glyph names under the bars; every step-th one when they would overlap."""
        res = self.result
        if res is None:
            return
        labels = [_short(lab) for lab in res.labels]
        axis = self.char_plot.getAxis("bottom")
        fm = QFontMetrics(axis.style["tickFont"] or self.font())
        # By the 90th percentile: one long name ("del") may touch its neighbours.
        widest = float(np.percentile([fm.horizontalAdvance(t) for t in labels], 90)) + 4
        per_bar = max(self.char_plot.vb.width(), 1.0) / max(len(labels), 1)
        step = 1 if per_bar >= widest else math.ceil(widest / per_bar)
        axis.setTicks([[(i, labels[i]) for i in range(0, len(labels), step)],
                       [(i, "") for i in range(len(labels)) if i % step]])

    def _explain_axis(self) -> None:
        self.curve_plot.getAxis("left").setToolTip(explain("wrong pixels"))

    def _set_char_texts(self) -> None:
        if self.result is None:
            return
        kind, level = self.chosen()
        self.char_plot.setTitle(tr("{kind}, {level} % (± std)", kind=tr(NOISE_LABELS[kind]),
                                   level=number(level * 100, "g")),
                                size="9pt")
        self.char_plot.setLabel("left", tr("wrong pixels per character"))
        self.char_plot.getAxis("left").setToolTip(explain("wrong pixels"))
        # The key in the axis label: a legend would cover the bars in a small dock.
        self.char_plot.setLabel("bottom", tr("grey: noisy · colour: denoised"),
                                **{"font-size": "8pt", "color": plot_colors(self)[1].name()})
        res = self.result
        pc = res.per_char(kind, level)
        # Whole sentences, so that each translates as one; a seed that diverged is said, not dropped.
        english = ("{name}: {seeds} models, {samples} glyphs, {repeats} copies each, {elapsed}. At {kind} {level} %: "
                   "{after:.2f} wrong pixels per glyph after denoising, {before:.2f} in the noisy input.")
        if len(res.diverged) == 1:
            english = ("{name}: {seeds} models, {samples} glyphs, {repeats} copies each, {elapsed}. At {kind} "
                       "{level} %: {after:.2f} wrong pixels per glyph after denoising, {before:.2f} in the noisy "
                       "input. Seed {which} diverged in training and is left out.")
        elif res.diverged:
            english = ("{name}: {seeds} models, {samples} glyphs, {repeats} copies each, {elapsed}. At {kind} "
                       "{level} %: {after:.2f} wrong pixels per glyph after denoising, {before:.2f} in the noisy "
                       "input. Seeds {which} diverged in training and are left out.")
        self.set_status(
            english, which=", ".join(str(seed) for seed, _ in res.diverged),
            name=tr(res.name), seeds=res.n_seeds, samples=len(res.labels), repeats=res.repeats,
            elapsed=fmt_duration(res.seconds), kind=tr(NOISE_LABELS[kind]), level=number(level * 100, "g"),
            after=float(pc["mean"].mean()), before=float(pc["baseline_mean"].mean()))

    # ---------------------------------------------------------------- exports
    def _chosen_result(self):
        """The result with the bars' kind and level, so the figure shows what the view shows."""
        self.check_result()
        kind, level = self.chosen()
        return replace(self.result, char_kind=kind, char_level=level)

    def export_png(self, path) -> None:
        self._chosen_result().figure().save(str(path), format="PNG")

    def export_csv(self, path) -> None:
        self.check_result()
        self.result.to_csv(path)

    def export_folder(self, folder) -> dict:
        return self._chosen_result().write(folder)

    # ---------------------------------------------------------------- looks
    def apply_palette(self) -> None:
        if not hasattr(self, "curve_plot"):
            return
        bg, fg = plot_colors(self)
        for widget in (self.curve_widget, self.char_widget):
            widget.setBackground(bg)
        style_plot(self.curve_plot, fg, self.curve_legend, bg)
        style_plot(self.char_plot, fg)
        self.char_errors.setOpts(pen=pg.mkPen(fg, width=1))
        if self.result is not None:
            self._draw_curves()
            self._set_char_texts()

    def _show_result_again(self) -> None:
        """The noise types' names, the legend, the bars' texts and the status come from the result."""
        if self.result is None:
            return
        for i in range(self.kind_combo.count()):
            self.kind_combo.setItemText(i, tr(NOISE_LABELS[self.kind_combo.itemData(i)]))
        self._draw_curves()
        self._draw_chars()


def spec_name(spec) -> str:
    return Path(spec.source).name if spec.source else spec.name
