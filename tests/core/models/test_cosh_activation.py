"""The cosh activation (a course report's VAE uses it in its hidden layers): its values and the
derivative the contractive penalty's Jacobian uses, against numbers worked out by hand."""
import math

import torch

from aegui.core.models.layers import ACTIVATIONS, activation_grad


def test_cosh_and_its_derivative_match_a_hand_computation():
    x = torch.tensor([0.0, 1.0, -1.0, 2.0])
    e, e2 = math.e, math.e ** 2
    # cosh x = (e^x + e^-x) / 2, even; its derivative sinh x = (e^x - e^-x) / 2, odd.
    cosh = [1.0, (e + 1 / e) / 2, (e + 1 / e) / 2, (e2 + 1 / e2) / 2]
    sinh = [0.0, (e - 1 / e) / 2, -(e - 1 / e) / 2, (e2 - 1 / e2) / 2]
    assert torch.allclose(ACTIVATIONS["cosh"](x), torch.tensor(cosh))
    assert torch.allclose(activation_grad("cosh", x), torch.tensor(sinh))


def test_every_activation_has_the_derivative_autograd_finds():
    """activation_grad (the contractive penalty's Jacobian) agrees with autograd for every
    registered activation, so a new one cannot fall back to a wrong derivative unnoticed."""
    x = torch.tensor([-2.0, -0.5, 0.3, 1.5])
    for name, act in ACTIVATIONS.items():
        pre = x.clone().requires_grad_(True)
        act(pre).sum().backward()
        assert torch.allclose(pre.grad, activation_grad(name, x)), name
