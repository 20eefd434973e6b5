"""File > Open dataset > Catalogue dataset (download)…: pick MNIST, Fashion-MNIST, KMNIST or
EMNIST letters, see its license and citation, download it into the per-user cache with a
progress bar (bytes, speed, time left) and Cancel, then train on it in the builder. The
download runs in aegui.core.data.fetch.FetchJob on a JobRunner worker thread.

"Use files I have…" checks a folder the user already has, or filled by hand as a failed
download's advice says, against the published hashes (aegui.core.data.local_files.AddFolderJob,
what `aegui data add` runs) and trains from there. A failure is shown whole, in the window's
language and the theme's colours (fetch_messages), and is not printed on the terminal: it is the
network's or the files' fault, not a bug."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel,
                               QProgressBar, QPushButton, QVBoxLayout)

from aegui.core.jobs.job import CANCELLED
from aegui.qt.builder.fetch_messages import fetch_error_html, folder_error_html
from aegui.qt.i18n import bind_text, number, on_language, tr
from aegui.qt.workers.threads import JobRunner
from aegui.qt.widgets.text.note import NoteLabel


def _size(n: float) -> str:
    return f"{number(n / 1e6, '.1f')} MB" if n >= 1e5 else f"{number(n / 1e3, '.0f')} kB"


class FetchDialog(QDialog):
    """Emits nothing: on success `folder` is set and "Train on it" calls `on_train(path)` with
    the training images file."""

    def __init__(self, parent=None, on_train=None):
        super().__init__(parent)
        from aegui.core.data.catalogue import ENTRIES
        self.entries = ENTRIES
        self.on_train = on_train
        self.folder = None
        self.train_file: Path | None = None    # what "Train on it" opens, once known
        self._job_kind = ""                    # "fetch" or "check": what the runner is doing
        self._train_after_check = False
        self._grown = 0                        # px the dialog grew to hold its texts (_fit)
        self.jobs = JobRunner(self)
        self.jobs.progress.connect(self._on_progress)
        self.jobs.finished.connect(self._on_finished)
        self.jobs.errored.connect(self._on_job_error)
        self.combo = QComboBox()
        for i, e in enumerate(ENTRIES.values()):
            self.combo.addItem("", e.name)
            bind_text(self, lambda text, i=i: self.combo.setItemText(i, text), e.title)
        self.combo.currentIndexChanged.connect(self._show_entry)
        self.dataset_label = QLabel()
        bind_text(self, self.dataset_label.setText, "Dataset:")
        self.license = QLabel()
        self.license.setWordWrap(True)
        self.citation = QLabel()
        self.citation.setWordWrap(True)
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.state.setTextInteractionFlags(Qt.TextBrowserInteraction)
        self.state.setOpenExternalLinks(True)
        # The whole advice, wrapped, in the theme's error colours; its paths and URLs can be
        # selected and clicked.
        self.error = NoteLabel("error")
        self.error.setTextFormat(Qt.RichText)
        self.error.setTextInteractionFlags(Qt.TextBrowserInteraction)
        self.error.setOpenExternalLinks(True)
        self.error.hide()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.detail = QLabel()
        self.download_btn = QPushButton()
        bind_text(self, self.download_btn.setText, "Download")
        self.download_btn.clicked.connect(self.start)
        self.folder_btn = QPushButton()
        bind_text(self, self.folder_btn.setText, "Use files I have…")
        bind_text(self, self.folder_btn.setToolTip, "Check a folder that holds this dataset's files (ones you "
                  "downloaded by hand, a course's or torchvision's copy) against the published hashes and train "
                  "from there; nothing is copied.")
        self.folder_btn.clicked.connect(self.choose_folder)
        self.cancel_btn = QPushButton()
        bind_text(self, self.cancel_btn.setText, "Cancel")
        self.cancel_btn.clicked.connect(self.cancel)
        self.cancel_btn.setEnabled(False)
        self.train_btn = QPushButton()
        bind_text(self, self.train_btn.setText, "Train on it")
        self.train_btn.clicked.connect(self._train)
        self.train_btn.setEnabled(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Close)
        bind_text(self, self.buttons.button(QDialogButtonBox.Close).setText, "Close")
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.dataset_label)
        row.addWidget(self.combo, 1)
        actions = QHBoxLayout()
        for b in (self.download_btn, self.folder_btn, self.cancel_btn, self.train_btn):
            actions.addWidget(b)
        actions.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        for w in (self.license, self.citation, self.state, self.error, self.bar, self.detail):
            lay.addWidget(w)
        lay.addStretch(1)       # room beyond what the texts need goes below them, not between the rows
        lay.addLayout(actions)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(600)
        bind_text(self, self.setWindowTitle, "Fetch a dataset")
        self._show_entry()
        # The entry's texts, the state line and the height fitted to them.
        on_language(self, self._show_entry)

    def name(self) -> str:
        return self.combo.currentData()

    def _show_entry(self, *_):
        if self.jobs.is_running():
            return
        from aegui.core.data.fetch import dataset_dir, missing
        from aegui.core.data.local_files import registered_folders
        e = self.entries[self.name()]
        self.combo.setToolTip(tr(e.title))      # a long title is cut in the box
        self.license.setText(tr("License: {what}", what=e.license))
        self.citation.setText(tr("Cite: {what}", what=e.citation))
        done = not missing(e.name)
        registered = registered_folders().get(e.name)
        self.folder = dataset_dir(e.name) if done else None
        self.train_file = self.folder / e.role("train_images").name if done else None
        if done:
            self.state.setText(tr("Already downloaded and verified: {folder}", folder=str(dataset_dir(e.name))))
        elif registered:
            # Checked again by hash when it is used (Train on it runs the check first).
            self.state.setText(tr("Uses your files in {folder}", folder=registered))
        else:
            self.state.setText(tr("Not downloaded yet; it goes to {folder}", folder=str(dataset_dir(e.name))))
        self._show_error("")
        self.bar.setValue(1000 if done or registered else 0)
        self.detail.setText("")
        self.train_btn.setEnabled(bool(done or registered) and self.on_train is not None)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self._fit()

    def _fit(self) -> None:
        """Grow the dialog to hold every line of its texts (a top-level layout does not follow a
        wrapped label's height for its width, and a long error was cut to two overlapping lines),
        and give that room back when the texts need less (an error gone left stretched gaps)."""
        lay = self.layout()
        lay.activate()
        need = lay.totalHeightForWidth(self.width()) if lay.hasHeightForWidth() else lay.sizeHint().height()
        height = self.height()
        if height < need:
            self._grown += need - height
        elif self._grown and height > need:
            give = min(self._grown, height - need)
            self._grown -= give
            height -= give
        self.setMinimumHeight(need)     # first: a window is never resized below its minimum
        if max(height, need) != self.height():      # (a dialog not yet resized takes its size hint when shown)
            self.resize(self.width(), max(height, need))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._fit()

    def _busy(self, kind: str, text: str) -> None:
        self._job_kind = kind
        self.state.setText(text)
        self._show_error("")
        self.bar.setValue(0)
        self.detail.setText("")
        for b in (self.combo, self.download_btn, self.folder_btn, self.train_btn):
            b.setEnabled(False)
        self.cancel_btn.setEnabled(True)

    def start(self) -> None:
        if self.jobs.is_running():
            return
        from aegui.core.data.fetch import FetchJob
        name = self.name()
        self._busy("fetch", tr("Downloading…"))
        self.jobs.start(lambda: FetchJob(name))

    def choose_folder(self) -> None:
        """Pick a folder (the cache folder the download advice names, to start with) and check it."""
        from aegui.core.data.fetch import dataset_dir
        from aegui.core.data.local_files import registered_folders
        name = self.name()
        start = registered_folders().get(name) or str(dataset_dir(name))
        if not Path(start).is_dir():
            start = str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, tr("Folder with the {dataset} files",
                                                           dataset=self.entries[name].name), start)
        if folder:
            self.check_folder(folder)

    def check_folder(self, folder, then_train: bool = False) -> None:
        if self.jobs.is_running():
            return
        from aegui.core.data.local_files import AddFolderJob
        name = self.name()
        self._train_after_check = then_train
        self._busy("check", tr("Checking the files in {folder}…", folder=str(folder)))
        self.jobs.start(lambda: AddFolderJob(name, folder))

    def cancel(self) -> None:
        self.jobs.cancel()

    def _on_progress(self, item) -> None:
        if item.state == "checking":        # an AddFolderProgress
            self.bar.setValue(int(1000 * item.fraction))
            self.detail.setText(tr("Checking {file} ({index}/{files})", file=item.file, index=item.index,
                                   files=item.count))
            return
        p = item.download if item.state == "downloading" else None    # a FetchProgress's file
        if p is None:
            return
        self.bar.setValue(int(1000 * p.fraction))
        if p.total:
            eta = p.eta
            self.detail.setText(tr("{file} ({index}/{files}): {done} of {total}, {speed}/s, {eta} s left",
                                   file=p.file, index=p.index, files=p.files, done=_size(p.done),
                                   total=_size(p.total), speed=_size(p.speed),
                                   eta=number(eta, ".0f") if eta is not None else "?"))
        else:
            self.detail.setText(tr("{file} ({index}/{files}): {done}, {speed}/s", file=p.file, index=p.index,
                                   files=p.files, done=_size(p.done), speed=_size(p.speed)))

    def _idle(self) -> None:
        for b in (self.combo, self.download_btn, self.folder_btn):
            b.setEnabled(True)
        self.cancel_btn.setEnabled(False)

    def _on_finished(self, item) -> None:
        self._idle()
        kind, self._job_kind = self._job_kind, ""
        if item is None or item.state == CANCELLED:
            self._show_entry()
            self.state.setText(tr("Cancelled; nothing half-downloaded was kept.") if kind == "fetch"
                               else tr("Cancelled; the folder was not added."))
            return
        self.bar.setValue(1000)
        self.detail.setText("")
        if kind == "check":
            check = item.result
            self.folder = check.folder
            self.train_file = check.paths()["train_images"]
            self.state.setText(tr("Checked: the files in {folder} are the published ones. aegui reads them from there "
                                  "(nothing was copied).", folder=str(check.folder)))
        else:
            self.folder = item.result
            self.train_file = self.folder / self.entries[self.name()].role("train_images").name
            self.state.setText(tr("Downloaded and verified: {folder}", folder=str(self.folder)))
        self._fit()
        self.train_btn.setEnabled(self.on_train is not None)
        if self._train_after_check:
            self._train()

    def _on_job_error(self, error: BaseException) -> None:
        kind, self._job_kind = self._job_kind, ""
        self._train_after_check = False
        self._idle()
        self.bar.setValue(0)
        self.detail.setText("")
        if kind == "check":
            self.state.setText(tr("The folder was not added."))
            self._show_error(folder_error_html(error))
        else:
            self.state.setText(tr("The download failed."))
            self._show_error(fetch_error_html(error, tr("Use files I have…")))
        self.train_btn.setEnabled(False)

    def _train(self) -> None:
        if self.on_train is None:
            return
        if self.train_file is None:
            # A folder registered earlier: checked again (by hash) before training reads it.
            from aegui.core.data.local_files import registered_folders
            folder = registered_folders().get(self.name())
            if folder:
                self.check_folder(folder, then_train=True)
            return
        self._train_after_check = False
        self.on_train(self.train_file)
        self.accept()

    def done(self, result: int) -> None:
        self.jobs.shutdown()       # a closed dialog leaves no download running
        super().done(result)


def open_fetch_dialog(window, files) -> None:
    """The catalogue's download dialog; Train opens the fetched images in the builder."""
    FetchDialog(window, on_train=lambda path: files.open_dataset("idx", path)).exec()
