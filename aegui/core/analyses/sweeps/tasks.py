"""One group of a sweep (or one search trial) trained to its end: the unit a Ray task runs.

Plain functions of plain data, so the same code trains a group in this process or on a Ray
worker, and the same seeds give the same numbers wherever it runs. Also the optional
dependencies of the cluster extra and what to say when they are missing.
"""
from __future__ import annotations

import importlib
import time

import numpy as np

INSTALL_HINT = 'pip install "aegui[cluster]"'


class ClusterUnavailable(RuntimeError):
    """Ray or Optuna missing, or the cluster unreachable: one sentence for the user."""


def require(module: str):
    """Import ray or optuna, or say in one sentence how to add them."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ClusterUnavailable(f"{module} is not installed: add it with `{INSTALL_HINT}` "
                                 "(Ray runs sweeps on a cluster, Optuna searches)") from None


def as_scored(wrong, loss, worst: float) -> np.ndarray:
    """Wrong pixels as a search scores them: a model whose loss is not finite (it diverged) counts
    as `worst` (every pixel wrong), not as what its NaN outputs gave."""
    return np.where(np.isfinite(np.asarray(loss, dtype=float)), np.asarray(wrong, dtype=float), worst)


def train_group(exp, data, seeds, lrs, inits, device=None, prune=None, evaluate=None, momenta=None) -> dict:
    """Train one session of len(seeds) models; per checked epoch its losses and wrong pixels.

    prune(epoch, max_wrong[K], mean_wrong[K]) -> True stops the session there (a pruned trial); a
    model that diverged is given to it as every pixel wrong (as_scored).
    evaluate = (sweep, group, held-out data or None): the sweep's extra metrics per model
    (denoising on noisy inputs, held-out error; sweep_eval), measured where the models are.
    Returns epochs [R], loss / max_wrong / mean_wrong [R, K], seconds, state, device, pruned, extra."""
    from aegui.core.train.session import TrainingSession
    session = TrainingSession(exp, data, seeds=list(seeds), lrs=list(lrs), inits=list(inits),
                              momenta=list(momenta) if momenta else None, device=device)
    start = time.perf_counter()
    epochs, losses, maxw, meanw = [], [], [], []
    rec, pruned = None, False
    for rec in session.steps():
        epochs.append(rec.epoch)
        losses.append(np.array(rec.loss_per_model, dtype=float))
        maxw.append(np.array(rec.max_wrong_per_model, dtype=float))
        meanw.append(np.array(rec.mean_wrong_per_model, dtype=float))
        if prune is not None and not pruned and prune(rec.epoch, as_scored(maxw[-1], losses[-1], data.dim),
                                                      as_scored(meanw[-1], losses[-1], data.dim)):
            pruned = True
            session.stop()
    extra = [{} for _ in seeds]
    if evaluate is not None and rec is not None and not pruned:
        from aegui.core.analyses.sweeps import evaluate as sweep_eval
        sweep, group, held_out = evaluate
        extra = sweep_eval.evaluate_group(sweep, group, session.model.select, held_out, data)
    return {"extra": extra, "epochs": np.array(epochs, dtype=int), "loss": np.stack(losses), "max_wrong": np.stack(maxw),
            "mean_wrong": np.stack(meanw), "seconds": time.perf_counter() - start,
            "state": rec.state if rec is not None else None, "device": str(session.device), "pruned": pruned}
