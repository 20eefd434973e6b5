"""Explain one input (aegui.core.analyses.explain): every number checked against a forward pass
written here with plain torch on the model's saved weights (model.named_weights), not by calling
the model's own pieces."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from aegui.core.analyses.explain import explain
from aegui.core.schema.experiment import Experiment
from aegui.core.config.validation import with_changes
from aegui.core.runs.storage import load_model
from aegui.core.archs import build_model

from core_helpers import ROOT

ACT = {"elu": F.elu, "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
       "identity": lambda t: t, "leaky_relu": lambda t: F.leaky_relu(t, 0.01), "softplus": F.softplus}


def model_of(seed=3, **sections):
    exp = with_changes(Experiment(), **sections)
    model = build_model(exp.model, 1)
    model.init_weights([seed])
    with torch.no_grad():          # biases start at 0; make them matter
        model.flat.add_(0.05 * torch.randn(model.flat.shape, generator=torch.Generator().manual_seed(seed)))
    return model, exp


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b.detach().numpy() if torch.is_tensor(b) else b),
                               rtol=tol, atol=tol)


def mlp_reference(model, exp, x, eps=None):
    """(pre, post) per layer, mu / log-var, code and output: x @ W + b, layer by layer."""
    w = model.named_weights(0)
    m = exp.model
    sizes = m.full_layers
    li = m.latent_index
    n_enc, n_dec = li, len(sizes) - 1 - li
    h = torch.as_tensor(x).float()
    steps = {}
    for i in range(n_enc):
        pre = h @ w[f"encoder.{i}.weight"] + w[f"encoder.{i}.bias"]
        act = (("identity" if m.kind == "vae" else m.latent_activation) if i == n_enc - 1 else m.hidden_activation)
        h = ACT[act](pre)
        steps[f"encoder.{i}"] = (pre, h)
    extra = {}
    if m.kind == "vae":
        L = m.latent_dim
        mu, logvar = h[:L], h[L:].clamp(-20, 20)
        extra = {"mu": mu, "logvar": logvar, "sigma": torch.exp(logvar / 2),
                 "kl": 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar)}
        h = mu + extra["sigma"] * torch.as_tensor(eps, dtype=torch.float32)
    code = h
    for i in range(n_dec):
        pre = h @ w[f"decoder.{i}.weight"] + w[f"decoder.{i}.bias"]
        h = ACT[m.output_activation if i == n_dec - 1 else m.hidden_activation](pre)
        steps[f"decoder.{i}"] = (pre, h)
    return steps, extra, code, h


def test_mlp_layers_code_and_output():
    model, exp = model_of(model={"layers": (35, 16, 2, 16, 35), "hidden_activation": "tanh"})
    x = np.random.default_rng(0).random(35).astype(np.float32)
    ex = explain(model, x)
    steps, _, code, out = mlp_reference(model, exp, x)
    assert [lay.name for lay in ex.layers] == ["input", "encoder.0", "encoder.1", "decoder.0", "decoder.1"]
    assert ex.layers[0].pre is None and np.array_equal(ex.layers[0].post, x)
    for lay in ex.layers[1:]:
        close(lay.pre, steps[lay.name][0])
        close(lay.post, steps[lay.name][1])
    assert ex.layer("encoder.1").role == "code" and ex.layer("decoder.1").role == "output"
    assert ex.layer("encoder.0").activation == "tanh" and ex.layer("decoder.1").activation == "sigmoid"
    close(ex.code, code)
    close(ex.output, out)
    assert ex.shape == (7, 5) and ex.vae is None and ex.denoise is None


def test_vae_mean_spread_noise_code_kl_and_resampling():
    model, exp = model_of(model={"kind": "vae", "layers": (35, 12, 3, 12, 35)})
    x = (np.random.default_rng(1).random(35) > 0.5).astype(np.float32)
    ex = explain(model, x, seed=7)
    steps, ref, code, out = mlp_reference(model, exp, x, eps=ex.vae.noise)
    v = ex.vae
    close(v.mean, ref["mu"])
    close(v.log_var, ref["logvar"])
    close(v.sigma, ref["sigma"])
    close(v.kl, ref["kl"])
    assert v.kl_total == pytest.approx(float(ref["kl"].sum()), rel=1e-5)
    close(v.code, code)                          # mean + sigma * noise
    close(ex.code, code)
    close(ex.output, out)                        # the decoder's output for the sampled code
    close(ex.layer("encoder.1").post, torch.cat([ref["mu"], steps["encoder.1"][1][3:]]))
    assert ex.layer("encoder.1").role == "mean, log-variance"
    close(v.mean_output, mlp_reference(model, exp, x, eps=np.zeros(3))[3])
    # Seeded: the same seed draws the same noise, another re-samples it (and only it).
    again, other = explain(model, x, seed=7), explain(model, x, seed=8)
    assert np.array_equal(again.vae.noise, v.noise) and np.array_equal(again.output, ex.output)
    assert not np.allclose(other.vae.noise, v.noise)
    assert np.array_equal(other.vae.mean, v.mean) and np.array_equal(other.vae.sigma, v.sigma)
    assert v.noise.shape == (3,) and v.seed == 7


def conv_reference(model, exp, x, eps=None):
    """Conv AE / VAE: stride-2 4x4 convs, a linear code, the mirror with transposed convs."""
    w = model.named_weights(0)
    m = exp.model
    H, W, C = m.image_shape
    img = torch.as_tensor(x).float().view(H, W, C).permute(2, 0, 1)[None]
    steps = {}
    for i in range(len(m.channels)):
        pre = F.conv2d(img, w[f"encoder.conv{i}.weight"], w[f"encoder.conv{i}.bias"], stride=2, padding=1)
        img = ACT[m.hidden_activation](pre)
        steps[f"encoder.conv{i}"] = (pre[0], img[0])
    small = img.shape[1:]
    pre = img.reshape(-1) @ w["encoder.code.weight"] + w["encoder.code.bias"]
    h = pre if m.kind == "vae" else ACT[m.latent_activation](pre)
    steps["encoder.code"] = (pre, h)
    extra = {}
    if m.kind == "vae":
        L = m.latent_dim
        mu, logvar = h[:L], h[L:].clamp(-20, 20)
        extra = {"mu": mu, "sigma": torch.exp(logvar / 2), "kl": 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar)}
        h = mu + extra["sigma"] * torch.as_tensor(eps, dtype=torch.float32)
    code = h
    pre = h @ w["decoder.expand.weight"] + w["decoder.expand.bias"]
    h = ACT[m.hidden_activation](pre)
    steps["decoder.expand"] = (pre, h)
    img = h.view(1, *small)
    n = len(m.channels)
    for i in range(n):
        pre = F.conv_transpose2d(img, w[f"decoder.deconv{i}.weight"], w[f"decoder.deconv{i}.bias"],
                                 stride=2, padding=1)
        img = ACT[m.output_activation if i == n - 1 else m.hidden_activation](pre)
        steps[f"decoder.deconv{i}"] = (pre[0], img[0])
    return steps, extra, code, img[0].permute(1, 2, 0).reshape(-1)


@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_conv_feature_maps_and_vae(kind):
    model, exp = model_of(data={"source": "digits"}, model={
        "kind": kind, "arch": "conv", "input_shape": (8, 8, 3), "channels": (4, 6), "layers": (192, 3, 192)})
    x = np.random.default_rng(2).random(192).astype(np.float32)
    ex = explain(model, x, seed=5)
    steps, ref, code, out = conv_reference(model, exp, x, eps=ex.vae.noise if ex.vae else None)
    names = [lay.name for lay in ex.layers]
    assert names == ["input", "encoder.conv0", "encoder.conv1", "encoder.code", "decoder.expand",
                     "decoder.deconv0", "decoder.deconv1"]
    for lay in ex.layers[1:]:
        close(lay.pre, steps[lay.name][0])
        close(lay.post, steps[lay.name][1])
    assert ex.layer("encoder.conv0").post.shape == (4, 4, 4) and ex.layer("encoder.conv1").pre.shape == (6, 2, 2)
    assert ex.layer("decoder.deconv1").post.shape == (3, 8, 8) and ex.shape == (8, 8, 3)
    close(ex.code, code)
    close(ex.output, out)
    if kind == "vae":
        close(ex.vae.mean, ref["mu"])
        close(ex.vae.sigma, ref["sigma"])
        close(ex.vae.kl, ref["kl"])


def test_local_denoiser_maps_threshold_and_changed_pixels():
    model, exp = model_of(model={"kind": "dae", "arch": "local", "input_shape": (7, 5), "channels": (4, 3),
                                 "layers": (35, 105, 35), "flip_confidence": 0.7})
    w = model.named_weights(0)
    clean = (np.random.default_rng(4).random(35) > 0.6).astype(np.float32)
    ex = explain(model, clean, noise=("salt_pepper", 0.3), seed=1)
    noisy = ex.input
    img = torch.as_tensor(noisy).view(1, 1, 7, 5)
    pre0 = F.conv2d(img, w["encoder.conv0.weight"], w["encoder.conv0.bias"], padding=1)
    h0 = F.elu(pre0)
    pre1 = F.conv2d(h0, w["encoder.conv1.weight"], w["encoder.conv1.bias"], padding=1)
    code = ACT[exp.model.latent_activation](pre1)
    out_pre = F.conv2d(code, w["decoder.conv0.weight"], w["decoder.conv0.bias"], padding=1)
    out = torch.sigmoid(out_pre).reshape(-1).numpy()
    close(ex.layer("encoder.conv0").pre, pre0[0])
    close(ex.layer("encoder.conv0").post, h0[0])
    close(ex.layer("encoder.conv1").post, code[0])
    close(ex.layer("decoder.conv0").pre, out_pre[0])
    assert ex.layer("encoder.conv1").role == "code" and ex.layer("decoder.conv0").role == "output"
    close(ex.code, code.reshape(-1))
    close(ex.output, out)
    d = ex.denoise
    # Thresholded, keeping the input's pixel unless the model is at least 70 % sure it is wrong.
    on = noisy >= 0.5
    flip = np.where(on, out <= 0.3, out >= 0.7)
    expect = np.where(flip, out >= 0.5, on)
    assert np.array_equal(d.result.astype(bool), expect)
    assert np.array_equal(d.changed, expect != on) and d.flip_confidence == 0.7
    assert d.wrong == int((expect != (clean >= 0.5)).sum())
    assert d.noisy_wrong == int((on != (clean >= 0.5)).sum()) > 0      # 30 % noise changed something
    assert np.array_equal(d.clean, clean)
    np.testing.assert_array_equal(explain(model, clean, noise=("salt_pepper", 0.3), seed=1).input, noisy)


def test_shipped_denoiser_cleans_a_noisy_glyph():
    model, exp, _ = load_model(ROOT / "models" / "general-5x7-dae")
    from aegui.core.data.datasets import font_dataset
    a = font_dataset(("Font3",), chars="a").x[0]
    noisy = a.copy()
    noisy[[0, 4, 12]] = 1 - noisy[[0, 4, 12]]
    ex = explain(model, noisy, clean=a)
    steps, _, code, out = mlp_reference(model, exp, noisy)
    close(ex.output, out)
    close(ex.code, code)
    d = ex.denoise
    assert d.noisy_wrong == 3 and d.wrong == 0
    assert set(np.flatnonzero(d.changed)) == {0, 4, 12}       # exactly the flipped pixels came back
    assert np.array_equal(d.result, (out.numpy() >= 0.5).astype(np.float32))


def test_top_k_code_and_refusals():
    model, exp = model_of(model={"kind": "sparse", "sparsity": "topk", "sparsity_k": 2, "layers": (35, 6, 35)})
    x = np.random.default_rng(3).random(35).astype(np.float32)
    ex = explain(model, x)
    steps, _, _, _ = mlp_reference(model, exp, x)
    h = steps["encoder.0"][1].detach().numpy()
    kept = np.where(np.isin(np.arange(6), np.argsort(h)[-2:]), h, 0)
    close(ex.code, kept)
    assert np.count_nonzero(ex.code) == 2 and ex.notes
    with pytest.raises(ValueError, match="reads 35 values per sample; this input has 34"):
        explain(model, x[:34])
    with pytest.raises(KeyError, match="no layer 'nope'"):
        ex.layer("nope")
