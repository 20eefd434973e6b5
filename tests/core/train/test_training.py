import math

import numpy as np
import pytest
import torch

from aegui.core.models import latent
from aegui.core.train import progress as P
from aegui.core.schema.experiment import OPTIMIZERS, SCHEDULES, ConfigError, TrainConfig
from aegui.core.config.validation import with_changes
from aegui.core.config.load import load_experiment
from aegui.core.data.datasets import from_config
from aegui.core.train.optim import FlatOptimizer, lr_factor
from aegui.core.train.session import TrainingSession, train

from core_helpers import PRESETS, small_experiment


def records(exp, data, **kw):
    session = TrainingSession(exp, data, **kw)
    return session, list(session.steps())


def totals(recs):
    return [r.losses["total"] for r in recs]


def wrong_pixels(model, data) -> np.ndarray:
    out = latent.reconstruct(model, data.x)
    return ((out >= 0.5) != (data.x >= 0.5)).sum(1)


# ---------------------------------------------------------------- learning at all

def test_loss_falls_on_font3(font3):
    session, recs = records(small_experiment(train={"epochs": 100}), font3)
    assert [r.epoch for r in recs] == list(range(10, 101, 10))
    assert recs[-1].state == P.FINISHED and recs[-1].done
    assert all(r.state == P.RUNNING for r in recs[:-1])
    assert recs[-1].losses["total"] < 0.8 * recs[0].losses["total"]
    assert recs[-1].losses["total"] == pytest.approx(recs[-1].losses["recon"])
    assert recs[-1].mean_wrong < recs[0].mean_wrong
    assert len(session.history) == len(recs)
    assert session.history.rows()[-1]["epoch"] == 100 and "max_wrong_pixels" in session.history.rows()[-1]


def test_font3_preset_reaches_zero_wrong_pixels():
    exp, _ = load_experiment(PRESETS / "font3-ae2d.json")
    assert exp.train.target_max_wrong == 0 and exp.model.latent_dim == 2
    data = from_config(exp.data)
    session, rec = train(exp, data, device="cpu")
    assert rec.state == P.TARGET
    assert rec.epoch < exp.train.epochs
    assert rec.max_wrong == 0 and rec.glyph_wrong.max() == 0
    assert rec.max_wrong_per_model[rec.best] == 0
    assert f"Model {rec.best + 1} of {exp.train.seeds}" in rec.message
    model = session.best_model()
    assert model.k == 1
    assert wrong_pixels(model, data).max() == 0


@pytest.mark.parametrize("train", [{"epochs": 35}, {"epochs": 30, "seeds": 3}, {"epochs": 30, "batch_size": 8}])
def test_final_record_describes_the_kept_model(font3, train):
    session, recs = records(small_experiment(train={"learning_rate": 0.03, **train}), font3)
    rec = recs[-1]
    assert rec.state == P.FINISHED
    np.testing.assert_array_equal(rec.glyph_wrong, wrong_pixels(session.best_model(), font3))
    assert rec.max_wrong == rec.glyph_wrong.max()


def test_stopped_record_describes_the_kept_model(font3):
    session = TrainingSession(small_experiment(train={"epochs": 1000, "learning_rate": 0.03}), font3)
    for rec in session.steps():
        if rec.epoch == 20:
            session.stop()
    assert rec.state == P.STOPPED and rec.epoch == 21
    np.testing.assert_array_equal(rec.glyph_wrong, wrong_pixels(session.best_model(), font3))


def test_record_copy_is_independent(font3):
    _, recs = records(small_experiment(train={"epochs": 10}), font3)
    rec = recs[-1]
    dup = rec.copy()
    dup.losses["total"] = -1.0
    dup.glyph_wrong[:] = 99
    assert rec.losses["total"] != -1.0 and rec.glyph_wrong.max() != 99


# ---------------------------------------------------------------- determinism

def test_same_seed_same_run_and_different_seed_differs(font3):
    exp = small_experiment(train={"epochs": 40, "check_every": 5, "seed": 3})
    s1, r1 = records(exp, font3)
    s2, r2 = records(exp, font3)
    assert totals(r1) == totals(r2)
    assert torch.equal(s1.model.flat, s2.model.flat)
    s3, r3 = records(with_changes(exp, train={"seed": 4}), font3)
    assert totals(r3) != totals(r1)
    assert not torch.equal(s3.model.flat, s1.model.flat)


@pytest.mark.parametrize("kind", ["dae", "vae"])
def test_stochastic_kinds_are_deterministic_too(font3, kind):
    exp = small_experiment(model={"kind": kind}, train={"epochs": 20, "check_every": 5})
    s1, r1 = records(exp, font3)
    s2, r2 = records(exp, font3)
    assert totals(r1) == totals(r2)
    assert torch.equal(s1.model.flat, s2.model.flat)


def test_model_k_starts_like_a_single_model_seeded_seed_plus_k(font3):
    exp = small_experiment(train={"seed": 11, "seeds": 4})
    many = TrainingSession(exp, font3)
    assert many.k == 4 and many.seeds == [11, 12, 13, 14]
    for k in range(4):
        one = TrainingSession(with_changes(exp, train={"seeds": 1, "seed": 11 + k}), font3)
        assert one.k == 1
        assert torch.equal(many.model.flat[k], one.model.flat[0])
    assert not torch.equal(many.model.flat[0], many.model.flat[1])
    explicit = TrainingSession(exp, font3, seeds=[13])
    assert explicit.k == 1 and torch.equal(explicit.model.flat[0], many.model.flat[2])


def test_per_model_learning_rates_train_independently(font3):
    exp = small_experiment(train={"epochs": 50})
    a = TrainingSession(exp, font3, lrs=[0.01, 1e-9])
    b = TrainingSession(exp, font3, lrs=[0.01, 0.05])
    start = a.model.flat.detach().clone()
    assert torch.equal(start, b.model.flat)            # same seeds: same starts
    list(a.steps())
    list(b.steps())
    moved = (a.model.flat.detach() - start).abs().amax(1)
    assert moved[0] > 1e-2
    assert moved[1] < 1e-5
    # Model 0 does not care what learning rate model 1 had.
    torch.testing.assert_close(a.model.flat[0], b.model.flat[0], rtol=1e-5, atol=1e-6)
    assert not torch.allclose(a.model.flat[1], b.model.flat[1])


def test_mismatched_per_model_lists_are_refused(font3):
    with pytest.raises(ValueError):
        TrainingSession(small_experiment(), font3, seeds=[1, 2], lrs=[0.1])


# ---------------------------------------------------------------- divergence

@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_huge_learning_rate_diverges_with_finite_weights(font3, optimizer):
    exp = small_experiment(train={"optimizer": optimizer, "learning_rate": 1e3, "epochs": 200})
    session, recs = records(exp, font3)
    rec = recs[-1]
    assert rec.state == P.DIVERGED and session.state == P.DIVERGED
    assert rec.epoch < 200                              # stopped early
    assert "learning rate" in rec.message and "1000" in rec.message
    assert torch.isfinite(session.model.flat).all()
    assert session.model.flat.abs().max() < 1e5
    assert np.isnan(rec.loss_per_model).all()
    # The reported parts stay consistent ("total" is not overwritten by the dead-model mask).
    np.testing.assert_equal(rec.losses["total"], rec.losses["recon"])
    assert np.isfinite(latent.reconstruct(session.best_model(), font3.x)).all()


def test_one_diverged_model_is_frozen_and_the_rest_go_on(font3):
    exp = small_experiment(train={"epochs": 60})
    session, recs = records(exp, font3, lrs=[0.01, 1e3])
    rec = recs[-1]
    assert rec.state == P.FINISHED
    assert recs[0].state == P.RUNNING and "1 of 2 models diverged" in recs[0].message
    assert rec.best == 0
    assert np.isfinite(rec.loss_per_model[0]) and np.isnan(rec.loss_per_model[1])
    assert session.alive.tolist() == [True, False]
    assert torch.isfinite(session.model.flat).all()


# ---------------------------------------------------------------- stop

def test_cooperative_stop_after_the_first_record(font3):
    session = TrainingSession(small_experiment(train={"epochs": 1000}), font3)
    gen = session.steps()
    first = next(gen)
    assert first.state == P.RUNNING and first.epoch == 10
    session.stop()
    second = next(gen)
    assert second.state == P.STOPPED and second.done
    assert second.epoch == 11                           # the epoch in flight, then out
    assert "11" in second.message
    with pytest.raises(StopIteration):
        next(gen)
    assert session.state == P.STOPPED


def test_thread_count_is_restored(font3):
    before = torch.get_num_threads()
    list(TrainingSession(small_experiment(train={"epochs": 10}), font3).steps())
    assert torch.get_num_threads() == before


# ---------------------------------------------------------------- kinds

def finite_losses(rec):
    return all(math.isfinite(v) for v in rec.losses.values())


@pytest.mark.parametrize("mode", ["fresh", "fixed"])
def test_denoising_runs(font3, mode):
    exp = small_experiment(model={"kind": "dae"}, noise={"mode": mode, "level": 0.2, "copies": 3},
                           train={"epochs": 60})
    _, recs = records(exp, font3)
    assert recs[-1].state == P.FINISHED and finite_losses(recs[-1])
    assert recs[-1].losses["total"] < recs[0].losses["total"]
    assert len(recs[-1].glyph_wrong) == len(font3)     # metrics on the clean glyphs


def test_vae_elbo_falls_and_reports_kl(font3):
    exp = small_experiment(model={"kind": "vae"}, train={"epochs": 100})
    _, recs = records(exp, font3)
    assert all({"recon", "kl", "total"} <= set(r.losses) for r in recs)
    assert finite_losses(recs[-1])
    assert recs[-1].losses["kl"] > 0
    assert recs[-1].losses["total"] < recs[0].losses["total"]
    assert recs[-1].losses["total"] == pytest.approx(recs[-1].losses["recon"] + recs[-1].losses["kl"],
                                                     rel=1e-5)


def test_vae_warmup_scales_the_kl(font3):
    exp = small_experiment(model={"kind": "vae", "kl_warmup": 100}, train={"epochs": 10})
    _, recs = records(exp, font3)
    rec = recs[-1]     # epoch 10: beta = 0.1
    assert rec.losses["total"] == pytest.approx(rec.losses["recon"] + 0.1 * rec.losses["kl"], rel=1e-5)


@pytest.mark.parametrize("model", [
    {"kind": "sparse", "sparsity": "l1"},
    {"kind": "sparse", "sparsity": "kl", "latent_activation": "sigmoid"},
    {"kind": "contractive"},
])
def test_penalty_kinds_report_a_positive_penalty(font3, model):
    _, recs = records(small_experiment(model=model, train={"epochs": 30}), font3)
    rec = recs[-1]
    assert rec.state == P.FINISHED and finite_losses(rec)
    assert rec.losses["penalty"] > 0
    assert rec.losses["total"] == pytest.approx(rec.losses["recon"] + rec.losses["penalty"], rel=1e-5)


def test_penalty_weight_zero_gives_zero_penalty(font3):
    _, recs = records(small_experiment(model={"kind": "contractive", "contractive_weight": 0.0},
                                       train={"epochs": 10}), font3)
    assert recs[-1].losses["penalty"] == 0


def test_minibatch_training_learns(font3):
    _, recs = records(small_experiment(train={"batch_size": 8, "epochs": 60}), font3)
    assert recs[-1].state == P.FINISHED and finite_losses(recs[-1])
    assert recs[-1].losses["total"] < recs[0].losses["total"]
    assert recs[-1].mean_wrong < recs[0].mean_wrong


def test_minibatch_target_is_measured_on_all_glyphs(font3):
    exp = small_experiment(train={"batch_size": 8, "epochs": 10, "target_max_wrong": 35})
    _, recs = records(exp, font3)
    assert recs[0].state == P.TARGET and recs[0].epoch == 10
    assert len(recs[0].glyph_wrong) == len(font3)


# ---------------------------------------------------------------- optimizers and schedules

@pytest.mark.parametrize("optimizer, lr", [("sgd", 1.0), ("momentum", 0.1), ("adam", 0.01),
                                           ("adamw", 0.01), ("rmsprop", 0.003)])
def test_each_optimizer_learns(font3, optimizer, lr):
    _, recs = records(small_experiment(train={"optimizer": optimizer, "learning_rate": lr}), font3)
    assert recs[-1].state == P.FINISHED and finite_losses(recs[-1])
    assert recs[-1].losses["total"] < 0.95 * recs[0].losses["total"]


def test_optimizer_list_is_covered():
    # powell / bfgs / cg (scipy.optimize) are covered in test_scipy_opt.py
    assert set(OPTIMIZERS) == {"sgd", "momentum", "adam", "adamw", "rmsprop", "powell", "bfgs", "cg"}


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "sgd"])
def test_weight_decay_changes_the_run(font3, optimizer):
    lr = 1.0 if optimizer == "sgd" else 0.01
    base = small_experiment(train={"optimizer": optimizer, "learning_rate": lr, "epochs": 20})
    plain, _ = records(base, font3)
    decayed, _ = records(with_changes(base, train={"weight_decay": 0.1}), font3)
    assert decayed.model.flat.abs().sum() < plain.model.flat.abs().sum()


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_each_schedule_runs(font3, schedule):
    exp = small_experiment(train={"schedule": schedule, "step_size": 20, "decay_rate": 0.95})
    _, recs = records(exp, font3)
    assert recs[-1].state == P.FINISHED and finite_losses(recs[-1])
    assert recs[-1].losses["total"] < recs[0].losses["total"]
    if schedule != "constant":
        _, const = records(with_changes(exp, train={"schedule": "constant"}), font3)
        assert totals(recs) != totals(const)


def test_lr_factor_values():
    const = TrainConfig(schedule="constant")
    assert [lr_factor(const, e) for e in (0, 1, 999)] == [1.0, 1.0, 1.0]
    exp = TrainConfig(schedule="exponential", decay_rate=0.9)
    assert lr_factor(exp, 0) == 1.0
    assert lr_factor(exp, 2) == pytest.approx(0.81)
    step = TrainConfig(schedule="step", step_size=10, step_gamma=0.5)
    assert [lr_factor(step, e) for e in (0, 9, 10, 19, 20, 35)] == [1.0, 1.0, 0.5, 0.5, 0.25, 0.125]
    cos = TrainConfig(schedule="cosine", epochs=100)
    assert lr_factor(cos, 0) == pytest.approx(1.0)
    assert lr_factor(cos, 50) == pytest.approx(0.5)
    assert lr_factor(cos, 100) == pytest.approx(0.0, abs=1e-12)
    assert lr_factor(cos, 150) == pytest.approx(0.0, abs=1e-12)
    assert lr_factor(cos, 25) > lr_factor(cos, 75)


def test_flat_sgd_step_uses_each_models_rate_and_skips_dead_models():
    p = torch.zeros(3, 4)
    opt = FlatOptimizer(TrainConfig(optimizer="sgd"), p, torch.tensor([0.1, 1.0, 2.0]))
    opt.step(torch.ones(3, 4), 0.5, torch.tensor([True, True, False]))
    torch.testing.assert_close(p[:, 0], torch.tensor([-0.05, -0.5, 0.0]))
    assert (p == p[:, :1]).all()


def test_flat_adam_first_step_moves_by_the_learning_rate():
    p = torch.zeros(2, 3)
    opt = FlatOptimizer(TrainConfig(optimizer="adam"), p, torch.tensor([0.01, 0.1]))
    opt.step(torch.tensor([[1.0, -2.0, 3.0], [5.0, 5.0, -5.0]]), 1.0, torch.tensor([True, True]))
    torch.testing.assert_close(p, torch.tensor([[-0.01, 0.01, -0.01], [-0.1, -0.1, 0.1]]))


# ---------------------------------------------------------------- refusals

def test_layers_that_do_not_fit_the_data(font3):
    exp = small_experiment(model={"layers": (30, 10, 2, 10, 30)})
    with pytest.raises(ConfigError) as info:
        TrainingSession(exp, font3)
    assert info.value.field == "model.layers"
    assert "35" in str(info.value)


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_cuda_device_when_unavailable(font3):
    exp = small_experiment(train={"device": "cuda"})
    with pytest.raises(ConfigError) as info:
        TrainingSession(exp, font3)
    assert info.value.field == "train.device"
    with pytest.raises(ConfigError):
        TrainingSession(small_experiment(), font3, device="cuda")


def test_messages_render_from_id_and_arguments():
    """Numbers stay numbers among a message's arguments (the template formats them), so a UI can
    fill the template with its own number format."""
    from aegui.core.train.progress import render
    text = render("diverged", {"epoch": 3, "why": "why_weights", "why_args": {"limit": 1e6},
                               "lr": 0.5, "optimizer": "adam", "lower": 0.05})
    assert text.startswith("Training diverged at epoch 3: the weights grew past 1e+06.")
    assert "The learning rate 0.5 is" in text and "try 0.05 or lower" in text
    comma = render("diverged", {"epoch": 3, "why": "why_nan", "lr": 0.5, "optimizer": "adam", "lower": 0.05},
                   fill=lambda t, **a: t.format(**a).replace("0.", "0,"))
    assert "try 0,05 or lower" in comma
    spanish = {"Stopped at epoch {epoch}.": "Detenido en la época {epoch}."}
    assert render("stopped", {"epoch": 7}, translate=lambda t: spanish.get(t, t)) == "Detenido en la época 7."


def test_tensor_adam_matches_torch_adam():
    """optim.TensorAdam (used where torch.optim would pull torch._dynamo into the bundle) makes
    the same updates as torch.optim.Adam."""
    import torch

    from aegui.core.train.optim import TensorAdam
    g = torch.Generator().manual_seed(0)
    a = [torch.randn(5, 3, generator=g, requires_grad=True), torch.randn(3, generator=g, requires_grad=True)]
    b = [p.detach().clone().requires_grad_() for p in a]
    x = torch.randn(8, 5, generator=g)
    ours, ref = TensorAdam(a, lr=0.01), torch.optim.Adam(b, lr=0.01)
    for _ in range(20):
        for params, opt in ((a, ours), (b, ref)):
            opt.zero_grad()
            ((x @ params[0] + params[1]) ** 2).mean().backward()
            opt.step()
    for p, q in zip(a, b):
        assert torch.allclose(p, q, atol=1e-6)
