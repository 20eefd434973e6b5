"""`aegui export MODEL FILE.py` writes a numpy-only script that, run without aegui or torch,
prints the numbers `aegui eval MODEL` prints: the same JSON, key for key, clean and with noisy
inputs (the noise drawn from the same seed), for the demo Font3 model, a VAE (reconstructed from
its means), the other fully connected kinds and activations, and convolutional models of every
layer kind (forward only, which the script says)."""
import ast
from dataclasses import replace

import pytest

from core_helpers import ROOT, small_experiment
from tests.core.export.script_runs import eval_json, export, run_script, saved, without

NOISY = ("--noise", "salt_pepper", "--level", "0.2", "--repeats", "3", "--seed", "5")


def test_the_demo_font3_model_prints_what_aegui_eval_prints(tmp_path, capsys):
    model = ROOT / "models" / "font3-ae2d"
    script = tmp_path / "font3.py"
    err = export(capsys, model, script)
    assert str(script) in err and "font3.npz" in err
    text = script.read_text(encoding="utf-8")
    # Readable: the glyphs as text, one function per layer kind, the network one line a layer.
    assert "('a', '.....|.###.|....#|.##.#|#..##|#..##|.##.#')" in text
    assert text.count("def dense(") == 1 and "def conv2d(" not in text
    assert 'h = elu(dense(h, p["encoder.0.weight"], p["encoder.0.bias"]))  # 35 -> 32' in text
    assert "allow_pickle=False" in text
    clean = run_script(script)
    assert clean == eval_json(capsys, model)
    assert clean["max_wrong_pixels"] == 0 and clean["glyphs"] == 32
    noisy = run_script(script, *NOISY)
    assert noisy == eval_json(capsys, model, *NOISY)
    assert noisy["max_wrong_pixels"] > 0 and noisy["mean_wrong_pixels_noisy_input"] > 0


def test_a_vae_is_reconstructed_from_its_means(tmp_path, capsys):
    """A VAE trained a few epochs on Font3 (so its glyphs still have wrong pixels to count): the
    script decodes the means, as aegui eval does, and says so. Its name, the user's text, is
    written into the docstring as it is."""
    # A name of the user's, with what would end or bend a docstring.
    exp = replace(small_experiment(model={"kind": "vae"}, train={"epochs": 40}), name='My """VAE""" \\N{x}')
    model = saved(tmp_path, exp, "vae")
    script = tmp_path / "vae.py"
    export(capsys, model, script)
    text = script.read_text(encoding="utf-8")
    assert ast.get_docstring(ast.parse(text)).startswith('My """VAE""" \\N{x}: a VAE, fully connected')
    assert "h = h[:, :2]  # the means: the code outside training" in text
    assert "outside training the code is the mean" in " ".join(text.split())
    clean = run_script(script)
    assert clean == eval_json(capsys, model) and clean["max_wrong_pixels"] > 0
    assert run_script(script, *NOISY) == eval_json(capsys, model, *NOISY)


MLP_CASES = {
    "k-sparse code": {"model": {"kind": "sparse", "sparsity": "topk", "sparsity_k": 1, "layers": (35, 16, 4, 16, 35)}},
    "contractive, tanh at slope 2": {"model": {"kind": "contractive", "hidden_activation": "tanh", "slope": 2.0}},
    "relu, mse": {"model": {"hidden_activation": "relu"}, "train": {"loss": "mse"}},
    "leaky relu, softplus code": {"model": {"hidden_activation": "leaky_relu", "latent_activation": "softplus"}},
    "cosh with dropout": {"model": {"hidden_activation": "cosh", "dropout": 0.2}},
    "denoising, keeping unsure pixels": {"model": {"kind": "dae", "flip_confidence": 0.7}},
}


@pytest.mark.parametrize("case", MLP_CASES)
def test_fully_connected_kinds_and_activations_print_what_aegui_eval_prints(tmp_path, capsys, case):
    sections = MLP_CASES[case]
    exp = small_experiment(model=sections["model"], train={"epochs": 40, **sections.get("train", {})})
    model = saved(tmp_path, exp, "model")
    script = tmp_path / "model.py"
    export(capsys, model, script)
    assert run_script(script, *NOISY) == eval_json(capsys, model, *NOISY)


CONV_CASES = {
    # Stride-2 convolutions and transposed ones on the 8x8 digits, a VAE with a validation split.
    "conv VAE on digits": small_experiment(
        data={"source": "digits", "fonts": (), "val_split": 0.2},
        model={"kind": "vae", "arch": "conv", "layers": (64, 3, 64), "channels": (4, 8), "input_shape": (8, 8)},
        train={"epochs": 3}),
    # Every layer kind of a layer list on the glyphs: batch-norm with running statistics that moved.
    "layer list on Font3": small_experiment(
        model={"arch": "convlayers", "layers": (35, 3, 35), "input_shape": (7, 5),
               "conv_encoder": ("conv 4 3x3", "batchnorm", "maxpool 2x2", "dense 3"),
               "conv_decoder": ("dense 24", "reshape 3 2 4", "upsample 2x2", "conv 4 2x2", "deconv 2 3x3 s2 p1",
                                "batchnorm", "dense 35")},
        train={"epochs": 10}),
    # Keras's 'same' transposed convolution, and a strided padded convolution.
    "same deconvolution on digits": small_experiment(
        data={"source": "digits", "fonts": ()},
        model={"arch": "convlayers", "layers": (64, 4, 64), "input_shape": (8, 8),
               "conv_encoder": ("conv 3 3x3 s2 p1", "conv 2 2x2", "dense 4"),
               "conv_decoder": ("dense 32", "reshape 4 4 2", "deconv 3 3x3 s2 same", "conv 1 3x3")},
        train={"epochs": 3}),
    "local convolutions on Font3": small_experiment(
        model={"arch": "local", "layers": (35, 70, 35), "channels": (4, 2), "input_shape": (7, 5)},
        train={"epochs": 10}),
}


@pytest.mark.parametrize("case", CONV_CASES)
def test_a_convolutional_model_runs_forward_only_and_says_so(tmp_path, capsys, case):
    model = saved(tmp_path, CONV_CASES[case], "conv")
    script = tmp_path / "conv.py"
    err = export(capsys, model, script)
    assert "forward only" in err
    assert "This script is forward only" in script.read_text(encoding="utf-8")
    got = run_script(script)
    assert got["forward_only"] is True and "forward only" in got["note"]
    want = eval_json(capsys, model)
    assert without(got) == want
    assert without(run_script(script, "--noise", "bit_flip", "--repeats", "2")) == \
        eval_json(capsys, model, "--noise", "bit_flip", "--repeats", "2")


def test_every_activation_and_layer_kind_has_its_numpy_version():
    """A new activation (models/layers.py) or layer kind (models/layer_kinds.py) needs its numpy
    version for the export; each activation and its derivative (for --train) computes torch's,
    at a slope other than 1 too."""
    import numpy as np
    import torch

    from aegui.core.export import layer_source as L
    from aegui.core.export.plan import STEP_OPS
    from aegui.core.models import layers
    from aegui.core.models.layer_kinds import LAYER_KINDS
    assert set(LAYER_KINDS) == set(STEP_OPS)
    assert set(layers.ACTIVATIONS) == set(L.ACTIVATIONS)
    pre = np.linspace(-30, 30, 2001, dtype=np.float32)
    for slope in (1.0, 1.7):
        for name, (forward, grad) in L.ACTIVATIONS.items():
            space = {"np": np, "SLOPE": slope}
            exec(forward + grad, space)
            want = layers.activate(name, torch.from_numpy(pre), slope).numpy()
            np.testing.assert_allclose(space[name](pre), want, rtol=2e-6, atol=1e-6, err_msg=name)
            want = layers.activation_grad(name, torch.from_numpy(pre), slope).numpy()
            np.testing.assert_allclose(space[f"{name}_grad"](pre), want, rtol=2e-6, atol=1e-6, err_msg=name)


def test_data_too_large_to_store_is_a_spread_part_and_the_script_says_so(tmp_path, capsys, monkeypatch):
    """Past data_pack.MAX_STORED_BYTES the .npz holds an evenly spread part of the samples: the
    script's docstring and output say of how many, and its error is that part's (aegui's model
    run on the same samples), not passed off as aegui eval's."""
    import numpy as np

    from aegui.core.data.datasets import from_config
    from aegui.core.export import data_pack
    from aegui.core.models import latent
    from aegui.core.runs.storage import load_model
    # 100 digits of 64 float32 values (they are sixteenths, not bytes / 255)
    monkeypatch.setattr(data_pack, "MAX_STORED_BYTES", 100 * 64 * 4)
    exp = small_experiment(data={"source": "digits", "fonts": ()}, model={"layers": (64, 16, 2, 16, 64)},
                           train={"epochs": 3})
    model = saved(tmp_path, exp, "digits")
    script = tmp_path / "digits.py"
    export(capsys, model, script)
    assert "100 of the 1797 samples" in " ".join(script.read_text(encoding="utf-8").split())
    got = run_script(script)
    assert got["samples"] == 100 and got["sample_of"] == 1797
    net, exp, _ = load_model(model)
    x = from_config(exp.data).x[np.unique(np.linspace(0, 1796, 100).astype(int))]
    out = np.clip(latent.reconstruct(net, x), 1e-6, 1 - 1e-6)
    assert got["mse"] == round(float(((out - x) ** 2).mean(1).mean()), 6)
