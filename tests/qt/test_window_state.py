"""Every panel shows the workspace's one state: another model leaves nothing of the last one on
screen, paused is paused everywhere, a step shows where it stopped, and the GUI thread never runs a
training snapshot's model. The window and the CLI save a run alike."""
import json
import threading

import numpy as np
import pytest

from aegui.core.schema.experiment import Experiment, TrainConfig
from aegui.core.workspace import state as S
from tests.qt.paused import wait_paused


def _stop(qtbot, window):
    with qtbot.waitSignal(window.runner.finished, timeout=30000):
        window.workspace.stop()


def test_another_model_clears_the_hover_preview_and_the_search(window, qtbot):
    """The preview showed z = [4.95, 0.66, 4.95] (an old 2-D hover point padded to 3-D) and the
    search box kept "g" ("No label matches 'g'") after switching to a 3-D digits model."""
    ws, canvas = window.workspace, window.latent
    canvas.hover_at(0.5, 0.5)
    canvas.search.edit.setText("g")
    assert canvas.preview_image() is not None and len(canvas.search.selected)
    other = next(m for m in ws.models if m is not ws.current and m.shape == ws.current.shape)
    ws.set_current(other)
    assert canvas.preview_image() is None and canvas.preview.image() is None
    assert canvas.search.edit.text() == "" and len(canvas.search.selected) == 0
    assert not canvas.cursor_item.isVisible()
    qtbot.waitUntil(lambda: not canvas.busy(), timeout=10000)
    assert canvas.preview_image() is None           # nothing decoded what nobody hovered


def test_paused_shows_paused_everywhere_and_the_eta_waits(window, qtbot):
    """The charts' header said "Running" while the status bar said "Paused"."""
    window.builder.set_experiment(Experiment(train=TrainConfig(epochs=1_000_000, seeds=1, check_every=10)))
    window.builder.train_button.click()
    qtbot.waitUntil(lambda: window.workspace.training.phase == S.RUNNING and len(window.workspace.history) > 1,
                    timeout=30000)
    window.builder.pause_button.click()
    wait_paused(qtbot, window.workspace, window.runner)
    assert window.builder.pause_button.text() == "Resume"
    assert window.status.state.text() == "Paused"
    assert window.training.state_label.text() == "Paused"
    active = window.workspace.training.active_s
    # The clock stops while paused: whatever the machine does meanwhile, the rate and ETA hold.
    window.workspace.report_paused()
    assert window.workspace.training.active_s == pytest.approx(active)
    window.builder.pause_button.click()              # Resume
    assert window.training.state_label.text() == "Running" and window.status.state.text() == "Training…"
    _stop(qtbot, window)
    assert window.training.state_label.text() == "Stopped" and window.status.state.text() == "Stopped"


def test_one_batch_step_moves_the_readout_the_bars_and_the_charts(window, qtbot):
    """Shift+F6 moved the codes while the epoch and loss, the bar and the charts stayed a step behind."""
    window.builder.set_experiment(Experiment(train=TrainConfig(epochs=1000, seeds=1, check_every=50, batch_size=8)))
    act = window.menus.act_batch
    ws, panel = window.workspace, window.training
    act.trigger()                                    # starts a run, paused after its first batch
    for epoch, batch in ((1, 1), (1, 2), (1, 3), (1, 0), (2, 1)):
        wait_paused(qtbot, window.workspace, window.runner)
        last = ws.history.last
        assert (last.epoch, last.batch) == (epoch, batch)
        panel.flush()
        x, y = panel.loss_curves["total"].getData()
        assert x[-1] == pytest.approx(epoch - 1 + batch / 4 if batch else epoch)   # the chart's last point
        assert panel.progress.value() == epoch and f"{epoch} / 1000" in panel.progress.format()
        assert window.status.epoch.text() == f"Epoch {epoch}/1000"
        np.testing.assert_array_equal(panel.bars.opts["height"], last.glyph_wrong)
        np.testing.assert_allclose(window.latent.projected_codes(), ws.live.view.codes[:, :2], rtol=1e-5, atol=1e-5)
        act.trigger()
    _stop(qtbot, window)


def test_no_snapshot_of_a_run_is_run_through_its_model_on_the_gui_thread(window, qtbot, monkeypatch):
    """Codes, reconstructions, errors, the network view's activations and the editor's output come
    from workers; the GUI thread only draws them (hovering would decode there, and is left out)."""
    from aegui.core.models import mlp_net
    calls, stacks = [], []
    for name in ("encode_raw", "decode_logits"):
        real = getattr(mlp_net.Autoencoder, name)

        def spy(self, *a, _real=real, **k):
            if self.k == 1:                   # a snapshot (the session's own model has K stacked)
                calls.append(threading.current_thread())
                if threading.current_thread() is threading.main_thread():
                    import traceback
                    stacks.append("".join(traceback.format_stack(limit=12)))
            return _real(self, *a, **k)
        monkeypatch.setattr(mlp_net.Autoencoder, name, spy)
    window.docks["network"].show()
    window.docks["network"].raise_()
    window.workspace.set_editor_choice(None)          # the editor follows the run
    exp = Experiment(model=Experiment().model.__class__(kind="dae"), train=TrainConfig(epochs=400, check_every=10))
    window.builder.set_experiment(exp)
    with qtbot.waitSignal(window.runner.finished, timeout=60000):
        window.builder.train_button.click()
    assert calls, "no snapshot was measured"
    assert threading.main_thread() not in calls, stacks[0]
    assert window.workspace.editor_model() is window.workspace.current


def test_the_window_and_the_cli_save_the_same_metrics(window, qtbot, tmp_path):
    from aegui.cli import main
    from aegui.core.config.validation import with_changes
    exp = with_changes(Experiment(name="same run"), train={"epochs": 120, "check_every": 20, "device": "cpu"})
    config = tmp_path / "run.json"
    config.write_text(exp.to_json())
    assert main(["train", str(config), "--out", str(tmp_path / "cli"), "--quiet", "--replay"]) == 0
    window.builder.set_experiment(exp)
    with qtbot.waitSignal(window.runner.finished, timeout=60000):
        window.builder.train_button.click()
    cli = json.loads((tmp_path / "cli" / "model.json").read_text())
    app = json.loads((window.workspace.current.path / "model.json").read_text())
    assert set(app) - {"saved", "recovered"} == set(cli) - {"saved", "recovered"}
    assert app["metrics"].keys() == cli["metrics"].keys()
    timing = {"seconds"}
    assert {k: v for k, v in app["metrics"].items() if k not in timing} == \
        {k: v for k, v in cli["metrics"].items() if k not in timing}
    assert app["experiment"] == cli["experiment"]
    assert (tmp_path / "cli" / "metrics.csv").read_text().splitlines()[0] == \
        (window.workspace.current.path / "metrics.csv").read_text().splitlines()[0]
