"""Which experiments can train side by side as the stacked models of one TrainingSession: those
that differ only in what the session takes per model (its `seeds`, `lrs`, `inits` and `momenta`).
Sweeps group their configs and comparison grids their runs by this key, and most_side_by_side
says how many of them one session should hold. No torch at import: planning a sweep or a grid by
the key imports none."""
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


# The numerics revision of the rule below (component "stacking"): a run trained alone and the same run stacked
# round differently, so a change to which runs stack on the CPU moves their numbers (docs/numerics.md).
NUMERICS = 1


def most_side_by_side(exp: Experiment, rows: int, device) -> int | None:
    """The most models of `exp` one session should train side by side, each stepping on `rows` samples; None: no
    limit. On CUDA, what fits in half its free memory. On the CPU, 1 for a run whose step alone already keeps every
    thread busy (not a session.small_step): stacked, such runs only share the caches, and
    bench/report_floor.py measured each model of 004-grid-search's stacks of 12 at batch 1000 2.2-3.0x slower than
    alone, of 003-embedding-mnist's stacks of 3 1.5-1.9x; a smaller run's step is overhead-bound, and stacking it wins
    (1.8-4x a model for 002-model-kinds' 64-row steps). Imports torch (the model is built to count its work)."""
    import torch
    from aegui.core.archs import build_model
    from aegui.core.train.memory import free_models
    from aegui.core.train.session import small_step
    dev = torch.device(device)
    if dev.type == "cuda":
        return free_models(exp.model, rows, dev)
    return None if small_step(1, rows, build_model(exp.model, 1).work_per_sample()) else 1
