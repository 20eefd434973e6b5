"""Every row of the student-config rule table (aegui/core/config/student_rules.RULES), in every
spelling it lists, does what the row says: a config holding that key (inside a section of the
row's kind) imports with the row's field set, or its slot put together, and the key's row in the
import table says so. A rule added to the table without a case here fails
test_every_rule_target_has_a_case."""
import json

import pytest

from aegui.core.config import student_rules as R
from aegui.core.config.import_report import DEFAULT, IGNORED, SAME, UNSUPPORTED, USED
from aegui.core.config.load import read_config_text

# A section of each kind, as a config writes it.
WRAP = {"": (), "optimizer": ("optimization",), "activation": ("activation_function",), "stop": ("cut_condition",),
        "encoder": ("encoder",), "decoder": ("decoder",), "noise": ("denoising",), "data": ("dataset",),
        "evaluation": ("evaluation",), "subset": ("dataset", "subset")}


def m(exp):
    return exp.model


def t(exp):
    return exp.train


REFUSED = None     # a check that says every value of the key is refused, naming why


# target -> (value written, keys beside it in its section, keys at the top, check(experiment))
CASES = {
    "@network": ([35, 10, 2, 10, 35], {}, {}, lambda e: m(e).full_layers == (35, 10, 2, 10, 35)),
    "@encoder": ([35, 10, 3], {}, {}, lambda e: m(e).full_layers == (35, 10, 3, 10, 35)),
    "@decoder": ([2, 12, 35], {}, {"encoder_layers": [35, 10, 2]}, lambda e: m(e).full_layers == (35, 10, 2, 12, 35)),
    "@hidden": ([12], {}, {}, lambda e: m(e).full_layers == (35, 12, 2, 12, 35)),
    "@decoder_hidden": ([14], {}, {"hidden_layers": [12], "latent_dim": 2},
                        lambda e: m(e).full_layers == (35, 12, 2, 14, 35)),
    "@latent": (3, {}, {"hidden_layers": [12]}, lambda e: m(e).full_layers == (35, 12, 3, 12, 35)),
    "@input": (35, {}, {"hidden_layers": [12]}, lambda e: m(e).full_layers == (35, 12, 2, 12, 35)),
    "@encoder_acts": (["elu", "lineal"], {"layer_sizes": [35, 10, 2]}, {},
                      lambda e: (m(e).hidden_activation, m(e).latent_activation) == ("elu", "identity")),
    "@decoder_acts": (["elu", "logistic"], {"layer_sizes": [2, 10, 35]}, {"encoder_layers": [35, 10, 2]},
                      lambda e: (m(e).hidden_activation, m(e).output_activation) == ("elu", "sigmoid")),
    "@encoder_act": ("tangent", {"layer_sizes": [35, 10, 2]}, {}, lambda e: m(e).hidden_activation == "tanh"),
    "@decoder_act": ("tangent", {"layer_sizes": [2, 10, 35]}, {"encoder_layers": [35, 10, 2]},
                     lambda e: m(e).hidden_activation == "tanh"),
    "@filters": ([8], {}, {"dataset": "mnist"}, lambda e: m(e).conv_encoder == ("conv 8 3x3 same",)),
    "@kernel": (5, {}, {"filters": [8], "dataset": "mnist"}, lambda e: m(e).conv_encoder == ("conv 8 5x5 same",)),
    "@stride": (2, {}, {"filters": [8], "dataset": "mnist"}, lambda e: m(e).conv_encoder == ("conv 8 3x3 s2 p1",)),
    "@padding": ("valid", {}, {"filters": [8], "dataset": "mnist"},
                 lambda e: m(e).conv_encoder == ("conv 8 3x3 valid",)),
    "@pool": (2, {}, {"filters": [8], "dataset": "mnist"},
              lambda e: m(e).conv_encoder == ("conv 8 3x3 same", "maxpool 2x2")),
    "@activation": ("tangente", {}, {}, lambda e: m(e).hidden_activation == "tanh"),
    "@slope": (0.5, {}, {"activation": "tanh"}, lambda e: m(e).slope == 0.5),
    "@beta": (0.5, {}, {"activation": "tanh"}, lambda e: m(e).slope == 0.5 and m(e).beta == 1.0),
    "@alpha": (0.003, {}, {}, lambda e: t(e).learning_rate == 0.003 and t(e).optimizer == "adam"),
    "@optimizer_beta": (0.8, {"method": "momentum"}, {}, lambda e: t(e).momentum == 0.8),
    "@betas": ([0.8, 0.99], {}, {}, lambda e: (t(e).adam_beta1, t(e).adam_beta2) == (0.8, 0.99)),
    "@mode": ("online", {}, {}, lambda e: t(e).batch_size == 1),
    "@minibatch": (True, {}, {"batch_size": 8}, lambda e: t(e).batch_size == 8),
    "@shuffle": (True, {}, {"batch_size": 8}, lambda e: t(e).batch_size == 8),
    "@seed": (9, {}, {}, lambda e: t(e).seed == 9),
    "@path": ("no-such-font.h", {}, {}, lambda e: e.data.path == ""),
    "@subset": ("all", {}, {}, lambda e: e.data.chars == ""),
    "@stop": ("one_wrong_pixel", {}, {}, lambda e: t(e).target_max_wrong == 1),
    "@stop_value": (0.01, {"condition": "mse"}, {}, lambda e: t(e).loss_target == 0.01),
    "@stop_enabled": (False, {}, {"patience": 10}, lambda e: t(e).patience == 0),
    "@denoise": (False, {"noise_level": 0.2}, {}, lambda e: m(e).kind == "ae"),
    "-": (None, {}, {}, lambda e: True),
    "model.latent_activation": ("tanh", {}, {}, lambda e: m(e).latent_activation == "tanh"),
    "model.output_activation": ("logistic", {}, {}, lambda e: m(e).output_activation == "sigmoid"),
    "model.beta": (0.5, {}, {"type": "vae"}, lambda e: m(e).beta == 0.5),
    "model.kl_warmup": (10, {}, {"type": "vae"}, lambda e: m(e).kl_warmup == 10),
    "model.kind": ("variational", {}, {}, lambda e: m(e).kind == "vae"),
    "model.init": ("glorot_uniform", {}, {}, lambda e: m(e).init == "xavier"),
    "model.dropout": (0.1, {}, {}, lambda e: m(e).dropout == 0.1),
    "train.optimizer": ("gradient_descent", {}, {}, lambda e: t(e).optimizer == "sgd"),
    "train.learning_rate": (0.02, {}, {}, lambda e: t(e).learning_rate == 0.02),
    "train.momentum": (0.7, {}, {"optimizer": "momentum"}, lambda e: t(e).momentum == 0.7),
    "train.adam_beta1": (0.8, {}, {}, lambda e: t(e).adam_beta1 == 0.8),
    "train.adam_beta2": (0.99, {}, {}, lambda e: t(e).adam_beta2 == 0.99),
    "train.adam_eps": (1e-7, {}, {}, lambda e: t(e).adam_eps == 1e-7),
    "train.weight_decay": (0.001, {}, {}, lambda e: t(e).weight_decay == 0.001),
    "train.clip_norm": (2, {}, {}, lambda e: t(e).clip_norm == 2.0),
    "train.decay_rate": (0.99, {}, {}, lambda e: (t(e).decay_rate, t(e).schedule) == (0.99, "exponential")),
    "train.epochs": (123, {}, {}, lambda e: t(e).epochs == 123),
    "train.batch_size": (4, {}, {}, lambda e: t(e).batch_size == 4),
    "train.seeds": (3, {}, {}, lambda e: t(e).seeds == 3),
    "train.device": ("cpu", {}, {}, lambda e: t(e).device == "cpu"),
    "train.loss": ("mean_squared_error", {}, {}, lambda e: t(e).loss == "mse"),
    "train.patience": (30, {}, {}, lambda e: t(e).patience == 30),
    "train.min_delta": (0.01, {}, {"patience": 5}, lambda e: t(e).min_delta == 0.01),
    "train.loss_target": (0.02, {}, {}, lambda e: t(e).loss_target == 0.02),
    "train.target_max_wrong": (1, {}, {}, lambda e: t(e).target_max_wrong == 1),
    "train.seed": (4, {}, {}, lambda e: t(e).seed == 4),
    "data.fonts": ("Font1", {}, {}, lambda e: e.data.fonts == ("Font1",)),
    "data.chars": ("abc", {}, {}, lambda e: e.data.chars == "abc"),
    "@source": ("Emoji", {}, {}, lambda e: e.data.source == "emoji"),
    "@data_name": ("mnist", {}, {}, lambda e: (e.data.source, e.data.catalogue) == ("idx", "mnist")),
    "data.size": (16, {}, {}, lambda e: e.data.size == 16),
    "@grayscale": (False, {}, {}, lambda e: e.data.color == "rgb"),
    "@font_index": (0, {}, {}, lambda e: e.data.fonts == ("Font1",)),
    "@weight_range": ([-1, 1], {}, {}, REFUSED),
    "@color": (4, {}, {}, lambda e: e.data.color == "rgba"),
    "data.split_seed": (3, {}, {}, lambda e: e.data.split_seed == 3),
    "name": ("mine", {}, {}, lambda e: e.name == "mine"),
    "noise.level": (0.2, {}, {}, lambda e: (e.noise.level, m(e).kind) == (0.2, "dae")),
    "noise.kind": ("flip", {}, {}, lambda e: (e.noise.kind, m(e).kind) == ("bit_flip", "dae")),
}


def _spellings():
    return [pytest.param(rule, key, id=f"{i}:{rule.within or 'top'}:{key}")
            for i, rule in enumerate(R.RULES) for key in rule.keys]


def _config(rule: R.Rule, key: str) -> dict:
    value, beside, top, _check = CASES[rule.target]
    if rule.target == "-":
        value = rule.expect if rule.expect is not None else "x"
    inner = {key: value, **beside}
    for section in reversed(WRAP[rule.within]):
        inner = {section: inner}
    return {**top, **inner}


@pytest.mark.parametrize("rule, key", _spellings())
def test_each_rule_in_each_spelling(rule, key):
    raw = _config(rule, key)
    got = read_config_text(json.dumps(raw), "rule.json")
    if CASES[rule.target][3] is REFUSED:      # understood, and not possible in aegui
        [row] = got.blocking
        assert row.key == ".".join([*WRAP[rule.within], key]) and row.status == UNSUPPORTED and row.why
        return
    assert not got.blocking, got.table()
    assert CASES[rule.target][3](got.experiment), got.table()
    where = ".".join([*WRAP[rule.within], key])
    row = next(r for r in got.rows if r.key == where)
    if rule.target == "-":
        assert row.status in (SAME, IGNORED) and row.why
    elif rule.target.startswith("@"):
        assert row.status in (USED, SAME, DEFAULT), got.table()
    else:
        assert row.status == USED and rule.target in row.fields, got.table()


def test_every_rule_target_has_a_case():
    assert {rule.target for rule in R.RULES} <= set(CASES)


def test_a_key_is_read_by_its_own_section_s_rule_first():
    """"eps" is Adam's epsilon in an optimizer, a loss target elsewhere; "type" the noise's kind in
    a noise section, the model's kind at the top."""
    got = read_config_text(json.dumps({"optimizer": {"type": "adam", "eps": 1e-6}, "eps": 0.01,
                                       "noise": {"type": "gaussian", "level": 0.1}, "type": "ae"}))
    e = got.experiment
    assert (e.train.adam_eps, e.train.loss_target) == (1e-6, 0.01)
    assert (e.noise.kind, e.model.kind) == ("gaussian", "dae")


@pytest.mark.parametrize("key, normal", [("Épocas", "epocas"), ("learningRate", "learning_rate"),
                                         ("beta-1", "beta_1"), ("Tamaño Lote", "tamano_lote"),
                                         ("hiddenLayers", "hidden_layers")])
def test_keys_are_compared_normalized(key, normal):
    assert R.normalize(key) == normal


@pytest.mark.parametrize("value, read", [("ReLU", "relu"), ("Leaky ReLU", "leaky_relu"), ("Tangente", "tanh"),
                                         ("logistic", "sigmoid"), ("lineal", "identity")])
def test_activation_names_are_read_through_their_synonyms(value, read):
    assert R.synonym("activation", value) == read
