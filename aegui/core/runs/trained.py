"""A trained model as one object: the network, the experiment that made it, its data, how it was
trained (history, replay, metrics) and what the panels show of it. The CLI and the window save
and open the same files through it.

On disk (aegui.core.runs.storage): weights (safetensors) + model.json (experiment, metrics, the
labels and shape of its samples, the replay's file), metrics.csv beside them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from aegui.core.train.history import History
from aegui.core.runs.view import ModelView, compute_view, shown_samples


@dataclass(eq=False)
class TrainedModel:
    """A trained model as the window holds it: the network, its experiment, the data it was trained on, where it
    is saved, its metrics, history and replay, and the view the panels show of it."""
    name: str
    model: object                  # K = 1 network on the CPU (aegui.core.models)
    experiment: object             # aegui.core.schema.experiment.Experiment
    dataset: object                # every sample it was trained on (the panels show `shown`)
    path: Path | None = None       # where it is saved (None: not yet)
    metrics: dict = field(default_factory=dict)
    history: History = field(default_factory=History)
    replay: object = None          # aegui.core.train.snapshots.SnapshotStore of the shown samples' codes
    dirty: bool = False            # trained here and not saved by the user yet
    # Trained in this session: ("px", worst wrong pixels) or ("loss", value), for its title.
    trained: tuple | None = None
    demo: bool = False             # shipped with aegui
    taught_from: object = None     # the TrainedModel it was taught new glyphs from (Revert goes back)
    # When its training ended (seconds since the epoch): stamped as a run ends, read back from the
    # sidecar. With `number`, what tells two models of one name apart in every list.
    trained_at: float | None = None
    number: int | None = None      # its place among the models listed in this session (1, 2, ...)
    view: ModelView | None = None
    _shown: tuple | None = field(default=None, repr=False)
    # (the network it was opened with, the familiarity limits its sidecar kept for it): ensure_view
    # reads them back while the weights are still those.
    saved_familiarity: tuple | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"TrainedModel({self.name!r}, path={str(self.path) if self.path else None!r})"

    # -- what it is ------------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """How one sample is shown, e.g. (7, 5)."""
        return tuple(self.dataset.shape)

    @property
    def shown(self):
        """The samples the panels show (aegui.core.runs.view.SHOWN_MAX of a big set)."""
        if self._shown is None or self._shown[0] is not self.dataset:
            self._shown = (self.dataset, shown_samples(self.dataset))
        return self._shown[1]

    @property
    def kind(self) -> str:
        """The model kind ("ae", "dae", "vae", ...)."""
        return self.experiment.model.kind

    # -- what the panels show (computed off the GUI thread) ------------------------------------
    def ensure_view(self) -> ModelView:
        """The view of the current weights; computed here when missing or stale (call it on a
        worker thread: it runs the model over every shown sample)."""
        if self.view is None or self.view.model is not self.model:
            saved = self.saved_familiarity
            kept = saved[1] if saved is not None and saved[0] is self.model else None
            self.view = compute_view(self.model, self.shown, self.dataset, self.experiment.augment,
                                     saved_familiarity=kept)
        return self.view

    def codes(self) -> np.ndarray:
        """The shown samples' codes (computing the view if needed: call it off the GUI thread)."""
        return self.ensure_view().codes

    def reconstructions(self) -> np.ndarray:
        """The shown samples' reconstructions (computing the view if needed)."""
        return self.ensure_view().reconstructions

    def familiarity(self):
        """The familiarity limit of a 5x7 glyph model (computing the view if needed); None for other data."""
        return self.ensure_view().familiarity

    # -- the model as functions (hover and drawing, on the GUI thread) -------------------------
    def decoder(self):
        """A function from codes [N, L] to pictures [N, *shape], for the latent map."""
        from aegui.core.models import latent
        model, shape = self.model, self.shape
        return lambda z: latent.decode_points(model, z).reshape(-1, *shape)

    def reconstructor(self):
        """A function from inputs [N, D] to the model's plain reconstructions."""
        from aegui.core.models import latent
        model = self.model
        return lambda x: latent.reconstruct(model, np.asarray(x, np.float32))

    def denoiser(self):
        """The pixel editor's denoising: the reconstruction, keeping the input's pixels the model
        is unsure of when its spec asks so."""
        from aegui.core.models import latent
        model = self.model
        return lambda x: latent.denoise(model, np.asarray(x, np.float32))

    def encoder(self):
        """A function from inputs [N, D] to their codes [N, L]."""
        from aegui.core.models import latent
        model = self.model
        return lambda x: latent.encode(model, np.asarray(x, np.float32))

    # -- files -----------------------------------------------------------------------------------
    def save(self, path) -> Path:
        """Weights, sidecar and history; returns the path to reopen it."""
        from aegui.core.runs.storage import model_paths, save_model
        from aegui.core.train.history import metrics_path, rows_text
        extra = {"labels": list(self.dataset.labels), "shape": list(self.shape)}
        if self.trained_at is not None:
            from aegui.core.files.model_index import stamp
            extra["trained_at"] = stamp(self.trained_at)
        if self.replay is not None and len(self.replay):
            from aegui.core.train.snapshots import save_replay
            extra["replay"] = save_replay(model_paths(path)[0], self.replay, self.shown.labels)
        fam = self.view.familiarity if self.view is not None and self.view.model is self.model else None
        if fam is not None:
            from aegui.core.models.familiarity import saved_limits
            extra["familiarity"] = saved_limits(fam)
        rows = self.history.rows()
        files = {metrics_path(path).name: rows_text(rows).encode()} if rows else {}
        save_model(path, self.model, self.experiment, self.metrics, extra=extra, files=files)
        return Path(path)


def open_trained(path, view: bool = True) -> TrainedModel:
    """A saved model and the dataset it was trained on (run it on a worker thread: it reads the
    data and, with `view`, runs the model over the shown samples)."""
    from aegui.core.data.datasets import from_config
    from aegui.core.files.model_index import read_stamp
    from aegui.core.runs.storage import load_model
    from aegui.core.train.history import metrics_path
    model, exp, meta = load_model(path)
    dataset = from_config(exp.data)
    if dataset.dim != model.input_dim:
        raise ValueError(f"{path}: the model expects {model.input_dim} values per sample, but its "
                         f"dataset {dataset.name} has {dataset.dim}")
    trained = TrainedModel(exp.name, model, exp, dataset, Path(path), dict(meta.get("metrics", {})),
                           trained_at=read_stamp(meta.get("trained_at")) or read_stamp(meta.get("saved")),
                           saved_familiarity=(model, meta.get("familiarity")))
    if view:
        trained.ensure_view()
    wrong = trained.view.wrong if trained.view is not None else None
    trained.history = History.read(metrics_path(path), glyph_wrong=wrong, labels=trained.shown.labels,
                                   total_epochs=exp.train.epochs, state=trained.metrics.get("state", "finished"))
    if isinstance(meta.get("replay"), dict):
        trained.replay = _replay(path, meta["replay"], trained.shown)
    return trained


def _replay(path, entry: dict, shown):
    from aegui.core.runs.storage import model_paths
    from aegui.core.train.snapshots import ReplayError, load_replay
    try:
        replay = load_replay(model_paths(path)[0], entry)
    except ReplayError:
        return None     # the model itself is fine; it opens without its replay
    labels = entry.get("labels")
    # Snapshots of other samples (a CLI run on the training part only) cannot be drawn here.
    if replay.arrays()[0].shape[1] == len(shown) and labels in (None, list(shown.labels)):
        return replay
    return None


def run_metrics(session, rec, train_data, val_data=None) -> dict:
    """The metrics saved with a run, the same whoever ran it (the CLI, the window): how it ended,
    where, on what, and on the official test set when the data has one."""
    from aegui.core.data.datasets import official_test_set
    from aegui.core.train.devices import describe
    from aegui.core.train.evaluation import test_metrics
    exp = session.exp
    metrics = {"max_wrong_pixels": rec.max_wrong, "mean_wrong_pixels": round(rec.mean_wrong, 6),
               "epochs": rec.epoch, "seconds": round(rec.elapsed, 4), "state": rec.state,
               "best_model": rec.best, "models": session.k, "loss": dict(rec.losses),
               "device": str(session.device), "device_name": describe(session.device),
               "captured": bool(getattr(session, "captured", False)), "precision": exp.train.precision,
               "dataset": train_data.name, "samples": len(train_data)}
    if val_data is not None:
        first = next((r["val_loss"] for r in session.history.rows() if "val_loss" in r), None)
        metrics.update(val_loss=rec.val_loss, val_loss_first=first, val_samples=len(val_data))
    test = official_test_set(exp.data)      # the official test files (MNIST's t10k...), never trained on
    if test is not None and test.dim == train_data.dim:
        metrics.update(test_metrics(session.best_model(), test))
    return metrics
