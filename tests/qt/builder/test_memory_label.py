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


def test_an_edit_of_a_model_of_10000_layers_reads_its_layers_at_most_once(qtbot, monkeypatch):
    """A model of 10,000 batch-norm layers: each edit of the form planned its layers five times
    (validation, the summary, the memory estimate; 0.4 s an edit here, the estimate alone 0.2 s).
    The plan of a model is kept: the form's edits read the 10,000 lines once, if at all."""
    from aegui.core.config.validation import with_changes
    from aegui.core.models import layer_kinds
    exp = with_changes(Experiment(), data={"source": "digits"},
                       model={"arch": "convlayers", "input_shape": (8, 8), "layers": (64, 2, 64),
                              "conv_encoder": ("conv 4 3x3",) + ("batchnorm",) * 10_000 + ("dense 2",),
                              "conv_decoder": ("dense 64", "reshape 8 8 1", "conv 1 3x3")},
                       train={"batch_size": 8})
    b = ModelBuilder()
    qtbot.addWidget(b)
    b.set_experiment(exp)
    assert b.memory_label.text().startswith("Memory: about")
    planned = []
    real = layer_kinds.plan
    monkeypatch.setattr(layer_kinds, "plan", lambda lines, *a, **k: planned.append(len(lines)) or real(lines, *a, **k))
    for _ in range(3):
        b.on_edit()
    assert planned.count(10_002) <= 1 and b.memory_label.text().startswith("Memory: about")
