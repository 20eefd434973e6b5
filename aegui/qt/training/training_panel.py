"""Live training charts: loss, wrong pixels per epoch and per glyph, progress and state.

The panel draws a History (aegui.core.train.history: the one store behind metrics.csv and Export
CSV) and the workspace's TrainingState. Records arrive 20-30 times a second and a run can last
tens of thousands of epochs with dozens of parallel models. So:
- new records only update the cheap status widgets; the charts are redrawn at most REFRESH_MS
  apart (a superqt throttler), because redrawing ~70 curves costs milliseconds however few
  points changed;
- curves are plain PlotCurveItems fed a decimated view of the history. PlotDataItem costs
  ~0.15 ms per setData even for tiny arrays (x70 curves), PlotCurveItem ~30 us, and what
  costs at paint time is the number of points.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QCheckBox, QFileDialog, QHBoxLayout, QLabel, QMenu, QMessageBox, QProgressBar, QToolButton,
    QVBoxLayout, QWidget,
)

from superqt.utils import qthrottled

from aegui.core.train.history import History
from aegui.core.train.progress import (DIVERGED, EARLY_STOPPED, FINISHED, RUNNING, STOPPED, TARGET, ProgressRecord)
from aegui.core.workspace import state as S
from aegui.qt.i18n import bind_text, number, on_language, plural, tr
from aegui.qt.training.image_errors import WorstSamples
from aegui.qt.training.message_line import MessageLine
from aegui.qt.widgets.charts.count_view import CountViewBox
from aegui.qt.widgets.charts.log_axis import LogAxis
from aegui.qt.widgets.charts.locale_axis import LocaleAxis, locale_axes
from aegui.qt.widgets.charts.lone_points import LonePoints
from aegui.qt.widgets.text.terms import explain, with_terms
from aegui.qt.widgets.text.pieces import fmt_duration, message_text
from aegui.qt.widgets.charts.plot_text import fit_text, legend_below

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
# px of width each picture chart (loss, PSNR) needs beside the other: its title on two lines at
# most, a dozen epochs on the axis.
IMAGE_CHART_WIDTH = 200

# A record's state, or (bound to a workspace) the training phase while a run goes on.
STATE_TEXT = {
    RUNNING: "Running", TARGET: "Reached target", FINISHED: "Finished", EARLY_STOPPED: "Stopped early",
    STOPPED: "Stopped", DIVERGED: "Diverged",
    S.LOADING: "Loading data…", S.PAUSED: "Paused", S.STEPPING: "Stepping",
}
STATE_COLOR = {
    RUNNING: "#1565c0", TARGET: "#2e7d32", FINISHED: "#2e7d32", EARLY_STOPPED: "#2e7d32",
    STOPPED: "#8d6e63", DIVERGED: "#c62828",
    S.LOADING: "#1565c0", S.PAUSED: "#8d6e63", S.STEPPING: "#1565c0",
}
DEFAULT_DIVERGED = ("every model's loss became NaN or infinite. Lower the learning rate, "
                    "use gradient clipping or a smaller initial weight scale, and train again.")


class _IntegerAxis(LocaleAxis):
    """Ticks only on whole numbers from 0 up: pixel counts of 0.5 or -1 mean nothing (the margin
    under 0 is room for the 0's label, not values)."""

    def tickSpacing(self, minVal, maxVal, size):
        levels = [(sp, off) for sp, off in super().tickSpacing(minVal, maxVal, size) if sp >= 1]
        return levels or [(1.0, 0.0)]

    def tickValues(self, minVal, maxVal, size):
        return [(sp, [v for v in values if v >= 0]) for sp, values in super().tickValues(minVal, maxVal, size)]


class _EpochAxis(LocaleAxis):
    """Whole epochs once two or more show: "0.1 0.2 ... 1.9" around the first epoch's point
    reads as if training had fractions of epochs. Steps of a batch (partial points) still get
    fractions."""

    def tickSpacing(self, minVal, maxVal, size):
        levels = super().tickSpacing(minVal, maxVal, size)
        if maxVal - minVal < 2:
            return levels
        return [(sp, off) for sp, off in levels if sp >= 1] or [(1.0, 0.0)]


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


class TrainingPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.history = History()
        self._state: S.TrainingState | None = None   # the workspace's, once bound
        self._k = 1
        self._best = -1
        self._labels: list[str] = []
        self._shown_losses: set[str] = set()
        self._dirty = False
        self._redraw = qthrottled(self.flush, timeout=REFRESH_MS)
        self._brush_ok = pg.mkBrush(BAR_OK)
        self._brush_wrong = pg.mkBrush(BAR_WRONG)

        self._build_ui()
        self.reset(0, 1)
        for refresh in (self._title_charts, self._name_legends, self._show_status):
            on_language(self, refresh)
            refresh()

    def bind(self, workspace) -> None:
        """Draw the workspace's charted history and training state from now on."""
        workspace.history_changed.connect(self.show_history)
        workspace.history_appended.connect(lambda _h: self.records_added())
        workspace.training_changed.connect(self.set_state)
        workspace.current_changed.connect(lambda model, _previous: self._show_model(model))
        workspace.current_updated.connect(self._show_model)
        self.show_history(workspace.history)
        self.set_state(workspace.training)
        self._show_model(workspace.current)     # built after the models came in (the window builds it late)

    def _show_model(self, model) -> None:
        """Grey or colour pictures: PSNR and the worst reconstructions of the shown model."""
        view = getattr(model, "view", None)
        if view is None:
            return
        self.set_image_mode(view.images)
        if view.images:
            shown = model.shown
            self.add_image_errors(view.epoch or (self.history.last.epoch if self.history.last else 0),
                                  shown.images(), view.reconstructions, shown.labels, view.mse, view.psnr)

    # -- construction -----------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.state_label = QLabel()
        self.state_label.setMinimumWidth(110)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.rate_label = QLabel()

        self.message_box = MessageLine()      # its room is kept: the charts never move for a message
        self.message_box.setTextFormat(Qt.TextFormat.PlainText)
        self._build_charts()
        self._build_controls()

    def _build_charts(self) -> None:
        """Loss, wrong pixels (or PSNR) per epoch and wrong pixels per glyph, with their curves."""
        self.charts = pg.GraphicsLayoutWidget()
        self.charts.installEventFilter(self)
        self.charts.ci.setContentsMargins(2, 2, 2, 2)
        self.charts.ci.setSpacing(4)

        self.loss_plot = pg.PlotItem(axisItems=locale_axes(left=LogAxis("left"), bottom=_EpochAxis("bottom")))
        self.wrong_plot = pg.PlotItem(viewBox=CountViewBox(),
                                      axisItems=locale_axes(left=_IntegerAxis("left"), bottom=_EpochAxis("bottom")))
        self.bar_plot = pg.PlotItem(axisItems=locale_axes(left=_IntegerAxis("left")))
        fit_text(self.loss_plot, self.wrong_plot, self.bar_plot)
        self.loss_lone, self.wrong_lone = LonePoints(self.loss_plot), LonePoints(self.wrong_plot)
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
        bind_text(self, self.loss_plot.setTitle, "Loss")
        # Short titles: in a bottom dock the three charts share one row.
        bind_text(self, self.bar_plot.setTitle, "Wrong pixels per glyph")
        bind_text(self, self.charts.setToolTip, "Curves and bars are for the best of the parallel models.")
        bind_text(self, lambda text: self.loss_plot.setLabel("bottom", text), "epoch")
        bind_text(self, lambda text: self.wrong_plot.setLabel("bottom", text), "epoch")

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

    def _build_controls(self) -> None:
        """The row above the charts (state, progress, rate, log scale, export) and the layout."""
        self.log_check = QCheckBox()
        self.log_check.setChecked(True)
        bind_text(self, self.log_check.setText, "Log scale")
        self.log_check.toggled.connect(self.set_log_scale)
        # The plot's own context menu can switch log mode too; keep both in step.
        self.loss_plot.ctrl.logYCheck.toggled.connect(self._on_plot_log_toggled)
        self.loss_plot.setLogMode(y=True)
        # One menu button for both exports: the row above the charts is shared with the progress.
        self.export_button = QToolButton()
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        self.act_csv = menu.addAction("", self._ask_export_csv)
        self.act_png = menu.addAction("", self._ask_export_png)
        self.export_button.setMenu(menu)
        bind_text(self, self.export_button.setText, "Export")
        bind_text(self, self.act_csv.setText, "Export CSV...")
        bind_text(self, self.act_png.setText, "Export PNG...")

        # One row above the charts for everything else: under a 700 px window the charts need
        # every other pixel of height (they keep at least 140 px of plot).
        top = QHBoxLayout()
        top.addWidget(self.state_label)
        top.addWidget(self.progress, 1)
        top.addWidget(self.rate_label)
        top.addWidget(self.log_check)
        top.addWidget(self.export_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.setSpacing(2)
        lay.addLayout(top)
        lay.addWidget(self.message_box)
        self.worst_view = WorstSamples()
        self.worst_view.hide()
        middle = QHBoxLayout()
        middle.addWidget(self.charts, 3)
        middle.addWidget(self.worst_view, 1)
        lay.addLayout(middle, 1)

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

    def _wants_wide(self) -> bool:
        """Side by side when the charts are wide and short. Two picture charts go side by side as
        soon as each gets IMAGE_CHART_WIDTH: stacked under a 300 px dock (the worst
        reconstructions take a quarter of the width) they had 60 px of plot each."""
        size = self.charts.size()
        if self._image_mode:
            return size.width() >= 2 * IMAGE_CHART_WIDTH or size.width() > 2.4 * max(size.height(), 1)
        return size.width() > 2.4 * max(size.height(), 1)

    def eventFilter(self, watched, event) -> bool:
        # The charts' own size, not the panel's: the worst reconstructions appearing beside them
        # narrow the charts without resizing the panel.
        if watched is self.charts and event.type() == QEvent.Type.Resize:
            self._fit_charts()
        return super().eventFilter(watched, event)

    def _fit_charts(self) -> None:
        size = self.charts.size()
        self._arrange(self._wants_wide())
        # Short charts (a 700 px screen): the plot area matters more than "epoch" under it.
        for plot in (self.loss_plot, self.wrong_plot):
            plot.getAxis("bottom").showLabel(size.height() >= 300)

    def reset(self, total_epochs: int, n_models: int) -> None:
        """An empty chart for a run of `total_epochs` with `n_models` parallel models (the bars'
        labels stay)."""
        history = History(total_epochs, n_models)
        history.labels = list(self._labels)
        self.show_history(history)

    def show_history(self, history: History) -> None:
        """Chart `history` (records appended to it later: records_added())."""
        self.history = history
        self._k = history.models
        self._dirty = False
        self._best = -1
        self._shown_losses = set()
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
        self._psnr = ([], [], [])   # PSNR points belong to the history charted
        self.bars.setOpts(x=np.zeros(0), height=np.zeros(0), brushes=None)
        self.ok_bars.setOpts(x=np.zeros(0), height=np.zeros(0))
        for lone in (self.loss_lone, self.wrong_lone):
            lone.show(())      # no dot left from the history shown before
        self._labels = list(history.labels)
        self._set_bar_ticks()
        total = history.total_epochs
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(0)
        self.progress.setFormat(plural(total, tr("{epoch} / 1 epoch", epoch=0), tr("{epoch} / {total} epochs", epoch=0,
                                                                                  total=total)))
        self.rate_label.setText("")
        self.message_box.show_message("")
        for plot in (self.loss_plot, self.wrong_plot, self.bar_plot):
            plot.enableAutoRange()
        if history.last is not None or len(history):
            self.records_added()
            self.flush()
        else:
            self._show_status()

    def set_image_mode(self, on: bool) -> None:
        """Pictures that are not black and white: the middle chart shows PSNR per epoch and
        the bars give way to the worst reconstructions (wrong pixels would count noise). The PSNR
        points of the charted history stay while the mode does."""
        on = bool(on)
        if on == self._image_mode:
            return
        self._psnr = ([], [], [])   # epochs, mean, worst
        self._image_mode = on
        self.bar_plot.setVisible(not on)
        self.worst_view.setVisible(on)
        self._wide = None   # the charts change: arrange them again (the bars leave or come back)
        self._arrange(self._wants_wide())
        self._title_charts()
        self._name_legends()
        self.max_curve.setData([], [])
        self.mean_curve.setData([], [])
        self.wrong_lone.show(())

    def image_mode(self) -> bool:
        return self._image_mode

    def add_image_errors(self, epoch: int, originals, recon, labels, mse=None, psnr=None) -> None:
        """Reconstructions of the shown samples at `epoch` (image mode); their errors when known."""
        mse, psnr = self.worst_view.set_samples(originals, recon, labels, mse, psnr)
        mean_mse = float(mse.mean())
        epochs, means, worsts = self._psnr
        if epochs and epochs[-1] == epoch:
            epochs.pop(), means.pop(), worsts.pop()
        epochs.append(epoch)
        means.append(10 * np.log10(1 / mean_mse) if mean_mse > 0 else float(psnr.max()))
        worsts.append(float(psnr.min()))
        self.max_curve.setData(epochs, worsts)
        self.mean_curve.setData(epochs, means)
        self.wrong_lone.show((self.max_curve, self.mean_curve))

    def set_labels(self, labels: list[str]) -> None:
        """Names of the glyphs, in the order of ProgressRecord.glyph_wrong."""
        self._labels = [str(s) for s in labels]
        self.history.labels = list(self._labels)
        self._set_bar_ticks()

    def add_record(self, rec: ProgressRecord) -> None:
        """Append one record to the charted history (what the workspace does for a run)."""
        self.history.append(rec)
        self.records_added()

    def records_added(self) -> None:
        """The history grew: new curves where new columns appeared, the status now, the charts
        soon (at once for the last record of a run)."""
        h, rec = self.history, self.history.last
        if h.models != self._k:
            self.show_history(h)     # K changed under an empty history (a guessed reset)
            return
        for name in h.loss_names():
            if name not in self._shown_losses:
                self._shown_losses.add(name)
                # With no KL or penalty the reconstruction loss is the total: one curve (and one
                # legend entry) says it. The column stays for the CSV.
                if rec is not None and not (name == "recon" and rec.losses.get("recon") == rec.losses.get("total")):
                    self._add_loss_curve(name)
        if h.has("val") and self.val_curve is None:
            self._add_val_curve()
        if h.labels != self._labels:
            self.set_labels(h.labels)
        self._show_status()
        self._dirty = True
        if rec is not None and rec.done:
            self.flush()  # the final picture must not wait for the throttle
        else:
            self._redraw()

    def flush(self) -> None:
        """Redraw the charts now instead of at the next throttle tick."""
        if not self._dirty:
            return
        self._dirty = False
        rec = self.history.last
        if rec is None:
            return
        self._best = rec.best
        self._refresh_curves()
        if not self._image_mode and self.history.glyph_wrong is not None:
            self._refresh_bars(self.history.glyph_wrong)

    def set_state(self, state) -> None:
        """The workspace's TrainingState: the header follows the phase (paused, stepping...)."""
        self._state = state
        self._show_status()

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
        return len(self.history)

    def export_csv(self, path) -> None:
        """The charted history as metrics.csv (the file saved beside every model)."""
        self.history.write_csv(path)

    def export_png(self, path) -> None:
        self.flush()
        if not self.charts.isVisible() and (self.charts.width() < 640 or self.charts.height() < 400):
            # Never laid out (e.g. the tab was not opened yet): give it a readable size.
            self.charts.resize(900, 560)
        if not self.charts.grab().save(str(path), "PNG"):
            raise OSError(f"could not write {path}")

    # -- texts that follow the mode and the curves ------------------------------------------
    def _title_charts(self) -> None:
        """The middle chart's title (PSNR for pictures, wrong pixels for glyphs), and each
        title's term explained on hover (a student meets "PSNR" or "wrong pixels" here)."""
        self.wrong_plot.setTitle(tr("PSNR per epoch (dB)") if self._image_mode
                                 else tr("Wrong pixels per epoch"))
        self.wrong_plot.titleLabel.setToolTip(explain("PSNR") if self._image_mode else explain("wrong pixels"))
        self.bar_plot.titleLabel.setToolTip(explain("wrong pixels"))

    def _name_legends(self) -> None:
        names = {c: self._loss_name(k) for k, c in self.loss_curves.items()}
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
        english = {c: LOSS_NAMES.get(k, k) for k, c in self.loss_curves.items()}
        for sample, label in self.loss_legend.items:     # "KL" in the legend: what it is
            label.setToolTip(with_terms("", english.get(sample.item, "")))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
            self._name_legends()

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
            if plot.titleLabel.text:
                plot.titleLabel.setText(plot.titleLabel.text)   # the colour applies on the next setText
        for legend in (self.loss_legend, self.wrong_legend):
            legend.setBrush(QColor(bg.red(), bg.green(), bg.blue(), 220))
            legend.setPen(pg.mkPen(QColor(fg.red(), fg.green(), fg.blue(), 60)))
            legend.setLabelTextColor(fg)

    def _add_loss_curve(self, name: str) -> None:
        if name in LOSS_COLORS:
            color = LOSS_COLORS[name]
        else:
            extra = [k for k in self.loss_curves if k not in LOSS_COLORS]
            color = EXTRA_COLORS[len(extra) % len(EXTRA_COLORS)]
        width = 2 if name == "total" else 1.5
        curve = pg.PlotCurveItem(pen=pg.mkPen(color, width=width), connect="finite", name=self._loss_name(name))
        self.loss_plot.addItem(curve)
        self.loss_curves[name] = curve
        for sample, label in self.loss_legend.items:
            if sample.item is curve:
                label.setToolTip(with_terms("", LOSS_NAMES.get(name, name)))
        self._ensure_best_legend()

    def _add_val_curve(self) -> None:
        self.val_curve = pg.PlotCurveItem(
            pen=pg.mkPen(VAL_COLOR, width=2, style=Qt.PenStyle.DashLine), connect="finite",
            name=tr("validation"))
        self.val_curve.setZValue(1)      # over the training curve it often runs beside
        self.loss_plot.addItem(self.val_curve)
        total = self.loss_curves.get("total")
        for sample, label in self.loss_legend.items:
            if sample.item is total:
                label.setText(self._loss_name("total"))
        self._ensure_best_legend()

    def _loss_name(self, key: str) -> str:
        """A loss curve's legend name: with a validation curve beside it the total is the
        "training" loss, the pair a student compares for overfitting."""
        if key == "total" and (self.val_curve is not None or self.history.has("val")):
            return tr("training")
        return tr(LOSS_NAMES.get(key, key))

    def _ensure_best_legend(self) -> None:
        # Keeps "current best model" as the last legend entry as loss curves appear.
        if self.best_curve is None:
            return
        self.loss_legend.removeItem(self.best_curve)
        self.loss_legend.addItem(self.best_curve, tr("current best model"))

    def _refresh_curves(self) -> None:
        h = self.history
        x_all = h.epochs()
        n = len(x_all)
        if n == 0:
            return
        log = self.log_check.isChecked()
        tf = _log10 if log else (lambda a: a)
        idx = _sample_index(n, MAX_POINTS)
        x = x_all[idx]
        for name, curve in self.loss_curves.items():
            curve.setData(x, tf(h.column(name)[idx]))
        if self.val_curve is not None:
            self.val_curve.setData(x, tf(h.column("val")[idx]))
        if not self._image_mode:   # in image mode these two curves carry PSNR
            self.max_curve.setData(x, h.column("max")[idx])
            self.mean_curve.setData(x, h.column("mean")[idx])
        if self.models_curve is not None:
            models = h.per_model()
            best = self._best if 0 <= self._best < self._k else 0
            self.best_curve.setData(x, tf(models[idx, best]))
            midx = _sample_index(n, MAX_MODEL_POINTS)
            m = midx.size
            ys = np.full((self._k, m + 1), np.nan)  # trailing NaN column breaks the line
            ys[:, :m] = tf(models[midx]).T
            xs = np.empty_like(ys)
            xs[:] = np.append(x_all[midx], np.nan)
            self.models_curve.setData(xs.ravel(), ys.ravel())
        # One epoch so far (a Step epoch): dots, and a range around them instead of pyqtgraph's.
        self.loss_lone.show([*self.loss_curves.values(), self.val_curve])
        if not self._image_mode:
            self.wrong_lone.show((self.max_curve, self.mean_curve), integer=True)

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

    def _show_status(self) -> None:
        """Header, progress bar, rate and message: from the workspace's state while a run goes on
        (paused shows paused), from the last record otherwise."""
        rec, st = self.history.last, self._state
        busy = st is not None and st.busy
        total = (st.total if busy and st.total else 0) or (rec.total_epochs if rec is not None else 0) \
            or self.history.total_epochs
        epoch = st.epoch if busy else (rec.epoch if rec is not None else 0)
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(min(epoch, max(1, total)))
        self.progress.setFormat(plural(total, tr("{epoch} / 1 epoch", epoch=epoch),
                                       tr("{epoch} / {total} epochs", epoch=epoch, total=total)))
        if busy and st.phase != S.LOADING:
            eta = st.eta_s
            rate = number(st.rate, ".1f")
            self.rate_label.setText(tr("{rate} epochs/s · ETA {eta}", rate=rate, eta=fmt_duration(eta))
                                    if eta is not None and rec is not None else "")
            self._show_state(st.phase)
        elif busy:
            self.rate_label.setText("")
            self._show_state(st.phase)
        elif rec is not None:
            rate = number(rec.epochs_per_s, ".1f")
            if st is None and rec.state == RUNNING and rec.epochs_per_s > 0:   # records alone
                eta = (total - rec.epoch) / rec.epochs_per_s
                self.rate_label.setText(tr("{rate} epochs/s · ETA {eta}", rate=rate, eta=fmt_duration(eta)))
            else:
                self.rate_label.setText(tr("{rate} epochs/s · {elapsed} elapsed", rate=rate,
                                           elapsed=fmt_duration(rec.elapsed)))
            # The shown history's own state: a run that failed left no history, and the panel is
            # back on the model before it, which did not fail (the failure is the status bar's).
            self._show_state(rec.state)
        else:
            self.rate_label.setText("")
            self._show_state(None)
        if rec is not None:
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
            self.message_box.show_message("")
            return
        self.message_box.show_message(text, kind)

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
