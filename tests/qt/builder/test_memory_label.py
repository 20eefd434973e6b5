"""The builder's live memory estimate, and the window's message when training is refused."""
from dataclasses import replace

from PySide6.QtWidgets import QMessageBox

from aegui.core.schema.experiment import Experiment, ModelSpec
from aegui.core.train import memory as M
from aegui.qt import i18n
from aegui.qt.builder.memory_label import MemoryLabel
from aegui.qt.builder.model_builder import ModelBuilder

def test_builder_shows_the_estimate_live(qtbot, monkeypatch):
    monkeypatch.setenv(M.ENV_LIMIT, "4G")
    b = ModelBuilder()
    qtbot.addWidget(b)
    b.set_experiment(Experiment())
    label = b.memory_label
    assert "Memory: about" in label.text() and "of 4.29 GB free" in label.text() and "32 samples" in label.text()
    assert not label.too_big
    # The form caps a layer at 4096 units; two such layers and 10 seeds take ~10 GB with Adam.
    big = Experiment(model=ModelSpec(layers=(35, 4096, 4096, 2, 4096, 4096, 35)))
    b.set_experiment(replace(big, train=replace(big.train, seeds=10)))
    assert b.experiment().train.seeds == 10
    assert label.too_big and label.text().startswith("Too big: needs about 9.")
    assert "smaller layers" in label.text()
    b.resize(420, 900)
    b.show()
    b.grab().save("/tmp/memory_label.png")
    i18n.set_language("es")
    assert label.text().startswith("Demasiado grande")


def test_label_alone_counts_the_samples(qtbot, monkeypatch):
    monkeypatch.setenv(M.ENV_LIMIT, "64G")
    label = MemoryLabel()
    qtbot.addWidget(label)
    exp = Experiment()
    label.show_estimate(replace(exp, data=replace(exp.data, source="digits")))
    assert "1\u202f797 samples" in label.text()     # thousands: a narrow space


def test_window_says_why_training_was_refused(window, qtbot, monkeypatch):
    seen = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a, **k: seen.append((title, text)))
    monkeypatch.setenv(M.ENV_LIMIT, "1G")
    exp = replace(Experiment(), model=ModelSpec(layers=(35, 1_000_000, 2, 1_000_000, 35)))
    window.workspace.train(exp)
    qtbot.waitUntil(lambda: bool(seen), timeout=30000)
    title, text = seen[0]
    assert title == "Training failed"
    assert text.startswith("model.layers: training needs about") and "use smaller layers" in text
    qtbot.waitUntil(lambda: not window.workspace.training.busy, timeout=10000)
