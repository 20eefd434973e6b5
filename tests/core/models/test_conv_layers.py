"""The layers of a convolutional network written layer by layer (arch "convlayers": max-pooling,
batch-norm, a dense code after the convolutions, kernels such as 1x2) against hand computations;
batch-norm's training and evaluation modes; their save / load round trip with the running
statistics; the rules that name a bad line; and that such a model trains."""
from dataclasses import replace

import numpy as np
import pytest
import torch

from aegui.core.archs import build_model, parameter_count
from aegui.core.config.validation import experiment_from_dict, validate
from aegui.core.data.dataset import Dataset
from aegui.core.models.layer_kinds import BN_EPS, BN_MOMENTUM
from aegui.core.runs.storage import load_model, save_model
from aegui.core.schema.experiment import ConfigError, DataConfig, Experiment, ModelSpec, TrainConfig
from aegui.core.train.session import TrainingSession


def spec(enc, dec, side=(4, 4), latent=None, **more) -> ModelSpec:
    h, w = side
    m = ModelSpec(arch="convlayers", input_shape=side, conv_encoder=tuple(enc), conv_decoder=tuple(dec),
                  hidden_activation="identity", latent_activation="identity", output_activation="identity",
                  layers=(h * w, latent or 1, h * w), **more)
    return m


def net_with(m: ModelSpec, values: dict, k: int = 1):
    """A network of `m` whose named tensors are `values` (the rest zero)."""
    net = build_model(m, k)
    tensors = {name: torch.zeros_like(t) for name, t in net.named_weights(0).items()}
    tensors.update({name: torch.as_tensor(v, dtype=torch.float32) for name, v in values.items()})
    net.load_named_weights(tensors)
    return net


def test_maxpool_keeps_each_blocks_largest_value():
    x = torch.tensor([[1, 5, 2, 0], [3, 4, 8, 1], [0, 0, 1, 1], [9, 2, 1, 7.]])
    m = spec(["maxpool 2x2", "dense 1"], ["dense 16"])
    net = net_with(m, {"encoder.1.weight": np.eye(4)[:, :1]})        # code = the first pooled value
    pooled = torch.nn.functional.max_pool2d(x.view(1, 1, 4, 4), 2).flatten()
    assert pooled.tolist() == [5, 8, 9, 7]                            # by hand: each 2x2 block's max
    m = spec(["maxpool 2x2", "dense 4"], ["dense 16"], latent=4)
    net = net_with(m, {"encoder.1.weight": np.eye(4)})
    assert net.encode(x.reshape(1, 16))[0, 0].tolist() == [5, 8, 9, 7]


def test_batchnorm_normalises_by_the_batch_in_a_step_and_by_the_running_statistics_after():
    # Two samples of a 1x1 one-channel map: 1 and 3, so the batch's mean is 2 and variance 1.
    m = spec(["batchnorm", "dense 1"], ["dense 1"], side=(1, 1))
    net = net_with(m, {"encoder.0.weight": [2.0], "encoder.0.bias": [0.5], "encoder.1.weight": [[1.0]],
                       "encoder.0.running_mean": [0.0], "encoder.0.running_var": [1.0]})
    x = torch.tensor([[1.0], [3.0]])
    with net.dropping(None):
        in_step = net.encode(x)[0, :, 0].detach()
    s = np.sqrt(1 + BN_EPS)
    np.testing.assert_allclose(in_step, [2 * -1 / s + 0.5, 2 * 1 / s + 0.5], rtol=1e-6)
    # The running statistics moved 1 % of the way to the batch's: mean 0 -> 0.02, var 1 -> 1.
    a = 1 - BN_MOMENTUM
    np.testing.assert_allclose(net.stats[0], [a * 2, BN_MOMENTUM * 1 + a * 1], rtol=1e-6)
    after = net.encode(x)[0, :, 0].detach()
    r = np.sqrt(1 + BN_EPS)
    np.testing.assert_allclose(after, [2 * (1 - 0.02) / r + 0.5, 2 * (3 - 0.02) / r + 0.5], rtol=1e-6)


def test_a_1x2_kernel_reads_each_pixel_and_its_right_neighbour():
    x = torch.tensor([[1.0, 2, 3], [4, 5, 6]])               # a 2x3 image
    m = spec(["conv 1 1x2 valid", "dense 4"], ["dense 6"], side=(2, 3), latent=4)
    net = net_with(m, {"encoder.0.weight": [[[[10.0, 1.0]]]], "encoder.0.bias": [0.5],
                       "encoder.1.weight": np.eye(4)})
    # 1x2 valid: a 2x2 map, each 10 * left + right + 0.5.
    assert net.encode(x.reshape(1, 6))[0, 0].tolist() == [12.5, 23.5, 45.5, 56.5]


def test_same_padding_of_an_even_kernel_adds_the_row_below_and_the_column_right():
    x = torch.tensor([[1.0, 2], [3, 4]])
    m = spec(["conv 1 2x2", "dense 4"], ["dense 4"], side=(2, 2), latent=4)
    net = net_with(m, {"encoder.0.weight": [[[[1.0, 1.0], [1.0, 1.0]]]], "encoder.1.weight": np.eye(4)})
    # Each output sums its pixel, the one right, the one below and the one below right (0 outside).
    assert net.encode(x.reshape(1, 4))[0, 0].tolist() == [10, 6, 7, 4]


def test_a_dense_code_after_convolutions_flattens_channel_by_channel():
    x = torch.arange(4.0).reshape(1, 4)                       # a 2x2 image 0 1 / 2 3
    m = spec(["conv 2 1x1", "dense 2"], ["dense 4"], side=(2, 2), latent=2)
    w = np.zeros((8, 2))
    w[0:4, 0] = 1          # code 0: the sum of channel 1 (= the image)
    w[4:8, 1] = 1          # code 1: the sum of channel 2 (= 2 x the image + 1)
    net = net_with(m, {"encoder.0.weight": [[[[1.0]]], [[[2.0]]]], "encoder.0.bias": [0.0, 1.0],
                       "encoder.1.weight": w, "encoder.1.bias": [0.0, 0.5]})
    code = net.encode(x)
    assert code.shape == (1, 1, 2)
    assert code[0, 0].tolist() == [6, 2 * 6 + 4 + 0.5]


def test_upsample_and_reshape_rebuild_an_image_from_a_code():
    m = spec(["dense 1"], ["dense 1", "reshape 1 1 1", "upsample 2x2"], side=(2, 2))
    net = net_with(m, {"decoder.0.bias": [3.0]})
    assert net.decode_logits(torch.zeros(1, 1))[0, 0].tolist() == [3, 3, 3, 3]


def document_003() -> ModelSpec:
    """seed-003's encoder and decoder (its decoder's last layer, not in the text, a 3x3 conv)."""
    enc = ("conv 32 3x3", "conv 32 3x3", "maxpool 2x2", "batchnorm", "conv 32 3x3", "conv 32 3x3",
           "conv 32 2x2", "maxpool 2x2", "batchnorm", "conv 16 2x2", "conv 4 2x2", "conv 1 2x2", "dense 2")
    dec = ("dense 4", "reshape 2 2 1", "conv 4 2x2", "conv 16 2x2", "batchnorm", "upsample 7x7",
           "conv 32 3x3", "conv 32 3x3", "conv 32 3x3", "batchnorm", "batchnorm", "upsample 2x2",
           "conv 32 3x3", "conv 32 3x3", "conv 1 3x3")
    return ModelSpec(arch="convlayers", input_shape=(28, 28), layers=(784, 2, 784), conv_encoder=enc,
                     conv_decoder=dec, hidden_activation="relu", latent_activation="relu")


def test_the_document_network_has_its_shapes_and_parameter_count():
    m = document_003()
    validate(Experiment(data=DataConfig(source="idx", catalogue="mnist"), model=m, train=TrainConfig(loss="mse")))
    # Keras's count for these layers: convs (k*k*in + 1) * out, batch-norm 2 * C trainable, dense.
    convs = [(3, 1, 32), (3, 32, 32), (3, 32, 32), (3, 32, 32), (2, 32, 32), (2, 32, 16), (2, 16, 4),
             (2, 4, 1), (2, 1, 4), (2, 4, 16), (3, 16, 32), (3, 32, 32), (3, 32, 32), (3, 32, 32),
             (3, 32, 32), (3, 32, 1)]
    expected = sum((k * k * i + 1) * o for k, i, o in convs) + 2 * (32 + 32 + 16 + 32 + 32) \
        + (49 * 2 + 2) + (2 * 4 + 4)
    assert parameter_count(m) == expected
    net = build_model(m, 2)
    net.init_weights([0, 1])
    out = net(torch.rand(3, 784))
    assert out.shape == (2, 3, 784) and net.encode(torch.rand(3, 784)).shape == (2, 3, 2)


def test_weights_and_running_statistics_survive_save_and_load(tmp_path):
    m = document_003()
    exp = Experiment(data=DataConfig(source="idx", catalogue="mnist"), model=m)
    net = build_model(m, 1)
    net.init_weights([3])
    x = torch.rand(8, 784)
    with net.dropping(None):
        net(x)                                              # the running statistics move
    assert not torch.equal(net.stats, build_model(m, 1).stats)
    save_model(tmp_path / "m", net, exp)
    loaded, again, _ = load_model(tmp_path / "m")
    assert again == exp
    assert torch.equal(loaded.stats, net.stats)
    torch.testing.assert_close(loaded(x), net(x), rtol=0, atol=0)


def test_old_model_files_without_the_layer_lists_still_load():
    raw = Experiment().to_dict()
    del raw["model"]["conv_encoder"], raw["model"]["conv_decoder"]
    exp = experiment_from_dict(raw)
    assert exp.model.conv_encoder == () and exp.model.conv_decoder == ()


@pytest.mark.parametrize("enc, dec, field, words", [
    (["conv 4 3x3", "pool 2"], ["dense 16"], r"model\.conv_encoder\[1\]", "not a layer"),
    (["conv 4 9x9 valid", "dense 1"], ["dense 16"], r"model\.conv_encoder\[0\]", "does not fit"),
    (["dense 1"], ["conv 1 3x3"], r"model\.conv_decoder\[0\]", "reshape"),
    (["dense 1"], ["dense 1", "reshape 2 2 1"], r"model\.conv_decoder\[1\]", "values"),
    (["dense 2"], ["dense 16"], r"model\.layers", "latent size must be 2"),
    (["dense 1"], ["dense 8"], r"model\.conv_decoder", "image back"),
])
def test_a_bad_layer_is_named_in_one_sentence(enc, dec, field, words):
    exp = Experiment(data=DataConfig(source="idx", catalogue="mnist"), model=spec(enc, dec))
    with pytest.raises(ConfigError, match=field) as info:
        validate(exp)
    assert words in str(info.value)


def test_the_layer_lists_are_checked_as_names_like_any_field():
    exp = Experiment(model=spec(["dense 1"], ["dense 16"]))
    with pytest.raises(ConfigError, match=r"model\.conv_encoder\[0\]"):
        validate(replace(exp, model=replace(exp.model, conv_encoder=(3,))))


def test_a_network_with_batchnorm_and_maxpool_trains_and_its_statistics_follow_the_data(tmp_path):
    rng = np.random.default_rng(0)
    x = (rng.random((64, 64)) < 0.3).astype(np.float32)         # 64 random 8x8 images
    data = Dataset("random 8x8", x, [str(i) for i in range(64)], (8, 8))
    model = ModelSpec(arch="convlayers", input_shape=(8, 8), layers=(64, 4, 64), hidden_activation="relu",
                      conv_encoder=("conv 4 3x3", "maxpool 2x2", "batchnorm", "conv 8 1x2 valid", "dense 4"),
                      conv_decoder=("dense 64", "reshape 4 4 4", "batchnorm", "upsample 2x2", "conv 1 3x3"))
    exp = validate(Experiment(data=DataConfig(source="idx", catalogue="mnist"), model=model,
                              train=TrainConfig(epochs=30, batch_size=16, learning_rate=0.01, device="cpu",
                                                seeds=2, check_every=5)))
    s = TrainingSession(exp, data)
    recs = list(s.steps())
    assert np.isfinite(recs[-1].loss_per_model).all()
    assert recs[-1].losses["total"] < 0.9 * recs[0].losses["total"]
    best = s.best_model()
    assert torch.equal(best.stats[0], s.model.stats[s.best].cpu())
    assert not torch.equal(best.stats, build_model(model, 1).stats)


@pytest.mark.parametrize("k, s", [(3, 1), (2, 1), (3, 2), (4, 2), (1, 2)])
def test_a_same_deconvolution_is_the_transpose_of_a_same_convolution(k, s):
    """'deconv C KxK [sN] same' is Keras's Conv2DTranspose(padding='same'): a map `s` times
    larger, the transpose of the 'same' convolution that shrinks it back (TensorFlow's padding:
    max(k - s, 0) rows, half of them rounded down above). Checked as <conv(x), y> = <x, deconv(y)>
    for random x and y, with the convolution written out here."""
    n = 4 // s
    m = spec([f"dense {n * n}"], [f"reshape {n} {n} 1", f"deconv 1 {k}x{k} s{s} same"], latent=n * n)
    validate(Experiment(data=DataConfig(source="idx", catalogue="mnist"), model=m, train=TrainConfig(loss="mse")))
    rng = np.random.default_rng(k * 10 + s)
    w = rng.normal(size=(1, 1, k, k)).astype(np.float32)
    net = net_with(m, {"decoder.1.weight": w})
    y = torch.as_tensor(rng.normal(size=(1, n * n)), dtype=torch.float32)
    deconv_y = net.decode(y).detach().reshape(4, 4)
    x = torch.as_tensor(rng.normal(size=(4, 4)), dtype=torch.float32)
    pad = max(k - s, 0)
    padded = torch.nn.functional.pad(x.view(1, 1, 4, 4), (pad // 2, pad - pad // 2, pad // 2, pad - pad // 2))
    conv_x = torch.nn.functional.conv2d(padded, torch.as_tensor(w), stride=s).reshape(n, n)
    assert float((conv_x * y.reshape(n, n)).sum()) == pytest.approx(float((x * deconv_y).sum()), rel=1e-5, abs=1e-5)


@pytest.mark.parametrize("line, words", [
    ("deconv 1 3x3 sane", "'sane' is not a stride (s2), a padding (p1), 'same' or 'valid'"),
    ("conv 1 3x3 vaild", "'vaild' is not a stride"),
    ("conv 1 3x3 s2x", "the stride in 's2x'"),
    ("conv 1 3x3 same s2", "'same' padding of a conv is for stride 1"),
    ("conv 1 3x3 s2 same", "'same' padding of a conv is for stride 1"),
])
def test_a_bad_word_in_a_conv_line_is_named_whole(line, words):
    """'deconv 1 3x3 same' was told "got 'ame'": a word starting with s was read as a stride."""
    exp = Experiment(data=DataConfig(source="idx", catalogue="mnist"),
                     model=spec(["dense 16"], ["reshape 4 4 1", line]))
    with pytest.raises(ConfigError, match=r"model\.conv_decoder\[1\]") as info:
        validate(exp)
    assert words in str(info.value)


@pytest.mark.parametrize("tail", ["s" * 1_000_000, "x" * 1_000_000, "p1 " * 300_000 + "zz"])
def test_a_huge_layer_line_is_shortened_in_its_message(tail):
    line = f"conv 1 3x3 {tail}"
    exp = Experiment(data=DataConfig(source="idx", catalogue="mnist"),
                     model=spec(["dense 16"], ["reshape 4 4 1", line]))
    with pytest.raises(ConfigError) as info:
        validate(exp)
    message = str(info.value)
    assert len(message) < 400, message[:1000]
    assert message.startswith("model.conv_decoder[1]: 'conv 1 3x3 ") and f"({len(line):,} characters)" in message
    assert "is not a stride" in message
