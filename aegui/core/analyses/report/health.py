"""Run health: whether each run of a course report row trained, so that a model that never
learned is not read as a result. Every run (a seed of a compare row's variant, a sweep run, a
classifier stage of one seed) is checked three ways:

- finite: its training loss stayed finite (else "diverged at epoch N", the first check whose
  loss was NaN or infinite) and it ran its planned epochs (or stopped at its target);
- learned: its training loss fell from its first check to its last by at least LEARN_FALL of
  the first check's value, by objective kind. The first check is the first point of the curve
  (epoch 1 where train.check_every is 1, later otherwise), so this is a floor, not the whole
  gain: a run that learned before its first check is judged by the next test;
- alive: its outputs vary with the input and are not the constant predictor. An autoencoder is
  run on up to ALIVE_SAMPLES of its training samples: dead when its outputs' spread across the
  inputs (per-pixel std, averaged) is under DEAD_SPREAD of the inputs' own, or when its
  reconstruction MSE is at least DEAD_MSE of the MSE left by the best constant output (the
  training data's per-pixel mean: the picture a model that ignores its input should give). A
  glyph sweep keeps no model: there its wrong pixels are set against those of the per-pixel
  majority picture. A classifier is dead when it is no better than always answering the most
  common class (an accuracy within DEAD_ACCURACY of that class's share, or one class predicted).

Why the training samples: a row measured on 2 held-out emoji (000's VAEs) has models whose
held-out error is above the training mean's while they reconstruct the 6 pictures they trained
on; that is over-fitting, not a dead model. Why these thresholds: in the committed runs the
models that output a constant (004's convolutional autoencoder, 000's sigmoid VAE) fell 2.6 to
4.0 % after their first check and left 100 % of the constant's error, while the slowest healthy
learners fell 10.1 % (an SGD run of 004's grid) and 6.3 % (002's VAE, first checked at epoch 10,
its KL term keeping the objective's floor high) and left at most 94 % (000's denoiser at 90 %
noise, barely better than the mean, which is what the document says of it).

`healthy(runs)` gives the runs a mean is taken over (the healthy ones, and the failed ones whose
failure the row's spec expects) and the sentence saying which were left out; the report's
render step and checks use it, so that every mean and spread on the page says which seeds it
covers."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# The least fall of the training loss from its first check to its last, by objective kind.
LEARN_FALL = {"reconstruction": 0.05, "vae": 0.02, "classifier": 0.05}
DEAD_SPREAD = 0.05       # outputs' spread across inputs under 5 % of the inputs': the same picture for all
DEAD_MSE = 0.95          # an error at least 95 % of the constant predictor's: no better than it
DEAD_ACCURACY = 1.05     # a classifier's accuracy at most 1.05 x the most common class's share
ALIVE_SAMPLES = 2000     # training samples a model is run on (spread over the set)

HEALTH_RULE = (
    "Every run is checked before it counts: its training loss stayed finite (else it diverged), fell by at least "
    f"{LEARN_FALL['reconstruction'] * 100:g} % from its first check ({LEARN_FALL['vae'] * 100:g} % for a VAE, whose "
    "KL term keeps the loss high), and its outputs vary with the input and beat the constant predictor (the training "
    f"data's mean picture): an output spread under {DEAD_SPREAD * 100:g} % of the inputs', or an error at least "
    f"{DEAD_MSE * 100:g} % of the mean picture's, is a dead model (a classifier: no better than always answering the "
    "most common class). A failed run is drawn where it stopped and tabled with why; means and spreads cover the "
    "healthy runs and say which were left out, and a claim that rests on a model none of whose runs trained is not "
    "comparable, unless the document means that configuration to fail.")


@dataclass(frozen=True)
class Health:
    """One run's health: `ok`, or why not (`reason`: "diverged at epoch 5", "did not learn: ...",
    "dead: ..."); `expected` where the row's spec says the document means it to fail."""
    ok: bool
    reason: str = ""
    expected: bool = False

    @property
    def counts(self) -> bool:
        """Whether the run counts in its row's means: healthy, or failing as the document says."""
        return self.ok or self.expected

    @property
    def text(self) -> str:
        """The health column's cell."""
        if self.ok:
            return "trained"
        return self.reason + (" (as the document expects)" if self.expected else "")

    @property
    def short(self) -> str:
        """The reason in a few words, for a figure: each problem up to its colon (a run's problems are
        joined by "; ", which no problem's own text holds)."""
        return "; ".join(p.split(":")[0] for p in self.reason.split("; ")) if not self.ok else ""

    def to_dict(self) -> dict:
        """As done.json keeps it."""
        return {"ok": self.ok, "reason": self.reason, "expected": self.expected}


def of(raw) -> Health:
    """A Health from its dict (Health.to_dict(), or a run's record holding one, flat as done.json
    keeps it or under "health"); a run without one is healthy."""
    if isinstance(raw, Health):
        return raw
    if isinstance(raw, dict) and isinstance(raw.get("health"), (dict, Health)):
        raw = raw["health"]
    if not isinstance(raw, dict):
        return Health(True)
    return Health(bool(raw.get("ok", True)), str(raw.get("reason", "")), bool(raw.get("expected", False)))


def expected_by(label: str, patterns) -> bool:
    """Whether a run label is one the row's `expected_failure` names ("*": every run; else a run
    whose label, without its seed, contains one of the texts)."""
    base = label.rsplit(", seed ", 1)[0]
    return any(p == "*" or p in base for p in patterns)


# ---------------------------------------------------------------- the checks

def _pct(v: float) -> str:
    return f"{abs(v) * 100:.1f} %" if abs(v) < 0.1 else f"{abs(v) * 100:.0f} %"


def curve_problem(epochs, losses, planned: int, kind: str = "reconstruction",
                  reached_target: bool = False) -> list[str]:
    """What is wrong with a training curve: it diverged (a loss not finite, or it stopped before its
    planned epochs without reaching a target), or it did not fall by LEARN_FALL[kind]."""
    epochs = np.asarray(epochs, float)
    losses = np.asarray(losses, float)
    if not len(losses):
        return ["no loss recorded"]
    bad = np.flatnonzero(~np.isfinite(losses))
    if len(bad):
        return [f"diverged at epoch {int(epochs[bad[0]])}"]
    if int(epochs[-1]) < planned and not reached_target:
        return [f"stopped at epoch {int(epochs[-1])} of {planned}"]
    first, last = float(losses[0]), float(losses[-1])
    if len(losses) < 2 or first <= 0:
        return []
    fall = (first - last) / first
    if fall >= LEARN_FALL[kind]:
        return []
    moved = f"fell {_pct(fall)}" if fall > 0 else f"rose {_pct(fall)}" if fall < 0 else "did not move"
    return [f"did not learn: its loss {moved} from its first check (epoch {int(epochs[0])}), at least "
            f"{LEARN_FALL[kind] * 100:g} % needed"]


def output_problem(mse, constant_mse, spread) -> list[str]:
    """What is wrong with an autoencoder's outputs on its training samples: not finite, the same
    for every input, or no better than the constant predictor (see the module's docstring)."""
    if mse is None or constant_mse is None or spread is None:
        return []
    if not (math.isfinite(mse) and math.isfinite(spread)):
        return ["dead: its outputs are not finite"]
    flat = spread < DEAD_SPREAD
    no_better = constant_mse > 0 and mse >= DEAD_MSE * constant_mse
    if not (flat or no_better):
        return []
    parts = []
    if flat:
        parts.append(f"its outputs do not vary with the input (their spread is {_pct(spread)} of the inputs')")
    if no_better:
        parts.append(f"no better than the constant predictor (MSE {mse:.4f} vs {constant_mse:.4f} for the training "
                     "data's mean picture)")
    return ["dead: " + " and ".join(parts)]


def judge(epochs, losses, planned: int, kind: str = "reconstruction", outputs: dict | None = None,
          reached_target: bool = False, expected: bool = False) -> Health:
    """A run's health from its curve and, when its model was run, its outputs
    ({"mse", "constant_mse", "output_spread"}); a diverged run is judged by its curve alone (its
    outputs are those of its last finite weights)."""
    problems = curve_problem(epochs, losses, planned, kind, reached_target)
    if not problems or not problems[0].startswith(("diverged", "stopped", "no loss")):
        o = outputs or {}
        problems = output_problem(o.get("mse"), o.get("constant_mse"), o.get("output_spread")) + problems
    return Health(not problems, "; ".join(problems), expected and bool(problems))


def kind_of_run(experiment) -> str:
    """The objective kind LEARN_FALL is read for."""
    from aegui.core.schema.kinds import kind_of
    return "vae" if kind_of(experiment).has_kl else "reconstruction"


def outputs_of(model, x: np.ndarray, mean: np.ndarray) -> dict:
    """The model's reconstruction MSE on `x` (training samples), the constant predictor's (`mean`,
    the training data's per-pixel mean) and the outputs' spread across the inputs over theirs."""
    from aegui.core.models.latent import reconstruct
    x = np.asarray(x, np.float32)
    y = np.asarray(reconstruct(model, x), np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        return {"mse": float(((y - x) ** 2).mean()), "constant_mse": float(((x - mean) ** 2).mean()),
                "output_spread": float(y.std(0).mean() / max(1e-12, float(x.std(0).mean())))}


def wrong_pixels_problem(mean_wrong, x: np.ndarray) -> list[str]:
    """A glyph model's wrong pixels per sample against the per-pixel majority picture's (the
    constant predictor of black-and-white data); [] when it beats it or the data is not 0 / 1."""
    from aegui.core.train.evaluation import is_binary
    if mean_wrong is None or not math.isfinite(mean_wrong) or not is_binary(x):
        return []
    on = np.asarray(x) >= 0.5
    constant = float((on != (on.mean(0) >= 0.5)).sum(1).mean())
    if constant > 0 and mean_wrong >= DEAD_MSE * constant:
        return [f"dead: no better than the constant predictor ({mean_wrong:.2f} wrong pixels per sample vs "
                f"{constant:.2f} for the majority picture)"]
    return []


def classifier_problem(history, accuracy: float, confusion) -> list[str]:
    """A classifier stage's problems: its loss not finite or not falling over its epochs, or no
    better than always answering the most common class."""
    losses = [h.get("loss") for h in history or []]
    epochs = [h.get("epoch", i + 1) for i, h in enumerate(history or [])]
    problems = curve_problem(epochs, [math.nan if v is None else v for v in losses], 0, "classifier") if losses else []
    m = np.asarray(confusion)
    if m.ndim == 2 and m.sum() > 0 and not (problems and problems[0].startswith("diverged")):
        majority = float(m.sum(1).max() / m.sum())
        predicted = int((m.sum(0) > 0).sum())
        if predicted < 2 or accuracy <= majority * DEAD_ACCURACY:
            problems.insert(0, f"dead: no better than always answering the most common class (accuracy "
                               f"{accuracy:.4f} vs {majority:.4f}, {predicted} class{'es' if predicted != 1 else ''} "
                               "predicted)")
    return problems


# ---------------------------------------------------------------- which runs count

def _seeds(seeds) -> str:
    seeds = list(seeds)
    return f"seed{'s' if len(seeds) > 1 else ''} " + ", ".join(str(s) for s in seeds)


def _by_reason(failed) -> str:
    """'seed 2 diverged at epoch 5; seeds 0, 1 dead' (seeds failing the same way named together;
    the numbers of each failure are in its run's health column)."""
    groups: dict[str, list] = {}
    for r in failed:
        groups.setdefault(of(r).short, []).append(r.get("seed", "?"))
    return "; ".join(f"{_seeds(s)} {why}" for why, s in groups.items())


def healthy(runs: list[dict]) -> tuple[list[dict], str]:
    """The runs a mean is taken over, and the sentence saying which were left out ("" when none
    was). `runs`: one variant's runs, each a dict with "seed" and "health" (Health.to_dict()).
    A failed run counts only where its failure is the document's claim (`expected`)."""
    counted = [r for r in runs if of(r).counts]
    failed = [r for r in runs if not of(r).ok]
    n = len(runs)
    if not failed:
        return counted, ""
    expected = [r for r in failed if of(r).expected]
    if expected and len(expected) == len(failed):
        return counted, (f"all {n} seeds counted, failing as the document expects: " if n > 1 else
                         "counted, failing as the document expects: ") + _by_reason(failed)
    left = [r for r in failed if not of(r).expected]
    if len(counted) == 0:
        reasons = {of(r).short for r in left}
        if len(reasons) == 1 and n > 1:
            return [], f"no seed trained: all {n} {reasons.pop()}"
        return [], "no seed trained: " + _by_reason(left) if n > 1 else "did not train: " + of(left[0]).reason
    return counted, f"{len(counted)} of {n} seeds; {_by_reason(left)}"


def summary(runs: list[dict]) -> str:
    """The page's line on a row's runs: how many trained, and each failed one with why."""
    failed = [r for r in runs if not of(r).ok]
    if not runs:
        return ""
    if not failed:
        return f"all {len(runs)} runs trained" if len(runs) > 1 else "the run trained"
    shown = "; ".join(f"{r.get('label', 'run')}: {of(r).text}" for r in failed[:6])
    more = f"; and {len(failed) - 6} more (see the health column)" if len(failed) > 6 else ""
    return f"{len(runs) - len(failed)} of {len(runs)} runs trained; failed: {shown}{more}"


# ---------------------------------------------------------------- every run of a result

class TrainingSamples:
    """Each data config's training samples a model is run on (ALIVE_SAMPLES of them, spread) and
    the training data's per-pixel mean, loaded once."""

    def __init__(self):
        self._got: dict = {}

    def of(self, data) -> tuple[np.ndarray, np.ndarray]:
        if data not in self._got:
            from aegui.core.data.dataset import spread_indices
            from aegui.core.data.datasets import load_split
            train = load_split(data)[0]
            x = np.asarray(train.x, np.float32)
            self._got[data] = (x[spread_indices(len(x), ALIVE_SAMPLES)], x.mean(0))
        return self._got[data]


def compare_health(result, expected=()) -> dict[int, Health]:
    """Every run of a compare result (by run index), its model run on its training samples."""
    samples = TrainingSamples()
    out = {}
    for r in result.runs:
        train = r.experiment.train
        outputs = None
        if r.model is not None and len(r.train_loss) and np.isfinite(np.asarray(r.train_loss, float)).all():
            outputs = outputs_of(r.model, *samples.of(r.experiment.data))
        last = int(r.epochs[-1]) if len(r.epochs) else 0
        reached = train.target_max_wrong is not None and last < train.epochs
        out[r.index] = judge(r.epochs, r.train_loss, train.epochs, kind_of_run(r.experiment), outputs, reached,
                             expected_by(r.label, expected))
    return out


def glyph_run_health(exp, epochs, losses, final_mean_wrong, samples: TrainingSamples, expected: bool = False,
                     only_fonts: bool = False) -> Health:
    """A run that keeps no model (a sweep's, a search trial's seed): its curve, and for a glyph run
    its wrong pixels set against the majority picture's. only_fonts: that check only where the data
    is a font that loads (at once: the window asks on its own thread, maybe for results whose font
    is gone)."""
    from aegui.core.data.sources import reads_glyphs
    health = judge(epochs, losses, exp.train.epochs, kind_of_run(exp), expected=expected)
    if health.reason.startswith(("diverged", "stopped")) or (only_fonts and not reads_glyphs(exp.data)):
        return health
    try:
        x = samples.of(exp.data)[0]
    except (OSError, ValueError):
        if not only_fonts:
            raise
        return health
    dead = wrong_pixels_problem(final_mean_wrong, x)
    if dead:
        return Health(False, "; ".join(dead + ([health.reason] if health.reason else [])), expected)
    return health


def sweep_health(result, expected=(), only_fonts: bool = False) -> dict[int, Health]:
    """Every run of a sweep result (by run number): a sweep keeps no model, so a glyph run's wrong
    pixels are set against the majority picture's (glyph_run_health)."""
    samples = TrainingSamples()
    return {r.run: glyph_run_health(result.configs[r.config].experiment, r.history_epochs, r.history_loss,
                                    r.final_mean_wrong, samples, expected_by(result.configs[r.config].label, expected),
                                    only_fonts)
            for r in result.runs}


def classifier_health(seed_stages: list[dict], expected=()) -> list[dict[str, Health]]:
    """Every stage of every seed of a classifier result, by seed then stage name."""
    out = []
    for stages in seed_stages:
        got = {}
        for name, r in stages.items():
            problems = classifier_problem(r.history, r.accuracy, r.confusion)
            got[name] = Health(not problems, "; ".join(problems), bool(problems) and expected_by(name, expected))
        out.append(got)
    return out
