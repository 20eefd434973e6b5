"""Teach a 5x7 model new glyphs: fine-tune it on them mixed with the glyphs it was trained on.

A denoiser that never saw a glyph (an arrow, a bell, a heart drawn as an LCD character) leaves
it about as noisy as it came, or "corrects" it into a letter it knows. Training it again from
scratch on its glyphs plus the new ones takes minutes; starting from its own weights, a few
hundred epochs on the new glyphs mixed with its training glyphs (augmented and noised as its
experiment says) teach them in seconds without forgetting the others (bench/teach.py).

TeachSession.steps() yields TeachProgress records and stop() is cooperative, as the training
engine's (which runs underneath); result() gives a Taught, and save_taught() writes it as any
model (safetensors + model.json + metrics.csv) beside a font.h of the new glyphs, which the
saved experiment lists in data.extra_glyphs: retraining that experiment, or measuring it,
includes them.

Teaching 100,000 glyphs takes hours (an epoch of 27 s here) and said nothing for its first 15
minutes. Every stage says how far it is, at a bounded rate, in the records the window's teach
bar and `aegui teach` both show (`describe`): reading the glyphs (every PROGRESS_ROWS),
preparing the training set and the model, fine-tuning (each check, and an epoch in progress at
most once a second), the before / after figures (each model and set) and saving.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Iterator

import numpy as np
import torch

from aegui.core.analyses.denoise.curve import wrong_pixels
from aegui.core.schema.experiment import Experiment, shown
from aegui.core.config.validation import with_changes
from aegui.core.data import glyphs as G
from aegui.core.data.dataset import GLYPH_SHAPE, Dataset, spread_indices
from aegui.core.jobs.job import Progress
from aegui.core.data.datasets import from_config
from aegui.core.data.noise import apply_noise
from aegui.core.data.sources import reads_glyphs
from aegui.core.runs.storage import save_model
from aegui.core.models import latent
from aegui.core.train.history import History, metrics_path, rows_text
from aegui.core.train import progress as P
from aegui.core.train.session import HEARTBEAT_S, TrainingSession

FIRST_CODE = 0x80       # codes of glyphs given as arrays: past ASCII, like an LCD's own characters
LEVELS = (0.0, 0.1, 0.2)
GLYPH_FILE_PREFIX = "taught-"
# The fixed noisy copies each check measures the new glyphs on, at most: 10 copies of each of
# 100,000 glyphs took longer to denoise at every check than the epochs between them.
PROBE_MAX_ROWS = 10_000

# What teaching is doing (TeachProgress.phase), in order.
READING = "reading"             # the new glyphs: `done` of `total`
PREPARING = "preparing"         # the training set, the model, the noisy copies: step `done` of `total`
FINE_TUNING = "fine-tuning"     # epoch of total_epochs (batch of batches: an epoch in progress)
MEASURING = "measuring"         # the before / after figures: `done` of `total` models x sets
SAVING = "saving"


class TeachError(ValueError):
    """Glyphs or a model that cannot be taught; the message says why and what to do."""


@dataclass(frozen=True)
class TeachSettings:
    """How a model is taught new glyphs: the fine-tuning's epochs and learning rate, the new glyphs' share of
    each epoch, and how progress is measured."""
    # Measured with bench/teach.py on models/general-5x7-dae and 20 new glyphs: 300 epochs leave
    # 0.25 wrong pixels per new glyph at 10 % noise, 500 about 0.2, 1000 about 0.15 (the noisy
    # input has 1.9); the course's glyphs stay at 0.2-0.25. 500 epochs take about 3 s on one core.
    epochs: int = 500
    learning_rate: float = 0.002     # below the presets' 0.005: the weights already fit the old glyphs
    # Share of each epoch's rows that are new glyphs (each repeated to reach it); a third keeps
    # the old glyphs in most of every batch, which is what keeps them from being forgotten.
    new_share: float = 1 / 3
    check_every: int = 25
    seed: int = 0
    device: str | None = None        # None: the model's experiment's (train.device)
    probe_level: float = 0.1         # the noisy copies each record measures the new glyphs on
    probe_repeats: int = 10


@dataclass(kw_only=True)
class TeachProgress(Progress):
    """One point of a teaching run (plain data, safe to hand to another thread); `state` is
    training's (running / finished / stopped / diverged, train.progress). The figures are NaN
    until the first check measured them, and those of the last check in an epoch in progress."""
    epoch: int = 0
    total_epochs: int = 0
    loss: float = math.nan      # training loss (the experiment's: BCE / MSE on noisy inputs)
    new_wrong: float = math.nan         # new glyphs, given clean: mean wrong pixels of the output
    known_wrong: float = math.nan       # the glyphs the model was trained on, the same
    new_noisy_wrong: float = math.nan   # new glyphs' fixed noisy copies (probe_level) after denoising
    noisy_input_wrong: float = math.nan  # ... and in those copies themselves, for comparison
    epochs_per_s: float = 0.0
    message: str = ""
    phase: str = FINE_TUNING
    count: int = 0              # how far the phase is: glyphs read, a step of preparing or measuring
    total: int = 0              # ... of how many
    batch: int = 0              # fine-tuning: batches done of an epoch in progress (0: a whole epoch)
    batches: int = 0

    @property
    def done(self) -> bool:
        """Whether teaching has ended (finished, stopped or failed)."""
        return self.state != P.RUNNING


def describe(rec: TeachProgress) -> str:
    """Where teaching is, in a few words ("reading glyphs 40,000/100,000", "fine-tuning epoch
    3/20, batch 12/3,128"); the figures follow once measured."""
    if rec.phase == READING:
        return f"reading glyphs {rec.count:,}/{rec.total:,}"
    if rec.phase == PREPARING:
        return f"preparing the training set and the model ({rec.count}/{rec.total})"
    if rec.phase == MEASURING:
        return f"measuring the model before and after ({rec.count}/{rec.total})"
    if rec.phase == SAVING:
        return "saving"
    text = f"fine-tuning epoch {rec.epoch:,}/{rec.total_epochs:,}"
    if rec.batch:
        text += f", batch {rec.batch:,}/{rec.batches:,}"
    if not math.isnan(rec.loss):
        text += f"  loss {rec.loss:.4g}"
    if not math.isnan(rec.new_wrong):
        text += (f"  new glyphs: {rec.new_wrong:.2f} wrong clean, {rec.new_noisy_wrong:.2f} at noise (input "
                 f"{rec.noisy_input_wrong:.2f})  known: {rec.known_wrong:.2f}")
    return text


@dataclass
class Taught:
    """A taught model and what it takes to save it: the new glyphs, where they came from, how."""
    model: torch.nn.Module          # K = 1, on the CPU
    base_experiment: Experiment     # the model's experiment before teaching
    fonts: tuple                    # the new glyphs (glyphs.Font), written to the glyph file
    source: str                     # the file they came from, or "" (arrays / drawings)
    settings: TeachSettings
    last: TeachProgress
    known: Dataset                  # the glyphs the model was trained on before
    repeats: int                    # how often each new glyph was repeated per epoch
    history: History = field(default_factory=History)
    base_path: str = ""             # the model folder it started from, when known
    new_set: Dataset | None = None  # glyph_dataset(fonts), when already made (a second per 100,000)

    @property
    def new(self) -> Dataset:
        """The new glyphs as a dataset (made on first use)."""
        if self.new_set is None:
            self.new_set = glyph_dataset(self.fonts)
        return self.new_set

    def experiment(self, glyph_file) -> Experiment:
        """The saved experiment: the base one with `glyph_file` added to data.extra_glyphs, and
        a name that says so (the window lists models by name)."""
        return taught_experiment(self.base_experiment, self.fonts, glyph_file)


def taught_experiment(base: Experiment, fonts, glyph_file) -> Experiment:
    """What a model taught `fonts` from one of experiment `base` is saved with (known before
    teaching, so `aegui teach --out` can be checked first)."""
    extra = tuple(base.data.extra_glyphs) + (str(Path(glyph_file).resolve()),)
    n = sum(len(f.glyphs) for f in fonts)
    name = f"{base.name} + {n} taught glyph{'s' if n != 1 else ''}"
    return with_changes(base, data={"extra_glyphs": extra}, name=name)


# ---------------------------------------------------------------- the new glyphs

def fonts_from_file(path, names=None, progress=None) -> tuple:
    """The arrays `names` (all when None) of a font.h; TeachError naming the ones it has.
    `progress(record)`: TeachProgress records of the reading (every G.PROGRESS_ROWS glyphs)."""
    tell = None if progress is None else \
        (lambda done, total: progress(TeachProgress(phase=READING, count=done, total=total)))
    fonts = G.read_font_h(path, tell)
    if not names:
        return tuple(fonts)
    exact = {f.name: f for f in fonts}
    by_name = {f.name.lower(): f for f in fonts}
    missing = [n for n in names if n not in exact and n.lower() not in by_name]
    if missing:
        raise TeachError(f"{path}: has no array {shown(missing[0])}; it has {', '.join(f.name for f in fonts)}")
    chosen = [exact.get(n) or by_name[n.lower()] for n in names]
    for i, font in enumerate(chosen):
        if any(font is other for other in chosen[:i]):
            raise TeachError(f"{path}: {shown(names[chosen.index(font)])} and {shown(names[i])} name the same array "
                             f"{font.name}; name each array once")
    return tuple(chosen)


def fonts_from_arrays(arrays, labels, name: str = "Taught") -> tuple:
    """One font of 7x5 (or 35-value) 0 / 1 arrays with their labels, coded from 0x80 on."""
    steps = reading_arrays(arrays, labels, name)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def reading_arrays(arrays, labels, name: str = "Taught"):
    """fonts_from_arrays as a generator: TeachProgress records of the reading (every
    G.PROGRESS_ROWS glyphs); it returns the fonts."""
    arrays = list(arrays)
    labels = list(labels)
    if len(arrays) != len(labels):
        raise TeachError(f"{len(arrays)} glyphs but {len(labels)} labels; give one label per glyph")
    glyphs = []
    for i, (arr, label) in enumerate(zip(arrays, labels)):
        if i and i % G.PROGRESS_ROWS == 0:
            yield TeachProgress(phase=READING, count=i, total=len(arrays))
        try:
            glyphs.append(G.Glyph.from_array(arr, FIRST_CODE + i, str(label).strip() or G.label_for(FIRST_CODE + i)))
        except ValueError as e:
            raise TeachError(f"glyph {i + 1} ({shown(label)}): {e}") from None
    yield TeachProgress(phase=READING, count=len(arrays), total=len(arrays))
    return (G.Font(name, tuple(glyphs)),) if glyphs else ()


def glyph_dataset(fonts) -> Dataset:
    """The glyphs of `fonts` as one dataset named after them."""
    glyphs = [g for f in fonts for g in f.glyphs]
    return Dataset("+".join(f.name for f in fonts), G.glyphs_to_array(glyphs), [g.label for g in glyphs],
                   GLYPH_SHAPE, [g.code for g in glyphs])


def check_teachable(exp: Experiment, model) -> None:
    """Raises TeachError unless the model reads 5x7 glyphs from a font file, the only data teaching can add to.
    """
    if not reads_glyphs(exp.data) or getattr(model, "input_dim", None) != G.ROWS * G.COLS:
        raise TeachError(f"this model reads {shown(exp.data.source)} data; teaching adds 5x7 glyphs, so it "
                         "needs a model trained on font.h glyphs (e.g. models/general-5x7-dae)")


# ---------------------------------------------------------------- teaching

def training_set(known: Dataset, new: Dataset, share: float) -> tuple[Dataset, int]:
    """The known glyphs, then the new ones repeated until they make about `share` of the rows;
    and how many times they were repeated."""
    if not 0 < share < 1:
        raise TeachError(f"the new glyphs' share of the training rows must be between 0 and 1, got {shown(share)}")
    reps = max(1, round(share / (1 - share) * len(known) / len(new)))
    x = np.concatenate([known.x] + [new.x] * reps)
    return Dataset(f"{known.name}+{new.name}", x, known.labels + new.labels * reps, GLYPH_SHAPE), reps


class TeachSession:
    """Fine-tunes `model` (K = 1, with its experiment `exp`) on `fonts` (the new glyphs) mixed
    with the glyphs its experiment trains on. Iterate steps(); stop() from any thread. What is
    wrong with the model or the glyphs is refused here; the training set and the model are
    prepared in steps(), which says how that goes."""

    def __init__(self, model, exp: Experiment, fonts, settings: TeachSettings | None = None,
                 source: str = "", base_path: str = "", known: Dataset | None = None):
        check_teachable(exp, model)
        self.settings = s = settings or TeachSettings()
        if not isinstance(s.epochs, int) or s.epochs < 1:
            raise TeachError(f"epochs must be a whole number >= 1, got {shown(s.epochs)}")
        self.fonts = tuple(fonts)
        self.new = glyph_dataset(self.fonts)
        if not len(self.new):
            raise TeachError("no glyphs to teach: the file or selection holds none")
        try:
            # Written beside the model once taught: what cannot be written is refused before teaching.
            glyph_file_text(self.fonts)
        except ValueError as e:
            raise TeachError(f"{source or 'the new glyphs'}: {e}") from None
        self.model, self.exp, self.source, self.base_path = model, exp, source, base_path
        self.known = known if known is not None else from_config(exp.data)
        self.session: TrainingSession | None = None     # made by steps()
        self.reps = 0
        self._stop = False
        self._last: TeachProgress | None = None

    def stop(self) -> None:
        """Ask the run to end after the current step (safe from another thread)."""
        self._stop = True
        if self.session is not None:
            self.session.stop()

    def _prepare(self) -> Iterator[TeachProgress]:
        s = self.settings
        total = 3
        yield TeachProgress(phase=PREPARING, count=0, total=total, total_epochs=s.epochs)
        data, self.reps = training_set(self.known, self.new, s.new_share)
        yield TeachProgress(phase=PREPARING, count=1, total=total, total_epochs=s.epochs)
        train = {"epochs": s.epochs, "learning_rate": s.learning_rate, "seeds": 1, "seed": s.seed,
                 "schedule": "constant", "target_max_wrong": None,
                 "check_every": max(1, min(s.check_every, s.epochs))}
        if s.device:
            train["device"] = s.device
        self.fine_tune = with_changes(self.exp, train=train)
        session = TrainingSession(self.fine_tune, data)
        # Its weights and its running statistics (batch-norm's): fine-tuning starts from the model.
        session.model.take(self.model, 0)
        session.heartbeat_s = HEARTBEAT_S      # an epoch of 100,000 glyphs takes half a minute
        yield TeachProgress(phase=PREPARING, count=2, total=total, total_epochs=s.epochs)
        rng = np.random.default_rng((s.seed, 1))
        shown = spread_indices(len(self.new), max(1, PROBE_MAX_ROWS // s.probe_repeats))
        self._probe_clean = np.repeat(self.new.x[shown], s.probe_repeats, axis=0)
        self._probe = apply_noise(self._probe_clean, "salt_pepper", s.probe_level, rng)
        self._probe_input = _wrong(self._probe, self._probe_clean)
        self.session = session
        if self._stop:
            session.stop()
        yield TeachProgress(phase=PREPARING, count=3, total=total, total_epochs=s.epochs)

    def steps(self) -> Iterator[TeachProgress]:
        """Prepares the training set and the model on first call, then fine-tunes, yielding TeachProgress at
        each check (and in between while an epoch is long)."""
        if self.session is None:
            yield from self._prepare()
        for rec in self.session.steps():
            self._last = self._in_progress(rec) if rec.batch else self._checked(rec)
            yield self._last

    def _checked(self, rec) -> TeachProgress:
        """A check's record: the figures measured at it."""
        n_known = len(self.known)
        wrong = rec.glyph_wrong
        # A large set's check counts the wrong pixels of a fixed sample only (train/evaluation.py).
        counted = np.zeros(len(wrong), bool)
        counted[self.session.evaluator.index if self.session.evaluator.index is not None else slice(None)] = True
        with torch.no_grad():
            noisy = _wrong(latent.denoise(self.session.model, self._probe), self._probe_clean)
        return TeachProgress(
            fraction=rec.epoch / rec.total_epochs if rec.total_epochs else 1.0,
            epoch=rec.epoch, total_epochs=rec.total_epochs, loss=float(rec.losses.get("total", math.nan)),
            new_wrong=_mean(wrong[n_known:][counted[n_known:]]), known_wrong=_mean(wrong[:n_known][counted[:n_known]]),
            new_noisy_wrong=noisy, noisy_input_wrong=self._probe_input, elapsed=rec.elapsed,
            epochs_per_s=rec.epochs_per_s, state=rec.state, message=rec.message, count=rec.epoch,
            total=rec.total_epochs)

    def _in_progress(self, rec) -> TeachProgress:
        """An epoch in progress: its loss so far; the figures of the last check."""
        done = rec.epoch - 1 + rec.batch / rec.batches
        last = self._last if self._last is not None and self._last.phase == FINE_TUNING else TeachProgress()
        return replace(last, fraction=done / rec.total_epochs, epoch=rec.epoch, total_epochs=rec.total_epochs,
                       loss=float(rec.losses.get("total", math.nan)), elapsed=rec.elapsed,
                       epochs_per_s=rec.epochs_per_s, state=P.RUNNING, message="", count=rec.epoch,
                       total=rec.total_epochs, batch=rec.batch, batches=rec.batches)

    def result(self) -> Taught:
        """The model as it is now (after steps() ended, or was stopped)."""
        if self._last is None or self.session is None:
            raise TeachError("teaching has not run yet: iterate steps() first")
        model = self.session.best_model()
        model.eval()
        last = self._last if not self._last.batch else replace(self._last, batch=0, batches=0)
        return Taught(model, self.exp, self.fonts, self.source, self.settings, last, self.known,
                      self.reps, self.session.history, self.base_path, self.new)


def teach(model, exp: Experiment, fonts, settings: TeachSettings | None = None, **kw) -> Taught:
    """Run a TeachSession to the end."""
    session = TeachSession(model, exp, fonts, settings, **kw)
    for _ in session.steps():
        pass
    return session.result()


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else math.nan


def _wrong(out: np.ndarray, clean: np.ndarray) -> float:
    return float(((np.asarray(out) >= 0.5) != (clean >= 0.5)).sum(1).mean())


# ---------------------------------------------------------------- measuring and saving

def denoising_scores(model, clean: np.ndarray, levels=LEVELS, repeats: int = 20, seed: int = 0) -> dict:
    """{"10%": {"output": wrong pixels per glyph after denoising, "noisy_input": in the input}, ...}
    over `repeats` salt-and-pepper copies of every glyph (the same copies for any model given the
    same seed, so two models' figures compare)."""
    out = {}
    for j, level in enumerate(levels):
        after, before = wrong_pixels([model], clean, "salt_pepper", level, repeats, [(seed, j)])
        out[f"{level * 100:g}%"] = {"output": round(float(after.mean()), 4),
                                    "noisy_input": round(float(before.mean()), 4)}
    return out


def before_after(base_model, taught_model, clean: np.ndarray, levels=LEVELS, repeats: int = 20,
                 seed: int = 0) -> dict:
    """{"10%": {"noisy_input": ..., "before": ..., "after": ...}, ...}: wrong pixels per glyph of
    the model before and after teaching, on the same noisy copies."""
    before = denoising_scores(base_model, clean, levels, repeats, seed)
    after = denoising_scores(taught_model, clean, levels, repeats, seed)
    return {k: {"noisy_input": v["noisy_input"], "before": v["output"], "after": after[k]["output"]}
            for k, v in before.items()}


def measuring(base_model, taught: Taught, sets, repeats: int = 20, seed: int = 0):
    """before_after of each of `sets` ("new", "known": the taught glyphs, the ones it knew), as
    a generator: a MEASURING record before each model's figures of each set (on 100,000 glyphs
    with 20 copies each, a minute or more apiece); it returns {set: before_after(...)}."""
    glyphs = {"new": taught.new.x, "known": taught.known.x}
    steps = [(name, which) for name in sets for which in ("before", "after")]
    last = taught.last
    measured: dict = {}
    for i, (name, which) in enumerate(steps):
        yield replace(last, phase=MEASURING, count=i, total=len(steps), fraction=1.0)
        model = base_model if which == "before" else taught.model
        measured[name, which] = denoising_scores(model, glyphs[name], LEVELS, repeats, seed)
    yield replace(last, phase=MEASURING, count=len(steps), total=len(steps), fraction=1.0)
    return {name: {k: {"noisy_input": v["noisy_input"], "before": v["output"],
                       "after": measured[name, "after"][k]["output"]}
                   for k, v in measured[name, "before"].items()} for name in sets}


def glyph_file_text(fonts) -> str:
    """The taught glyphs as a font.h, the file the taught model's data.extra_glyphs names."""
    return G.write_font_h(fonts, "Glyphs taught with aegui teach (listed in the model's data.extra_glyphs).")


def glyph_file_name(fonts, text: str | None = None) -> str:
    """taught-<hash of the glyph file>.h: the same glyphs, the same name (`text`: the file's, when made)."""
    text = glyph_file_text(fonts) if text is None else text
    return f"{GLYPH_FILE_PREFIX}{hashlib.sha256(text.encode()).hexdigest()[:8]}.h"


def save_taught(out, taught: Taught, scores: dict | None = None) -> Path:
    """Write the model into the folder `out` (model.safetensors, model.json, metrics.csv) and the
    new glyphs as taught-<hash>.h there; returns the sidecar path. The file name comes from the
    glyphs, so teaching again into the same folder never changes the glyphs an earlier
    experiment lists."""
    out = Path(out)
    text = glyph_file_text(taught.fonts)
    glyph_file = out / glyph_file_name(taught.fonts, text)
    exp = taught.experiment(glyph_file)
    last, new, known = taught.last, taught.new, taught.known
    every = np.concatenate([known.x, new.x])
    wrong = ((latent.denoise(taught.model, every) >= 0.5) != (every >= 0.5)).sum(1)
    # The keys `aegui train` saves, measured on every glyph the model now knows (given clean).
    metrics = {"max_wrong_pixels": int(wrong.max()), "mean_wrong_pixels": round(float(wrong.mean()), 6),
               "epochs": last.epoch, "seconds": round(last.elapsed, 4), "state": last.state,
               "loss": {"total": last.loss}, "dataset": f"{known.name}+{new.name}", "samples": len(every)}
    info = {"glyph_file": glyph_file.name, "source": taught.source, "base_model": taught.base_path,
            "glyphs": len(new), "labels": list(new.labels), "repeats": taught.repeats,
            "settings": asdict(taught.settings), "new_wrong": last.new_wrong, "known_wrong": last.known_wrong}
    if scores:
        info["scores"] = scores
    extra = {"labels": known.labels + new.labels, "shape": list(GLYPH_SHAPE), "taught": info}
    # The glyphs, the model and its metrics.csv commit as one (a kill leaves no mix).
    files = {glyph_file.name: text.encode(), metrics_path(out).name: rows_text(taught.history.rows()).encode()}
    return save_model(out, taught.model, exp, metrics, extra=extra, files=files)


def replace_settings(settings: TeachSettings, **changes) -> TeachSettings:
    """A copy with the changes that are not None (CLI options left out keep the defaults)."""
    return replace(settings, **{k: v for k, v in changes.items() if v is not None})
