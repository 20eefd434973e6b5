"""Which experiments can train side by side as the stacked models of one TrainingSession: those
that differ only in what the session takes per model (its `seeds`, `lrs`, `inits` and `momenta`).
Sweeps group their configs and comparison grids their runs by this key. No torch here: planning
a sweep or a grid imports none."""
from __future__ import annotations

import json
from dataclasses import replace

from aegui.core.schema.experiment import Experiment

# The settings TrainingSession takes per model, and the value a key blanks each to.
PER_MODEL = {"train": {"seed": 0, "learning_rate": 1.0, "momentum": 0.9}, "model": {"init": "xavier"}}


def stack_key(exp: Experiment, *, seed: bool = True, **train) -> str:
    """The experiment as JSON with its name and its per-model settings blanked (the seed only
    when `seed`: where each model cannot draw its own batch order, runs of different seeds do
    not stack) and the `train` fields given set: equal keys can train in one session."""
    per_train = {k: v for k, v in PER_MODEL["train"].items() if seed or k != "seed"}
    blank = replace(exp, name="", train=replace(exp.train, **per_train, **train),
                    model=replace(exp.model, **PER_MODEL["model"]))
    return json.dumps(blank.to_dict(), sort_keys=True)
