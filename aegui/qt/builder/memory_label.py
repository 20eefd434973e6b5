"""The builder's live memory estimate: what the run in the form will take, against what is free.

Red, with what to change, when it cannot fit: training would be refused (core/train/memory.py).
"""
from __future__ import annotations

from PySide6.QtWidgets import QLabel

from aegui.core.schema.experiment import ConfigError, Experiment
from aegui.core.train import memory as M
from aegui.qt.i18n import number, on_language, plural, tr

_ERROR_COLOR = "#c0392b"
_ADVICE = {
    "model.layers": "Use smaller layers, fewer models (seeds) or a smaller batch",
    "model.channels": "Use smaller layers, fewer models (seeds) or a smaller batch",
    "train.batch_size": "Use a smaller batch (train.batch_size), fewer models or smaller layers",
    "data.max_samples": "Use fewer samples (max samples) or smaller images",
}


def size(n: float) -> str:
    """Bytes as "50,5 MB" in Spanish."""
    return M.human(n, number)


def describe(est: M.Estimate) -> str:
    """Where the memory goes, in the interface language (core's M.describe says it in English)."""
    return tr("{total} ({weights} for the weights ({models} x {params}) with their gradients and optimizer state, "
              "{step} for a step on a batch of {rows}, {data} for the data)", total=size(est.total),
              weights=size(est.weights), models=est.models, params=number(est.params, ","),
              step=size(est.activations), rows=number(est.rows, ","), data=size(est.data))


class MemoryLabel(QLabel):
    """show_estimate(exp) after each edit; `too_big` says whether the run would be refused."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.too_big = False
        self._exp: Experiment | None = None
        self._samples: dict = {}
        on_language(self, self._redo)

    def show_estimate(self, exp: Experiment) -> None:
        self._exp = exp
        try:
            samples = self._samples_for(exp.data)
            device = "cuda" if exp.train.device == "cuda" else "cpu"
            est = M.estimate(exp, samples if samples is not None else 0, models=exp.train.seeds, device=device)
        except (ConfigError, ValueError, TypeError, IndexError, ZeroDivisionError, OverflowError):
            self.too_big = False
            self.clear()
            return
        have, _ = M.available(device)
        self.too_big = have is not None and est.total * M.MARGIN > have
        count = plural(samples, tr(" (for 1 sample)"), tr(" (for {n} samples)", n=number(samples, ","))) \
            if samples is not None else ""
        if self.too_big:
            field = M.advice(exp, est)[0]
            self.setText(tr("Too big: needs about {need} but only {have} is free. {advice}.",
                            need=size(est.total), have=size(have), advice=tr(_ADVICE[field])))
            self.setStyleSheet(f"color: {_ERROR_COLOR}; font-size: small;")
        else:
            text = tr("Memory: about {need} of {have} free", need=size(est.total), have=size(have)) \
                if have is not None else tr("Memory: about {need}", need=size(est.total))
            self.setText(text + count)
            self.setStyleSheet("color: gray; font-size: small;")
        self.setToolTip(describe(est))

    def _samples_for(self, data) -> int | None:
        # A folder is walked once per config, not on every keystroke elsewhere in the form.
        if data not in self._samples:
            if len(self._samples) > 32:
                self._samples.clear()
            self._samples[data] = M.likely_samples(data)
        return self._samples[data]

    def _redo(self) -> None:
        if self._exp is not None:
            self.show_estimate(self._exp)
