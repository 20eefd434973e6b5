"""`aegui export MODEL FILE.onnx` writes the whole autoencoder (x -> reconstruction, code, and a
VAE's mu and logvar) and FILE.decoder.onnx (code -> reconstruction), which onnxruntime runs to
aegui's own numbers (within 1e-5) at any batch size: a Font3 model trained by `aegui train`, whose
glyphs, clean and noisy, come out with the wrong pixels `aegui eval` counts; the emoji VAE; an MNIST
convolutional model; and models of every other layer kind and activation. A layer kind without a
checked ONNX version, an exporter that fails or lacks a package, --train and a name in the way are
refused in one sentence, with nothing written."""
import sys

import numpy as np
import pytest
import torch

from core_helpers import PRESETS, ROOT, run_cli, small_experiment
from tests.core.export.script_runs import eval_json, saved

ort = pytest.importorskip("onnxruntime", reason="onnxruntime comes with the export extra")

# Max abs difference between onnxruntime's outputs and aegui's: for the reconstruction (values in
# [0, 1]) as it is; for codes, means and log-variances, relative to each value past 1 (a short
# trained emoji VAE has log-variances near -30, where float32 itself is only that accurate:
# torch's and onnxruntime's sums of 3072 products each differ from float64's by 1e-5 there).
TOLERANCE = 1e-5
NOISY = ("--noise", "salt_pepper", "--level", "0.2", "--repeats", "3", "--seed", "5")
DEMO = ROOT / "models" / "font3-ae2d"


def run_onnx(path, feed_name: str, values) -> dict[str, np.ndarray]:
    """Every output of the ONNX file at `path`, by name, for one input."""
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    outputs = session.run(None, {feed_name: np.asarray(values, np.float32)})
    return dict(zip([o.name for o in session.get_outputs()], outputs))


def max_diff(a, b) -> float:
    return float(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)).max())


def check_pair(target, net, x, record) -> dict[str, np.ndarray]:
    """FILE.onnx and FILE.decoder.onnx run on `x` (and on codes) against aegui's latent tools
    (what `aegui eval`, the map and the editor compute), whole and in batches of 1 and 3; returns
    the whole model's outputs for `x`."""
    from aegui.core.models import latent
    got = run_onnx(target, "x", x)
    want = {"reconstruction": latent.denoise(net, x), "code": latent.encode(net, x)}
    if net.is_vae:
        with torch.no_grad():
            raw = net.encode_raw(torch.from_numpy(x))[0][0].numpy()
        want.update(mu=raw[:, :net.latent_dim], logvar=raw[:, net.latent_dim:])
    assert list(got) == list(want)
    for name, values in want.items():
        assert got[name].shape == values.shape
        record(f"max_abs_diff_{name}", max_diff(got[name], values))
        scale = 1.0 if name == "reconstruction" else np.maximum(1.0, np.abs(values))
        assert (np.abs(got[name] - values) <= TOLERANCE * scale).all(), (name, max_diff(got[name], values))
    for part in (x[:1], x[1:4]):
        assert max_diff(run_onnx(target, "x", part)["reconstruction"], latent.denoise(net, part)) <= TOLERANCE
    rng = np.random.default_rng(0)
    codes = np.concatenate([want["code"], rng.normal(0, 2, (8, net.latent_dim))]).astype(np.float32)
    decoder = target.with_name(target.stem + ".decoder.onnx")
    decoded = run_onnx(decoder, "code", codes)
    assert list(decoded) == ["reconstruction"]
    diff = max_diff(decoded["reconstruction"], latent.decode_points(net, codes))
    record("max_abs_diff_decoder", diff)
    assert diff <= TOLERANCE
    return got


def export_cli(capsys, model, target) -> str:
    """`aegui export MODEL TARGET` in-process; its stderr line, checked to name both files."""
    assert run_cli(["export", model, target]) == 0
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"wrote {target} (") and f"and {target.stem}.decoder.onnx (" in err, err
    assert "run them with onnxruntime" in err
    return err


def loaded(model):
    from aegui.core.data.datasets import from_config
    from aegui.core.runs.storage import load_model
    net, exp, _ = load_model(model)
    return net, exp, from_config(exp.data)


def test_a_font3_model_trained_by_the_cli_has_the_wrong_pixels_aegui_eval_counts(tmp_path, capsys, record_property):
    """150 epochs of the Font3 preset leave wrong pixels to match glyph for glyph, clean and on
    the noisy copies `aegui eval --noise` draws."""
    from aegui.core.data.noise import apply_noise
    model, target = tmp_path / "font3", tmp_path / "font3.onnx"
    assert run_cli(["train", PRESETS / "font3-ae2d.json", "--epochs", "150", "--seeds", "1", "--out", model,
                    "--quiet"]) == 0
    capsys.readouterr()
    err = export_cli(capsys, model, target)
    assert "x: rows of 35 pixels in [0, 1] -> reconstruction, code)" in err
    net, exp, data = loaded(model)
    got = check_pair(target, net, data.x, record_property)
    assert got["code"].shape == (32, 2)
    wrong = ((got["reconstruction"] >= 0.5) != (data.x >= 0.5)).sum(1)
    clean = eval_json(capsys, model)
    assert clean["max_wrong_pixels"] > 0
    assert dict(zip(data.labels, wrong.astype(float).tolist())) == clean["wrong_per_glyph"]
    copies = np.repeat(data.x, 3, axis=0)
    noisy = apply_noise(copies, "salt_pepper", 0.2, np.random.default_rng(5))
    out = run_onnx(target, "x", noisy)["reconstruction"]
    wrong = ((out >= 0.5) != (copies >= 0.5)).sum(1).reshape(32, 3).mean(1)
    want = eval_json(capsys, model, *NOISY)["wrong_per_glyph"]
    assert {label: round(float(w), 3) for label, w in zip(data.labels, wrong)} == want
    assert sum(want.values()) > sum(clean["wrong_per_glyph"].values())


def _image_mse(out, x) -> float:
    """The mean squared error per pixel `aegui eval` prints for pictures (outputs clipped as it does)."""
    out = np.clip(out, 1e-6, 1 - 1e-6)
    return float(((out - x) ** 2).mean(1).mean())


def test_the_emoji_vae_gives_its_means_and_log_variances(tmp_path, capsys, record_property):
    model, target = tmp_path / "emoji", tmp_path / "emoji.onnx"
    assert run_cli(["train", PRESETS / "emoji-vae.json", "--epochs", "2", "--device", "cpu", "--out", model,
                    "--quiet"]) == 0
    capsys.readouterr()
    err = export_cli(capsys, model, target)
    assert "-> reconstruction, code, mu, logvar)" in err
    net, exp, data = loaded(model)
    got = check_pair(target, net, data.x, record_property)
    assert np.array_equal(got["code"], got["mu"]) and got["logvar"].shape == (len(data), 8)
    assert got["reconstruction"].shape == (len(data), 32 * 32 * 3)
    assert abs(_image_mse(got["reconstruction"], data.x) - eval_json(capsys, model)["mse"]) <= 1e-6
    meta = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"]).get_modelmeta().custom_metadata_map
    assert meta["sample_shape"] == "32x32x3" and meta["model"] == exp.name
    assert "the channels of a pixel together" in meta["input"]


def test_an_mnist_convolutional_model(tmp_path, capsys, record_property, real_mnist):
    """The MNIST preset's convolutional autoencoder (channels 32, 64), one epoch on 300 digits."""
    from aegui.core.config.load import load_experiment
    from aegui.core.config.validation import with_changes
    exp, _ = load_experiment(PRESETS / "mnist-conv-ae.json")
    exp = with_changes(exp, data={"catalogue": "", "path": str(real_mnist), "max_samples": 300},
                       train={"epochs": 1, "device": "cpu"})
    model, target = saved(tmp_path, exp, "mnist"), tmp_path / "mnist.onnx"
    export_cli(capsys, model, target)
    net, exp, data = loaded(model)
    assert len(data) == 300 and net.latent_dim == 16
    got = check_pair(target, net, data.x, record_property)
    assert abs(_image_mse(got["reconstruction"], data.x) - eval_json(capsys, model)["mse"]) <= 1e-6


# Together with the three models above, every layer kind and activation of aegui's networks.
KIND_CASES = {
    # Every kind of a layer list: 'same' and padded strided convolutions, both transposed ones,
    # pooling, upsampling, reshapes, and batch-norm with running statistics that moved.
    "layer list on Font3, leaky relu": small_experiment(
        model={"arch": "convlayers", "layers": (35, 3, 35), "input_shape": (7, 5), "hidden_activation": "leaky_relu",
               "conv_encoder": ("conv 4 3x3", "batchnorm", "maxpool 2x2", "dense 3"),
               "conv_decoder": ("dense 24", "reshape 3 2 4", "upsample 2x2", "conv 4 2x2", "deconv 2 3x3 s2 same",
                                "conv 2 3x3 s2 p1", "deconv 2 3x3 s2 p1", "batchnorm", "dense 35")},
        train={"epochs": 10}),
    "conv VAE on digits, tanh at slope 2": small_experiment(
        data={"source": "digits", "fonts": ()},
        model={"kind": "vae", "arch": "conv", "layers": (64, 3, 64), "channels": (4, 8), "input_shape": (8, 8),
               "hidden_activation": "tanh", "slope": 2.0},
        train={"epochs": 1}),
    "local convolutions on Font3, softplus code": small_experiment(
        model={"arch": "local", "layers": (35, 70, 35), "channels": (4, 2), "input_shape": (7, 5),
               "latent_activation": "softplus"},
        train={"epochs": 10}),
    # The code's top k, and the input's pixels kept where the model is unsure (flip_confidence).
    "k-sparse code, cosh, keeping unsure pixels": small_experiment(
        model={"kind": "sparse", "sparsity": "topk", "sparsity_k": 1, "layers": (35, 16, 4, 16, 35),
               "hidden_activation": "cosh", "flip_confidence": 0.7},
        train={"epochs": 40}),
}


@pytest.mark.parametrize("case", KIND_CASES)
def test_every_layer_kind_and_activation_computes_what_aegui_computes(tmp_path, capsys, record_property, case):
    model, target = saved(tmp_path, KIND_CASES[case], "model"), tmp_path / "model.onnx"
    export_cli(capsys, model, target)
    net, exp, data = loaded(model)
    got = check_pair(target, net, data.x, record_property)
    if net.spec.flip_confidence > 0.5:
        # Some pixels kept from the input: the decoder alone (no input to keep) differs there.
        plain = run_onnx(target.with_name("model.decoder.onnx"), "code", got["code"])["reconstruction"]
        assert (np.abs(plain - got["reconstruction"]) > 0.01).any()


def test_the_cases_cover_every_layer_kind_and_activation():
    """The numbers above hold every kind and activation the export lets through (onnx_file's
    tables), and those tables hold every one aegui has: a new one needs its case here."""
    from aegui.core.archs import build_model
    from aegui.core.config.load import load_experiment
    from aegui.core.export.onnx_file import ONNX_ACTIVATIONS, ONNX_LAYER_KINDS, layers_of
    from aegui.core.models.layer_kinds import LAYER_KINDS
    from aegui.core.models.layers import ACTIVATIONS
    specs = [load_experiment(PRESETS / f"{name}.json")[0].model for name in ("font3-ae2d", "emoji-vae", "mnist-conv-ae")]
    specs += [exp.model for exp in KIND_CASES.values()]
    kinds, activations = set(), set()
    for spec in specs:
        net = build_model(spec, 1)
        kinds |= {layer.kind for layer in layers_of(net)}
        activations |= {layer.activation for layer in layers_of(net) if layer.activation} | {net.output_activation}
    assert kinds == ONNX_LAYER_KINDS and set(LAYER_KINDS) <= ONNX_LAYER_KINDS
    assert activations == ONNX_ACTIVATIONS == set(ACTIVATIONS)


def _refused(capsys, *argv) -> str:
    assert run_cli(["export", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("aegui: error: ") and "Traceback" not in err, err
    return err


def test_a_layer_kind_without_its_onnx_version_is_refused_by_name(tmp_path, monkeypatch):
    """A layer kind added to aegui (here average pooling) but not to the export's checked ones."""
    import torch.nn.functional as F

    from aegui.core.archs import build_model
    from aegui.core.data.datasets import from_config
    from aegui.core.export import ExportError, export_model
    from aegui.core.models import convlayers_net, layer_kinds
    monkeypatch.setitem(layer_kinds.LAYER_KINDS, "avgpool", layer_kinds.LAYER_KINDS["maxpool"])
    monkeypatch.setitem(convlayers_net.FORWARD, "avgpool", lambda net, step, h: F.avg_pool2d(h, step.kernel))
    exp = small_experiment(model={"arch": "convlayers", "layers": (35, 2, 35), "input_shape": (7, 5),
                                  "conv_encoder": ("conv 2 3x3", "avgpool 2x2", "dense 2"),
                                  "conv_decoder": ("dense 35",)})
    net = build_model(exp.model, 1)
    with pytest.raises(ExportError) as e:
        export_model(net, exp, from_config(exp.data), tmp_path / "pooled.onnx", name="Pooled")
    assert str(e.value).startswith("Pooled: its layer encoder.1 (avgpool) has no ONNX version")
    assert list(tmp_path.iterdir()) == []


def test_a_network_the_exporter_cannot_write_is_refused_naming_the_model(tmp_path, monkeypatch, capfd):
    """A forward pass that branches on its values (torch.export cannot capture it): one sentence,
    none of the exporter's own prints and log lines."""
    import torch.nn.functional as F

    from aegui.core.archs import build_model
    from aegui.core.data.datasets import from_config
    from aegui.core.export import ExportError, export_model
    from aegui.core.models import convlayers_net

    def branching(net, step, h):
        return F.max_pool2d(h, step.kernel) if float(h.sum()) > 0 else -F.max_pool2d(-h, step.kernel)
    monkeypatch.setitem(convlayers_net.FORWARD, "maxpool", branching)
    exp = small_experiment(model={"arch": "convlayers", "layers": (35, 2, 35), "input_shape": (7, 5),
                                  "conv_encoder": ("conv 2 3x3", "maxpool 2x2", "dense 2"),
                                  "conv_decoder": ("dense 35",)})
    net = build_model(exp.model, 1)
    net.init_weights([0])
    with pytest.raises(ExportError) as e:
        export_model(net, exp, from_config(exp.data), tmp_path / "branching.onnx", name="Branching")
    said = str(e.value)
    assert said.startswith("Branching: torch's ONNX exporter could not write its network (") and "\n" not in said
    assert said.endswith("); export it as a .py script instead")
    assert capfd.readouterr() == ("", "")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("module, said", [
    ("onnxscript", "needs the Python package onnxscript, which is not installed; install it with "
                   "pip install 'aegui[export]'"),
    ("onnx", "needs the Python package onnx, which is not installed"),
    ("torch.onnx", "needs torch's ONNX exporter (torch.onnx), which this aegui was packaged without; "
                   "install aegui with pip install 'aegui[export]'")])
def test_a_missing_exporter_package_is_named_with_what_to_install(tmp_path, capsys, monkeypatch, module, said):
    monkeypatch.setitem(sys.modules, module, None)       # `import module` fails, as where it is absent
    target = tmp_path / "font3.onnx"
    err = _refused(capsys, DEMO, target)
    assert f"{target}: writing ONNX {said}" in err, err
    assert list(tmp_path.iterdir()) == []


def test_train_and_a_folder_in_the_decoders_way_are_refused(tmp_path, capsys):
    target = tmp_path / "font3.onnx"
    err = _refused(capsys, DEMO, target, "--train")
    assert f"{target}: --train writes a training loop into a .py script" in err
    (tmp_path / "font3.decoder.onnx").mkdir()
    # Refused before the model is read: this one does not exist.
    err = _refused(capsys, tmp_path / "no-such-model", target)
    assert f"{tmp_path / 'font3.decoder.onnx'}: a folder of that name is in the way" in err
    assert [p.name for p in tmp_path.iterdir()] == ["font3.decoder.onnx"]


def test_a_failed_write_keeps_the_earlier_pair_whole(tmp_path, capsys, monkeypatch):
    """The decoder's file cannot be written: the whole model's, staged first, is not left behind
    either, and the pair exported before stays as it was."""
    import errno
    from pathlib import Path

    from aegui.core.files import atomic, fileset
    target = tmp_path / "font3.onnx"
    export_cli(capsys, DEMO, target)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert sorted(before) == ["font3.decoder.onnx", "font3.onnx"]
    real = atomic.atomic_write_bytes

    def writer(path, data):
        if Path(path).name == "font3.decoder.onnx":
            raise OSError(errno.EROFS, "Read-only file system")
        return real(path, data)
    monkeypatch.setattr(atomic, "atomic_write_bytes", writer)
    monkeypatch.setattr(fileset, "atomic_write_bytes", writer)
    err = _refused(capsys, DEMO, target)
    assert f"{target}:" in err and "read-only" in err and "nothing was written" in err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
