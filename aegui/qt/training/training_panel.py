"""Live training charts: loss, wrong pixels per epoch and per glyph, progress and state.

Records arrive from the worker thread 20-30 times a second and a run can last tens of
thousands of epochs with dozens of parallel models. So:
- history lives in preallocated numpy buffers, doubled when full;
- `add_record` only appends and updates the cheap status widgets; the charts are redrawn
  from a timer at most REFRESH_MS apart, because redrawing ~70 curves costs milliseconds
  however few points changed;
- curves are plain PlotCurveItems fed a decimated view of the history. PlotDataItem costs
  ~0.15 ms per setData even for tiny arrays (x70 curves), PlotCurveItem ~30 us, and what
  costs at paint time is the number of points.
"""
from __future__ import annotations

import csv
import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QCheckBox, QFileDialog, QHBoxLayout, QLabel, QMessageBox, QProgressBar, QPushButton,
    QVBoxLayout, QWidget,
)

from aegui.core.train.progress import (DIVERGED, FINISHED, MESSAGES, RUNNING, STOPPED, TARGET, ProgressRecord, render)
from aegui.qt import i18n
from aegui.qt.i18n import tr
from aegui.qt.training.image_errors import WorstSamples
from aegui.qt.widgets.log_axis import LogAxis
from aegui.qt.widgets.note import NoteLabel
from aegui.qt.widgets.text import fmt_duration
from aegui.qt.widgets.plot_text import fit_text, legend_below

LOSS_ORDER = ("total", "recon", "kl", "penalty")
LOSS_NAMES = {"total": "total", "recon": "reconstruction", "kl": "KL", "penalty": "penalty"}
LOSS_COLORS = {
    "total": QColor(21, 101, 192), "recon": QColor(46, 125, 50),
    "kl": QColor(123, 31, 162), "penalty": QColor(141, 110, 99),
}
EXTRA_COLORS = [QColor(0, 131, 143), QColor(173, 20, 87), QColor(85, 139, 47)]
VAL_COLOR = QColor(198, 40, 40)
MAX_COLOR = QColor(211, 47, 47)
MEAN_COLOR = QColor(245, 124, 0)
FAINT_PEN = pg.mkPen(QColor(128, 128, 128, 70), width=1)
# Drawn under the best model's loss curves as a wide translucent band, so it reads as
# "this one" without hiding the total curve that usually runs right on top of it.
BEST_PEN = pg.mkPen(QColor(255, 179, 0, 150), width=6)
BAR_OK = QColor(129, 199, 132)
BAR_WRONG = QColor(229, 115, 115)

# Points per curve actually handed to Qt. The plot is a few hundred pixels wide, and path
# building at paint time is what costs with long histories.
MAX_POINTS = 1000
MAX_MODEL_POINTS = 300
REFRESH_MS = 100

STATE_TEXT = {
    RUNNING: "Running", TARGET: "Reached target", FINISHED: "Finished",
    STOPPED: "Stopped", DIVERGED: "Diverged",
}
STATE_COLOR = {
    RUNNING: "#1565c0", TARGET: "#2e7d32", FINISHED: "#2e7d32",
    STOPPED: "#8d6e63", DIVERGED: "#c62828",
}
DEFAULT_DIVERGED = ("every model's loss became NaN or infinite. Lower the learning rate, "
                    "use gradient clipping or a smaller initial weight scale, and train again.")


class _IntegerAxis(pg.AxisItem):
    """Ticks only on whole numbers: pixel counts of 0.5 mean nothing."""

    def tickSpacing(self, minVal, maxVal, size):
        levels = [(sp, off) for sp, off in super().tickSpacing(minVal, maxVal, size) if sp >= 1]
        return levels or [(1.0, 0.0)]


def _stride(n: int, limit: int) -> int:
    # Powers of two keep the same samples from one record to the next, so curves don't shimmer.
    if n <= limit:
        return 1
    return 1 << math.ceil(math.log2(n / limit))


def _sample_index(n: int, limit: int) -> np.ndarray:
    idx = np.arange(0, n, _stride(n, limit))
    if idx.size and idx[-1] != n - 1:
        idx = np.append(idx, n - 1)  # the newest epoch is always drawn
    return idx


def _log10(y: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log10(y)
    out[~np.isfinite(out)] = np.nan  # zero or negative loss: a gap, not a plunge to -inf
    return out


def message_text(rec: ProgressRecord) -> str:
    """The engine's sentence in the UI language (records built elsewhere carry only text)."""
    if rec.extra.get("message_id") in MESSAGES:
        return render(rec.extra["message_id"], rec.extra.get("message_args", {}), tr)
    return rec.message


class TrainingPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._total = 0
        self._k = 0
        self._cap = 0
        self._n = 0
        self._epoch = np.empty(0)
        self._cols: dict[str, np.ndarray] = {}   # loss components, "val", "max", "mean"
        self._models = np.empty((0, 0))          # [cap, K] total loss of each model
        self._best = -1
        self._labels: list[str] = []
        self._last: ProgressRecord | None = None
        self._dirty = False
        self._last_refresh = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)
        self._brush_ok = pg.mkBrush(BAR_OK)
        self._brush_wrong = pg.mkBrush(BAR_WRONG)

        self._build_ui()
        self.reset(0, 1)
        self.retranslate()
        i18n.notifier.changed.connect(self.retranslate)

    # -- construction -----------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.state_label = QLabel()
        self.state_label.setMinimumWidth(110)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.rate_label = QLabel()
        self.rate_label.setMinimumWidth(200)

        self.message_box = NoteLabel("info")
        self.message_box.setTextFormat(Qt.TextFormat.PlainText)
        self.message_box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_box.hide()

        self.charts = pg.GraphicsLayoutWidget()
        self.charts.ci.setContentsMargins(2, 2, 2, 2)
        self.charts.ci.setSpacing(4)

        self.loss_plot = pg.PlotItem(axisItems={"left": LogAxis("left")})
        self.wrong_plot = pg.PlotItem(axisItems={"left": _IntegerAxis("left")})
        self.bar_plot = pg.PlotItem(axisItems={"left": _IntegerAxis("left")})
        fit_text(self.loss_plot, self.wrong_plot, self.bar_plot)
        self._wide = None
        self._image_mode = False
        self._psnr = ([], [], [])
        self._arrange(False)
        for plot in (self.loss_plot, self.wrong_plot, self.bar_plot):
            # Vertical grid lines cost ~5 ms a frame here and say little on an epoch axis.
            plot.showGrid(x=False, y=True, alpha=0.15)
        self.loss_plot.getAxis("left").setWidth(44)
        self.wrong_plot.getAxis("left").setWidth(30)
        self.bar_plot.getAxis("left").setWidth(30)
        # Zooming a bar per glyph helps nobody and would break the label spacing below.
        self.bar_plot.setMouseEnabled(x=False, y=False)
        self.bar_plot.hideButtons()
        self.bar_plot.vb.sigResized.connect(self._set_bar_ticks)

        # Under the plots: no corner stays free of data in every run.
        self.loss_legend = legend_below(self.loss_plot)
        self.wrong_legend = legend_below(self.wrong_plot)
        self._apply_palette()

        self.max_curve = pg.PlotCurveItem(pen=pg.mkPen(MAX_COLOR, width=2), stepMode="left",
                                          name="max")
        self.mean_curve = pg.PlotCurveItem(pen=pg.mkPen(MEAN_COLOR, width=2), stepMode="left",
                                           name="mean")
        self.wrong_plot.addItem(self.max_curve)
        self.wrong_plot.addItem(self.mean_curve)

        self.bars = pg.BarGraphItem(x=np.zeros(0), height=np.zeros(0), width=0.8,
                                    pen=pg.mkPen(None))
        self.bar_plot.addItem(self.bars)
        # Right glyphs have no bar: a low stub in the "right" colour shows them, else a run
        # where every glyph is right draws an empty axis.
        self.ok_bars = pg.BarGraphItem(x=np.zeros(0), height=np.zeros(0), width=0.8, pen=pg.mkPen(None),
                                       brush=pg.mkBrush(BAR_OK))
        self.bar_plot.addItem(self.ok_bars)

        self.log_check = QCheckBox()
        self.log_check.setChecked(True)
        self.log_check.toggled.connect(self.set_log_scale)
        # The plot's own context menu can switch log mode too; keep both in step.
        self.loss_plot.ctrl.logYCheck.toggled.connect(self._on_plot_log_toggled)
        self.loss_plot.setLogMode(y=True)
        self.csv_button = QPushButton()
        self.csv_button.clicked.connect(self._ask_export_csv)
        self.png_button = QPushButton()
        self.png_button.clicked.connect(self._ask_export_png)

        top = QHBoxLayout()
        top.addWidget(self.state_label)
        top.addWidget(self.progress, 1)
        top.addWidget(self.rate_label)
        bottom = QHBoxLayout()
        bottom.addWidget(self.log_check)
        bottom.addStretch(1)
        bottom.addWidget(self.csv_button)
        bottom.addWidget(self.png_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.message_box)
        self.worst_view = WorstSamples()
        self.worst_view.hide()
        middle = QHBoxLayout()
        middle.addWidget(self.charts, 3)
        middle.addWidget(self.worst_view, 1)
        lay.addLayout(middle, 1)
        lay.addLayout(bottom)

    # -- public API -------------------------------------------------------------------------
    def _arrange(self, wide: bool) -> None:
        """Wide and short (a bottom dock): the three charts side by side. Otherwise loss gets
        the full width on top: it is what people watch, and its legend needs room."""
        if wide == self._wide:
            return
        ci = self.charts.ci
        for plot in (self.loss_plot, self.wrong_plot, self.bar_plot):
            if plot in ci.items:
                ci.removeItem(plot)
        grid = ci.layout
        if self._image_mode:   # two charts: loss and PSNR, side by side or one above the other
            ci.addItem(self.loss_plot, row=0, col=0)
            ci.addItem(self.wrong_plot, row=0 if wide else 1, col=1 if wide else 0)
            stretches, rows = ((3, 2, 0), (1, 0)) if wide else ((1, 0, 0), (3, 2))
        elif wide:
            ci.addItem(self.loss_plot, row=0, col=0)
            ci.addItem(self.wrong_plot, row=0, col=1)
            ci.addItem(self.bar_plot, row=0, col=2)
            stretches, rows = (5, 3, 3), (1, 0)
        else:
            ci.addItem(self.loss_plot, row=0, col=0, colspan=2)
            ci.addItem(self.wrong_plot, row=1, col=0)
            ci.addItem(self.bar_plot, row=1, col=1)
            stretches, rows = (1, 1, 0), (3, 2)
        for col, factor in enumerate(stretches):
            grid.setColumnStretchFactor(col, factor)
        for row, factor in enumerate(rows):
            grid.setRowStretchFactor(row, factor)
        self._wide = wide

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        size = self.charts.size()
        self._arrange(size.width() > 2.4 * max(size.height(), 1))
        # Short charts (a 700 px screen): the plot area matters more than "epoch" under it.
        for plot in (self.loss_plot, self.wrong_plot):
            plot.getAxis("bottom").showLabel(size.height() >= 190)

    def reset(self, total_epochs: int, n_models: int) -> None:
        self._total = int(total_epochs)
        self._k = max(1, int(n_models))
        self._timer.stop()
        self._dirty = False
        # Sized for the whole run so a normal run never reallocates, but a run asked for a
        # million epochs with K=64 should not grab half a gigabyte up front.
        self._cap = min(max(64, self._total + 1), 1 << 14)
        self._n = 0
        self._epoch = np.empty(self._cap)
        self._cols = {name: np.full(self._cap, np.nan) for name in ("max", "mean")}
        self._models = np.full((self._cap, self._k), np.nan)
        self._best = -1
        self._last = None

        for item in list(self.loss_plot.items):
            self.loss_plot.removeItem(item)
        self.loss_legend.clear()
        self.loss_curves: dict[str, pg.PlotCurveItem] = {}
        self.val_curve: pg.PlotCurveItem | None = None
        # All K models share one item, their polylines separated by NaN: 64 separate items
        # cost ~10 ms more per repaint in per-item overhead alone.
        self.models_curve: pg.PlotCurveItem | None = None
        self.best_curve: pg.PlotCurveItem | None = None
        if self._k > 1:
            self.models_curve = pg.PlotCurveItem(pen=FAINT_PEN, connect="finite")
            self.models_curve.setZValue(-2)
            self.loss_plot.addItem(self.models_curve)
            self.best_curve = pg.PlotCurveItem(pen=BEST_PEN, connect="finite")
            self.best_curve.setZValue(-1)
            self.loss_plot.addItem(self.best_curve)
        self.max_curve.setData([], [])
        self.mean_curve.setData([], [])
        self.bars.setOpts(x=np.zeros(0), height=np.zeros(0), brushes=None)
        self.ok_bars.setOpts(x=np.zeros(0), height=np.zeros(0))
        self._set_bar_ticks()

        self.progress.setRange(0, max(1, self._total))
        self.progress.setValue(0)
        self.progress.setFormat(tr("{epoch} / {total} epochs", epoch=0, total=self._total))
        self.rate_label.setText("")
        self._show_state(None)
        self.message_box.hide()
        self.message_box.clear()
        for plot in (self.loss_plot, self.wrong_plot, self.bar_plot):
            plot.enableAutoRange()

    def set_image_mode(self, on: bool) -> None:
        """Pictures that are not black and white: the middle chart shows PSNR per epoch and
        the bars give way to the worst reconstructions (wrong pixels would count noise)."""
        on = bool(on)
        self._psnr = ([], [], [])   # epochs, mean, worst
        if on != self._image_mode:
            self._image_mode = on
            self.bar_plot.setVisible(not on)
            if on:
                self.charts.ci.removeItem(self.bar_plot)
            else:
                self._wide = None   # re-add the bar chart in _arrange
                self._arrange(self.charts.width() > 2.4 * max(self.charts.height(), 1))
            self.worst_view.setVisible(on)
            self.retranslate()
        self.max_curve.setData([], [])
        self.mean_curve.setData([], [])

    def image_mode(self) -> bool:
        return self._image_mode

    def add_image_errors(self, epoch: int, originals, recon, labels) -> None:
        """Reconstructions of the shown samples at `epoch` (image mode)."""
        mse, psnr = self.worst_view.set_samples(originals, recon, labels)
        mean_mse = float(mse.mean())
        epochs, means, worsts = self._psnr
        if epochs and epochs[-1] == epoch:
            epochs.pop(), means.pop(), worsts.pop()
        epochs.append(epoch)
        means.append(10 * np.log10(1 / mean_mse) if mean_mse > 0 else float(psnr.max()))
        worsts.append(float(psnr.min()))
        self.max_curve.setData(epochs, worsts)
        self.mean_curve.setData(epochs, means)

    def set_labels(self, labels: list[str]) -> None:
        """Names of the glyphs, in the order of ProgressRecord.glyph_wrong."""
        self._labels = [str(s) for s in labels]
        self._set_bar_ticks()

    def add_record(self, rec: ProgressRecord) -> None:
        k_rec = np.size(rec.loss_per_model)
        if self._n == 0 and k_rec != self._k and k_rec > 0:
            self.reset(self._total, k_rec)  # reset() was skipped or guessed K wrong
        if self._n == 0 and self._total == 0:
            self._total = int(rec.total_epochs)
        if self._n == self._cap:
            self._grow()
        i = self._n
        self._epoch[i] = rec.epoch
        for name, value in rec.losses.items():
            col = self._cols.get(name)
            if col is None:
                col = self._cols[name] = np.full(self._cap, np.nan)
                # With no KL or penalty the reconstruction loss is the total: one curve (and one
                # legend entry) says it. The column stays for the CSV.
                if not (name == "recon" and value == rec.losses.get("total")):
                    self._add_loss_curve(name)
            col[i] = value
        if rec.val_loss is not None:
            if "val" not in self._cols:
                self._cols["val"] = np.full(self._cap, np.nan)
                self._add_val_curve()
            self._cols["val"][i] = rec.val_loss
        self._cols["max"][i] = rec.max_wrong
        self._cols["mean"][i] = rec.mean_wrong
        per_model = np.asarray(rec.loss_per_model, dtype=float).ravel()
        k = min(per_model.size, self._k)
        self._models[i, :k] = per_model[:k]
        self._n = i + 1
        self._last = rec

        self._refresh_status(rec)
        self._dirty = True
        if rec.done:
            self.flush()  # the final picture must not wait for a timer
        elif not self._timer.isActive():
            wait = REFRESH_MS - (time.monotonic() - self._last_refresh) * 1000
            self._timer.start(max(0, int(wait)))

    def flush(self) -> None:
        """Redraw the charts now instead of at the next timer tick."""
        self._timer.stop()
        if not self._dirty:
            return
        self._dirty = False
        self._last_refresh = time.monotonic()
        rec = self._last
        if rec is None:
            return
        self._best = rec.best
        self._refresh_curves()
        if not self._image_mode:
            self._refresh_bars(rec.glyph_wrong)

    def set_log_scale(self, on: bool) -> None:
        if self.log_check.isChecked() != on:
            self.log_check.setChecked(on)  # re-enters through toggled
            return
        if self.loss_plot.ctrl.logYCheck.isChecked() != on:
            self.loss_plot.setLogMode(y=on)  # re-enters through _on_plot_log_toggled
            return
        self._refresh_curves()

    def log_scale(self) -> bool:
        return self.log_check.isChecked()

    def n_records(self) -> int:
        return self._n

    def export_csv(self, path) -> None:
        """epoch, each loss component, validation (when present), max and mean wrong pixels."""
        n = self._n
        names = self._loss_names()
        header = ["epoch", *names]
        cols = [self._cols[nm] for nm in names]
        if "val" in self._cols:
            header.append("validation")
            cols.append(self._cols["val"])
        header += ["max_wrong", "mean_wrong"]
        cols += [self._cols["max"], self._cols["mean"]]

        def cell(v: float) -> str:
            return "" if not math.isfinite(v) else repr(float(v))

        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for r in range(n):
                row = [str(int(self._epoch[r]))]
                row += [cell(c[r]) for c in cols[:-2]]
                mx = self._cols["max"][r]
                row.append(str(int(mx)) if math.isfinite(mx) else "")
                row.append(cell(self._cols["mean"][r]))
                w.writerow(row)

    def export_png(self, path) -> None:
        self.flush()
        if not self.charts.isVisible() and (self.charts.width() < 640 or self.charts.height() < 400):
            # Never laid out (e.g. the tab was not opened yet): give it a readable size.
            self.charts.resize(900, 560)
        if not self.charts.grab().save(str(path), "PNG"):
            raise OSError(f"could not write {path}")

    # -- i18n -------------------------------------------------------------------------------
    def retranslate(self, *_):
        self.loss_plot.setTitle(tr("Loss"))
        # Short titles: in a bottom dock the three charts share one row.
        self.wrong_plot.setTitle(tr("Reconstruction PSNR per epoch (dB)") if self._image_mode
                                 else tr("Wrong pixels per epoch"))
        self.bar_plot.setTitle(tr("Wrong pixels per glyph"))
        self.charts.setToolTip(tr("Curves and bars are for the best of the parallel models."))
        self.loss_plot.setLabel("bottom", tr("epoch"))
        self.wrong_plot.setLabel("bottom", tr("epoch"))
        self.log_check.setText(tr("Log scale"))
        self.csv_button.setText(tr("Export CSV..."))
        self.png_button.setText(tr("Export PNG..."))
        names = {c: tr(LOSS_NAMES.get(k, k)) for k, c in self.loss_curves.items()}
        if self.val_curve is not None:
            names[self.val_curve] = tr("validation")
        if self.best_curve is not None:
            names[self.best_curve] = tr("current best model")
        names[self.max_curve] = tr("worst") if self._image_mode else tr("max")
        names[self.mean_curve] = tr("mean")
        for legend in (self.loss_legend, self.wrong_legend):
            for sample, label in legend.items:
                if sample.item in names:
                    label.setText(names[sample.item])
        if self._last is not None:
            self._refresh_status(self._last)
        else:
            self._show_state(None)
            self.progress.setFormat(tr("{epoch} / {total} epochs", epoch=0, total=self._total))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
            self.retranslate()  # titles take their colour when their text is set

    # -- internals --------------------------------------------------------------------------
    def _apply_palette(self) -> None:
        # Follow the widget palette (light/dark theme) rather than pyqtgraph's global
        # options, which only reach plots created after they change.
        pal = self.palette()
        bg = pal.color(QPalette.ColorRole.Base)
        fg = pal.color(QPalette.ColorRole.Text)
        self.charts.setBackground(bg)
        for plot in (self.loss_plot, self.wrong_plot, self.bar_plot):
            for name in ("left", "bottom"):
                ax = plot.getAxis(name)
                ax.setPen(fg)
                ax.setTextPen(fg)
            plot.titleLabel.setAttr("color", fg)
        for legend in (self.loss_legend, self.wrong_legend):
            legend.setBrush(QColor(bg.red(), bg.green(), bg.blue(), 220))
            legend.setPen(pg.mkPen(QColor(fg.red(), fg.green(), fg.blue(), 60)))
            legend.setLabelTextColor(fg)

    def _grow(self) -> None:
        cap = self._cap * 2

        def bigger(a: np.ndarray) -> np.ndarray:
            out = np.full((cap, *a.shape[1:]), np.nan)
            out[: self._n] = a[: self._n]
            return out

        self._epoch = bigger(self._epoch)
        self._cols = {k: bigger(v) for k, v in self._cols.items()}
        self._models = bigger(self._models)
        self._cap = cap

    def _loss_names(self) -> list[str]:
        present = [k for k in self._cols if k not in ("val", "max", "mean")]
        return [k for k in LOSS_ORDER if k in present] + [k for k in present if k not in LOSS_ORDER]

    def _add_loss_curve(self, name: str) -> None:
        if name in LOSS_COLORS:
            color = LOSS_COLORS[name]
        else:
            extra = [k for k in self.loss_curves if k not in LOSS_COLORS]
            color = EXTRA_COLORS[len(extra) % len(EXTRA_COLORS)]
        width = 2 if name == "total" else 1.5
        curve = pg.PlotCurveItem(pen=pg.mkPen(color, width=width), connect="finite",
                                 name=tr(LOSS_NAMES.get(name, name)))
        self.loss_plot.addItem(curve)
        self.loss_curves[name] = curve
        self._ensure_best_legend()

    def _add_val_curve(self) -> None:
        self.val_curve = pg.PlotCurveItem(
            pen=pg.mkPen(VAL_COLOR, width=1.5, style=Qt.PenStyle.DashLine), connect="finite",
            name=tr("validation"))
        self.loss_plot.addItem(self.val_curve)
        self._ensure_best_legend()

    def _ensure_best_legend(self) -> None:
        # Keeps "current best model" as the last legend entry as loss curves appear.
        if self.best_curve is None:
            return
        self.loss_legend.removeItem(self.best_curve)
        self.loss_legend.addItem(self.best_curve, tr("current best model"))

    def _refresh_curves(self) -> None:
        n = self._n
        if n == 0:
            return
        log = self.log_check.isChecked()
        tf = _log10 if log else (lambda a: a)
        idx = _sample_index(n, MAX_POINTS)
        x = self._epoch[idx]
        for name, curve in self.loss_curves.items():
            curve.setData(x, tf(self._cols[name][idx]))
        if self.val_curve is not None:
            self.val_curve.setData(x, tf(self._cols["val"][idx]))
        if not self._image_mode:   # in image mode these two curves carry PSNR
            self.max_curve.setData(x, self._cols["max"][idx])
            self.mean_curve.setData(x, self._cols["mean"][idx])
        if self.models_curve is not None:
            best = self._best if 0 <= self._best < self._k else 0
            self.best_curve.setData(x, tf(self._models[idx, best]))
            midx = _sample_index(n, MAX_MODEL_POINTS)
            m = midx.size
            ys = np.full((self._k, m + 1), np.nan)  # trailing NaN column breaks the line
            ys[:, :m] = tf(self._models[midx]).T
            xs = np.empty_like(ys)
            xs[:] = np.append(self._epoch[midx], np.nan)
            self.models_curve.setData(xs.ravel(), ys.ravel())

    def _refresh_bars(self, glyph_wrong) -> None:
        h = np.asarray(glyph_wrong, dtype=float).ravel()
        old = self.bars.opts.get("height")
        if old is not None and len(old) == len(h) and np.array_equal(old, h):
            return  # the usual case late in training; skips rebuilding the bar picture
        brushes = [self._brush_wrong if v > 0 else self._brush_ok for v in h]
        size_changed = old is None or len(old) != len(h)
        self.bars.setOpts(x=np.arange(len(h), dtype=float), height=h, brushes=brushes)
        # Counts start at 0: with every glyph right, autorange would centre the axis on 0 (-5..5).
        # The margins leave room for the 0 and top labels, which pyqtgraph drops when they
        # would stick out of the axis.
        top = max(1.0, float(h.max()) if h.size else 1.0)
        right = np.flatnonzero(h == 0)
        self.ok_bars.setOpts(x=right.astype(float), height=np.full(right.size, 0.06 * top))
        self.bar_plot.setYRange(-0.12 * top, 1.12 * top, padding=0)
        if size_changed:
            self._set_bar_ticks()

    def _set_bar_ticks(self) -> None:
        n = len(self.bars.opts.get("height", [])) or len(self._labels)
        labels = self._labels if len(self._labels) >= n else (
            self._labels + [str(i) for i in range(len(self._labels), n)])
        axis = self.bar_plot.getAxis("bottom")
        if not n:
            axis.setTicks(None)
            return
        # pyqtgraph would draw every given label even where they overlap, so label every
        # step-th bar, with step chosen from the space one bar gets on screen.
        fm = QFontMetrics(axis.style["tickFont"] or self.charts.font())
        widest = max(fm.horizontalAdvance(s) for s in labels[:n]) + 6
        per_bar = max(self.bar_plot.vb.width(), 1.0) / n
        step = 1 if per_bar >= widest else 1 << math.ceil(math.log2(widest / per_bar))
        axis.setTicks([[(i, labels[i]) for i in range(0, n, step)],
                       [(i, "") for i in range(n) if i % step]])
        self.bar_plot.setXRange(-0.6, n - 0.4, padding=0)

    def _refresh_status(self, rec: ProgressRecord) -> None:
        total = rec.total_epochs or self._total
        if total != self._total:
            self._total = total
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(min(rec.epoch, max(1, total)))
        self.progress.setFormat(tr("{epoch} / {total} epochs", epoch=rec.epoch, total=total))
        rate = f"{rec.epochs_per_s:.1f}" if math.isfinite(rec.epochs_per_s) else "–"
        if rec.state == RUNNING and rec.epochs_per_s > 0:
            eta = (total - rec.epoch) / rec.epochs_per_s
            self.rate_label.setText(tr("{rate} epochs/s · ETA {eta}", rate=rate, eta=fmt_duration(eta)))
        else:
            self.rate_label.setText(tr("{rate} epochs/s · {elapsed} elapsed", rate=rate,
                                       elapsed=fmt_duration(rec.elapsed)))
        self._show_state(rec.state)
        self._show_message(rec)

    def _show_state(self, state: str | None) -> None:
        text = tr(STATE_TEXT[state]) if state in STATE_TEXT else tr("Idle")
        color = STATE_COLOR.get(state, "palette(text)")
        if self.state_label.text() != text:
            self.state_label.setText(text)
        style = f"font-weight: bold; color: {color};"
        if self.state_label.styleSheet() != style:  # re-polishing on every record is wasteful
            self.state_label.setStyleSheet(style)

    def _show_message(self, rec: ProgressRecord) -> None:
        if rec.state == DIVERGED:
            text = message_text(rec) or tr("Training diverged: {message}", message=tr(DEFAULT_DIVERGED))
            kind = "error"
        elif rec.message:
            text = message_text(rec)
            kind = "info"
        else:
            if not self.message_box.isHidden():
                self.message_box.hide()
            return
        if self.message_box.text() != text:
            self.message_box.setText(text)
        self.message_box.set_kind(kind, bold=kind == "error")
        self.message_box.show()

    def _on_plot_log_toggled(self, on: bool) -> None:
        if self.log_check.isChecked() != on:
            self.log_check.setChecked(on)
        else:
            self._refresh_curves()

    def _ask_export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Export CSV"), "training.csv",
                                              tr("CSV files (*.csv)"))
        if path:
            self._try(self.export_csv, path)

    def _ask_export_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Export PNG"), "training.png",
                                              tr("PNG images (*.png)"))
        if path:
            self._try(self.export_png, path)

    def _try(self, fn, path) -> None:
        try:
            fn(path)
        except OSError as e:
            QMessageBox.warning(self, self.windowTitle() or "aegui",
                                tr("Could not write {path}: {error}", path=path, error=e))
