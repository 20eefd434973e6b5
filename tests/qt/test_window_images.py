"""The window's data path for images: loading off the GUI thread with progress, warnings for
unreadable pictures, a validation split charted, File > Open dataset, the glyph-only editor."""
import time

import numpy as np
from PIL import Image

from tests.qt.builder.forms import pick
from tests.qt.builder.test_builder_images import idx_pair

from aegui.qt.models.names import title


def _small_image_model(builder, epochs=6):
    pick(builder.form.widget("model.kind"), "ae")
    pick(builder.form.widget("model.arch"), "mlp")
    builder.model.encoder_editor.set_values([16])
    builder.model.decoder_editor.set_values([16])
    builder.form.widget("model.latent").setValue(2)
    builder.form.widget("train.epochs").setValue(epochs)
    builder.form.widget("train.check_every").setValue(2)


def test_tiny_conv_vae_on_16px_emoji_charts_a_validation_loss(window, qtbot):
    b = window.builder
    pick(b.form.widget("data.source"), "emoji")
    b.data.emoji_size_combo.setCurrentIndex(b.data.emoji_size_combo.findData(16))
    pick(b.form.widget("data.color"), "rgb")
    b.data.subcat_picker.choose_preset("Faces")
    pick(b.form.widget("model.arch"), "conv")
    pick(b.form.widget("model.kind"), "vae")
    b.model.channels_editor.set_values([4, 8])
    b.form.widget("model.latent").setValue(4)
    b.form.widget("data.val_split").setValue(20)
    b.form.widget("train.epochs").setValue(8)
    b.form.widget("train.check_every").setValue(2)
    exp = b.experiment()
    assert exp.model.input_shape == (16, 16, 3) and exp.data.val_split == 0.2
    with qtbot.waitSignal(window.runner.finished, timeout=60000) as done:
        b.train_button.click()
        assert window.status.busy.isVisible() or window.workspace.training.busy
    rec = done.args[0]
    assert rec.state == "finished" and rec.val_loss is not None
    entry = window.workspace.current
    # The charts and the saved model read one history, every check of the run in it.
    vals = [row["val_loss"] for row in entry.history.rows() if "val_loss" in row]
    assert len(vals) == 4 and vals[-1] < vals[0]           # held-out loss measured and falling
    assert window.training.history is entry.history and entry.history.has("val")   # and charted
    assert entry.shape == (16, 16, 3) and len(entry.dataset) == 118   # all faces, both parts
    assert "loss" in title(entry)
    # Colour pictures: reconstruction error as MSE / PSNR and the worst samples, not wrong pixels.
    panel = window.training
    assert panel.image_mode() and panel.worst_view.isVisibleTo(panel)
    assert not panel.bar_plot.isVisible() and "PSNR" in panel.wrong_plot.titleLabel.text
    epochs, _ = panel.mean_curve.getData()
    assert len(epochs) >= 2 and epochs[-1] == rec.epoch    # PSNR charted at the snapshots
    shown = panel.worst_view.shown_indices()
    assert len(shown) == 6 and all("dB" in c.text() for _, _, c in panel.worst_view.cells)
    from aegui.core.train.image_quality import reconstruction_errors
    mse, _ = reconstruction_errors(entry.shown.images(), entry.reconstructions())
    assert shown[0] == int(mse.argmax())
    # The pixel editor lists glyph models only and still works with its own.
    names = [window.editor.denoiser.choice_text(m) for m in window.editor.denoiser.choices()]
    assert not any(n.startswith(entry.name) for n in names)
    assert window.editor.output() is not None


def test_folder_with_a_corrupt_file_loads_on_a_worker_and_warns(window, qtbot, tmp_path):
    folder = tmp_path / "pics"
    (folder / "cats").mkdir(parents=True)
    for i in range(12):
        Image.new("RGB", (10 + i, 12), (20 * i, 90, 160)).save(folder / "cats" / f"c{i}.png")
    (folder / "broken.png").write_bytes(b"not a picture")
    window.files.open_path(str(folder))
    b = window.builder
    assert b.form.widget("data.source").currentData() == "folder" and b.form.widget("data.folder").path() == str(folder)
    b.form.widget("data.size").setValue(8)
    _small_image_model(b)
    progress = []
    window.workspace.training_changed.connect(lambda st: st.loaded and progress.append(st.loaded))
    with qtbot.waitSignal(window.runner.finished, timeout=60000):
        b.train_button.click()
    assert progress and progress[-1] == (13, 13)
    box = window.files.data_warning_box
    assert box is not None and box.isVisible()
    assert "1 of 13 pictures" in box.text() and "broken.png" in box.text()
    assert len(window.workspace.current.dataset) == 12 and window.workspace.current.shape == (8, 8)


def test_stop_while_loading_cancels_the_load(window, qtbot, monkeypatch):
    import aegui.core.data.datasets as D

    def slow(data, progress=None):
        for i in range(1000):           # a big folder: far longer than the test waits
            time.sleep(0.01)
            progress(i + 1, 1000)
        raise AssertionError("the load was not cancelled")

    monkeypatch.setattr(D, "from_config", slow)
    window.builder.train_button.click()
    qtbot.waitUntil(lambda: window.status.busy.isVisible() and window.status.busy.maximum() == 1000, timeout=5000)
    assert window.status.state.text() == "Loading the dataset…"
    assert window.builder.stop_button.isEnabled() and not window.builder.pause_button.isEnabled()
    window.builder.stop_button.click()
    qtbot.waitUntil(lambda: not window.workspace.training.busy, timeout=10000)   # long before the slow load ends
    assert window.status.state.text() == "Stopped" and not window.workspace.training.busy
    assert window.builder.train_button.isEnabled()


def test_a_load_error_marks_the_field(window, qtbot, tmp_path, monkeypatch):
    images, _ = idx_pair(tmp_path)
    window.files.open_dataset("idx", images)
    assert window.builder.form.widget("data.source").currentData() == "idx"
    _small_image_model(window.builder)
    # Damaged after it was chosen: Train checks the header again and marks the file.
    images.write_bytes(images.read_bytes()[:-3])
    window.builder.train_button.click()
    assert window.builder.form.widget("data.images").line.property("invalid") is True
    assert "truncated" in window.builder.form.widget("data.images").line.toolTip()
    assert not window.workspace.training.busy
    # A .gz whose header reads fine but whose data is cut off fails only when loaded.
    (tmp_path / "gz").mkdir()
    packed, _ = idx_pair(tmp_path / "gz", n=200, gz=True)
    packed.write_bytes(packed.read_bytes()[:-200])
    window.files.open_dataset("idx", packed)
    assert window.builder.validate_fields() == []
    shown = []
    monkeypatch.setattr("aegui.qt.window.main_window.QMessageBox.critical", lambda *a: shown.append(a[2]))
    window.builder.train_button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert shown[0].startswith("data.path:") and "damaged" in shown[0]
    assert window.builder.form.widget("data.images").line.property("invalid") is True
    assert not window.workspace.training.busy and window.builder.train_button.isEnabled()


def test_open_path_recognises_datasets(window, tmp_path):
    (tmp_path / "mnist").mkdir()
    images, _ = idx_pair(tmp_path / "mnist")
    window.files.open_path(str(images))
    assert window.builder.form.widget("data.source").currentData() == "idx"
    assert window.builder.experiment().model.full_layers[0] == 64
    recent = window.settings.value("recent", [], list)
    assert str(images.resolve()) in recent
    window.files.open_path(str(tmp_path))
    assert window.builder.form.widget("data.source").currentData() == "folder"
    assert np.prod(window.builder.sample_shape()) == window.builder.experiment().model.full_layers[0]
