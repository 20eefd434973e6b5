"""k-sparse autoencoder: `sparsity: "topk"` keeps the k largest codes."""
import numpy as np
import pytest
import torch

from aegui.core.schema.experiment import ConfigError, Experiment
from aegui.core.config.validation import experiment_from_dict
from aegui.core.models.latent import encode
from aegui.core.train.session import train
from core_helpers import small_experiment

KSPARSE = {"kind": "sparse", "sparsity": "topk", "sparsity_k": 3, "layers": (35, 24, 12, 24, 35)}


def test_topk_is_accepted_and_k_is_checked_against_the_latent_size():
    raw = Experiment().to_dict()
    raw["model"].update({"kind": "sparse", "sparsity": "topk", "sparsity_k": 1})
    assert experiment_from_dict(raw).model.sparsity == "topk"
    raw["model"]["sparsity_k"] = 2    # the default latent layer has 2 units: k must be below it
    with pytest.raises(ConfigError) as e:
        experiment_from_dict(raw)
    assert e.value.field == "model.sparsity_k" and "below 2" in e.value.problem


def test_ksparse_codes_keep_exactly_the_k_largest_units(font3):
    session, rec = train(small_experiment(model=KSPARSE, train={"epochs": 300, "learning_rate": 0.01}), font3)
    model = session.best_model()
    codes = encode(model, font3.x)
    assert codes.shape == (32, 12)
    nonzero = (codes != 0).sum(1)
    assert (nonzero <= 3).all() and (nonzero == 3).mean() > 0.9
    with torch.no_grad():
        dense, _ = model.encode_raw(torch.as_tensor(font3.x))
    dense = dense[0].numpy()
    top3 = np.sort(dense, axis=1)[:, -3:]
    kept = np.sort(np.where(codes != 0, codes, -np.inf), axis=1)[:, -3:]
    assert np.allclose(np.where(np.isfinite(kept), kept, top3), top3)
    # it learns through the mask, with no penalty term
    assert rec.losses["penalty"] == 0
    assert session.history.rows()[-1]["loss_total"] < session.history.rows()[0]["loss_total"] * 0.5
    assert rec.mean_wrong < 3


def test_ksparse_round_trips_through_a_model_file(font3, tmp_path):
    from aegui.core.runs.storage import load_model, save_model
    exp = small_experiment(model=KSPARSE, train={"epochs": 20})
    session, rec = train(exp, font3)
    save_model(tmp_path / "m", session.best_model(), exp, metrics={})
    model, exp2, _ = load_model(tmp_path / "m")
    assert exp2.model.sparsity == "topk" and exp2.model.sparsity_k == 3
    assert ((encode(model, font3.x) != 0).sum(1) <= 3).all()
