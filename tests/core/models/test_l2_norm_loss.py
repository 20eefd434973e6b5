"""The L2-norm reconstruction loss ||x - x_hat||_2 (a course report's VAE loss: the norm itself,
not its square), one number per sample averaged over the batch, against a hand computation."""
import torch

from aegui.core.models import losses as L


def test_the_l2_norm_of_a_known_difference():
    # identity outputs: x_hat is the logits. Differences (3, 4) and (0, 0) -> norms 5 and 0.
    logits = torch.tensor([[[1.0, 2.0], [0.5, 0.5]]])           # [K=1, N=2, D=2]
    target = torch.tensor([[4.0, 6.0], [0.5, 0.5]])
    for per_sample_sum in (False, True):    # the norm is already one number a sample
        got = L.reconstruction(logits, target, "l2_norm", "identity", per_sample_sum)
        assert got.shape == (1,) and torch.allclose(got, torch.tensor([2.5]))


def test_the_l2_norm_reads_the_output_activation_and_each_model_apart():
    # sigmoid(0) = 0.5 everywhere: against 16 targets of 1 the norm is sqrt(16 * 0.25) = 2;
    # the second model's outputs equal the targets: 0, and a zero (not a NaN) gradient.
    logits = torch.stack([torch.zeros(1, 16), torch.full((1, 16), 30.0)]).requires_grad_(True)
    got = L.reconstruction(logits, torch.ones(1, 16), "l2_norm", "sigmoid", True)
    assert torch.allclose(got, torch.tensor([2.0, 0.0]), atol=1e-6)
    got.sum().backward()
    assert torch.isfinite(logits.grad).all() and torch.allclose(logits.grad[1], torch.zeros(1, 16), atol=1e-6)
