"""The training engine's contract and setup: TrainingSession.steps() yields ProgressRecords;
stop() is cooperative.

K models (seeds, or per-model learning rates / inits / momenta) train together on stacked weights.
The best one (fewest wrong pixels on its worst glyph, then mean wrong, then loss) is what
best_model() returns; with a target, the first model to reach it wins.

Three loops run an epoch: train/eager.py (any device), train/capture.py (CUDA graphs) and
train/scipy_opt.py (scipy's optimizers). They use only this public part of the session:

  exp, data, k, device, model, x, seeds, lrs, alive, epoch, augmenter, evaluator, val_x,
  history (aegui.core.train.history.History), report_every_epoch, batch_report, idle_s,
  capture / captured / capture_error (the CUDA path)
  stop_requested                 stop() was called: end after the current step
  objective                      the model kind's loss terms (models/objectives.py)
  step_is_exact                  a step's outputs are the model's own on the data (see below)
  loss(xin, target, epoch, gen, model=None) -> (total [K], parts, logits)
  training_pairs(rng)            inputs and targets (a DAE's fixed noisy copies, built once)
  noisy_inputs(rng)              fresh noisy copies of the data for each model (a DAE)
  note_first_loss(total)         each model's first loss, for the blow-up check
  wrong(logits), eval_logits()   wrong pixels per model and sample; the evaluation logits
  target_hit(wrong, loss)        whether a live model reached train.target_max_wrong, or the kept
                                 model train.loss_target
  last_finite()                  every model's weights and running statistics, kept at each check
  checkpoint(epoch, wrong, loss, parts, snapshot, opt, start) -> ProgressRecord
  record(rec, epoch)             the validation loss, early stopping (train/early_stop.py) and the
                                 history row of a record
  partial_record(epoch, batch, batches, parts, start, measure) -> ProgressRecord of an epoch in progress
  heartbeat_due()                no record came for heartbeat_s: yield one of the epoch in progress
"""
from __future__ import annotations

import time
from contextlib import contextmanager
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
from aegui.core.train import capture, dense
from aegui.core.train import progress as P
from aegui.core.train.devices import resolve_device
from aegui.core.train.eager import eager_steps
from aegui.core.train.early_stop import EarlyStop
from aegui.core.train.evaluation import Evaluator, capped
from aegui.core.train.memory import check_session
from aegui.core.train.scipy_opt import scipy_steps

# The numerics revision of the training session (checks, best model, blow-up guard, early stopping;
# with evaluation.py, early_stop.py, image_quality.py and history.py): bump it with any change to
# the numbers computed here (docs/numerics.md; the report's rows that use it are then made again).
NUMERICS = 1

# A weight this large means the run has blown up even if nothing is NaN yet (Adam with a
# huge learning rate moves each weight by about lr per step; sane runs stay below ~100).
_PARAM_LIMIT = 1e5
# A loss this many times a model's first loss means it blew up even with finite, bounded
# weights (Adam at lr 1e3 can keep |w| < 1e5 while the BCE reaches 1e13 per pixel); sane runs,
# even ones that recover from a spike, stay below ~10x.
_LOSS_GROWTH = 100.0
_SMALL_WORK = 1e8     # multiply-adds per step (K models x batch rows x work per sample)
# What a consumer that shows progress sets `heartbeat_s` to: at most one record a second of an
# epoch in progress, when its checks are further apart than that.
HEARTBEAT_S = 1.0


class LastFinite:
    """Every model's state at the last check, for a model that blows up to get back: its weights
    and its running statistics (batch-norm's mean and variance, which the steps move as well;
    restored without them, a model saved "at its last finite weights" held NaN statistics that
    no evaluation accepts)."""

    def __init__(self, model):
        self.flat = model.flat.detach().clone()
        self.stats = model.stats.detach().clone()

    @torch.no_grad()
    def restore(self, model, rows: torch.Tensor) -> None:
        """Models `rows` (a [K] bool mask) get their kept state back."""
        model.flat[rows] = self.flat[rows]
        model.stats[rows] = self.stats[rows]

    @torch.no_grad()
    def take(self, model, alive: torch.Tensor) -> None:
        """Keep the state of the live models; a frozen one is put back to what was kept (its
        forward passes in later steps still move its statistics)."""
        self.flat.copy_(model.flat)
        if self.stats.numel():
            model.stats.copy_(torch.where(alive.view(-1, 1), model.stats, self.stats))
            self.stats.copy_(model.stats)


def check_fits(exp: Experiment, data: Dataset) -> None:
    """ConfigError unless the experiment's model reads the samples of `data`."""
    arch_of(exp.model).check_fits(exp.model, data)


class TrainingSession:
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
        with _threads(1 if self._small_on_cpu() else None):   # see steps(): tiny ops, one thread
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
        self.alive = torch.ones(k, dtype=torch.bool, device=self.device)
        self.best = 0
        self.history = History(t.epochs, k)
        self.state = P.RUNNING
        self.message = ""
        self._stop = False
        self.epoch = 0
        self._loss0: torch.Tensor | None = None   # each model's first loss, for the blow-up check
        self.capture = True     # on CUDA, replay captured steps where possible (train/capture.py)
        self.captured = False   # whether this run's steps were replayed from CUDA graphs
        self.capture_error: str | None = None     # why capturing failed (the run went on eagerly)
        # On the CPU, run small dense autoencoders' steps in numpy where it computes the same
        # (train/dense.py); False keeps the torch loop (the tests compare the two).
        self.dense = True
        # Step mode (see train/gate.py): a record every epoch whatever check_every says, and a
        # call after every batch (may block: the GUI steps one batch at a time).
        self.report_every_epoch = False
        # Asked after every batch but an epoch's last (None: never): True yields a record of
        # the epoch so far (the window steps and pauses between batches).
        self.batch_report = None
        # Seconds the consumer spent not training between records (a paused window): left out
        # of the records' elapsed time and rate.
        self.idle_s = 0.0
        self.early_stop = EarlyStop(self) if t.patience else None
        self._check_parts: dict = {}    # the last check's loss parts per model (early stopping keeps them)
        # Seconds without a record after which the eager and captured loops yield one of the epoch
        # in progress (ProgressRecord.batch; its wrong pixels those last measured): how far a long
        # epoch has got, and the rate a time estimate needs, before the first check (a model of
        # 10,000 batch-norm layers took 11 s an epoch and showed nothing until its tenth).
        # None: records at checks only (what the analyses that train models expect).
        self.heartbeat_s: float | None = None
        self._last_out = 0.0            # perf_counter of the last record
        self._wrong: torch.Tensor | None = None     # the wrong pixels the last record measured

    # ---------------------------------------------------------------- control
    def stop(self) -> None:
        """Ask the loop to end after the current step (safe from another thread)."""
        self._stop = True

    @property
    def stop_requested(self) -> bool:
        return self._stop

    def best_model(self):
        return self.model.select(self.best)

    def last_finite(self) -> LastFinite:
        """The state a check restores to a model that blew up (a loop makes it before its first step)."""
        return LastFinite(self.model)

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

    def note_first_loss(self, total: torch.Tensor) -> None:
        """Keep each model's first loss (the blow-up check compares later ones with it)."""
        if self._loss0 is None:
            self._loss0 = total.detach().abs().clone()

    @torch.no_grad()
    def wrong(self, logits: torch.Tensor) -> torch.Tensor:
        """Wrong pixels per model and sample [K, N] after thresholding at 0.5 (zeros where
        they are not counted: see evaluation.py)."""
        return self.evaluator.wrong_from_logits(logits)

    @torch.no_grad()
    def eval_logits(self) -> torch.Tensor:
        return self.evaluator.logits()

    def target_hit(self, wrong, loss) -> bool:
        """Whether a live model with a finite loss has reached train.target_max_wrong, or the model
        the check would keep (the best) train.loss_target."""
        t = self.exp.train
        ok = self.alive & torch.isfinite(loss)
        if t.target_max_wrong is not None and bool(((wrong.amax(1) <= t.target_max_wrong) & ok).any()):
            return True
        if t.loss_target:
            b = self._pick_best(wrong, loss)
            return bool(ok[b] & (loss[b] <= t.loss_target))
        return False

    def record(self, rec: P.ProgressRecord, epoch: int) -> P.ProgressRecord:
        """A checkpoint's record completed: the best model's validation loss (every model's when
        asked, or watched by early stopping), and into the history. When early stopping ends the
        run here, the record becomes that of the weights it went back to."""
        if self.val_x is not None and (self.val_every_model or self.early_stop is not None):
            rec.val_loss_per_model = np.array([self.val_loss(k, epoch) for k in range(self.k)])
            rec.val_loss = float(rec.val_loss_per_model[rec.best])
        elif self.val_x is not None:
            rec.val_loss = self.val_loss(rec.best, epoch)
        if self.early_stop is not None and rec.state == P.RUNNING and \
                self.early_stop.observe(self, rec, self._check_parts):
            self._stopped_early(rec, epoch)
        self.history.append(rec)
        return rec

    def _stopped_early(self, rec: P.ProgressRecord, epoch: int) -> None:
        """`rec` made the record that ends a run early stopping stops (in place, as the validation
        loss is put in it: a loop may go on with the record it passed): each model back at its best
        check's weights (early_stop.py), their wrong pixels measured again, their training loss too
        where a full-batch step measures it exactly, else their best check's."""
        es = self.early_stop
        back = es.restore(self)
        t = self.exp.train
        with torch.no_grad():
            if self.step_is_exact and self.augmenter is None and not 0 < t.batch_size < len(self.data):
                _, parts, _ = self.loss(self.x, self.x, epoch)
            else:
                parts = {}
                for name, now in self._check_parts.items():
                    values = now.detach().double().cpu().numpy().reshape(-1).copy()
                    values[back] = es.parts[name][back]
                    parts[name] = torch.from_numpy(values).to(self.device)
            wrong = self.evaluator.wrong()
        _, b, alive_np, loss_np, losses, wrong_np = self._read(wrong, parts["total"], parts)
        self.best = b
        loss_np[~alive_np] = np.nan
        if rec.val_loss_per_model is not None:
            rec.val_loss_per_model = np.where(back, es.val, rec.val_loss_per_model)
            rec.val_loss = float(rec.val_loss_per_model[b])
        max_w = wrong_np.max(1)
        msg = ("early_stop", {"epoch": epoch, "patience": es.patience, "model": b + 1, "models": self.k,
                              "best_epoch": int(es.best_epoch[b])})
        self.state, self.message = P.EARLY_STOPPED, P.render(*msg)
        rec.losses, rec.loss_per_model, rec.best = losses, loss_np, b
        rec.max_wrong, rec.mean_wrong = int(max_w[b]), float(wrong_np[b].mean())
        rec.max_wrong_per_model, rec.mean_wrong_per_model = max_w, wrong_np.mean(1)
        rec.glyph_wrong = wrong_np[b].copy()
        rec.state, rec.message, rec.extra = P.EARLY_STOPPED, self.message, {"message_id": msg[0], "message_args": msg[1]}

    def _pick_best(self, wrong: torch.Tensor, loss: torch.Tensor) -> torch.Tensor:
        """The best model's index, as a tensor on the device (read back with the record)."""
        mx = wrong.amax(1).double()
        mean = wrong.double().mean(1)
        score = mx * 1e6 + mean * 1e3 + torch.nan_to_num(loss.double(), nan=1e300).clamp(max=999)
        score[~self.alive] = float("inf")
        return torch.argmin(score)

    def _read(self, wrong, loss, parts, *flags) -> tuple:
        """What a record needs from the device in one copy (on a GPU each read waits for the
        device): the flags (0-d bools), the best index, alive, loss and the best model's loss
        parts as numbers; wrong pixels as an int array."""
        best = self._pick_best(wrong, loss)
        part_vals = torch.stack([v.detach().double() for v in parts.values()])[:, best]
        pieces = [*(f.view(1) for f in flags), best.view(1), self.alive, loss.detach().reshape(-1),
                  part_vals, wrong.reshape(-1)]
        got = torch.cat([p.double() for p in pieces]).cpu().numpy()
        k, nf = self.k, len(flags)
        alive, loss_np, part_np, wrong_np = np.split(got[nf + 1:], np.cumsum([k, k, len(parts)]))
        return ([bool(f) for f in got[:nf]], int(got[nf]), alive.astype(bool), loss_np.astype(np.float32),
                dict(zip(parts, part_np.tolist())), wrong_np.astype(np.int64).reshape(wrong.shape))

    # ---------------------------------------------------------------- the loop
    def steps(self) -> Iterator[P.ProgressRecord]:
        # Small models on the CPU run several times faster on one thread: with more, the
        # OpenMP workers spin on each tiny op and collapse (x10) when another process or the
        # GUI thread wants a core too. What counts is the work of one step (one batch): the
        # emoji VAE (1.6 M weights) in batches of 8 / 32 / 128 took 135 / 74 / 47 ms per
        # epoch on one thread and 1022 / 114 / 30 ms on two.
        self._last_out = time.perf_counter()
        try:
            with _threads(1 if self._small_on_cpu() else None):
                yield from self._steps()
        finally:
            self.model.flat.grad = None     # the loop keeps it between steps; free it

    def _small_on_cpu(self) -> bool:
        """Whether a step's work (one batch of the K models) is small enough for one CPU thread."""
        t = self.exp.train
        fixed = self.objective.corrupts_inputs and self.exp.noise.mode == "fixed"
        n = len(self.data) * (self.exp.noise.copies if fixed else 1)
        rows = min(t.batch_size, n) if t.batch_size > 0 else n
        return self.device.type == "cpu" and self.k * rows * self.model.work_per_sample() < _SMALL_WORK

    def _steps(self) -> Iterator[P.ProgressRecord]:
        if self.exp.train.optimizer in SCIPY_OPTIMIZERS:
            yield from scipy_steps(self)
        elif self.capture and capture.usable(self):
            yield from capture.captured_steps(self)
        elif self.dense and dense.usable(self):
            yield from dense.dense_steps(self)
        else:
            yield from eager_steps(self)

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

    def heartbeat_due(self) -> bool:
        return self.heartbeat_s is not None and time.perf_counter() - self._last_out >= self.heartbeat_s

    def partial_record(self, epoch, batch, batches, parts, start, measure: bool = True) -> P.ProgressRecord:
        """Where an epoch in progress stands after `batch` of its `batches` (step mode, or a
        heartbeat): the mean loss of those batches, wrong pixels of the weights now (`measure`;
        else those the last record measured, unless none did, and extra["heartbeat"] says so).
        The best model may change."""
        wrong = self.evaluator.wrong() if measure or self._wrong is None else self._wrong
        self._wrong = wrong
        self._last_out = time.perf_counter()
        _, b, alive_np, loss_np, losses, wrong_np = self._read(wrong, parts["total"], parts)
        self.best = b
        loss_np[~alive_np] = np.nan
        max_w = wrong_np.max(1)
        elapsed = time.perf_counter() - start - self.idle_s
        done = epoch - 1 + batch / batches
        return P.ProgressRecord(
            epoch=epoch, total_epochs=self.exp.train.epochs, losses=losses, loss_per_model=loss_np,
            max_wrong=int(max_w[b]), mean_wrong=float(wrong_np[b].mean()), max_wrong_per_model=max_w,
            mean_wrong_per_model=wrong_np.mean(1), glyph_wrong=wrong_np[b].copy(), best=b, elapsed=elapsed,
            epochs_per_s=done / elapsed if elapsed > 0 else 0.0, batch=batch, batches=batches,
            extra={} if measure else {"heartbeat": True})

    def checkpoint(self, epoch, wrong, loss, parts, snapshot, opt, start) -> P.ProgressRecord:
        """The record of a check: the blow-up guard (a model whose loss, weights or running
        statistics ran away gets its `snapshot` (a LastFinite) back, `opt` forgets its state, and
        it stops training), the best model, the run's state and message. `parts` are the loss
        parts per model, `start` the run's perf_counter start."""
        t = self.exp.train
        flat = self.model.flat
        self._check_parts = parts
        with torch.no_grad():
            finite_loss = torch.isfinite(loss)
            # amax / amin propagate NaN (which compares False) and need no full-size temporary
            # (isfinite(flat) took 3 ms on a 1.6 M-weight model, more than an Adam step).
            sane_weights = (flat.amax(1) < _PARAM_LIMIT) & (flat.amin(1) > -_PARAM_LIMIT)
            finite_stats = torch.isfinite(self.model.stats).all(1)
            sane_loss = ~(loss > _LOSS_GROWTH * self._loss0) if self._loss0 is not None \
                else torch.ones_like(finite_loss)
            finite = finite_loss & sane_weights & finite_stats & sane_loss
            newly_dead = self.alive & ~finite
            flags = (newly_dead.any(), finite_loss.all(), sane_weights.all(), finite_stats.all())
            read = self._read(wrong, loss, parts, *flags)
            if read[0][0]:
                # Keep the last finite weights and statistics and freeze the model.
                snapshot.restore(self.model, newly_dead)
                opt.reset_state(newly_dead)
                self.alive &= ~newly_dead
                wrong = self.evaluator.wrong()
                read = self._read(wrong, loss, parts, *flags)
            snapshot.take(self.model, self.alive)
        self._wrong, self._last_out = wrong, time.perf_counter()
        (_, all_finite, all_sane, stats_finite), b, alive_np, loss_np, losses, wrong_np = read
        self.best = b
        loss_np[~alive_np] = np.nan
        elapsed = time.perf_counter() - start - self.idle_s
        max_w = wrong_np.max(1)
        state, msg = P.RUNNING, None
        if not alive_np.any():
            state = P.DIVERGED
            if not all_finite:
                why = ("why_nan", {})
            elif not all_sane:
                why = ("why_weights", {"limit": _PARAM_LIMIT})
            elif not stats_finite:
                why = ("why_stats", {})
            else:
                why = ("why_growth", {"factor": _LOSS_GROWTH})
            msg = ("diverged", {"epoch": epoch, "why": why[0], "why_args": why[1],
                                "lr": float(t.learning_rate), "optimizer": t.optimizer,
                                "lower": t.learning_rate / 10})
        elif t.target_max_wrong is not None and int(max_w[b]) <= t.target_max_wrong:
            state = P.TARGET
            msg = ("target", {"model": b + 1, "models": self.k, "wrong": int(max_w[b]), "epoch": epoch})
        elif t.loss_target and loss_np[b] <= t.loss_target:
            state = P.TARGET
            msg = ("loss_target", {"model": b + 1, "models": self.k, "loss": float(loss_np[b]),
                                   "target": float(t.loss_target), "epoch": epoch})
        elif self._stop:
            state, msg = P.STOPPED, ("stopped", {"epoch": epoch})
        elif epoch >= t.epochs:
            state = P.FINISHED
        dead = int((~alive_np).sum())
        if dead and state == P.RUNNING:
            msg = ("some_diverged", {"dead": dead, "models": self.k})
        if msg is None or state == P.FINISHED:
            msg = self.objective.warning(self.exp.model, epoch, losses) or msg
        message = P.render(*msg) if msg else ""
        extra = {"message_id": msg[0], "message_args": msg[1]} if msg else {}
        self.state, self.message = state, message
        return P.ProgressRecord(
            epoch=epoch, total_epochs=t.epochs,
            losses=losses,
            loss_per_model=loss_np, max_wrong=int(max_w[b]), mean_wrong=float(wrong_np[b].mean()),
            max_wrong_per_model=max_w, mean_wrong_per_model=wrong_np.mean(1),
            glyph_wrong=wrong_np[b].copy(), best=b, elapsed=elapsed,
            epochs_per_s=epoch / elapsed if elapsed > 0 else 0.0, state=state, message=message,
            extra=extra)



@contextmanager
def _threads(n: int | None):
    """torch's CPU thread count set to n within the block (None: left as it is)."""
    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if n is not None:
            torch.set_num_threads(before)


def train(exp: Experiment, data: Dataset, **kw) -> tuple[TrainingSession, P.ProgressRecord]:
    """Run to the end; returns the session (for best_model()) and the last record."""
    session = TrainingSession(exp, data, **kw)
    rec = None
    for rec in session.steps():
        pass
    return session, rec
