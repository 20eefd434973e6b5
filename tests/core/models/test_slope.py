"""The activations' slope β (model.slope): every tanh and sigmoid unit computes tanh(βx) and
1 / (1 + exp(-βx)), in every architecture, the output layer (whose activation the loss applies to
the logits) and the latent one included; other activations are left as they are. Checked against
hand formulas, the derivatives against finite differences and torch's gradcheck, and the numpy
loop's hand-written backward (train/backends/dense.py) against autograd."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from aegui.core import archs
from aegui.core.models import layers, losses
from aegui.core.schema.experiment import ModelSpec

BETA = 1.7


def _hand(act: str, x: np.ndarray, beta: float) -> np.ndarray:
    """The course's functions written out: tanh(βx), the logistic 1 / (1 + e^(-βx)), ELU as it is."""
    if act == "tanh":
        return np.tanh(beta * x)
    if act == "sigmoid":
        return 1 / (1 + np.exp(-beta * x))
    if act == "elu":
        return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))
    if act == "identity":
        return x
    raise AssertionError(act)


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "elu", "relu", "identity"])
def test_activate_and_its_derivative(act):
    x = torch.linspace(-3, 3, 61, dtype=torch.float64)
    y = layers.activate(act, x, BETA)
    if act in ("tanh", "sigmoid", "elu", "identity"):
        np.testing.assert_allclose(y.numpy(), _hand(act, x.numpy(), BETA), rtol=1e-12, atol=1e-12)
    else:
        assert torch.equal(y, torch.relu(x))          # not a sloped function: unchanged
    # The derivative the contractive penalty uses, against a central difference of the function.
    h = 1e-6
    away = x.abs() > 1e-3                             # relu / elu have a kink at 0
    fd = (layers.activate(act, x + h, BETA) - layers.activate(act, x - h, BETA)) / (2 * h)
    np.testing.assert_allclose(layers.activation_grad(act, x, BETA)[away].numpy(), fd[away].numpy(),
                               rtol=1e-6, atol=1e-8)
    assert torch.autograd.gradcheck(lambda t: layers.activate(act, t, BETA), (x[away].clone().requires_grad_(),))


def test_slope_one_is_the_plain_functions_bit_for_bit():
    x = torch.randn(1000, generator=torch.Generator().manual_seed(0))
    for act, fn in layers.ACTIVATIONS.items():
        assert torch.equal(layers.activate(act, x, 1.0), fn(x)), act
        assert torch.equal(layers.activation_grad(act, x, 1.0), layers.ACTIVATION_GRADS[act](x)), act


def _mlp(spec: ModelSpec, k: int = 2):
    model = archs.build_model(spec, k)
    model.init_weights(list(range(3, 3 + k)))
    with torch.no_grad():          # biases start at 0; make them matter
        model.flat.add_(0.1 * torch.randn(model.flat.shape, generator=torch.Generator().manual_seed(1)))
    return model


def test_mlp_forward_is_the_hand_formula_in_every_layer():
    """tanh hidden and latent layers, a sigmoid output: each computes act(β (x W + b))."""
    spec = ModelSpec(layers=(6, 5, 2, 5, 6), hidden_activation="tanh", latent_activation="tanh",
                     output_activation="sigmoid", slope=BETA)
    model = _mlp(spec)
    x = np.random.default_rng(0).random((4, 6))
    with torch.no_grad():
        got_code = model.encode(torch.as_tensor(x, dtype=torch.float32)).numpy()
        got = model(torch.as_tensor(x, dtype=torch.float32)).numpy()
    for k in range(2):
        w = {n: t.numpy().astype(np.float64) for n, t in model.named_weights(k).items()}
        h = x
        for i in range(2):
            h = np.tanh(BETA * (h @ w[f"encoder.{i}.weight"] + w[f"encoder.{i}.bias"]))
        np.testing.assert_allclose(got_code[k], h, rtol=1e-5, atol=1e-6)
        h = np.tanh(BETA * (h @ w["decoder.0.weight"] + w["decoder.0.bias"]))
        out = 1 / (1 + np.exp(-BETA * (h @ w["decoder.1.weight"] + w["decoder.1.bias"])))
        np.testing.assert_allclose(got[k], out, rtol=1e-5, atol=1e-6)


def _spec_of(name: str, **acts) -> ModelSpec:
    """A small model of each built-in architecture whose every weighted layer is activated."""
    if name == "mlp":
        return ModelSpec(layers=(64, 8, 4, 8, 64), **acts)
    if name == "convlayers":
        return ModelSpec(arch=name, input_shape=(8, 8), layers=(64, 4, 64), **acts,
                         conv_encoder=("conv 3 3x3", "maxpool 2x2", "dense 4"),
                         conv_decoder=("dense 48", "reshape 4 4 3", "upsample 2x2", "conv 1 3x3"))
    arch = archs.ARCHS[name]
    lays, _, mirror = arch.form_layers(64, 4, [8], [8], False, [3, 2], (8, 8))
    return ModelSpec(arch=name, layers=tuple(lays), mirror=mirror, channels=(3, 2), input_shape=(8, 8), **acts)


@pytest.mark.parametrize("name", ["mlp", "conv", "local", "convlayers"])
def test_every_architecture_scales_each_sloped_layer(name):
    """act(β (W x + b)) is act((βW) x + βb): with every layer tanh or sigmoid, the model at slope β
    gives what the same model at slope 1 gives with all its weights and biases times β. And the
    layer walk Explain shows (each layer's pre-activation and output) follows the hand formula."""
    acts = dict(hidden_activation="tanh", latent_activation="tanh", output_activation="sigmoid")
    sloped = _spec_of(name, **acts, slope=BETA)
    archs.ARCHS[sloped.arch].validate(sloped)
    model = _mlp(sloped, k=2)
    plain = archs.build_model(replace(sloped, slope=1.0), 2)
    with torch.no_grad():
        plain.flat.copy_(model.flat * BETA)
        x = torch.rand(5, 64, generator=torch.Generator().manual_seed(2))
        torch.testing.assert_close(model(x), plain(x), rtol=1e-5, atol=1e-6)
        # The slope changes the function (the test would pass for a model that ignored it otherwise).
        assert not torch.allclose(model(x), archs.build_model(replace(sloped, slope=1.0), 2).to(x.device)(x))
        one = model.select(0)
        steps: list = []
        code, _ = one.encode_raw(x[:1], steps)
        one.decode_logits(code, steps)
    assert len(steps) >= 3
    for step in steps:
        np.testing.assert_allclose(step.post.numpy(), _hand(step.activation, step.pre.numpy().astype(np.float64), BETA),
                                   rtol=1e-5, atol=1e-6, err_msg=step.name)


def test_losses_apply_the_slope_to_the_output_logits():
    """BCE, MSE and the L2 norm of logits z at slope β equal those of the output sigmoid(β z)."""
    g = torch.Generator().manual_seed(0)
    z, t = torch.randn(2, 5, 7, generator=g, dtype=torch.float64), (torch.rand(5, 7, generator=g) > 0.5).double()
    out = torch.as_tensor(_hand("sigmoid", z.numpy(), BETA))
    bce = -(t * torch.log(out) + (1 - t) * torch.log(1 - out)).mean((1, 2))
    torch.testing.assert_close(losses.reconstruction(z, t, "bce", "sigmoid", False, BETA), bce)
    torch.testing.assert_close(losses.reconstruction(z, t, "mse", "sigmoid", False, BETA), ((out - t) ** 2).mean((1, 2)))
    torch.testing.assert_close(losses.reconstruction(z, t, "l2_norm", "sigmoid", False, BETA),
                               (out - t).norm(dim=-1).mean(-1))
    tanh_out = torch.as_tensor(_hand("tanh", z.numpy(), BETA))
    torch.testing.assert_close(losses.reconstruction(z, t, "mse", "tanh", False, BETA), ((tanh_out - t) ** 2).mean((1, 2)))


def test_contractive_jacobian_carries_the_slope():
    """The contractive penalty's Jacobian, carried forward with activation_grad, is autograd's
    Jacobian of the encoder at slope β."""
    spec = ModelSpec(kind="contractive", layers=(6, 5, 3, 5, 6), hidden_activation="tanh",
                     latent_activation="sigmoid", slope=BETA)
    model = _mlp(spec, k=1).double()
    x = torch.rand(4, 6, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    _, jac2 = losses.contractive(model, x)
    want = 0.0
    for row in x:
        j = torch.autograd.functional.jacobian(lambda r: model.encode(r[None])[0, 0], row)
        want += float(j.pow(2).sum())
    assert float(jac2[0].detach()) == pytest.approx(want / len(x), rel=1e-10)


def test_the_training_loss_gradient_against_finite_differences():
    """The loss training differentiates (float64), by its inputs with torch's gradcheck and by every
    weight against a central difference."""
    from aegui.core.models.objectives import objective_of
    spec = ModelSpec(layers=(5, 4, 2, 4, 5), hidden_activation="tanh", latent_activation="sigmoid",
                     output_activation="sigmoid", slope=BETA)
    model = _mlp(spec, k=1).double()
    g = torch.Generator().manual_seed(4)
    xin = torch.rand(3, 5, generator=g, dtype=torch.float64)
    target = (torch.rand(3, 5, generator=g, dtype=torch.float64) > 0.5).double()
    obj = objective_of(spec)

    def loss_of(x):
        return obj.loss(model, x, target, spec, "bce", 1)[0]
    assert torch.autograd.gradcheck(loss_of, (xin.clone().requires_grad_(),))
    model.flat.grad = None
    loss_of(xin).sum().backward()
    grad = model.flat.grad[0].clone()
    h, fd = 1e-6, torch.empty_like(grad)
    with torch.no_grad():
        for i in range(grad.numel()):
            model.flat[0, i] += h
            up = float(loss_of(xin))
            model.flat[0, i] -= 2 * h
            down = float(loss_of(xin))
            model.flat[0, i] += h
            fd[i] = (up - down) / (2 * h)
    torch.testing.assert_close(grad, fd, rtol=1e-6, atol=1e-9)
