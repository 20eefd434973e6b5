"""One epoch loop for every backend (aegui/core/train/loop/epochs.py), the observers doing what is not
a step, and what follows from it.

- The backends (eager torch, captured CUDA graphs, dense numpy, scipy) hold no target, divergence
  or best-model logic and read no observer's state: an ast scan of their modules, with a check that
  the scan finds each way of doing so.
- Each folder of aegui/core/train holds at most 15 modules.
- One written-out Adam per backend: the torch one (optim.adam_) is the only torch code that
  updates Adam's moments; the numpy loop has its own.
- A check of the numpy loop (the glyph presets') makes no torch call: its numbers stay numpy
  arrays from the network to the record.
- Every backend follows the window's step mode (a record every epoch) and heartbeats, including
  the captured steps (run here on the CPU, each graph called eagerly), which ignored both.
- An augmented run is not captured: a graph replays the clean set, which an augmented run never
  trains on.
- The best-model pick, now in numpy, is the torch formula the loops used (randomised cases with
  NaN, inf and ties).
"""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.overrides import TorchFunctionMode

from aegui.core.config.load import load_experiment
from aegui.core.config.validation import with_changes
from aegui.core.schema.experiment import Experiment
from aegui.core.data.datasets import font_dataset, from_config
from aegui.core.train.backends import capture, dense
from aegui.core.train.loop.best import BestModel
from aegui.core.train.loop.contract import Observer
from aegui.core.train.session import TrainingSession
from core_helpers import PRESETS, ROOT, small_experiment

TRAIN = ROOT / "aegui" / "core" / "train"
MAX_MODULES = 15

# What only observers may do: the settings of the targets and early stopping, the guard's limits,
# the session's handles on its observers and the old session methods that held their logic.
OBSERVER_NAMES = {"target_max_wrong", "loss_target", "patience", "min_delta", "PARAM_LIMIT", "LOSS_GROWTH",
                  "alive", "best", "history", "divergence", "ranking", "target", "records", "early_stop",
                  "observers", "target_hit", "checkpoint", "partial_record", "note_first_loss", "last_finite"}
# Deciding which model is best or which blew up.
JUDGING_CALLS = {"argmin", "isfinite", "nan_to_num"}


def backend_leaks(source: str) -> list[tuple[int, str]]:
    """(line, what) of each place in a backend module that does an observer's work: imports an
    observer (anything of train/loop but its contract and the loop), builds a ProgressRecord, names a target,
    an early-stopping setting or a guard's limit, reads the session's observer state (any object's
    `alive`, `best`, ... but its own: a backend keeps which rows it still moves), or judges models
    (argmin, isfinite, nan_to_num)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("aegui.core.train.loop") \
                and node.module not in ("aegui.core.train.loop.contract", "aegui.core.train.loop.epochs"):
            found.append((node.lineno, f"imports {node.module}"))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "ProgressRecord":
            found.append((node.lineno, "builds a ProgressRecord"))
        elif isinstance(node, ast.Attribute):
            own = isinstance(node.value, ast.Name) and node.value.id == "self"
            if node.attr in JUDGING_CALLS:
                found.append((node.lineno, f"calls {node.attr}"))
            elif node.attr in OBSERVER_NAMES and not own:
                found.append((node.lineno, f"reads {ast.unparse(node)}"))
        elif isinstance(node, ast.Name) and node.id in OBSERVER_NAMES - {"best", "target", "history", "alive"}:
            found.append((node.lineno, f"names {node.id}"))
    return sorted(found)


def test_the_scan_finds_each_way_of_doing_an_observers_work():
    text = ("from aegui.core.train.loop.divergence import PARAM_LIMIT\n"
            "from aegui.core.train.loop.contract import Backend\n"
            "rec = P.ProgressRecord(epoch=1)\n"
            "if t.target_max_wrong is not None: pass\n"
            "live = self.s.alive\n"
            "b = torch.argmin(score)\n"
            "ok = np.isfinite(loss)\n"
            "s.checkpoint(1)\n"
            "self.alive &= ~mask\n"
            "x = limit * LOSS_GROWTH\n")
    assert [line for line, _ in backend_leaks(text)] == [1, 3, 4, 5, 6, 7, 8, 10]


def test_backends_leave_targets_divergence_and_the_best_model_to_the_observers():
    found = {path.name: hits for path in sorted((TRAIN / "backends").glob("*.py"))
             if (hits := backend_leaks(path.read_text(encoding="utf-8")))}
    assert found == {}


def test_no_folder_of_the_training_package_holds_more_than_15_modules():
    folders = [TRAIN, *(p for p in TRAIN.rglob("*") if p.is_dir() and p.name != "__pycache__")]
    counts = {str(f.relative_to(ROOT)): len([m for m in f.glob("*.py") if m.name != "__init__.py"]) for f in folders}
    assert {f: n for f, n in counts.items() if n > MAX_MODULES} == {}, counts


def test_one_written_out_adam_per_backend():
    """The torch Adam written out is optim.adam_ (FlatOptimizer's, the captured step's and
    TensorAdam's go through it): the only aegui function that updates Adam's running mean. The
    numpy loop's is dense.NumpyAdam."""
    updating = set()
    for path in (ROOT / "aegui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                    isinstance(n, ast.Attribute) and n.attr == "lerp_" for n in ast.walk(node)):
                updating.add(f"{path.relative_to(ROOT).as_posix()}:{node.name}")
    assert updating == {"aegui/core/train/optim.py:adam_"}
    adams = {f"{path.relative_to(ROOT).as_posix()}:{node.name}" for path in (ROOT / "aegui").rglob("*.py")
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.ClassDef) and "Adam" in node.name}
    assert adams == {"aegui/core/train/optim.py:TensorAdam", "aegui/core/train/backends/dense.py:NumpyAdam"}


class Counting(TorchFunctionMode):
    """Counts the torch functions and tensor methods called while it is on."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.calls += 1
        return func(*args, **(kwargs or {}))


def test_a_check_of_the_numpy_loop_calls_no_torch():
    """Between the first check's record and the third (20 epochs and two checks of the Font3
    preset in numpy) no torch function runs: the check's numbers, the guard, the best model, the
    record and the history take numpy arrays. (Through torch, a check took about 0.45 ms, a fifth
    of the preset's run.)"""
    exp, _ = load_experiment(PRESETS / "font3-ae2d.json")
    exp = with_changes(exp, train={"device": "cpu", "epochs": 40, "check_every": 10, "target_max_wrong": None})
    s = TrainingSession(exp, from_config(exp.data))
    assert dense.usable(s)
    counter, at = Counting(), []
    with counter:
        for rec in s.steps():
            at.append((rec.epoch, counter.calls))
    assert [e for e, _ in at] == [10, 20, 30, 40]
    assert at[2][1] - at[0][1] == 0


class Stepping(Observer):
    """The window stepping epoch by epoch."""

    def every_epoch(self) -> bool:
        return True


def _session(loop: str, **train):
    exp = small_experiment(train={"epochs": 6, "check_every": 3, "seeds": 2, **train})
    s = TrainingSession(exp, font_dataset(("Font3",)), device="cpu")
    s.dense = loop == "dense"
    return s


def _records(s, loop: str):
    return list(capture.captured_steps(s) if loop == "captured" else s.steps())


@pytest.mark.parametrize("loop,train", [("eager", {}), ("eager", {"batch_size": 10}), ("dense", {}),
                                        ("captured", {}), ("captured", {"batch_size": 10}),
                                        ("scipy", {"optimizer": "cg", "check_every": 1})])
def test_every_backend_follows_step_mode(loop, train):
    s = _session(loop, **train)
    s.observe(Stepping())
    recs = _records(s, loop)
    assert [(r.epoch, r.batch) for r in recs] == [(e, 0) for e in range(1, 7)]
    assert len(s.history) == 6


@pytest.mark.parametrize("loop", ["eager", "dense", "captured"])
def test_every_gradient_backend_gives_heartbeats(loop):
    """A heartbeat due at every chance: a record of each epoch that has no check (its wrong pixels
    those last measured), none in the history."""
    s = _session(loop, batch_size=10 if loop != "dense" else 0)
    s.heartbeat_s = 0.0
    recs = _records(s, loop)
    whole = [(r.epoch, r.batch) for r in recs if not r.batch]
    assert whole == [(3, 0), (6, 0)] and len(s.history) == 2
    ends = {r.epoch for r in recs if r.batch and r.batch == r.batches}
    assert ends == {1, 2, 4, 5}
    assert all(r.extra.get("heartbeat") for r in recs if r.batch)


def test_an_augmented_run_is_not_captured():
    """What `capture.usable` says of a session on a CUDA device (faked here: the answer depends on
    the session, not on a GPU being present)."""
    plain = TrainingSession(small_experiment(), font_dataset(("Font3",)), device="cpu")
    augmented = TrainingSession(small_experiment(augment={"enabled": True}), font_dataset(("Font3",)), device="cpu")
    for s in (plain, augmented):
        s.device = torch.device("cuda")
    assert capture.usable(plain) == hasattr(torch.cuda, "CUDAGraph")
    assert not capture.usable(augmented)


def _torch_pick(wrong, loss, alive) -> int:
    """The best-model pick as the loops computed it in torch before the observers."""
    w, lo = torch.from_numpy(wrong), torch.from_numpy(loss)
    score = w.amax(1).double() * 1e6 + w.double().mean(1) * 1e3 + \
        torch.nan_to_num(lo.double(), nan=1e300).clamp(max=999)
    score[~torch.from_numpy(alive)] = float("inf")
    return int(torch.argmin(score))


def test_the_best_model_pick_is_the_torch_one():
    rng = np.random.default_rng(0)
    for _ in range(500):
        k, n = int(rng.integers(1, 6)), int(rng.integers(1, 40))
        wrong = rng.integers(0, 4, (k, n))
        loss = rng.choice([np.nan, np.inf, -np.inf, 0.5, 0.3, 1e10, 0.1], k).astype(np.float32)
        alive = rng.random(k) < 0.8
        assert BestModel.pick(wrong, loss, alive) == _torch_pick(wrong, loss, alive)


@pytest.mark.parametrize("changes", [
    {},                                                                                    # the dense numpy loop
    {"train": {"optimizer": "momentum", "learning_rate": 0.05, "batch_size": 8}},
    {"model": {"kind": "dae"}, "noise": {"kind": "salt_pepper", "level": 0.1, "mode": "fresh"}},
    {"model": {"kind": "vae", "beta": 0.5, "kl_warmup": 10}, "train": {"schedule": "cosine", "clip_norm": 0.5}},
    {"model": {"dropout": 0.1}, "augment": {"enabled": True}, "data": {"val_split": 0.25}},
], ids=["dense", "momentum-minibatch", "dae-fresh-noise", "vae-cosine-clip", "dropout-augment-split"])
def test_how_often_a_run_is_checked_changes_nothing_it_trains(font3, changes):
    """A check only looks: trained with a check at every epoch or every 7th, the weights are the
    same to the bit (the scipy loop broke this: it restarted its minimisers at each check)."""
    flats = []
    for every in (1, 7):
        sections = {"model": {"layers": (35, 12, 2, 12, 35)},
                    "train": {"epochs": 21, "check_every": every, "seed": 3, "seeds": 2, "device": "cpu",
                              "learning_rate": 0.02}}
        for section, values in changes.items():
            sections.setdefault(section, {}).update(values)
        session = TrainingSession(with_changes(Experiment(), **sections), font3)
        assert list(session.steps())[-1].epoch == 21
        flats.append(session.model.flat.detach().clone())
    assert torch.equal(*flats)
