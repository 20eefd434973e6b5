"""Training on images end to end: the emoji VAE preset through the CLI (train, eval, decode),
VAE KL warnings, and the engine pieces the image models made matter (epoch-mean loss of
mini-batch runs, one gradient buffer, the fused optimizer)."""

import numpy as np
import pytest
import torch
from PIL import Image

from aegui.core.train import optim
from aegui.core.train import progress as P
from aegui.core.schema.experiment import TrainConfig
from aegui.core.config.validation import with_changes
from aegui.core.config.load import load_experiment
from aegui.core.data.datasets import font_dataset, load_split
from aegui.core.archs import build_model
from aegui.core.models.objectives import objective_of
from aegui.core.runs.storage import load_model
from aegui.core.train.session import TrainingSession, train

from core_helpers import PRESETS, small_experiment, run_cli, last_json


@pytest.fixture(scope="module")
def font3():
    return font_dataset(("Font3",))


# ---------------------------------------------------------------- the emoji VAE preset

def test_emoji_preset_is_a_colour_vae_with_a_validation_split():
    exp, notes = load_experiment(PRESETS / "emoji-vae.json")
    assert notes == []
    d, m, t = exp.data, exp.model, exp.train
    assert (d.source, d.size, d.color) == ("emoji", 32, "rgb") and 0.1 <= d.val_split <= 0.15
    assert m.kind == "vae" and m.full_layers[0] == m.full_layers[-1] == 32 * 32 * 3
    assert t.loss == "bce" and t.optimizer == "adam" and t.batch_size > 0
    train_set, val_set = load_split(d)
    assert len(train_set) + len(val_set) == 287 and len(val_set) >= 28


@pytest.fixture(scope="module")
def emoji_model(tmp_path_factory):
    """The emoji preset trained for a few epochs through `aegui train`: (folder, result JSON)."""
    tmp = tmp_path_factory.mktemp("emoji")
    exp, _ = load_experiment(PRESETS / "emoji-vae.json")
    cfg = tmp / "emoji-vae.json"
    cfg.write_text(with_changes(exp, train={"check_every": 2}).to_json())     # two records in 4 epochs
    import io
    from contextlib import redirect_stdout
    buf = io.StringIO()
    with redirect_stdout(buf):
        rc = run_cli(["train", cfg, "--out", tmp / "vae", "--epochs", "4", "--quiet"])
    assert rc == 0
    return tmp / "vae", last_json(buf.getvalue())


def test_cli_trains_the_emoji_preset_with_validation(emoji_model):
    out, result = emoji_model
    assert result["state"] == "finished" and result["epochs"] == 4
    assert result["samples"] + result["val_samples"] == 287
    assert set(result["loss"]) == {"recon", "kl", "total"}
    assert np.isfinite(result["val_loss"]) and result["val_loss"] < result["val_loss_first"]
    model, exp, meta = load_model(out)
    assert meta["shape"] == [32, 32, 3] and meta["metrics"]["val_loss"] == result["val_loss"]
    rows = (out / "metrics.csv").read_text().splitlines()
    assert "val_loss" in rows[0].split(",") and "loss_kl" in rows[0].split(",")


def test_cli_eval_reports_image_errors_for_training_and_held_out_samples(emoji_model, capsys):
    out, _ = emoji_model
    assert run_cli(["eval", out]) == 0
    result = last_json(capsys.readouterr().out)
    assert result["samples"] == 287 and result["val_samples"] == 43
    assert 0 < result["mse"] < 0.25 and result["bce_per_sample"] > 0
    assert "max_wrong_pixels" not in result and len(result["worst"]) == 10
    assert run_cli(["eval", out, "--noise", "gaussian", "--level", "0.2", "--repeats", "2"]) == 0
    noisy = last_json(capsys.readouterr().out)
    assert noisy["mse_noisy_input"] > 0 and noisy["repeats"] == 2


def test_cli_decodes_images_grids_and_prior_samples(emoji_model, tmp_path, capsys):
    out, _ = emoji_model
    png = tmp_path / "one.png"
    assert run_cli(["decode", out, "--z", "-1,0,0,0,0,0,0,0.5", "--out", png]) == 0
    assert last_json(capsys.readouterr().out)["shape"] == [32, 32, 3]
    with Image.open(png) as img:
        assert img.mode == "RGB" and img.size == (64, 64)            # 32 px enlarged x2
    grid = tmp_path / "grid.png"
    assert run_cli(["decode", out, "--grid", "3", "--dims", "2,5", "--range", "-2,2", "--out", grid]) == 0
    info = last_json(capsys.readouterr().out)
    assert info["dims"] == [2, 5] and info["rect"] == [-2, 2, -2, 2]
    with Image.open(grid) as img:
        assert img.size == ((3 * 33 - 1) * 2, (3 * 33 - 1) * 2)
    axes = tmp_path / "axes.png"
    assert run_cli(["decode", out, "--grid", "3", "--axes", "--out", axes]) == 0
    with Image.open(axes) as img:
        assert img.width > (3 * 33 - 1) * 2 and img.height > (3 * 33 - 1) * 2   # room for labels
    around = tmp_path / "around.png"
    assert run_cli(["decode", out, "--grid", "2", "--around", "grinning", "--out", around]) == 0
    x0, x1, y0, y1 = last_json(capsys.readouterr().out)["rect"]
    model, exp, _ = load_model(out)
    from aegui.core.models import latent
    from aegui.core.data.datasets import from_config
    data = from_config(exp.data)
    code = latent.encode(model, data.x[data.labels.index("grinning")][None])[0]
    assert (x0 + x1) / 2 == pytest.approx(code[0], abs=1e-3) and x1 - x0 == pytest.approx(4)
    assert (y0 + y1) / 2 == pytest.approx(code[1], abs=1e-3)
    assert run_cli(["decode", out, "--grid", "2", "--around", "grining", "--out", around]) == 2
    assert "no sample" in capsys.readouterr().err
    samples = tmp_path / "samples.png"
    assert run_cli(["decode", out, "--samples", "4", "--seed", "3", "--out", samples]) == 0
    assert last_json(capsys.readouterr().out)["samples"] == 16
    with Image.open(samples) as img:
        first = np.asarray(img)
    assert run_cli(["decode", out, "--samples", "4", "--seed", "3", "--out", samples]) == 0
    with Image.open(samples) as img:
        assert np.array_equal(np.asarray(img), first)                   # seeded draws


@pytest.mark.parametrize("argv, words", [
    (["--z", "0,0,0,0,0,0,0,0"], ["32x32x3 images", "--out"]),
    (["--grid", "3", "--dims", "1,8", "--out", "x.png"], ["--dims", "0 to 7"]),
    (["--grid", "3", "--samples", "3", "--out", "x.png"], ["not both"]),
    (["--samples", "3"], ["--out"]),
])
def test_cli_decode_mistakes_on_image_models(emoji_model, capsys, argv, words):
    out, _ = emoji_model
    assert run_cli(["decode", out, *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and all(w in err[0] for w in words), err


def test_cli_prior_samples_need_a_vae(tmp_path, capsys):
    cfg = tmp_path / "ae.json"
    cfg.write_text(small_experiment(train={"epochs": 5}).to_json())
    assert run_cli(["train", cfg, "--out", tmp_path / "ae", "--quiet"]) == 0
    capsys.readouterr()
    assert run_cli(["decode", tmp_path / "ae", "--samples", "3", "--out", tmp_path / "s.png"]) == 2
    assert "VAE's prior" in capsys.readouterr().err


def test_cli_dataset_option_follows_the_source(tmp_path, capsys):
    assert run_cli(["train", PRESETS / "emoji-vae.json", "--dataset", tmp_path, "--out", tmp_path / "o"]) == 2
    err = capsys.readouterr().err
    assert "--dataset" in err and "'emoji'" in err and "folder" in err
    pics = tmp_path / "pics"
    pics.mkdir()
    for i, colour in enumerate(("red", "navy", "gold", "white", "teal")):
        Image.new("RGB", (20, 12), colour).save(pics / f"p{i}.png")
    (pics / "broken.png").write_bytes(b"not a png")
    exp = with_changes(small_experiment(), data={"source": "folder", "path": "elsewhere", "size": 8, "color": "rgb"},
                       model={"arch": "conv", "kind": "ae", "layers": (192, 4, 192), "channels": (4,),
                              "input_shape": (8, 8, 3)}, train={"epochs": 3, "batch_size": 2})
    cfg = tmp_path / "folder.json"
    cfg.write_text(exp.to_json())
    assert run_cli(["train", cfg, "--dataset", pics, "--out", tmp_path / "m", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert last_json(captured.out)["samples"] == 5
    assert "broken.png" in captured.err                        # the unreadable picture is named
    assert load_model(tmp_path / "m")[1].data.path == str(pics.resolve())


# ---------------------------------------------------------------- KL warnings

def _vae_records(font3, model, train):
    session = TrainingSession(small_experiment(model={"kind": "vae", **model}, train=train), font3)
    return list(session.steps())


def test_kl_collapse_is_reported_when_beta_crushes_the_code(font3):
    recs = _vae_records(font3, {"beta": 50.0}, {"epochs": 60})
    assert recs[-1].losses["kl"] < 0.05 and recs[-1].state == P.FINISHED
    assert recs[-1].extra["message_id"] == "kl_collapse"
    assert "posterior collapsed" in recs[-1].message
    # Not before the minimum epoch: early KL is small in every run.
    assert all(r.extra.get("message_id") != "kl_collapse" for r in recs if r.epoch < 50)


def test_kl_explosion_is_reported_without_a_kl_weight(font3):
    recs = _vae_records(font3, {"beta": 0.0}, {"epochs": 60, "learning_rate": 0.05})
    assert recs[-1].losses["kl"] / 2 > 20
    assert recs[-1].extra["message_id"] == "kl_explode"
    assert "Raise β" in recs[-1].message


def test_kl_warning_waits_for_the_warmup(font3):
    recs = _vae_records(font3, {"beta": 50.0, "kl_warmup": 70}, {"epochs": 60})
    assert all(r.extra.get("message_id") is None for r in recs)


def test_a_healthy_vae_gets_no_kl_warning(font3):
    recs = _vae_records(font3, {}, {"epochs": 60, "learning_rate": 0.01})
    assert 0.05 < recs[-1].losses["kl"] < 40
    assert all(not r.extra.get("message_id", "").startswith("kl_") for r in recs)
    assert recs[-1].message == ""


# ---------------------------------------------------------------- engine details

def test_minibatch_records_report_the_epochs_mean_loss(font3):
    """With 32 glyphs in batches of 10 the last batch holds 2; the record must give the loss over
    all samples (here with weights that barely move, so it equals the full-data loss)."""
    exp = small_experiment(train={"batch_size": 10, "epochs": 3, "check_every": 1, "learning_rate": 1e-9})
    session = TrainingSession(exp, font3)
    rec = next(session.steps())
    with torch.no_grad():
        total, _, _ = session.loss(session.x, session.x, 1, None)
    assert rec.losses["total"] == pytest.approx(float(total[0]), rel=1e-5)


@pytest.mark.parametrize("model", [
    {"kind": "vae"},
    {"kind": "contractive"},
    {"arch": "conv", "layers": (64, 4, 64), "channels": (3, 5), "input_shape": (8, 8), "kind": "vae"},
])
def test_weight_views_give_the_same_gradient_as_slices(model):
    exp = with_changes(small_experiment(), model=model)
    m = build_model(exp.model, 2)
    m.init_weights([1, 2])
    x = torch.rand(6, m.input_dim, generator=torch.Generator().manual_seed(0))

    objective = objective_of(exp.model)

    def grad(views: bool):
        gen = torch.Generator().manual_seed(5)
        if views:
            with m.weight_views():
                total, _, _ = objective.loss(m, x, x, exp.model, exp.train.loss, 1, gen)
        else:
            total, _, _ = objective.loss(m, x, x, exp.model, exp.train.loss, 1, gen)
        total.sum().backward()
        g, m.flat.grad = m.flat.grad.clone(), None
        return g

    torch.testing.assert_close(grad(True), grad(False), rtol=1e-6, atol=1e-7)
    assert m._views is None


def test_training_leaves_no_gradient_behind(font3):
    session, _ = train(small_experiment(train={"epochs": 5}), font3)
    assert session.model.flat.grad is None


@pytest.mark.parametrize("name", ["adam", "adamw"])
@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_fused_adam_matches_the_written_out_step(monkeypatch, name, weight_decay):
    cfg = TrainConfig(optimizer=name, weight_decay=weight_decay)
    start = torch.randn(3, 40, generator=torch.Generator().manual_seed(0))
    fused_p, plain_p = start.clone(), start.clone()
    fused = optim.FlatOptimizer(cfg, fused_p, torch.tensor([0.01, 0.1, 0.2]))
    monkeypatch.setitem(optim._FUSED, name, None)
    plain = optim.FlatOptimizer(cfg, plain_p, torch.tensor([0.01, 0.1, 0.2]))
    assert fused.fused is not None and plain.fused is None
    g = torch.Generator().manual_seed(1)
    for step in range(15):
        alive = torch.tensor([True, True, step < 5])        # the third model dies after 5 steps
        grad = torch.randn(3, 40, generator=g)
        fused.step(grad, 0.9, alive)
        plain.step(grad, 0.9, alive)
    torch.testing.assert_close(fused_p, plain_p, rtol=1e-5, atol=1e-6)
    assert not torch.equal(fused_p[2], start[2])              # it moved while alive ...
    frozen = fused_p[2].clone()
    fused.step(torch.randn(3, 40, generator=g), 1.0, torch.tensor([True, True, False]))
    assert torch.equal(fused_p[2], frozen)                     # ... and not after


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_cli_cuda_without_a_gpu_is_one_clear_error(tmp_path, capsys):
    cfg = tmp_path / "cfg.json"
    cfg.write_text(small_experiment().to_json())
    assert run_cli(["train", cfg, "--device", "cuda", "--out", tmp_path / "o"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["aegui: error: train.device: CUDA is not available on this machine; use 'cpu' or 'auto'"]
    assert not (tmp_path / "o").exists()
