"""One objective per model kind (aegui/core/models/objectives.py), used by training and by the
validation set's loss alike."""
import pytest
import torch

from aegui.core.archs import build_model
from aegui.core.schema.experiment import KINDS, ModelSpec
from aegui.core.models.objectives import OBJECTIVES, objective_of

SPECS = {
    "ae": ModelSpec(),
    "dae": ModelSpec(kind="dae"),
    "vae": ModelSpec(kind="vae", beta=0.5),
    "sparse": ModelSpec(kind="sparse", sparsity="kl", latent_activation="sigmoid", sparsity_weight=0.1),
    "contractive": ModelSpec(kind="contractive", contractive_weight=0.01),
}
PARTS = {"ae": ["recon", "total"], "dae": ["recon", "total"], "vae": ["recon", "kl", "total"],
         "sparse": ["recon", "penalty", "total"], "contractive": ["penalty", "recon", "total"]}


def model_and_data(spec, k=2):
    m = build_model(spec, k)
    m.init_weights(list(range(k)))
    return m, torch.rand(50, 35, generator=torch.Generator().manual_seed(3))


def test_every_kind_has_its_objective():
    assert set(OBJECTIVES) == set(KINDS) == set(SPECS)


@pytest.mark.parametrize("kind", KINDS)
def test_the_parts_each_kind_records(kind):
    spec = SPECS[kind]
    m, x = model_and_data(spec)
    total, parts, logits = objective_of(spec).loss(m, x, x, spec, "bce", 1, torch.Generator().manual_seed(0))
    assert list(parts) == PARTS[kind] and total is parts["total"]
    assert total.shape == (2,) and logits.shape == (2, 50, 35) and torch.isfinite(total).all()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("chunk", [50, 7])
def test_the_validation_loss_is_the_deterministic_training_loss(kind, chunk):
    """Over any chunking, the set's loss equals the training loss of the whole set in one pass with
    the VAE's mean decoded (sparse-KL's mean code is the whole set's)."""
    spec = SPECS[kind]
    m, x = model_and_data(spec)
    objective = objective_of(spec)
    with torch.no_grad():
        whole, _, _ = objective.loss(m, x, x, spec, "bce", 3, deterministic=True)
        chunked = objective.set_loss(m, x, spec, "bce", 3, chunk)
    torch.testing.assert_close(chunked, whole, rtol=1e-5, atol=1e-6)


def test_the_vae_samples_its_code_in_training_only():
    spec = SPECS["vae"]
    m, x = model_and_data(spec)
    objective = objective_of(spec)
    with torch.no_grad():
        a = objective.loss(m, x, x, spec, "bce", 1, torch.Generator().manual_seed(1))[0]
        b = objective.loss(m, x, x, spec, "bce", 1, torch.Generator().manual_seed(2))[0]
        c = objective.loss(m, x, x, spec, "bce", 1, torch.Generator().manual_seed(1), deterministic=True)[0]
        d = objective.loss(m, x, x, spec, "bce", 1, torch.Generator().manual_seed(2), deterministic=True)[0]
    assert not torch.equal(a, b) and torch.equal(c, d)


def test_the_kl_warmup_weighs_the_kl_term_by_epoch():
    spec = ModelSpec(kind="vae", beta=2.0, kl_warmup=10)
    objective = objective_of(spec)
    assert objective.weights_change(spec) and not objective.weights_change(SPECS["vae"])
    assert [objective.weights(spec, e)["kl"] for e in (1, 5, 10, 20)] == [0.2, 1.0, 2.0, 2.0]
    m, x = model_and_data(spec)
    with torch.no_grad():
        _, parts, _ = objective.loss(m, x, x, spec, "bce", 5, deterministic=True)
    torch.testing.assert_close(parts["total"], parts["recon"] + 1.0 * parts["kl"])
    torch.testing.assert_close(objective.total(parts, {"kl": torch.tensor(1.0)}), parts["total"])
