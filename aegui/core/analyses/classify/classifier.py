"""The stacked-autoencoder classifier as the course report (seed 003) builds it: pretrain an
autoencoder on the images, then train its encoder and a softmax head together on the labels
(fine-tuning), and score it on the official test set with a per-class precision / recall /
F1 / support table and the confusion matrix. Beside it, with the same head and budget: the
frozen encoder's codes (a linear probe of what the pretraining alone learnt) and the raw pixels.

A classifier file (resources/analyses/classifier-*.json)::

    {"analysis": "classifier", "name": "...", "description": "...", "time_2cores_s": 300,
     "base": "../presets/x.json" | {experiment},    # the autoencoder, pretrained first (idx data)
     "head": {ProbeConfig fields},                  # fine-tuning: fine_tune is set here
     "compare": ["frozen", "pixels"],               # also train the head on these (default both)
     "max_samples": 0,                              # training images used (0 = all)
     "seeds": 1}                                    # runs of the whole study (1 to 100)

The head and the encoder train on the training files; the test files are never seen until
they are scored. Each stage is a ProbeJob (core/analyses/classify/probe.py) on the official split.

With `out_dir` the pretrained autoencoder and each finished stage are saved as they finish
(out_dir/autoencoder/, out_dir/<stage>.json), and a later job with the same settings picks up
after the last finished stage.

With `seeds` N, seed k (0-based) pretrains with base.train.seed + k and trains each head with
head.seed + k. Seed 0 keeps the one-seed layout inside out_dir (a study first run with one seed
resumes as it was); seed k > 0 lives in out_dir/seed-k/ with the same layout. The report takes
each stage's accuracy as a mean ± std over the seeds.

Job shape::

    job = ClassifierJob(spec, out_dir)
    for p in job.steps(): ...   # ClassifierProgress: "pretraining" (epoch, epochs, loss),
                                # "running" (a stage's ProbeJob items, with their stage),
                                # "stage_done" | "stage_loaded" per stage, and last
                                # "finished" | "cancelled" with the ClassifierResult as `result`
    job.cancel()
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from aegui.core.analyses.classify.probe import (ProbeConfig, ProbeJob, ProbeRunProgress, confusion_csv, official_probe_data,
                                       probe_config_from_dict, run_staged)
from aegui.core.schema.experiment import ConfigError, Experiment, shown
from aegui.core.data.sources import source_of
from aegui.core.jobs.job import CANCELLED, FINISHED, Job

# The numerics revision of the stacked classifier: bump it with any change to the numbers computed
# here (docs/numerics.md; the report's rows that use it are then made again).
NUMERICS = 1

ANALYSIS = "classifier"
SPEC_KEYS = ("analysis", "name", "description", "time_2cores_s", "base", "head", "compare", "max_samples", "seeds")
STAGES = ("fine-tuned", "frozen", "pixels")
FEATURES = {"fine-tuned": "encoder + softmax head trained together (fine-tuned)",
            "frozen": "softmax head on the frozen encoder's codes", "pixels": "softmax head on the raw pixels"}


# ---------------------------------------------------------------- the per-class report

def classification_report(confusion: np.ndarray, classes: Sequence[str]) -> dict:
    """Per class precision, recall, F1 and support from a confusion matrix (rows = true class,
    columns = predicted), with accuracy and the macro and support-weighted averages, as
    scikit-learn's classification_report gives them (0 where a class is never predicted)."""
    m = np.asarray(confusion, dtype=float)
    tp = np.diag(m)
    support = m.sum(1)
    predicted = m.sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(support > 0, tp / support, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    rows = [{"class": str(c), "precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for c, p, r, f, s in zip(classes, precision, recall, f1, support)]
    n = support.sum()
    weights = support / n if n else np.zeros_like(support)
    return {"classes": rows, "accuracy": float(tp.sum() / n) if n else 0.0, "support": int(n),
            "macro": {"precision": float(precision.mean()), "recall": float(recall.mean()), "f1": float(f1.mean())},
            "weighted": {"precision": float((precision * weights).sum()), "recall": float((recall * weights).sum()),
                         "f1": float((f1 * weights).sum())}}


def report_rows(report: dict) -> tuple[list[str], list[list[str]]]:
    """The report's header and rows laid out like scikit-learn's (two decimals; an empty row
    before the accuracy), as texts: report_text prints them, the course report draws them."""
    header = ["", "precision", "recall", "f1-score", "support"]
    rows = [[r["class"], f"{r['precision']:.2f}", f"{r['recall']:.2f}", f"{r['f1']:.2f}", str(r["support"])]
            for r in report["classes"]]
    rows.append(["", "", "", "", ""])
    rows.append(["accuracy", "", "", f"{report['accuracy']:.2f}", str(report["support"])])
    for name in ("macro", "weighted"):
        a = report[name]
        rows.append([f"{name} avg", f"{a['precision']:.2f}", f"{a['recall']:.2f}", f"{a['f1']:.2f}",
                     str(report["support"])])
    return header, rows


def report_text(report: dict) -> str:
    """The report laid out like scikit-learn's (two decimals)."""
    header, rows = report_rows(report)
    width = max(12, *(len(r["class"]) + 2 for r in report["classes"]))
    line = lambda cells: f"{cells[0]:>{width}}" + "".join(f"{c:>10}" for c in cells[1:])   # noqa: E731
    return "\n".join([line(header), ""] + ["" if not any(r) else line(r) for r in rows]) + "\n"


def report_csv(report: dict) -> str:
    """The per-class precision / recall / F1 / support table as CSV, with the accuracy and the macro and
    weighted averages as its last rows."""
    lines = ["class,precision,recall,f1,support"]
    for r in report["classes"]:
        name = f'"{r["class"]}"' if "," in r["class"] else r["class"]
        lines.append(f"{name},{r['precision']:.4f},{r['recall']:.4f},{r['f1']:.4f},{r['support']}")
    lines.append(f"accuracy,,,{report['accuracy']:.4f},{report['support']}")
    for name in ("macro", "weighted"):
        a = report[name]
        lines.append(f"{name} avg,{a['precision']:.4f},{a['recall']:.4f},{a['f1']:.4f},{report['support']}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the file

@dataclass(frozen=True)
class ClassifierSpec:
    """A classifier file read: the autoencoder to pretrain, the head that fine-tunes it, the stages compared
    with it, and how many seeds the study runs."""
    name: str
    base: Experiment
    head: ProbeConfig = ProbeConfig(fine_tune=True)
    compare: tuple[str, ...] = ("frozen", "pixels")
    max_samples: int = 0
    description: str = ""
    time_2cores_s: float | None = None
    source: str | None = field(default=None, compare=False)
    seeds: int = 1

    @property
    def stages(self) -> tuple[str, ...]:
        """The stages in the order they run: "fine-tuned" first, then the compared ones."""
        return ("fine-tuned", *self.compare)

    def config(self, stage: str) -> ProbeConfig:
        """The head's settings for one stage: only the fine-tuned stage trains the encoder too."""
        return replace(self.head, fine_tune=stage == "fine-tuned")

    def for_seed(self, k: int) -> "ClassifierSpec":
        """Seed k's study alone: its autoencoder and heads start from their seeds + k. Seed 0 is
        this spec's own settings, so the files a one-seed study saved keep their keys."""
        if k == 0:
            return replace(self, seeds=1)
        from aegui.core.config.validation import with_changes
        return replace(self, base=with_changes(self.base, train={"seed": self.base.train.seed + k}),
                       head=replace(self.head, seed=self.head.seed + k), seeds=1)

    def key(self, stage: str) -> str:
        """What a saved stage depends on: the autoencoder's experiment, the head and the data."""
        raw = {"base": self.base.to_dict(), "head": asdict(self.config(stage)), "max_samples": self.max_samples,
               "stage": stage}
        return hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()[:16]


def spec_from_dict(raw, source: str | None = None, base_dir=None) -> ClassifierSpec:
    """A classifier file's contents checked and read; the base is loaded (relative to `base_dir`) and must have
    an official test set."""
    from aegui.core.analyses.sweeps.sweep import _load_base, check_analysis_file, check_seed_count

    def bad(key, problem):
        raise ConfigError(key, problem, source)

    check_analysis_file(raw, SPEC_KEYS, ANALYSIS, source, what="a classifier file", has="a classifier file")
    if "base" not in raw:
        bad("base", "missing: the autoencoder to pretrain (an experiment object or a config path)")
    base = _load_base(raw["base"], source, Path(base_dir) if base_dir is not None else None)[0]
    if not source_of(base.data).official_test:
        bad("base.data.source", "the classifier is scored on an official test set: use MNIST-style IDX data "
            "(data.source idx, with a data.catalogue name or the files' path)")
    head = probe_config_from_dict({**raw.get("head", {}), "fine_tune": True}, source)
    compare = raw.get("compare", ["frozen", "pixels"])
    if not isinstance(compare, list) or any(c not in STAGES[1:] for c in compare) or len(set(compare)) != len(compare):
        bad("compare", f"must list some of {', '.join(STAGES[1:])}, each once, got {shown(compare)}")
    ms = raw.get("max_samples", 0)
    if not isinstance(ms, int) or isinstance(ms, bool) or ms < 0:
        bad("max_samples", f"must be 0 (all) or a positive whole number, got {shown(ms)}")
    seeds = raw.get("seeds", 1)
    check_seed_count(seeds, bad)
    stated = raw.get("time_2cores_s")
    if stated is not None and (isinstance(stated, bool) or not isinstance(stated, (int, float)) or stated <= 0):
        bad("time_2cores_s", f"must be a positive number of seconds, got {shown(stated)}")
    return ClassifierSpec(str(raw.get("name", base.name)), base, head, tuple(compare), ms,
                          str(raw.get("description", "")), stated, source, seeds)


def load_spec(path) -> ClassifierSpec:
    """The classifier file at `path`, its base resolved beside it."""
    from aegui.core.files.jsonfile import read_json
    path = Path(path)
    return spec_from_dict(read_json(path), str(path), path.parent)


# ---------------------------------------------------------------- results

@dataclass
class StageResult:
    """One stage scored on the official test set: accuracy, the per-class report, the confusion matrix and its
    training history."""
    stage: str
    features: str
    classes: list[str]
    accuracy: float               # on the official test set
    train_accuracy: float
    confusion: np.ndarray         # test set; rows = true class
    history: list[dict]
    seconds: float
    report: dict
    n_train: int
    n_test: int
    key: str = ""
    loaded: bool = False

    def to_dict(self) -> dict:
        """As saved in <stage>.json (the confusion matrix as nested lists)."""
        return {"stage": self.stage, "features": self.features, "classes": self.classes,
                "accuracy": self.accuracy, "train_accuracy": self.train_accuracy,
                "confusion": self.confusion.tolist(), "history": self.history, "seconds": round(self.seconds, 3),
                "report": self.report, "n_train": self.n_train, "n_test": self.n_test, "key": self.key}

    @classmethod
    def from_dict(cls, raw: dict, loaded: bool = True) -> "StageResult":
        """A stage read back from <stage>.json; `loaded` marks it as picked up from an earlier job rather than
        run now."""
        return cls(raw["stage"], raw["features"], list(raw["classes"]), float(raw["accuracy"]),
                   float(raw["train_accuracy"]), np.asarray(raw["confusion"], dtype=np.int64), list(raw["history"]),
                   float(raw["seconds"]), dict(raw["report"]), int(raw["n_train"]), int(raw["n_test"]),
                   raw.get("key", ""), loaded)


@dataclass
class ClassifierResult:
    """Every stage of seed 0 (and each seed's, with more), the pretraining's time and loss, and whether it was
    cancelled."""
    spec: ClassifierSpec
    stages: dict[str, StageResult]
    pretrain_seconds: float
    pretrain_loss: float | None
    seconds: float
    cancelled: bool = False
    dataset: str = ""
    seed_stages: list[dict[str, StageResult]] = field(default_factory=list)   # every seed's; [0] is `stages`

    def write(self, out_dir) -> dict[str, Path]:
        """Per stage: <stage>-report.csv / .txt, <stage>-confusion.csv, <stage>-history.csv; and
        accuracy.csv (one row per stage), all of seed 0; with more seeds, accuracy-seeds.csv (one
        row per seed and stage)."""
        from aegui.core.files.atomic import atomic_write_text
        out = Path(out_dir)
        paths = {}
        for name, r in self.stages.items():
            paths[f"{name}-report.csv"] = out / f"{name}-report.csv"
            atomic_write_text(paths[f"{name}-report.csv"], report_csv(r.report))
            atomic_write_text(out / f"{name}-report.txt", report_text(r.report))
            atomic_write_text(out / f"{name}-confusion.csv", confusion_csv(r.classes, r.confusion))
            cols = ["epoch", "loss", "train_accuracy", "val_accuracy", "val_loss"]
            lines = [",".join(cols)] + [",".join("" if h.get(c) is None else f"{h[c]:.6g}" if isinstance(h[c], float)
                                                 else str(h[c]) for c in cols) for h in r.history]
            atomic_write_text(out / f"{name}-history.csv", "\n".join(lines) + "\n")
        lines = ["stage,features,test_accuracy,train_accuracy,macro_f1,n_train,n_test,seconds"]
        for name, r in self.stages.items():
            lines.append(f"{name},\"{r.features}\",{r.accuracy:.4f},{r.train_accuracy:.4f},{r.report['macro']['f1']:.4f},"
                         f"{r.n_train},{r.n_test},{r.seconds:.1f}")
        paths["accuracy.csv"] = out / "accuracy.csv"
        atomic_write_text(paths["accuracy.csv"], "\n".join(lines) + "\n")
        if len(self.seed_stages) > 1:
            lines = ["seed,stage,test_accuracy,macro_f1"] + [
                f"{k},{name},{r.accuracy:.4f},{r.report['macro']['f1']:.4f}"
                for k, stages in enumerate(self.seed_stages) for name, r in stages.items()]
            paths["accuracy-seeds.csv"] = out / "accuracy-seeds.csv"
            atomic_write_text(paths["accuracy-seeds.csv"], "\n".join(lines) + "\n")
        return paths


# ---------------------------------------------------------------- running

@dataclass(kw_only=True)
class ClassifierProgress(ProbeRunProgress):
    """ClassifierJob's: "run_remade" (a damaged saved stage, made again: `message` names it),
    "pretraining" / "pretrain_loaded", each stage's ProbeJob items ("running", with their
    `stage`), "stage_done" (with its `accuracy`) / "stage_loaded", each with the `seed` it
    belongs to, then "finished" / "cancelled" with the ClassifierResult as `result`."""
    message: str = ""
    accuracy: float | None = None   # the stage's test accuracy, when it is done
    seed: int = 0                   # which of the spec's seeds (0-based)
    seeds: int = 1                  # how many the spec runs


@dataclass
class _SeedDone:
    stages: dict[str, StageResult]
    pretrain_seconds: float
    pretrain_loss: float | None


class ClassifierJob(Job):
    """Pretrains the spec's autoencoder, then trains each stage's head on the official split, per seed; with
    `out_dir` each finished piece is saved and picked up again by a later job."""
    def __init__(self, spec: ClassifierSpec, out_dir=None, *, device: str | None = None):
        self.spec = spec
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.device = device
        self._stop_current = None     # stops the session or job running now
        self.remade: list[str] = []     # sentences naming the saved stages found damaged
        self.data, self.split = official_probe_data(spec.base, spec.max_samples, spec.source)
        self._pretrain_data = None      # the autoencoder's training set, read once for every seed

    def cancel(self) -> None:
        """Cancels the job and stops whatever trains now (the pretraining session or a stage's head)."""
        super().cancel()
        stop = self._stop_current
        if stop is not None:
            stop()

    def seed_folder(self, k: int) -> Path | None:
        """Where seed k's files live: out_dir itself for seed 0, out_dir/seed-k for the others."""
        if self.out_dir is None:
            return None
        return self.out_dir if k == 0 else self.out_dir / f"seed-{k}"

    @staticmethod
    def _pretrained(folder: Path | None, base: Experiment):
        """The autoencoder saved in `folder` by an earlier job with the same experiment, or None."""
        if folder is None or not (folder / "autoencoder" / "model.json").is_file():
            return None
        from aegui.core.runs.storage import load_model
        try:
            model, exp, meta = load_model(folder / "autoencoder")
        except (OSError, ValueError):
            return None
        if exp.to_dict() != base.to_dict():
            return None
        return model, meta.get("metrics", {})

    def _stage_loaded(self, folder: Path | None, spec: ClassifierSpec, stage: str) -> StageResult | None:
        """The stage saved in `folder` by an earlier job, or None; a damaged one is named in
        self.remade and made again."""
        if folder is None:
            return None
        from aegui.core.analyses.report.files import discard, read_saved_stage
        path = folder / f"{stage}.json"
        try:
            raw = read_saved_stage(path, spec.key(stage))
        except ConfigError as err:
            self.remade.append(f"{err}; running stage {shown(stage)} again")
            discard(path)
            return None
        return None if raw is None else StageResult.from_dict(raw)

    def _pretrain(self, spec: ClassifierSpec, folder: Path | None, item, share: float):
        """Yields the pretraining's progress; returns (model, seconds, final loss), or None when
        cancelled."""
        from aegui.core.data.datasets import from_config
        from aegui.core.train.session import TrainingSession
        exp = spec.base
        if self._pretrain_data is None:
            self._pretrain_data = from_config(exp.data)
        session = TrainingSession(exp, self._pretrain_data, device=self.device)
        self._stop_current = session.stop
        if self.cancelled:
            session.stop()
        t0 = time.perf_counter()
        rec = None
        for rec in session.steps():
            yield item("pretraining", share * rec.epoch / rec.total_epochs, epoch=rec.epoch,
                       epochs=rec.total_epochs, loss=rec.losses.get("total"))
        self._stop_current = None
        if self.cancelled or rec is None:
            return None
        seconds, loss = time.perf_counter() - t0, rec.losses.get("total")
        model = session.best_model()
        if folder is not None:
            from aegui.core.runs.storage import save_model
            save_model(folder / "autoencoder", model, exp, {"seconds": round(seconds, 3), "final_loss": loss})
        return model, seconds, loss

    def _seed(self, k: int, start: float, low: float, span: float):
        """Seed k's pretraining and stages, its progress over [low, low + span] of the whole job;
        returns a _SeedDone (its stages so far when cancelled in a stage), or None when cancelled
        while pretraining."""
        from aegui.core.files.atomic import atomic_write_text
        spec, folder = self.spec.for_seed(k), self.seed_folder(k)

        def item(state: str, fraction: float, **fields) -> ClassifierProgress:
            return ClassifierProgress(state=state, fraction=low + span * fraction, elapsed=time.perf_counter() - start,
                                      seed=k, seeds=self.spec.seeds, **fields)

        stages = spec.stages
        self.remade = []
        loaded = {s: self._stage_loaded(folder, spec, s) for s in stages}
        for message in self.remade:
            yield item("run_remade", 0.0, message=message)
        need_model = any(loaded[s] is None for s in stages if s != "pixels")
        model, pre_seconds, pre_loss = None, 0.0, None
        share = 0.4 if need_model else 0.0
        if need_model:
            got = self._pretrained(folder, spec.base)
            if got is not None:
                model, metrics = got
                pre_seconds, pre_loss = float(metrics.get("seconds", 0.0)), metrics.get("final_loss")
                yield item("pretrain_loaded", share)
            else:
                trained = yield from self._pretrain(spec, folder, item, share)
                if trained is None:
                    return None
                model, pre_seconds, pre_loss = trained
        results: dict[str, StageResult] = {}
        per = (1 - share) / max(1, sum(loaded[s] is None for s in stages))
        offset = share
        for stage in stages:
            if loaded[stage] is not None:
                results[stage] = loaded[stage]
                yield item("stage_loaded", offset, stage=stage)
                continue
            if self.cancelled:
                break
            job = ProbeJob(None if stage == "pixels" else model, self.data, spec.config(stage), split=self.split)
            self._stop_current = job.cancel
            tagged = partial(ClassifierProgress, seed=k, seeds=self.spec.seeds)
            last = yield from run_staged(job, tagged, stage, low + span * offset, span * per, start)
            self._stop_current = None
            offset += per
            if self.cancelled:
                break
            r = last.result
            report = classification_report(r.confusion, r.classes)
            results[stage] = StageResult(stage, FEATURES[stage], list(r.classes), float(r.val_accuracy),
                                         float(r.train_accuracy), r.confusion, r.history, r.seconds, report,
                                         r.n_train, r.n_val, spec.key(stage))
            if folder is not None:
                atomic_write_text(folder / f"{stage}.json", json.dumps(results[stage].to_dict(), indent=2) + "\n")
            yield item("stage_done", offset, stage=stage, accuracy=results[stage].accuracy)
        return _SeedDone(results, pre_seconds, pre_loss)

    def steps(self) -> Iterator[ClassifierProgress]:
        """Runs the spec's seeds one after another and yields ClassifierProgress, ending with the result
        (cancelled after a seed: the finished seeds are kept)."""
        start = time.perf_counter()
        n = self.spec.seeds
        done: list[_SeedDone] = []
        remade: list[str] = []
        for k in range(n):
            if self.cancelled and done:
                break
            seed = yield from self._seed(k, start, k / n, 1 / n)
            remade += self.remade
            if seed is None:
                break
            done.append(seed)
        self.remade = remade
        if not done:
            yield ClassifierProgress(state=CANCELLED, fraction=0.0, elapsed=time.perf_counter() - start)
            return
        whole = len(self.spec.stages)
        cancelled = self.cancelled and (len(done) < n or len(done[-1].stages) < whole)
        result = ClassifierResult(self.spec, done[0].stages, sum(d.pretrain_seconds for d in done),
                                  done[0].pretrain_loss, time.perf_counter() - start, cancelled, self.data.name,
                                  [d.stages for d in done])
        yield ClassifierProgress(state=CANCELLED if cancelled else FINISHED, fraction=1.0, elapsed=result.seconds,
                                 result=result)
