"""File > Open dataset > Catalogue dataset (download)…: pick MNIST, Fashion-MNIST, KMNIST or
EMNIST letters, see its license and citation, download it into the per-user cache with a
progress bar (bytes, speed, time left) and Cancel, then train on it in the builder. The
download runs in aegui.core.data.fetch.FetchJob on a JobRunner worker thread."""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QProgressBar,
                               QPushButton, QVBoxLayout)

from aegui.qt.i18n import notifier, tr
from aegui.qt.threads import JobRunner, error_text


def _size(n: float) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.0f} kB"


class FetchDialog(QDialog):
    """Emits nothing: on success `folder` is set and "Train on it" calls `on_train(path)` with
    the training images file."""

    def __init__(self, parent=None, on_train=None):
        super().__init__(parent)
        from aegui.core.data.catalogue import ENTRIES
        self.entries = ENTRIES
        self.on_train = on_train
        self.folder = None
        self.jobs = JobRunner(self)
        self.jobs.progress.connect(self._on_progress)
        self.jobs.finished.connect(self._on_finished)
        self.jobs.errored.connect(self._on_job_error)
        self.combo = QComboBox()
        for e in ENTRIES.values():
            self.combo.addItem(e.title, e.name)
        self.combo.currentIndexChanged.connect(self._show_entry)
        self.dataset_label = QLabel()
        self.license = QLabel()
        self.citation = QLabel()
        self.citation.setWordWrap(True)
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.detail = QLabel()
        self.download_btn = QPushButton()
        self.download_btn.clicked.connect(self.start)
        self.cancel_btn = QPushButton()
        self.cancel_btn.clicked.connect(self.cancel)
        self.cancel_btn.setEnabled(False)
        self.train_btn = QPushButton()
        self.train_btn.clicked.connect(self._train)
        self.train_btn.setEnabled(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.dataset_label)
        row.addWidget(self.combo, 1)
        actions = QHBoxLayout()
        for b in (self.download_btn, self.cancel_btn, self.train_btn):
            actions.addWidget(b)
        actions.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        for w in (self.license, self.citation, self.state, self.bar, self.detail):
            lay.addWidget(w)
        lay.addLayout(actions)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(560)
        notifier.changed.connect(self.retranslate)
        self.retranslate()

    def retranslate(self, *_):
        self.setWindowTitle(tr("Fetch a dataset"))
        self.dataset_label.setText(tr("Dataset:"))
        self.download_btn.setText(tr("Download"))
        self.cancel_btn.setText(tr("Cancel"))
        self.train_btn.setText(tr("Train on it"))
        self.buttons.button(QDialogButtonBox.Close).setText(tr("Close"))
        self._show_entry()

    def name(self) -> str:
        return self.combo.currentData()

    def _show_entry(self, *_):
        if self.jobs.is_running():
            return
        from aegui.core.data.fetch import dataset_dir, missing
        e = self.entries[self.name()]
        self.license.setText(tr("License: {what}", what=e.license))
        self.citation.setText(tr("Cite: {what}", what=e.citation))
        done = not missing(e.name)
        self.folder = dataset_dir(e.name) if done else None
        self.state.setText(tr("Already downloaded and verified: {folder}", folder=str(dataset_dir(e.name))) if done
                           else tr("Not downloaded yet; it goes to {folder}", folder=str(dataset_dir(e.name))))
        self.bar.setValue(1000 if done else 0)
        self.detail.setText("")
        self.train_btn.setEnabled(done and self.on_train is not None)

    def start(self) -> None:
        if self.jobs.is_running():
            return
        from aegui.core.data.fetch import FetchJob
        name = self.name()
        self.state.setText(tr("Downloading…"))
        self.state.setStyleSheet("")
        self.bar.setValue(0)
        self.combo.setEnabled(False)
        self.download_btn.setEnabled(False)
        self.train_btn.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.jobs.start(lambda: FetchJob(name))

    def cancel(self) -> None:
        self.jobs.cancel()

    def _on_progress(self, item) -> None:
        p = item.get("progress") if isinstance(item, dict) else None
        if p is None:
            return
        self.bar.setValue(int(1000 * p.fraction))
        if p.total:
            eta = p.eta
            self.detail.setText(tr("{file} ({index}/{files}): {done} of {total}, {speed}/s, {eta} s left",
                                   file=p.file, index=p.index, files=p.files, done=_size(p.done),
                                   total=_size(p.total), speed=_size(p.speed), eta=f"{eta:.0f}" if eta is not None else "?"))
        else:
            self.detail.setText(tr("{file} ({index}/{files}): {done}, {speed}/s", file=p.file, index=p.index,
                                   files=p.files, done=_size(p.done), speed=_size(p.speed)))

    def _idle(self) -> None:
        self.combo.setEnabled(True)
        self.download_btn.setEnabled(True)
        self.cancel_btn.setEnabled(False)

    def _on_finished(self, item) -> None:
        self._idle()
        if not item or item.get("state") == "cancelled":
            self.bar.setValue(0)
            self.state.setText(tr("Cancelled; nothing half-downloaded was kept."))
            return
        self.folder = item["folder"]
        self.bar.setValue(1000)
        self.detail.setText("")
        self.state.setText(tr("Downloaded and verified: {folder}", folder=str(self.folder)))
        self.train_btn.setEnabled(self.on_train is not None)

    def _on_job_error(self, error: BaseException) -> None:
        self._on_error(error_text(error))

    def _on_error(self, message: str) -> None:
        self._idle()
        self.bar.setValue(0)
        self.state.setText(message)
        self.state.setStyleSheet("color: #c0392b;")

    def _train(self) -> None:
        if self.folder is None or self.on_train is None:
            return
        e = self.entries[self.name()]
        self.on_train(self.folder / e.role("train_images").name)
        self.accept()

    def done(self, result: int) -> None:
        self.jobs.shutdown()       # a closed dialog leaves no download running
        super().done(result)


def open_fetch_dialog(window, files) -> None:
    """The catalogue's download dialog; Train opens the fetched images in the builder."""
    FetchDialog(window, on_train=lambda path: files.open_dataset("idx", path)).exec()
