"""Dropout in the MLP's hidden layers (a course report's linear autoencoder had p = 0.1 in its
hidden layer): at training time a fraction p of each hidden layer's outputs is zeroed and the rest
scaled by 1 / (1 - p), drawn apart for every sample and every stacked model; everything else a
model does (the validation loss, encoding, decoding, latent maps) sees no dropout at all."""
from dataclasses import replace

import pytest
import torch

from core_helpers import small_experiment

from aegui.core.archs import build_model
from aegui.core.config.validation import validate
from aegui.core.models.layers import dropout
from aegui.core.models.objectives import objective_of
from aegui.core.schema.experiment import ConfigError, ModelSpec


def test_dropout_zeroes_a_fraction_p_and_scales_the_rest_by_one_over_one_minus_p():
    h = torch.full((2, 5000, 4), 3.0)
    out = dropout(h, 0.25, torch.Generator().manual_seed(0))
    zeroed = (out == 0).float().mean().item()
    assert abs(zeroed - 0.25) < 0.01
    assert torch.equal(out[out != 0], torch.full_like(out[out != 0], 3.0 / 0.75))
    assert torch.equal(dropout(h, 0.0, None), h)


def hand_set_model(p: float, k: int = 1):
    """2 inputs -> 3 hidden units (the code) -> 2 outputs, all linear: every hidden unit copies
    input 0, output j reads hidden unit j only. With dropout, output 0 is 0 or x0 / (1 - p)."""
    spec = ModelSpec(layers=(2, 3, 2), hidden_activation="identity", latent_activation="identity",
                     output_activation="identity", dropout=p)
    model = build_model(spec, k)
    weights = {"encoder.0.weight": torch.tensor([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]),
               "encoder.0.bias": torch.zeros(3),
               "decoder.0.weight": torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]),
               "decoder.0.bias": torch.zeros(2)}
    for i in range(k):
        model.load_named_weights(weights, i)
    return spec, model


def test_the_training_loss_drops_hidden_units_and_nothing_else():
    spec, model = hand_set_model(0.25, k=2)
    x = torch.ones(10000, 2)
    _, _, logits = objective_of(spec).loss(model, x, x, spec, "mse", 1, torch.Generator().manual_seed(1))
    out0 = logits[..., 0]
    # The output layer is not dropped: only the hidden unit output 0 reads can zero it.
    assert abs((out0 == 0).float().mean().item() - 0.25) < 0.01
    assert torch.allclose(out0[out0 != 0], torch.tensor(1 / 0.75))
    assert not torch.equal(out0[0], out0[1])            # each stacked model draws its own units


def test_evaluation_and_the_validation_loss_see_no_dropout():
    spec, model = hand_set_model(0.5)
    _, plain = hand_set_model(0.0)
    x = torch.ones(100, 2)
    assert torch.equal(model(x), plain(x)) and torch.equal(model(x), torch.ones(1, 100, 2))
    assert torch.equal(model.encode(x), plain.encode(x))
    objective = objective_of(spec)
    with torch.no_grad():
        total, _, _ = objective.loss(model, x, x, spec, "mse", 1, deterministic=True)
        assert total.item() == 0.0
        assert objective.set_loss(model, x, spec, "mse", 1, 30).item() == 0.0
        dropped, _, _ = objective.loss(model, x, x, spec, "mse", 1, torch.Generator().manual_seed(0))
    assert dropped.item() > 0


def test_the_vae_keeps_its_mean_and_log_variance_layer_whole():
    """Dropping a code's mean or log-variance would not be dropout of a hidden layer: the VAE's
    last encoder layer is left as it is (its sample is random already)."""
    spec = ModelSpec(kind="vae", layers=(4, 8, 2, 8, 4), dropout=0.5)
    model = build_model(spec, 1)
    model.init_weights([0])
    x = torch.rand(6, 4, generator=torch.Generator().manual_seed(0))
    with model.dropping(torch.Generator().manual_seed(0)):
        h, _ = model.encode_raw(x)
    # the layer before the code is dropped, so some rows differ; the code layer adds no zeros
    assert (h != 0).all()


def test_dropout_is_checked_and_kept_in_the_json():
    exp = small_experiment(model={"dropout": 0.1})
    validate(exp)
    assert exp.to_dict()["model"]["dropout"] == 0.1
    for bad in (-0.1, 1.0, "0.1", True):
        with pytest.raises(ConfigError, match="model.dropout"):
            validate(replace(exp, model=replace(exp.model, dropout=bad)))


@pytest.mark.parametrize("changes, field, words", [
    ({"train": {"optimizer": "bfgs"}}, "train.optimizer", "dropout"),
    ({"model": {"kind": "contractive"}}, "model.dropout", "contractive"),
    ({"model": {"arch": "conv", "channels": (4,), "input_shape": (8, 8), "layers": (64, 2, 64)},
      "data": {"source": "digits"}}, "model.dropout", "fully connected"),
])
def test_dropout_is_refused_where_it_cannot_apply(changes, field, words):
    exp = small_experiment(model={"dropout": 0.1})
    sections = {name: {**vars(getattr(exp, name)), **values} for name, values in changes.items()}
    with pytest.raises(ConfigError, match=field) as info:
        validate(replace(exp, **{n: type(getattr(exp, n))(**v) for n, v in sections.items()}))
    assert words in str(info.value)
