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
     "max_samples": 0}                              # training images used (0 = all)

The head and the encoder train on the training files; the test files are never seen until
they are scored. Each stage is a ProbeJob (core/analyses/classify/probe.py) on the official split.

With `out_dir` the pretrained autoencoder and each finished stage are saved as they finish
(out_dir/autoencoder/, out_dir/<stage>.json), and a later job with the same settings picks up
after the last finished stage.

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
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from aegui.core.analyses.classify.probe import (ProbeConfig, ProbeJob, ProbeRunProgress, confusion_csv, official_probe_data,
                                       probe_config_from_dict, run_staged)
from aegui.core.schema.experiment import ConfigError, Experiment
from aegui.core.jobs.job import CANCELLED, FINISHED, Job

ANALYSIS = "classifier"
SPEC_KEYS = ("analysis", "name", "description", "time_2cores_s", "base", "head", "compare", "max_samples")
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
    name: str
    base: Experiment
    head: ProbeConfig = ProbeConfig(fine_tune=True)
    compare: tuple[str, ...] = ("frozen", "pixels")
    max_samples: int = 0
    description: str = ""
    time_2cores_s: float | None = None
    source: str | None = field(default=None, compare=False)

    @property
    def stages(self) -> tuple[str, ...]:
        return ("fine-tuned", *self.compare)

    def config(self, stage: str) -> ProbeConfig:
        return replace(self.head, fine_tune=stage == "fine-tuned")

    def key(self, stage: str) -> str:
        """What a saved stage depends on: the autoencoder's experiment, the head and the data."""
        raw = {"base": self.base.to_dict(), "head": asdict(self.config(stage)), "max_samples": self.max_samples,
               "stage": stage}
        return hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()[:16]


def spec_from_dict(raw, source: str | None = None, base_dir=None) -> ClassifierSpec:
    from aegui.core.analyses.sweeps.sweep import _load_base, check_analysis_file

    def bad(key, problem):
        raise ConfigError(key, problem, source)

    check_analysis_file(raw, SPEC_KEYS, ANALYSIS, source, what="a classifier file", has="a classifier file")
    if "base" not in raw:
        bad("base", "missing: the autoencoder to pretrain (an experiment object or a config path)")
    base = _load_base(raw["base"], source, Path(base_dir) if base_dir is not None else None)[0]
    if base.data.source != "idx":
        bad("base.data.source", "the classifier is scored on an official test set: use MNIST-style IDX data "
            "(data.source idx, with a data.catalogue name or the files' path)")
    head = probe_config_from_dict({**raw.get("head", {}), "fine_tune": True}, source)
    compare = raw.get("compare", ["frozen", "pixels"])
    if not isinstance(compare, list) or any(c not in STAGES[1:] for c in compare) or len(set(compare)) != len(compare):
        bad("compare", f"must list some of {', '.join(STAGES[1:])}, each once, got {compare!r}")
    ms = raw.get("max_samples", 0)
    if not isinstance(ms, int) or isinstance(ms, bool) or ms < 0:
        bad("max_samples", f"must be 0 (all) or a positive whole number, got {ms!r}")
    stated = raw.get("time_2cores_s")
    if stated is not None and (isinstance(stated, bool) or not isinstance(stated, (int, float)) or stated <= 0):
        bad("time_2cores_s", f"must be a positive number of seconds, got {stated!r}")
    return ClassifierSpec(str(raw.get("name", base.name)), base, head, tuple(compare), ms,
                          str(raw.get("description", "")), stated, source)


def load_spec(path) -> ClassifierSpec:
    from aegui.core.files.jsonfile import read_json
    path = Path(path)
    return spec_from_dict(read_json(path), str(path), path.parent)


# ---------------------------------------------------------------- results

@dataclass
class StageResult:
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
        return {"stage": self.stage, "features": self.features, "classes": self.classes,
                "accuracy": self.accuracy, "train_accuracy": self.train_accuracy,
                "confusion": self.confusion.tolist(), "history": self.history, "seconds": round(self.seconds, 3),
                "report": self.report, "n_train": self.n_train, "n_test": self.n_test, "key": self.key}

    @classmethod
    def from_dict(cls, raw: dict, loaded: bool = True) -> "StageResult":
        return cls(raw["stage"], raw["features"], list(raw["classes"]), float(raw["accuracy"]),
                   float(raw["train_accuracy"]), np.asarray(raw["confusion"], dtype=np.int64), list(raw["history"]),
                   float(raw["seconds"]), dict(raw["report"]), int(raw["n_train"]), int(raw["n_test"]),
                   raw.get("key", ""), loaded)


@dataclass
class ClassifierResult:
    spec: ClassifierSpec
    stages: dict[str, StageResult]
    pretrain_seconds: float
    pretrain_loss: float | None
    seconds: float
    cancelled: bool = False
    dataset: str = ""

    def write(self, out_dir) -> dict[str, Path]:
        """Per stage: <stage>-report.csv / .txt, <stage>-confusion.csv, <stage>-history.csv; and
        accuracy.csv (one row per stage)."""
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
        return paths


# ---------------------------------------------------------------- running

@dataclass(kw_only=True)
class ClassifierProgress(ProbeRunProgress):
    """ClassifierJob's: "run_remade" (a damaged saved stage, made again: `message` names it),
    "pretraining" / "pretrain_loaded", each stage's ProbeJob items ("running", with their
    `stage`), "stage_done" (with its `accuracy`) / "stage_loaded", then "finished" / "cancelled"
    with the ClassifierResult as `result`."""
    message: str = ""
    accuracy: float | None = None   # the stage's test accuracy, when it is done


class ClassifierJob(Job):
    def __init__(self, spec: ClassifierSpec, out_dir=None, *, device: str | None = None):
        self.spec = spec
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.device = device
        self._stop_current = None     # stops the session or job running now
        self.remade: list[str] = []     # sentences naming the saved stages found damaged
        self.data, self.split = official_probe_data(spec.base, spec.max_samples, spec.source)

    def cancel(self) -> None:
        super().cancel()
        stop = self._stop_current
        if stop is not None:
            stop()

    def _pretrained(self):
        """The autoencoder saved by an earlier job with the same experiment, or None."""
        if self.out_dir is None:
            return None
        folder = self.out_dir / "autoencoder"
        if not (folder / "model.json").is_file():
            return None
        from aegui.core.runs.storage import load_model
        try:
            model, exp, meta = load_model(folder)
        except (OSError, ValueError):
            return None
        if exp.to_dict() != self.spec.base.to_dict():
            return None
        return model, meta.get("metrics", {})

    def _stage_loaded(self, stage: str) -> StageResult | None:
        """The stage saved by an earlier job, or None; a damaged one is named in self.remade
        and made again."""
        if self.out_dir is None:
            return None
        from aegui.core.analyses.report.files import discard, read_saved_stage
        path = self.out_dir / f"{stage}.json"
        try:
            raw = read_saved_stage(path, self.spec.key(stage))
        except ConfigError as err:
            self.remade.append(f"{err}; running stage {stage!r} again")
            discard(path)
            return None
        return None if raw is None else StageResult.from_dict(raw)

    def steps(self) -> Iterator[ClassifierProgress]:
        from aegui.core.data.datasets import from_config
        from aegui.core.files.atomic import atomic_write_text
        from aegui.core.train.session import TrainingSession
        start = time.perf_counter()

        def item(state: str, fraction: float, **fields) -> ClassifierProgress:
            return ClassifierProgress(state=state, fraction=fraction, elapsed=time.perf_counter() - start, **fields)

        stages = self.spec.stages
        self.remade = []
        loaded = {s: self._stage_loaded(s) for s in stages}
        for message in self.remade:
            yield item("run_remade", 0.0, message=message)
        need_model = any(loaded[s] is None for s in stages if s != "pixels")
        model, pre_seconds, pre_loss = None, 0.0, None
        share = 0.4 if need_model else 0.0
        if need_model:
            got = self._pretrained()
            if got is not None:
                model, metrics = got
                pre_seconds, pre_loss = float(metrics.get("seconds", 0.0)), metrics.get("final_loss")
                yield item("pretrain_loaded", share)
            else:
                exp = self.spec.base
                session = TrainingSession(exp, from_config(exp.data), device=self.device)
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
                    yield item(CANCELLED, 0.0)
                    return
                pre_seconds, pre_loss = time.perf_counter() - t0, rec.losses.get("total")
                model = session.best_model()
                if self.out_dir is not None:
                    from aegui.core.runs.storage import save_model
                    save_model(self.out_dir / "autoencoder", model, exp,
                               {"seconds": round(pre_seconds, 3), "final_loss": pre_loss})
        results: dict[str, StageResult] = {}
        todo = [s for s in stages if loaded[s] is None]
        per = (1 - share) / max(1, len(todo))
        offset = share
        for stage in stages:
            if loaded[stage] is not None:
                results[stage] = loaded[stage]
                yield item("stage_loaded", offset, stage=stage)
                continue
            if self.cancelled:
                break
            job = ProbeJob(None if stage == "pixels" else model, self.data, self.spec.config(stage), split=self.split)
            self._stop_current = job.cancel
            last = yield from run_staged(job, ClassifierProgress, stage, offset, per, start)
            self._stop_current = None
            offset += per
            if self.cancelled:
                break
            r = last.result
            report = classification_report(r.confusion, r.classes)
            results[stage] = StageResult(stage, FEATURES[stage], list(r.classes), float(r.val_accuracy),
                                         float(r.train_accuracy), r.confusion, r.history, r.seconds, report,
                                         r.n_train, r.n_val, self.spec.key(stage))
            if self.out_dir is not None:
                atomic_write_text(self.out_dir / f"{stage}.json", json.dumps(results[stage].to_dict(), indent=2) + "\n")
            yield item("stage_done", offset, stage=stage, accuracy=results[stage].accuracy)
        cancelled = self.cancelled and len(results) < len(stages)
        result = ClassifierResult(self.spec, results, pre_seconds, pre_loss, time.perf_counter() - start, cancelled,
                                  self.data.name)
        yield ClassifierProgress(state=CANCELLED if cancelled else FINISHED, fraction=1.0, elapsed=result.seconds,
                                 result=result)
