"""A big model tells how long it will take while its first epochs run: a model of 10,000
batch-norm layers took 11 s an epoch and, with checks every 10 epochs, showed nothing for almost
two minutes, then a rate with no time left in `aegui train`'s line. Now a run that shows progress
gets a record of the epoch in progress when none came for a while (TrainingSession.heartbeat_s):
how far it got and the rate, from which the CLI's line says the time left (and notes a long run
once), and the window's state has its ETA. The models here have 200 batch-norm layers (the
mechanism does not depend on how many); the heartbeat is set to every batch, so what is counted
does not depend on timing."""
import io
import json
import sys

import numpy as np
import pytest

from aegui.core.train.backends import capture
from aegui.core.train import progress as P
from aegui.core.train.session import HEARTBEAT_S, TrainingSession
from aegui.core.workspace.run import RunProgress, RunStarted, run_training
from aegui.core.workspace.workspace import Workspace
from core_helpers import run_cli, small_experiment

NORMS = 200


def many_norms(**train):
    """Font3 through a conv model with NORMS batch-norm layers, in batches of 8 (4 an epoch)."""
    return small_experiment(
        model={"arch": "convlayers", "input_shape": (7, 5), "layers": (35, 2, 35), "hidden_activation": "relu",
               "conv_encoder": ("conv 4 3x3",) + ("batchnorm",) * NORMS + ("dense 2",),
               "conv_decoder": ("dense 35", "reshape 7 5 1", "conv 1 3x3")},
        train={"epochs": 3, "check_every": 3, "batch_size": 8, **train})


def test_a_run_that_shows_progress_reports_each_batch_before_its_first_check(font3):
    session = TrainingSession(many_norms(), font3, device="cpu")
    session.heartbeat_s = 0.0
    recs = list(session.steps())
    assert [(r.epoch, r.batch, r.batches) for r in recs] == \
        [(e, b, 4) for e in (1, 2) for b in (1, 2, 3, 4)] + [(3, 1, 4), (3, 2, 4), (3, 3, 4), (3, 0, 0)]
    assert all(r.epochs_per_s > 0 and r.state == P.RUNNING for r in recs[:-1]) and recs[-1].state == P.FINISHED
    # Wrong pixels are measured once before the first check and then kept: a heartbeat costs no
    # evaluation (a forward pass of a model this deep takes a good part of a step).
    assert len({r.max_wrong for r in recs[:-1]}) == 1
    assert len(session.history) == 1       # metrics.csv gets the checks only


def test_without_a_heartbeat_the_records_are_the_checks(font3):
    """What the analyses that train models (sweeps, reports) expect, and the default."""
    session = TrainingSession(many_norms(), font3, device="cpu")
    assert session.heartbeat_s is None and HEARTBEAT_S > 0
    assert [(r.epoch, r.batch) for r in session.steps()] == [(3, 0)]


def test_the_captured_loop_reports_each_batch_before_its_first_check(font3):
    """The captured steps run in the same loop, so they report as the eager ones do, batch by batch
    (on CUDA each batch is one replay; here its steps are called eagerly: backends/capture.py)."""
    session = TrainingSession(many_norms(), font3, device="cpu")
    session.heartbeat_s = 0.0
    recs = list(capture.captured_steps(session))
    assert [(r.epoch, r.batch, r.batches) for r in recs] == \
        [(e, b, 4) for e in (1, 2) for b in (1, 2, 3, 4)] + [(3, 1, 4), (3, 2, 4), (3, 3, 4), (3, 0, 0)]
    assert all(r.epochs_per_s > 0 for r in recs)
    assert len({r.max_wrong for r in recs[:-1]}) == 1      # measured once, then kept


def test_the_window_has_a_time_left_before_the_first_check(font3):
    """The window's run (workspace/run.py) hands the records to the workspace, whose state the
    training panel and the status bar show ("0.3 epochs/s · ETA 0:07")."""
    exp = many_norms()
    items = run_training(exp, font3, None, font3, heartbeat_s=0.0)
    ws = Workspace()
    etas = []
    for item in items:
        if isinstance(item, RunStarted):
            ws.report_started(exp, font3, item.models, stepping=False)
        elif isinstance(item, RunProgress):
            ws.report_progress(item.records)
            etas.append((item.records[-1].batch, ws.training.eta_s, item.view))
    assert etas[0][0] > 0 and etas[0][1] is not None and etas[0][1] > 0     # an epoch in progress
    # A heartbeat moves the numbers, not the views (running the model over the shown samples
    # takes a good part of a step of a model this deep).
    assert all(view is None for batch, _, view in etas if batch)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_aegui_train_says_the_time_left_and_notes_a_long_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("aegui.core.train.session.HEARTBEAT_S", 0.0)
    monkeypatch.setattr("aegui.cli.train.LONG_RUN_S", 0.0)       # every run is "long" here
    cfg = tmp_path / "cfg.json"
    cfg.write_text(many_norms().to_json())
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert run_cli(["train", cfg, "--out", tmp_path / "run"]) == 0
    lines = terminal.getvalue().replace("\r\033[K", "\n").splitlines()
    notes = [ln for ln in lines if ln.startswith("aegui: note: about ")]
    assert len(notes) == 1 and " an epoch, so 3 epochs take about " in notes[0]
    first = next(ln for ln in lines if ln.startswith("["))
    assert "epoch 1/3 (batch 1/4)" in first and " ETA " in first
    assert lines.index(notes[0]) < lines.index(first)
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["epochs"] == 3


@pytest.mark.parametrize("rate, note", [(0.01, True), (100.0, False)])
def test_the_note_comes_for_runs_longer_than_a_minute(rate, note, monkeypatch):
    from aegui.cli.train import _Bar
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    rec = P.ProgressRecord(epoch=1, total_epochs=60, losses={"total": 0.5}, loss_per_model=np.zeros(1), max_wrong=3,
                           mean_wrong=1.0, max_wrong_per_model=np.zeros(1), mean_wrong_per_model=np.zeros(1),
                           glyph_wrong=np.zeros(32), best=0, elapsed=1.0, epochs_per_s=rate, batch=1, batches=4)
    _Bar(True).update(rec)
    assert ("aegui: note: about 2 min an epoch, so 60 epochs take about 1.7 h" in terminal.getvalue()) == note
