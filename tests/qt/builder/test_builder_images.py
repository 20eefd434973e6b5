"""The model builder with image sources (emoji, folder, IDX, digits) and conv models."""
import gzip
import struct

import numpy as np
import pytest
from PIL import Image

from aegui.core import archs
from aegui.core.schema.experiment import DataConfig, Experiment, ModelSpec, TrainConfig
from aegui.core.config.validation import validate
from aegui.qt import i18n
from aegui.qt.builder.model_builder import ModelBuilder
from tests.qt.builder.forms import pick


def write_idx(path, magic, array, gz=False):
    array = np.asarray(array, dtype=np.uint8)
    data = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape) + array.tobytes()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def idx_pair(folder, n=12, rows=8, cols=8, gz=False):
    rng = np.random.default_rng(0)
    suffix = ".gz" if gz else ""
    images = write_idx(folder / f"train-images-idx3-ubyte{suffix}", 2051,
                       rng.integers(0, 256, size=(n, rows, cols)), gz)
    labels = write_idx(folder / f"train-labels-idx1-ubyte{suffix}", 2049, np.arange(n) % 3, gz)
    return images, labels


def picture_folder(folder, n=3):
    folder.mkdir(exist_ok=True)
    for i in range(n):
        Image.new("RGB", (20 + i, 16), (40 * i, 100, 200)).save(folder / f"p{i}.png")
    return folder


@pytest.fixture
def builder(qtbot):
    w = ModelBuilder()
    qtbot.addWidget(w)
    w.resize(340, 900)
    w.show()
    return w


def test_emoji_rgb_32_conv_vae(builder):
    pick(builder.form.widget("data.source"), "emoji")
    pick(builder.form.widget("data.color"), "rgb")
    pick(builder.form.widget("model.arch"), "conv")
    pick(builder.form.widget("model.kind"), "vae")
    builder.form.widget("model.latent").setValue(16)
    exp = builder.experiment()
    validate(exp)
    d, m = exp.data, exp.model
    assert (d.source, d.size, d.color, d.subcategories) == ("emoji", 32, "rgb", ())
    assert (m.arch, m.kind, m.input_shape, m.channels) == ("conv", "vae", (32, 32, 3), (32, 64))
    assert m.full_layers == (3072, 16, 3072)
    # Only the rows the source and the architecture use are shown.
    for w in (builder.data.emoji_size_combo, builder.form.widget("data.color"), builder.data.subcat_picker, builder.model.channels_editor):
        assert w.isVisibleTo(builder)
    for w in (builder.data.fonts_row, builder.form.widget("data.chars"), builder.form.widget("data.folder"), builder.form.widget("data.images"),
              builder.form.widget("data.classes"), builder.model.encoder_editor, builder.model.decoder_editor, builder.form.widget("model.mirror")):
        assert w.isHidden()
    assert "32 × 32 px, RGB" in builder.model.input_label.text()
    count = f"{archs.parameter_count(m):,}".replace(",", "\u202f")
    assert f"{count} parameters" in builder.model.layers_label.text()
    assert "16×16×32 → 8×8×64 → <b>16</b>" in builder.model.layers_label.text()


def test_emoji_subcategory_presets_and_errors(builder):
    pick(builder.form.widget("data.source"), "emoji")
    builder.data.subcat_picker.choose_preset("Fruit and vegetables")
    assert builder.experiment().data.subcategories == ("food-fruit", "food-vegetable")
    builder.data.subcat_picker.choose_preset("All emoji")
    assert builder.experiment().data.subcategories == ()
    for i in range(builder.data.subcat_picker.list.count()):
        builder.data.subcat_picker.list.item(i).setCheckState(builder.data.subcat_picker.list.item(i).checkState().Unchecked)
    assert builder.data.subcat_picker.list.property("invalid") is True
    assert "at least one" in builder.data.subcat_picker.list.toolTip()
    assert not builder.train_button.isEnabled()
    assert builder.data.subcat_picker.preset_combo.currentData() == "Custom selection"
    # A name the index does not know is kept (not dropped) and marked.
    exp = Experiment(data=DataConfig(source="emoji", subcategories=("animal-bird", "dragons")),
                     model=ModelSpec(layers=(1024, 64, 2, 64, 1024)))
    builder.set_experiment(exp)
    assert builder.validate_fields()[0].field == "data.subcategories"
    assert "dragons" in builder.data.subcat_picker.list.toolTip()


def test_folder_source(builder, tmp_path):
    folder = picture_folder(tmp_path / "pics")
    builder.set_source("folder", folder)
    pick(builder.form.widget("data.color"), "gray")
    builder.form.widget("data.size").setValue(24)
    exp = builder.experiment()
    assert (exp.data.source, exp.data.path, exp.data.size, exp.data.color) == ("folder", str(folder), 24, "gray")
    assert exp.model.full_layers[0] == exp.model.full_layers[-1] == 24 * 24
    assert exp.name == "pics"                    # a default name after the data...
    pick(builder.form.widget("data.source"), "digits")
    assert builder.experiment().name == "digits"   # ...that follows it until the user types one
    builder.name_edit.setText("mine")
    pick(builder.form.widget("data.source"), "folder")
    assert builder.experiment().name == "mine"
    assert builder.form.widget("data.size").isVisibleTo(builder) and builder.data.emoji_size_combo.isHidden()

    builder.form.widget("data.folder").set_path(tmp_path / "nowhere")
    [error] = builder.validate_fields()
    assert error.field == "data.path"
    assert builder.form.widget("data.folder").line.property("invalid") is True
    assert "folder not found" in builder.form.widget("data.folder").line.toolTip()
    assert "Folder:" in builder.error_label.text()
    assert not builder.train_button.isEnabled()


def test_idx_source_reads_only_the_header(builder, tmp_path):
    images, labels = idx_pair(tmp_path, rows=12, cols=8, gz=True)
    builder.set_source("idx", images)
    assert builder.form.widget("data.labels_path").line.placeholderText() == f"auto: {labels.name}"   # found beside it
    builder.form.widget("data.classes").setText("0, 2")
    builder.form.widget("data.max_samples").setValue(5)
    exp = builder.experiment()
    d = exp.data
    assert (d.source, d.path, d.labels_path, d.classes, d.max_samples) == ("idx", str(images), "", (0, 2), 5)
    assert exp.model.full_layers[0] == 96 and builder.sample_shape() == (12, 8)
    assert "12 × 8 px, grey" in builder.model.input_label.text()

    builder.form.widget("data.classes").setText("0, two")
    assert builder.form.widget("data.classes").property("invalid") is True
    assert "separated by commas" in builder.form.widget("data.classes").toolTip()
    builder.form.widget("data.classes").setText("1")

    wrong_labels = write_idx(tmp_path / "other-labels", 2049, np.arange(4))
    builder.form.widget("data.labels_path").set_path(wrong_labels)
    [error] = builder.validate_fields()
    assert error.field == "data.labels_path" and "4 labels" in error.problem
    assert builder.form.widget("data.labels_path").line.property("invalid") is True
    builder.form.widget("data.labels_path").set_path("")

    builder.form.widget("data.images").set_path(tmp_path / "missing-images-idx3-ubyte")
    errors = {e.field: e for e in builder.validate_fields()}
    assert "not found" in errors["data.path"].problem
    assert builder.form.widget("data.images").line.property("invalid") is True
    # Keeping classes needs labels, and none is beside a missing file.
    assert errors["data.classes"].field == "data.classes"


def test_digits_source(builder):
    pick(builder.form.widget("data.source"), "digits")
    builder.form.widget("data.classes").setText("1,7")
    builder.form.widget("data.max_samples").setValue(100)
    builder.form.widget("data.val_split").setValue(25)
    builder.form.widget("data.split_seed").setValue(3)
    exp = builder.experiment()
    d = exp.data
    assert (d.source, d.classes, d.max_samples, d.val_split, d.split_seed) == ("digits", (1, 7), 100, 0.25, 3)
    assert exp.model.full_layers[0] == 64
    assert exp.model.full_layers[1:3] == (64, 32)          # image defaults sized for 64 inputs
    builder.form.widget("data.classes").setText("1,12")
    assert builder.validate_fields()[0].field == "data.classes"
    assert "0 to 9" in builder.form.widget("data.classes").toolTip()


def test_conv_on_glyphs_is_marked_at_the_architecture(builder):
    pick(builder.form.widget("model.arch"), "conv")
    errors = builder.validate_fields()
    assert [e.field for e in errors] == ["model.arch"]
    assert builder.form.widget("model.arch").property("invalid") is True
    assert "MLP" in builder.form.widget("model.arch").toolTip()
    assert not builder.train_button.isEnabled()
    # Images whose sides cannot be halved often enough are marked at the channels.
    pick(builder.form.widget("data.source"), "digits")
    pick(builder.form.widget("model.arch"), "conv")
    builder.model.channels_editor.set_values([8, 16, 32, 64])
    assert builder.validate_fields()[0].field == "model.channels"
    assert builder.model.channels_editor.property("invalid") is True
    builder.model.channels_editor.remove_layer()
    assert builder.validate_fields() == []


def test_switching_between_glyphs_and_images_keeps_both_settings(builder):
    # Like the demo model's config: fine for glyphs, wrong for images (Adam at 0.03 blows up a
    # VAE on colour emoji; a wrong-pixel target means nothing for grey or colour pictures).
    font_exp = Experiment(train=TrainConfig(learning_rate=0.03, target_max_wrong=0, seeds=8))
    builder.set_experiment(font_exp)
    pick(builder.form.widget("data.source"), "emoji")
    exp = builder.experiment()
    assert exp.model.full_layers == (1024, 512, 128, 2, 128, 512, 1024)
    assert (exp.train.batch_size, exp.train.seeds, exp.train.epochs) == (64, 1, 300)
    assert exp.train.learning_rate == 1e-3 and exp.train.target_max_wrong is None
    builder.model.encoder_editor.set_values([256, 64])
    builder.form.widget("train.batch_size").setValue(32)
    pick(builder.form.widget("model.arch"), "conv")
    pick(builder.form.widget("data.source"), "font")
    assert builder.experiment() == font_exp             # glyph settings are back, conv is not kept
    pick(builder.form.widget("data.source"), "emoji")
    exp = builder.experiment()
    assert exp.model.arch == "conv" and exp.train.batch_size == 32
    pick(builder.form.widget("model.arch"), "mlp")
    assert builder.experiment().model.full_layers[1:3] == (256, 64)


@pytest.mark.parametrize("exp", [
    Experiment(name="emoji-vae", data=DataConfig(source="emoji", size=16, color="rgba",
                                                 subcategories=("face-hat", "animal-bird"), val_split=0.2,
                                                 split_seed=4),
               model=ModelSpec(kind="vae", arch="conv", layers=(1024, 8, 1024), channels=(16, 32, 64),
                               input_shape=(16, 16, 4), beta=0.5),
               train=TrainConfig(batch_size=64, epochs=50)),
    Experiment(name="digits", data=DataConfig(source="digits", classes=(3, 1), max_samples=500, val_split=0.123),
               model=ModelSpec(layers=(64, 48, 6, 48, 64))),
], ids=["emoji-conv", "digits-mlp"])
def test_round_trip_image_configs(builder, exp):
    validate(exp)
    builder.set_experiment(exp)
    assert builder.experiment() == exp


def test_round_trip_folder_and_idx(builder, tmp_path):
    folder = picture_folder(tmp_path / "pics")
    exp = Experiment(data=DataConfig(source="folder", path=str(folder), size=20, color="rgb", max_samples=2),
                     model=ModelSpec(kind="ae", arch="conv", layers=(1200, 4), mirror=True, channels=(8,),
                                     input_shape=(20, 20, 3)))
    validate(exp)
    builder.set_experiment(exp)
    assert builder.experiment() == exp
    images, labels = idx_pair(tmp_path)
    exp = Experiment(data=DataConfig(source="idx", path=str(images), labels_path=str(labels), classes=(2,)),
                     model=ModelSpec(layers=(64, 32, 2, 32, 64)))
    builder.set_experiment(exp)
    assert builder.experiment() == exp
    assert builder.form.widget("data.images").isVisibleTo(builder) and builder.form.widget("data.folder").isHidden()


def test_spanish_labels_for_images(builder):
    pick(builder.form.widget("data.source"), "idx")
    i18n.set_language("es")
    assert builder.form.widget("data.source").currentText() == "IDX (estilo MNIST)"
    assert builder.form.widget("data.images").button.toolTip() == "Elegir el archivo IDX de imágenes"
    assert "Imágenes:" in builder.error_label.text()
    i18n.set_language("en")
    assert "Images file:" in builder.error_label.text()
