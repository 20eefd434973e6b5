"""Training with a scipy minimiser from the window: its minimisers run on threads of their own,
paused between iterations; Stop in the middle keeps the weights of the last whole iteration, the
chart has a point per check, and no minimiser thread outlives the run."""
import threading

from PySide6.QtCore import Qt

from aegui.core.schema.experiment import Experiment, ModelSpec, TrainConfig


def minimiser_threads():
    return [t for t in threading.enumerate() if t.name == "aegui-scipy" and t.is_alive()]


def test_stop_in_the_middle_of_a_cg_run_keeps_its_weights_and_leaves_no_thread(window, qtbot):
    exp = Experiment(name="cg run", model=ModelSpec(layers=(35, 8, 2, 8, 35)),
                     train=TrainConfig(optimizer="cg", epochs=100_000, check_every=1, seeds=2,
                                       weight_decay=1e-4))
    window.builder.set_experiment(exp)
    qtbot.mouseClick(window.builder.train_button, Qt.MouseButton.LeftButton)
    history = window.training.history           # the demo model's, until the run starts its own

    def run_checked_five_times():
        h = window.training.history
        return h is not history and len(h) >= 5
    qtbot.waitUntil(run_checked_five_times, timeout=60000)
    assert len(minimiser_threads()) == 2             # one a seed, paused at the check
    with qtbot.waitSignal(window.runner.finished, timeout=60000):
        qtbot.mouseClick(window.builder.stop_button, Qt.MouseButton.LeftButton)
    history = window.training.history
    assert 5 <= len(history) < 100_000 and history.epochs()[:3].tolist() == [1, 2, 3]
    loss = history.column("total")[:len(history)]
    assert loss[-1] < loss[0]
    qtbot.waitUntil(lambda: not minimiser_threads(), timeout=10000)
