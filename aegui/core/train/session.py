"""The training engine's contract and setup: TrainingSession.steps() yields ProgressRecords;
stop() is cooperative.

K models (seeds, or per-model learning rates / inits / momenta) train together on stacked weights.
The best one (fewest wrong pixels on its worst glyph, then mean wrong, then loss) is what
best_model() returns; with a target, the first model to reach it wins.

One epoch loop runs a session (train/loop/epochs.py) with the backend that computes its steps
(train/backends/: eager torch on any device, captured CUDA graphs, dense numpy, scipy's
minimisers) and observers that do everything else (train/loop/: the divergence guard, the target,
the best model, the records and their history, validation loss, early stopping, heartbeats; a
consumer adds its own with observe(): the window's step gate and live views, replay recording).
The backends use only this public part of the session:

  exp, data, k, device, model, x, seeds, lrs, momenta, augmenter, evaluator, val_x,
  capture / captured / capture_error (the CUDA path)
  stop_requested                 stop() was called: end after the current step
  objective                      the model kind's loss terms (models/objectives.py)
  step_is_exact                  a step's outputs are the model's own on the data (see below)
  loss(xin, target, epoch, gen, model=None) -> (total [K], parts, logits)
  training_pairs(rng)            inputs and targets (a DAE's fixed noisy copies, built once)
  noisy_inputs(rng)              fresh noisy copies of the data for each model (a DAE)
  wrong(logits)                  wrong pixels per model and sample from outputs of every sample
"""
from __future__ import annotations

import time
from typing import Iterator

import numpy as np
import torch

from aegui.core.archs import arch_of, build_model
from aegui.core.schema.experiment import SCIPY_OPTIMIZERS, Experiment
from aegui.core.config.validation import validate
from aegui.core.data.augment import Augmenter
from aegui.core.data.dataset import Dataset
from aegui.core.data.noise import apply_noise
from aegui.core.models.objectives import objective_of
from aegui.core.train.history import History
from aegui.core.train import progress as P
from aegui.core.train.backends import capture, dense
from aegui.core.train.backends.eager import EagerBackend
from aegui.core.train.backends.scipy_opt import ScipyBackend
from aegui.core.train.devices import resolve_device
from aegui.core.train.evaluation import Evaluator, capped
from aegui.core.train.loop.best import BestModel
from aegui.core.train.loop.divergence import Divergence
from aegui.core.train.loop.early_stop import EarlyStopping
from aegui.core.train.loop.epochs import run
from aegui.core.train.loop.live import Heartbeat
from aegui.core.train.loop.records import Records
from aegui.core.train.loop.target import Target
from aegui.core.train.loop.validation import ValidationLoss
from aegui.core.train.memory import check_session
from aegui.core.train.threads import torch_threads

# The numerics revision of the training session and its one epoch loop (checks, best model, blow-up
# guard, targets, early stopping: the loop and its observers in train/loop/; with evaluation.py,
# image_quality.py and history.py): bump it with any change to the numbers computed there
# (docs/numerics.md; the report's rows that use it are then made again).
NUMERICS = 1

_SMALL_WORK = 1e8     # multiply-adds per step (K models x batch rows x work per sample)
# What a consumer that shows progress sets `heartbeat_s` to: at most one record a second of an
# epoch in progress, when its checks are further apart than that.
HEARTBEAT_S = 1.0


def small_step(models: int, rows: int, work_per_sample: int) -> bool:
    """Whether a CPU step of `models` models on `rows` samples each (`work_per_sample` multiply-adds a sample) is
    small enough for one thread: below _SMALL_WORK a second thread costs more to wake than it takes on. The one
    rule for the session, the CPU stacking rule (train/stacking.py) and the benchmarks that time its steps."""
    return models * rows * work_per_sample < _SMALL_WORK


def check_fits(exp: Experiment, data: Dataset) -> None:
    """ConfigError unless the experiment's model reads the samples of `data`."""
    arch_of(exp.model).check_fits(exp.model, data)


class TrainingSession:
    """Trains K models of one experiment side by side on one dataset: iterate steps() for its records; stop()
    from any thread; best_model() gives the best one."""
    def __init__(self, exp: Experiment, data: Dataset, *, seeds=None, lrs=None, inits=None, momenta=None,
                 device: str | None = None, val_data: Dataset | None = None):
        validate(exp)
        check_fits(exp, data)
        if val_data is not None:
            check_fits(exp, val_data)
        t = exp.train
        k = len(seeds or lrs or inits or momenta or []) or t.seeds
        self.exp, self.data, self.k = exp, data, k
        self.objective = objective_of(exp.model)
        self.seeds = list(seeds) if seeds else [t.seed + i for i in range(k)]
        self.lrs = list(lrs) if lrs else [t.learning_rate] * k
        self.inits = list(inits) if inits else [exp.model.init] * k
        self.momenta = list(momenta) if momenta else [t.momentum] * k
        if not (len(self.seeds) == len(self.lrs) == len(self.inits) == len(self.momenta) == k):
            raise ValueError("seeds, lrs, inits and momenta must have one entry per model")
        self.device = resolve_device(device or t.device)
        check_session(exp, data, k, self.device, val_data)   # before any allocation
        self.augmenter = Augmenter.for_session(exp, data)   # None unless augment.enabled
        self.model = build_model(exp.model, k)
        with torch_threads(1 if self._small_on_cpu() else None):   # see steps(): tiny ops, one thread
            self.model.init_weights(self.seeds, self.inits)
        self.model.to(self.device)
        self.x = torch.as_tensor(data.x, dtype=torch.float32, device=self.device)
        self.evaluator = Evaluator.for_session(self)   # what a check measures (bounded)
        # Validation set (see datasets.load_split): its loss is measured at each check.
        self.val_data = val_data if val_data is not None and len(val_data) else None
        self.val_x = None if self.val_data is None else \
            capped(torch.as_tensor(self.val_data.x, dtype=torch.float32, device=self.device), t.eval_samples)
        self._val_model = None if self.val_data is None else build_model(exp.model, 1).to(self.device)
        # Every model's validation loss at each check (rec.val_loss_per_model), not only the best
        # one's: comparison grids train their runs side by side and plot each run's test curve.
        self.val_every_model = False
        self._stop = False
        self.epoch = 0
        self.capture = True     # on CUDA, replay captured steps where possible (backends/capture.py)
        self.captured = False   # whether this run's steps were replayed from CUDA graphs
        self.capture_error: str | None = None     # why capturing failed (the run went on eagerly)
        # On the CPU, run small dense autoencoders' steps in numpy where it computes the same
        # (backends/dense.py); False keeps the torch loop (the tests compare the two).
        self.dense = True
        # Seconds without a record after which the loop yields one of the epoch in progress (a
        # Heartbeat observer, loop/live.py). None: records at checks only (what the analyses that
        # train models expect).
        self.heartbeat_s: float | None = None
        # The observers of every run, in the order the loop tells them (loop/contract.py), then
        # those a consumer adds with observe().
        self.divergence = Divergence(k)
        self.ranking = BestModel()
        self.target = Target(t)
        self.records = Records(History(t.epochs, k))
        self.early_stop = EarlyStopping(self) if t.patience else None
        self._core = [self.divergence, self.ranking, self.target, ValidationLoss(),
                      *([self.early_stop] if self.early_stop is not None else []), self.records]
        self._added: list = []

    # ---------------------------------------------------------------- control
    def stop(self) -> None:
        """Ask the loop to end after the current step (safe from another thread)."""
        self._stop = True

    @property
    def stop_requested(self) -> bool:
        """Whether stop() was asked."""
        return self._stop

    def observe(self, observer) -> None:
        """Add an observer (loop/contract.py) to this session's run; before steps()."""
        self._added.append(observer)

    def observers(self) -> list:
        """The loop's observers: its own, a heartbeat when set, and those added with observe()."""
        heart = [Heartbeat(self.heartbeat_s)] if self.heartbeat_s is not None else []
        return [*self._core, *heart, *self._added]

    @property
    def alive(self) -> np.ndarray:
        """Which models still train [K] bool (the divergence guard froze the others)."""
        return self.divergence.alive

    @property
    def best(self) -> int:
        """Index of the best model at the last check."""
        return self.ranking.index

    @property
    def history(self) -> History:
        """The records of the run's checks."""
        return self.records.history

    @property
    def state(self) -> str:
        """How the run stands or ended (running, finished, stopped, diverged, ...)."""
        return self.records.state

    @property
    def message(self) -> str:
        """What the run's last record says, if anything (why it diverged, a warning)."""
        return self.records.message

    def best_model(self):
        """A K = 1 CPU copy of the best model."""
        return self.model.select(self.best)

    # ---------------------------------------------------------------- what the loops use
    def noisy_inputs(self, rng: np.random.Generator) -> torch.Tensor:
        """Fresh noisy copies of the data, one set per model [K, N, D]."""
        n = self.exp.noise
        x = self.data.x
        noisy = apply_noise(np.broadcast_to(x, (self.k, *x.shape)), n.kind, n.level, rng)
        return torch.from_numpy(noisy).to(self.device)

    def training_pairs(self, rng):
        """Inputs and targets for this run; fixed-copies denoising builds them once."""
        n = self.exp.noise
        if self.objective.corrupts_inputs and n.mode == "fixed":
            reps = np.repeat(self.data.x, n.copies, axis=0)
            noisy = apply_noise(reps, n.kind, n.level, rng)
            return torch.from_numpy(noisy).to(self.device), torch.from_numpy(reps).to(self.device)
        return self.x, self.x

    @property
    def step_is_exact(self) -> bool:
        """Whether a training step's outputs are what the model itself gives the training data, so
        a full-batch check may count wrong pixels from them: not when the loss draws random numbers
        (the VAE's code, dropout) or is fed corrupted inputs."""
        o = self.objective
        return not (o.samples_codes or o.corrupts_inputs or self.model.steps_differ)

    def loss(self, xin, target, epoch, gen=None, model=None):
        """Per-model total [K], the loss parts and the output logits (for metrics when
        deterministic); `model` (default the session's) lets scipy_opt evaluate one model alone."""
        m = self.model if model is None else model
        return self.objective.loss(m, xin, target, self.exp.model, self.exp.train.loss, epoch, gen)

    @torch.no_grad()
    def wrong(self, logits: torch.Tensor) -> torch.Tensor:
        """Wrong pixels per model and sample [K, N] after thresholding at 0.5 (zeros where
        they are not counted: see evaluation.py)."""
        return self.evaluator.wrong_from_logits(logits)

    @torch.no_grad()
    def eval_logits(self) -> torch.Tensor:
        """The output logits of every model over the evaluated samples."""
        return self.evaluator.logits()

    @torch.no_grad()
    def exact_parts(self, epoch: int) -> dict | None:
        """Each model's loss parts at the weights now {name: [K] float64}, where a full-batch step
        measures them exactly (a deterministic loss on the clean training set); else None."""
        t = self.exp.train
        if not (self.step_is_exact and self.augmenter is None and not 0 < t.batch_size < len(self.data)):
            return None
        _, parts, _ = self.loss(self.x, self.x, epoch)
        return {k: v.detach().double().cpu().numpy() for k, v in parts.items()}

    # ---------------------------------------------------------------- the loop
    def steps(self) -> Iterator[P.ProgressRecord]:
        """Trains, yielding a ProgressRecord at each check (and in between when asked); small models on the CPU
        train on one thread, which is faster for them."""
        # Small models on the CPU run several times faster on one thread: with more, the
        # OpenMP workers spin on each tiny op and collapse (x10) when another process or the
        # GUI thread wants a core too. What counts is the work of one step (one batch): the
        # emoji VAE (1.6 M weights) in batches of 8 / 32 / 128 took 135 / 74 / 47 ms per
        # epoch on one thread and 1022 / 114 / 30 ms on two.
        try:
            with torch_threads(1 if self._small_on_cpu() else None):
                yield from self._steps()
        finally:
            self.model.flat.grad = None     # the loop keeps it between steps; free it

    def _small_on_cpu(self) -> bool:
        """Whether a step's work (one batch of the K models) is small enough for one CPU thread."""
        t = self.exp.train
        fixed = self.objective.corrupts_inputs and self.exp.noise.mode == "fixed"
        n = len(self.data) * (self.exp.noise.copies if fixed else 1)
        rows = min(t.batch_size, n) if t.batch_size > 0 else n
        return self.device.type == "cpu" and small_step(self.k, rows, self.model.work_per_sample())

    def _steps(self) -> Iterator[P.ProgressRecord]:
        if self.exp.train.optimizer in SCIPY_OPTIMIZERS:
            yield from run(self, ScipyBackend(self))
        elif self.capture and capture.usable(self):
            yield from capture.captured_steps(self)
        elif self.dense and dense.usable(self):
            yield from run(self, dense.DenseBackend(self))
        else:
            yield from run(self, EagerBackend(self))

    _VAL_CHUNK = 4096   # validation samples per forward pass (bounds the memory it takes)

    @torch.no_grad()
    def val_loss(self, k: int, epoch: int) -> float:
        """Model k's loss on the validation set: the training objective's total (with the KL /
        penalty terms and the epoch's beta), measured deterministically: the VAE decodes its
        mean mu, the denoising AE gets clean inputs. Chunked; exact (see Objective.set_loss)."""
        m = self._val_model
        m.take(self.model, k)
        total = self.objective.set_loss(m, self.val_x, self.exp.model, self.exp.train.loss, epoch,
                                        self._VAL_CHUNK)
        return float(total[0])


def train(exp: Experiment, data: Dataset, **kw) -> tuple[TrainingSession, P.ProgressRecord]:
    """Run to the end; returns the session (for best_model()) and the last record."""
    session = TrainingSession(exp, data, **kw)
    rec = None
    for rec in session.steps():
        pass
    return session, rec
