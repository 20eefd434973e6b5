"""Step mode (one click = one epoch), the speed cap, and the latent replay under the canvas."""
import numpy as np
import pytest
from PIL import Image

from aegui.core.config.experiment import Experiment, TrainConfig
from aegui.core.data.datasets import font_dataset
from aegui.core.train.snapshots import ReplayRecorder, SnapshotStore
from aegui.qt.latent.latent_canvas import LatentCanvas
from aegui.qt.workers import TrainingController


@pytest.fixture
def controller(qtbot):
    c = TrainingController()
    yield c
    c.shutdown()


def _epochs_after(qtbot, epochs, n, settle_ms=300):
    qtbot.waitUntil(lambda: len(epochs) >= n, timeout=20000)
    qtbot.wait(settle_ms)        # and nothing more arrives while it is paused
    return list(epochs)


def test_controller_steps_exactly_one_epoch_per_step(qtbot, controller):
    exp = Experiment(train=TrainConfig(epochs=10_000, seeds=2, check_every=10))
    epochs, snapshots = [], []
    controller.progress.connect(lambda r: epochs.append(r.epoch))
    controller.snapshot.connect(snapshots.append)
    recorder = ReplayRecorder(font_dataset().x, SnapshotStore(capacity=8))
    controller.start(exp, font_dataset(), recorder=recorder, step="epoch")
    assert _epochs_after(qtbot, epochs, 1) == [1]
    assert snapshots                                   # the canvas sees the stepped model
    controller.step("epoch")
    assert _epochs_after(qtbot, epochs, 2) == [1, 2]   # check_every=10 does not matter in step mode
    controller.step("epoch")
    assert _epochs_after(qtbot, epochs, 3) == [1, 2, 3]
    assert list(recorder.store.epochs()) == [1, 2, 3]
    controller.set_cap(20)
    controller.resume()
    qtbot.wait(1000)
    assert 3 < epochs[-1] < 40                          # capped at 20 epochs/s (plus the start)
    with qtbot.waitSignal(controller.finished, timeout=10000):
        controller.stop()


def test_step_after_pause_reports_the_epoch_even_between_checks(qtbot, controller):
    # check_every is huge: free running, no record would come for a long time.
    exp = Experiment(train=TrainConfig(epochs=1_000_000, seeds=1, check_every=100_000, batch_size=8))
    epochs = []
    controller.progress.connect(lambda r: epochs.append(r.epoch))
    controller.start(exp, font_dataset())
    qtbot.wait(500)
    controller.pause()                       # stops between two batches
    qtbot.wait(300)
    assert epochs == []
    controller.step("epoch")                 # finishes that epoch and reports it
    qtbot.waitUntil(lambda: len(epochs) == 1, timeout=10000)
    qtbot.wait(300)
    assert len(epochs) == 1 and epochs[0] < 100_000
    controller.step("epoch")
    qtbot.waitUntil(lambda: len(epochs) == 2, timeout=10000)
    assert epochs[1] == epochs[0] + 1
    with qtbot.waitSignal(controller.finished, timeout=10000):
        controller.stop()


def _canvas_with_store(qtbot):
    canvas = LatentCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(700, 500)
    labels = ["a", "b", "c"]
    final = np.array([[0, 0], [1, 0], [0, 1]], np.float32)
    canvas.set_decoder(lambda z: np.clip(np.tile(z[:, :1], (1, 35)), 0, 1), (7, 5))
    canvas.set_codes(final, labels, autorange=True)
    store = SnapshotStore(capacity=10)
    for k in range(4):
        store.add(10 * (k + 1), 1.0 / (k + 1), final * (k + 1) / 4)
    canvas.replay.set_store(store, labels)
    return canvas, store, final


def test_replay_slider_draws_each_snapshot_and_plays_in_order(qtbot):
    canvas, store, final = _canvas_with_store(qtbot)
    bar = canvas.replay
    assert bar.count() == 4 and bar.play_button.isEnabled()
    bar.show_frame(0)
    np.testing.assert_allclose(canvas.projected_codes(), final / 4)
    assert "Epoch 10" in bar.info.full_text() and "loss 1" in bar.info.full_text() and "1 of 4" in bar.slider.toolTip()
    bar.show_frame(3)                       # the right end: the model's own codes again
    np.testing.assert_allclose(canvas.projected_codes(), final)
    shown = []
    bar.frame_shown.connect(shown.append)
    bar.play_button.click()
    qtbot.waitUntil(lambda: not bar.play_button.isChecked(), timeout=5000)
    assert shown[:4] == [0, 1, 2, 3] and shown[-1] == -1
    bar.show_frame(1)
    canvas.set_codes(final * 2, ["a", "b", "c"])      # a training snapshot keeps the frame drawn
    np.testing.assert_allclose(canvas.projected_codes(), final / 2)


def test_replay_exports_gif_in_the_canvas_projection(qtbot, tmp_path):
    canvas, store, _ = _canvas_with_store(qtbot)
    assert canvas.replay.export(tmp_path / "r.gif", size=160) == 4
    assert Image.open(tmp_path / "r.gif").n_frames == 4
    assert canvas.replay.export(tmp_path / "frames", size=160) == 4
    assert len(list((tmp_path / "frames").glob("frame-*.png"))) == 4


def test_step_button_in_the_window_advances_one_epoch_and_records_a_replay(window, qtbot, tmp_path):
    window.builder.set_experiment(Experiment(train=TrainConfig(epochs=5000, seeds=1, check_every=25)))
    epochs = []
    window.controller.progress.connect(lambda r: epochs.append(r.epoch))
    step = window.builder.step_controls.epoch_button
    step.click()                                        # starts a run, paused after epoch 1
    assert _epochs_after(qtbot, epochs, 1) == [1]
    assert window.builder.pause_button.text() == "Resume"
    step.click()
    assert _epochs_after(qtbot, epochs, 2) == [1, 2]
    window.builder.step_controls.act_epoch.trigger()    # F6
    assert _epochs_after(qtbot, epochs, 3) == [1, 2, 3]
    qtbot.waitUntil(lambda: window.current is window.live, timeout=5000)
    assert window.latent.replay.live and window.latent.replay.count() == 3
    with qtbot.waitSignal(window.training_finished, timeout=20000):
        window.stop_training()
    entry = window.current
    assert entry.replay is not None and entry.replay.epochs()[-1] == epochs[-1]
    # Saved with the model and back on open.
    from aegui.qt.models import open_model
    again = open_model(entry.path)
    np.testing.assert_array_equal(again.replay.arrays()[0], entry.replay.arrays()[0])
