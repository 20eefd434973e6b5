"""The record the training engine yields. Plain data so any thread can copy it."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Values of ProgressRecord.state
RUNNING = "running"      # more records will follow
TARGET = "target"        # a model reached the wrong-pixel target; training ended
FINISHED = "finished"    # all epochs done
STOPPED = "stopped"      # cooperative stop was requested
DIVERGED = "diverged"    # every model went NaN/Inf; `message` says why and what to change
EARLY_STOPPED = "early_stopped"   # no model's loss improved for train.patience epochs (early_stop.py)


# Sentences the engine says, by id, so a UI can show them in its own language:
# rec.extra["message_id"] / ["message_args"] hold what `render` needs; numbers stay numbers there
# (the templates give their format), so a UI writes them with its own decimal point.
MESSAGES = {
    "target": "Model {model} of {models} reached {wrong} wrong pixels at epoch {epoch}.",
    "stopped": "Stopped at epoch {epoch}.",
    "loss_target": "Model {model} of {models} reached a loss of {loss:.4g} (target {target:g}) at epoch {epoch}.",
    "early_stop": ("Stopped early at epoch {epoch}: no model's loss had improved for {patience} epochs. Each "
                   "model went back to the weights of its best check; model {model} of {models} is kept, as "
                   "it was at epoch {best_epoch}."),
    "some_diverged": "{dead} of {models} models diverged and were frozen at their last finite weights.",
    "diverged": ("Training diverged at epoch {epoch}: {why}. The learning rate {lr:g} is probably too high "
                 "for {optimizer}; try {lower:g} or lower. The last finite weights were kept."),
    "kl_collapse": ("The KL term is near zero ({kl:.3g} nats per sample) and the decoder gives about the same "
                    "output for every code: the posterior collapsed. Lower β, lengthen the KL warm-up or "
                    "train longer before judging."),
    "kl_explode": ("The KL term is very large ({kl:.4g} nats per sample, {per_dim:.3g} per latent dimension): the "
                   "codes are far from the prior, so samples from N(0, I) decode poorly. Raise β or lower "
                   "the learning rate."),
    "why_nan": "the loss became NaN or infinite",
    "why_weights": "the weights grew past {limit:g}",
    "why_stats": "batch normalization's running statistics became NaN or infinite",
    "why_growth": "the loss grew to over {factor:g} times its starting value",
}


def _fill(template: str, **args) -> str:
    return template.format(**args)


def render(message_id: str, args: dict, translate=lambda text: text, fill=_fill) -> str:
    """The sentence for a message id; `translate` maps the English template, `fill(template,
    **args)` puts the arguments in (a UI's tr() does both, in its language's number format)."""
    args = dict(args)
    if "why" in args:
        args["why"] = render(args["why"], args.pop("why_args", {}), translate, fill)
    return fill(translate(MESSAGES[message_id]), **args)


@dataclass
class ProgressRecord:
    """A training check as the window and the CLI see it: the epoch, the best model's losses and wrong pixels,
    every model's loss, the rate and the run's state."""
    epoch: int                      # epochs completed (1-based)
    total_epochs: int
    losses: dict[str, float]        # best model: "total", "recon", and "kl" / "penalty" when used
    loss_per_model: np.ndarray      # [K] total loss of each parallel model (nan for dead ones)
    max_wrong: int                  # best model: worst glyph's wrong pixels (threshold 0.5)
    mean_wrong: float               # best model: mean wrong pixels per glyph
    max_wrong_per_model: np.ndarray  # [K]
    mean_wrong_per_model: np.ndarray  # [K]
    glyph_wrong: np.ndarray         # [N] wrong pixels per sample, best model
    best: int                       # index of the best model among K
    elapsed: float                  # seconds since training started
    epochs_per_s: float
    state: str = RUNNING
    message: str = ""
    val_loss: float | None = None   # best model's validation loss when a split exists
    extra: dict = field(default_factory=dict)
    # Step mode paused inside an epoch: `epoch` is the one in progress, `batch` of `batches` are
    # done, and the losses are the mean over those batches. 0: a whole epoch.
    batch: int = 0
    batches: int = 0
    val_loss_per_model: np.ndarray | None = None   # [K], when the session measures every model

    @property
    def done(self) -> bool:
        """Whether the run has ended (finished, stopped, diverged, reached its target)."""
        return self.state != RUNNING

    def copy(self) -> "ProgressRecord":
        """A copy whose arrays and dicts are its own."""
        return ProgressRecord(
            self.epoch, self.total_epochs, dict(self.losses), self.loss_per_model.copy(),
            self.max_wrong, self.mean_wrong, self.max_wrong_per_model.copy(),
            self.mean_wrong_per_model.copy(), self.glyph_wrong.copy(), self.best,
            self.elapsed, self.epochs_per_s, self.state, self.message, self.val_loss,
            dict(self.extra), self.batch, self.batches,
            None if self.val_loss_per_model is None else self.val_loss_per_model.copy())
