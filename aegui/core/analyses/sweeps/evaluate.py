"""What a sweep measures after each group has trained, beyond the wrong pixels on the training
glyphs themselves (which for a denoising autoencoder are reconstruction, not denoising):

- denoising (model.kind "dae"): `repeats` noisy copies of every sample, with the noise kind
  and level the model was trained with, go through the model; `denoised_wrong` is the mean
  wrong pixels per sample of its output and `noisy_input_wrong` the same count for the noisy
  copies themselves, always side by side. Optionally also at other levels
  (`denoised_wrong_at_50pct`, `noisy_input_wrong_at_50pct`, ...).
- held-out samples (data.val_split > 0): the sweep trains on the rest and measures
  `heldout_max_wrong` (worst held-out sample) and `heldout_mean_wrong` on the held-out ones.

The sweep file's optional `evaluate` object sets the denoising measure::

    "evaluate": {"repeats": 20, "noise_seed": 0, "levels": "trained"}

`levels`: "trained" (only the level each model was trained at), "sweep" (also every
noise.level the sweep varies) or a list of levels such as [0, 0.2, 0.5, 0.9]. Wrong pixels are
counted after thresholding at 0.5 against the clean sample thresholded at 0.5. Run k's noise
is seeded by (noise_seed, level index, run seed), so a figure does not depend on how runs
were grouped. Qt-free; torch is imported only to measure.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aegui.core.schema.experiment import ConfigError, shown
from aegui.core.schema.kinds import kind_of

_KEYS = ("repeats", "noise_seed", "levels")
MAX_REPEATS = 1000

DESCRIPTIONS = {
    "noisy_input_wrong": "denoising: mean wrong pixels per sample of the noisy input itself, at the level "
                         "trained (`repeats` noisy copies of every sample)",
    "denoised_wrong": "denoising: mean wrong pixels per sample of the model's output on those noisy copies",
    "heldout_max_wrong": "wrong pixels of the worst held-out sample (data.val_split > 0: not trained on)",
    "heldout_mean_wrong": "mean wrong pixels per held-out sample",
}
LABELS = {"noisy_input_wrong": "Noisy input wrong", "denoised_wrong": "Denoised wrong",
          "heldout_max_wrong": "Held-out max wrong", "heldout_mean_wrong": "Held-out mean wrong"}


@dataclass(frozen=True)
class EvalSpec:
    """A sweep file's `evaluate` object: noisy copies per sample, their seed, and the noise levels the denoising
    measure runs at."""
    repeats: int = 20
    noise_seed: int = 0
    levels: object = "trained"          # "trained", "sweep" or a tuple of levels

    def to_dict(self) -> dict:
        """As the sweep file writes it (levels as a list when given as numbers)."""
        return {"repeats": self.repeats, "noise_seed": self.noise_seed,
                "levels": list(self.levels) if isinstance(self.levels, tuple) else self.levels}


def parse_evaluate(raw, source: str | None = None) -> EvalSpec:
    """The `evaluate` object of a sweep file checked and read (None: the defaults); a bad key or value raises
    ConfigError naming it."""
    if raw is None:
        return EvalSpec()
    if not isinstance(raw, dict):
        raise ConfigError("evaluate", 'must be an object such as {"repeats": 20, "levels": "trained"}', source)
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise ConfigError(f"evaluate.{unknown[0]}", f"unknown key; evaluate has: {', '.join(_KEYS)}", source)
    repeats = raw.get("repeats", 20)
    if not _whole(repeats) or not 1 <= repeats <= MAX_REPEATS:
        raise ConfigError("evaluate.repeats", f"must be a whole number from 1 to {MAX_REPEATS}, got {shown(repeats)}",
                          source)
    seed = raw.get("noise_seed", 0)
    if not _whole(seed) or seed < 0:
        raise ConfigError("evaluate.noise_seed", f"must be a whole number >= 0, got {shown(seed)}", source)
    levels = raw.get("levels", "trained")
    if isinstance(levels, list):
        for i, v in enumerate(levels):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
                raise ConfigError(f"evaluate.levels[{i}]", f"must be a fraction from 0 to 1, got {shown(v)}", source)
        levels = tuple(float(v) for v in levels)
    elif levels not in ("trained", "sweep"):
        raise ConfigError("evaluate.levels", f'must be "trained", "sweep" or a list of levels such as '
                          f"[0, 0.2, 0.5], got {shown(levels)}", source)
    return EvalSpec(repeats, seed, levels)


def _whole(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _pct(level: float) -> str:
    return f"{level * 100:g}".replace(".", "_") + "pct"


def extra_levels(spec: EvalSpec, vary: dict) -> tuple[float, ...]:
    """The levels measured beside the trained one."""
    if spec.levels == "sweep":
        return tuple(float(v) for v in vary.get("noise.level", ()))
    return spec.levels if isinstance(spec.levels, tuple) else ()


def metric_names(sweep) -> list[str]:
    """The extra per-run metrics a sweep measures, in column order."""
    kinds = set(sweep.vary.get("model.kind", [sweep.base.model.kind]))
    splits = set(sweep.vary.get("data.val_split", [sweep.base.data.val_split]))
    names = []
    if any(kind_of(kind).corrupts_inputs for kind in kinds):
        names += ["noisy_input_wrong", "denoised_wrong"]
        for level in extra_levels(sweep.evaluate, sweep.vary):
            names += [f"noisy_input_wrong_at_{_pct(level)}", f"denoised_wrong_at_{_pct(level)}"]
    if any(s > 0 for s in splits):
        names += ["heldout_max_wrong", "heldout_mean_wrong"]
    return names


def describe(name: str) -> str:
    """What a measure's column holds, in a sentence; a measure at another level ("denoised_wrong_at_50pct") says
    that level too."""
    if name in DESCRIPTIONS:
        return DESCRIPTIONS[name]
    base, _, level = name.partition("_at_")
    return f"{DESCRIPTIONS[base]}; here at noise level {level.replace('pct', ' %').replace('_', '.')}"


def label(name: str) -> str:
    """A measure's short column title, with its noise level when it has one ("Denoised wrong @ 50 %")."""
    base, _, level = name.partition("_at_")
    text = LABELS[base]
    return f"{text} @ {level.replace('pct', ' %').replace('_', '.')}" if level else text


# ---------------------------------------------------------------- measuring

def _wrong(model, x: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Wrong pixels per row of x [M, D] after the K=1 model, against truth [M, D] (bool)."""
    import torch
    from aegui.core.models.latent import reconstruct
    with torch.no_grad():
        out = reconstruct(model, x)
    return ((out >= 0.5) != truth).sum(1)


def noisy_wrong(model, clean: np.ndarray, kind: str, level: float, repeats: int,
                seed) -> tuple[float, float]:
    """(mean wrong pixels per sample of the model's output, the same for the noisy input) over
    `repeats` noisy copies of every sample; never measured on the clean samples."""
    from aegui.core.data.noise import apply_noise
    clean = np.asarray(clean, dtype=np.float32)
    copies = np.repeat(clean, repeats, axis=0)
    truth = copies >= 0.5
    noisy = apply_noise(copies, kind, level, np.random.default_rng(seed)).astype(np.float32)
    after = _wrong(model, noisy, truth)
    before = ((noisy >= 0.5) != truth).sum(1)
    return float(after.mean()), float(before.mean())


def evaluate_group(sweep, group, model_of, val_data, data) -> list[dict]:
    """One dict of extra metrics per model of the group; model_of(k) gives model k (K=1)."""
    exp = group.experiment
    spec = sweep.evaluate
    levels = extra_levels(spec, sweep.vary)
    out = []
    for k in range(group.k):
        row: dict = {}
        if kind_of(exp).corrupts_inputs or (val_data is not None and len(val_data)):
            model = model_of(k)
        if kind_of(exp).corrupts_inputs:

            n = exp.noise
            seed = (spec.noise_seed, 0, group.seeds[k])
            row["denoised_wrong"], row["noisy_input_wrong"] = noisy_wrong(
                model, data.x, n.kind, n.level, spec.repeats, seed)
            for j, level in enumerate(levels, start=1):
                after, before = noisy_wrong(model, data.x, n.kind, level, spec.repeats,
                                            (spec.noise_seed, j, group.seeds[k]))
                row[f"denoised_wrong_at_{_pct(level)}"] = after
                row[f"noisy_input_wrong_at_{_pct(level)}"] = before
        if val_data is not None and len(val_data):
            wrong = _wrong(model, val_data.x, np.asarray(val_data.x) >= 0.5)
            row["heldout_max_wrong"] = int(wrong.max())
            row["heldout_mean_wrong"] = float(wrong.mean())
        out.append(row)
    return out

