"""The status bar's epoch and rate: the run's while it goes on, the shown model's once it ended
("Epoch 3000/3000" of the last run stayed beside a model stopped at 120/3000), and a rate written
as no count is ("1 epochs/s")."""
from PySide6.QtCore import Qt

from aegui.core.schema.experiment import Experiment, TrainConfig
from aegui.qt import i18n
from aegui.qt.window.status_bar import rate_text


def _choose(window, model):
    """Pick a model in the toolbar's model list, as the user does."""
    combo = window.model_bar.model_combo
    combo.setCurrentIndex(next(i for i, m in enumerate(window.model_bar._choices) if m is model))
    assert window.workspace.current is model


def test_the_status_bar_shows_the_shown_model_s_epochs_not_the_last_run_s(window, qtbot):
    ws, status = window.workspace, window.status
    demo = next(m for m in ws.models if m.name.startswith("Font3 2-D autoencoder"))
    assert demo.metrics["epochs"] < demo.experiment.train.epochs      # stopped early, at its target
    window.builder.set_experiment(Experiment(name="tiny", train=TrainConfig(epochs=30, seeds=1, check_every=10)))
    with qtbot.waitSignal(window.runner.finished, timeout=60000):
        qtbot.mouseClick(window.builder.train_button, Qt.MouseButton.LeftButton)
    ran = ws.current
    assert ran.name == "tiny" and status.epoch.text() == "Epoch 30/30" and status.speed.text().endswith(" epochs/s")

    _choose(window, demo)
    assert status.epoch.text() == f"Epoch {demo.metrics['epochs']}/{demo.experiment.train.epochs}"
    assert status.speed.text() == ""        # measured on another machine: not this session's rate
    _choose(window, ran)
    assert status.epoch.text() == "Epoch 30/30" and status.speed.text().endswith(" epochs/s")
    i18n.set_language("es")
    _choose(window, demo)
    assert status.epoch.text() == f"Época {demo.metrics['epochs']}/{demo.experiment.train.epochs}"


def test_a_rate_never_reads_as_one_of_many(qtbot):
    from aegui.qt.builder.step_controls import StepControls
    assert [rate_text(r) for r in (0.5, 1.0, 1.04, 9.96, 12.4)] == \
        ["0.5 epochs/s", "1.0 epochs/s", "1.0 epochs/s", "10.0 epochs/s", "12 epochs/s"]
    for lang, wrong in (("en", "1 epochs/s"), ("es", "1 épocas/s")):
        i18n.set_language(lang)
        controls = StepControls()
        qtbot.addWidget(controls)
        items = [controls.speed_combo.itemText(i) for i in range(controls.speed_combo.count())]
        assert wrong not in items and ("1 epoch/s" if lang == "en" else "1 época/s") in items, items
