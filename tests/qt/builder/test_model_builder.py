import json
import subprocess
import sys
from dataclasses import fields, replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from aegui.core.schema.experiment import (
    ConfigError, DataConfig, Experiment, ModelSpec, NoiseConfig, TrainConfig)
from aegui.core.config.validation import validate
from aegui.core.config.load import load_experiment
from aegui.core.data.glyphs import read_font_h, write_font_h
from aegui.core.files.paths import course_font_path, presets_dir
from aegui.qt import i18n

ROOT = Path(__file__).resolve().parents[3]

# Every field differs from its default.
CUSTOM = Experiment(
    name="vae-tanh",
    data=DataConfig(fonts=("Font1",), chars="abc"),
    model=ModelSpec(kind="vae", layers=(35, 30, 20, 3), mirror=True, hidden_activation="tanh",
                    latent_activation="tanh", output_activation="softplus", init="he", beta=0.5,
                    kl_warmup=200, sparsity="kl", sparsity_weight=0.02, sparsity_rho=0.1,
                    contractive_weight=1e-4),
    train=TrainConfig(loss="mse", optimizer="momentum", learning_rate=3e-4, momentum=0.85,
                      schedule="cosine", decay_rate=0.99, step_size=250, step_gamma=0.3, epochs=1234,
                      batch_size=8, weight_decay=1e-5, seed=7, seeds=16, device="cpu",
                      target_max_wrong=0, check_every=5),
    noise=NoiseConfig(kind="gaussian", level=0.25, mode="fixed", copies=4),
)

# Denoising with a hand-made (not mirrored) decoder and a noise level the spin box rounds.
DAE = Experiment(
    name="dae",
    data=DataConfig(fonts=("all",)),
    model=ModelSpec(kind="dae", layers=(35, 40, 12, 2, 8, 35), mirror=False),
    noise=NoiseConfig(kind="bit_flip", level=0.123456, mode="fixed", copies=3),
)


def student_json(tmp_path) -> Path:
    path = tmp_path / "student.json"
    path.write_text(json.dumps({
        "layers": [35, 20, 10, 2, 10, 20, 35], "learning_rate": 0.005, "epochs": 3000,
        "activation_fn": "tanh", "loss_function": "mse", "optimizer": "adam", "seed": 42,
        "init_method": "xavier", "n_runs": 8, "plot_every": 100,
    }))
    return path


def test_module_does_not_import_torch():
    code = "import sys, aegui.qt.builder.model_builder; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_default_builder_gives_a_valid_default_experiment(builder):
    exp = builder.experiment()
    validate(exp)
    assert exp == Experiment()
    assert builder.validate_fields() == []
    assert builder.train_button.isEnabled()
    assert builder.error_label.isHidden()
    assert [builder.data.font_combo.itemText(i) for i in range(builder.data.font_combo.count())] == \
        ["Font1", "Font2", "Font3", "All fonts"]


@pytest.mark.parametrize("exp", [Experiment(), CUSTOM, DAE], ids=["defaults", "custom", "dae"])
def test_round_trip(builder, exp):
    validate(exp)
    builder.set_experiment(exp)
    assert builder.experiment() == exp


def test_round_trip_presets(builder):
    for path in sorted(presets_dir().glob("*.json")):
        exp, _ = load_experiment(path)
        builder.set_experiment(exp)
        assert builder.experiment() == exp, path.name


def test_every_config_field_maps_to_a_widget(builder):
    for section, cls in (("data", DataConfig), ("model", ModelSpec), ("train", TrainConfig),
                         ("noise", NoiseConfig)):
        for f in fields(cls):
            if f"{section}.{f.name}" == "data.extra_glyphs":
                continue    # written by `aegui teach`, not edited: kept as loaded (the next test)
            if f"{section}.{f.name}" in ("model.conv_encoder", "model.conv_decoder"):
                continue    # drawn in the layer picture, kept as loaded (test_builder_new_parts)
            assert builder.field_widget(f"{section}.{f.name}") is not None, f"{section}.{f.name}"
    assert builder.field_widget("model.layers[2]") is builder.field_widget("model.layers")
    assert builder.field_widget("name") is builder.name_edit


def test_taught_glyphs_survive_the_builder(builder):
    """A taught model's experiment lists the glyph files it learnt; Train from the builder keeps them."""
    from dataclasses import replace
    from aegui.core.files.paths import resources_dir
    exp = Experiment(name="taught")
    exp = replace(exp, data=replace(exp.data, extra_glyphs=(str(resources_dir() / "lcd-glyphs.h"),)))
    validate(exp)
    builder.set_experiment(exp)
    assert builder.experiment() == exp
    builder.form.widget("model.latent").setValue(3)
    assert builder.experiment().data.extra_glyphs == exp.data.extra_glyphs


def test_bad_learning_rate_marks_the_field_and_blocks_training(builder, qtbot):
    builder.form.widget("train.learning_rate").setText("-1")
    assert builder.form.widget("train.learning_rate").property("invalid") is True
    assert "positive" in builder.form.widget("train.learning_rate").toolTip()
    assert not builder.train_button.isEnabled()
    assert builder.error_label.isVisibleTo(builder)
    assert "Learning rate" in builder.error_label.text()
    with pytest.raises(ConfigError) as err:
        builder.experiment()
    assert err.value.field == "train.learning_rate"

    builder.form.widget("train.learning_rate").setText("abc")
    [error] = builder.validate_fields()
    assert str(error) == "train.learning_rate: not a number"

    builder.form.widget("train.learning_rate").setText("1e-3")
    assert not builder.form.widget("train.learning_rate").property("invalid")
    assert builder.train_button.isEnabled()
    assert builder.error_label.isHidden()
    assert builder.experiment().train.learning_rate == 1e-3


def test_cross_field_error_marks_the_owner(builder):
    builder.form.widget("model.kind").setCurrentIndex(builder.form.widget("model.kind").findData("sparse"))
    builder.form.widget("model.sparsity").setCurrentIndex(builder.form.widget("model.sparsity").findData("kl"))
    assert builder.form.widget("model.latent_activation").property("invalid") is True
    assert not builder.train_button.isEnabled()
    builder.form.widget("model.latent_activation").setCurrentIndex(builder.form.widget("model.latent_activation").findData("sigmoid"))
    assert not builder.form.widget("model.latent_activation").property("invalid")
    assert builder.train_button.isEnabled()


def test_layer_editor_add_and_remove(builder):
    builder.form.widget("model.mirror").setChecked(True)
    assert builder.experiment().model.layers == (35, 25, 10, 2)
    builder.model.encoder_editor.add_layer(8)
    assert builder.experiment().model.layers == (35, 25, 10, 8, 2)
    assert "35 → 25 → 10 → 8 → <b>2</b> → 8 → 10 → 25 → 35" in builder.model.layers_label.text()
    builder.model.encoder_editor.spin_boxes()[0].setValue(32)
    builder.model.encoder_editor.remove_layer(1)
    assert builder.experiment().model.layers == (35, 32, 8, 2)
    builder.model.encoder_editor.remove_button.click()
    builder.model.encoder_editor.remove_button.click()
    assert builder.experiment().model.layers == (35, 2)
    builder.model.encoder_editor.add_button.click()
    builder.form.widget("model.latent").setValue(3)
    assert builder.experiment().model.layers == (35, 16, 3)


def test_mirror_toggle(builder):
    builder.form.widget("model.mirror").setChecked(True)
    spec = builder.experiment().model
    assert spec.mirror and spec.layers == (35, 25, 10, 2)
    assert spec.full_layers == (35, 25, 10, 2, 10, 25, 35)
    assert builder.model.decoder_editor.isHidden()

    builder.form.widget("model.mirror").setChecked(False)
    assert builder.model.decoder_editor.isVisibleTo(builder)
    assert builder.model.decoder_editor.values() == [10, 25]
    builder.model.decoder_editor.spin_boxes()[0].setValue(16)
    spec = builder.experiment().model
    assert not spec.mirror and spec.layers == (35, 25, 10, 2, 16, 25, 35)


def test_non_mirror_latent_must_be_the_smallest_layer(builder):
    builder.model.decoder_editor.spin_boxes()[0].setValue(1)
    assert builder.model.layers_label.property("invalid") is True
    assert not builder.train_button.isEnabled()
    builder.model.decoder_editor.spin_boxes()[0].setValue(2)
    assert builder.train_button.isEnabled()


def test_kind_switch_shows_only_relevant_rows(builder):
    vae = [builder.form.widget("model.beta"), builder.form.widget("model.kl_warmup")]
    sparse = [builder.form.widget("model.sparsity"), builder.form.widget("model.sparsity_weight")]
    dae = [builder.form.widget("noise.kind"), builder.form.editor("noise.level").spin, builder.form.widget("noise.mode")]
    contractive = [builder.form.widget("model.contractive_weight")]
    groups = {"vae": vae, "sparse": sparse, "dae": dae, "contractive": contractive, "ae": []}
    for kind, shown in groups.items():
        builder.form.widget("model.kind").setCurrentIndex(builder.form.widget("model.kind").findData(kind))
        for w in vae + sparse + dae + contractive:
            assert w.isVisibleTo(builder) == (w in shown), (kind, w)
    builder.form.widget("model.kind").setCurrentIndex(builder.form.widget("model.kind").findData("vae"))
    assert builder.form.widget("model.latent_activation").isHidden()

    builder.form.widget("model.kind").setCurrentIndex(builder.form.widget("model.kind").findData("sparse"))
    assert builder.form.widget("model.sparsity_rho").isHidden()
    builder.form.widget("model.sparsity").setCurrentIndex(builder.form.widget("model.sparsity").findData("kl"))
    assert builder.form.widget("model.sparsity_rho").isVisibleTo(builder)


def test_optimizer_and_schedule_rows(builder):
    assert builder.form.widget("train.momentum").isHidden()
    builder.form.widget("train.optimizer").setCurrentIndex(builder.form.widget("train.optimizer").findData("momentum"))
    assert builder.form.widget("train.momentum").isVisibleTo(builder)
    assert builder.form.widget("train.step_size").isHidden() and builder.form.widget("train.decay_rate").isHidden()
    builder.form.widget("train.schedule").setCurrentIndex(builder.form.widget("train.schedule").findData("step"))
    assert builder.form.widget("train.step_size").isVisibleTo(builder) and builder.form.widget("train.step_gamma").isVisibleTo(builder)
    builder.form.widget("train.schedule").setCurrentIndex(builder.form.widget("train.schedule").findData("exponential"))
    assert builder.form.widget("train.decay_rate").isVisibleTo(builder) and builder.form.widget("train.step_size").isHidden()


def test_noise_level_slider_and_spin_agree(builder):
    builder.form.widget("model.kind").setCurrentIndex(builder.form.widget("model.kind").findData("dae"))
    builder.form.editor("noise.level").slider.setValue(30)
    assert builder.form.editor("noise.level").spin.value() == 30.0
    assert builder.experiment().noise.level == 0.3
    builder.form.editor("noise.level").spin.setValue(12.5)
    assert builder.form.editor("noise.level").slider.value() == 12
    assert builder.experiment().noise.level == 0.125


def test_target_and_batch_size(builder):
    assert builder.experiment().train.target_max_wrong is None
    builder.form.editor("train.target_max_wrong").check.setChecked(True)
    builder.form.widget("train.target_max_wrong").setValue(1)
    assert builder.experiment().train.target_max_wrong == 1
    assert builder.form.widget("train.batch_size").text() == "full batch"


def test_load_student_json(builder, tmp_path):
    notes = builder.load_config(student_json(tmp_path))
    assert any("plot_every" in n for n in notes)
    assert "plot_every" in builder.info_label.text()
    assert builder.form.widget("train.learning_rate").text() == "0.005"
    assert builder.form.widget("train.epochs").value() == 3000
    assert builder.form.widget("train.seed").value() == 42
    assert builder.form.widget("train.seeds").value() == 8
    assert builder.form.widget("model.hidden_activation").currentData() == "tanh"
    assert builder.form.widget("train.loss").currentData() == "mse"
    exp = builder.experiment()
    assert exp.model.full_layers == (35, 20, 10, 2, 10, 20, 35)
    assert exp.train.optimizer == "adam" and exp.model.init == "xavier"


def test_load_error_names_the_field(builder, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"layers": [35, 10, 2, 10, 35], "learning_rate": -5}))
    with pytest.raises(ConfigError) as err:
        builder.load_config(bad)
    assert err.value.field == "learning_rate (train.learning_rate)"     # the file's key, and aegui's field
    assert "learning_rate" in builder.info_label.text()
    assert builder.experiment() == Experiment()


def test_save_then_load(builder, tmp_path):
    builder.set_experiment(CUSTOM)
    builder.form.widget("train.epochs").setValue(777)
    path = tmp_path / "sub" / "saved.json"
    builder.save_config(path)
    exp, notes = load_experiment(path)
    assert notes == []
    assert exp == builder.experiment()
    assert exp.train.epochs == 777


def test_reset_returns_to_the_loaded_experiment(builder):
    builder.set_experiment(CUSTOM)
    builder.form.widget("train.epochs").setValue(9)
    builder.form.widget("train.learning_rate").setText("oops")
    builder.reset_button.click()
    assert builder.experiment() == CUSTOM


def test_train_emits_the_experiment(builder, qtbot):
    builder.set_experiment(DAE)
    with qtbot.waitSignal(builder.train_requested) as sig:
        qtbot.mouseClick(builder.train_button, Qt.MouseButton.LeftButton)
    assert sig.args == [DAE]


def test_experiment_changed_on_edit(builder, qtbot):
    with qtbot.waitSignal(builder.experiment_changed) as sig:
        builder.form.widget("train.epochs").setValue(42)
    assert sig.args[0].train.epochs == 42


def test_running_state_and_pause_resume(builder, qtbot):
    builder.set_running(True)
    assert not builder.train_button.isEnabled()
    assert builder.pause_button.isEnabled() and builder.stop_button.isEnabled()
    assert not builder.form.widget("train.epochs").isEnabled()
    assert builder.pause_button.text() == "Pause"
    with qtbot.waitSignal(builder.pause_requested):
        builder.pause_button.click()
    assert builder.pause_button.text() == "Resume"
    with qtbot.waitSignal(builder.resume_requested):
        builder.pause_button.click()
    assert builder.pause_button.text() == "Pause"
    builder.set_running(True, paused=True)
    assert builder.pause_button.text() == "Resume"
    with qtbot.waitSignal(builder.stop_requested):
        builder.stop_button.click()
    builder.set_running(False)
    assert builder.train_button.isEnabled() and builder.form.widget("train.epochs").isEnabled()
    assert not builder.pause_button.isEnabled() and not builder.stop_button.isEnabled()


def test_set_devices_keeps_the_choice(builder):
    builder.form.widget("train.device").setCurrentIndex(builder.form.widget("train.device").findData("cpu"))
    builder.set_devices([("auto", "Auto (CUDA: NVIDIA H100)"), ("cpu", "CPU")])
    assert builder.form.widget("train.device").count() == 2
    assert builder.form.widget("train.device").currentData() == "cpu"
    exp = replace(Experiment(), train=TrainConfig(device="cuda"))
    builder.set_experiment(exp)
    assert builder.experiment() == exp
    assert "not available" in builder.form.widget("train.device").currentText()


def test_other_font_file(builder, tmp_path):
    fonts = read_font_h(course_font_path())
    good = tmp_path / "mine.h"
    good.write_text(write_font_h([replace(fonts[0], name="Mine"), replace(fonts[2], name="Other")]))
    assert builder.set_font_path(good)
    names = [builder.data.font_combo.itemText(i) for i in range(builder.data.font_combo.count())]
    assert names == ["Mine", "Other", "All fonts"]
    exp = builder.experiment()
    assert exp.data.path == str(good) and exp.data.fonts == ("Mine",)
    assert builder.data.path_edit.isVisibleTo(builder)

    lines = good.read_text().splitlines()
    lines[5] = lines[5].replace("},", ")),")
    bad = tmp_path / "bad.h"
    bad.write_text("\n".join(lines))
    assert not builder.set_font_path(bad)
    assert "line" in builder.data.font_error_label.text()
    assert builder.data.font_error_label.isVisibleTo(builder)
    assert builder.experiment().data.path == str(good)   # the previous file stays

    builder.data.course_font_button.click()
    assert builder.experiment().data == DataConfig(fonts=("Font1",))
    assert builder.data.font_combo.count() == 4   # Font1..Font3 + All fonts, no leftovers
    assert not builder.data.path_edit.isVisibleTo(builder)


def test_language_switch(builder):
    label = builder.form_widget.layout().itemAt(0).layout().labelForField(builder.name_edit)
    assert label.text() == "Name" and builder.train_button.text() == "Train"
    i18n.set_language("es")
    assert label.text() == "Nombre" and builder.train_button.text() == "Entrenar"
    assert builder.data.font_combo.itemText(builder.data.font_combo.count() - 1) == "Todas las fuentes"
    builder.form.widget("train.learning_rate").setText("abc")
    assert "Tasa de aprendizaje: no es un número" in builder.error_label.text()
    i18n.set_language("en")
    assert label.text() == "Name" and builder.train_button.text() == "Train"


def test_removed_layer_boxes_disappear_at_once(builder):
    builder.set_experiment(DAE)
    boxes = [w for w in builder.model.decoder_editor.findChildren(type(builder.form.widget("model.latent"))) if not w.isHidden()]
    assert len(boxes) == 1 and boxes[0].value() == 8


def test_scipy_optimizers_hide_the_step_settings_and_force_the_full_batch(builder):
    builder.form.widget("train.optimizer").setCurrentIndex(builder.form.widget("train.optimizer").findData("momentum"))
    builder.form.widget("train.schedule").setCurrentIndex(builder.form.widget("train.schedule").findData("step"))
    builder.form.widget("train.batch_size").setValue(8)
    step_rows = [builder.form.widget("train.learning_rate"), builder.form.widget("train.momentum"), builder.form.widget("train.schedule"), builder.form.widget("train.step_size"),
                 builder.form.widget("train.step_gamma")]
    assert all(w.isVisibleTo(builder) for w in step_rows)
    for key, label in (("powell", "Powell (scipy)"), ("bfgs", "BFGS (scipy)"), ("cg", "CG (scipy)")):
        builder.form.widget("train.optimizer").setCurrentIndex(builder.form.widget("train.optimizer").findData(key))
        assert builder.form.widget("train.optimizer").currentText() == label
        assert not any(w.isVisibleTo(builder) for w in step_rows), key
        # scipy refuses mini-batches: the row shows the full batch, disabled, and says why
        assert builder.form.widget("train.batch_size").value() == 0 and not builder.form.widget("train.batch_size").isEnabled()
        assert "whole dataset" in builder.form.widget("train.batch_size").toolTip()
        exp = builder.experiment()
        assert (exp.train.optimizer, exp.train.batch_size) == (key, 0)
        assert builder.train_button.isEnabled()
    builder.form.widget("train.optimizer").setCurrentIndex(builder.form.widget("train.optimizer").findData("momentum"))
    assert all(w.isVisibleTo(builder) for w in step_rows)
    assert builder.form.widget("train.batch_size").value() == 8 and builder.form.widget("train.batch_size").isEnabled()
    assert "Glyphs per update" in builder.form.widget("train.batch_size").toolTip()
    i18n.set_language("es")
    builder.form.widget("train.optimizer").setCurrentIndex(builder.form.widget("train.optimizer").findData("cg"))
    assert builder.form.widget("train.optimizer").currentText() == "CG (scipy)"
    assert "conjunto" in builder.form.widget("train.batch_size").toolTip()


def test_error_notes_clear_on_the_next_edit(builder, tmp_path):
    from aegui.core.schema.experiment import ConfigError
    bad = tmp_path / "bad.h"
    bad.write_text("int const Font9[2][7] = {{0x1f, 0x11)),\n")
    assert not builder.set_font_path(bad)
    assert builder.data.font_error_label.isVisibleTo(builder)
    builder.data.font_combo.setCurrentIndex(builder.data.font_combo.findText("Font3"))
    builder.form.widget("model.latent").setValue(3)   # any edit
    assert not builder.data.font_error_label.isVisibleTo(builder)
    png = tmp_path / "picture.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    with pytest.raises(ConfigError):
        builder.load_config(png)
    assert builder.info_label.isVisibleTo(builder) and "PNG" in builder.info_label.text()
    assert "codec" not in builder.info_label.text()
    builder.form.widget("model.latent").setValue(2)
    assert not builder.info_label.isVisibleTo(builder)


def test_a_loaded_name_follows_the_settings_it_describes(builder):
    from aegui.core.files.paths import models_dir
    pytest.importorskip("torch")
    from aegui.core.runs.storage import load_model
    _, exp, _ = load_model(models_dir() / "font3-ae2d")
    builder.set_experiment(exp)
    assert builder.experiment().name == "Font3 2-D autoencoder (best of 8)"
    builder.form.widget("model.latent").setValue(3)
    assert builder.experiment().name == "Font3 3-D autoencoder"
    builder.form.widget("model.latent").setValue(2)
    assert builder.experiment().name == exp.name
    builder.name_edit.setText("mine")
    builder.form.widget("model.latent").setValue(3)
    assert builder.experiment().name == "mine"
