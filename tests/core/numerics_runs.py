"""Short seeded runs of every numerics component (aegui/core/analyses/report/numerics.py) and the
numbers they give, which tests/core/test_numerics_fingerprints.py holds to the committed
tests/core/numerics_fingerprints.json.

The runs cover every training loop with each model kind it trains (the dense numpy loop trains
the plain autoencoder only, scipy refuses the VAE; the captured loop runs its CPU stand-in,
captured_steps on a CPU session), every optimizer, architecture, initialisation, data source,
kind of noise, augmentation, schedule, the validation split and early stopping, and one small
run of each analysis a report row runs (sweep, comparison, stacked classifier, denoising curve,
embeddings). Each run names the components it uses; its numbers are the final losses, a few
statistics of the weights and the codes of the first samples, computed on one CPU thread.

After a numerics revision bump (docs/numerics.md), write the file again:

    make fingerprints      # AEGUI_UPDATE_FINGERPRINTS=1 python -m pytest tests/core/test_numerics_fingerprints.py

which refuses, naming them, runs whose numbers moved although none of their components'
revisions changed (AEGUI_UPDATE_FINGERPRINTS=force writes them anyway: only after checking why).
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
FILE = ROOT / "tests" / "core" / "numerics_fingerprints.json"
LIBRARIES = ("torch", "numpy", "scipy", "scikit-learn", "pillow")
# |a - b| <= ATOL + RTOL x max(|a|, |b|). Run with the kernels of other CPUs (MKL_CBWR=COMPATIBLE,
# SSE4_2, AVX, AVX2; OPENBLAS_CORETYPE=Prescott, Sandybridge, Haswell; ATEN_CPU_CAPABILITY=default,
# avx2; ONEDNN_MAX_CPU_ISA=AVX2, SSE41: 8.3e-5 at most, the locally connected run's codes), the
# numbers moved by at most 2e-4 of themselves (the VAE's weights, whose sampled codes
# carry rounding on) and 1.2e-6 absolute (a code near 0); ten times Adam's epsilon in the dense
# loop moved its runs by up to 0.22, another order of the salt-and-pepper draws the denoising
# runs by up to 1.8 (docs/numerics.md).
RTOL, ATOL = 1e-3, 1e-5
TRAINS = ("session", "settings", "data.split", "losses", "layers", "init")
_OPTIMIZERS = {"adam": "optimizer.adam", "adamw": "optimizer.adam", "sgd": "optimizer.sgd",
               "momentum": "optimizer.sgd", "rmsprop": "optimizer.sgd"}


@dataclass(frozen=True)
class Train:
    """One training: the experiment's sections (over a small CPU default), the loop that runs it
    and the data it reads ("font" or a name of _DATA)."""
    name: str
    loop: str                    # dense, eager, captured, scipy
    sections: dict = field(default_factory=dict)
    data: str = "font"


_SMALL = {"model": {"layers": [35, 12, 2, 12, 35], "hidden_activation": "relu", "init": "xavier"},
          "train": {"epochs": 30, "check_every": 10, "seed": 3, "seeds": 2, "device": "cpu", "learning_rate": 0.02}}
_FEW = {"data": {"chars": "abcdefgh"}}          # 8 glyphs: the scipy loop's line searches stay short


def _s(*parts: dict) -> dict:
    out: dict = {}
    for p in parts:
        for section, values in p.items():
            out.setdefault(section, {}).update(values)
    return out


def _kinds(loop: str, extra: dict | None = None) -> list[Train]:
    """Each model kind the loop trains, on Font3."""
    e = extra or {}
    kinds = {
        "ae": {},
        "dae": {"model": {"kind": "dae"}, "noise": {"kind": "salt_pepper", "level": 0.1,
                                                   "mode": "fixed" if loop in ("captured", "scipy") else "fresh",
                                                   "copies": 2}},
        "vae": {"model": {"kind": "vae", "beta": 0.5, "kl_warmup": 10}},
        "sparse": {"model": {"kind": "sparse", "sparsity": "kl", "latent_activation": "sigmoid"}},
        "contractive": {"model": {"kind": "contractive", "contractive_weight": 0.01}},
    }
    if loop == "scipy":
        kinds.pop("vae")        # refused: its loss is random
    return [Train(f"{loop}-{k}", loop, _s(_SMALL, v, e)) for k, v in kinds.items()]


TRAININGS: tuple[Train, ...] = (
    # the dense numpy loop: the plain autoencoder, each initialisation, a schedule and clipping
    Train("dense-ae-uniform", "dense", _s(_SMALL, {"model": {"init": "uniform"}})),
    Train("dense-ae-he-cosine-clip", "dense", _s(_SMALL, {"model": {"init": "he", "hidden_activation": "tanh"},
                                                           "train": {"schedule": "cosine", "clip_norm": 0.5}})),
    # the eager torch loop: every kind (Adam), every other optimizer, schedule and option
    *_kinds("eager"),
    Train("eager-sparse-topk", "eager", _s(_SMALL, {"model": {"kind": "sparse", "sparsity": "topk",
                                                              "sparsity_k": 1, "layers": [35, 12, 3, 12, 35]}})),
    Train("eager-sgd-step", "eager", _s(_SMALL, {"train": {"optimizer": "sgd", "learning_rate": 0.5,
                                                           "schedule": "step", "step_size": 10}})),
    Train("eager-momentum-exponential", "eager", _s(_SMALL, {"train": {"optimizer": "momentum", "momentum": 0.8,
                                                                       "learning_rate": 0.2, "schedule": "exponential",
                                                                       "decay_rate": 0.99}})),
    Train("eager-rmsprop-minibatch", "eager", _s(_SMALL, {"train": {"optimizer": "rmsprop", "learning_rate": 0.005,
                                                                    "batch_size": 8}})),
    Train("eager-adamw-dropout-mse", "eager", _s(_SMALL, {"model": {"dropout": 0.1, "hidden_activation": "elu"},
                                                          "train": {"optimizer": "adamw", "weight_decay": 0.01,
                                                                    "loss": "mse"}})),
    Train("eager-augment-val-split-patience", "eager", _s(_SMALL, {
        "augment": {"enabled": True, "splice": 0.2, "strokes": 0.1}, "data": {"val_split": 0.25, "split_seed": 1},
        "train": {"patience": 10, "epochs": 40, "check_every": 5}})),
    # the captured loop's CPU stand-in: every kind, and a minibatch
    *_kinds("captured"),
    Train("captured-ae-minibatch-bitflip-dae", "captured", _s(_SMALL, {
        "model": {"kind": "dae"}, "noise": {"kind": "bit_flip", "level": 0.05, "mode": "fixed", "copies": 2},
        "train": {"batch_size": 16}})),
    # the scipy loop: each method, each kind it trains, on 8 glyphs
    *_kinds("scipy", _s(_FEW, {"train": {"optimizer": "cg", "epochs": 4, "check_every": 2, "weight_decay": 1e-4}})),
    Train("scipy-bfgs-gaussian-dae", "scipy", _s(_SMALL, _FEW, {
        "model": {"kind": "dae", "layers": [35, 4, 2, 4, 35]}, "noise": {"kind": "gaussian", "level": 0.2,
                                                                          "mode": "fixed", "copies": 1},
        "train": {"optimizer": "bfgs", "epochs": 4, "check_every": 2, "weight_decay": 1e-4}})),
    Train("scipy-powell", "scipy", _s(_SMALL, _FEW, {
        "model": {"layers": [35, 2, 35]}, "train": {"optimizer": "powell", "epochs": 2, "check_every": 1,
                                                    "weight_decay": 1e-4, "seeds": 1}})),
    # every architecture, on the digits
    Train("eager-conv-digits", "eager", _s(_SMALL, {
        "data": {"source": "digits", "classes": [0, 1, 2], "max_samples": 48},
        "model": {"arch": "conv", "layers": [64, 4, 64], "channels": [4, 8], "input_shape": [8, 8]},
        "train": {"epochs": 6, "check_every": 3, "batch_size": 16, "learning_rate": 0.01}}), "digits"),
    Train("eager-convlayers-digits", "eager", _s(_SMALL, {
        "data": {"source": "digits", "classes": [0, 1, 2], "max_samples": 48},
        "model": {"arch": "convlayers", "layers": [64, 4, 64], "input_shape": [8, 8],
                  "conv_encoder": ["conv 4 3x3", "maxpool 2x2", "dense 4"],
                  "conv_decoder": ["dense 16", "reshape 4 4 1", "upsample 2x2", "conv 1 3x3"]},
        "train": {"epochs": 6, "check_every": 3, "batch_size": 16, "learning_rate": 0.01}}), "digits"),
    Train("eager-local-digits", "eager", _s(_SMALL, {
        "data": {"source": "digits", "classes": [0, 1, 2], "max_samples": 48},
        "model": {"arch": "local", "layers": [64, 128, 64], "channels": [2], "input_shape": [8, 8]},
        "train": {"epochs": 6, "check_every": 3, "batch_size": 16, "learning_rate": 0.01}}), "digits"),
    # every data source
    Train("eager-vae-emoji", "eager", _s(_SMALL, {
        "data": {"source": "emoji", "size": 16, "subcategories": ["face-tongue", "face-sleepy"]},
        "model": {"kind": "vae", "layers": [256, 16, 2, 16, 256]}, "train": {"epochs": 6, "check_every": 3}}), "emoji"),
    Train("eager-ae-folder", "eager", _s(_SMALL, {
        "data": {"source": "folder", "size": 8}, "model": {"layers": [64, 8, 2, 8, 64]},
        "train": {"epochs": 10, "check_every": 5}}), "folder"),
    Train("eager-ae-idx", "eager", _s(_SMALL, {
        "data": {"source": "idx"}, "model": {"layers": [64, 8, 2, 8, 64]},
        "train": {"epochs": 10, "check_every": 5, "batch_size": 16}}), "idx"),
    Train("eager-ae-catalogue", "eager", _s(_SMALL, {
        "data": {"source": "idx", "catalogue": "emnist-letters"}, "model": {"layers": [784, 8, 2, 8, 784]},
        "train": {"epochs": 4, "check_every": 2, "batch_size": 16}}), "catalogue"),
)


def training_components(loop: str, exp) -> set[str]:
    """The components a training of `exp` by `loop` uses."""
    from aegui.core.schema.kinds import kind_of
    out = {*TRAINS, f"loop.{loop}", f"objective.{exp.model.kind}", f"arch.{exp.model.arch}", f"data.{exp.data.source}"}
    if loop == "dense":
        out |= {"optimizer.dense-adam", "optimizer.schedule"}
    elif loop != "scipy":
        out |= {_OPTIMIZERS[exp.train.optimizer], "optimizer.schedule"}
    if kind_of(exp).corrupts_inputs:
        out.add("noise")
    if exp.augment.enabled:
        out.add("augment")
    if exp.data.catalogue:
        out.add("data.catalogue")
    return out


@contextmanager
def _noting_trainings():
    """[(loop, experiment)] of every training started inside: the start of each backend the one
    epoch loop runs (train/backends/), wrapped to note it (they train as before)."""
    from aegui.core.train.backends.capture import CapturedBackend
    from aegui.core.train.backends.dense import DenseBackend
    from aegui.core.train.backends.eager import EagerBackend
    from aegui.core.train.backends.scipy_opt import ScipyBackend
    seen: list = []
    wrapped = [(EagerBackend, "eager"), (ScipyBackend, "scipy"), (DenseBackend, "dense"),
               (CapturedBackend, "captured")]
    originals = [backend.__dict__["start"] for backend, _ in wrapped]

    def noting(loop, start):
        def noted(self, run):
            seen.append((loop, self.s.exp))
            return start(self, run)
        return noted

    for (backend, loop), original in zip(wrapped, originals):
        backend.start = noting(loop, original)
    try:
        yield seen
    finally:
        for (backend, _), original in zip(wrapped, originals):
            backend.start = original


def _components_of(seen, *more: str) -> list[str]:
    return sorted(set(more).union(*(training_components(loop, exp) for loop, exp in seen)))


# ---------------------------------------------------------------- data made for the runs

def _tiny_images(n: int, side: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n uint8 pictures side x side of 4 classes, each class lighting its own band of rows."""
    rng = np.random.default_rng(seed)
    labels = (np.arange(n) % 4).astype(np.uint8)
    images = rng.integers(0, 60, (n, side, side), dtype=np.uint8)
    band = side // 4
    for i, c in enumerate(labels):
        images[i, c * band:(c + 1) * band] = 255
    return images, labels


def make_data(folder: Path) -> dict[str, dict]:
    """The files the folder, IDX and catalogue runs read, written under `folder`; the data
    settings that name them."""
    from PIL import Image
    from aegui.core.data.mnist_files import write_idx
    images, labels = _tiny_images(12, 8, 1)
    for i, (img, lab) in enumerate(zip(images, labels)):
        (folder / "pictures" / f"class{lab}").mkdir(parents=True, exist_ok=True)
        Image.fromarray(255 - img).save(folder / "pictures" / f"class{lab}" / f"{i}.png")
    for sub in ("idx", "letters"):
        (folder / sub).mkdir()
    for name, n in (("train", 32), ("t10k", 12)):
        images, labels = _tiny_images(n, 8, 2 if name == "train" else 3)
        write_idx(folder / "idx" / f"{name}-images-idx3-ubyte", images)
        write_idx(folder / "idx" / f"{name}-labels-idx1-ubyte", labels)
    for role, n in (("train", 24), ("test", 8)):
        images, labels = _tiny_images(n, 28, 4 if role == "train" else 5)
        write_idx(folder / "letters" / f"{role}_images", images)
        write_idx(folder / "letters" / f"{role}_labels", labels + 1)     # EMNIST letters count from 1
    return {"folder": {"path": str(folder / "pictures")},
            "idx": {"path": str(folder / "idx" / "train-images-idx3-ubyte")}}


@contextmanager
def _catalogue_files(folder: Path):
    """The catalogue's files of a dataset read from `folder`/letters (the real ones are checked
    against the catalogue's hashes, which these small files cannot match)."""
    from aegui.core.data import local_files
    real = local_files.dataset_files
    local_files.dataset_files = lambda name: {f"{r}_{k}": folder / "letters" / f"{r}_{k}"
                                              for r in ("train", "test") for k in ("images", "labels")}
    try:
        yield
    finally:
        local_files.dataset_files = real


# ---------------------------------------------------------------- the numbers

def _round(v) -> float:
    return float(f"{float(v):.9g}")


def _weights(flat) -> dict[str, list[float]]:
    """Per model: the sum, the sum of squares and a ramp-weighted sum of its weights (float64)."""
    w = flat.detach().double().cpu().numpy()
    ramp = np.linspace(-1.0, 1.0, w.shape[1])
    return {"w_sum": [_round(x) for x in w.sum(1)], "w_sq": [_round(x) for x in (w * w).sum(1)],
            "w_ramp": [_round(x) for x in w @ ramp]}


def run_training(t: Train, data_settings: dict) -> dict:
    import torch
    from aegui.core.config.validation import experiment_from_dict
    from aegui.core.data.datasets import load_split
    from aegui.core.models.latent import encode
    from aegui.core.train.backends import capture
    from aegui.core.train.session import TrainingSession
    sections = _s(t.sections, {"data": data_settings.get(t.data, {})})
    exp = experiment_from_dict({"schema_version": 1, "name": t.name, **sections})
    data, val = load_split(exp.data)
    s = TrainingSession(exp, data, val_data=val, device="cpu")
    s.dense = t.loop == "dense"
    with _noting_trainings() as seen:
        records = list(capture.captured_steps(s) if t.loop == "captured" else s.steps())
    assert [loop for loop, _ in seen] == [t.loop], f"{t.name}: trained by {seen}, not the {t.loop} loop"
    last = records[-1]
    numbers = {"loss": [_round(x) for x in last.loss_per_model], "epoch": last.epoch,
               "mean_wrong": _round(last.mean_wrong), **_weights(s.model.flat)}
    if last.val_loss is not None:
        numbers["val_loss"] = _round(last.val_loss)
    with torch.no_grad():
        numbers["codes"] = [_round(x) for x in encode(s.best_model(), data.x[:3]).reshape(-1)]
    return {"components": _components_of(seen), "numbers": numbers}


def _numbers_of(node, prefix: str = "") -> dict[str, float]:
    """Every number in a (nested) result, by its place, times left out."""
    out = {}
    if isinstance(node, dict):
        for k, v in node.items():
            if "second" not in str(k) and "load" not in str(k):
                out.update(_numbers_of(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            out.update(_numbers_of(v, f"{prefix}[{i}]"))
    elif isinstance(node, (bool, np.bool_)):
        out[prefix] = float(node)
    elif isinstance(node, (int, float, np.integer, np.floating)) and np.isfinite(node):
        out[prefix] = _round(node)
    return out


_BASE = {"name": "fingerprint", "data": {"fonts": ["Font3"]},
         "model": {"kind": "ae", "layers": [35, 10, 2, 10, 35], "hidden_activation": "relu", "init": "xavier"},
         "train": {"loss": "bce", "optimizer": "adam", "learning_rate": 0.02, "epochs": 30, "seed": 5,
                   "device": "cpu", "check_every": 10}}


def run_analyses(data_settings: dict) -> dict[str, dict]:
    """One small run of each analysis a report row runs; each names the components of the
    trainings it started and its own."""
    from aegui.core.analyses.classify.classifier import ClassifierJob, spec_from_dict as classifier_spec
    from aegui.core.analyses.compare.runs import CompareJob, spec_from_dict as compare_spec
    from aegui.core.analyses.denoise.curve import DenoiseCurveJob, spec_from_dict as curve_spec
    from aegui.core.analyses.embedding import project
    from aegui.core.analyses.sweeps.sweep import SweepRunner, sweep_from_dict
    from aegui.core.data.image_data import digits_dataset
    out = {}
    with _noting_trainings() as seen:
        sweep = sweep_from_dict({"name": "fingerprint sweep", "base": _BASE, "seeds": 2,
                                 "vary": {"train.learning_rate": [0.01, 0.05], "train.loss": ["bce", "mse"]}})
        numbers = _numbers_of(SweepRunner(sweep).run().summaries())
    out["analysis-sweep"] = {"components": _components_of(seen, "analysis.sweep"), "numbers": numbers}
    with _noting_trainings() as seen:
        spec = compare_spec({"analysis": "compare", "name": "fingerprint compare", "test": "validation", "seeds": 2,
                             "base": {**_BASE, "data": {"fonts": ["Font3"], "val_split": 0.25}},
                             "runs": [{"label": "ae", "changes": {}},
                                      {"label": "vae", "changes": {"model": {"kind": "vae"}}}]})
        numbers = _numbers_of([{"train": r.train_loss.tolist(), "test": r.test_loss.tolist(), "metrics": r.metrics}
                               for r in CompareJob(spec).run().runs])
    out["analysis-compare"] = {"components": _components_of(seen, "analysis.compare"), "numbers": numbers}
    with _noting_trainings() as seen:
        # Two seeds of a glyph model whose step alone is large (32 rows x 60,000-unit layers: 1.46e8 multiply-adds,
        # above the session's 1e8) train one a session on the CPU; two of a small one side by side. The sessions
        # counted are the CPU stacking rule's numbers (the losses, alone or stacked, agree far within tolerance).
        wide = {**_BASE, "model": {**_BASE["model"], "layers": [35, 60000, 2, 60000, 35]},
                "train": {**_BASE["train"], "epochs": 3, "check_every": 1, "learning_rate": 0.001}}
        numbers = {}
        for name, base in (("large", wide), ("small", _BASE)):
            job = CompareJob(compare_spec({"analysis": "compare", "name": f"fingerprint {name} stack", "test": "none",
                                           "seeds": 2, "base": base}))
            runs = job.run().runs
            numbers[f"{name}.sessions"] = float(job.sessions_started)
            numbers.update(_numbers_of({"loss": [r.train_loss.tolist() for r in runs]}, name))
    out["analysis-stacking"] = {"components": _components_of(seen, "analysis.compare", "stacking"), "numbers": numbers}
    with _noting_trainings() as seen:
        spec = classifier_spec({"analysis": "classifier", "name": "fingerprint classifier",
                                "base": {"name": "ae", "data": {"source": "idx", "path": data_settings["idx"]["path"]},
                                         "model": {"layers": [64, 8, 64], "hidden_activation": "relu"},
                                         "train": {"optimizer": "adam", "learning_rate": 0.01, "epochs": 3,
                                                   "batch_size": 16, "seed": 4, "device": "cpu", "check_every": 1}},
                                "head": {"epochs": 3, "learning_rate": 0.01, "batch_size": 16, "seed": 7,
                                         "check_every": 1}})
        result = ClassifierJob(spec).run()
        numbers = _numbers_of({"pretrain_loss": result.pretrain_loss,
                               **{k: {"accuracy": r.accuracy, "train": r.train_accuracy, "history": r.history}
                                  for k, r in result.stages.items()}})
    # The heads train with optim.TensorAdam (torch Adam's component), outside a session.
    out["analysis-classifier"] = {"components": _components_of(seen, "analysis.classifier", "analysis.probe",
                                                               "optimizer.adam"), "numbers": numbers}
    with _noting_trainings() as seen:
        spec = curve_spec({"analysis": "denoising_curve", "name": "fingerprint curve", "seeds": 1, "repeats": 2,
                           "base": {**_BASE, "model": {**_BASE["model"], "kind": "dae"},
                                    "noise": {"kind": "salt_pepper", "level": 0.2}},
                           "kinds": ["salt_pepper", "bit_flip"], "levels": [0.1, 0.3], "noise_seed": 2})
        result = DenoiseCurveJob(spec).run()
        numbers = _numbers_of({"wrong": result.wrong.mean(-1).tolist(), "baseline": result.baseline.mean(-1).tolist()})
    out["analysis-denoise"] = {"components": _components_of(seen, "analysis.denoise", "noise"), "numbers": numbers}
    x = digits_dataset((0, 1, 2, 3), 40).x
    numbers = _numbers_of({m: project(x, m, seed=0)[:6].tolist() for m in ("pca", "tsne")})
    out["analysis-embedding"] = {"components": ["analysis.embedding", "data.digits"], "numbers": numbers}
    return out


def measure(folder: Path) -> dict:
    """The numbers of every run (`folder`: where the runs' files are written)."""
    from aegui.core.train.threads import torch_threads
    with torch_threads(1):
        settings = make_data(folder)
        runs = {}
        with _catalogue_files(folder):
            for t in TRAININGS:
                runs[t.name] = run_training(t, settings)
        runs.update(run_analyses(settings))
        return runs


def libraries() -> dict[str, str | None]:
    from importlib import metadata
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def current_revisions() -> dict[str, int]:
    from aegui.core.analyses.report import numerics
    return numerics.revisions(numerics.BY_NAME, ROOT)


# ---------------------------------------------------------------- comparing

def close(a: float, b: float) -> bool:
    return abs(a - b) <= ATOL + RTOL * max(abs(a), abs(b))


def moved(then: dict, now: dict) -> list[str]:
    """The numbers of one run that moved beyond the tolerance ("loss[0] 0.1234 -> 0.1240")."""
    out = []
    a, b = _numbers_of(then), _numbers_of(now)
    for key in sorted(set(a) | set(b)):
        if key not in a or key not in b:
            out.append(f"{key} {'gone' if key in a else 'new'}")
        elif not close(a[key], b[key]):
            out.append(f"{key} {a[key]:.9g} -> {b[key]:.9g}")
    return out


def verdict(recorded: dict, runs: dict, revisions: dict[str, int]) -> tuple[list[str], list[str]]:
    """(problems: runs whose numbers moved with no revision bump of theirs, each naming the likely
    components; bumped: what a regeneration would take in: revisions changed, runs moved that use
    a bumped component, runs added or gone)."""
    from aegui.core.analyses.report.numerics import BY_NAME
    then_rev = recorded.get("revisions", {})
    bumped = {n for n in set(revisions) | set(then_rev) if revisions.get(n) != then_rev.get(n)}
    problems, changes = [], [f"numerics revision of {BY_NAME[n].label if n in BY_NAME else n}: "
                                 f"{then_rev.get(n)} -> {revisions.get(n)}" for n in sorted(bumped)]
    silent, kept = {}, []
    for name, run in runs.items():
        old = recorded.get("runs", {}).get(name)
        if old is None:
            changes.append(f"run {name}: new")
            continue
        diff = moved(old["numbers"], run["numbers"])
        if not diff:
            kept.append(set(run["components"]))
        elif bumped & set(run["components"]):
            changes.append(f"run {name} moved (uses a bumped component)")
        else:
            silent[name] = (set(run["components"]), diff)
    changes += [f"run {name}: gone" for name in recorded.get("runs", {}) if name not in runs]
    if silent:
        for name, (_, diff) in sorted(silent.items()):
            problems.append(f"{name}: {', '.join(diff[:4])}{' ...' if len(diff) > 4 else ''}")
        problems.append("the numbers above moved without a numerics revision bump; " + _suspects(silent, kept)
                        + ". If the change is meant, bump the revision of the component you changed "
                        "(docs/numerics.md), then regenerate: make fingerprints")
    return problems, changes


def _suspects(silent: dict, kept: list[set]) -> str:
    """The components the runs that moved have in common, most likely first: those no run that
    kept its numbers uses, else by how few such runs use them (a change may move only some of the
    runs of a component: another kind of noise, another branch of an optimizer). When no component
    is in all the moved runs and in no unmoved one, two or three components that together are in
    every moved run and in fewer unmoved ones come first: a setting two components share (one
    epsilon read by both Adams) moves the runs of both."""
    from aegui.core.analyses.report.numerics import BY_NAME
    common = set.intersection(*(c for c, _ in silent.values()))
    using = {n: sum(n in k for k in kept) for n in common}
    ranked = sorted(common, key=lambda n: (using[n], n))
    shown = [n for n in ranked if using[n] == 0] or ranked[:4]
    where = "; ".join(f"{BY_NAME[n].label} ({BY_NAME[n].where}" + _also(using[n]) + ")" for n in shown)
    if all(using[n] == 0 for n in shown):
        return f"the component{'s' if len(shown) > 1 else ''} they have in common, and no unmoved run " \
               f"uses: {where}"
    cover = _cover(silent, kept)
    if cover and (not common or cover[0] < min(using.values())):
        _, groups = cover
        parts = "; ".join(" or ".join(f"{BY_NAME[n].label} ({BY_NAME[n].where})" for n in names)
                          + f" ({moved_n} of the {len(silent)} moved runs{_also(kept_n, ', ')})"
                          for names, moved_n, kept_n in groups)
        return (f"no one component is in every moved run and in no unmoved one; these together are in every moved "
                f"run and in the fewest unmoved ones, so a change to something they share is the most likely: "
                f"{parts}; then the components the moved runs all have in common: {where}")
    return f"the components they have in common, most likely first: {where}"


def _also(unmoved: int, lead: str = ", ") -> str:
    return f"{lead}also in {unmoved} unmoved run{'s' if unmoved > 1 else ''}" if unmoved else ""


def _cover(silent: dict, kept: list[set], most: int = 3):
    """(unmoved runs, [(names, moved runs, unmoved runs)]): the two or three components that
    together are in every moved run and in the fewest unmoved runs (then the fewest components);
    components in the very same runs form one group, as the runs cannot tell them apart. None
    when no such few cover the moved runs."""
    from itertools import combinations
    runs = [c for c, _ in silent.values()]
    groups: dict[tuple, list[str]] = {}
    for n in sorted({n for c in runs for n in c}):
        sign = (frozenset(i for i, c in enumerate(runs) if n in c), frozenset(i for i, k in enumerate(kept) if n in k))
        groups.setdefault(sign, []).append(n)
    everything = set(range(len(runs)))
    best = None
    for size in range(2, most + 1):
        for pick in combinations(groups, size):
            if set().union(*(m for m, _ in pick)) != everything:
                continue
            score = (len(set().union(*(k for _, k in pick))), size)
            if best is None or score < best[0]:
                best = (score, pick)
    if best is None:
        return None
    pick = sorted(best[1], key=lambda g: (-len(g[0]), len(g[1]), groups[g]))
    return best[0][0], [(groups[g], len(g[0]), len(g[1])) for g in pick]


def update(recorded: dict, runs: dict, revisions: dict[str, int], force: bool = False) -> list[str]:
    """Writes FILE with these runs and revisions; returns what changed. Refuses (AssertionError
    naming them) runs that moved with no bump of theirs, unless `force` or the libraries changed."""
    problems, changes = verdict(recorded, runs, revisions) if recorded else ([], [])
    assert not problems or force or recorded.get("libraries") != libraries(), \
        "not written:\n  " + "\n  ".join(problems)
    FILE.write_text(json.dumps({"libraries": libraries(), "tolerance": {"rtol": RTOL, "atol": ATOL},
                                "revisions": revisions, "runs": runs}, indent=1, sort_keys=True) + "\n")
    return changes + problems
