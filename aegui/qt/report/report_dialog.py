"""File > Export course report…: choose a course document (000-004) and a folder; its experiments
run one after another (aegui.core.analyses.report.run.ReportJob on a JobRunner, the job `aegui report`
runs) with progress and Cancel, and the HTML page is written there with each figure beside what
the document reports. *Run on* sends the training runs to a Ray cluster as `aegui report --ray`
does (its address, or empty for a Ray started here); the progress then counts each node's runs.

Resumable as the command is: an experiment that finished in that folder is not run again, so
Run after a cancel (or in another session) goes on where it stopped; the list shows each
experiment's state in the folder chosen. The dialog is not modal (a report takes minutes to
hours): closing it leaves the job running, and the menu entry shows it again. At the end it says
where the page is and offers to open it.

The states are read on a worker (a report's keys hash its data and read its presets and numerics
revisions: 0.1 s on a quiet machine, 0.5 s under load), and typing a folder reads them once the
typing settles (ROWS_SETTLE_MS) or leaves the field: read at every keystroke, 32 characters took
over 10 s of a frozen window."""
from __future__ import annotations

import html
import os
import time
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFontMetrics
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QProgressBar, QPushButton, QStyledItemDelegate, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout)

from aegui.core.analyses.compare.runs import CompareProgress
from aegui.core.analyses.classify.probe import ProbeRunProgress
from aegui.core.analyses.report.on_ray import ClusterProgress, short_node
from aegui.core.analyses.report.run import ReportProgress
from aegui.core.analyses.sweeps.sweep import SweepProgress
from aegui.core.files.paths import user_data_dir
from aegui.core.jobs.job import CANCELLED, FINISHED
from aegui.qt.experiments.run_on import RunOnChoice
from aegui.qt.i18n import bind_text, on_language, plural, tr
from aegui.qt.workers.pacing import debounced
from aegui.qt.workers.threads import JobRunner, Latest, error_text
from aegui.qt.widgets.text.note import NoteLabel
from aegui.qt.widgets.inputs.path_edit import PathEdit

RAY_TIP = ("Trains each run of the report as a Ray task on the cluster at this address; empty starts Ray on this "
           "computer for the report.")
FOLDER_KEY = "report/folder"      # settings: the folder a report was last written to
ROWS_SETTLE_MS = 400              # typing a folder: its rows are read once no key came for this long
STATES = {"done": "done", "waiting for its data": "waits for its data", "failed": "failed; runs again next time",
          "not run": "to run", "stale": "stale: made by other code or data; runs again"}
STAGES = {"fine-tuned": "fine-tuning", "frozen": "frozen codes", "pixels": "raw pixels"}


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return tr("{n} s", n=seconds)
    if seconds < 3600:
        return tr("{m} min {s} s", m=seconds // 60, s=seconds % 60)
    return tr("{h} h {m} min", h=seconds // 3600, m=seconds % 3600 // 60)


def reports_home() -> Path:
    """Where reports go by default: under AEGUI_HOME when it is set (a portable install, a
    classroom account, the tests), as the rest of the user's data; else ~/aegui-reports."""
    return user_data_dir() / "reports" if os.environ.get("AEGUI_HOME") else Path.home() / "aegui-reports"


def read_states(job, spec, out: Path | None) -> tuple[list[tuple[str, dict]], bool]:
    """(each experiment's (state, record) in `job`'s folder, whether the page is there): on a
    worker, it reads every experiment's done.json and hashes its code and data."""
    states = [job.state(spec, exp) if job is not None else ("not run", {}) for exp in spec.experiments]
    return states, out is not None and (out / "index.html").is_file()


def describe(item: ReportProgress) -> str:
    """What a running report is doing, from ReportJob's progress item and its preset job's own
    (`detail`: each kind has its epoch and epochs)."""
    d = item.detail
    parts = []
    if isinstance(d, ClusterProgress):
        parts.append(plural(d.runs, tr("{done} of 1 run", done=d.runs_done),
                            tr("{done} of {runs} runs", done=d.runs_done, runs=d.runs)))
        parts.extend(tr("node {node}: {done} done, {running} running", node=short_node(node), done=c.get("done", 0),
                        running=c.get("running", 0)) for node, c in sorted(d.nodes.items()))
        if d.waiting:
            parts.append(tr("{n} queued", n=d.waiting))
    elif isinstance(d, CompareProgress):
        parts.append(tr("run {run} of {runs}", run=d.run, runs=d.runs))
    elif isinstance(d, SweepProgress) and d.group:
        parts.append(tr("group {group} of {groups}", group=d.group, groups=d.groups))
    elif d is not None and d.state == "pretraining":
        parts.append(tr("pretraining the autoencoder"))
    elif isinstance(d, ProbeRunProgress) and d.stage in STAGES:
        parts.append(tr(STAGES[d.stage]))
    if d is not None and getattr(d, "epochs", None):
        parts.append(tr("epoch {epoch} of {epochs}", epoch=d.epoch or 0, epochs=d.epochs))
    head = tr("Experiment {index} of {count}: {title}", index=item.index, count=item.count,
              title=tr(item.title))
    return head + (" — " + ", ".join(parts) if parts else "")


class _WrappedRows(QStyledItemDelegate):
    """Rows as tall as their text wrapped to its column: a tree view asks its delegate for a row's
    height without the column's width, so wrapped titles kept one line and lost their end."""

    def __init__(self, tree):
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option, index):
        size = super().sizeHint(option, index)
        text = index.data() or ""
        width = self.tree.columnWidth(index.column()) - 8
        if width <= 0 or not text:
            return size
        fm = option.fontMetrics if index.data(Qt.ItemDataRole.FontRole) is None else \
            QFontMetrics(index.data(Qt.ItemDataRole.FontRole))
        need = fm.boundingRect(QRect(0, 0, width, 100000), Qt.TextFlag.TextWordWrap, text).height() + 4
        return QSize(size.width(), max(size.height(), need))


class ReportDialog(QDialog):
    """`reports`: report files to offer (the shipped resources/reports/*.json when None).
    `page_written` carries the page's path when a run ends (finished or cancelled)."""
    page_written = Signal(object)

    def __init__(self, parent=None, settings=None, reports=None):
        super().__init__(parent)
        from aegui.core.analyses.report.run import load_report, reports_dir
        self.settings = settings
        files = list(reports) if reports is not None else sorted(reports_dir().glob("*.json"))
        self.specs = [spec for f in files for spec in load_report(f)]
        self.job = None
        self.page: Path | None = None
        self._started = 0.0
        self.runner = JobRunner(self)
        self.runner.progress.connect(self._on_progress)
        self.runner.finished.connect(self._show_finished)     # once the runner is idle: Run works again
        self.runner.errored.connect(self._show_error)
        self.runner.running_changed.connect(self._set_running)

        self.document = QComboBox()
        # The documents' titles are long: the combo names each by its short title (the whole one is
        # in bold under it and in the entry's tooltip) and takes the room the form gives it.
        self.document.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.document.setMinimumContentsLength(20)
        for spec in self.specs:
            self.document.addItem("", spec.id)
        self.document.currentIndexChanged.connect(self._document_changed)
        self.about = QLabel()
        self.about.setWordWrap(True)
        self.folder = PathEdit(folder=True, title="Folder for the report", start_dir=lambda: str(reports_home()))
        self.folder.set_path(self._default_folder(self.spec()))
        self._reader = Latest(self)           # the rows' states, read off the GUI thread
        self._asked = self._read = 0          # serials: the newest request for the rows, the one shown
        self._edited = False                  # the folder was typed in since its rows were asked for
        self._shown_spec = None               # the document whose experiments the list holds
        self._got = None                      # read_states' answer the list shows
        self._refresh_later = debounced(self._refresh, ROWS_SETTLE_MS)
        self.folder.changed.connect(self._folder_edited)
        self.folder.line.editingFinished.connect(self._folder_left)
        self._build_table()
        self.run_on = RunOnChoice(tooltip=RAY_TIP)
        self._running: str | None = None     # the experiment under way ("000-loss"), marked in the list
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.note = NoteLabel("info")
        self.note.setOpenExternalLinks(True)
        self.note.hide()
        self._build_buttons()

        form = QFormLayout()
        self.document_label, self.folder_label = QLabel(), QLabel()
        bind_text(self, self.document_label.setText, "Course document:")
        bind_text(self, self.folder_label.setText, "Folder:")
        form.addRow(self.document_label, self.document)
        form.addRow(self.folder_label, self.folder)
        form.addRow(self.run_on)
        actions = QHBoxLayout()
        for b in (self.run_btn, self.cancel_btn, self.open_btn):
            actions.addWidget(b)
        actions.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.about)
        lay.addWidget(self.table, 1)
        for w in (self.bar, self.detail, self.note):
            lay.addWidget(w)
        lay.addLayout(actions)
        lay.addWidget(self.buttons)
        self.setMinimumSize(640, 480)
        bind_text(self, self.setWindowTitle, "Export course report")
        self._name_documents()
        self._refresh()
        on_language(self, self._name_documents)
        on_language(self, self._refresh)

    def _build_table(self) -> None:
        """The experiments of the chosen document and their state in the folder."""
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setColumnCount(2)
        bind_text(self, lambda t: self.table.headerItem().setText(0, t), "Experiment")
        bind_text(self, lambda t: self.table.headerItem().setText(1, t), "State in this folder")
        self.table.header().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.header().setSectionResizeMode(1, QHeaderView.ResizeToContents)
        self.table.header().setStretchLastSection(False)
        # Long experiment titles wrap onto a second line instead of losing their end.
        self.table.setWordWrap(True)
        self.table.setUniformRowHeights(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.table.setItemDelegate(_WrappedRows(self.table))
        self.table.header().sectionResized.connect(lambda *_: self.table.doItemsLayout())

    def _build_buttons(self) -> None:
        """Run (or Resume), Cancel, Open the page; Close."""
        self.run_btn = QPushButton()
        bind_text(self, self.run_btn.setToolTip, "Runs the experiments that have not finished in this folder; "
                                                 "finished ones are not run again.")
        self.run_btn.clicked.connect(self.start)
        self.cancel_btn = QPushButton()
        bind_text(self, self.cancel_btn.setText, "Cancel")
        self.cancel_btn.clicked.connect(self.cancel)
        self.cancel_btn.setEnabled(False)
        self.open_btn = QPushButton()
        bind_text(self, self.open_btn.setText, "Open the page")
        self.open_btn.clicked.connect(self.open_page)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Close)
        bind_text(self, self.buttons.button(QDialogButtonBox.Close).setText, "Close")
        self.buttons.rejected.connect(self.reject)

    # -- what is chosen -----------------------------------------------------------------------------
    def spec(self):
        return self.specs[max(self.document.currentIndex(), 0)]

    def out_dir(self) -> Path | None:
        text = self.folder.path()
        return Path(text).expanduser() if text else None

    def _default_folder(self, spec) -> str:
        last = self.settings.value(FOLDER_KEY) if self.settings is not None else None
        base = Path(last).parent if isinstance(last, str) and last else reports_home()
        return str(base / f"course-report-{spec.id}")

    def _document_changed(self, *_) -> None:
        self.folder.set_path(self._default_folder(self.spec()))
        self._refresh()

    def _job_for_view(self):
        from aegui.core.analyses.report.run import ReportJob
        out = self.out_dir()
        return ReportJob([self.spec()], out) if out is not None else None

    # -- texts ----------------------------------------------------------------------------------------
    def _name_documents(self) -> None:
        """Each document by its id and short title (the whole title in the entry's tooltip)."""
        for i, spec in enumerate(self.specs):
            self.document.setItemText(i, f"{spec.id}: {tr(spec.short)}")
            self.document.setItemData(i, tr(spec.title), Qt.ItemDataRole.ToolTipRole)

    def _folder_edited(self) -> None:
        """A key typed in the folder field: the rows are read once the typing settles."""
        self._asked += 1
        self._edited = True
        self._refresh_later()

    def _folder_left(self) -> None:
        """Enter, or the field left: what was typed is read now."""
        if self._edited:
            self._refresh()

    def rows_read(self) -> bool:
        """Whether the list shows the states of the folder and document chosen now."""
        return self._read == self._asked

    def _refresh(self, *_) -> None:
        """The experiments and their state in the folder chosen (what Run will do), read on a worker."""
        from aegui.core.analyses.report.run import row_preset
        self._refresh_later.cancel()
        self._edited = False
        spec = self.spec()
        stated = sum(row_preset(e).time_2cores_s or 0 for e in spec.experiments)
        self.about.setText(f"<b>{html.escape(tr(spec.title))}</b><br>" + html.escape(
            tr("{n} experiments; their presets state about {time} on 2 cores in all.", n=len(spec.experiments),
               time=_duration(stated)) if len(spec.experiments) > 1 else
            tr("One experiment; its preset states about {time} on 2 cores.", time=_duration(stated))))
        self.document.setToolTip(tr(spec.title))
        # Now, from what was read last (the row under way marked; another document's titles),
        # and again once this folder's states are read.
        self._show_rows(spec, self._got if self._shown_spec is spec else None, fresh=False)
        out = self.out_dir()
        job = self.job if self.runner.is_running() else self._job_for_view()
        self._asked += 1
        asked = self._asked
        self._reader.submit(read_states, job, spec, out,
                            on_done=lambda got: self._states_read(asked, spec, got),
                            on_error=lambda error: self._states_read(asked, spec, None, error))
        if not self.runner.is_running():
            self.run_btn.setEnabled(out is not None)

    def _states_read(self, asked: int, spec, got, error=None) -> None:
        if asked != self._asked:
            return          # the folder or the document changed since: a newer read is coming
        self._read = asked
        if error is not None:
            got = ([("not run", {"error": error_text(error)})] * len(spec.experiments), False)
        self._show_rows(spec, got)

    def _show_rows(self, spec, got, fresh: bool = True) -> None:
        """The document's experiments, with their states (`got`: read_states') or "…" until read;
        `fresh`: read for the folder chosen now (only then does it say whether its page is there)."""
        from aegui.core.analyses.report.run import ReportJob
        self._shown_spec, self._got = spec, got
        states, page = got if got is not None else ([None] * len(spec.experiments), False)
        self.table.clear()
        done = 0
        for exp, read in zip(spec.experiments, states):
            state, record = read if read is not None else (None, {})
            text = tr(STATES[state]) if state is not None else "…"
            if state == "done":
                done += 1
                text = tr("done in {time}", time=_duration(record.get("seconds", 0)))
            under_way = self.runner.is_running() and ReportJob.qualified(spec, exp) == self._running
            if under_way:
                text = tr("running now…")
            row = QTreeWidgetItem(self.table, [tr(exp.title), text])
            row.setToolTip(0, tr(exp.title))
            if under_way:
                for col in (0, 1):
                    font = row.font(col)
                    font.setBold(True)
                    row.setFont(col, font)
                self.table.scrollToItem(row)
            if record.get("reason") or record.get("error"):
                row.setToolTip(1, str(record.get("reason") or record.get("error")))
        # Finished experiments are never run again here: with all of them done, Run only writes the
        # page again (after a code or template change); --rerun is the command line's.
        self.run_btn.setText(tr("Resume") if 0 < done < len(spec.experiments) else
                             tr("Write the page again") if done and done == len(spec.experiments) else tr("Run"))
        out = self.out_dir()
        if got is not None and fresh and not self.runner.is_running():
            self.page = out / "index.html" if page and out is not None else None
            self.open_btn.setEnabled(self.page is not None)

    # -- running --------------------------------------------------------------------------------------
    def start(self) -> None:
        if self.runner.is_running() or self.out_dir() is None:
            return
        from aegui.core.analyses.report.run import ReportJob
        problem = self.run_on.problem()
        if problem is not None:     # Ray chosen but not installed: said before any work
            self.note.set_kind("error")
            self.note.setText(html.escape(problem))
            self.note.show()
            return
        out = self.out_dir()
        if self.settings is not None:
            self.settings.setValue(FOLDER_KEY, str(out))
        ray = self.run_on.target()
        self.job = ReportJob([self.spec()], out, ray=None if ray is None else ray["address"] or "local")
        job = self.job
        self._started = time.monotonic()
        self.note.hide()
        self.bar.setValue(0)
        self.bar.setTextVisible(False)
        self._running = None
        self.detail.setText(tr("Starting…"))
        self.runner.start(lambda: job)

    def cancel(self) -> None:
        if self.runner.is_running():
            self.detail.setText(tr("Cancelling: the experiment under way stops at its next step…"))
            self.runner.cancel()

    def is_running(self) -> bool:
        return self.runner.is_running()

    def shutdown(self) -> bool:
        return self.runner.shutdown()

    def _set_running(self, running: bool) -> None:
        for w in (self.document, self.folder, self.run_btn, self.run_on):
            w.setEnabled(not running)
        self.cancel_btn.setEnabled(running)
        if running:
            self.open_btn.setEnabled(False)

    def _on_progress(self, item: ReportProgress) -> None:
        if item.state == FINISHED:
            return      # the end: _show_finished fills the bar
        # A cancelled report's last item says how far it got (the share done, not 1).
        self.bar.setValue(int(1000 * item.fraction))
        if item.state == CANCELLED:
            return
        if item.state == "running":
            if item.experiment != self._running:
                self._running = item.experiment
                self._refresh()     # its row is marked
            self.detail.setText(describe(item) + "  ·  " + tr("{time} so far",
                                                               time=_duration(time.monotonic() - self._started)))
        else:
            self._refresh()     # an experiment finished, waits for data or failed: its row changes
            if item.state == "needs_data":
                self.detail.setText(tr("{title}: waits for its data (fetch the dataset, then run again).",
                                       title=tr(item.title)))

    def _show_finished(self, item: ReportProgress | None) -> None:
        pages = (item.result if item is not None else None) or {}
        self.page = Path(pages["html"]) if pages.get("html") else None
        cancelled = item is not None and item.state == CANCELLED
        self._running = None
        self.detail.setText(tr("Cancelled after {time}.", time=_duration(time.monotonic() - self._started))
                            if cancelled else tr("Finished in {time}.", time=_duration(time.monotonic() - self._started)))
        if cancelled:
            # Where it stopped, said on the bar: a full bar read as "finished".
            self.bar.setFormat(tr("Stopped at {percent} %", percent=round(self.bar.value() / 10)))
            self.bar.setTextVisible(True)
        else:
            self.bar.setValue(1000)
        self._refresh()
        if self.page is not None:
            link = f'<a href="{QUrl.fromLocalFile(str(self.page)).toString()}">{html.escape(str(self.page))}</a>'
            text = tr("The page is written: {page}", page=link)
            if cancelled:
                text += "<br>" + tr("It shows the experiments that finished; Resume goes on from there.")
            self.note.set_kind("info")
            self.note.setText(text)
            self.note.show()
            self.open_btn.setEnabled(True)
            self.open_btn.setDefault(True)      # the offer: Enter opens the page
            self.open_btn.setFocus()
            self.page_written.emit(self.page)

    def _show_error(self, error: BaseException) -> None:
        self._running = None
        self._refresh()
        self.detail.setText("")
        self.note.set_kind("error")
        self.note.setText(html.escape(error_text(error)))
        self.note.show()

    def open_page(self) -> None:
        if self.page is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.page)))


def fitting_size(screen: QSize) -> QSize:
    """The dialog's first size on a screen of `screen` (its available area): room for the
    documents' short titles and most experiment titles on one line, never past the screen."""
    return QSize(min(820, screen.width() - 60), min(620, screen.height() - 60))


def show_report_dialog(window, dialog: ReportDialog | None) -> ReportDialog:
    """The window's one report dialog, made on first use and shown again later (a running
    report keeps going while it is closed)."""
    if dialog is None:
        dialog = ReportDialog(window, getattr(window, "settings", None))
        screen = window.screen() if window is not None else None
        if screen is not None:
            dialog.resize(fitting_size(screen.availableSize()).expandedTo(dialog.minimumSize()))
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
