"""Student configs of the course's autoencoder assignment, written in the shapes students use, are
imported as their authors meant: the network (hidden layers, latent size), the training length,
learning rate, batch, optimizer family, loss, noise and stop condition.

The first seven are made from the shapes of configs found in students' public repositories (not
copies of their files); the rest are shapes of the same kinds with other keys and values, so the
rules, not these cases, decide."""
import json

import pytest

from aegui.core.config.import_report import DEFAULT, IGNORED, NOT_IN_FILE, UNKNOWN, UNSUPPORTED
from aegui.core.config.load import load_experiment, read_config_text
from aegui.core.schema.experiment import ConfigError

# name -> (config as written, what aegui must train)
CASES = {
    # nested sections; the hidden layers of each half beside the latent size; noise 0
    "encoder_decoder_hidden": (
        {"dataset": {"source_path": "../data/font.h", "seed": 38200},
         "model": {"input_dim": 35, "latent_dim": 2, "encoder_hidden_layers": [32],
                   "decoder_hidden_layers": [32], "hidden_activation": "leaky_relu",
                   "output_activation": "sigmoid", "weight_init": "he_uniform",
                   "loss_function": "binary_cross_entropy", "optimizer": "adam"},
         "training": {"learning_rate": 0.003, "batch_size": 8, "epochs_max": 2000,
                      "early_stopping_patience": 400, "l2_weight_decay": 1e-5, "gradient_clip_norm": 5},
         "evaluation": {"pixel_threshold": 0.5, "selection_metric": "exact_reconstruction_rate"},
         "denoising": {"noise_type": "bit_flip", "noise_level": 0.0, "train_with_clean_target": True}},
        dict(layers=(35, 32, 2, 32, 35), epochs=2000, lr=0.003, batch=8, optimizer="adam", loss="bce",
             kind="ae", train={"patience": 400, "weight_decay": 1e-5, "clip_norm": 5.0, "seed": 38200},
             model={"hidden_activation": "leaky_relu", "init": "he"})),
    # hidden layers that include a 35-unit one, the latent size beside them; gradient descent with
    # momentum in an optimization section; a noise probability and an error target
    "hidden_with_latent_space_size": (
        {"hidden_layers": [35, 20, 10], "latent_space_size": 2, "max_epochs": 5000, "batch_size": 4,
         "activation": "tanh", "optimization": {"method": "gradient_descent", "learning_rate": 0.01,
                                                "momentum": 0.9},
         "noise_probability": 0.01, "target_error": 0.001},
        dict(layers=(35, 35, 20, 10, 2, 10, 20, 35, 35), epochs=5000, lr=0.01, batch=4, optimizer="momentum",
             loss="bce", kind="dae", noise=0.01, train={"momentum": 0.9, "loss_target": 0.001},
             model={"hidden_activation": "tanh"})),
    # `layers` as the hidden layers only, no latent size (the assignment's 2-D latent space)
    "hidden_layers_only": (
        {"layers": [20], "learning_rate": 0.0005, "batching_size": 32, "epochs": 19300},
        dict(layers=(35, 20, 2, 20, 35), epochs=19300, lr=0.0005, batch=32, optimizer="adam", loss="bce",
             kind="ae", assumed_latent=True)),
    # inner architecture, tangent with a slope, a named cut condition, Adam with alpha and betas
    "architecture_tangent_cut_condition": (
        {"architecture": [25, 25, 25, 25], "activation_function": {"function": "tangent", "beta": 0.5},
         "cut_condition": {"condition": "one_wrong_pixel"}, "epochs": 20000, "noise": 0,
         "optimization_method": {"method": "adam", "alpha": 0.001, "beta_1": 0.9, "beta_2": 0.999,
                                 "epsilon": 1e-8}},
        dict(layers=(35, 25, 25, 25, 25, 2, 25, 25, 25, 25, 35), epochs=20000, lr=0.001, batch=0,
             optimizer="adam", loss="bce", kind="ae", assumed_latent=True,
             train={"target_max_wrong": 1, "adam_beta1": 0.9, "adam_beta2": 0.999, "adam_eps": 1e-8},
             model={"hidden_activation": "tanh", "slope": 0.5})),
    # encoder and decoder sections with their sizes and one activation a layer
    "encoder_decoder_sections": (
        {"encoder": {"layer_sizes": [35, 32, 16, 8, 2], "activations": ["relu", "relu", "relu", "linear"]},
         "decoder": {"layer_sizes": [2, 8, 16, 32, 35], "activations": ["relu", "relu", "relu", "sigmoid"]},
         "lr": 0.001, "max_epochs": 3000, "batch_size": 16, "patience": 200, "min_delta": 1e-5,
         "loss": "bce", "noise_level": 0.5},
        dict(layers=(35, 32, 16, 8, 2, 8, 16, 32, 35), mirror=False, epochs=3000, lr=0.001, batch=16,
             optimizer="adam", loss="bce", kind="dae", noise=0.5, train={"patience": 200, "min_delta": 1e-5},
             model={"hidden_activation": "relu", "latent_activation": "identity", "output_activation": "sigmoid"})),
    # salt noise, a KL weight (a VAE's, unused by a denoiser), Adam's beta1, batch training, a null seed
    "salt_kl_batch_null_seed": (
        {"hidden_layers": [24, 12], "latent_dim": 2, "epochs": 4000, "learning_rate": 0.005, "salt_p": 0.25,
         "kl_weight": 0.03, "adam_beta1": 0.8, "training_mode": "batch", "seed": None},
        dict(layers=(35, 24, 12, 2, 12, 24, 35), epochs=4000, lr=0.005, batch=0, optimizer="adam", loss="bce",
             kind="dae", noise=0.25, noise_kind="salt_pepper", train={"adam_beta1": 0.8},
             model={"beta": 0.03})),
    # an encoder with its input and the code last, a loss target, Adam (its momentum unused)
    "encoder_layers_error_limit": (
        {"encoder_layers": [35, 50, 70, 30, 12, 5, 2], "beta": 1.0, "learning_rate": 0.0001, "momentum": 0.9,
         "error_limit": 0.002, "optimizer": "adam"},
        dict(layers=(35, 50, 70, 30, 12, 5, 2, 5, 12, 30, 70, 50, 35), epochs=5000, lr=0.0001, batch=0,
             optimizer="adam", loss="bce", kind="ae", train={"loss_target": 0.002})),
    # ---- the same shapes, other keys and values
    "spanish_flat": (
        {"capas_ocultas": [30, 15], "dimension_latente": 3, "tasa_aprendizaje": 0.02, "épocas": 800,
         "ruido": 0.2, "tipo_ruido": "sal_y_pimienta", "funcion_activacion": "tangente", "optimizador": "momento",
         "momento": 0.8, "semilla": 5, "tamaño_lote": 2, "funcion_error": "error_cuadratico_medio"},
        dict(layers=(35, 30, 15, 3, 15, 30, 35), epochs=800, lr=0.02, batch=2, optimizer="momentum", loss="mse",
             kind="dae", noise=0.2, noise_kind="salt_pepper", train={"momentum": 0.8, "seed": 5},
             model={"hidden_activation": "tanh"})),
    "nested_layer_objects_named_optimizer": (
        {"model": {"encoder": [{"units": 30, "activation": "elu"}, {"units": 4, "activation": "lineal"}]},
         "training": {"optimizer": {"name": "Adam", "alpha": 0.002, "beta1": 0.85, "beta2": 0.99},
                      "num_epochs": 1200, "batch": 4},
         "stop_condition": {"type": "mse", "eps": 0.01}},
        dict(layers=(35, 30, 4, 30, 35), epochs=1200, lr=0.002, batch=4, optimizer="adam", loss="bce", kind="ae",
             train={"adam_beta1": 0.85, "adam_beta2": 0.99, "loss_target": 0.01},
             model={"hidden_activation": "elu", "latent_activation": "identity"})),
    "torch_style_kwargs": (
        {"layers": [35, 16, 2, 16, 35], "optimizer": "AdamW", "optim_kwargs": {"lr": 0.01, "betas": [0.8, 0.9],
                                                                             "eps": 1e-7, "weight_decay": 0.01},
         "noise_std": 0.1, "training_mode": "online", "early_stopping": {"patience": 50, "min_delta": 0.001},
         "epochs": 300},
        dict(layers=(35, 16, 2, 16, 35), epochs=300, lr=0.01, batch=1, optimizer="adamw", loss="bce", kind="dae",
             noise=0.1, noise_kind="gaussian",
             train={"adam_beta1": 0.8, "adam_beta2": 0.9, "adam_eps": 1e-7, "weight_decay": 0.01,
                    "patience": 50, "min_delta": 0.001})),
    "logistic_momentum_mse_cut": (
        {"architecture": [30, 10], "latent_space_size": 2, "activation_function": {"function": "logistic",
                                                                                   "beta": 1.5},
         "cut_condition": {"condition": "mse", "eps": 0.005},
         "optimization_method": {"method": "momentum", "learning_rate": 0.05, "alpha": 0.9}, "epochs": 7000},
        dict(layers=(35, 30, 10, 2, 10, 30, 35), epochs=7000, lr=0.05, batch=0, optimizer="momentum", loss="bce",
             kind="ae", train={"momentum": 0.9, "loss_target": 0.005},
             model={"hidden_activation": "sigmoid", "slope": 3.0})),
    "camel_case": (
        {"hiddenLayers": [20], "latentDim": 2, "learningRate": 0.01, "maxEpochs": 600, "noiseType": "salt_and_pepper",
         "noiseLevel": 0.15, "batchSize": 8, "cutCondition": {"condition": "no_wrong_pixels"}},
        dict(layers=(35, 20, 2, 20, 35), epochs=600, lr=0.01, batch=8, optimizer="adam", loss="bce", kind="dae",
             noise=0.15, noise_kind="salt_pepper", train={"target_max_wrong": 0})),
    "whole_network_explicit_decoder": (
        {"network": {"layers": [35, 28, 12, 3, 10, 30, 35], "activation": "relu"},
         "training": {"eta": 0.004, "n_epochs": 900, "mini_batch_size": 6, "loss_fn": "MSELoss",
                      "optimizer": "RMSprop"},
         "denoising": {"enabled": True, "noise_level": 0.3, "noise_type": "bit_flip"}},
        dict(layers=(35, 28, 12, 3, 10, 30, 35), mirror=False, epochs=900, lr=0.004, batch=6, optimizer="rmsprop",
             loss="mse", kind="dae", noise=0.3, noise_kind="bit_flip", model={"hidden_activation": "relu"})),
}


def imported(raw):
    return read_config_text(json.dumps(raw), "student.json")


@pytest.mark.parametrize("name", CASES)
def test_a_student_config_imports_as_its_author_meant(name):
    raw, want = CASES[name]
    got = imported(raw)
    assert not got.blocking, got.table()
    m, t, n = got.experiment.model, got.experiment.train, got.experiment.noise
    assert m.full_layers == want["layers"], got.table()
    assert m.mirror == want.get("mirror", m.mirror)
    assert (t.epochs, t.learning_rate, t.batch_size) == (want["epochs"], want["lr"], want["batch"])
    assert (t.optimizer, t.loss, m.kind) == (want["optimizer"], want["loss"], want["kind"])
    if "noise" in want:
        assert n.level == pytest.approx(want["noise"])
    if "noise_kind" in want:
        assert n.kind == want["noise_kind"]
    for key, value in want.get("train", {}).items():
        assert getattr(t, key) == pytest.approx(value), key
    for key, value in want.get("model", {}).items():
        assert getattr(m, key) == (pytest.approx(value) if isinstance(value, float) else value), key
    assumed = [r for r in got.rows if r.key == NOT_IN_FILE and "model.latent" in r.fields]
    assert bool(assumed) == want.get("assumed_latent", False)
    # Every key of the file has its row, in the file's order.
    assert len([r for r in got.rows if r.key != NOT_IN_FILE]) == _leaves(raw)


def _leaves(raw) -> int:
    """The keys of a config that hold a value (an object of settings counts its own keys; a layer
    list or a list of numbers is one value)."""
    return sum(_leaves(v) if isinstance(v, dict) else 1 for v in raw.values())


def test_a_null_seed_is_a_random_seed_kept_in_the_config():
    raw = CASES["salt_kl_batch_null_seed"][0]
    seeds = {imported(raw).experiment.train.seed for _ in range(3)}
    assert len(seeds) > 1
    row = next(r for r in imported(raw).rows if r.key == "seed")
    assert "random seed" in row.why and isinstance(row.result["train.seed"], int)


def test_noise_zero_is_a_plain_autoencoder_and_the_table_says_so():
    got = imported(CASES["encoder_decoder_hidden"][0])
    row = next(r for r in got.rows if r.key == "denoising.noise_level")
    assert got.experiment.model.kind == "ae" and "plain autoencoder" in row.why


def test_a_kl_weight_on_a_denoiser_is_told_unused():
    got = imported(CASES["salt_kl_batch_null_seed"][0])
    row = next(r for r in got.rows if r.key == "kl_weight")
    assert "unused" in row.reason() and "not a VAE" in row.reason()


def test_settings_the_file_leaves_out_are_listed_with_aegui_s_value():
    got = imported(CASES["encoder_layers_error_limit"][0])
    defaults = {f for r in got.rows if r.status == DEFAULT for f in r.fields}
    assert {"train.epochs", "train.batch_size", "train.loss"} <= defaults
    assert "train.learning_rate" not in defaults


@pytest.mark.parametrize("raw, keys", [
    ({"layers": [20], "epochs": 100, "adaptive_eta": True}, ["adaptive_eta"]),
    ({"hidden_layers": [20], "training": {"warmup_steps": 10, "lr_scheduler": "cosine"}},
     ["training.warmup_steps", "training.lr_scheduler"]),
    ({"layers": [20], "cut_condition": {"condition": "accuracy"}}, ["cut_condition.condition"]),
    ({"layers": [20], "training_mode": "ensemble"}, ["training_mode"]),
    ({"layers": [20], "denoising": {"train_with_clean_target": False, "noise_level": 0.1}},
     ["denoising.train_with_clean_target"]),
    ({"model": {"type": "vae", "layers": [35, 10, 2, 10, 35]}, "noise": {"level": 0.1}}, ["noise.level"]),
    ({"encoder": {"layer_sizes": [35, 20, 10, 2], "activations": ["relu", "tanh", "linear"]}}, ["encoder.layer_sizes"]),
    ({"encoder_layers": [{"units": 20, "activation": "relu", "dropout": 0.2, "name": "e1"}, {"units": 2}]},
     ["encoder_layers"]),
])
def test_a_key_that_may_change_training_and_is_not_understood_stops_the_import(raw, keys, tmp_path):
    got = imported(raw)
    assert [r.key for r in got.blocking] == keys
    assert all(r.status in (UNKNOWN, UNSUPPORTED) for r in got.blocking)
    path = tmp_path / "student.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(ConfigError) as err:
        load_experiment(path)
    assert err.value.source == str(path) and all(k in str(err.value) for k in keys)
    assert load_experiment(path, lenient=True)[0] == got.experiment or raw.get("seed", 0) is None


def test_keys_about_plots_and_files_do_not_stop_it():
    got = imported({"layers": [20], "plot_latent": True, "save_dir": "out", "verbose": 2, "gif_every": 10})
    assert not got.blocking
    assert [r.status for r in got.rows[1:5]] == [UNKNOWN] * 4


def test_a_font_file_beside_the_config_is_trained_on(tmp_path):
    from aegui.core.files.paths import course_font_path
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "font.h").write_bytes(course_font_path().read_bytes())
    got = read_config_text(json.dumps({"layers": [20], "dataset": {"source_path": "data/font.h"}}),
                           str(tmp_path / "c.json"), tmp_path)
    assert got.experiment.data.path == str((tmp_path / "data" / "font.h").resolve())


def test_a_config_saved_with_a_byte_order_mark_imports_as_without_one(tmp_path):
    """Windows' Notepad writes UTF-8 with a byte-order mark first; json refuses it, so such a config was refused as
    "not valid JSON" though nothing in it was wrong."""
    text = json.dumps({"hidden_layers": [20], "latent_space_size": 2, "max_epochs": 30, "learning_rate": 0.02})
    for folder in ("plain", "notepad"):
        (tmp_path / folder).mkdir()
    (tmp_path / "plain" / "config.json").write_text(text, encoding="utf-8")
    (tmp_path / "notepad" / "config.json").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    plain, _ = load_experiment(tmp_path / "plain" / "config.json")
    marked, _ = load_experiment(tmp_path / "notepad" / "config.json")
    assert marked.to_json() == plain.to_json()
    assert marked.model.full_layers == (35, 20, 2, 20, 35) and marked.train.epochs == 30


def test_a_mini_batch_switch_is_read_with_the_batch_size_beside_it():
    """"mini_batch": true beside a batch size is the same training (it was refused as not understood); false is
    the whole set at every update, the batch size told unused; true with no size cannot be guessed."""
    def read(**keys):
        return read_config_text(json.dumps({"hidden_layers": [20], "latent_dim": 2, **keys}), "c.json")
    on = read(mini_batch=True, batch_size=8)
    assert not on.blocking and on.experiment.train.batch_size == 8
    off = read(mini_batch=False, batch_size=8)
    assert not off.blocking and off.experiment.train.batch_size == 0
    told = next(r for r in off.rows if r.key == "batch_size")
    assert told.status == IGNORED and told.args == {"key": "mini_batch"}
    assert [r.key for r in read(mini_batch=True).blocking] == ["mini_batch"]
    assert [r.key for r in read(mini_batch="yes", batch_size=8).blocking] == ["mini_batch"]


def test_a_shuffle_switch_full_batches_and_the_spellings_of_a_numpy_tp():
    """A numpy TP's config: "training_epochs", "weights_init", "batch_size": "full" and "shuffle" were not
    understood or refused ("expected a whole number; got 'full'"). shuffle false is the same training with
    whole-set updates, and not possible with mini-batches (aegui draws a new order every epoch)."""
    def read(**keys):
        return read_config_text(json.dumps({"hidden_layers": [25, 10], "latent_space_dim": 2, **keys}), "c.json")
    got = read(training_epochs=3000, weights_init="random", batch_size="full", shuffle=True)
    assert not got.blocking, got.table()
    t = got.experiment.train
    assert (t.epochs, t.batch_size, got.experiment.model.init) == (3000, 0, "uniform")
    assert not read(batch_size="Full", shuffle=False).blocking
    assert [r.key for r in read(batch_size=8, shuffle=False).blocking] == ["shuffle"]
    assert [r.key for r in read(shuffle="sometimes").blocking] == ["shuffle"]
    with pytest.raises(ConfigError, match="batch_size: expected a whole number"):
        read(batch_size="half")


def test_an_emoji_vae_config_reads_its_data_set_and_its_layers_from_the_input(tmp_path):
    """An emoji VAE's config: "model": "vae" (not understood), "dataset": {"name": "emoji"} ("not used: the
    data set's name", then trained on Font3), grayscale and image size (not understood), and an encoder that
    starts at the pictures' 256 values (read as a first hidden layer of 256 after 35 inputs)."""
    raw = {"model": "vae", "dataset": {"name": "emoji", "image_size": 16, "grayscale": True},
           "encoder": [256, 128, 64], "latent_dim": 2, "epochs": 10}
    got = read_config_text(json.dumps(raw), "vae.json", tmp_path)
    assert not got.blocking, got.table()
    e = got.experiment
    assert (e.model.kind, e.data.source, e.data.size, e.data.color) == ("vae", "emoji", 16, "gray")
    assert e.model.full_layers == (256, 128, 64, 2, 64, 128, 256)
    assert not any("unused" in r.reason() for r in got.rows), got.table()
    # colour pictures: the input is 3 values a pixel
    rgb = read_config_text(json.dumps({**raw, "dataset": {"type": "emojis", "image_size": 16, "channels": 3},
                                       "encoder": [768, 64]}), "vae.json", tmp_path).experiment
    assert (rgb.data.color, rgb.model.full_layers) == ("rgb", (768, 64, 2, 64, 768))
    # a folder of the student's own pictures beside the config is trained on, not the shipped emoji
    (tmp_path / "mine").mkdir()
    own = read_config_text(json.dumps({**raw, "dataset": {**raw["dataset"], "path": "mine"}}), "vae.json", tmp_path)
    assert (own.experiment.data.source, own.experiment.data.path) == ("folder", str((tmp_path / "mine").resolve()))
    # what the file does not say is shown as aegui's default: 32 px, grey
    bare = read_config_text(json.dumps({**raw, "dataset": "emoji", "encoder": [64]}), "vae.json", tmp_path)
    assert {r.fields[0]: r.result for r in bare.rows if r.key == "(not in the file)" and r.fields[0].startswith("data.")} \
        == {"data.size": {"data.size": 32}, "data.color": {"data.color": "gray"}}
    # the same folder named where a font.h goes is refused: it would have trained the course font
    [row] = read_config_text(json.dumps({"dataset": "mine/", "encoder": [64]}), "c.json", tmp_path).blocking
    assert row.key == "dataset" and "a folder" in row.reason()
    shipped = read_config_text(json.dumps({**raw, "dataset": {**raw["dataset"], "path": "gone"}}), "vae.json", tmp_path)
    assert shipped.experiment.data.source == "emoji"
    assert "the emoji it ships" in next(r for r in shipped.rows if r.key == "dataset.path").reason()


@pytest.mark.parametrize("raw, source, catalogue", [
    ({"dataset": "mnist"}, "idx", "mnist"),
    ({"dataset": "Fashion-MNIST"}, "idx", "fashion-mnist"),
    ({"data": {"source": "digits"}}, "digits", ""),
    ({"dataset": {"name": "my fonts", "type": "font"}}, "font", ""),
    ({"dataset": "fonts"}, "font", ""),                 # was read as a font named "fonts"
])
def test_a_data_set_named_by_name_or_source(raw, source, catalogue):
    got = read_config_text(json.dumps({"hidden_layers": [64], "latent_dim": 2, **raw}), "c.json")
    assert (got.experiment.data.source, got.experiment.data.catalogue) == (source, catalogue), got.table()


def test_a_data_set_aegui_lacks_and_a_bad_size_are_named_by_the_students_key():
    [row] = read_config_text(json.dumps({"dataset": {"type": "cifar10"}}), "c.json").blocking
    assert row.key == "dataset.type" and "'cifar10'" in row.reason()
    with pytest.raises(ConfigError) as err:
        read_config_text(json.dumps({"dataset": {"name": "emoji", "image_size": 20}}), "c.json")
    assert err.value.field == "dataset.image_size (data.size)" and "16, 32 or 64" in err.value.problem
    assert [r.key for r in read_config_text(json.dumps({"channels": 2}), "c.json").blocking] == ["channels"]


def test_an_mnist_encoder_written_from_its_784_inputs_starts_at_the_input(tmp_path, monkeypatch):
    """Whether or not MNIST was ever fetched here (the catalogue knows its 28x28)."""
    monkeypatch.setenv("AEGUI_HOME", str(tmp_path))
    got = read_config_text(json.dumps({"dataset": "mnist", "encoder": [784, 128, 32], "latent_dim": 2}), "c.json")
    assert got.experiment.model.full_layers == (784, 128, 32, 2, 32, 128, 784)


def test_a_font_index_counts_from_0_as_a_python_list_does():
    """"font_index": 2 was not understood and stopped the import; the student's fonts[2] is Font3."""
    def read(**keys):
        return read_config_text(json.dumps({"hidden_layers": [20], "latent_dim": 2, **keys}), "c.json")
    got = read(font_index=2)
    assert got.experiment.data.fonts == ("Font3",) and not got.blocking
    assert "counts from 0" in next(r for r in got.rows if r.key == "font_index").reason()
    assert [r.key for r in read(font_index=3).blocking] == ["font_index"]
    both = read(font_index=0, font=2)
    assert both.experiment.data.fonts == ("Font2",)
    assert next(r for r in both.rows if r.key == "font_index").reason() == "font gives the font"


def test_a_numpy_tps_font_set_characters_seed_bias_and_what_it_does_after_training():
    """font_set, characters_to_use, random_state and use_bias were not understood, and an "interpolation"
    section or "generate_new_letters" (what the student's code did after training) stopped the import.
    A fixed first-weight range is refused: aegui's draws scale with each layer's fan-in."""
    raw = {"font_set": 1, "characters_to_use": "abc", "hidden_layers": [25, 15], "latent_dim": 2, "random_state": 42,
           "use_bias": True, "interpolation": {"from": "a", "to": "b", "epochs": 3}, "generate_new_letters": True}
    got = read_config_text(json.dumps(raw), "c.json")
    assert not got.blocking, got.table()
    e = got.experiment
    assert (e.data.fonts, e.data.chars, e.train.seed) == (("Font1",), "abc", 42)
    assert e.train.epochs != 3                  # "epochs" inside the interpolation trains nothing
    assert next(r for r in got.rows if r.key == "interpolation.epochs").status == UNKNOWN
    [row] = read_config_text(json.dumps({**raw, "weights_range": [-1, 1]}), "c.json").blocking
    assert row.key == "weights_range" and "fan-in" in row.reason()
    assert [r.key for r in read_config_text(json.dumps({**raw, "use_bias": False}), "c.json").blocking] == ["use_bias"]
