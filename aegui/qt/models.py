"""Models the window holds (demo, opened, trained): torch-free until a model is loaded.

Everything here that touches torch is called only after the loader thread imported it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# The first denoiser here is the pixel editor's model: the general one denoises letters of any
# 5x7 font (docs/general-denoiser.md), where font3-dae snaps everything to a Font3 glyph; the
# local one takes over for drawings unlike all of its training glyphs.
DEMO_MODELS = ("font3-ae2d", "general-5x7-dae", "font3-dae", "general-5x7-local")
LOCAL_FALLBACK = "general-5x7-local"
# Samples the panels show of a big set (latent codes, reconstructions), spread evenly over it:
# encoding all 60 000 MNIST digits at every training snapshot would stall the GUI thread.
SHOWN_MAX = 1000


@dataclass
class ModelEntry:
    name: str
    model: object                  # aegui.core.models.nets.Autoencoder, K=1, CPU
    experiment: object             # aegui.core.config.experiment.Experiment
    dataset: object                # aegui.core.data.datasets.Dataset
    path: Path | None = None       # where it is saved (None: not saved yet)
    metrics: dict = field(default_factory=dict)
    dirty: bool = False            # trained here and not saved by the user yet
    history: list = field(default_factory=list)   # metrics.csv rows: how it was trained
    # A model trained in this session: ("px", wrong pixels) or ("loss", value). Its title is
    # composed when shown, so it follows the interface language.
    trained: tuple | None = None
    replay: object = None          # aegui.core.train.snapshots.SnapshotStore of the shown samples' codes
    _shown: object = field(default=None, repr=False, compare=False)
    _familiarity: object = field(default=None, repr=False, compare=False)

    def title(self) -> str:
        """The name as lists and labels show it, in the current language."""
        if self.trained is None:
            return self.name
        from aegui.qt.i18n import tr
        what, value = self.trained
        score = f"{value} px" if what == "px" else f"{tr('loss')} {value:.4g}"
        return tr("Trained: {name}", name=f"{self.name} — {score}")

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.dataset.shape)

    @property
    def shown(self):
        """The samples the panels show: all of a small set, SHOWN_MAX spread over a big one."""
        ds = self.dataset
        if len(ds) <= SHOWN_MAX:
            return ds
        if self._shown is None or self._shown[0] is not ds:
            from aegui.core.data.dataset import spread_indices
            self._shown = (ds, ds.subset(spread_indices(len(ds), SHOWN_MAX)))
        return self._shown[1]

    def decoder(self):
        from aegui.core.models import latent
        model, shape = self.model, self.shape
        return lambda z: latent.decode_points(model, z).reshape(-1, *shape)

    def reconstructor(self):
        from aegui.core.models import latent
        model = self.model
        return lambda x: latent.reconstruct(model, np.asarray(x, np.float32))

    def denoiser(self):
        """The pixel editor's denoising: the reconstruction, keeping the input's pixels the model
        is unsure of when its spec asks so (the familiarity check reads the plain reconstruction)."""
        from aegui.core.models import latent
        model = self.model
        return lambda x: latent.denoise(model, np.asarray(x, np.float32))

    def familiarity(self):
        """How far from its training set a drawn glyph may be (aegui.core.models.familiarity);
        None for models of other shapes than 5x7 glyphs."""
        from aegui.core.data.dataset import GLYPH_SHAPE
        if self.shape != GLYPH_SHAPE:
            return None
        if self._familiarity is None or self._familiarity[0] is not self.model:
            from aegui.core.models.familiarity import familiarity
            self._familiarity = (self.model, familiarity(self.reconstructor(), self.dataset.x,
                                                         self.experiment.augment))
        return self._familiarity[1]

    def encoder(self):
        from aegui.core.models import latent
        model = self.model
        return lambda x: latent.encode(model, np.asarray(x, np.float32))

    def codes(self) -> np.ndarray:
        """Codes of the shown samples."""
        from aegui.core.models import latent
        return latent.encode(self.model, self.shown.x)

    def reconstructions(self) -> np.ndarray:
        """Reconstructions of the shown samples."""
        from aegui.core.models import latent
        return latent.reconstruct(self.model, self.shown.x).reshape(-1, *self.shape)


def fallback_for(entry: ModelEntry, entries) -> tuple[str, object] | None:
    """(title, denoiser) of the local 5x7 model that denoises the drawings `entry` finds
    unfamiliar: the shipped general-5x7-local when it is loaded, else the latest other local
    glyph model; None when `entry` is local itself (it has no glyphs to snap to) or none is open."""
    from aegui.core.archs import arch_of
    from aegui.core.data.dataset import GLYPH_SHAPE

    def local(e) -> bool:
        return e.shape == GLYPH_SHAPE and arch_of(e.experiment.model).denoises_unseen_shapes
    if local(entry):
        return None
    found = [e for e in entries if e is not entry and local(e)]
    if not found:
        return None
    shipped = [e for e in found if e.path is not None and e.path.name == LOCAL_FALLBACK]
    chosen = (shipped or found[::-1])[0]
    return chosen.title(), chosen.denoiser()


def open_model(path) -> ModelEntry:
    """Load a saved model and the dataset it was trained on (runs on a worker thread)."""
    from aegui.core.data.datasets import from_config
    from aegui.core.files.storage import load_model
    model, exp, meta = load_model(path)
    dataset = from_config(exp.data)
    if dataset.dim != model.input_dim:
        raise ValueError(f"{path}: the model expects {model.input_dim} values per sample, but its "
                         f"dataset {dataset.name} has {dataset.dim}")
    from aegui.core.files.metrics import metrics_path, read_metrics
    entry = ModelEntry(exp.name, model, exp, dataset, Path(path), meta.get("metrics", {}),
                       history=read_metrics(metrics_path(path)))
    if isinstance(meta.get("replay"), dict):
        from aegui.core.files.storage import model_paths
        from aegui.core.train.snapshots import ReplayError, load_replay
        try:
            replay = load_replay(model_paths(path)[0], meta["replay"])
            labels = meta["replay"].get("labels")
            # Snapshots of other samples (a CLI run on the training part only) cannot be drawn here.
            if replay.arrays()[0].shape[1] == len(entry.shown) and labels in (None, list(entry.shown.labels)):
                entry.replay = replay
        except ReplayError:
            pass    # the model itself is fine; it opens without its replay
    return entry


def load_startup(extra_paths=()) -> dict:
    """Import torch and open the demo models (and the last session's model, if any)."""
    import torch

    from aegui.core.files.paths import models_dir
    entries, problems = [], []
    for name in DEMO_MODELS:
        try:
            entry = open_model(models_dir() / name)
            entry.name = f"{entry.name} (demo)"
            entries.append(entry)
        except Exception as e:   # noqa: BLE001 - a broken demo must not stop the app
            problems.append(str(e))
    demo_count = len(entries)
    for path in extra_paths:
        try:
            entries.append(open_model(path))
        except Exception as e:   # noqa: BLE001
            problems.append(str(e))
    from aegui.core.train import devices as D
    return {"entries": entries, "demo_count": demo_count, "problems": problems, "devices": D.choices(),
            "device_name": D.describe(D.resolve_device("auto")), "torch": torch.__version__}


def save_entry(entry: ModelEntry, path) -> Path:
    """Weights, sidecar and (when known) the training history; returns the path to reopen it."""
    from aegui.core.files.metrics import metrics_path, write_metrics
    from aegui.core.files.storage import model_paths, save_model
    extra = {"labels": entry.dataset.labels, "shape": list(entry.shape)}
    if entry.replay is not None and len(entry.replay):
        from aegui.core.train.snapshots import save_replay
        extra["replay"] = save_replay(model_paths(path)[0], entry.replay, entry.shown.labels)
    save_model(path, entry.model, entry.experiment, entry.metrics, extra=extra)
    if entry.history:
        write_metrics(metrics_path(path), entry.history)
    return Path(path)
