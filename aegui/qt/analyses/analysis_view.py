"""What the Analyses tabs share: a job run off the GUI thread (JobRunner) with Run, Cancel,
a progress bar, an Export menu and a one-line status that turns red on an error.

A tab subclasses AnalysisView, adds its settings above `self.bar` and its charts below, and
implements `describe(item)` (the status while running) and `show_finished(item)`. Errors of the
job reach the status line as one sentence, never a traceback.
"""
from __future__ import annotations

import math
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QFileDialog, QHBoxLayout, QMenu, QMessageBox, QProgressBar, QPushButton, QSizePolicy, QSplitter,
    QToolButton, QVBoxLayout, QWidget,
)

from aegui.core.jobs.job import CANCELLED, Progress
from aegui.qt.i18n import bind_text, number, on_language, tr
from aegui.qt.widgets.text.pieces import ElidedLabel
from aegui.qt.widgets.text.pieces import fmt_duration
from aegui.qt.workers.threads import JobRunner, error_text
from aegui.qt.widgets.charts.plot_text import fit_text
from aegui.qt.widgets.charts.locale_axis import locale_axes


def plot_colors(widget: QWidget) -> tuple[QColor, QColor]:
    """(background, text) of the widget's palette: charts follow the light/dark theme."""
    pal = widget.palette()
    return pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)


def plot_widget() -> tuple[pg.PlotWidget, pg.PlotItem]:
    """A chart that fits a small dock: a long title goes on two lines instead of widening the
    plot past its view (or being cut)."""
    widget = pg.PlotWidget(axisItems=locale_axes())
    plot = widget.getPlotItem()
    plot.titleLabel.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    fit_text(plot)
    plot.showGrid(x=False, y=True, alpha=0.15)
    plot.getAxis("left").setWidth(36)
    return widget, plot


def style_plot(plot: pg.PlotItem, fg: QColor, legend: pg.LegendItem | None = None, bg: QColor | None = None) -> None:
    for name in ("left", "bottom"):
        ax = plot.getAxis(name)
        ax.setPen(fg)
        ax.setTextPen(fg)
    plot.titleLabel.setAttr("color", fg)
    if plot.titleLabel.text:
        plot.titleLabel.setText(plot.titleLabel.text)   # the colour applies on the next setText
    if legend is not None and bg is not None:
        legend.setBrush(QColor(bg.red(), bg.green(), bg.blue(), 220))
        legend.setPen(pg.mkPen(QColor(fg.red(), fg.green(), fg.blue(), 60)))
        legend.setLabelTextColor(fg)


class AnalysisView(QWidget):
    result_ready = Signal(object)      # the result shown after a run (finished or cancelled)
    running_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.jobs = JobRunner(self)
        self.result = None
        self._state = "Idle"                           # or "running", "finished"
        self._last = None                              # the last progress item
        self._status_key: tuple | None = None          # (English, fmt, error): re-translated status
        self._last_dir = ""
        self._splitters: list[QSplitter] = []

        self.run_button, self.cancel_button = QPushButton(), QPushButton()
        self.run_button.clicked.connect(lambda: self.run())
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMinimumWidth(90)
        self.export_button = QToolButton()
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_menu = QMenu(self.export_button)
        self.export_button.setMenu(self.export_menu)
        self.export_button.setEnabled(False)
        bind_text(self, self.run_button.setText, "Run")
        bind_text(self, self.cancel_button.setText, "Cancel")
        bind_text(self, self.export_button.setText, "Export")
        self.bar = QHBoxLayout()
        self.bar.setContentsMargins(0, 0, 0, 0)
        self.bar.setSpacing(4)
        for w in (self.run_button, self.cancel_button):
            self.bar.addWidget(w)
        self.bar.addWidget(self.progress, 1)
        self.bar.addWidget(self.export_button)
        self.status_label = ElidedLabel()

        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(4, 4, 4, 4)
        self.layout_.setSpacing(3)
        self.jobs.progress.connect(self._on_progress)
        self.jobs.finished.connect(self._on_finished)
        self.jobs.errored.connect(self._on_job_error)
        self.jobs.running_changed.connect(self._on_running_changed)
        on_language(self, self._show_progress_and_status)
        self._refresh_progress()

    # ---------------------------------------------------------------- for subclasses
    def add_export(self, slot):
        """An entry of the Export menu; its text: bind_text(self, add_export(slot).setText, "…")."""
        return self.export_menu.addAction("", slot)

    def adaptive_splitter(self, *widgets, shares=None) -> QSplitter:
        """Side by side in a wide view, one above the other in a tall one; the widgets share the
        space by `shares` (default equally) until the user drags the handle."""
        split = QSplitter()
        split.setChildrenCollapsible(False)
        for w in widgets:
            split.addWidget(w)
        self._splitters.append((split, [1000 * s for s in (shares or [1] * len(widgets))], [False]))
        split.splitterMoved.connect(lambda *_, moved=self._splitters[-1][2]: moved.__setitem__(0, True))
        return split

    def describe(self, item: Progress) -> str:
        raise NotImplementedError

    def apply_palette(self) -> None:
        """Restyle the charts after a theme change; default none."""

    def show_progress(self, item: Progress) -> None:
        """Partial results while running (e.g. accuracy curves); default none."""

    def show_finished(self, item: Progress) -> None:
        raise NotImplementedError

    # ---------------------------------------------------------------- running
    def is_running(self) -> bool:
        return self.jobs.is_running()

    def start(self, make_job) -> bool:
        """Runs make_job() (in the worker thread) and its steps; False if already running."""
        if self.is_running():
            self.set_status("This analysis is already running.", error=True)
            return False
        self._state, self._last = "Starting…", None
        self.progress.setValue(0)
        self.set_status("")
        self.jobs.start(make_job)
        self._refresh_progress()
        self._update_buttons()
        return True

    def cancel(self) -> None:
        if self.is_running():
            self.jobs.cancel()
            self._state = "Cancelling…"
            self._refresh_progress()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel and wait (the window is closing); False if the job did not stop in time."""
        if not self.jobs.shutdown(timeout_ms):
            return False
        # Deliver the stopped worker's last signals now, so nothing is left half running.
        QCoreApplication.sendPostedEvents()
        return True

    def _on_progress(self, item: Progress) -> None:
        self._last = item
        if self._state != "Cancelling…":
            self._state = "running"
        self._refresh_progress()
        self.status_label.setStyleSheet("")
        self._status_key = None
        self.status_label.setText(self.describe(item))
        self.show_progress(item)

    def _on_finished(self, item) -> None:
        self._last = item
        self._state = "finished"
        if item is None:
            self._on_error(tr("No results to export yet."))
            return
        self.show_finished(item)
        self._refresh_progress()
        self._update_buttons()
        self.result_ready.emit(self.result)

    def _on_job_error(self, error: BaseException) -> None:
        self._on_error(error_text(error))

    def _on_error(self, message: str) -> None:
        self._state = "Idle"
        self.progress.setValue(0)
        self._refresh_progress()
        self.set_status("The analysis failed: {message}", error=True, message=message)
        self._update_buttons()

    def _on_running_changed(self, running: bool) -> None:
        self._update_buttons()
        self.running_changed.emit(running)

    # ---------------------------------------------------------------- text
    def set_status(self, english: str, error: bool = False, **fmt) -> None:
        """A status sentence, kept in English so a language change re-translates it."""
        self._status_key = (english, fmt, error)
        self._show_status()

    def _show_status(self) -> None:
        if self._status_key is None:
            return
        english, fmt, error = self._status_key
        text = tr(english, **fmt) if english else ""
        self.status_label.setStyleSheet("color: #c62828;" if error else "")
        self.status_label.setText(text)
        self.status_label.setToolTip(text)

    def _refresh_progress(self) -> None:
        item, state = self._last, self._state
        if state in ("running", "Cancelling…") and item is not None:
            frac, elapsed = item.fraction, item.elapsed
            self.progress.setValue(int(frac * 1000))
            eta = elapsed * (1 - frac) / frac if frac > 0 else math.nan
            text = tr("{percent} · {eta} left", percent=number(int(frac * 100) / 100, ".0%"),
                      eta=fmt_duration(eta)) \
                if state == "running" else tr(state)
        elif state == "finished" and item is not None:
            if item.state == CANCELLED:
                text = tr("Cancelled")
            else:
                self.progress.setValue(1000)
                text = tr("Done · {elapsed}", elapsed=fmt_duration(item.elapsed))
        else:
            text = tr(state if state in ("Idle", "Starting…", "Cancelling…") else "Idle")
        self.progress.setFormat(text)

    def _update_buttons(self) -> None:
        running = self.is_running()
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.export_button.setEnabled(self.result is not None)

    def _show_progress_and_status(self) -> None:
        self._refresh_progress()
        if self._status_key is None and self._last and self._state in ("running", "Cancelling…"):
            self.status_label.setText(self.describe(self._last))
        self._show_status()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        wide = self.width() >= 1.3 * self.height()
        for split, shares, moved in self._splitters:
            orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
            if split.orientation() != orientation:
                split.setOrientation(orientation)
                moved[0] = False
            if not moved[0]:
                split.setSizes(shares)   # proportions: the splitter scales them to its size

    # ---------------------------------------------------------------- exports
    def _start_dir(self) -> str:
        return self._last_dir or str(Path.home())

    def ask_save(self, title: str, name: str, kind: str, fn) -> None:
        """Save dialog for one file (kind "png" or "csv"), then fn(path)."""
        if self.result is None:
            self.set_status("No results to export yet.", error=True)
            return
        filt = tr("PNG images (*.png)") if kind == "png" else tr("CSV files (*.csv)")
        path, _ = QFileDialog.getSaveFileName(self, tr(title), str(Path(self._start_dir()) / name), filt)
        if path:
            if not path.lower().endswith("." + kind):
                path += "." + kind
            self._last_dir = str(Path(path).parent)
            self.try_write(fn, path)

    def ask_folder(self, title: str, fn) -> None:
        if self.result is None:
            self.set_status("No results to export yet.", error=True)
            return
        folder = QFileDialog.getExistingDirectory(self, tr(title), self._start_dir())
        if folder:
            self._last_dir = folder
            self.try_write(fn, folder)

    def try_write(self, fn, path) -> None:
        try:
            fn(path)
        except (OSError, ValueError) as e:
            QMessageBox.warning(self, tr("Export"), tr("Could not write {path}: {error}", path=path, error=e))
        else:
            self.set_status("Wrote {path}", path=str(path))

    def check_result(self) -> None:
        if self.result is None:
            raise ValueError(tr("No results to export yet."))
