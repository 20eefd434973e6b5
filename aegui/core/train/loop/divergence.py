"""The blow-up guard: at each check, a model whose loss, weights or running statistics ran away gets
its state of the last check back (LastFinite), its optimizer state forgotten, and stops training;
the run has diverged when no model is left. Which models are alive is this observer's state."""
from __future__ import annotations

import contextlib

import numpy as np
import torch

from aegui.core.train import progress as P
from aegui.core.train.loop.contract import Check, Observer

# A weight this large means the run has blown up even if nothing is NaN yet (Adam with a
# huge learning rate moves each weight by about lr per step; sane runs stay below ~100).
PARAM_LIMIT = 1e5
# A loss this many times a model's first loss means it blew up even with finite, bounded
# weights (Adam at lr 1e3 can keep |w| < 1e5 while the BCE reaches 1e13 per pixel); sane runs,
# even ones that recover from a spike, stay below ~10x.
LOSS_GROWTH = 100.0


def _rows(mask: np.ndarray, like):
    """A [K] bool mask to index `like` (a numpy array, or a torch tensor on its device)."""
    return mask if isinstance(like, np.ndarray) else torch.from_numpy(mask).to(like.device)


def _copy(a):
    return a.copy() if isinstance(a, np.ndarray) else a.detach().clone()


def writing(a):
    """The context to write into `a` in: torch.no_grad() for a tensor (the weights are a leaf that
    requires grad), nothing for a numpy array."""
    return contextlib.nullcontext() if isinstance(a, np.ndarray) else torch.no_grad()


class LastFinite:
    """Every model's state at the last check, for a model that blows up to get back: its weights
    and its running statistics (batch-norm's mean and variance, which the steps move as well;
    restored without them, a model saved "at its last finite weights" held NaN statistics that
    no evaluation accepts). The arrays are the backend's own: torch tensors, or a numpy loop's."""

    def __init__(self, flat, stats):
        self.flat, self.stats = _copy(flat), _copy(stats)

    def restore(self, flat, stats, rows: np.ndarray) -> None:
        """Models `rows` (a [K] bool mask) get their kept state back."""
        with writing(flat):
            r = _rows(rows, flat)
            flat[r] = self.flat[r]
            stats[r] = self.stats[r]

    def take(self, flat, stats, alive: np.ndarray) -> None:
        """Keep the state of the live models; a frozen one is put back to what was kept (its
        forward passes in later steps still move its statistics)."""
        with writing(flat):
            self.flat[...] = flat
            if stats.shape[-1]:
                dead = _rows(~alive, stats)
                stats[dead] = self.stats[dead]
                self.stats[...] = stats


class Divergence(Observer):
    """The blow-up guard: a model whose loss or weights stop being finite (or whose loss grows far past its
    first) is put back to its last finite weights and frozen."""
    def __init__(self, k: int):
        self.alive = np.ones(k, dtype=bool)
        self.loss0: np.ndarray | None = None     # each model's first loss, for the growth check
        self.snapshot: LastFinite | None = None

    def on_start(self, run) -> None:
        """Takes the first snapshot of finite weights."""
        self.snapshot = LastFinite(*run.backend.weights())

    def on_first_loss(self, run, loss: np.ndarray) -> None:
        """Keeps each model's first loss, what later growth is measured against."""
        if self.loss0 is None:
            self.loss0 = np.abs(loss)

    def on_check(self, run, check: Check) -> None:
        """Finds the models that blew up at this check (loss or statistics not finite, weights past the limit,
        loss grown far past its first), puts them back to their last finite weights and freezes them; then
        snapshots the live ones."""
        loss = check.loss
        finite_loss = np.isfinite(loss)
        sane_weights = check.weight_extent < PARAM_LIMIT       # NaN compares False
        finite_stats = np.isfinite(check.stats_extent)
        sane_loss = ~(loss > LOSS_GROWTH * self.loss0) if self.loss0 is not None else np.ones_like(finite_loss)
        newly_dead = self.alive & ~(finite_loss & sane_weights & finite_stats & sane_loss)
        check.flags = {"finite": bool(finite_loss.all()), "sane": bool(sane_weights.all()),
                       "stats": bool(finite_stats.all())}
        flat, stats = run.backend.weights()
        if newly_dead.any():
            # Keep the last finite weights and statistics and freeze the model.
            self.snapshot.restore(flat, stats, newly_dead)
            run.backend.freeze(newly_dead)
            self.alive &= ~newly_dead
            check.wrong = run.backend.read_wrong(run.backend.wrong_now())
        self.snapshot.take(flat, stats, self.alive)

    def verdict(self, run, check: Check) -> tuple | None:
        """(DIVERGED, message) when no model is left."""
        if self.alive.any():
            return None
        f = check.flags
        if not f["finite"]:
            why = ("why_nan", {})
        elif not f["sane"]:
            why = ("why_weights", {"limit": PARAM_LIMIT})
        elif not f["stats"]:
            why = ("why_stats", {})
        else:
            why = ("why_growth", {"factor": LOSS_GROWTH})
        t = run.session.exp.train
        return P.DIVERGED, ("diverged", {"epoch": check.epoch, "why": why[0], "why_args": why[1],
                                         "lr": float(t.learning_rate), "optimizer": t.optimizer,
                                         "lower": t.learning_rate / 10})

    def note(self) -> tuple | None:
        """The message of a run going on with some models frozen."""
        dead = int((~self.alive).sum())
        return ("some_diverged", {"dead": dead, "models": len(self.alive)}) if dead else None
