"""kill -9 at random points while saving: the file left behind is the previous complete version
or the new complete one, never a mix or a half, and the loader says which.

A forked child saves generation after generation (each save differs from the last and names
its generation inside), telling the parent over a pipe after each save returns; the parent
kills it at a random moment and loads. D being the last generation the child reported, what
loads must be D (the save in flight was dropped) or D + 1 (it had reached its commit point).
AEGUI_CRASH_KILLS sets the kills per kind: `make fuzz` runs 60, the default run 3.
"""
from __future__ import annotations

import csv
import json
import os
import random
import signal
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from aegui.core.schema.experiment import Experiment, ModelSpec
from aegui.core.files import fileset
from aegui.core.data.library import GlyphLibrary
from aegui.core.runs.storage import ModelFileError, load_model, save_model
from aegui.core.archs import build_model

KILLS = int(os.environ.get("AEGUI_CRASH_KILLS", "3"))
# The kill lands this long after the child starts: many saves' worth, so its phase within a
# save is random (a save takes ~1-10 ms here).
MAX_DELAY = 0.08

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")


def _kill_while(work, first: int, rng: random.Random) -> int:
    """Fork a child that runs work(g) for g = first, first+1, ... until SIGKILL; returns the
    last generation whose work returned (first - 1 if none did)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:     # the child: no pytest, no cleanup, just saves until killed
        code = 1
        try:
            os.close(r)
            torch.set_num_threads(1)
            g = first
            while True:
                work(g)
                os.write(w, b"%d\n" % g)
                g += 1
        except BaseException as e:     # noqa: BLE001 - reported through the exit status
            os.write(w, f"error {type(e).__name__}: {e}\n".encode())
        finally:
            os._exit(code)
    os.close(w)
    time.sleep(rng.uniform(0.0, MAX_DELAY))
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(r, "rb") as fh:
        lines = fh.read().decode().split("\n")
    errors = [line for line in lines if line.startswith("error")]
    assert not errors, errors
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    done = [int(line) for line in lines if line.strip()]
    return done[-1] if done else first - 1


def _rounds(state, work, check, seed: int):
    """KILLS kill rounds; check(last_done) -> the generation found on disk."""
    rng = random.Random(seed)
    current = state
    outcomes = {"previous": 0, "new": 0}
    for _ in range(KILLS):
        done = _kill_while(work, current + 1, rng)
        found = check(done)
        assert found in (done, done + 1), f"found generation {found}; the last complete save was {done}"
        outcomes["new" if found == done + 1 else "previous"] += 1
        current = found
    print(f"{KILLS} kills: {outcomes}")
    return outcomes


# ------------------------------------------------------------------------------- a model

EXP = Experiment(model=ModelSpec(layers=(35, 256, 2, 256, 35)))


def _model(g: int):
    model = build_model(EXP.model, 1)
    with torch.no_grad():
        model.flat.fill_(g / 1000)
    return model


def _loaded_generation(folder: Path) -> tuple[int, str | None]:
    model, exp, meta = load_model(folder)
    g = meta["metrics"]["generation"]
    assert torch.allclose(model.flat, torch.full_like(model.flat, g / 1000)), "weights of another save"
    return g, meta.get("recovered")


def test_saving_a_model(tmp_path):
    folder = tmp_path / "model"
    save_model(folder, _model(0), EXP, {"generation": 0})
    notes = set()

    def check(done):
        g, note = _loaded_generation(folder)
        notes.add(note)
        # The loader says which version it kept whenever a save was caught mid-way.
        if note == fileset.COMPLETED_NEW:
            assert g == done + 1
        return g

    _rounds(0, lambda g: save_model(folder, _model(g), EXP, {"generation": g}), check, seed=1)
    assert not any(p.name.endswith(".incoming") for p in folder.iterdir())   # recovered
    assert notes <= {None, fileset.KEPT_PREVIOUS, fileset.COMPLETED_NEW}


def test_an_autosave(tmp_path):
    """The window's autosave: a new folder a model (TrainedModel.save), metrics.csv included."""
    from aegui.core.data.dataset import Dataset
    from aegui.core.train.history import metrics_path, read_rows as read_metrics
    from aegui.core.train.history import History
    from aegui.core.runs.trained import TrainedModel

    data = Dataset("glyphs", np.zeros((4, 35), np.float32), list("abcd"), (7, 5))
    root = tmp_path / "autosave"

    def work(g):
        rows = [{"epoch": e, "loss_total": 1.0 / (e + g + 1)} for e in range(1, 40)]
        entry = TrainedModel("m", _model(g), EXP, data, metrics={"generation": g}, history=History.from_rows(rows))
        entry.save(root / f"{g:06d}")

    def check(done):
        newest = None
        if not root.exists():          # killed before the first save made the folder
            return done
        for folder in sorted(root.iterdir()):
            g = int(folder.name)
            try:
                found, _ = _loaded_generation(folder)
            except ModelFileError as e:
                # Only the save in flight may be missing, and it is said plainly.
                assert g == done + 1 and "file not found" in str(e), str(e)
                continue
            assert found == g
            read_metrics(metrics_path(folder))
            newest = g
        return newest if newest is not None else done

    _rounds(-1, work, check, seed=2)


# ------------------------------------------------------------------------------- the glyph library

def test_the_glyph_library(tmp_path):
    path = tmp_path / "library.json"
    GlyphLibrary(path)

    def work(g):
        lib = GlyphLibrary(path)
        assert len(lib) == g - 1 and lib.warning is None
        lib.add(np.eye(7, 5).reshape(-1), f"g{g}")

    def check(done):
        lib = GlyphLibrary(path)
        assert lib.warning is None, lib.warning        # never a damaged file to set aside
        labels = [e.label for e in lib.entries()]
        assert labels == [f"g{i}" for i in range(1, len(labels) + 1)]
        return len(labels)

    _rounds(0, work, check, seed=3)


# ------------------------------------------------------------------------------- sweep results

@pytest.fixture(scope="module")
def sweep_result():
    from aegui.core.analyses.sweeps.sweep import SweepRunner, sweep_from_dict
    base = Experiment(model=ModelSpec(layers=(35, 8, 2, 8, 35))).to_dict()
    base.pop("schema_version")
    base["train"].update(epochs=20, check_every=10, device="cpu")
    sweep = sweep_from_dict({"name": "crash", "base": base, "vary": {"train.learning_rate": [0.01, 0.02]},
                             "seeds": 2})
    return SweepRunner(sweep).run()


def test_sweep_results(tmp_path, sweep_result):
    from aegui.core.analyses.sweeps.files import read_results, write_results
    out = tmp_path / "results"
    res = sweep_result

    def write(g):
        res.started = f"generation {g}"
        for run in res.runs:
            run.seconds = float(g)
        write_results(res, out)

    write(0)

    def check(done):
        meta, note = read_results(out)
        g = int(meta["started"].split()[1])
        with open(out / "runs.csv", newline="") as fh:
            seconds = {float(row["seconds"]) for row in csv.DictReader(fh)}
        assert seconds == {float(g)}, "runs.csv and sweep.json from different saves"
        if note == fileset.COMPLETED_NEW:
            assert g == done + 1
        assert json.loads((out / "sweep.json").read_text())["runs_done"] == len(res.runs)
        return g

    _rounds(0, write, check, seed=4)


# ------------------------------------------------------------------------------- a taught model

@pytest.fixture(scope="module")
def taught():
    """A shipped 5x7 denoiser taught two glyphs for a few epochs: what `aegui teach` saves."""
    from aegui.core.analyses import teach as T
    from core_helpers import ROOT
    model, exp, _ = load_model(ROOT / "models" / "general-5x7-dae")
    fonts = T.fonts_from_arrays([np.eye(7, 5), np.ones((7, 5))], ["diagonal", "block"])
    return T.teach(model, exp, fonts, T.TeachSettings(epochs=2, check_every=1))


def _taught_generation(taught, g: int):
    """The taught model as generation g: weights, metrics and metrics.csv all say g."""
    import copy
    from dataclasses import replace
    from aegui.core.train.history import History
    model = copy.deepcopy(taught.model)
    with torch.no_grad():
        model.flat.fill_(g / 1000)
    rows = [{"epoch": e, "loss_total": 1.0 / e, "max_wrong_pixels": 0, "mean_wrong_pixels": 0.0,
             "best_model": 0, "seconds": 0.0} for e in range(1, g + 1)]
    return replace(taught, model=model, last=replace(taught.last, epoch=g), history=History.from_rows(rows))


def _taught_on_disk(folder: Path) -> int:
    """The generation of the taught model in `folder`, checking that its weights, model.json and
    metrics.csv come from one save and that no temporary file was left beside them."""
    from aegui.core.train.history import metrics_path, read_rows
    model, exp, meta = load_model(folder)
    g = meta["metrics"]["epochs"]
    assert torch.allclose(model.flat, torch.full_like(model.flat, g / 1000)), "weights of another save"
    last = read_rows(metrics_path(folder))[-1]["epoch"]
    assert last == g, f"the model is from the save of generation {g}, metrics.csv from generation {last}"
    strays = [p.name for p in folder.iterdir() if p.name.endswith(".tmp") or p.name.endswith(".incoming")]
    assert not strays, strays
    assert all(Path(p).is_file() for p in exp.data.extra_glyphs)
    return g


@pytest.mark.parametrize("nth", [1, 2])
def test_a_kill_while_teach_writes_metrics_csv(tmp_path, taught, nth):
    """kill -9 exactly as metrics.csv is put in place (the first such rename stages it, the
    second moves it in): the folder holds the previous taught model with its own metrics.csv, or
    the new one with the new metrics.csv, never a new model beside the old history."""
    from aegui.core.analyses.teach import save_taught
    out = tmp_path / "taught"
    save_taught(out, _taught_generation(taught, 1))
    pid = os.fork()
    if pid == 0:
        try:
            torch.set_num_threads(1)     # the parent's thread pool does not survive fork()
            real, seen = os.replace, [0]

            def replace(src, dst, **kw):
                if Path(dst).name == "metrics.csv":
                    seen[0] += 1
                    if seen[0] == nth:
                        os.kill(os.getpid(), signal.SIGKILL)
                return real(src, dst, **kw)

            os.replace = replace
            save_taught(out, _taught_generation(taught, 2))
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert _taught_on_disk(out) in (1, 2)


def test_teach_saving(tmp_path, taught):
    """kill -9 at random moments while teach saves generation after generation."""
    from aegui.core.analyses.teach import save_taught
    out = tmp_path / "taught"
    save_taught(out, _taught_generation(taught, 1))
    _rounds(1, lambda g: save_taught(out, _taught_generation(taught, g)), lambda done: _taught_on_disk(out), seed=5)
