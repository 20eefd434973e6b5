"""The Experiments dock: edit a sweep, run it in the background, compare its configs.

The sweep runs in a JobRunner worker (aegui.core.analyses.sweeps.sweep.SweepRunner, configs that differ
only in seed / learning rate / init trained together). Each progress item carries a fresh list
of the runs finished so far, so the table and charts fill in group by group; cancelling keeps
those. Whatever finished is also written (results.csv, runs.csv, curves.csv, ...) to the user's
data folder from the worker thread, so closing the window mid-sweep loses nothing that ran.
"""
from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog, QHBoxLayout, QLabel, QMenu, QMessageBox, QProgressBar, QPushButton, QSplitter,
    QTabWidget, QToolButton, QVBoxLayout, QWidget,
)

from aegui.core.files.paths import safe_name
from aegui.core.schema.experiment import ConfigError
from aegui.core.analyses.sweeps.sweep import SweepResult, expand, plan
from aegui.core.analyses.sweeps.files import write_results
from aegui.core.analyses.sweeps.jobs import SearchJob, SearchJobProgress, SweepJob, SweepJobProgress
from aegui.qt.i18n import bind_text, number, on_language, plural, tr
from aegui.qt.widgets.folder_link import FolderLink
from aegui.qt.widgets.text.pieces import ElidedLabel
from aegui.qt.experiments.sweep_charts import SweepCharts
from aegui.qt.experiments.run_on import RunOnChoice
from aegui.qt.experiments.search_view import SearchView
from aegui.qt.experiments.sweep_editor import SweepEditor
from aegui.qt.experiments.sweep_table import SweepTable
from aegui.qt.widgets.text.pieces import fmt_duration
from aegui.qt.workers.threads import JobRunner, error_text


class _TakesItsRoom(QVBoxLayout):
    """The panel's layout, which takes the height its dock gives it. In the dock's scroll area a
    layout that wraps a line (the summary) is sized by its height for the width, which Qt adds up
    from the preferred heights: the panel became 800 px tall in a 600 px dock, and the charts'
    x axis showed only after scrolling. The minimum heights still set when the dock scrolls."""

    def hasHeightForWidth(self) -> bool:
        return False


class ExperimentsPanel(QWidget):
    use_builder_requested = Signal()
    sweep_finished = Signal(object)     # the SweepResult, finished or cancelled
    running_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.jobs = JobRunner(self)
        self.autosave_dir: Path | None = None    # None: <user data>/sweeps
        self.autosave = True
        self.result: SweepResult | None = None
        self.saved_path: str | None = None
        self._sweep = None
        self._configs, self._groups = [], []
        self._shown_runs = -1
        self._shown_running: set[int] = set()
        self._state_key = "Idle"
        self._last_progress = None
        self._summary = ""
        self._last_dir = ""
        self._build()
        self._refresh_status()
        on_language(self, self._update_buttons)
        on_language(self, self._refresh_status)

    # ---------------------------------------------------------------- building
    def _build(self) -> None:
        # Beside the latent canvas the dock gets about 500 x 400 px at 1280 x 800, so every row
        # counts: Run / Cancel / progress share a row, the exports sit in a menu on the chart
        # controls' row, the summary wraps under them.
        self.run_button, self.cancel_button = QPushButton(), QPushButton()
        bind_text(self, self.run_button.setText, "Run sweep")
        bind_text(self, self.cancel_button.setText, "Cancel")
        self.run_button.clicked.connect(lambda: self.run())
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setMinimumWidth(120)
        corner = QWidget()
        top = QHBoxLayout(corner)
        top.setContentsMargins(0, 0, 0, 2)
        top.setSpacing(4)
        top.addWidget(self.run_button)
        top.addWidget(self.cancel_button)
        top.addWidget(self.progress, 1)

        self.editor = SweepEditor()
        self.editor.use_builder_requested.connect(self.use_builder_requested)
        self.editor.changed.connect(lambda _: self._update_buttons())

        results = self._build_results()

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.editor, "")
        self.tabs.addTab(results, "")
        self.search_view = SearchView()
        self.tabs.addTab(self.search_view, "")
        self.tabs.setTabVisible(2, False)     # shown once a search runs
        bind_text(self, lambda t: self.tabs.setTabText(0, t), "Sweep")
        bind_text(self, lambda t: self.tabs.setTabText(1, t), "Results")
        bind_text(self, lambda t: self.tabs.setTabText(2, t), "Search")
        self._mode = "grid"                   # or "search": which job the worker signals come from
        self.search_result = None
        # Run / Cancel / progress on a row of their own: in the tab bar's corner they took its
        # width, and the tabs were cut to "ep" behind scroll arrows.
        lay = _TakesItsRoom(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(corner)
        lay.addWidget(self.tabs, 1)
        self.run_on = RunOnChoice()
        lay.addWidget(self.run_on)
        self.jobs.progress.connect(self._on_progress)
        self.jobs.finished.connect(self._on_finished)
        self.jobs.errored.connect(self._on_job_error)
        self.jobs.running_changed.connect(self._on_running_changed)
        self._update_buttons()

    def _build_results(self) -> QWidget:
        """The Results tab: the summary, where the results were saved, the table over the charts
        (with the Export menu on their controls' row)."""
        self.table = SweepTable()
        self.charts = SweepCharts()
        self.table.config_selected.connect(self.charts.highlight)
        self.summary_label = ElidedLabel()
        # Where the results went, as a path to click (the file manager opens there).
        self.saved_title = QLabel()
        bind_text(self, self.saved_title.setText, "Results saved in")
        self.saved_link = FolderLink()
        saved_row = QWidget()
        saved = QHBoxLayout(saved_row)
        saved.setContentsMargins(0, 0, 0, 0)
        saved.setSpacing(4)
        saved.addWidget(self.saved_title)
        saved.addWidget(self.saved_link, 1)
        self.saved_row = saved_row
        saved_row.hide()
        self.export_button = QToolButton()
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        self.act_export_csv = menu.addAction("", self._ask_export_csv)
        self.act_export_png = menu.addAction("", lambda: self._ask_export_image("png"))
        self.act_export_svg = menu.addAction("", lambda: self._ask_export_image("svg"))
        self.export_button.setMenu(menu)
        bind_text(self, self.export_button.setText, "Export")
        bind_text(self, self.act_export_csv.setText, "Results as CSV files (folder)…")
        bind_text(self, self.act_export_png.setText, "Charts as PNG…")
        bind_text(self, self.act_export_svg.setText, "Charts as SVG…")
        self.charts.controls.addWidget(self.export_button)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.charts)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([45, 55])   # proportions; the charts' size hint would take it all
        self.splitter.setChildrenCollapsible(False)
        results = QWidget()
        rl = QVBoxLayout(results)
        rl.setContentsMargins(2, 2, 2, 2)
        rl.setSpacing(2)
        rl.addWidget(self.summary_label)
        rl.addWidget(self.saved_row)
        rl.addWidget(self.splitter, 1)
        self.results_page = results
        return results

    # ---------------------------------------------------------------- public API
    def bind(self, workspace) -> None:
        """"Use the builder's settings" takes the builder's experiment from the workspace; the
        editor compares its base with the builder's config as that changes."""
        self._ws = workspace
        self.use_builder_requested.connect(self.use_draft)
        workspace.draft_changed.connect(self.editor.set_builder_config)
        self.editor.set_builder_config(workspace.draft)

    def use_draft(self) -> None:
        """The builder's experiment becomes the sweep's base (an invalid form: its error)."""
        ws = self._ws
        if ws.draft is None:
            self.editor.show_info(str(ws.draft_error or ""), error=True)
        else:
            self.set_base(ws.draft)

    def new_sweep_from_draft(self) -> None:
        """A new sweep over the builder's experiment (or the current base while the form is invalid)."""
        if self._ws.draft is not None:
            self.new_sweep(self._ws.draft)
        else:
            self.new_sweep(self.editor.base(), origin=self.editor.origin())

    def is_running(self) -> bool:
        return self.jobs.is_running()

    def set_base(self, exp) -> None:
        self.editor.set_base(exp)
        self.tabs.setCurrentWidget(self.editor)

    def new_sweep(self, base, origin: str = "builder") -> None:
        self.editor.new_sweep(base, origin)
        self.tabs.setCurrentWidget(self.editor)

    def load_sweep(self, path):
        sweep = self.editor.load(path)
        self.tabs.setCurrentWidget(self.editor)
        return sweep

    def run_preset(self, path) -> bool:
        """Opens a preset and runs it (the Experiments menu)."""
        if self.is_running():
            self._set_summary(tr("A sweep is already running."), error=True)
            return False
        try:
            sweep = self.load_sweep(path)
        except ConfigError:
            return False
        if sweep.search is not None:
            from aegui.core.analyses.sweeps.sweep import load_sweep
            return self.run_search(load_sweep(path))   # the editor keeps no search block
        return self.run()

    def run_search(self, sweep) -> bool:
        """Starts an Optuna search (a sweep with a "search" block); results in the Search tab."""
        import importlib.util

        from aegui.core.analyses.sweeps.tasks import INSTALL_HINT
        if self.is_running():
            self._set_summary(tr("A sweep is already running."), error=True)
            return False
        problem = self.run_on.problem() or (None if importlib.util.find_spec("optuna") else
                                            tr("Optuna is not installed: add it with `{hint}`.", hint=INSTALL_HINT))
        self.tabs.setTabVisible(2, True)
        self.tabs.setCurrentWidget(self.search_view)
        if problem:
            self._set_summary(problem, error=True)
            return False
        ray = self.run_on.target()
        self._mode, self._sweep, self.search_result = "search", sweep, None
        self._show_saved(None)
        self._state_key, self._last_progress = "Starting…", None
        self.progress.setValue(0)
        self._set_summary("")
        self._refresh_status()
        self.editor.set_running(True)
        root = None
        if self.autosave:
            from aegui.core.files.paths import user_data_dir
            root = self.autosave_dir or user_data_dir() / "sweeps"
        self.jobs.start(lambda: SearchJob(sweep, root, ray))
        self._update_buttons()
        return True

    def run(self, sweep=None) -> bool:
        """Starts `sweep` (default: the editor's) in the background; False if it cannot start."""
        if self.is_running():
            self._set_summary(tr("A sweep is already running."), error=True)
            return False
        if sweep is None:
            try:
                sweep = self.editor.sweep()
            except ConfigError:
                self.editor.validate()
                self.tabs.setCurrentWidget(self.editor)
                return False
        problem = self.run_on.problem()
        if problem:
            self._set_summary(problem, error=True)
            self.tabs.setCurrentWidget(self.results_page)
            return False
        ray = self.run_on.target()
        self._mode = "grid"
        self._sweep = sweep
        self._configs = expand(sweep)
        self._groups = plan(sweep, self._configs)
        self.result, self.saved_path = None, None
        self._show_saved(None)
        self._shown_runs, self._shown_running = -1, set()
        self.table.set_sweep(sweep, self._configs)
        self.charts.clear()
        self.progress.setValue(0)
        self._state_key, self._last_progress = "Starting…", None
        self._set_summary("")
        self._refresh_status()
        self.editor.set_running(True)
        self.tabs.setCurrentWidget(self.results_page)
        root = None
        if self.autosave:
            from aegui.core.files.paths import user_data_dir
            root = self.autosave_dir or user_data_dir() / "sweeps"
        self.jobs.start(lambda: SweepJob(sweep, root, ray))
        self._update_buttons()
        return True

    def cancel(self) -> None:
        if self.is_running():
            self.jobs.cancel()
            self._state_key = "Cancelling…"
            self._refresh_status()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel and wait (window closing); the finished groups are autosaved by the worker."""
        return self.jobs.shutdown(timeout_ms)

    def export_csv(self, folder) -> Path:
        if self.result is None:
            raise ValueError(tr("No results to export yet."))
        return write_results(self.result, folder)

    def export_png(self, path) -> None:
        if self.result is None:
            raise ValueError(tr("No results to export yet."))
        self.charts.export_png(path)

    def export_svg(self, path) -> None:
        if self.result is None:
            raise ValueError(tr("No results to export yet."))
        self.charts.export_svg(path)

    # ---------------------------------------------------------------- worker signals
    def _on_progress(self, p: SweepJobProgress | SearchJobProgress) -> None:
        self._last_progress = p
        if self._mode == "search":
            self._on_search(p)
            return
        if self._state_key != "Cancelling…":
            self._state_key = "running"
        self._refresh_status()
        running = set()
        shown = range(1, len(self._groups) + 1)   # a cancelled sweep's last progress can come late
        if p.running_groups is not None:   # on Ray: several groups at once
            running = {c for g in p.running_groups if g in shown for c in self._groups[g - 1].configs}
        elif p.state == "running" and p.group in shown:
            running = set(self._groups[p.group - 1].configs)
        self._show_runs(p.run_results, running, finished=False)

    def _show_runs(self, runs, running, finished: bool) -> None:
        if len(runs) == self._shown_runs and running == self._shown_running and not finished:
            return
        result = SweepResult(self._sweep, self._configs, self._groups, runs=list(runs))
        self.table.set_result(result, running, finished)
        if len(runs) != self._shown_runs or finished:
            self.charts.set_result(result)
        self._shown_runs, self._shown_running = len(runs), running

    def _on_search(self, p: SearchJobProgress, finished: bool = False) -> None:
        self.search_result = p.search
        self.search_view.set_result(p.search)
        self.progress.setValue(int(1000 * (1.0 if finished else p.fraction)))
        best = p.best_score
        best = "-" if best is None else number(best, ".3f")
        text = tr("trial {done}/{total} · best {best}", done=p.trials_done, total=p.trials, best=best)
        if finished:   # like a sweep's bar: the search ended, whatever trial it had reached
            res = p.result
            text = (tr("Cancelled · best {best}", best=best) if res.cancelled else
                    tr("Done · {elapsed} · best {best}", elapsed=fmt_duration(res.seconds), best=best))
        self.progress.setFormat(text)
        self.progress.setToolTip(text)
        if finished:
            res, top = p.result, p.result.best()
            states = [t.state for t in res.trials]
            trials, pruned = len(res.trials), states.count("pruned")
            summary = tr("Search finished: {trials} ({pruned}) = {runs} in {elapsed}. Best: {label}, score "
                         "{score:.3f}.",
                         trials=plural(trials, tr("1 trial"), tr("{n} trials", n=trials)),
                         pruned=plural(pruned, tr("1 pruned"), tr("{n} pruned", n=pruned)),
                         runs=plural(res.trainings, tr("1 training"), tr("{n} trainings", n=res.trainings)),
                         elapsed=fmt_duration(res.seconds), label=top.label if top else "-",
                         score=top.score if top else math.nan)
            if top and top.untrained:
                summary += " " + tr("Its score counts {untrained} of {runs} that did not train: no better than the "
                                    "majority picture, or a loss that fell under {fall:g} % from its first check.",
                                    untrained=top.untrained, runs=top.runs, fall=top.learn_fall)
            self._set_summary(summary)
            self._show_saved(p.autosave.folder)

    def _on_finished(self, last) -> None:
        self.editor.set_running(False)
        if self._mode == "search" and isinstance(last, SearchJobProgress) and last.result is not None:
            self._last_progress = last
            self._on_search(last, finished=True)
            self._update_buttons()
            return
        if not isinstance(last, SweepJobProgress) or last.result is None:
            self._on_error(tr("No results to export yet."))
            return
        result = last.result
        self.result = result
        self._show_runs(result.runs, set(), finished=True)
        self.table.set_result(result, (), finished=True)
        self.charts.set_result(result)
        self._last_progress = last
        self._state_key = "cancelled" if result.cancelled else "finished"
        self.saved_path = last.autosave.folder
        self._show_saved(self.saved_path)
        self._refresh_status()
        self._update_buttons()
        self.sweep_finished.emit(result)

    def _on_job_error(self, error: BaseException) -> None:
        self._on_error(error_text(error))

    def _on_error(self, message: str) -> None:
        self.editor.set_running(False)
        self._state_key = "Idle"
        self._refresh_status()
        self.editor.mark_message(message)
        self._set_summary(tr("The sweep failed: {message}", message=message), error=True)
        self.tabs.setCurrentWidget(self.editor)
        self._update_buttons()

    def _on_running_changed(self, running: bool) -> None:
        self._update_buttons()
        self.running_changed.emit(running)

    # ---------------------------------------------------------------- text
    def status_text(self) -> str:
        return self.progress.format()

    def _refresh_status(self) -> None:
        p = self._last_progress
        if self._mode == "search" and isinstance(p, SearchJobProgress):
            self._on_search(p, finished=p.result is not None)
            return
        key = self._state_key
        groups = len(self._groups)
        if key in ("running", "finished", "cancelled") and p is not None:
            frac = 1.0 if key == "finished" else p.fraction
            elapsed = p.elapsed
            self.progress.setValue(int(frac * 1000))
            # The bar shares a row with Run and Cancel: a short text, the details in its tooltip.
            if key == "running":
                eta = elapsed * (1 - frac) / frac if frac > 0 else math.nan
                text = tr("{percent} · {eta} left", percent=number(int(frac * 100) / 100, ".0%"),
                          eta=fmt_duration(eta))
                values = dict(group=p.group or 0, groups=groups, done=p.runs_done,
                              total=p.runs, elapsed=fmt_duration(elapsed), eta=fmt_duration(eta))
                tip = plural(values["total"],
                             tr("group {group}/{groups} · {done}/1 run · {elapsed} · about {eta} left", **values),
                             tr("group {group}/{groups} · {done}/{total} runs · {elapsed} · about {eta} left",
                                **values))
                training = "; ".join(p.group_labels)
                self._set_summary(f"{tip} — {training}" if training else tip)
            else:
                res = self.result
                if key == "cancelled":
                    text = tr("Cancelled · {done}/{total}", done=len(res.configs_done), total=len(res.configs))
                    done, total = len(res.configs_done), len(res.configs)
                    tip = plural(total, tr("{done}/1 config finished", done=done),
                                 tr("{done}/{total} configs finished", done=done, total=total))
                else:
                    text = tr("Done · {elapsed}", elapsed=fmt_duration(res.seconds))
                    tip = plural(len(res.runs), tr("1 run in {elapsed}", elapsed=fmt_duration(res.seconds)),
                                 tr("{runs} runs in {elapsed}", runs=len(res.runs), elapsed=fmt_duration(res.seconds)))
                self._set_summary(self._final_summary())
        else:
            text = tip = tr(key)
        self.progress.setFormat(text)
        self.progress.setToolTip(tip)

    def _final_summary(self) -> str:
        res = self.result
        if res is None:
            return ""
        if res.cancelled:
            done, total = len(res.configs_done), len(res.configs)
            parts = [plural(total, tr("Cancelled: {done} of 1 config finished; it is marked “not run”.", done=done),
                            tr("Cancelled: {done} of {total} configs finished; the others are marked “not run”.",
                               done=done, total=total))]
        else:
            elapsed = fmt_duration(res.seconds)
            parts = [plural(len(res.runs), tr("Finished: 1 run in {elapsed}.", elapsed=elapsed),
                            tr("Finished: {runs} runs in {elapsed}.", runs=len(res.runs), elapsed=elapsed))]
        best = res.best_config()
        if best is not None:
            row = res.summary(best)
            parts.append(tr("Best: config {index} ({label}), max wrong {mean:.2f} ± {std:.2f}.", index=best + 1,
                            label=row["label"], mean=row["final_max_wrong_mean"], std=row["final_max_wrong_std"]))
            if row["n_diverged"]:
                parts.append(tr("Its mean leaves out the {diverged} of {runs} that diverged; it is over the other {trained}.",
                                trained=row["n_runs"] - row["n_diverged"], runs=row["n_runs"],
                                diverged=row["n_diverged"]))
            untrained = sum(res.health().failed(best).values())
            if untrained:
                parts.append(tr("Its mean counts {untrained} of {runs} that did not train: no better than the majority "
                                "picture, or a loss that fell under {fall:g} % from its first check.",
                                untrained=untrained, runs=row["n_runs"], fall=res.health().learn_fall(best)))
            if "denoised_wrong_mean" in row:   # the max wrong above is clean-input reconstruction
                parts.append(tr("On noisy copies at its training level: {out:.2f} wrong pixels per sample after "
                                "denoising, {noisy:.2f} in the noisy input.", out=row["denoised_wrong_mean"],
                                noisy=row["noisy_input_wrong_mean"]))
        last = self._last_progress
        if last is not None and last.autosave.failed:
            parts.append(tr("Could not save the results in {path}: {error}", path=last.autosave.failed,
                            error=last.autosave.error))
        return " ".join(parts)

    def _set_summary(self, text: str, error: bool = False) -> None:
        self.summary_label.setStyleSheet("color: #c62828;" if error else "")
        self.summary_label.setText(text)
        self.summary_label.setToolTip(text)

    def _show_saved(self, path: str | None) -> None:
        """The folder the finished results were written to, under the summary (hidden: none)."""
        self.saved_link.set_path(path or "")
        self.saved_row.setVisible(bool(path))

    def _update_buttons(self) -> None:
        running = self.is_running()
        valid = self.editor.current_sweep() is not None
        self.run_button.setEnabled(not running and valid)
        self.run_button.setToolTip("" if valid else tr("Fix the marked fields to run"))
        self.cancel_button.setEnabled(running)
        self.run_on.setEnabled(not running)
        self.export_button.setEnabled(self.result is not None)

    # ---------------------------------------------------------------- dialogs
    def _start_dir(self) -> str:
        return self._last_dir or str(Path.home())

    def _ask_export_csv(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Results as CSV files (folder)…"), self._start_dir())
        if folder:
            self._last_dir = folder
            self._try(self.export_csv, folder)

    def _ask_export_image(self, kind: str) -> None:
        name = safe_name(self.result.sweep.name, "sweep") if self.result else "sweep"
        filt = tr("PNG images (*.png)") if kind == "png" else tr("SVG images (*.svg)")
        title = tr("Charts as PNG…") if kind == "png" else tr("Charts as SVG…")
        path, _ = QFileDialog.getSaveFileName(self, title,
                                              str(Path(self._start_dir()) / f"{name}.{kind}"), filt)
        if path:
            self._last_dir = str(Path(path).parent)
            self._try(self.export_png if kind == "png" else self.export_svg, path)

    def _try(self, fn, path) -> None:
        try:
            fn(path)
        except (OSError, ValueError) as e:
            QMessageBox.warning(self, tr("Results"), tr("Could not write {path}: {error}", path=path, error=e))
        else:
            self._set_summary(tr("Wrote {path}", path=str(path)))
