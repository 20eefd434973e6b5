"""A student's convolutional autoencoder config (filters, kernel, stride, padding, pooling, as Keras
and PyTorch tutorials write them) is imported as aegui's layer-by-layer convolutional network: the
lines are the ones the tutorial builds, the network they make gives pictures of the data's size
back, and what the file leaves out (the padding, the decoder) is said in the table. A file that
cannot be laid out is refused on the row of the key at fault, never trained as something else."""
import pytest
import torch

from aegui.core.config.student_json import read_student
from aegui.core.schema.experiment import ConfigError

KERAS = {"model": {"type": "conv_autoencoder", "filters": [32, 64], "kernel_size": 3, "strides": 2,
                   "padding": "same", "latent_dim": 16, "activation": "relu"},
         "dataset": "mnist", "training": {"epochs": 5, "batch_size": 128, "learning_rate": 0.001}}


def test_the_keras_tutorials_network_is_laid_out_layer_by_layer():
    got = read_student(KERAS, "conv.json")
    assert not got.blocking, got.table()
    m = got.experiment.model
    assert (m.arch, m.kind, m.hidden_activation, m.input_shape) == ("convlayers", "ae", "relu", (28, 28))
    assert m.conv_encoder == ("conv 32 3x3 s2 p1", "conv 64 3x3 s2 p1", "dense 16")
    assert m.conv_decoder == ("dense 3136", "reshape 7 7 64", "deconv 64 3x3 s2 same", "deconv 32 3x3 s2 same",
                              "conv 1 3x3 same")
    assert tuple(m.layers) == (784, 16, 784) and not m.mirror
    rows = {r.key: r for r in got.rows}
    assert rows["model.type"].fields == ("model.kind", "model.arch")
    assert all("model.conv_encoder" in rows[k].fields for k in ("model.filters", "model.kernel_size",
                                                                 "model.strides", "model.padding"))
    [decoder] = [r for r in got.rows if r.fields == ("model.conv_decoder",)]
    assert decoder.reason() == ("the decoder: not in the file; the encoder mirrored with transposed convolutions, "
                                "then a convolution to the pictures' 1 channel(s)")
    # The network it makes: a batch of MNIST-sized pictures in, the same size out, a 16-D code.
    from aegui.core.archs import arch_of
    net = arch_of(m).build(m)
    x = torch.rand(3, 784)
    with torch.no_grad():
        assert net.encode(x).shape[-1] == 16 and net(x).shape[-1] == 784


def test_pooling_valid_padding_and_one_kernel_a_layer():
    pooled = read_student({"type": "cnn", "filters": [16, 32], "kernel_size": 3, "pool_size": 2, "latent_dim": 10,
                           "dataset": "mnist"}, "c.json")
    m = pooled.experiment.model
    assert m.conv_encoder == ("conv 16 3x3 same", "maxpool 2x2", "conv 32 3x3 same", "maxpool 2x2", "dense 10")
    assert m.conv_decoder == ("dense 1568", "reshape 7 7 32", "upsample 2x2", "deconv 32 3x3 same", "upsample 2x2",
                              "deconv 16 3x3 same", "conv 1 3x3 same")
    # no padding in the file: 'same' is assumed, and said
    assert any(r.reason().startswith("padding: not in the file; 'same'") for r in pooled.rows)
    valid = read_student({"type": "cnn", "filters": [8, 16], "kernel_size": [5, 3], "padding": "valid",
                          "dataset": "mnist"}, "c.json")
    m = valid.experiment.model
    # without a latent size the code is the last map, flattened (22x22x16)
    assert m.conv_encoder == ("conv 8 5x5 valid", "conv 16 3x3 valid") and tuple(m.layers) == (784, 7744, 784)
    assert m.conv_decoder == ("reshape 22 22 16", "deconv 16 3x3 valid", "deconv 8 5x5 valid", "conv 1 5x5 same")
    assert not any(r.reason().startswith("padding: not in the file") for r in valid.rows)


def test_colour_pictures_keep_their_channels():
    got = read_student({"filters": [8, 16], "strides": 2, "latent_dim": 8,
                        "dataset": {"name": "emoji", "image_size": 32, "grayscale": False}}, "c.json")
    m = got.experiment.model
    assert not got.blocking and m.input_shape == (32, 32, 3) and tuple(m.layers) == (3072, 8, 3072)
    assert m.conv_decoder[-1] == "conv 3 3x3 same"


@pytest.mark.parametrize("raw, key, said", [
    ({"type": "conv_vae", "filters": [8]}, "type", "a convolutional VAE"),
    ({"type": "conv_autoencoder"}, "type", "the file gives none"),
    ({"filters": [8], "hidden_layers": [20]}, "hidden_layers", "dense layers beside convolution filters"),
    ({"filters": [8, 16], "kernel_size": [3, 3, 3]}, "kernel_size", "or a list of 2 sizes, one a layer"),
    ({"filters": [8], "kernel_size": [3, 5], "strides": 2}, "kernel_size", "a 3x5 kernel with a stride"),
    ({"filters": [8], "input_shape": [32, 32, 3]}, "input_shape", "pictures are 28x28 with 1 channel(s)"),
    ({"filters": [8, "16"]}, "filters", "whole numbers"),
    ({"filters": [8], "padding": "full"}, "padding", "\"same\" or \"valid\""),
    ({"filters": [8], "pooling": "max"}, "pooling", "pooling is a size such as 2"),
    ({"filters": [8], "latent_dim": 0}, "latent_dim", "the latent size is a whole number"),
    # 28 -> 14 -> 7 -> 4 on the way down, 4 -> 8 -> 16 -> 32 on the way up
    ({"filters": [8, 16, 32], "strides": 2}, "filters", "give 32x32 pictures back, not 28x28"),
    ({"filters": [8, 16], "kernel_size": 15, "padding": "valid"}, "filters", "do not fit the 28x28 pictures"),
])
def test_a_network_that_cannot_be_laid_out_is_refused_on_its_row(raw, key, said):
    got = read_student({"dataset": "mnist", **raw}, "c.json")
    assert [r.key for r in got.blocking] == [key], got.table()
    assert said in got.blocking[0].reason(), got.blocking[0].reason()
    assert got.experiment.model.arch != "convlayers"


def test_an_input_shape_that_is_the_datas_is_taken():
    got = read_student({"filters": [8], "input_shape": [28, 28, 1], "dataset": "mnist"}, "c.json")
    assert not got.blocking and "model.input_shape" in [r for r in got.rows if r.key == "input_shape"][0].fields


def test_a_conv_network_on_the_course_glyphs_that_comes_back_the_wrong_size_is_refused_not_failed():
    """7x5 glyphs through two stride-2 layers: 4x3, 2x2, then 4x4 and 8x8 back: refused on the
    filters' row with why, where validation used to stop the whole import."""
    got = read_student({"filters": [8, 16], "strides": 2, "font": 3}, "c.json")
    [row] = got.blocking
    assert row.key == "filters" and "give 8x8 pictures back, not 7x5" in row.reason()
    fine = read_student({"filters": [8, 16], "font": 3, "latent_dim": 2}, "c.json")
    assert not fine.blocking and fine.experiment.model.input_shape == (7, 5)


def test_the_spelling_of_a_conv_type_is_read_in_any_case():
    for spelling in ("ConvAutoencoder", "convolutional", "CNN", "autoencoder_convolucional"):
        got = read_student({"model": spelling, "filters": [4], "dataset": "mnist"}, "c.json")
        assert got.experiment.model.arch == "convlayers", (spelling, got.table())
    with pytest.raises(ConfigError):
        read_student({"model": "convnet", "filters": [4], "dataset": "mnist"}, "c.json")
