"""Step mode in the window (one click = one epoch) and the latent replay under the canvas."""
import numpy as np
from PIL import Image

from aegui.core.schema.experiment import Experiment, TrainConfig
from aegui.core.train.snapshots import SnapshotStore
from aegui.qt.latent.latent_canvas import LatentCanvas


def _epochs_after(qtbot, window, n):
    """The run's records once it is paused after its n-th epoch (waiting in the gate)."""
    ws = window.workspace
    qtbot.waitUntil(lambda: len(ws.history) >= n and ws.training.phase == "paused"
                    and window.runner._gate is not None and window.runner._gate.waiting, timeout=30000)
    return [r["epoch"] for r in ws.history.rows()]


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
    step = window.builder.step_controls.epoch_button
    step.click()                                        # starts a run, paused after epoch 1
    assert _epochs_after(qtbot, window, 1) == [1]
    assert window.builder.pause_button.text() == "Resume"
    step.click()
    assert _epochs_after(qtbot, window, 2) == [1, 2]
    window.menus.act_epoch.trigger()    # F6
    epochs = _epochs_after(qtbot, window, 3)
    assert epochs == [1, 2, 3]
    qtbot.waitUntil(lambda: window.workspace.current is window.workspace.live, timeout=5000)
    assert window.latent.replay.live and window.latent.replay.count() == 3
    with qtbot.waitSignal(window.runner.finished, timeout=20000):
        window.workspace.stop()
    entry = window.workspace.current
    assert entry.replay is not None and entry.replay.epochs()[-1] == entry.history.last.epoch
    # Saved with the model and back on open.
    from aegui.core.runs.trained import open_trained as open_model
    again = open_model(entry.path)
    np.testing.assert_array_equal(again.replay.arrays()[0], entry.replay.arrays()[0])
