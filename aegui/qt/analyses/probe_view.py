"""The classifier-probe tab (the course's seed 003): a small softmax head trained on an
autoencoder's codes, the encoder frozen or fine-tuned, against the same head on the raw pixels
and chance; accuracy curves while it trains, then a confusion matrix (rows = true class).
Runs aegui.core.analyses.classify.probe.ProbeRunJob on a shipped preset (which trains its autoencoder first) or
on the window's current model with the data it was trained on.
"""
from __future__ import annotations

from dataclasses import replace
from html import escape
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QSizePolicy, QSpinBox, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from aegui.core.analyses.charts import PALETTE
from aegui.core.schema.experiment import ConfigError
from aegui.core.files.paths import resources_dir
from aegui.core.analyses.classify.probe import ProbeConfig, ProbeRunProgress, ProbeSpec, confusion_csv, load_spec
from aegui.core.jobs.job import CANCELLED
from aegui.qt.i18n import bind_text, number, on_language, tr
from aegui.qt.models.names import title
from aegui.qt.analyses.analysis_view import AnalysisView, plot_colors, plot_widget, style_plot
from aegui.qt.widgets.text.pieces import fmt_duration
from aegui.qt.widgets.charts.plot_text import legend_below

PRESETS = {"digits": resources_dir() / "analyses" / "probe-digits.json",
           "fonts": resources_dir() / "analyses" / "probe-noisy-glyphs.json",
           "fashion-mnist": resources_dir() / "analyses" / "probe-fashion-mnist.json",
           "mnist": resources_dir() / "analyses" / "probe-mnist.json"}
SOURCE_LABELS = {"digits": "Preset: 8x8 digits, stacked AE with a 10-D code",
                 "fonts": "Preset: noisy Font3 glyphs, which glyph? DAE 8-D code",
                 "fashion-mnist": "Preset: Fashion-MNIST, stacked AE, official test set",
                 "mnist": "Preset: MNIST, stacked AE, official test set"}
# The current model's data may be big (MNIST): the probe takes this many samples spread over it.
MAX_SAMPLES = 5000
FEATURES = {"codes (frozen encoder)": "codes, frozen", "codes (fine-tuned encoder)": "codes, fine-tuned",
            "pixels": "pixels"}
MATRICES = {"probe": "codes, held-out part", "probe_train": "codes, training part",
            "baseline": "raw pixels, held-out part", "baseline_train": "raw pixels, training part"}
PROBE_COLOR = QColor(*PALETTE[0])
PIXEL_COLOR = QColor(140, 140, 140)


def _fmt(v) -> str:
    return number(v, ".3f")


class ProbeView(AnalysisView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.entry = None
        self._spec: ProbeSpec | None = None
        self._live: dict[str, list] = {}      # stage -> [(epoch, train, val)] while running
        self._build()
        self.select_source("digits")
        self.apply_palette()

    # ---------------------------------------------------------------- building
    def _build(self) -> None:
        row1, row2 = self._build_settings()
        self._build_charts()
        self._build_exports()
        lay = self.layout_
        lay.addLayout(row1)
        lay.addLayout(row2)
        lay.addLayout(self.bar)
        lay.addWidget(self.status_label)
        lay.addWidget(self.charts, 1)
        on_language(self, self._label_sources)
        on_language(self, self._show_result_again)
        self._label_sources()

    def _build_settings(self) -> tuple[QHBoxLayout, QHBoxLayout]:
        """What to probe and how: the source and the encoder; the head, its epochs, the pixels' baseline."""
        self.source_combo = QComboBox()
        self.source_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.source_combo.setMinimumContentsLength(8)
        for key in ("digits", "fonts", "fashion-mnist", "mnist", "model"):
            self.source_combo.addItem("", key)
        self.source_combo.currentIndexChanged.connect(lambda _: self._source_changed())
        bind_text(self, self.source_combo.setToolTip, "What to probe: a preset trains its autoencoder first; the "
                  "current model uses the data it was trained on (fonts by character class, digits and IDX "
                  "files by label)")
        self.hidden_label, self.epochs_label = QLabel(), QLabel()
        bind_text(self, self.hidden_label.setText, "Hidden")
        bind_text(self, self.epochs_label.setText, "Epochs")
        self.fine_tune_combo = QComboBox()
        self.fine_tune_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.fine_tune_combo.setMinimumContentsLength(14)
        self.fine_tune_combo.addItem("", False)
        self.fine_tune_combo.addItem("", True)
        bind_text(self, lambda text: self.fine_tune_combo.setItemText(0, text), "frozen encoder")
        bind_text(self, lambda text: self.fine_tune_combo.setItemText(1, text), "fine-tuned encoder")
        bind_text(self, self.fine_tune_combo.setToolTip, "Frozen: only the head learns (what the codes hold); "
                  "fine-tuned: the encoder learns too")
        self.hidden_spin = QSpinBox()
        self.hidden_spin.setRange(0, 999)
        bind_text(self, self.hidden_spin.setSpecialValueText, "linear")
        bind_text(self, self.hidden_spin.setToolTip, "Units of the head's hidden layer; linear = a softmax layer on "
                  "the codes")
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 99_999)
        self.baseline_check = QCheckBox()
        bind_text(self, self.baseline_check.setText, "Pixels")
        bind_text(self, self.baseline_check.setToolTip, "Also train the same head on the raw pixels, for comparison")
        row1 = QHBoxLayout()
        row1.setSpacing(4)
        row1.addWidget(self.source_combo, 1)
        row1.addWidget(self.fine_tune_combo)
        row2 = QHBoxLayout()
        row2.setSpacing(4)
        for w in (self.hidden_label, self.hidden_spin,
                  self.epochs_label, self.epochs_spin, self.baseline_check):
            row2.addWidget(w)
        row2.addStretch(1)
        return row1, row2

    def _build_charts(self) -> None:
        """The accuracy curves; beside them the summary and the confusion matrix."""
        self.acc_widget, self.acc_plot = plot_widget()
        self.acc_legend = legend_below(self.acc_plot)
        self.acc_plot.setYRange(0, 1.02, padding=0)
        self.acc_plot.setMouseEnabled(x=False, y=False)
        self.acc_plot.hideButtons()
        bind_text(self, lambda text: self.acc_plot.setTitle(text, size="9pt"), "Accuracy while the head trains")
        bind_text(self, lambda text: self.acc_plot.setLabel("bottom", text), "epoch")
        bind_text(self, lambda text: self.acc_plot.setLabel("left", text), "accuracy")

        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        # Cut in a narrow dock rather than squeezing the chart; the status line says it all too.
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.matrix_combo = QComboBox()
        self.matrix_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.matrix_combo.setMinimumContentsLength(10)
        self.matrix_combo.currentIndexChanged.connect(lambda _: self._draw_matrix())
        self.axes_label = QLabel()
        self.axes_label.setStyleSheet("font-size: small;")
        bind_text(self, self.axes_label.setText, "Rows: true class · columns: predicted")
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for header in (self.table.horizontalHeader(), self.table.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            header.setMinimumSectionSize(22)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(2)
        rl.addWidget(self.summary)
        rl.addWidget(self.matrix_combo)
        rl.addWidget(self.axes_label)
        rl.addWidget(self.table, 1)
        for w in (self.matrix_combo, self.axes_label, self.table):
            w.hide()    # until there is a matrix to show
        self.charts = self.adaptive_splitter(self.acc_widget, right, shares=(55, 45))

    def _build_exports(self) -> None:
        export = self.add_export(lambda: self.ask_folder("Results as CSV files (folder)…", self.export_folder))
        bind_text(self, export.setText, "Results as CSV files (folder)…")
        export = self.add_export(lambda: self.ask_save("Confusion matrix as CSV…", "confusion.csv", "csv",
                                                       self.export_csv))
        bind_text(self, export.setText, "Confusion matrix as CSV…")
        export = self.add_export(lambda: self.ask_save("Charts as PNG…", "probe.png", "png", self.export_png))
        bind_text(self, export.setText, "Charts as PNG…")

    # ---------------------------------------------------------------- sources
    def set_model(self, entry) -> None:
        self.entry = entry
        self._label_sources()

    def _label_sources(self) -> None:
        combo = self.source_combo
        for i in range(combo.count()):
            key = combo.itemData(i)
            if key == "model":
                text = tr("Current model: {name}", name=title(self.entry)) if self.entry is not None \
                    else tr("Current model (none)")
                combo.model().item(i).setEnabled(self.entry is not None)
            else:
                text = tr(SOURCE_LABELS[key])
            combo.setItemText(i, text)
            combo.setItemData(i, text, Qt.ItemDataRole.ToolTipRole)
        if combo.currentData() == "model" and self.entry is None:
            combo.setCurrentIndex(0)

    def select_source(self, key: str) -> None:
        i = self.source_combo.findData(key)
        if self.source_combo.currentIndex() != i:
            self.source_combo.setCurrentIndex(i)
        else:
            self._source_changed()

    def _source_changed(self) -> None:
        key = self.source_combo.currentData()
        self._spec = None
        if key == "model":
            self._show_config(ProbeConfig(), baseline=True)
            return
        try:
            self._spec = load_spec(PRESETS[key])
        except (ConfigError, OSError, ValueError) as e:
            self.set_status("{path}: {problem}", error=True, path=PRESETS[key].name, problem=str(e))
            return
        self._show_config(self._spec.config, self._spec.baseline)

    def _show_config(self, cfg: ProbeConfig, baseline: bool) -> None:
        self.fine_tune_combo.setCurrentIndex(1 if cfg.fine_tune else 0)
        self.hidden_spin.setValue(cfg.hidden)
        self.epochs_spin.setValue(cfg.epochs)
        self.baseline_check.setChecked(baseline)

    # ---------------------------------------------------------------- running
    def run_preset(self, key: str = "digits") -> bool:
        self.select_source(key)
        return self.run()

    def run(self, spec: ProbeSpec | None = None, model=None, experiment=None) -> bool:
        """Probes `spec` (a ProbeSpec, with `model`/`experiment` as ProbeRunJob takes them), else the
        chosen source with the head settings shown."""
        if spec is None:
            key = self.source_combo.currentData()
            if key == "model":
                if self.entry is None:
                    self.set_status("There is no model on screen; open or train one, or run a preset.", error=True)
                    return False
                base = ProbeSpec(name=self.entry.name, data="model", max_samples=MAX_SAMPLES)
                model, experiment = self.entry.model, self.entry.experiment
            else:
                if self._spec is None:
                    self._source_changed()
                    if self._spec is None:
                        return False
                base = self._spec
            cfg = replace(base.config, fine_tune=bool(self.fine_tune_combo.currentData()),
                          hidden=self.hidden_spin.value(), epochs=self.epochs_spin.value())
            spec = replace(base, config=cfg, baseline=self.baseline_check.isChecked())
        self._live = {}
        self._clear_curves()

        def make_job():
            from aegui.core.analyses.classify.probe import ProbeRunJob
            return ProbeRunJob(spec, model=model, experiment=experiment)
        return self.start(make_job)

    def describe(self, item: ProbeRunProgress) -> str:
        if item.state == "training":
            return tr("Training the autoencoder: epoch {epoch}/{epochs}", epoch=item.epoch, epochs=item.epochs)
        if item.state == "running":
            return tr("{features}: epoch {epoch}/{epochs}, train {train}, held-out {val}",
                      features=tr("raw pixels") if item.stage == "baseline" else tr("codes"),
                      epoch=item.epoch, epochs=item.epochs, train=_fmt(item.train_accuracy),
                      val=_fmt(item.val_accuracy))
        return ""

    def show_progress(self, item: ProbeRunProgress) -> None:
        if item.state != "running":
            return
        self._live.setdefault(item.stage or "probe", []).append(
            (item.epoch, item.train_accuracy, item.val_accuracy))
        self._draw_curves(self._live)

    def show_finished(self, item: ProbeRunProgress) -> None:
        run = item.result
        if run is None:
            self.set_status("Cancelled while training the autoencoder; nothing to show.")
            return
        self.set_result(run)
        if item.state == CANCELLED:
            self.set_status("Cancelled: the head as trained so far is shown.")

    # ---------------------------------------------------------------- results
    def set_result(self, run) -> None:
        """A ProbeRun (aegui.core.analyses.classify.probe)."""
        self.result = run
        stages = {"probe": run.probe, "baseline": run.baseline}
        self._draw_curves({stage: [(h["epoch"], h["train_accuracy"], h["val_accuracy"]) for h in res.history]
                           for stage, res in stages.items() if res is not None})
        self.acc_plot.addItem(self.chance_line)
        self.chance_line.setValue(run.probe.chance)
        self.acc_plot.plot([], [], pen=self.chance_line.pen, name=tr("chance"))   # its legend entry
        shown = self.matrix_combo.currentData()
        self.matrix_combo.blockSignals(True)
        self.matrix_combo.clear()
        for key, label in MATRICES.items():
            res = stages[key.removesuffix("_train")]
            # Without a held-out part, "held-out" would repeat the training part.
            if res is not None and (key.endswith("_train") or res.n_val > 0):
                self.matrix_combo.addItem(tr(label), key)
        self.matrix_combo.setCurrentIndex(max(0, self.matrix_combo.findData(shown)))
        self.matrix_combo.blockSignals(False)
        for w in (self.matrix_combo, self.axes_label, self.table):
            w.show()
        self._draw_matrix()
        self._show_summary()
        self._update_buttons()

    def _clear_curves(self) -> None:
        self.acc_plot.clear()
        self.acc_legend.clear()

    def _draw_curves(self, rows: dict[str, list]) -> None:
        """rows: stage ("probe" / "baseline") -> [(epoch, train accuracy, held-out accuracy)]."""
        self._clear_curves()
        for stage, points in rows.items():
            if not points:
                continue
            color = PIXEL_COLOR if stage == "baseline" else PROBE_COLOR
            # Short names: the legend shares a small chart; the summary names the features in full.
            name = tr("pixels") if stage == "baseline" else tr("codes")
            pts = np.array([(e, t, np.nan if v is None else v) for e, t, v in points], dtype=float)
            self.acc_plot.plot(pts[:, 0], pts[:, 1], pen=pg.mkPen(color, width=2),
                               name=tr("{features}: train", features=name))
            if not np.all(np.isnan(pts[:, 2])):
                self.acc_plot.plot(pts[:, 0], pts[:, 2], pen=pg.mkPen(color, width=2, style=Qt.PenStyle.DashLine),
                                   name=tr("{features}: held-out", features=name))
        self.acc_plot.setYRange(0, 1.02, padding=0)
        self.acc_plot.enableAutoRange(axis="x")

    def _draw_matrix(self) -> None:
        run = self.result
        key = self.matrix_combo.currentData()
        table = self.table
        if run is None or key is None:
            table.clear()
            table.setRowCount(0)
            table.setColumnCount(0)
            return
        res = run.baseline if key.startswith("baseline") else run.probe
        matrix = res.confusion_train if key.endswith("_train") else res.confusion
        classes = res.classes
        n = len(classes)
        table.clear()
        table.setRowCount(n)
        table.setColumnCount(n)
        table.setHorizontalHeaderLabels(classes)
        table.setVerticalHeaderLabels(classes)
        rows = np.maximum(matrix.sum(1), 1)
        bg = plot_colors(self)[0]
        base = PIXEL_COLOR if key.startswith("baseline") else PROBE_COLOR
        for i in range(n):
            for j in range(n):
                count = int(matrix[i, j])
                frac = count / rows[i]
                item = QTableWidgetItem(str(count))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                # Shade by the share of the true class's row: a good probe is a dark diagonal.
                color = QColor(
                    round(bg.red() + (base.red() - bg.red()) * frac),
                    round(bg.green() + (base.green() - bg.green()) * frac),
                    round(bg.blue() + (base.blue() - bg.blue()) * frac))
                item.setBackground(QBrush(color))
                item.setForeground(QBrush(QColor("white") if frac > 0.55 else self.palette().text().color()))
                item.setToolTip(tr("true {true}, predicted {pred}: {n} of {row}", true=classes[i],
                                   pred=classes[j], n=count, row=int(matrix[i].sum())))
                table.setItem(i, j, item)

    def _show_summary(self) -> None:
        run = self.result
        if run is None:
            return
        p, b = run.probe, run.baseline
        # Held-out first: it is the figure that matters, and a narrow dock cuts the last column.
        rows = [(tr(FEATURES.get(p.features, p.features)), _fmt(p.val_accuracy), _fmt(p.train_accuracy))]
        if b is not None:
            rows.append((tr("pixels"), _fmt(b.val_accuracy), _fmt(b.train_accuracy)))
        rows.append((tr("chance"), _fmt(p.chance), ""))
        self.summary.setToolTip(tr("chance (always the commonest class)"))
        head = f"<tr><th></th><th>&nbsp;{escape(tr('held-out'))}&nbsp;</th><th>&nbsp;{escape(tr('train'))}</th></tr>"
        body = "".join(f"<tr><td>{escape(a)}</td><td align='right'>{t}</td><td align='right'>{v}</td></tr>"
                       for a, t, v in rows)
        self.summary.setText(f"<table cellspacing=0 cellpadding=1>{head}{body}</table>")
        self.set_status(
            "Held-out accuracy {val} from the codes, {pixels} from the raw pixels, {chance} by chance ({dataset}: "
            "{classes} classes, {n_train} training and {n_val} held-out samples, {elapsed}).",
            dataset=p.dataset, classes=len(p.classes), n_train=p.n_train, n_val=p.n_val,
            elapsed=fmt_duration(run.seconds), val=_fmt(p.val_accuracy),
            pixels=_fmt(b.val_accuracy if b is not None else None), chance=_fmt(p.chance))

    # ---------------------------------------------------------------- exports
    def export_folder(self, folder) -> dict:
        self.check_result()
        paths = self.result.probe.write(folder)
        if self.result.baseline is not None:
            paths.update({f"pixels-{k}": v for k, v in self.result.baseline.write(folder, stem="pixels-").items()})
        return paths

    def export_csv(self, path) -> None:
        """The confusion matrix shown."""
        self.check_result()
        key = self.matrix_combo.currentData() or "probe"
        res = self.result.baseline if key.startswith("baseline") else self.result.probe
        matrix = res.confusion_train if key.endswith("_train") else res.confusion
        from aegui.core.files.atomic import atomic_write_text
        atomic_write_text(Path(path), confusion_csv(res.classes, matrix))

    def export_png(self, path) -> None:
        """The accuracy chart and the confusion matrix as shown."""
        self.check_result()
        if not self.charts.grab().save(str(path), "PNG"):
            raise OSError("the image could not be saved there")

    # ---------------------------------------------------------------- looks
    def apply_palette(self) -> None:
        if not hasattr(self, "acc_plot"):
            return
        bg, fg = plot_colors(self)
        self.acc_widget.setBackground(bg)
        style_plot(self.acc_plot, fg, self.acc_legend, bg)
        if not hasattr(self, "chance_line"):
            self.chance_line = pg.InfiniteLine(angle=0, movable=False)
        self.chance_line.setPen(pg.mkPen(fg, width=1, style=Qt.PenStyle.DotLine))
        if self.result is not None:
            self._draw_matrix()

    def _show_result_again(self) -> None:
        """The legend, the list of matrices, the summary and the status are written from the result."""
        if self.result is not None:
            self.set_result(self.result)
