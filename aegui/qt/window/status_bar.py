"""The window's status bar: where training stands (the same phase the builder and the charts
show), the dataset load's progress, the epoch and rate, the device, and the workspace's notices.

The epoch is the run's while one goes on, and the shown model's otherwise (where its training
ended, and the rate of a run made in this session): the last run's "Epoch 3000/3000" stayed beside
a model that had stopped at 120."""
from __future__ import annotations

import html

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar

from aegui.core.workspace import state as S
from aegui.qt.i18n import number, on_language, tr

NOTICE_MS = 6000
OFFER_MS = 60000
OUTCOME_TEXT = {"stopped": "Stopped", "diverged": "Training diverged", "failed": "The last run failed"}
PHASE_TEXT = {S.LOADING: "Loading the dataset…", S.RUNNING: "Training…", S.PAUSED: "Paused",
              S.STEPPING: "Stepping…"}


def model_epochs(model) -> tuple[int, int, float]:
    """(epochs trained, epochs asked for, epochs a second) of a model, from its metrics: (0, 0, 0)
    when they are not known; the rate only for a run made in this session (a shipped model's
    was measured on another machine)."""
    metrics = getattr(model, "metrics", None) or {}
    epochs, seconds = metrics.get("epochs"), metrics.get("seconds")
    if model is None or not isinstance(epochs, int) or model.experiment is None:
        return 0, 0, 0.0
    here = model.trained is not None and isinstance(seconds, (int, float)) and seconds > 0
    return epochs, model.experiment.train.epochs, epochs / seconds if here else 0.0


def rate_text(rate: float) -> str:
    """A rate as a count never shows it (no "1 epochs/s"): a decimal below 10, whole above."""
    return tr("{n} epochs/s", n=number(rate, ".1f") if rate < 10 else number(round(rate), "d"))


class StatusBar(QObject):
    """Fills a QStatusBar from the workspace."""

    def __init__(self, bar, workspace):
        super().__init__(bar)
        self.bar, self.ws = bar, workspace
        self.state, self.epoch, self.speed, self.device = QLabel(), QLabel(), QLabel(), QLabel()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        for w in (self.state, self.busy):
            bar.addWidget(w)
        # A place the window could go, offered instead of taken (see offer()): a link, as tall as
        # the bar's other labels, so that its coming and going moves nothing above the bar.
        self.offer_link = QLabel()
        self.offer_link.setTextFormat(Qt.TextFormat.RichText)
        self.offer_link.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                                | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.offer_link.linkActivated.connect(lambda _: self._take_offer())
        self.offer_link.hide()
        for w in (self.offer_link, self.epoch, self.speed, self.device):
            bar.addPermanentWidget(w)
        self._offer = None        # (key, slot) while offered
        self._offer_timer = QTimer(self, singleShot=True, interval=OFFER_MS)
        self._offer_timer.timeout.connect(self.withdraw)
        workspace.training_changed.connect(lambda _state: self.refresh())
        workspace.ready_changed.connect(lambda *_: self.refresh())
        workspace.current_changed.connect(lambda *_: self.refresh())
        workspace.notice.connect(lambda text, args: self.say(tr(text, **args)))
        on_language(self, self.refresh)
        self.refresh()

    def say(self, text: str, msec: int = NOTICE_MS) -> None:
        self.bar.showMessage(text, msec)

    def offer(self, key: str, text: str, link: str, slot) -> None:
        """A sentence and a link that does what it says (go to a panel): the window changes
        context only when the user asks, so what would help is offered, never done. The link
        stays after the sentence makes way for others, until taken, withdrawn or OFFER_MS.
        `text` and `link` in English: they follow the language while offered."""
        self._offer = (key, slot, text, link)
        self._show_offer()
        self.offer_link.show()
        self._offer_timer.start()
        self.say(tr(text))

    def _show_offer(self) -> None:
        if self._offer is not None:
            _key, _slot, text, link = self._offer
            self.offer_link.setText(f'<a href="offer">{html.escape(tr(link))}</a>')
            self.offer_link.setToolTip(tr(text))

    def withdraw(self, key: str | None = None) -> None:
        """No longer offered (`key`: only that offer; None: whatever is)."""
        if self._offer is not None and key in (None, self._offer[0]):
            self._offer = None
            self._offer_timer.stop()
            self.offer_link.hide()

    def offered(self) -> str | None:
        return self._offer[0] if self._offer is not None else None

    def _take_offer(self) -> None:
        slot = self._offer[1] if self._offer else None
        self.withdraw()
        self.bar.clearMessage()
        if slot is not None:
            slot()

    def state_text(self) -> str:
        ws, st = self.ws, self.ws.training
        if not ws.ready and not st.busy:
            return tr("Loading PyTorch and the demo models…")
        if st.busy:
            return tr(PHASE_TEXT[st.phase])
        return tr(OUTCOME_TEXT.get(st.outcome, "Ready"))

    def refresh(self) -> None:
        ws, st = self.ws, self.ws.training
        self._show_offer()
        self.state.setText(self.state_text())
        loading = st.phase == S.LOADING or (not ws.ready and not st.busy)
        self.busy.setVisible(loading)
        if st.loaded is not None:
            done, total = st.loaded
            self.busy.setRange(0, max(1, total))
            self.busy.setValue(done)
            self.busy.setFormat(f"{done} / {total}")
            self.busy.setTextVisible(True)
        else:
            self.busy.setRange(0, 0)
            self.busy.setTextVisible(False)
        epoch, total, rate = (st.epoch, st.total, st.rate) if st.busy else model_epochs(ws.current)
        self.epoch.setText(tr("Epoch {epoch}/{total}", epoch=epoch, total=total) if total else "")
        self.speed.setText(rate_text(rate) if total and rate else "")
        if ws.device_name:
            self.device.setText(tr("Device: {name}", name=ws.device_name))
