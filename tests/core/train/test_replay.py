"""Latent replay: bounded snapshots spread over the run, saved safely, drawn as GIF / PNG frames."""
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aegui.core.analyses import replay as R
from aegui.core.schema.experiment import Experiment, TrainConfig
from aegui.core.data.datasets import font_dataset
from aegui.core.train.gate import StepGate
from aegui.core.train.loop.live import StepControl
from aegui.core.train.session import TrainingSession
from aegui.core.train.snapshots import (ReplayError, ReplayRecorder, SnapshotStore, load_replay,
                                        save_replay)

ROOT = Path(__file__).resolve().parents[3]


def _codes(epoch, n=5):
    return np.full((n, 2), float(epoch), np.float32)


def test_store_stays_bounded_spread_and_in_order():
    store = SnapshotStore(capacity=8)
    taken = [e for e in range(1, 1001) if store.offer(e, 1.0 / e, lambda e=e: _codes(e))]
    epochs = store.epochs()
    assert 4 <= len(store) <= 8
    assert list(epochs) == sorted(epochs) and epochs[0] == 1
    gaps = np.diff(epochs)
    assert gaps.max() <= 2 * gaps.min()          # evenly spread, not bunched at the start or end
    assert epochs[-1] > 800                       # the late run is there too
    # Encodes are paid only for taken offers: far fewer than the 1000 epochs.
    assert len(taken) < 60
    for s in store.snapshots():                  # each snapshot holds that epoch's codes
        assert np.all(s.codes == s.epoch) and s.loss == pytest.approx(1.0 / s.epoch)


def test_final_snapshot_always_kept():
    store = SnapshotStore(capacity=4)
    for e in range(1, 101):
        store.offer(e, 0.0, lambda e=e: _codes(e))
    store.add(100, 0.0, _codes(100), final=True)
    assert store.epochs()[-1] == 100 and len(store) <= 4


def test_recorder_follows_a_real_run_and_codes_change():
    exp = Experiment(train=TrainConfig(epochs=300, seeds=1, check_every=5))
    data = font_dataset()
    session = TrainingSession(exp, data)
    recorder = ReplayRecorder(data.x, SnapshotStore(capacity=10))
    for rec in session.steps():
        recorder.record(session, rec)
    codes, epochs, losses = recorder.store.arrays()
    assert codes.shape[1:] == (len(data), 2) and len(epochs) <= 10
    assert epochs[-1] == 300 and list(epochs) == sorted(epochs)
    assert losses[-1] < losses[0]                 # the loss at each moment, falling
    assert np.abs(codes[-1] - codes[0]).max() > 0.1   # the codes moved


def test_save_and_load_round_trip_checks_hash(tmp_path):
    store = SnapshotStore(capacity=6)
    for e in (1, 2, 3):
        store.add(e, 0.5 / e, _codes(e))
    entry = save_replay(tmp_path / "model.safetensors", store, list("abcde"))
    assert entry["file"] == "model.replay.safetensors" and entry["labels"] == list("abcde")
    back = load_replay(tmp_path / "model.safetensors", entry)
    for a, b in zip(back.arrays(), store.arrays()):
        np.testing.assert_array_equal(a, b)
    (tmp_path / "model.replay.safetensors").write_bytes(b"\x80\x04junk")
    with pytest.raises(ReplayError, match="pickle"):
        load_replay(tmp_path / "model.safetensors", entry)


def test_frames_show_points_moving(tmp_path):
    store = SnapshotStore(capacity=6)
    for e in range(3):
        c = np.zeros((4, 2), np.float32)
        c[0] = (e, e)                             # one point travels along the diagonal
        store.add(e + 1, 1.0, c)
    n = R.export(store, ["a", "b", "c", "d"], tmp_path / "codes.gif", size=200)
    assert n == 3
    gif = Image.open(tmp_path / "codes.gif")
    assert gif.n_frames == 3
    frames = []
    for k in range(3):
        gif.seek(k)
        frames.append(np.asarray(gif.convert("RGB"), np.int32))
    assert np.abs(frames[0] - frames[2]).sum() > 0
    assert R.export(store, list("abcd"), tmp_path / "frames") == 3
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == [f"frame-00{k}.png" for k in range(3)]


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "aegui", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_cli_train_replay_then_gif(tmp_path):
    out = tmp_path / "m"
    r = _cli("train", "resources/presets/font3-ae2d.json", "--epochs", "60", "--seeds", "1",
             "--out", str(out), "--replay", "--quiet")
    assert r.returncode in (0, 1), r.stderr
    meta = json.loads((out / "model.json").read_text())
    assert meta["replay"]["snapshots"] >= 2 and len(meta["replay"]["labels"]) == 32
    r = _cli("replay", str(out), "--out", str(tmp_path / "codes.gif"), "--size", "160")
    assert r.returncode == 0, r.stderr
    assert Image.open(tmp_path / "codes.gif").n_frames == meta["replay"]["snapshots"]


def test_cli_replay_without_snapshots_is_one_line(tmp_path):
    r = _cli("replay", str(ROOT / "models" / "font3-ae2d"), "--out", str(tmp_path / "x.gif"))
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "without a latent replay" in r.stderr


def test_the_speed_cap_paces_epochs_without_a_clock_in_the_test():
    """At most `cap` epochs a second: the gate waits (epoch - first) / cap after the first epoch
    it paces. The clock and the waits are the test's, so a loaded machine cannot change them."""
    import aegui.core.train.gate as G
    now = [100.0]
    waits = []
    gate = StepGate()

    def wait(timeout=None):
        waits.append(timeout)
        now[0] += timeout
    gate._cond.wait = wait
    real = G.time.monotonic
    G.time.monotonic = lambda: now[0]
    try:
        gate.set_cap(20.0)
        for epoch in range(1, 6):
            assert gate.count("epoch", epoch) is False
        assert now[0] == pytest.approx(100.0 + 4 / 20)    # four paced epochs after the first
        gate.set_cap(None)
        waits.clear()
        assert gate.count("epoch", 6) is False and waits == []
    finally:
        G.time.monotonic = real


def test_gate_steps_one_batch_and_each_step_says_where_training_stands():
    exp = Experiment(train=TrainConfig(epochs=100, seeds=1, batch_size=8, check_every=10))
    session = TrainingSession(exp, font_dataset())   # 32 glyphs: four batches an epoch
    gate = StepGate()
    session.observe(StepControl(gate))
    records = []

    def run():
        for r in session.steps():
            records.append(r)
            if r.done:
                return
    gate.step("batch")
    t = threading.Thread(target=run)
    t.start()
    try:
        # Batches 1-3 of an epoch give a record of the epoch so far; the 4th, the epoch's own.
        for epoch, batch in ((1, 1), (1, 2), (1, 3), (1, 0), (2, 1)):
            deadline = time.monotonic() + 30
            while not (gate.paused and records and (records[-1].epoch, records[-1].batch) == (epoch, batch)) \
                    and time.monotonic() < deadline:
                time.sleep(0.01)
            assert [(r.epoch, r.batch) for r in records][-1] == (epoch, batch)
            n = len(records)
            assert gate.paused and len(records) == n     # paused: the loop waits for the next step
            last = records[-1]
            assert last.batches == (4 if batch else 0)
            assert np.isfinite(last.losses["total"]) and len(last.glyph_wrong) == 32
            gate.step("batch")
    finally:
        session.stop()
        gate.stop()
        t.join(20)


def test_gate_batch_step_without_batches_is_an_epoch_step():
    """scipy's optimizers report epochs only: Step batch must still stop after one."""
    gate = StepGate()
    gate.step("batch")
    paused = []
    gate.on_pause = lambda: (paused.append(1), gate.resume())
    gate.passed("epoch", 1)                        # paused (then resumed by on_pause)
    assert paused == [1]
    gate.step("batch")
    gate.passed("batch")                           # a record inside an epoch: one batch
    assert paused == [1, 1]
    gate.step("epoch")
    gate.passed("batch")                           # stepping by epochs, batch records do not count
    assert paused == [1, 1]
    gate.passed("epoch", 2)
    assert paused == [1, 1, 1]
