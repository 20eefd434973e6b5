"""One objective per model kind (the config's `model.kind`): the loss terms it trains on, used by
every stage alike, as Lightning's `_common_step`: the training step (train/backends/: eager.py,
capture.py, scipy_opt.py through TrainingSession.loss) and the validation set's loss (TrainingSession.val_loss)
call the same `loss`; validation asks for it `deterministic` (the VAE decodes its mean; the DAE
is given clean inputs by its caller).

Each term is per model ([K] tensors, see losses.py). `loss` returns (total, parts, logits): parts
name the terms the charts and metrics.csv show ("recon", "kl", "penalty"), then "total".
"""
from __future__ import annotations

import math

import torch

from aegui.core.schema.kinds import kind_of
from aegui.core.models import losses as L

# Numerics revisions (docs/numerics.md): bump one with any change to the numbers its part
# computes (the report's rows that use it are then made again).
AE_NUMERICS = 1            # the plain autoencoder's objective (and Objective's shared loss)
DAE_NUMERICS = 1           # the denoising autoencoder's
VAE_NUMERICS = 1           # the VAE's
SPARSE_NUMERICS = 1        # the sparse autoencoder's
CONTRACTIVE_NUMERICS = 1   # the contractive autoencoder's


class Objective:
    """What a model kind trains on: how its codes are drawn, its loss terms and their weights, and the warnings
    its numbers call for. One subclass per kind."""
    kind = ""
    per_sample_sum = False      # reconstruction summed over a sample's values (the ELBO's scale)
    needs_codes = False         # a term needs the codes of the whole set (sparse-KL's mean activation)

    # What the kind is, as its registered flags say (schema/kinds.py): the training step asks these.
    @property
    def samples_codes(self) -> bool:
        """The training loss draws random numbers (the VAE's code)."""
        return kind_of(self.kind).samples_codes

    @property
    def corrupts_inputs(self) -> bool:
        """Trained on noisy inputs (the caller makes them) towards clean targets."""
        return kind_of(self.kind).corrupts_inputs

    # ---- the pieces each kind defines
    def encode(self, model, x, gen, deterministic: bool):
        """(code fed to the decoder, {raw term: [K]} from the encoder)."""
        return model.encode(x), {}

    def parts(self, spec, recon, raw: dict, code, weights: dict) -> dict:
        """The named loss terms from the reconstruction term and the raw ones; `weights` are this
        epoch's factors (see `weights`). Ends with "total"."""
        return {"recon": recon, "total": recon + 0}

    def weights(self, spec, epoch: int) -> dict[str, float]:
        """Factors of raw terms that change with the epoch (the VAE's KL warm-up)."""
        return {}

    def weights_change(self, spec) -> bool:
        """Whether `weights` depends on the epoch (the captured step keeps them on the device)."""
        return False

    def total(self, parts: dict, weights: dict):
        """The total rebuilt from float parts with device-held weights (train/backends/capture.py)."""
        return parts["total"]

    def warning(self, spec, epoch: int, losses: dict):
        """A (message id, arguments) the run's record should carry at this check, or None; `losses`
        are the best model's parts as numbers."""
        return None

    # ---- every stage's loss
    def loss(self, model, xin, target, spec, loss: str, epoch: int, gen=None, *, deterministic: bool = False):
        """(total [K], parts, output logits) of inputs `xin` against `target`; not `deterministic`
        (a training step), the hidden layers drop units where the spec asks for dropout."""
        if deterministic:
            code, raw = self.encode(model, xin, gen, deterministic)
            logits = model.decode_logits(code)
        else:
            with model.dropping(gen):
                code, raw = self.encode(model, xin, gen, deterministic)
                logits = model.decode_logits(code)
        recon = L.reconstruction(logits, target, loss, spec.output_activation, self.per_sample_sum, spec.slope)
        parts = self.parts(spec, recon, raw, code, self.weights(spec, epoch))
        return parts["total"], parts, logits

    def set_loss(self, model, x, spec, loss: str, epoch: int, chunk: int):
        """The total [K] over a whole (validation) set `x`, deterministic, `chunk` rows per forward
        pass; exact, since every term is a mean over samples (the codes of the whole set are kept
        where a term needs them)."""
        n = x.shape[0]
        recon = torch.zeros(1, device=x.device)
        raw: dict = {}
        codes = []
        for lo in range(0, n, chunk):
            xb = x[lo:lo + chunk]
            w = xb.shape[0] / n
            code, terms = self.encode(model, xb, None, True)
            recon = recon + w * L.reconstruction(model.decode_logits(code), xb, loss, spec.output_activation,
                                                 self.per_sample_sum, spec.slope)
            for name, value in terms.items():
                raw[name] = raw.get(name, torch.zeros(1, device=x.device)) + w * value
            if self.needs_codes:
                codes.append(code)
        code = torch.cat(codes, dim=1) if codes else None
        return self.parts(spec, recon, raw, code, self.weights(spec, epoch))["total"]


class Plain(Objective):
    """ae: reconstruction only."""
    kind = "ae"


class Denoising(Plain):
    """dae: the plain loss of noisy inputs against clean targets."""
    kind = "dae"


class Variational(Objective):
    """vae: the reconstruction summed per sample plus beta x KL(q(z|x) || N(0, I))."""
    kind = "vae"
    per_sample_sum = True
    # KL below this (nats per sample, summed over the code) means q(z|x) is the prior for every
    # x: the decoder ignores its input and every decode looks alike. Above KL_EXPLODE_PER_DIM
    # per latent dimension the codes sit so far from N(0, I) that prior samples decode poorly.
    KL_COLLAPSE = 0.05
    KL_EXPLODE_PER_DIM = 20.0
    KL_MIN_EPOCH = 50

    def encode(self, model, x, gen, deterministic: bool):
        """The VAE's code: the mean, or (training) the mean plus noise scaled by the spread; with the KL term of
        each model."""
        h, _ = model.encode_raw(x)
        mu, logvar = h[..., : model.latent_dim], h[..., model.latent_dim:].clamp(-20, 20)
        if deterministic:
            z = mu
        else:
            eps = torch.randn(mu.shape, generator=gen, device=mu.device) if gen is not None \
                else torch.randn_like(mu)
            z = mu + eps * torch.exp(0.5 * logvar)
        return z, {"kl": L.kl_normal(mu, logvar)}

    def weights(self, spec, epoch: int) -> dict[str, float]:
        """The KL term's factor this epoch: beta, ramped up over kl_warmup epochs."""
        return {"kl": spec.beta * (min(1.0, epoch / spec.kl_warmup) if spec.kl_warmup else 1.0)}

    def weights_change(self, spec) -> bool:
        """Whether the KL factor ramps up (kl_warmup > 0)."""
        return bool(spec.kl_warmup)

    def parts(self, spec, recon, raw: dict, code, weights: dict) -> dict:
        """Reconstruction, KL and their weighted total."""
        parts = {"recon": recon, "kl": raw["kl"]}
        parts["total"] = self.total(parts, weights)
        return parts

    def total(self, parts: dict, weights: dict):
        """Reconstruction plus the weighted KL term."""
        return parts["recon"] + weights["kl"] * parts["kl"]

    def warning(self, spec, epoch: int, losses: dict):
        """("kl_collapse" or "kl_explode", its numbers) once past the warm-up when the KL term is near 0 (the
        codes carry nothing) or too large per dimension; None otherwise."""
        if "kl" not in losses or epoch < max(self.KL_MIN_EPOCH, spec.kl_warmup):
            return None
        kl = losses["kl"]
        if not math.isfinite(kl):
            return None
        if kl < self.KL_COLLAPSE:
            return ("kl_collapse", {"kl": float(kl)})
        per_dim = kl / max(1, spec.latent_dim)
        if per_dim > self.KL_EXPLODE_PER_DIM:
            return ("kl_explode", {"kl": float(kl), "per_dim": float(per_dim)})
        return None


class Sparse(Objective):
    """sparse: reconstruction plus sparsity_weight x a penalty on the codes (L1, or KL to the rate
    rho); k-sparse keeps the k largest codes in the encoder and has no penalty."""
    kind = "sparse"
    needs_codes = True

    def parts(self, spec, recon, raw: dict, code, weights: dict) -> dict:
        """Reconstruction, the weighted sparsity penalty on the codes, and their total."""
        parts = {"recon": recon, "penalty": spec.sparsity_weight * L.sparsity_penalty(spec, code)}
        parts["total"] = parts["recon"] + parts["penalty"]
        return parts


class Contractive(Objective):
    """contractive: reconstruction plus contractive_weight x ||J||_F^2 of the encoder (MLPs)."""
    kind = "contractive"

    def encode(self, model, x, gen, deterministic: bool):
        """The codes, with the squared Frobenius norm of the encoder's Jacobian averaged over the samples."""
        code, jac2 = L.contractive(model, x)
        return code, {"jac": jac2}

    def parts(self, spec, recon, raw: dict, code, weights: dict) -> dict:
        """The weighted Jacobian penalty, the reconstruction and their total."""
        # "penalty" first: the order training records and metrics.csv columns always had.
        parts = {"penalty": spec.contractive_weight * raw["jac"], "recon": recon}
        parts["total"] = parts["recon"] + parts["penalty"]
        return parts


OBJECTIVES: dict[str, Objective] = {o.kind: o for o in (Plain(), Denoising(), Variational(), Sparse(),
                                                         Contractive())}


def objective_of(spec) -> Objective:
    """The objective of a ModelSpec's kind."""
    return OBJECTIVES[spec.kind]
