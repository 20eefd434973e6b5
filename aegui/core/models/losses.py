"""Loss terms, each returned per model ([K] tensors) so K models train independently."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from aegui.core.models import layers, mlp_net

# The numerics revision of the loss functions: bump it with any change to the numbers computed here
# (docs/numerics.md; the report's rows that use it are then made again).
NUMERICS = 1


def _bce(logits, target, output_act: str, per_sample_sum: bool, slope: float):
    # The output is the sigmoid of slope * logits (validation keeps BCE to sigmoid outputs).
    per = F.binary_cross_entropy_with_logits(logits if slope == 1.0 else logits * slope, target, reduction="none")
    return per.sum(-1).mean(-1) if per_sample_sum else per.mean((1, 2))


def _mse(logits, target, output_act: str, per_sample_sum: bool, slope: float):
    per = (layers.activate(output_act, logits, slope) - target) ** 2
    return per.sum(-1).mean(-1) if per_sample_sum else per.mean((1, 2))


def _l2_norm(logits, target, output_act: str, per_sample_sum: bool, slope: float):
    """||x - x_hat||_2, the norm itself (not its square), a sample's whole error in one number:
    already a per-sample quantity, so both scales are the mean of it over the samples. Its
    gradient at a perfect sample is 0 (torch's norm masks the 0 / 0)."""
    diff = layers.activate(output_act, logits, slope) - target
    return torch.linalg.vector_norm(diff, dim=-1).mean(-1)


# A loss is its entry here, its name in schema/experiment.py's LOSSES, its label in
# config/fields.py and that label's Spanish. Each maps ([K, N, D] logits, [K, N, D] targets,
# the output activation, per_sample_sum, the activations' slope) to [K].
RECONSTRUCTIONS = {"mse": _mse, "bce": _bce, "l2_norm": _l2_norm}


def reconstruction(logits: torch.Tensor, target: torch.Tensor, loss: str, output_act: str,
                   per_sample_sum: bool, slope: float = 1.0) -> torch.Tensor:
    """[K, N, D] logits (the output layer before its activation, see layers.activate) vs [N, D]
    or [K, N, D] targets -> [K]. VAEs use a per-sample sum (the ELBO's scale); the others a
    mean per pixel, like torch's default losses."""
    return RECONSTRUCTIONS[loss](logits, target.expand_as(logits), output_act, per_sample_sum, slope)


def kl_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(q(z|x) || N(0, I)), summed over latent dims, mean over samples -> [K]."""
    return (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(-1)).mean(-1)


def sparsity_l1(code: torch.Tensor) -> torch.Tensor:
    """The L1 sparsity penalty: each sample's code magnitudes summed, averaged over the samples ([K])."""
    return code.abs().sum(-1).mean(-1)


def sparsity_kl(code: torch.Tensor, rho: float) -> torch.Tensor:
    """The KL sparsity penalty: each code unit's mean activation over the samples against the target `rho`,
    summed over units ([K])."""
    rho_hat = code.mean(1).clamp(1e-6, 1 - 1e-6)
    return (rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum(-1)


def sparsity_penalty(spec, code: torch.Tensor) -> torch.Tensor:
    """The sparse autoencoder's penalty on its codes -> [K]; a k-sparse one has none (its
    encoder already keeps only the k largest codes)."""
    if spec.sparsity == "l1":
        return sparsity_l1(code)
    if spec.sparsity == "kl":
        return sparsity_kl(code, spec.sparsity_rho)
    return code.new_zeros(code.shape[0])


def contractive(model: mlp_net.Autoencoder, x: torch.Tensor):
    """Codes and ||J||_F^2 of the encoder at each sample, mean over samples -> ([K,N,L], [K]).
    The Jacobian is carried forward layer by layer, which for these small MLPs is cheaper
    than a backward pass per latent unit."""
    h = model.stack(x)
    jac = None
    slope = model.spec.slope
    for s in model.enc_slots:
        w, b = model.weights_of(s)
        pre = torch.baddbmm(b, h, w)
        g = layers.activation_grad(s.activation, pre, slope).unsqueeze(2)   # [K, N, 1, out]
        jac = w.unsqueeze(1) * g if jac is None else torch.matmul(jac, w.unsqueeze(1)) * g
        h = layers.activate(s.activation, pre, slope)
    return h, jac.pow(2).sum((2, 3)).mean(1)
