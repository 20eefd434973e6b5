"""Classifier probe (the course's seed 003, a stacked autoencoder used for classification): a
small softmax head trained on an autoencoder's codes, with the encoder FROZEN (a linear probe
of what the codes hold) or fine-tuned with the head. Reports accuracy on a seeded train /
held-out split and confusion matrices.

- Head: `hidden` = 0 is a linear softmax layer; > 0 adds one ReLU hidden layer of that size.
  Cross-entropy loss, Adam (optim.TensorAdam, torch.optim.Adam's update), full batch unless `batch_size` is set. The codes
  are standardised with the training part's mean and std (computed once, from the encoder as
  given; fine-tuning then trains through that fixed scaling).
- `model=None` probes the raw inputs instead (the same head on the pixels): the baseline the
  codes are compared with.
- Split: stratified by class and seeded (`split_seed`): each class with n >= 2 samples puts
  round(n * val_split) of them (at least 1, at most n - 1) in the held-out part.
- Labelled datasets: the sklearn digits (labels "0"-"9"), MNIST-style IDX files (labels = class
  numbers), and the 5x7 fonts by character class: `char_class(label)` puts each of the 96
  glyphs of Font1-3 in one of CHAR_CLASSES: "digit" (0-9), "upper" (A-Z), "lower" (a-z) or
  "symbol" (everything else: space, punctuation, brackets, DEL). `class_targets(dataset)` picks
  the targets a dataset implies (fonts -> character classes, others -> their labels).

Job shape (aegui.qt.workers.threads.JobRunner)::

    job = ProbeJob(model, data, ProbeConfig(hidden=0, epochs=300))
    for p in job.steps(): ...    # ProbeProgress: "running" (epoch, epochs, loss, train_accuracy,
                                 # val_accuracy, val_loss) every check_every epochs, then
                                 # "finished" | "cancelled" with the ProbeResult as `result`
    job.cancel()                 # cooperative: the head as trained so far is evaluated and kept

ProbeResult.write(DIR) writes accuracy.json, confusion.csv (held-out part; rows = true class,
columns = predicted), confusion_train.csv and history.csv.
"""
from __future__ import annotations

import csv
import io
import json
import math
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from aegui.core.schema.experiment import ConfigError, shown
from aegui.core.jobs.job import CANCELLED, FINISHED, Job, Progress

# The numerics revision of the classifier heads: bump it with any change to the numbers computed
# here (docs/numerics.md; the report's rows that use it are then made again).
NUMERICS = 1

CHAR_CLASSES = ("digit", "upper", "lower", "symbol")
HISTORY_COLUMNS = ["epoch", "loss", "train_accuracy", "val_accuracy", "val_loss"]


def char_class(label: str) -> str:
    """A glyph label ("A", "7", "space", "DEL", "{") -> one of CHAR_CLASSES."""
    if len(label) == 1 and label.isascii():
        if label.isdigit():
            return "digit"
        if label.isupper():
            return "upper"
        if label.islower():
            return "lower"
    return "symbol"


def class_targets(data) -> list[str]:
    """The class of each sample: character classes for font glyphs (datasets with character
    codes), the labels themselves otherwise (digits, IDX files, folders)."""
    if getattr(data, "codes", None):
        return [char_class(lab) for lab in data.labels]
    return list(data.labels)


def _class_order(targets: Sequence[str]) -> list[str]:
    names = set(targets)
    if names <= set(CHAR_CLASSES):
        return [c for c in CHAR_CLASSES if c in names]
    if all(t.lstrip("-").isdigit() for t in names):
        return sorted(names, key=int)
    return sorted(names)


def stratified_split(targets: Sequence[str], val_split: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, held-out indices), both sorted; see the module docstring."""
    rng = np.random.default_rng(seed)
    targets = np.asarray(targets)
    train, val = [], []
    for c in _class_order(list(targets)):
        idx = np.flatnonzero(targets == c)
        idx = idx[rng.permutation(len(idx))]
        k = 0 if val_split == 0 or len(idx) < 2 else min(len(idx) - 1, max(1, int(round(len(idx) * val_split))))
        val += list(idx[:k])
        train += list(idx[k:])
    return np.sort(np.asarray(train, int)), np.sort(np.asarray(val, int))


@dataclass(frozen=True)
class ProbeConfig:
    """The classifier head's settings: linear or one hidden layer, its training, the held-out split, and whether
    the encoder is fine-tuned too."""
    hidden: int = 0               # 0: linear softmax head; > 0: one ReLU hidden layer
    epochs: int = 300
    learning_rate: float = 0.01   # Adam
    batch_size: int = 0           # 0 = full batch
    val_split: float = 0.25       # held-out fraction (0 = none: accuracy on the training part only)
    split_seed: int = 0
    seed: int = 0                 # the head's initial weights and batch order
    fine_tune: bool = False       # also train the encoder
    check_every: int = 10

    def validate(self, source: str | None = None) -> "ProbeConfig":
        """Checks every setting and returns self; a bad one raises ConfigError naming probe.<setting>."""
        def bad(name, problem):
            raise ConfigError(f"probe.{name}", problem, source)
        for name in ("hidden", "batch_size", "split_seed", "seed"):
            v = getattr(self, name)
            if not (isinstance(v, int) and not isinstance(v, bool) and v >= 0):
                bad(name, f"must be a whole number >= 0, got {shown(v)}")
        for name in ("epochs", "check_every"):
            v = getattr(self, name)
            if not (isinstance(v, int) and not isinstance(v, bool) and v > 0):
                bad(name, f"must be a positive whole number, got {shown(v)}")
        lr = self.learning_rate
        if not (isinstance(lr, (int, float)) and not isinstance(lr, bool) and math.isfinite(lr) and lr > 0):
            bad("learning_rate", f"must be a positive number, got {shown(lr)}")
        vs = self.val_split
        if not (isinstance(vs, (int, float)) and not isinstance(vs, bool) and 0 <= vs <= 0.9):
            bad("val_split", f"must be a fraction from 0 to 0.9 (0.25 = a quarter held out), got {shown(vs)}")
        if not isinstance(self.fine_tune, bool):
            bad("fine_tune", f"must be true or false, got {shown(self.fine_tune)}")
        return self


def probe_config_from_dict(raw, source: str | None = None) -> ProbeConfig:
    """ProbeConfig from a JSON object, unknown settings refused and a whole-number learning rate taken as a
    float."""
    if not isinstance(raw, dict):
        raise ConfigError("probe", "must be an object of probe settings", source)
    known = {f.name for f in fields(ProbeConfig)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"probe.{unknown[0]}", f"unknown setting; known: {', '.join(sorted(known))}", source)
    values = dict(raw)
    if isinstance(values.get("learning_rate"), int) and not isinstance(values["learning_rate"], bool):
        values["learning_rate"] = float(values["learning_rate"])
    return ProbeConfig(**values).validate(source)


@dataclass
class ProbeResult:
    """A probe's outcome: accuracy on the training and held-out parts, chance, both confusion matrices and what
    was probed."""
    classes: list[str]
    train_accuracy: float
    val_accuracy: float | None             # None without a held-out part
    confusion: np.ndarray                  # [C, C] held-out part (training part if none); rows = true
    confusion_train: np.ndarray            # [C, C]
    chance: float                          # accuracy of always answering the commonest training class
    n_train: int
    n_val: int
    epochs: int                            # epochs trained (fewer after a cancel)
    config: ProbeConfig
    features: str                          # "codes (frozen encoder)", "codes (fine-tuned encoder)", "pixels"
    dataset: str = ""
    latent_dim: int = 0
    seconds: float = 0.0
    cancelled: bool = False
    history: list[dict] = field(default_factory=list)
    val_indices: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    val_predicted: np.ndarray = field(default_factory=lambda: np.zeros(0, int))   # class index per held-out sample

    def to_dict(self) -> dict:
        """As probe.json holds it, confusion matrices as nested lists with their axes named."""
        return {"dataset": self.dataset, "features": self.features, "latent_dim": self.latent_dim,
                "classes": self.classes, "train_accuracy": round(self.train_accuracy, 6),
                "val_accuracy": None if self.val_accuracy is None else round(self.val_accuracy, 6),
                "chance": round(self.chance, 6), "n_train": self.n_train, "n_val": self.n_val,
                "epochs": self.epochs, "seconds": round(self.seconds, 3), "cancelled": self.cancelled,
                "config": asdict(self.config),
                "confusion": self.confusion.tolist(), "confusion_train": self.confusion_train.tolist(),
                "confusion_rows": "true class", "confusion_columns": "predicted class"}

    def write(self, out_dir, stem: str = "") -> dict[str, Path]:
        """accuracy.json, confusion.csv, confusion_train.csv, history.csv (prefixed by `stem`)."""
        from aegui.core.files.atomic import atomic_write_text
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"json": out / f"{stem}accuracy.json", "confusion": out / f"{stem}confusion.csv",
                 "confusion_train": out / f"{stem}confusion_train.csv", "history": out / f"{stem}history.csv"}
        atomic_write_text(paths["json"], json.dumps(self.to_dict(), indent=2) + "\n")
        for key, matrix in (("confusion", self.confusion), ("confusion_train", self.confusion_train)):
            atomic_write_text(paths[key], confusion_csv(self.classes, matrix))
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=HISTORY_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in self.history:
            writer.writerow({k: "" if row.get(k) is None else row[k] for k in HISTORY_COLUMNS})
        atomic_write_text(paths["history"], buf.getvalue())
        return paths


def confusion_csv(classes: Sequence[str], matrix: np.ndarray) -> str:
    """A confusion matrix as CSV: a header of predicted classes, one row per true class."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["true \\ predicted", *classes])
    for name, row in zip(classes, np.asarray(matrix)):
        writer.writerow([name, *(int(v) for v in row)])
    return buf.getvalue()


def confusion_matrix(true: np.ndarray, pred: np.ndarray, n: int) -> np.ndarray:
    """[n, n] counts of (true, predicted) class index pairs; rows are the true class."""
    m = np.zeros((n, n), dtype=np.int64)
    np.add.at(m, (np.asarray(true, int), np.asarray(pred, int)), 1)
    return m


@dataclass(kw_only=True)
class ProbeProgress(Progress):
    """ProbeJob's: state "running" every check_every epochs, then "finished" / "cancelled" with
    the ProbeResult as `result` (a cancelled probe keeps the head as trained so far)."""
    epoch: int | None = None
    epochs: int | None = None
    loss: float | None = None
    train_accuracy: float | None = None
    val_accuracy: float | None = None     # None without a held-out part
    val_loss: float | None = None


@dataclass(kw_only=True)
class ProbeRunProgress(ProbeProgress):
    """ProbeRunJob's: state "training" while its autoencoder trains (epoch, epochs, loss), then
    the ProbeJobs' items with the `stage` they belong to, then "finished" / "cancelled" with the
    ProbeRun as `result`."""
    stage: str | None = None    # "probe" or "baseline" while a ProbeJob runs


def staged(item: ProbeProgress, cls, stage: str, fraction: float, elapsed: float):
    """A ProbeJob's item as the job running it reports it (`cls`: its own ProbeProgress subclass),
    with its stage and its share of the whole job."""
    return cls(**(vars(item) | dict(stage=stage, fraction=fraction, elapsed=elapsed)))


def run_staged(job: "ProbeJob", cls, stage: str, offset: float, share: float, start: float):
    """Run `job` as one stage of a larger one: yields its progress staged (`offset` + `share` of
    its fraction) and returns its last item (None if it yielded none)."""
    last = None
    for item in job.steps():
        last = item
        if not item.ended:
            yield staged(item, cls, stage, offset + share * item.fraction, time.perf_counter() - start)
    return last


class ProbeJob(Job):
    """See the module docstring. `model`: a K=1 autoencoder (any kind; a VAE gives its mean) or
    None for raw pixels; `data`: a Dataset; `targets`: one class name per sample (default
    class_targets(data))."""

    def __init__(self, model, data, config: ProbeConfig = ProbeConfig(), targets: Sequence[str] | None = None,
                 split: tuple[np.ndarray, np.ndarray] | None = None):
        config.validate()
        self.config = config
        self.split = split     # (train rows, held-out rows) given, e.g. MNIST's official test set
        self.data = data
        self.targets = list(targets) if targets is not None else class_targets(data)
        if len(self.targets) != len(data):
            raise ValueError(f"{len(self.targets)} targets for {len(data)} samples")
        if model is not None and model.input_dim != data.dim:
            raise ConfigError("data", f"the model reads {model.input_dim} values per sample but {data.name} "
                              f"has {data.dim}; probe it on the data it was trained on")
        self.classes = _class_order(self.targets)
        if len(self.classes) < 2:
            raise ConfigError("data", f"{data.name} has a single class ({self.classes[0] if self.classes else 'none'});"
                              " a classifier needs at least two")
        if config.fine_tune and model is None:
            raise ConfigError("probe.fine_tune", "there is no encoder to fine-tune when probing raw pixels")
        self.model = model.select(0) if model is not None else None   # a copy: fine-tuning must not touch the caller's

    def cancel(self) -> None:
        """Stops training at the next epoch; the head as trained so far is scored."""
        super().cancel()

    @property
    def features(self) -> str:
        """What the head reads, as the result names it: raw pixels, or the frozen or fine-tuned encoder's codes.
        """
        if self.model is None:
            return "pixels"
        return "codes (fine-tuned encoder)" if self.config.fine_tune else "codes (frozen encoder)"

    def steps(self) -> Iterator[ProbeProgress]:
        """Trains and scores the head with one torch thread (tiny ops on several threads collapse when another
        process wants a core), yielding ProbeProgress."""
        from aegui.core.train.threads import one_thread
        with one_thread():
            yield from self._steps()

    def _steps(self) -> Iterator[ProbeProgress]:
        cfg = self.config
        start = time.perf_counter()
        y_all = np.array([self.classes.index(t) for t in self.targets])
        train_idx, val_idx = self.split if self.split is not None else \
            stratified_split(self.targets, cfg.val_split, cfg.split_seed)
        head = _Head(self.model, self.data.x, y_all, train_idx, cfg, len(self.classes))
        history: list[dict] = []
        epoch = 0
        for epoch in range(1, cfg.epochs + 1):
            loss_value = head.train_epoch(train_idx)
            if epoch % cfg.check_every == 0 or epoch == cfg.epochs or self.cancelled:
                train_acc, _ = head.accuracy(train_idx)
                val_acc, _, val_loss = head.scored(val_idx)
                history.append({"epoch": epoch, "loss": loss_value, "train_accuracy": train_acc,
                                "val_accuracy": val_acc, "val_loss": val_loss})
                yield ProbeProgress(state="running", epoch=epoch, epochs=cfg.epochs, loss=loss_value,
                                    train_accuracy=train_acc, val_accuracy=val_acc, val_loss=val_loss,
                                    fraction=epoch / cfg.epochs, elapsed=time.perf_counter() - start)
            if self.cancelled:
                break
        result = self._result(head, y_all, train_idx, val_idx, epoch, history, start)
        yield ProbeProgress(state=CANCELLED if self.cancelled else FINISHED, fraction=1.0,
                            elapsed=result.seconds, result=result)

    def _result(self, head: _Head, y_all, train_idx, val_idx, epochs: int, history: list[dict],
                start: float) -> ProbeResult:
        """The trained head scored on both parts; the confusion matrix and chance level are those
        of the held-out part, or of the training part when there is none."""
        n_cls = len(self.classes)
        train_acc, train_pred = head.accuracy(train_idx)
        val_acc, val_pred = head.accuracy(val_idx)
        counts = np.bincount(y_all[train_idx], minlength=n_cls)
        eval_rows = val_idx if len(val_idx) else train_idx
        chance = float((y_all[eval_rows] == int(np.argmax(counts))).mean())
        return ProbeResult(
            classes=list(self.classes), train_accuracy=train_acc, val_accuracy=val_acc,
            confusion=confusion_matrix(y_all[eval_rows], val_pred if len(val_idx) else train_pred, n_cls),
            confusion_train=confusion_matrix(y_all[train_idx], train_pred, n_cls), chance=chance,
            n_train=len(train_idx), n_val=len(val_idx), epochs=epochs, config=self.config, features=self.features,
            dataset=self.data.name, latent_dim=head.n_in if head.enc is not None else 0,
            seconds=time.perf_counter() - start, cancelled=self.cancelled, history=history,
            val_indices=val_idx, val_predicted=val_pred)


class _Head:
    """The classifier a ProbeJob trains: one layer (or two, with cfg.hidden) on the encoder's codes
    (or the pixels, without an encoder), each feature scaled by its spread on the training part,
    trained with Adam on the cross-entropy; with cfg.fine_tune the encoder trains too. One seeded
    generator draws the initial weights and then each epoch's batch order."""

    def __init__(self, enc, x: np.ndarray, y_all: np.ndarray, train_idx: np.ndarray, cfg: ProbeConfig, n_cls: int):
        import torch

        from aegui.core.train.optim import TensorAdam
        self.cfg, self.enc, self.y_all = cfg, enc, y_all
        self.x = torch.as_tensor(x, dtype=torch.float32)
        self.y = torch.as_tensor(y_all)
        if enc is not None:
            enc.flat.requires_grad_(cfg.fine_tune)
        with torch.no_grad():
            f0 = self.features(train_idx)
        mean, std = f0.mean(0), f0.std(0, unbiased=False)
        # A feature that is (nearly) constant on the training part, e.g. a dead ReLU code unit or
        # an always-blank border pixel, gets a typical feature's scale rather than its own: when
        # fine-tuning brings it to life, dividing by its ~0 std blew the logits up 1e6-fold (a loss
        # spike of 2.75 in the middle of MNIST's fine-tuning).
        live = std > 1e-3 * std.max().clamp_min(1e-12)
        typical = std[live].median() if bool(live.any()) else torch.tensor(1.0)
        self.mean, self.std = mean, torch.where(live, std, typical).clamp_min(1e-6)
        self.n_in = f0.shape[1]
        self.gen = torch.Generator().manual_seed(cfg.seed)
        self.weights = (self._layer(self.n_in, cfg.hidden) + self._layer(cfg.hidden, n_cls) if cfg.hidden
                        else self._layer(self.n_in, n_cls))
        self.opt = TensorAdam(self.weights + ([enc.flat] if cfg.fine_tune else []), lr=cfg.learning_rate)

    def _layer(self, fan_in: int, fan_out: int) -> list:
        import torch
        bound = 1 / math.sqrt(fan_in)
        w = ((torch.rand(fan_in, fan_out, generator=self.gen) * 2 - 1) * bound).requires_grad_()
        b = torch.zeros(fan_out, requires_grad=True)
        return [w, b]

    def features(self, rows):
        return self.x[rows] if self.enc is None else self.enc.encode(self.x[rows])[0]

    def logits(self, rows):
        import torch
        w = self.weights
        h = (self.features(rows) - self.mean) / self.std
        if self.cfg.hidden:
            h = torch.relu(h @ w[0] + w[1])
            return h @ w[2] + w[3]
        return h @ w[0] + w[1]

    def train_epoch(self, train_idx: np.ndarray) -> float:
        """One pass over the training part in shuffled batches; the epoch's mean loss over its batches."""
        import torch
        import torch.nn.functional as F
        n_train = len(train_idx)
        bs = self.cfg.batch_size if 0 < self.cfg.batch_size < n_train else n_train
        order = train_idx[torch.randperm(n_train, generator=self.gen).numpy()] if bs < n_train else train_idx
        epoch_loss = 0.0
        for lo in range(0, n_train, bs):
            rows = order[lo:lo + bs]
            loss = F.cross_entropy(self.logits(rows), self.y[rows])
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            epoch_loss += float(loss.detach()) * len(rows)
        return epoch_loss / n_train

    def accuracy(self, rows) -> tuple[float | None, np.ndarray]:
        acc, pred, _ = self.scored(rows)
        return acc, pred

    def scored(self, rows) -> tuple[float | None, np.ndarray, float | None]:
        """Accuracy, predictions and mean cross-entropy of `rows`, in chunks (60,000
        MNIST images through a fine-tuned encoder at once would hold every activation)."""
        import torch
        import torch.nn.functional as F
        if not len(rows):
            return None, np.zeros(0, int), None
        preds, total = [], 0.0
        with torch.no_grad():
            for lo in range(0, len(rows), 8192):
                part = rows[lo:lo + 8192]
                out = self.logits(part)
                total += float(F.cross_entropy(out, self.y[part], reduction="sum"))
                preds.append(out.argmax(1).numpy())
        pred = np.concatenate(preds)
        return float((pred == self.y_all[rows]).mean()), pred, total / len(rows)


# ---------------------------------------------------------------- probe files and whole runs

ANALYSIS = "probe"
SPEC_KEYS = ("analysis", "name", "base", "model", "data", "labels", "max_samples", "probe", "baseline", "noise",
             "description", "time_2cores_s")   # the last two document the preset
DATA_CHOICES = ("model", "fonts", "digits", "official")


@dataclass(frozen=True)
class ProbeSpec:
    """A probe file (resources/analyses/probe-*.json)::

        {"analysis": "probe", "name": "...",
         "base": "../presets/x.json" | {experiment},   # an autoencoder trained first, or
         "model": "path/to/model",                      # a trained one (not both)
         "data": "model",      # model (its own data), fonts (all 96 glyphs), digits, an IDX images file,
                               # or official: the head trains on the training files (max_samples of
                               # them) and is scored on the official test files (MNIST's t10k...)
         "labels": "",         # IDX labels file ("" = beside the images)
         "max_samples": 0,
         "probe": {ProbeConfig fields},
         "baseline": true,     # also probe the raw pixels with the same head
         "noise": {"kind": "salt_pepper", "level": 0.2, "copies": 20, "seed": 0}}   # optional

    With `noise`, the samples are `copies` noisy copies of each sample of the data and the
    classes are the samples themselves (which glyph is this noisy copy of?): the head learns
    on some copies of every glyph and is measured on the others (stratified split).

    Paths are relative to the file. Fonts are classified by character class (char_class)."""
    name: str = "probe"
    base: object = None                 # Experiment trained first
    model_path: str = ""
    data: str = "model"
    labels: str = ""
    max_samples: int = 0
    config: ProbeConfig = ProbeConfig()
    baseline: bool = False
    noise: tuple | None = None          # (kind, level, copies, seed): classify noisy copies by sample
    source: str | None = field(default=None, compare=False)


NOISE_FORM = '{"kind": "salt_pepper", "level": 0.2, "copies": 20, "seed": 0}'


def _noise_from_dict(raw, source) -> tuple:
    from aegui.core.data.noise import KINDS
    if not isinstance(raw, dict) or set(raw) - {"kind", "level", "copies", "seed"}:
        raise ConfigError("noise", f"must be an object such as {NOISE_FORM}, got {shown(raw)}", source)
    kind, level = raw.get("kind", "salt_pepper"), raw.get("level", 0.2)
    copies, seed = raw.get("copies", 20), raw.get("seed", 0)
    if kind not in KINDS:
        raise ConfigError("noise.kind", f"{shown(kind)} is not one of {', '.join(KINDS)}", source)
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 <= level <= 1:
        raise ConfigError("noise.level", f"must be a fraction from 0 to 1, got {shown(level)}", source)
    for name, v, lo in (("copies", copies, 2), ("seed", seed, 0)):
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= 10_000:
            raise ConfigError(f"noise.{name}", f"must be a whole number from {lo} to 10000, got {shown(v)}", source)
    return kind, float(level), copies, seed


def noisy_copies(data, noise: tuple):
    """`copies` noisy copies of every sample, labelled by the sample they copy (no character
    codes, so class_targets takes the labels: one class per sample)."""
    from aegui.core.data.dataset import Dataset
    from aegui.core.data.noise import apply_noise
    kind, level, copies, seed = noise
    x = np.repeat(np.asarray(data.x, dtype=np.float32), copies, axis=0)
    noisy = apply_noise(x, kind, level, np.random.default_rng(seed)).astype(np.float32)
    labels = [lab for lab in data.labels for _ in range(copies)]
    return Dataset(f"{data.name}, {copies} noisy copies each ({kind} {level:g})", noisy, labels, tuple(data.shape))


def spec_from_dict(raw, source: str | None = None, base_dir=None) -> ProbeSpec:
    """A probe file's contents checked and read: a base to train or a model to load (one of them), and the
    head's settings; paths relative to `base_dir`."""
    from aegui.core.analyses.sweeps.sweep import _load_base, check_analysis_file
    check_analysis_file(raw, SPEC_KEYS, ANALYSIS, source, what="a probe file", has="a probe file")
    if ("base" in raw) == ("model" in raw):
        raise ConfigError("base", "give base (an experiment trained first) or model (a trained model), "
                          "one of them", source)
    base_dir = Path(base_dir) if base_dir is not None else None

    def rel(p: str) -> str:
        return str(base_dir / p) if base_dir is not None and p and not Path(p).is_absolute() else p

    values: dict = {"source": source}
    if "base" in raw:
        values["base"] = _load_base(raw["base"], source, base_dir)[0]
    else:
        if not isinstance(raw["model"], str) or not raw["model"]:
            raise ConfigError("model", "must be the path of a trained model folder", source)
        values["model_path"] = rel(raw["model"])
    for key, kind in (("name", str), ("data", str), ("labels", str), ("baseline", bool)):
        if key in raw:
            if not isinstance(raw[key], kind):
                what = "true or false" if kind is bool else "a string"
                raise ConfigError(key, f"must be {what}, got {shown(raw[key])}", source)
            values[key] = raw[key]
    if values.get("data", "model") not in DATA_CHOICES:
        values["data"] = rel(values["data"])
    if values.get("labels"):
        values["labels"] = rel(values["labels"])
    ms = raw.get("max_samples", 0)
    if not (isinstance(ms, int) and not isinstance(ms, bool) and ms >= 0):
        raise ConfigError("max_samples", f"must be 0 (all) or a positive whole number, got {shown(ms)}", source)
    values["max_samples"] = ms
    values["config"] = probe_config_from_dict(raw.get("probe", {}), source)
    if raw.get("noise") is not None:
        values["noise"] = _noise_from_dict(raw["noise"], source)
    return ProbeSpec(**values)


def load_spec(path) -> ProbeSpec:
    """The probe file at `path`, its paths resolved beside it."""
    from aegui.core.files.jsonfile import read_json
    path = Path(path)
    return spec_from_dict(read_json(path), str(path), path.parent)


def probe_dataset(choice: str, exp, labels: str = "", max_samples: int = 0):
    """The labelled data: "model" (the experiment's own data), "fonts" (all 96 glyphs of the
    experiment's font file), "digits", or the path of an IDX images file."""
    from aegui.core.data.datasets import font_dataset, from_config
    from aegui.core.data.dataset import spread_indices
    from aegui.core.data.image_data import digits_dataset, idx_dataset
    if choice in ("", "model"):
        data = from_config(exp.data)
    elif choice == "fonts":
        data = font_dataset(("all",), path=exp.data.path or None)
    elif choice == "digits":
        return digits_dataset(max_samples=max_samples)
    else:
        if not Path(choice).expanduser().is_file():
            raise ConfigError("data", f"{shown(choice)} is not model, fonts, digits or an IDX images file that exists")
        return idx_dataset(choice, labels or None, max_samples=max_samples)
    if max_samples and len(data) > max_samples:
        data = data.subset(spread_indices(len(data), max_samples))
    return data


def official_probe_data(exp, max_samples: int = 0, source=None):
    """(training samples followed by the official test set, (their rows, the test rows))."""
    from aegui.core.data.dataset import Dataset, spread_indices
    from aegui.core.data.datasets import from_config, official_test_set
    train = from_config(exp.data)
    test = official_test_set(exp.data)
    if test is None:
        raise ConfigError("data", f"{train.name} has no official test files beside it; use data 'model' "
                          "(a held-out part of the training data) instead", source)
    if max_samples and len(train) > max_samples:
        train = train.subset(spread_indices(len(train), max_samples))
    both = Dataset(f"{train.name}, scored on {test.name}", np.concatenate([train.x, test.x]), train.labels + test.labels,
                   tuple(train.shape))
    n = len(train)
    return both, (np.arange(n), np.arange(n, n + len(test)))


@dataclass
class ProbeRun:
    """A whole probe's outcome: the probe on the codes, the same head on raw pixels when asked, and the
    autoencoder probed."""
    probe: ProbeResult
    baseline: ProbeResult | None         # the same head on the raw pixels, when asked
    model: object                        # the K=1 autoencoder probed (trained here or loaded)
    experiment: object
    trained_here: bool
    seconds: float


class ProbeRunJob(Job):
    """A whole probe: train the spec's base (or load its model, or take `model`), then ProbeJob
    on the chosen data, then the pixel baseline if asked. steps() yields ProbeRunProgress; the
    last item's result is None when cancelled before the probe finished its training (a probe
    cancelled mid-way is kept, as ProbeJob does)."""

    def __init__(self, spec: ProbeSpec, *, model=None, experiment=None, device: str | None = None):
        spec.config.validate(spec.source)
        self.spec = spec
        self.device = device
        self.experiment = experiment
        self.model = model
        if model is None and spec.model_path:
            from aegui.core.runs.storage import load_model
            self.model, self.experiment, _ = load_model(spec.model_path)
        if self.model is None:
            if spec.base is None:
                raise ConfigError("base", "give an experiment to train or a model", spec.source)
            self.experiment = spec.base
        if self.experiment is None:
            raise ValueError("pass the experiment the model was trained with")
        self.split = None
        if spec.data == "official":
            self.data, self.split = official_probe_data(self.experiment, spec.max_samples, spec.source)
        else:
            self.data = probe_dataset(spec.data, self.experiment, spec.labels, spec.max_samples)
        if spec.noise is not None:
            self.data = noisy_copies(self.data, spec.noise)
        if self.model is not None and self.model.input_dim != self.data.dim:
            raise ConfigError("data", f"the model reads {self.model.input_dim} values per sample but "
                              f"{self.data.name} has {self.data.dim}; probe it on the data it was trained on",
                              spec.source)
        self._stop_current = None     # stops the session or job running now

    def cancel(self) -> None:
        """Cancels the job and stops whatever trains now (the autoencoder or a head)."""
        super().cancel()
        stop = self._stop_current
        if stop is not None:
            stop()

    def steps(self) -> Iterator[ProbeRunProgress]:
        """Trains the autoencoder when the spec has none saved, then probes its codes (and the pixels when
        asked), yielding progress and then the ProbeRun."""
        start = time.perf_counter()
        trained_here = self.model is None
        train_share = 0.6 if trained_here else 0.0
        probe_share = (1 - train_share) * (0.5 if self.spec.baseline else 1.0)
        if trained_here:
            from aegui.core.data.datasets import from_config
            from aegui.core.train.session import TrainingSession
            session = TrainingSession(self.experiment, from_config(self.experiment.data), device=self.device)
            self._stop_current = session.stop
            if self.cancelled:
                session.stop()
            for rec in session.steps():
                yield ProbeRunProgress(state="training", epoch=rec.epoch, epochs=rec.total_epochs,
                                       loss=rec.losses.get("total"),
                                       fraction=train_share * rec.epoch / rec.total_epochs,
                                       elapsed=time.perf_counter() - start)
            self._stop_current = None
            if self.cancelled:
                yield ProbeRunProgress(state=CANCELLED, fraction=0.0, elapsed=time.perf_counter() - start)
                return
            self.model = session.best_model()
        results = {}
        stages = [("probe", self.model, self.spec.config)]
        if self.spec.baseline:
            from dataclasses import replace
            stages.append(("baseline", None, replace(self.spec.config, fine_tune=False)))
        offset = train_share
        for stage, model, config in stages:
            job = ProbeJob(model, self.data, config, split=self.split)
            self._stop_current = job.cancel
            if self.cancelled:
                job.cancel()
            last = yield from run_staged(job, ProbeRunProgress, stage, offset, probe_share, start)
            self._stop_current = None
            results[stage] = last.result
            offset += probe_share
            if self.cancelled:
                break
        run = ProbeRun(results["probe"], results.get("baseline"), self.model, self.experiment, trained_here,
                       time.perf_counter() - start)
        yield ProbeRunProgress(state=CANCELLED if self.cancelled else FINISHED, fraction=1.0, elapsed=run.seconds,
                               result=run)
