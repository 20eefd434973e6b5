"""Convolutional autoencoders and VAEs: shapes on 16/28/32/64 px images (grey and colour),
K stacked models against K separate ones, learning, storage, and the validation messages."""
import struct

import numpy as np
import pytest
import torch

from aegui.core.models import latent
from aegui.core.train import progress as P
from aegui.core.schema.experiment import ConfigError, Experiment
from aegui.core.config.validation import with_changes
from aegui.core.models.conv_net import ConvAutoencoder
from aegui.core.data.dataset import Dataset
from aegui.core.data.datasets import split
from aegui.core.data.image_data import digits_dataset, emoji_dataset, folder_dataset, idx_dataset
from aegui.core.archs import build_model
from aegui.core.runs.storage import load_model, save_model
from aegui.core.train.session import TrainingSession, check_fits, train


def conv_experiment(shape, kind="ae", channels=(4, 8), latent=4, source="digits", **sections):
    """A small CPU conv experiment reading images of `shape` ((H, W) or (H, W, C))."""
    dim = int(np.prod(shape))
    base = {"data": {"source": source},
            "model": {"arch": "conv", "kind": kind, "layers": (dim, latent, dim), "channels": channels,
                      "input_shape": tuple(shape), "hidden_activation": "relu"},
            "train": {"epochs": 20, "check_every": 5, "device": "cpu", "learning_rate": 0.01}}
    for name, values in sections.items():
        base.setdefault(name, {}).update(values)
    return with_changes(Experiment(), **base)


def write_idx28(tmp_path, n=6) -> str:
    """A small MNIST-style file of 28x28 images (bright squares at varying places)."""
    images = np.zeros((n, 28, 28), np.uint8)
    for i in range(n):
        images[i, 2 + 3 * i:10 + 3 * i, 4 + 2 * i:14 + 2 * i] = 255
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(struct.pack(">IIII", 2051, n, 28, 28) + images.tobytes())
    return str(path)


@pytest.fixture(scope="module")
def digits():
    return digits_dataset(max_samples=240)


def _shape_dataset(name, tmp_path) -> Dataset:
    if name == "idx28":
        return idx_dataset(write_idx28(tmp_path))
    size, color = name.split("-")
    return emoji_dataset(int(size), color).subset(range(5))


# ---------------------------------------------------------------- shapes

@pytest.mark.parametrize("name, shape, channels", [
    ("16-gray", (16, 16), (4, 8)),
    ("idx28", (28, 28), (4, 8)),            # 28 = 4 x 7: two halvings at most
    ("32-rgb", (32, 32, 3), (4, 8, 8)),
    ("64-rgb", (64, 64, 3), (4, 8, 8, 8)),
    ("64-rgba", (64, 64, 4), (4, 8)),
])
@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_conv_shapes_for_each_image_size(tmp_path, name, shape, channels, kind):
    data = _shape_dataset(name, tmp_path)
    assert tuple(data.shape) == shape
    exp = conv_experiment(shape, kind, channels, latent=3)
    check_fits(exp, data)                  # no complaint: the spec reads these images
    model = build_model(exp.model, 2)
    assert isinstance(model, ConvAutoencoder) and model.flat.shape[0] == 2
    model.init_weights([0, 1])
    x = torch.from_numpy(data.x)
    with torch.no_grad():
        raw, _ = model.encode_raw(x)
        code = model.encode(x)
        out = model.decode(code)
    assert raw.shape == (2, len(data), 6 if kind == "vae" else 3)      # a VAE adds log-variances
    assert code.shape == (2, len(data), 3)
    assert out.shape == (2, len(data), data.dim)
    assert 0 <= float(out.min()) and float(out.max()) <= 1              # sigmoid output
    one = model.select(1)
    img = latent.reconstruct(one, data.x).reshape(len(data), *data.shape)
    assert img.shape == (len(data), *shape)
    # The transposed convs give back the full picture size: each tile is an image of `shape`.
    assert latent.decode_points(one, np.zeros((4, 3), np.float32)).shape == (4, data.dim)


def test_conv_reads_pixels_in_row_major_hwc_order():
    """A colour sample is flattened (H, W, C); the model must see the same picture, so an
    image and its transposed copy give different codes, and channel order matters."""
    exp = conv_experiment((8, 8, 3), channels=(4,))
    model = build_model(exp.model, 1)
    model.init_weights([3])
    img = np.random.default_rng(0).random((8, 8, 3), dtype=np.float32)
    same = model._to_images(torch.from_numpy(img.reshape(1, -1)))
    assert torch.equal(same[0], torch.from_numpy(img).permute(2, 0, 1))
    back = model._from_images(same)
    assert torch.equal(back[0, 0], torch.from_numpy(img.reshape(-1)))


# ---------------------------------------------------------------- K stacked models

@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_stacked_models_equal_separate_models(digits, kind):
    exp = conv_experiment((8, 8), kind, channels=(4, 8))
    stacked = build_model(exp.model, 3)
    stacked.init_weights([5, 6, 7])
    x = torch.from_numpy(digits.x[:20])
    with torch.no_grad():
        out = stacked.decode(stacked.encode(x))
        for k, seed in enumerate((5, 6, 7)):
            one = build_model(exp.model, 1)
            one.init_weights([seed])
            assert torch.equal(one.flat[0], stacked.flat[k])            # same start
            torch.testing.assert_close(one.decode(one.encode(x))[0], out[k], rtol=1e-5, atol=1e-6)
            torch.testing.assert_close(stacked.select(k).flat, one.flat)


def test_stacked_training_matches_separate_runs(digits):
    exp = conv_experiment((8, 8), "ae", channels=(4, 8), train={"epochs": 10, "check_every": 10})
    _, rec = train(exp, digits, seeds=[0, 1, 2])
    for k in range(3):
        _, one = train(exp, digits, seeds=[k])
        assert one.loss_per_model[0] == pytest.approx(rec.loss_per_model[k], rel=1e-4)


# ---------------------------------------------------------------- learning

@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_conv_loss_falls(digits, kind):
    exp = conv_experiment((8, 8), kind, channels=(8, 16), latent=8,
                          train={"epochs": 30, "batch_size": 60, "learning_rate": 0.005})
    session = TrainingSession(exp, digits)
    recs = list(session.steps())
    assert recs[-1].state == P.FINISHED
    assert all(np.isfinite(list(r.losses.values())).all() for r in recs)
    assert recs[-1].losses["total"] < 0.8 * recs[0].losses["total"]
    if kind == "vae":
        assert recs[-1].losses["kl"] > 0
    else:   # the digits are grey (0-16 scaled): wrong pixels are not counted (evaluation.py)
        assert all(r.max_wrong == 0 and r.mean_wrong == 0 for r in recs)


def test_conv_vae_validation_loss_falls_on_colour_emoji():
    data = emoji_dataset(16, "rgb", ("face-smiling", "food-fruit"))
    tr, va = split(data, 0.15, 0)
    exp = conv_experiment((16, 16, 3), "vae", channels=(8, 16), latent=4, source="emoji",
                          data={"size": 16, "color": "rgb"},
                          train={"epochs": 24, "check_every": 8, "batch_size": 16, "learning_rate": 0.003})
    session = TrainingSession(exp, tr, val_data=va)
    recs = list(session.steps())
    vals = [r.val_loss for r in recs]
    assert all(v is not None and np.isfinite(v) for v in vals)
    assert vals[-1] < vals[0]


def test_denoising_conv_ae_removes_noise(digits):
    exp = conv_experiment((8, 8), "dae", channels=(8, 16), latent=16,
                          noise={"kind": "salt_pepper", "level": 0.2},
                          train={"epochs": 40, "batch_size": 60, "learning_rate": 0.005, "check_every": 40})
    session, rec = train(exp, digits)
    assert rec.state == P.FINISHED
    from aegui.core.data.noise import apply_noise
    clean = digits.x
    noisy = apply_noise(clean, "salt_pepper", 0.2, np.random.default_rng(1))
    out = latent.reconstruct(session.best_model(), noisy)
    # The model's output is closer to the clean digits than the noisy input it was given.
    assert np.mean((out - clean) ** 2) < 0.6 * np.mean((noisy - clean) ** 2)


# ---------------------------------------------------------------- storage

@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_conv_round_trip_through_storage(tmp_path, digits, kind):
    exp = conv_experiment((8, 8), kind, channels=(4, 8), train={"epochs": 5})
    session, rec = train(exp, digits)
    model = session.best_model()
    meta_path = save_model(tmp_path / "m", model, exp, {"epochs": rec.epoch},
                           extra={"shape": list(digits.shape)})
    back, exp2, meta = load_model(meta_path.parent)
    assert exp2 == exp and isinstance(back, ConvAutoencoder)
    assert meta["shape"] == [8, 8]
    assert torch.equal(back.flat, model.flat)
    np.testing.assert_array_equal(latent.reconstruct(back, digits.x[:9]), latent.reconstruct(model, digits.x[:9]))
    from safetensors.torch import load_file
    tensors = load_file(str(tmp_path / "m" / "model.safetensors"))
    assert tuple(tensors["encoder.conv0.weight"].shape) == (4, 1, 4, 4)      # torch's Conv2d layout
    assert tuple(tensors["decoder.deconv1.weight"].shape) == (4, 1, 4, 4)    # ConvTranspose2d layout


def test_conv_weights_of_another_shape_are_refused(tmp_path, digits):
    exp = conv_experiment((8, 8), channels=(4, 8), train={"epochs": 1})
    session, _ = train(exp, digits)
    path = save_model(tmp_path / "m", session.best_model(), exp)
    import json
    meta = json.loads(path.read_text())
    meta["experiment"]["model"]["channels"] = [4, 6]
    meta["weights_sha256"] = ""
    path.write_text(json.dumps(meta))
    from aegui.core.runs.storage import ModelFileError
    with pytest.raises(ModelFileError, match="does not fit"):
        load_model(path)


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize("model, field, words", [
    ({"input_shape": ()}, "model.input_shape", "[height, width]"),
    ({"input_shape": (16, 16, 2), "layers": (512, 4, 512)}, "model.input_shape", "1 (grey), 3 (RGB) or 4"),
    ({"input_shape": (16, 0)}, "model.input_shape", "[height, width]"),
    ({"channels": ()}, "model.channels", "1 to 5"),
    ({"channels": (4, 8, 8, 8, 8, 8)}, "model.channels", "1 to 5"),
    ({"channels": (4, 0)}, "model.channels[1]", "from 1 to 1024"),
    ({"input_shape": (12, 12), "layers": (144, 4, 144), "channels": (4, 8, 8)}, "model.channels",
     "multiples of 8"),
    ({"layers": (256, 32, 4, 32, 256)}, "model.layers", "only [input, latent, output]"),
    ({"layers": (255, 4, 255)}, "model.layers", "16x16x1 = 256"),
    ({"kind": "contractive"}, "model.kind", "MLP encoders only"),
])
def test_bad_conv_specs_name_the_field(model, field, words):
    base = {"arch": "conv", "layers": (256, 4, 256), "channels": (4, 8), "input_shape": (16, 16)}
    base.update(model)
    with pytest.raises(ConfigError) as info:
        with_changes(Experiment(), model=base)
    assert info.value.field == field
    assert words in str(info.value)


def test_check_fits_names_the_shape_to_use(digits):
    exp = conv_experiment((16, 16), channels=(4, 8))
    with pytest.raises(ConfigError) as info:
        TrainingSession(exp, digits)
    err = info.value
    assert err.field == "model.input_shape"
    assert "16x16" in str(err) and "8x8" in str(err) and "[8, 8]" in str(err) and "64" in str(err)
    # Same number of values, other layout: 8x8 grey is not 4x4 RGBA.
    exp = conv_experiment((4, 4, 4), channels=(2,))
    with pytest.raises(ConfigError, match="model.input_shape"):
        check_fits(exp, digits)


def test_conv_model_reads_a_folder_of_pictures(tmp_path):
    from PIL import Image
    for i, colour in enumerate(("red", "blue", "green", "yellow")):
        Image.new("RGB", (40, 30), colour).save(tmp_path / f"p{i}.png")
    data = folder_dataset(tmp_path, 32, "rgb")
    exp = conv_experiment((32, 32, 3), "vae", channels=(4, 8), source="folder",
                          data={"path": str(tmp_path), "color": "rgb"}, train={"epochs": 4, "check_every": 2})
    session, rec = train(exp, data)
    assert rec.state == P.FINISHED and np.isfinite(rec.losses["total"])
    assert latent.decode_points(session.best_model(), np.zeros((1, 4))).shape == (1, 32 * 32 * 3)


@pytest.mark.parametrize("shape, channels", [((32, 32, 3), (8, 16, 32)), ((28, 28), (4, 8))])
def test_work_per_sample_counts_the_multiply_adds(shape, channels):
    """The engine picks its thread count by this figure: it must be the forward pass's work."""
    from torch.utils.flop_counter import FlopCounterMode
    model = build_model(conv_experiment(shape, channels=channels).model, 1)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model.decode(model.encode(torch.zeros(1, int(np.prod(shape)))))
    assert model.work_per_sample() == counter.get_total_flops() // 2
