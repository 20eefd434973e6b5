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


def pick(combo, key):
    combo.setCurrentIndex(combo.findData(key))


def test_emoji_rgb_32_conv_vae(builder):
    pick(builder.source_combo, "emoji")
    pick(builder.color_combo, "rgb")
    pick(builder.arch_combo, "conv")
    pick(builder.kind_combo, "vae")
    builder.latent_spin.setValue(16)
    exp = builder.experiment()
    validate(exp)
    d, m = exp.data, exp.model
    assert (d.source, d.size, d.color, d.subcategories) == ("emoji", 32, "rgb", ())
    assert (m.arch, m.kind, m.input_shape, m.channels) == ("conv", "vae", (32, 32, 3), (32, 64))
    assert m.full_layers == (3072, 16, 3072)
    # Only the rows the source and the architecture use are shown.
    for w in (builder.emoji_size_combo, builder.color_combo, builder.subcat_picker, builder.channels_editor):
        assert w.isVisibleTo(builder)
    for w in (builder.fonts_row, builder.chars_edit, builder.folder_edit, builder.idx_edit,
              builder.classes_edit, builder.encoder_editor, builder.decoder_editor, builder.mirror_check):
        assert w.isHidden()
    assert "32 × 32 px, RGB" in builder.input_label.text()
    count = f"{archs.parameter_count(m):,}".replace(",", "\u202f")
    assert f"{count} parameters" in builder.layers_label.text()
    assert "16×16×32 → 8×8×64 → <b>16</b>" in builder.layers_label.text()


def test_emoji_subcategory_presets_and_errors(builder):
    pick(builder.source_combo, "emoji")
    builder.subcat_picker.choose_preset("Fruit and vegetables")
    assert builder.experiment().data.subcategories == ("food-fruit", "food-vegetable")
    builder.subcat_picker.choose_preset("All emoji")
    assert builder.experiment().data.subcategories == ()
    for i in range(builder.subcat_picker.list.count()):
        builder.subcat_picker.list.item(i).setCheckState(builder.subcat_picker.list.item(i).checkState().Unchecked)
    assert builder.subcat_picker.list.property("invalid") is True
    assert "at least one" in builder.subcat_picker.list.toolTip()
    assert not builder.train_button.isEnabled()
    assert builder.subcat_picker.preset_combo.currentData() == "Custom selection"
    # A name the index does not know is kept (not dropped) and marked.
    exp = Experiment(data=DataConfig(source="emoji", subcategories=("animal-bird", "dragons")),
                     model=ModelSpec(layers=(1024, 64, 2, 64, 1024)))
    builder.set_experiment(exp)
    assert builder.validate_fields()[0].field == "data.subcategories"
    assert "dragons" in builder.subcat_picker.list.toolTip()


def test_folder_source(builder, tmp_path):
    folder = picture_folder(tmp_path / "pics")
    builder.set_source("folder", folder)
    pick(builder.color_combo, "gray")
    builder.size_spin.setValue(24)
    exp = builder.experiment()
    assert (exp.data.source, exp.data.path, exp.data.size, exp.data.color) == ("folder", str(folder), 24, "gray")
    assert exp.model.full_layers[0] == exp.model.full_layers[-1] == 24 * 24
    assert exp.name == "pics"                    # a default name after the data...
    pick(builder.source_combo, "digits")
    assert builder.experiment().name == "digits"   # ...that follows it until the user types one
    builder.name_edit.setText("mine")
    pick(builder.source_combo, "folder")
    assert builder.experiment().name == "mine"
    assert builder.size_spin.isVisibleTo(builder) and builder.emoji_size_combo.isHidden()

    builder.folder_edit.set_path(tmp_path / "nowhere")
    [error] = builder.validate_fields()
    assert error.field == "data.path"
    assert builder.folder_edit.line.property("invalid") is True
    assert "folder not found" in builder.folder_edit.line.toolTip()
    assert "Folder:" in builder.error_label.text()
    assert not builder.train_button.isEnabled()


def test_idx_source_reads_only_the_header(builder, tmp_path):
    images, labels = idx_pair(tmp_path, rows=12, cols=8, gz=True)
    builder.set_source("idx", images)
    assert builder.labels_edit.line.placeholderText() == f"auto: {labels.name}"   # found beside it
    builder.classes_edit.setText("0, 2")
    builder.max_samples_spin.setValue(5)
    exp = builder.experiment()
    d = exp.data
    assert (d.source, d.path, d.labels_path, d.classes, d.max_samples) == ("idx", str(images), "", (0, 2), 5)
    assert exp.model.full_layers[0] == 96 and builder.sample_shape() == (12, 8)
    assert "12 × 8 px, grey" in builder.input_label.text()

    builder.classes_edit.setText("0, two")
    assert builder.classes_edit.property("invalid") is True
    assert "separated by commas" in builder.classes_edit.toolTip()
    builder.classes_edit.setText("1")

    wrong_labels = write_idx(tmp_path / "other-labels", 2049, np.arange(4))
    builder.labels_edit.set_path(wrong_labels)
    [error] = builder.validate_fields()
    assert error.field == "data.labels_path" and "4 labels" in error.problem
    assert builder.labels_edit.line.property("invalid") is True
    builder.labels_edit.set_path("")

    builder.idx_edit.set_path(tmp_path / "missing-images-idx3-ubyte")
    errors = {e.field: e for e in builder.validate_fields()}
    assert "not found" in errors["data.path"].problem
    assert builder.idx_edit.line.property("invalid") is True
    # Keeping classes needs labels, and none is beside a missing file.
    assert errors["data.classes"].field == "data.classes"


def test_digits_source(builder):
    pick(builder.source_combo, "digits")
    builder.classes_edit.setText("1,7")
    builder.max_samples_spin.setValue(100)
    builder.val_spin.setValue(25)
    builder.split_seed_spin.setValue(3)
    exp = builder.experiment()
    d = exp.data
    assert (d.source, d.classes, d.max_samples, d.val_split, d.split_seed) == ("digits", (1, 7), 100, 0.25, 3)
    assert exp.model.full_layers[0] == 64
    assert exp.model.full_layers[1:3] == (64, 32)          # image defaults sized for 64 inputs
    builder.classes_edit.setText("1,12")
    assert builder.validate_fields()[0].field == "data.classes"
    assert "0 to 9" in builder.classes_edit.toolTip()


def test_conv_on_glyphs_is_marked_at_the_architecture(builder):
    pick(builder.arch_combo, "conv")
    errors = builder.validate_fields()
    assert [e.field for e in errors] == ["model.arch"]
    assert builder.arch_combo.property("invalid") is True
    assert "MLP" in builder.arch_combo.toolTip()
    assert not builder.train_button.isEnabled()
    # Images whose sides cannot be halved often enough are marked at the channels.
    pick(builder.source_combo, "digits")
    pick(builder.arch_combo, "conv")
    builder.channels_editor.set_values([8, 16, 32, 64])
    assert builder.validate_fields()[0].field == "model.channels"
    assert builder.channels_editor.property("invalid") is True
    builder.channels_editor.remove_layer()
    assert builder.validate_fields() == []


def test_switching_between_glyphs_and_images_keeps_both_settings(builder):
    # Like the demo model's config: fine for glyphs, wrong for images (Adam at 0.03 blows up a
    # VAE on colour emoji; a wrong-pixel target means nothing for grey or colour pictures).
    font_exp = Experiment(train=TrainConfig(learning_rate=0.03, target_max_wrong=0, seeds=8))
    builder.set_experiment(font_exp)
    pick(builder.source_combo, "emoji")
    exp = builder.experiment()
    assert exp.model.full_layers == (1024, 512, 128, 2, 128, 512, 1024)
    assert (exp.train.batch_size, exp.train.seeds, exp.train.epochs) == (64, 1, 300)
    assert exp.train.learning_rate == 1e-3 and exp.train.target_max_wrong is None
    builder.encoder_editor.set_values([256, 64])
    builder.batch_spin.setValue(32)
    pick(builder.arch_combo, "conv")
    pick(builder.source_combo, "font")
    assert builder.experiment() == font_exp             # glyph settings are back, conv is not kept
    pick(builder.source_combo, "emoji")
    exp = builder.experiment()
    assert exp.model.arch == "conv" and exp.train.batch_size == 32
    pick(builder.arch_combo, "mlp")
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
    assert builder.idx_edit.isVisibleTo(builder) and builder.folder_edit.isHidden()


def test_spanish_labels_for_images(builder):
    pick(builder.source_combo, "idx")
    i18n.set_language("es")
    assert builder.source_combo.currentText() == "IDX (estilo MNIST)"
    assert builder.idx_edit.button.toolTip() == "Elegir el archivo IDX de imágenes"
    assert "Imágenes:" in builder.error_label.text()
    i18n.set_language("en")
    assert "Images file:" in builder.error_label.text()
