"""Local autoencoders (arch "local": same-size 3x3 convolutions, models/local_net.py): they learn
Font3, K stacked models equal separate ones, the layout matches torch's Conv2d, storage, the
parameter count without torch, the validation messages, the CLI and the captured-step loop."""
import json

import numpy as np
import pytest
import torch

from aegui.core.schema.experiment import ConfigError, Experiment
from aegui.core.config.validation import with_changes
from aegui.core.data.datasets import font_dataset
from aegui.core.data.noise import apply_noise
from aegui.core.runs.storage import load_model, save_model
from aegui.core.models import latent
from aegui.core.models.local_net import LocalAutoencoder
from aegui.core.archs import build_model, parameter_count
from aegui.core.train.backends import capture
from aegui.core.train.memory import estimate
from aegui.core.train.session import TrainingSession, check_fits, train


def local_experiment(kind="dae", channels=(16, 16), shape=(7, 5), **sections):
    h, w = shape[:2]
    d = int(np.prod(shape))
    base = {"model": {"arch": "local", "kind": kind, "layers": (d, channels[-1] * h * w, d),
                      "channels": channels, "input_shape": shape, "latent_activation": "elu"},
            "noise": {"kind": "salt_pepper", "level": 0.1},
            "train": {"epochs": 200, "check_every": 1, "device": "cpu", "learning_rate": 0.01}}
    for name, values in sections.items():
        base.setdefault(name, {}).update(values)
    return with_changes(Experiment(), **base)


@pytest.fixture(scope="module")
def font3():
    return font_dataset(["Font3"])


@pytest.fixture(scope="module")
def trained(font3):
    """A local DAE trained 200 epochs on Font3 (full batch, fresh noise): (session, records)."""
    exp = local_experiment()
    session = TrainingSession(exp, font3)
    return session, list(session.steps())


def test_local_dae_learns_font3_and_denoises(trained, font3):
    session, recs = trained
    losses = [r.losses["total"] for r in recs]
    assert len(losses) == 200 and all(np.isfinite(losses))
    # Fresh noise every epoch makes single epochs jumpy: compare the last 20 to the first.
    assert np.mean(losses[-20:]) < 0.35 * losses[0]
    model = session.best_model()
    assert isinstance(model, LocalAutoencoder)
    noisy = apply_noise(font3.x, "salt_pepper", 0.1, np.random.default_rng(7))
    out = latent.reconstruct(model, noisy)
    assert out.shape == font3.x.shape
    # Its output is closer to the clean glyphs than the noisy input it was given.
    assert np.mean((out - font3.x) ** 2) < 0.7 * np.mean((noisy - font3.x) ** 2)


def test_code_is_the_last_map_channel_major(font3):
    exp = local_experiment(channels=(4, 6))
    model = build_model(exp.model, 1)
    model.init_weights([1])
    x = torch.from_numpy(font3.x[:3])
    with torch.no_grad():
        code = model.encode(x)
        last = model._encoder_maps(x)
    assert model.latent_dim == exp.model.latent_dim == 6 * 7 * 5
    assert code.shape == (1, 3, 210)
    # code[c * H * W + y * W + x] is channel c at row y, column x.
    assert torch.equal(code[0].reshape(3, 6, 7, 5), last)
    assert [name for name, _ in model.feature_maps(font3.x[0])] == ["conv 1", "conv 2 = code"]


def test_layout_matches_torch_conv2d(font3):
    """The flat buffer's blocks are torch's Conv2d weights: the same stack of nn.Conv2d layers
    with those weights gives the same output."""
    exp = local_experiment(kind="ae", channels=(5, 3), **{"model": {"hidden_activation": "tanh",
                                                                     "latent_activation": "relu"}})
    model = build_model(exp.model, 1)
    model.init_weights([4])
    weights = model.named_weights(0)
    convs = [torch.nn.Conv2d(a, b, 3, padding=1) for a, b in ((1, 5), (5, 3), (3, 1))]
    names = ["encoder.conv0", "encoder.conv1", "decoder.conv0"]
    with torch.no_grad():
        for conv, name in zip(convs, names):
            conv.weight.copy_(weights[f"{name}.weight"])
            conv.bias.copy_(weights[f"{name}.bias"])
        img = torch.from_numpy(font3.x[:6]).view(6, 1, 7, 5)
        ref = torch.sigmoid(convs[2](torch.relu(convs[1](torch.tanh(convs[0](img))))))
        out = model(torch.from_numpy(font3.x[:6]))[0]
    torch.testing.assert_close(out, ref.reshape(6, 35), rtol=1e-5, atol=1e-6)
    assert parameter_count(exp.model) == model.parameter_count() == sum(p.numel() for c in convs for p in c.parameters())


@pytest.mark.parametrize("channels", [(16, 16), (32, 32, 32), (1,)])
def test_parameter_count_without_torch_matches_the_model(channels):
    spec = local_experiment(kind="ae", channels=channels).model
    model = build_model(spec, 1)
    ins = [1, *channels]
    expected = sum(a * b * 9 + b for a, b in zip(ins, ins[1:])) + channels[-1] * 9 + 1
    assert parameter_count(spec) == model.parameter_count() == expected


def test_stacked_models_equal_each_selected_alone(font3):
    exp = local_experiment(channels=(8, 8))
    stacked = build_model(exp.model, 2)
    stacked.init_weights([3, 9])
    x = torch.from_numpy(font3.x)
    with torch.no_grad():
        out = stacked(x)
        for k, seed in enumerate((3, 9)):
            one = stacked.select(k)
            assert isinstance(one, LocalAutoencoder) and one.k == 1
            torch.testing.assert_close(one(x)[0], out[k], rtol=1e-5, atol=1e-6)
            fresh = build_model(exp.model, 1)
            fresh.init_weights([seed])
            assert torch.equal(fresh.flat[0], stacked.flat[k])        # same start as trained alone
    assert not torch.allclose(out[0], out[1])


def test_round_trip_through_storage(tmp_path, trained, font3):
    session, recs = trained
    model, exp = session.best_model(), session.exp
    meta_path = save_model(tmp_path / "m", model, exp, {"epochs": recs[-1].epoch}, extra={"shape": [7, 5]})
    back, exp2, meta = load_model(meta_path.parent)
    assert exp2 == exp and isinstance(back, LocalAutoencoder) and meta["shape"] == [7, 5]
    np.testing.assert_array_equal(latent.reconstruct(back, font3.x), latent.reconstruct(model, font3.x))
    from safetensors.torch import load_file
    tensors = load_file(str(tmp_path / "m" / "model.safetensors"))
    assert tuple(tensors["encoder.conv0.weight"].shape) == (16, 1, 3, 3)    # torch's Conv2d layout
    assert tuple(tensors["decoder.conv0.weight"].shape) == (1, 16, 3, 3)


def test_sparse_l1_and_topk_train(font3):
    for sparsity in ("l1", "topk"):
        exp = local_experiment(kind="sparse", channels=(4,), model={"sparsity": sparsity, "sparsity_k": 30},
                               train={"epochs": 20, "check_every": 10})
        _, rec = train(exp, font3)
        assert np.isfinite(rec.losses["total"])
        if sparsity == "l1":
            assert rec.losses["penalty"] > 0


@pytest.mark.parametrize("model, field, words", [
    ({"layers": (35, 16, 35)}, "model.layers",
     "a local model's latent is channels[-1] x H x W = 16x7x5 = 560: set model.layers to [35, 560, 35]"),
    ({"layers": (35, 100, 560, 100, 35)}, "model.layers", "set model.layers to [35, 560, 35]"),
    ({"layers": (36, 560, 36)}, "model.layers", "7x5x1 = 35: set model.layers to [35, 560, 35]"),
    ({"kind": "vae"}, "model.kind", "use 'ae', 'dae' or 'sparse'"),
    ({"kind": "contractive"}, "model.kind", "MLP encoders only"),
    ({"channels": ()}, "model.channels", "1 to 8"),
    ({"channels": (4,) * 9}, "model.channels", "1 to 8"),
    ({"channels": (16, 0)}, "model.channels[1]", "from 1 to 1024"),
    ({"channels": (16, 2000)}, "model.channels[1]", "from 1 to 1024"),
    ({"input_shape": ()}, "model.input_shape", "[height, width]"),
])
def test_bad_local_specs_name_the_field(model, field, words):
    base = {"arch": "local", "kind": "ae", "layers": (35, 560, 35), "channels": (16, 16), "input_shape": (7, 5)}
    base.update(model)
    with pytest.raises(ConfigError) as info:
        with_changes(Experiment(), model=base)
    assert info.value.field == field
    assert words in str(info.value)
    assert "\n" not in str(info.value)


def test_check_fits_names_the_shape(font3):
    exp = local_experiment(shape=(5, 7))
    with pytest.raises(ConfigError) as info:
        check_fits(exp, font3)
    assert info.value.field == "model.input_shape" and "[7, 5]" in str(info.value)


def test_memory_estimate_counts_same_size_maps():
    small = estimate(local_experiment(channels=(8,)), 32)
    big = estimate(local_experiment(channels=(64, 64, 64)), 32)
    assert 0 < small.activations < big.activations
    # 32 samples x (2 x 35 + 192 x 35 values) x 3 copies x 4 bytes
    assert big.activations == 4 * 32 * (2 * 35 + 192 * 35) * 3


def test_cli_train_writes_a_loadable_local_model(tmp_path, capsys, font3):
    from aegui.cli import main
    cfg = tmp_path / "local.json"
    cfg.write_text(local_experiment(train={"epochs": 30, "check_every": 10}).to_json())
    out = tmp_path / "model"
    rc = main(["train", str(cfg), "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert json.loads(captured.out.strip().splitlines()[-1])["epochs"] == 30
    model, exp, meta = load_model(out)
    assert isinstance(model, LocalAutoencoder) and exp.model.arch == "local" and meta["shape"] == [7, 5]
    assert latent.reconstruct(model, font3.x).shape == (32, 35)
    png = tmp_path / "grid.png"
    assert main(["decode", str(out), "--grid", "3", "--dims", "0,200", "--out", str(png)]) == 0
    assert png.stat().st_size > 0


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="needs a CUDA GPU"))])
def test_captured_loop_matches_eager(font3, device):
    """The CUDA-graph loop (on the CPU: run with eager 'replays') trains a local model as the
    eager loop does: full-batch AE, deterministic."""
    exp = local_experiment(kind="ae", channels=(8, 8), train={"epochs": 10, "check_every": 5, "seeds": 2,
                                                                 "device": device})
    eager = TrainingSession(exp, font3)
    eager.capture = False
    for rec_e in eager.steps():
        pass
    cap = TrainingSession(exp, font3)
    for rec_c in (capture.captured_steps(cap) if device == "cpu" else cap.steps()):
        pass
    assert cap.captured, getattr(cap, "capture_error", "")
    np.testing.assert_allclose(rec_c.loss_per_model, rec_e.loss_per_model, rtol=1e-4)
