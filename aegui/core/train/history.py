"""How a model was trained: one store of its progress records, behind metrics.csv, the window's
Export CSV and the training charts.

Records arrive by the thousand in a long run with dozens of parallel models, so the columns live
in preallocated numpy buffers, doubled when full; the charts read views of them. A row of
metrics.csv is what `row(rec)` makes of a record, whoever wrote it (the CLI, the window, a sweep).

A record of an epoch in progress (step mode paused between batches: `rec.batch` > 0) is kept as
the one trailing partial point: the charts show it, the next record replaces it, and the CSV leaves
it out (a row of metrics.csv is a whole epoch).
"""
from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np

from aegui.core.files.atomic import atomic_write_text
from aegui.core.train.progress import (DIVERGED, EARLY_STOPPED, FINISHED, RUNNING, STOPPED, TARGET,
                                      ProgressRecord)

ENDED = (TARGET, FINISHED, STOPPED, DIVERGED, EARLY_STOPPED)   # how a saved run can have ended

# Loss parts in the order charts and files list them; others follow in the order they came.
LOSS_ORDER = ("total", "recon", "kl", "penalty")
_INT_COLUMNS = ("epoch", "max_wrong_pixels", "best_model")
_START = 64
_MAX_START = 1 << 14   # a run asked for a million epochs with K = 64 must not grab 500 MB up front


def metrics_path(model_path) -> Path:
    """metrics.csv in a model folder; NAME.metrics.csv beside NAME.json / NAME.safetensors."""
    path = Path(model_path)
    if path.suffix in (".json", ".safetensors"):
        return path.with_suffix(".metrics.csv")
    return path / "metrics.csv"


def row(rec: ProgressRecord) -> dict:
    """The metrics.csv row of a record."""
    out = {"epoch": rec.epoch}
    out.update({f"loss_{k}": v for k, v in rec.losses.items()})
    out.update({"max_wrong_pixels": rec.max_wrong, "mean_wrong_pixels": round(rec.mean_wrong, 6),
                "best_model": rec.best, "seconds": round(rec.elapsed, 4)})
    if rec.val_loss is not None:
        out["val_loss"] = rec.val_loss
    return out


def write_rows(path, rows: list[dict]) -> None:
    """Writes metrics rows to `path` as CSV, atomically."""
    atomic_write_text(Path(path), rows_text(rows))


def rows_text(rows: list[dict]) -> str:
    """metrics.csv's text (a model's save commits it with the model: storage.save_model)."""
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=keys)
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def read_rows(path) -> list[dict]:
    """Rows with numbers as floats (epoch, wrong-pixel maxima, best model as ints); [] when the
    file is missing or unreadable: a model without its history is still a model."""
    from aegui.core.files.userfile import read_text
    try:
        text = read_text(path, "table")
    except (OSError, UnicodeDecodeError):
        return []
    rows = []
    for raw in csv.DictReader(io.StringIO(text)):
        out = {}
        for key, value in raw.items():
            if key is None or value in (None, ""):
                continue
            try:
                number = float(value)
            except ValueError:
                continue
            if key in _INT_COLUMNS and not math.isfinite(number):
                continue
            out[key] = int(number) if key in _INT_COLUMNS else number
        if "epoch" in out:
            rows.append(out)
    return rows


class History:
    """Progress records of one run, as columns. `total_epochs` and `models` (K) size the buffers
    for the run; a record with another K resets an empty history to it."""

    def __init__(self, total_epochs: int = 0, models: int = 1):
        self.total_epochs = int(total_epochs)
        self.models = max(1, int(models))
        self._cap = min(max(_START, self.total_epochs + 1), _MAX_START)
        self._n = 0                      # whole epochs stored
        self._epoch = np.empty(self._cap)
        self._cols: dict[str, np.ndarray] = {"max": self._nan(), "mean": self._nan()}
        self._loss_names: list[str] = []
        self._best = np.zeros(self._cap, np.int64)
        self._seconds = self._nan()
        self._per_model = np.full((self._cap, self.models), np.nan)
        self.last: ProgressRecord | None = None    # the newest record, partial or whole
        self._partial: ProgressRecord | None = None
        self.glyph_wrong: np.ndarray | None = None  # per sample, of the newest record
        self.labels: list[str] = []                 # the samples glyph_wrong counts, by name

    # -- building --------------------------------------------------------------------------------
    @classmethod
    def from_rows(cls, rows: list[dict], glyph_wrong=None, labels=(), total_epochs: int = 0,
                  state: str = FINISHED) -> "History":
        """A saved model's metrics.csv as the records the engine once yielded (K = 1);
        `glyph_wrong`: the per-sample wrong pixels of the final model (named by `labels`), for
        the bars. `total_epochs` and `state`: what the run was asked for and how it ended (the
        sidecar's), so a model that reached its target at epoch 150 of 3000 reads so, not as
        "Finished, 150 / 150"; without them, the last row's epoch and finished."""
        last_epoch = rows[-1]["epoch"] if rows else 0
        total = max(int(total_epochs or 0), last_epoch)
        if state not in ENDED:
            state = FINISHED
        h = cls(total, 1)
        h.labels = [str(x) for x in labels]
        if glyph_wrong is not None:
            h.glyph_wrong = np.asarray(glyph_wrong)
        for i, r in enumerate(rows):
            losses = {k[5:]: v for k, v in r.items() if k.startswith("loss_")}
            max_wrong = int(r.get("max_wrong_pixels", 0))
            mean_wrong = float(r.get("mean_wrong_pixels", 0.0))
            seconds = float(r.get("seconds", 0.0))
            last = i == len(rows) - 1
            h.append(ProgressRecord(
                epoch=r["epoch"], total_epochs=total, losses=losses,
                loss_per_model=np.array([losses.get("total", np.nan)]), max_wrong=max_wrong,
                mean_wrong=mean_wrong, max_wrong_per_model=np.array([max_wrong]),
                mean_wrong_per_model=np.array([mean_wrong]),
                glyph_wrong=np.asarray(glyph_wrong if last and glyph_wrong is not None else [], np.int64),
                best=int(r.get("best_model", 0)), elapsed=seconds,
                epochs_per_s=r["epoch"] / seconds if seconds > 0 else 0.0,
                state=state if last else RUNNING, val_loss=r.get("val_loss")))
        return h

    @classmethod
    def read(cls, path, glyph_wrong=None, labels=(), total_epochs: int = 0, state: str = FINISHED) -> "History":
        """A history from a saved metrics.csv (the arguments as from_rows's)."""
        return cls.from_rows(read_rows(path), glyph_wrong, labels, total_epochs, state)

    def append(self, rec: ProgressRecord) -> None:
        """Adds a record (a check) or keeps it as the epoch in progress (a batch record); a first record with
        another model count starts afresh."""
        k = np.size(rec.loss_per_model)
        if self._n == 0 and self._partial is None and k not in (0, self.models):
            self.__init__(self.total_epochs, k)
        if not self.total_epochs:
            self.total_epochs = int(rec.total_epochs)
        self.last = rec
        if len(rec.glyph_wrong):
            self.glyph_wrong = np.asarray(rec.glyph_wrong)
        if getattr(rec, "batch", 0):
            self._partial = rec
            for name in rec.losses:       # its curves exist before the first whole epoch does
                self._column(name)
            if rec.val_loss is not None:
                self._column("val", loss=False)
            return
        self._partial = None
        if self._n == self._cap:
            self._grow()
        i = self._n
        self._epoch[i] = rec.epoch
        for name, value in rec.losses.items():
            self._column(name)[i] = value
        if rec.val_loss is not None:
            self._column("val", loss=False)[i] = rec.val_loss
        self._cols["max"][i] = rec.max_wrong
        self._cols["mean"][i] = rec.mean_wrong
        self._best[i] = rec.best
        self._seconds[i] = rec.elapsed
        per = np.asarray(rec.loss_per_model, float).ravel()[: self.models]
        self._per_model[i, : per.size] = per
        self._n = i + 1

    # -- reading ---------------------------------------------------------------------------------
    def __len__(self) -> int:
        """Whole epochs stored (a trailing partial point not counted)."""
        return self._n

    @property
    def partial(self) -> ProgressRecord | None:
        """The record of the epoch in progress, if the last one was one."""
        return self._partial

    def loss_names(self) -> list[str]:
        """Loss parts present, in LOSS_ORDER then as they came."""
        names = self._loss_names
        return [k for k in LOSS_ORDER if k in names] + [k for k in names if k not in LOSS_ORDER]

    def has(self, column: str) -> bool:
        """Whether the history has this column."""
        return column in self._cols

    def epochs(self) -> np.ndarray:
        """x of each point: whole epochs, then the partial point at its fraction of an epoch."""
        x = self._epoch[: self._n]
        p = self._partial
        return x if p is None else np.append(x, p.epoch - 1 + p.batch / max(1, p.batches))

    def column(self, name: str) -> np.ndarray:
        """A loss part ("total", "recon", ...), "val", "max" or "mean", with the partial point."""
        col = self._cols[name][: self._n]
        p = self._partial
        if p is None:
            return col
        value = {"val": p.val_loss, "max": p.max_wrong, "mean": p.mean_wrong}.get(name, p.losses.get(name))
        return np.append(col, np.nan if value is None else value)

    def per_model(self) -> np.ndarray:
        """[points, K] total loss of each parallel model (NaN for frozen ones)."""
        m = self._per_model[: self._n]
        p = self._partial
        if p is None:
            return m
        extra = np.full((1, self.models), np.nan)
        per = np.asarray(p.loss_per_model, float).ravel()[: self.models]
        extra[0, : per.size] = per
        return np.vstack([m, extra])

    def rows(self) -> list[dict]:
        """metrics.csv rows of the whole epochs."""
        out = []
        names = self.loss_names()
        for i in range(self._n):
            r = {"epoch": int(self._epoch[i])}
            r.update({f"loss_{k}": float(self._cols[k][i]) for k in names if not math.isnan(self._cols[k][i])})
            r.update({"max_wrong_pixels": int(self._cols["max"][i]),
                      "mean_wrong_pixels": round(float(self._cols["mean"][i]), 6),
                      "best_model": int(self._best[i]), "seconds": round(float(self._seconds[i]), 4)})
            if "val" in self._cols and not math.isnan(self._cols["val"][i]):
                r["val_loss"] = float(self._cols["val"][i])
            out.append(r)
        return out

    def write_csv(self, path) -> None:
        """metrics.csv (also what Export CSV writes)."""
        write_rows(path, self.rows())

    # -- internals -------------------------------------------------------------------------------
    def _nan(self) -> np.ndarray:
        return np.full(self._cap, np.nan)

    def _column(self, name: str, loss: bool = True) -> np.ndarray:
        col = self._cols.get(name)
        if col is None:
            col = self._cols[name] = self._nan()
            if loss:
                self._loss_names.append(name)
        return col

    def _grow(self) -> None:
        cap = self._cap * 2

        def bigger(a: np.ndarray, fill=np.nan) -> np.ndarray:
            out = np.full((cap, *a.shape[1:]), fill, dtype=a.dtype)
            out[: self._n] = a[: self._n]
            return out

        self._epoch = bigger(self._epoch)
        self._cols = {k: bigger(v) for k, v in self._cols.items()}
        self._best = bigger(self._best, 0)
        self._seconds = bigger(self._seconds)
        self._per_model = bigger(self._per_model)
        self._cap = cap
