"""Denoising curves: wrong pixels after denoising vs noise level, for each noise type, mean ± std
over seeds, against the wrong pixels of the noisy input itself; per-character error bars.

A curve spec (JSON, e.g. resources/analyses/denoising-curve.json)::

    {"analysis": "denoising_curve",
     "name": "Font3 DAE: wrong pixels vs noise level",
     "base": "../presets/font3-dae.json",      # an experiment (path or object) trained here, or
     "models": ["../../models/font3-dae"],     # already-trained models, one per seed (not both)
     "seeds": 4,                               # base: models trained together (train.seed + 0..3)
     "epochs": null,                           # base: optional override of train.epochs
     "kinds": ["salt_pepper", "bit_flip", "gaussian"],
     "levels": [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
     "repeats": 20,                            # noisy copies of every sample per kind, level, seed
     "noise_seed": 0,
     "char_kind": "salt_pepper", "char_level": 0.3,   # the per-character bars in the figure
     "leave_out": "Font3",                     # base: train on the font file's other fonts, test on this
     "test_on": "my-letters.h",                # or test on this font.h (with base or models) ...
     "test_fonts": ["LCD"]}                    # ... these arrays of it ([] or absent = all)

Held-out protocol: `leave_out` names one font of the base's font file; the base is trained on
the other fonts of its data.fonts (all of the file's when that is ["all"]) and the curve is
measured on the left-out font only, so it shows how the denoiser does on letters it never saw.
`test_on` measures on a font.h of the user's own instead of the training data. Either way the
noisy input's wrong pixels are measured on the same copies, so "worse than doing nothing" shows.

Paths are relative to the spec file. Training uses the base as written except train.seeds =
`seeds` and no wrong-pixel target (every seed trains all its epochs, as in sweeps). A seed whose
training diverged is left out of the measuring and named in the result (`diverged`: its seed and
the epoch it diverged at; in the JSON, the status text and the figure's title); when every seed
diverged the job fails with the training's own advice.

What is measured: for each noise kind, level and seed (model) k, `repeats` noisy copies of every
sample (noise.apply_noise; for gaussian the level is the standard deviation) are denoised
(encode, decode) and thresholded at 0.5; a copy's wrong pixels are those that differ from the
clean sample thresholded at 0.5. The baseline ("noisy input") counts the same for the noisy copy
itself. Every seed draws its own noise (seeded by noise_seed, kind, level and seed index, so a
result does not depend on the order of evaluation). Per seed: the mean over copies gives one
value per sample; the mean over samples one value per seed. Curves report the mean and the
POPULATION standard deviation (ddof=0, like sweeps) of those per-seed values over the seeds;
per-character rows the same over seeds for one sample.

Job shape (drive it with aegui.qt.workers.threads.JobRunner)::

    job = DenoiseCurveJob(spec)                     # or DenoiseCurveJob(spec, models=[...], data=ds)
    for p in job.steps(): ...                       # CurveProgress items, see DenoiseCurveJob.steps
    job.cancel()                                    # cooperative, safe from another thread

Files (CurveResult.write(DIR)): curve.csv (kind, level, mean, std, baseline_mean, baseline_std,
n_seeds, n_samples, repeats), per_char.csv (kind, level, index, char, mean, std, baseline_mean,
baseline_std, n_seeds: every kind and level), denoising-curve.png and denoising-curve.json.
"""
from __future__ import annotations

import csv
import io
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from aegui.core.schema.experiment import ConfigError, Experiment, shown
from aegui.core.schema.kinds import kind_of
from aegui.core.config.validation import with_changes
from aegui.core.data.noise import KINDS, LABELS, apply_noise
from aegui.core.data.sources import reads_glyphs
from aegui.core.train.threads import one_thread
from aegui.core.jobs.job import CANCELLED, FINISHED, Job, Progress

# The numerics revision of the denoising curve: bump it with any change to the numbers computed here
# (docs/numerics.md; the report's rows that use it are then made again).
NUMERICS = 2

ANALYSIS = "denoising_curve"
DEFAULT_LEVELS = tuple(round(0.1 * i, 1) for i in range(10))
_KEYS = ("analysis", "name", "base", "models", "seeds", "epochs", "kinds", "levels", "repeats",
         "noise_seed", "char_kind", "char_level", "leave_out", "test_on", "test_fonts",
         "description", "time_2cores_s")   # documentation: what it reproduces, its time on 2 cores
MAX_SEEDS = 64
MAX_REPEATS = 1000


@dataclass(frozen=True)
class CurveSpec:
    """A denoising-curve file read: the DAE to train (or the trained models), the seeds, noise kinds and levels,
    and copies per sample."""
    name: str = "denoising curve"
    base: Experiment | None = None                 # trained here ...
    model_paths: tuple[str, ...] = ()              # ... or these models are loaded (one per seed)
    seeds: int = 4
    epochs: int | None = None
    kinds: tuple[str, ...] = KINDS
    levels: tuple[float, ...] = DEFAULT_LEVELS
    repeats: int = 20
    noise_seed: int = 0
    char_kind: str = "salt_pepper"
    char_level: float = 0.3
    leave_out: str = ""                            # base: a font trained without, measured on
    test_on: str = ""                              # a font.h measured on instead of the training data
    test_fonts: tuple[str, ...] = ()               # test_on's arrays (() = all of them)
    source: str | None = field(default=None, compare=False)   # the spec file, for messages

    def validate(self) -> "CurveSpec":
        """Checks every setting and returns self; a bad one raises ConfigError naming it."""
        src = self.source
        if self.base is None and not self.model_paths:
            raise ConfigError("base", "give a DAE experiment to train (base) or trained models (models)", src)
        if self.base is not None and self.model_paths:
            raise ConfigError("models", "give either base (trained here) or models, not both", src)
        if not _whole(self.seeds) or not 1 <= self.seeds <= MAX_SEEDS:
            raise ConfigError("seeds", f"must be a whole number from 1 to {MAX_SEEDS}, got {shown(self.seeds)}", src)
        if self.epochs is not None and (not _whole(self.epochs) or self.epochs < 1):
            raise ConfigError("epochs", f"must be a positive whole number or null, got {shown(self.epochs)}", src)
        if not self.kinds or any(k not in KINDS for k in self.kinds):
            bad = next((k for k in self.kinds if k not in KINDS), None)
            raise ConfigError("kinds", f"{shown(bad)} is not a noise type; use some of {', '.join(KINDS)}"
                              if self.kinds else f"name at least one of {', '.join(KINDS)}", src)
        if len(set(self.kinds)) != len(self.kinds):
            raise ConfigError("kinds", "a noise type appears twice", src)
        if not self.levels:
            raise ConfigError("levels", "list at least one noise level, e.g. [0, 0.1, 0.2]", src)
        for i, v in enumerate(self.levels):
            if not _number(v) or not 0 <= v <= 1:
                raise ConfigError(f"levels[{i}]", f"must be a fraction from 0 to 1 (0.1 = 10 %), got {shown(v)}", src)
        if list(self.levels) != sorted(set(self.levels)):
            raise ConfigError("levels", "list each level once, in increasing order", src)
        if not _whole(self.repeats) or not 1 <= self.repeats <= MAX_REPEATS:
            raise ConfigError("repeats", f"must be a whole number from 1 to {MAX_REPEATS}, "
                              f"got {shown(self.repeats)}", src)
        if not _whole(self.noise_seed) or self.noise_seed < 0:
            raise ConfigError("noise_seed", f"must be a whole number >= 0, got {shown(self.noise_seed)}", src)
        if self.char_kind not in self.kinds:
            raise ConfigError("char_kind", f"{shown(self.char_kind)} is not among kinds ({', '.join(self.kinds)})", src)
        if self.char_level not in self.levels:
            raise ConfigError("char_level", f"{shown(self.char_level)} is not among levels", src)
        for key in ("leave_out", "test_on"):
            if not isinstance(getattr(self, key), str):
                raise ConfigError(key, f"must be a string, got {shown(getattr(self, key))}", src)
        if not isinstance(self.test_fonts, tuple) or not all(isinstance(f, str) and f for f in self.test_fonts):
            raise ConfigError("test_fonts", f"must be a list of array names, got {shown(self.test_fonts)}", src)
        if self.leave_out and self.base is None:
            raise ConfigError("leave_out", "leaving a font out needs a base to train on the other fonts; "
                              "these models are already trained (use test_on to measure them on a font.h)", src)
        if self.leave_out and self.test_on:
            raise ConfigError("test_on", "give leave_out (measure on the left-out font) or test_on, not both", src)
        if self.test_fonts and not self.test_on:
            raise ConfigError("test_fonts", "names arrays of test_on; set test_on to a font.h", src)
        if self.base is not None and (self.leave_out or self.test_on) and not reads_glyphs(self.base.data):
            raise ConfigError("base.data.source", "leave_out and test_on measure 5x7 fonts; the base reads "
                              f"{shown(self.base.data.source)}", src)
        return self

    def experiment(self) -> Experiment:
        """The base with train.seeds = seeds, no target, and the epochs override."""
        train: dict[str, Any] = {"seeds": self.seeds, "target_max_wrong": None}
        if self.epochs is not None:
            train["epochs"] = self.epochs
        changes: dict[str, Any] = {"train": train}
        if self.leave_out:
            changes["data"] = {"fonts": self.training_fonts()}
        try:
            return with_changes(self.base, **changes)
        except ConfigError as e:
            raise ConfigError(f"base.{e.field}", e.problem, self.source) from None

    def training_fonts(self) -> tuple[str, ...]:
        """leave_out: the base's fonts without the left-out one (the font file's when 'all')."""
        from aegui.core.data.datasets import load_fonts
        d = self.base.data
        names = [f.name for f in load_fonts(d.path or None)]
        fonts = names if [f.lower() for f in d.fonts] == ["all"] else list(d.fonts)
        if self.leave_out.lower() not in {f.lower() for f in names}:
            raise ConfigError("leave_out", f"{shown(self.leave_out)} is not in the base's font file; it has "
                              f"{', '.join(names)}", self.source)
        rest = tuple(f for f in fonts if f.lower() != self.leave_out.lower())
        if not rest:
            raise ConfigError("leave_out", f"the base trains on {self.leave_out} alone: nothing is left to "
                              "train on; set the base's data.fonts to ['all'] or to several fonts", self.source)
        return rest

    def test_dataset(self, train_data):
        """What the curve is measured on: the left-out font, test_on's arrays, or train_data."""
        from aegui.core.data.datasets import font_dataset
        if self.leave_out:
            d = self.base.data
            ds = font_dataset((self.leave_out,), "", d.path or None)
            ds.name = f"{ds.name} (left out; trained on {'+'.join(self.training_fonts())})"
            return ds
        if self.test_on:
            try:
                ds = font_dataset(self.test_fonts or ("all",), "", self.test_on)
            except ConfigError as e:
                raise ConfigError("test_fonts", e.problem, self.source) from None
            ds.name = f"{ds.name} from {Path(self.test_on).name}"
            return ds
        return train_data


def _whole(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def spec_from_dict(raw, source: str | None = None, base_dir=None) -> CurveSpec:
    """Build and validate a spec; every problem is a ConfigError naming the key."""
    from aegui.core.analyses.sweeps.sweep import _load_base, check_analysis_file
    check_analysis_file(raw, _KEYS, ANALYSIS, source, what="a denoising-curve spec", has="a denoising curve")
    base_dir = Path(base_dir) if base_dir is not None else None
    base = _load_base(raw["base"], source, base_dir)[0] if raw.get("base") is not None else None
    models = raw.get("models", [])
    if not isinstance(models, list) or not all(isinstance(m, str) and m for m in models):
        raise ConfigError("models", "must be a list of model folders (or .json files)", source)
    paths = tuple(str(base_dir / m) if base_dir is not None and not Path(m).is_absolute() else m for m in models)
    values: dict[str, Any] = {"source": source, "base": base, "model_paths": paths}
    for key in ("name", "seeds", "epochs", "repeats", "noise_seed", "char_kind", "char_level", "leave_out"):
        if key in raw:
            values[key] = raw[key]
    if raw.get("test_on"):
        test_on = raw["test_on"]
        if not isinstance(test_on, str):
            raise ConfigError("test_on", f"must be the path of a font.h, got {shown(test_on)}", source)
        values["test_on"] = str(base_dir / test_on) if base_dir is not None and not Path(test_on).is_absolute() \
            else test_on
    for key in ("kinds", "levels", "test_fonts"):
        if key in raw:
            if not isinstance(raw[key], list):
                raise ConfigError(key, f"must be a list, got {shown(raw[key])}", source)
            values[key] = tuple(raw[key])
    if "levels" in values:
        values["levels"] = tuple(float(v) if _number(v) else v for v in values["levels"])
    if _number(values.get("char_level")):
        values["char_level"] = float(values["char_level"])
    if not isinstance(values.get("name", "x"), str):
        raise ConfigError("name", "must be a string", source)
    if paths:
        values["seeds"] = len(paths)
    return CurveSpec(**values).validate()


def load_spec(path) -> CurveSpec:
    """The denoising-curve file at `path`, its paths resolved beside it."""
    from aegui.core.files.jsonfile import read_json
    path = Path(path)
    return spec_from_dict(read_json(path), str(path), path.parent)


# ---------------------------------------------------------------- measuring

def wrong_pixels(models, clean: np.ndarray, kind: str, level: float, repeats: int,
                 seeds) -> tuple[np.ndarray, np.ndarray]:
    """Mean wrong pixels per sample over `repeats` noisy copies, after denoising by each model
    and of the noisy input itself: two arrays [S, N] (S = len(models)). `seeds[k]` seeds model
    k's noise (an int or a sequence for numpy's SeedSequence)."""
    from aegui.core.models.latent import denoise
    clean = np.asarray(clean, dtype=np.float32)
    n = len(clean)
    copies = np.repeat(clean, repeats, axis=0)
    truth = copies >= 0.5
    after = np.empty((len(models), n))
    before = np.empty((len(models), n))
    for k, model in enumerate(models):
        noisy = apply_noise(copies, kind, level, np.random.default_rng(seeds[k]))
        out = denoise(model, noisy)
        after[k] = ((out >= 0.5) != truth).sum(1).reshape(n, repeats).mean(1)
        before[k] = ((noisy >= 0.5) != truth).sum(1).reshape(n, repeats).mean(1)
    return after, before


@dataclass
class CurveResult:
    """Wrong pixels after denoising, and of the noisy input, per noise kind, level, seed and sample."""
    name: str
    kinds: tuple[str, ...]
    levels: np.ndarray            # [L]
    labels: list[str]             # [N] the samples (glyph labels)
    wrong: np.ndarray             # [kinds, L, S, N] mean wrong pixels per sample after denoising
    baseline: np.ndarray          # [kinds, L, S, N] the same for the noisy input
    repeats: int
    char_kind: str
    char_level: float
    dataset: str = ""
    seconds: float = 0.0          # all of it, training included
    train_seconds: float = 0.0
    models: str = ""              # "trained here: ..." or the model paths
    trained: tuple | None = None  # (noise kind, level) the models were trained with (a DAE)
    diverged: tuple = ()          # ((seed, epoch), ...): seeds trained here that diverged, left out

    @property
    def diverged_text(self) -> str:
        """The seeds left out, in words ("seed 2 diverged at epoch 5 and is left out"); "" for none."""
        if not self.diverged:
            return ""
        if len(self.diverged) == 1:
            seed, epoch = self.diverged[0]
            return f"seed {seed} diverged at epoch {epoch} and is left out"
        return ("seeds " + ", ".join(f"{seed} (epoch {epoch})" for seed, epoch in self.diverged)
                + " diverged and are left out")

    def at_trained_level(self) -> dict | None:
        """Output and noisy-input error at the noise the models were trained with, if measured."""
        if self.trained is None or self.trained[0] not in self.kinds:
            return None
        hits = np.flatnonzero(np.isclose(self.levels, self.trained[1]))
        if not len(hits):
            return None
        c = self.curve(self.trained[0])
        j = int(hits[0])
        return {"kind": self.trained[0], "level": float(self.trained[1]), "mean": float(c["mean"][j]),
                "std": float(c["std"][j]), "baseline_mean": float(c["baseline_mean"][j])}

    @property
    def n_seeds(self) -> int:
        """How many seeds (models) were measured."""
        return int(self.wrong.shape[2])

    def _k(self, kind: str) -> int:
        if kind not in self.kinds:
            raise ValueError(f"{shown(kind)} was not measured; the result has {', '.join(self.kinds)}")
        return self.kinds.index(kind)

    def _l(self, level: float) -> int:
        hits = np.flatnonzero(np.isclose(self.levels, level))
        if not len(hits):
            raise ValueError(f"level {level} was not measured; the result has {list(self.levels)}")
        return int(hits[0])

    def curve(self, kind: str) -> dict[str, np.ndarray]:
        """levels, mean, std (over seeds, ddof=0), baseline_mean, baseline_std: arrays [L]."""
        per_seed = self.wrong[self._k(kind)].mean(2)        # [L, S]
        base = self.baseline[self._k(kind)].mean(2)
        return {"levels": self.levels.copy(), "mean": per_seed.mean(1), "std": per_seed.std(1),
                "baseline_mean": base.mean(1), "baseline_std": base.std(1)}

    def per_char(self, kind: str | None = None, level: float | None = None) -> dict:
        """labels and arrays [N] (mean, std over seeds; baseline_mean, baseline_std) at one
        kind and level (default: char_kind, char_level)."""
        k = self._k(kind or self.char_kind)
        j = self._l(self.char_level if level is None else level)
        w, b = self.wrong[k, j], self.baseline[k, j]           # [S, N]
        return {"labels": list(self.labels), "mean": w.mean(0), "std": w.std(0),
                "baseline_mean": b.mean(0), "baseline_std": b.std(0)}

    def curve_rows(self) -> list[dict]:
        """curve.csv's rows: per kind and level, the mean and std over seeds, beside the noisy input's."""
        rows = []
        for kind in self.kinds:
            c = self.curve(kind)
            for j, level in enumerate(self.levels):
                rows.append({"kind": kind, "level": float(level), "mean": c["mean"][j], "std": c["std"][j],
                             "baseline_mean": c["baseline_mean"][j], "baseline_std": c["baseline_std"][j],
                             "n_seeds": self.n_seeds, "n_samples": len(self.labels), "repeats": self.repeats})
        return rows

    def per_char_rows(self) -> list[dict]:
        """per_char.csv's rows: per kind, level and sample, the mean and std over seeds, beside the noisy
        input's."""
        rows = []
        for kind in self.kinds:
            for level in self.levels:
                pc = self.per_char(kind, float(level))
                for i, label in enumerate(self.labels):
                    rows.append({"kind": kind, "level": float(level), "index": i, "char": label,
                                 "mean": pc["mean"][i], "std": pc["std"][i],
                                 "baseline_mean": pc["baseline_mean"][i], "baseline_std": pc["baseline_std"][i],
                                 "n_seeds": self.n_seeds})
        return rows

    def to_csv(self, path) -> Path:
        """The tidy curve table (one row per kind and level)."""
        return _write_csv(path, CURVE_COLUMNS, self.curve_rows())

    def per_char_csv(self, path) -> Path:
        """Writes per_char.csv to `path` and returns it."""
        return _write_csv(path, PER_CHAR_COLUMNS, self.per_char_rows())

    def figure(self):
        """PIL image: the curves (bands = ± std over seeds; dashed = noisy input) and the
        per-character bars at char_kind / char_level."""
        from aegui.core.analyses import charts
        img = charts.canvas(1500, 560)
        series = []
        for i, kind in enumerate(self.kinds):
            c = self.curve(kind)
            color = charts.PALETTE[i % len(charts.PALETTE)]
            pct = c["levels"] * 100
            series.append({"label": f"{LABELS[kind]}, denoised", "x": pct, "y": c["mean"], "std": c["std"],
                           "color": color})
            series.append({"label": f"{LABELS[kind]}, noisy input", "x": pct, "y": c["baseline_mean"],
                           "color": color, "dash": True})
        level_pct = [float(v) * 100 for v in self.levels]
        left_out = f"; {len(self.diverged)} diverged" if self.diverged else ""
        charts.line_panel(img, (0, 0, 620, 560), series, title=f"{self.name} ({self.n_seeds} seeds{left_out})",
                          xlabel="noise level (%; gaussian: standard deviation x 100)",
                          ylabel="wrong pixels per sample", xticks=level_pct,
                          xtick_text=lambda v: f"{v:g}")
        pc = self.per_char()
        groups = [{"label": "noisy input", "values": pc["baseline_mean"], "color": (200, 200, 200)},
                  {"label": "denoised (± std over seeds)", "values": pc["mean"], "std": pc["std"],
                   "color": charts.PALETTE[self.kinds.index(self.char_kind) % len(charts.PALETTE)]}]
        labels = [_short(lab) for lab in self.labels]
        charts.bar_panel(img, (630, 0, 1500, 560), labels, groups,
                         title=f"per sample: {LABELS[self.char_kind]} {self.char_level * 100:g} %",
                         xlabel="sample", ylabel="wrong pixels")
        return img

    def write(self, out_dir) -> dict[str, Path]:
        """curve.csv, per_char.csv, denoising-curve.png and denoising-curve.json in out_dir."""
        from aegui.core.files.atomic import atomic_write_text
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"curve": self.to_csv(out / "curve.csv"), "per_char": self.per_char_csv(out / "per_char.csv"),
                 "png": out / "denoising-curve.png", "json": out / "denoising-curve.json"}
        from aegui.core.files.png import save_picture
        save_picture(self.figure(), paths["png"])
        atomic_write_text(paths["json"], json.dumps(self.summary(), indent=2) + "\n")
        return paths

    def summary(self) -> dict:
        """What denoising-curve.json says besides the figures: the settings, the models, the error at the
        trained level and the times."""
        return {"name": self.name, "dataset": self.dataset, "models": self.models, "kinds": list(self.kinds),
                "levels": [float(v) for v in self.levels], "n_seeds": self.n_seeds, "samples": len(self.labels),
                "repeats": self.repeats, "char_kind": self.char_kind, "char_level": self.char_level,
                "at_trained_level": self.at_trained_level(),
                "diverged": [{"seed": seed, "epoch": epoch} for seed, epoch in self.diverged],
                "seconds": round(self.seconds, 3), "train_seconds": round(self.train_seconds, 3),
                "std": "population standard deviation over seeds (ddof=0)"}


CURVE_COLUMNS = ["kind", "level", "mean", "std", "baseline_mean", "baseline_std", "n_seeds", "n_samples",
                 "repeats"]
PER_CHAR_COLUMNS = ["kind", "level", "index", "char", "mean", "std", "baseline_mean", "baseline_std", "n_seeds"]


def _short(label: str) -> str:
    return {"space": "sp", "DEL": "del"}.get(label, label[:3])


def _write_csv(path, header, rows) -> Path:
    from aegui.core.files.atomic import atomic_write_text
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (repr(float(v)) if isinstance(v, (float, np.floating)) else v) for k, v in row.items()})
    atomic_write_text(Path(path), buf.getvalue())
    return Path(path)


# ---------------------------------------------------------------- the job

@dataclass(kw_only=True)
class CurveProgress(Progress):
    """DenoiseCurveJob's: state "training" (epoch, epochs, loss), "evaluating" after each kind and
    level (kind, level, done, total), then "finished" with the CurveResult as `result`, or
    "cancelled" with none (nothing partial is kept)."""
    epoch: int | None = None
    epochs: int | None = None
    loss: float | None = None         # the training loss
    kind: str = ""                    # the noise kind just measured
    level: float = 0.0
    done: int = 0                     # kinds x levels measured so far
    total: int = 0


class DenoiseCurveJob(Job):
    """Trains the spec's base (K = seeds models together) or takes `models` (K=1 models, one per
    seed), then measures every kind and level; steps() yields CurveProgress.
    After training, `models` holds the K trained models (K=1 each, CPU) and `session` the session.
    """

    def __init__(self, spec: CurveSpec, *, models=None, data=None, device: str | None = None):
        spec.validate()
        self.spec = spec
        self.device = device
        self.session = None
        self._model_exp = None
        if models is None and spec.model_paths:
            from aegui.core.runs.storage import load_model
            loaded = [load_model(p) for p in spec.model_paths]
            models = [m for m, _, _ in loaded]
            self._model_exp = loaded[0][1]
            if data is None:
                data = _dataset(loaded[0][1])
        self.models = list(models) if models is not None else None
        if self.models is None:
            exp = spec.experiment()
            self.experiment = exp
            self.data = data if data is not None else _dataset(exp)
            from aegui.core.train.session import check_fits
            check_fits(exp, self.data)
            self.test_data = spec.test_dataset(self.data)
        else:
            if not self.models:
                raise ConfigError("models", "give at least one model", spec.source)
            self.experiment = None
            if data is None:
                raise ValueError("pass the dataset the models were trained on (data=...)")
            self.data = data
            self.test_data = spec.test_dataset(data)
            for m in self.models:
                if m.input_dim != self.test_data.dim:
                    raise ConfigError("models", f"a model reads {m.input_dim} values per sample but "
                                      f"{self.test_data.name} has {self.test_data.dim}", spec.source)

    def cancel(self) -> None:
        """Cancels the job and stops the training session running now."""
        super().cancel()
        session = self.session
        if session is not None:
            session.stop()

    def steps(self) -> Iterator[CurveProgress]:
        """Trains the spec's seeds (unless models were given), then measures every kind and level, yielding
        CurveProgress and ending with the CurveResult."""
        spec = self.spec
        start = time.perf_counter()
        train_share = 0.0 if self.models is not None else 0.85
        train_seconds = 0.0
        described = ", ".join(spec.model_paths)
        diverged: tuple = ()
        indices = list(range(len(self.models))) if self.models is not None else []
        if self.models is None:
            from aegui.core.train import progress as P
            from aegui.core.train.session import TrainingSession
            exp = self.experiment
            seeds = [exp.train.seed + i for i in range(spec.seeds)]
            self.session = session = TrainingSession(exp, self.data, seeds=seeds, device=self.device)
            if self.cancelled:
                session.stop()
            rec = None
            diverged_at: dict[int, int] = {}
            for rec in session.steps():
                for k in np.flatnonzero(~np.isfinite(np.asarray(rec.loss_per_model, dtype=float))):
                    diverged_at.setdefault(int(k), rec.epoch)
                yield CurveProgress(state="training", epoch=rec.epoch, epochs=rec.total_epochs,
                                    loss=rec.losses.get("total"), fraction=train_share * rec.epoch / rec.total_epochs,
                                    elapsed=time.perf_counter() - start)
            if self.cancelled or rec is None or rec.state == P.STOPPED:
                yield self._cancelled(start)
                return
            # A diverged seed is frozen at its last finite weights, part-trained: measured, it
            # would pull the curve toward a model that failed.
            keep = [k for k in range(session.k) if k not in diverged_at]
            if not keep:
                raise ConfigError("train.learning_rate", f"every seed diverged, so there is no denoiser to "
                                  f"measure. {rec.message}".strip(), spec.source)
            self.models = [session.model.select(k) for k in keep]
            indices = keep      # a seed's noise stays its own whether or not another diverged
            diverged = tuple((seeds[k], epoch) for k, epoch in sorted(diverged_at.items()))
            train_seconds = time.perf_counter() - start
            described = f"trained here: {exp.name}, {session.k} seeds from {seeds[0]}, {rec.epoch} epochs"
        n_kinds, n_levels = len(spec.kinds), len(spec.levels)
        total = n_kinds * n_levels
        test = self.test_data
        shape = (n_kinds, n_levels, len(self.models), len(test))
        wrong, base = np.empty(shape), np.empty(shape)
        done = 0
        for a, kind in enumerate(spec.kinds):
            for j, level in enumerate(spec.levels):
                if self.cancelled:
                    yield self._cancelled(start)
                    return
                seeds = [(spec.noise_seed, KINDS.index(kind), j, k) for k in indices]
                with one_thread():
                    wrong[a, j], base[a, j] = wrong_pixels(self.models, test.x, kind, level,
                                                           spec.repeats, seeds)
                done += 1
                yield CurveProgress(state="evaluating", kind=kind, level=level, done=done, total=total,
                                    fraction=train_share + (1 - train_share) * done / total,
                                    elapsed=time.perf_counter() - start)
        result = CurveResult(spec.name, tuple(spec.kinds), np.asarray(spec.levels, float), list(test.labels),
                             wrong, base, spec.repeats, spec.char_kind, spec.char_level, test.name,
                             time.perf_counter() - start, train_seconds, described, self._trained_noise(),
                             diverged)
        yield CurveProgress(state=FINISHED, fraction=1.0, elapsed=result.seconds, result=result)

    def _trained_noise(self) -> tuple | None:
        exp = self.experiment or self._model_exp
        if exp is None or not kind_of(exp).corrupts_inputs:

            return None
        return exp.noise.kind, float(exp.noise.level)

    def _cancelled(self, start) -> CurveProgress:
        return CurveProgress(state=CANCELLED, fraction=0.0, elapsed=time.perf_counter() - start)


def _dataset(exp: Experiment):
    from aegui.core.data.datasets import from_config
    return from_config(exp.data)
