"""Student configs as the course's reports wrote them."""
import json

import pytest

from aegui.core.schema.experiment import ConfigError
from aegui.core.config.load import experiment_from_json
from aegui.core.config.student_json import import_student_config

# The flat file of one report: its loss is named "cross_entropy_loss".
FLAT_REPORT = {"layers": [35, 25, 17, 2, 17, 25, 35], "activation_fn": "tanh", "learning_rate": 0.001,
               "epochs": 3000, "loss_function": "cross_entropy_loss", "optimizer": "adam", "n_runs": 5}
# The nested VAE file of another: layer objects {units, activation}, a latent size apart.
NESTED_VAE = {
    "model": {"type": "vae", "input_dim": 35, "latent_dim": 2,
              "encoder_layers": [{"units": 25, "activation": "relu"}, {"units": 12, "activation": "relu"}],
              "decoder_layers": [{"units": 12, "activation": "relu"}, {"units": 25, "activation": "relu"},
                                 {"units": 35, "activation": "sigmoid"}]},
    "training": {"optimizer": {"type": "adam", "learning_rate": 0.002}, "epochs": 400, "batch_size": 8,
                 "loss": "binary_crossentropy", "beta": 0.5},
}


def load(raw):
    return experiment_from_json(json.dumps(raw), "report.json")


def test_the_flat_report_file_is_read():
    exp, notes = load(FLAT_REPORT)
    assert exp.train.loss == "bce" and exp.model.hidden_activation == "tanh"
    assert exp.model.layers == (35, 25, 17, 2, 17, 25, 35)
    assert (exp.train.epochs, exp.train.seeds, exp.train.learning_rate) == (3000, 5, 0.001)
    assert not any("ignored" in n for n in notes)


@pytest.mark.parametrize("name, expected", [
    ("cross_entropy_loss", "bce"), ("binary_crossentropy", "bce"), ("BCELoss", "bce"),
    ("binary_cross_entropy_loss", "bce"), ("mse_loss", "mse"), ("MSELoss", "mse"), ("squared_error", "mse"),
])
def test_loss_names_the_reports_use(name, expected):
    exp, _ = load({"layers": [35, 10, 2, 10, 35], "loss": name})
    assert exp.train.loss == expected


def test_the_nested_vae_file_with_layer_objects_is_read():
    exp, notes = load(NESTED_VAE)
    m, t = exp.model, exp.train
    assert m.kind == "vae" and m.full_layers == (35, 25, 12, 2, 12, 25, 35)
    assert m.hidden_activation == "relu" and m.output_activation == "sigmoid"
    assert (t.optimizer, t.learning_rate, t.epochs, t.batch_size, t.loss) == ("adam", 0.002, 400, 8, "bce")
    assert m.beta == 0.5


def test_layer_objects_in_a_flat_layer_list_and_an_encoder_ending_in_the_code():
    exp, _ = load({"layers": [{"units": 35}, {"units": 20, "activation": "elu"}, {"units": 2},
                              {"units": 20, "activation": "elu"}, {"units": 35, "activation": "sigmoid"}]})
    assert exp.model.layers == (35, 20, 2, 20, 35) and exp.model.hidden_activation == "elu"
    exp, _ = load({"encoder_layers": [{"units": 20, "activation": "tanh"}, {"units": 3, "activation": "linear"}]})
    assert exp.model.full_layers == (35, 20, 3, 20, 35)
    assert exp.model.hidden_activation == "tanh" and exp.model.latent_activation == "identity"


def test_activation_and_optimizer_objects():
    exp, notes = load({"layers": [35, 10, 2, 10, 35], "activation": {"hidden": "relu", "output": "sigmoid"},
                       "optimizer": {"name": "sgd", "lr": 0.05, "momentum": 0.9}})
    assert exp.model.hidden_activation == "relu"
    assert (exp.train.optimizer, exp.train.learning_rate, exp.train.momentum) == ("momentum", 0.05, 0.9)


@pytest.mark.parametrize("raw, field, shows", [
    ({"encoder_layers": [{"ancho": 25}], "latent_dim": 2}, "encoder_layers[0]", '{"units": 25'),
    ({"model": {"encoder_layers": "25,10", "latent_dim": 2}}, "model.encoder_layers", '{"units": 25'),
    ({"layers": [35, {"units": -3}, 35]}, "layers[1]", "[25, 10]"),
    ({"loss": {"reduction": "sum"}}, "loss", '{"type": "adam"'),
    ({"training": {"epochs": "many"}}, "training.epochs", "a whole number"),
    ({"learning_rate": [0.1]}, "learning_rate", "a number such as 0.01"),
    ({"optimizer": "sgd", "momentum": [0.9]}, "momentum", "a number such as 0.01"),
    ({"optim_kwargs": {"betas": 0.9}}, "optim_kwargs.betas", "[0.9, 0.999]"),
])
def test_an_unknown_shape_names_the_key_and_shows_the_accepted_form(raw, field, shows):
    with pytest.raises(ConfigError) as e:
        load(raw)
    assert e.value.field == field, str(e.value)
    assert shows in e.value.problem
    assert "wrong type" not in str(e.value)


@pytest.mark.parametrize("kind, noise, expected", [
    (None, {"noise": {"type": "gaussian", "level": 0.2}}, "dae"),
    ("autoencoder", {"noise_level": 0.1}, "dae"),
    ("vae", {"noise": {"level": 0.1}}, "vae"),
    ("ae", {"denoising": {"enabled": False, "level": 0.1}}, "ae"),
    ("dae", {}, "dae"),
])
def test_a_noise_section_makes_a_plain_autoencoder_a_denoiser(kind, noise, expected):
    """A student's config with noise settings and a plain (or no) kind means a denoising
    autoencoder; another kind keeps its kind, and denoising switched off keeps a plain one."""
    raw = {"model": {} if kind is None else {"type": kind}, **noise}
    exp, _ = import_student_config(raw)
    assert exp.model.kind == expected


def test_a_dropout_rate_cosh_units_and_the_l2_norm_loss_are_read():
    exp, notes = import_student_config({"model": {"layers": [35, 16, 2, 16, 35], "dropout_rate": 0.1,
                                                  "activation": "cosh"}, "training": {"loss": "l2_norm"}})
    assert (exp.model.dropout, exp.model.hidden_activation, exp.train.loss) == (0.1, "cosh", "l2_norm")
    assert not any("NOT" in n for n in notes)


@pytest.mark.parametrize("raw, key", [
    ({"training": {"error_threshold": 1}}, "training.error_threshold"),
    ({"loss": "mse", "epsilon": 0.3}, "epsilon"),
    ({"stop_condition": {"type": "error", "value": 1}}, "stop_condition.type"),
])
def test_a_loss_target_a_network_meets_without_learning_is_refused(raw, key):
    """Read as a loss target, 1 stopped a Font3 network at its first check (epoch 10) with 25 wrong
    pixels, saved as "reached target": a network that outputs 0.5 everywhere already scores ln 2 =
    0.693 in binary cross-entropy and 0.25 in squared error. Refused, naming what to write instead;
    the rest imports leniently and trains its epochs."""
    from aegui.core.config.student_json import read_student
    got = read_student({"font": 3, "layers": [35, 10, 2], "epochs": 500, **raw}, "config.json")
    [row] = got.blocking
    assert row.key == key, got.table()
    assert "learned nothing" in row.reason() and "divide it by 35" in row.reason()
    assert ("0.693" if "loss" not in raw else "0.25") in row.reason()
    # a whole number may count wrong pixels; 0.3 cannot
    assert ('"max_wrong_pixels": 1;' in row.reason()) == (raw.get("epsilon") != 0.3), row.reason()
    assert got.experiment.train.loss_target == 0.0 and got.experiment.train.epochs == 500


@pytest.mark.parametrize("raw", [
    {"loss_target": 0.01},                                     # a target a network must learn to reach
    {"loss_target": 5.0, "model": {"type": "vae"}},            # a VAE's loss adds its KL term
    {"loss_target": 0.3, "loss": "mse", "output_activation": "identity"},   # an unbounded output starts anywhere
])
def test_loss_targets_a_network_has_to_learn_for_are_kept(raw):
    from aegui.core.config.student_json import read_student
    got = read_student({"font": 3, "layers": [35, 10, 2], **raw}, "config.json")
    assert not got.blocking, got.table()
    assert got.experiment.train.loss_target == raw["loss_target"]
    # Where the untrained score is known, the row says which unit the target was taken in, and the
    # same target per pixel for a loss that summed them.
    [row] = [r for r in got.rows if r.key == "loss_target"]
    said = "taken in aegui's unit, BCE as the mean over pixels, where a network that has learned nothing scores 0.693"
    assert (said in row.reason()) == ("model" not in raw and "loss" not in raw), row.reason()
    if said in row.reason():
        assert row.reason().endswith("if your loss summed the 35 pixels, write 0.000286"), row.reason()


def test_the_refusal_reads_in_spanish_with_a_decimal_comma():
    from aegui.core.config.student_json import read_student
    i18n = pytest.importorskip("aegui.qt.i18n")
    [row] = read_student({"font": 3, "layers": [35, 10, 2], "error_threshold": 1}, "config.json").blocking
    i18n.set_language("es")
    try:
        text = row.reason(i18n.tr)
    finally:
        i18n.set_language("en")
    assert text.startswith("como objetivo de pérdida") and "0,693" in text, text


def test_a_font_file_named_where_a_font_goes_is_read_as_the_file(tmp_path):
    """"dataset": "font.h" named the course's file; read as a font's name, training ended with
    "'font.h' is not in font.h". Which of its fonts is trained, not in the file, is said."""
    from aegui.core.config.student_json import read_student
    (tmp_path / "font.h").write_text("// the course's file\n")
    got = read_student({"dataset": "font.h", "layers": [35, 10, 2]}, "config.json", tmp_path)
    [row] = [r for r in got.rows if r.key == "dataset"]
    assert got.experiment.data.path == str((tmp_path / "font.h").resolve()) and row.fields == ("data.path",)
    [default] = [r for r in got.rows if r.fields == ("data.fonts",)]
    assert default.key == "(not in the file)" and got.experiment.data.fonts == ("Font3",)
    missing = read_student({"dataset": "data/font.h", "layers": [35, 10, 2]}, "config.json", tmp_path)
    assert "no such file beside the config" in [r for r in missing.rows if r.key == "dataset"][0].reason()
    both = read_student({"dataset": "font.h", "font_file": "font.h", "fonts": [1]}, "config.json", tmp_path)
    assert [r for r in both.rows if r.key == "dataset"][0].reason() == "font_file gives it too; that value is used"
    assert both.experiment.data.path == str((tmp_path / "font.h").resolve())
    assert both.experiment.data.fonts == ("Font1",) and not any(r.fields == ("data.fonts",) and r.key.startswith("(")
                                                                  for r in both.rows)
