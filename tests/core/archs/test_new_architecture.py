"""A new architecture is one file and one registration: tied_arch.py (a tied-weight autoencoder)
registered with one call trains through the CLI, is saved, reopens and its loss fell; Explain and
Compare take it as they take a built-in model."""
import csv
import json

import numpy as np
import pytest
import torch

from aegui.core import archs
from aegui.core.schema.experiment import ConfigError, DataConfig, Experiment, ModelSpec, TrainConfig
from aegui.core.config.validation import validate
from aegui.core.train.history import metrics_path
from aegui.core.runs.storage import load_model
from tied_arch import Tied, TiedAutoencoder


@pytest.fixture
def tied():
    arch = archs.register(Tied())
    yield arch
    archs.unregister(arch.name)


def tied_experiment(**train) -> Experiment:
    return Experiment(name="tied", data=DataConfig(fonts=("Font3",)),
                      model=ModelSpec(arch="tied", layers=(35, 8, 35), latent_activation="identity"),
                      train=TrainConfig(**{"epochs": 300, "check_every": 50, "learning_rate": 0.02, "device": "cpu",
                                           **train}))


def test_an_unregistered_architecture_is_refused_by_name():
    with pytest.raises(ConfigError) as e:
        validate(tied_experiment())
    assert e.value.field == "model.arch" and f"'tied' is not one of {', '.join(archs.ARCHS)}" in str(e.value)


def test_a_registered_architecture_trains_through_the_cli_and_reopens(tied, tmp_path, capsys, font3):
    from aegui.cli import main
    cfg = tmp_path / "tied.json"
    cfg.write_text(tied_experiment().to_json())
    out = tmp_path / "model"
    rc = main(["train", str(cfg), "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    printed = json.loads(captured.out.strip().splitlines()[-1])
    assert printed["epochs"] == 300 and printed["state"] == "finished"

    with open(metrics_path(out), newline="") as fh:
        rows = list(csv.DictReader(fh))
    losses = [float(r["loss_total"]) for r in rows]
    assert len(losses) == 6 and losses[-1] < 0.5 * losses[0]

    model, exp, meta = load_model(out)
    assert isinstance(model, TiedAutoencoder) and exp.model.arch == "tied"
    assert model.parameter_count() == tied.parameter_count(exp.model) == 35 * 8 + 8 + 35
    # The reopened weights are the trained ones: the wrong pixels the run measured last (after its
    # final step), and the last loss recorded (the forward pass before that step) within a step.
    x = torch.as_tensor(font3.x)
    with torch.no_grad():
        logits = model.decode_logits(model.encode(x))[0]
    wrong = ((logits >= 0) != (x >= 0.5)).sum(1)
    assert int(wrong.max()) == meta["metrics"]["max_wrong_pixels"] == int(rows[-1]["max_wrong_pixels"])
    bce = float(torch.nn.functional.binary_cross_entropy_with_logits(logits, x))
    assert bce == pytest.approx(meta["metrics"]["loss"]["total"], rel=0.01) and bce < losses[-2]


def test_its_own_rules_apply_once_registered(tied):
    with pytest.raises(ConfigError) as e:
        validate(Experiment(model=ModelSpec(arch="tied", kind="vae", layers=(35, 8, 35))))
    assert e.value.field == "model.kind" and "tied" in e.value.problem


def test_register_refuses_a_taken_name(tied):
    with pytest.raises(ValueError, match="taken"):
        archs.register(Tied())
    assert list(archs.ARCHS)[-1] == "tied" and archs.ARCHS["tied"] is tied


def test_the_registered_model_keeps_the_engine_interface(tied, font3):
    from aegui.core.train.session import TrainingSession
    exp = tied_experiment(seeds=3, epochs=20, check_every=10)
    session = TrainingSession(exp, font3)
    recs = list(session.steps())
    assert recs[-1].state == "finished" and len(set(recs[-1].loss_per_model.tolist())) == 3
    best = session.best_model()
    np.testing.assert_array_equal(best.flat[0].detach().numpy(),
                                  session.model.flat[recs[-1].best].detach().numpy())


def test_the_registered_model_explains_and_compares_with_a_built_in_one(tied, font3):
    """What a user does with a trained model works on the new architecture with no code of its
    own: Explain walks its layers to the output it computes, and Compare puts it beside an MLP."""
    from aegui.core.analyses.compare.two_models import compare
    from aegui.core.analyses.explain import explain
    from aegui.core.train.session import TrainingSession
    exp = tied_experiment(epochs=40, check_every=20)
    session = TrainingSession(exp, font3)
    assert list(session.steps())[-1].state == "finished"
    model = session.best_model()

    ex = explain(model, font3.x[0])
    assert [(lay.name, lay.role) for lay in ex.layers] == [("input", ""), ("encoder", "code"), ("decoder", "output")]
    with torch.no_grad():
        out = model.decode(model.encode(torch.as_tensor(font3.x[:1])))[0, 0]
    np.testing.assert_allclose(ex.output, out, rtol=1e-5, atol=1e-6)
    assert ex.shape == (7, 5) and ex.code.shape == (8,)

    mlp_exp = Experiment(name="mlp", data=exp.data, model=ModelSpec(layers=(35, 16, 8, 16, 35)))
    mlp = archs.build_model(mlp_exp.model)
    mlp.init_weights([1])
    c = compare(model, exp, mlp, mlp_exp, data=font3)
    assert c.row("architecture").values == ("tied weights (one hidden layer): 35 → 8 → 35",
                                            "fully connected (MLP): 35 → 16 → 8 → 16 → 35")
    assert c.row("parameters").values == (35 * 8 + 8 + 35, mlp.parameter_count())
    assert c.codes[0].shape == (len(font3), 8) and c.row("mean_wrong").better == 0
