"""The Explain panel: every number it shows (each layer's cells on hover, a VAE's mean,
spread, noise, code and KL per dimension, a denoiser's noisy input, output, thresholded result and
changed pixels) checked against a forward pass written here with plain torch on the model's
weights (model.named_weights), not by calling the model or aegui's explain()."""
import re
import threading

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PySide6.QtTest import QTest

from aegui.core.archs import build_model
from aegui.core.schema.experiment import Experiment
from aegui.core.config.validation import with_changes
from aegui.core.data.datasets import from_config
from aegui.core.data.noise import apply_noise
from aegui.core.runs.trained import TrainedModel
from aegui.qt.explain.explain_panel import ExplainPanel

ACT = {"elu": F.elu, "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "identity": lambda t: t}
NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?"


def trained(seed=3, **sections) -> TrainedModel:
    exp = with_changes(Experiment(), **sections)
    model = build_model(exp.model, 1)
    model.init_weights([seed])
    with torch.no_grad():          # biases start at 0; make them matter
        model.flat.add_(0.05 * torch.randn(model.flat.shape, generator=torch.Generator().manual_seed(seed)))
    return TrainedModel(f"model {seed}", model.eval(), exp, from_config(exp.data))


def forward(tm, x, eps=None):
    """{layer name: (pre, post)}, VAE extras, code and output: x @ W + b, layer by layer."""
    w, m = tm.model.named_weights(0), tm.experiment.model
    sizes, li = m.full_layers, m.latent_index
    h = torch.as_tensor(np.asarray(x, np.float32).reshape(-1))
    steps, extra = {}, {}
    for i in range(li):
        pre = h @ w[f"encoder.{i}.weight"] + w[f"encoder.{i}.bias"]
        act = ("identity" if m.kind == "vae" else m.latent_activation) if i == li - 1 else m.hidden_activation
        h = ACT[act](pre)
        steps[f"encoder.{i}"] = (pre, h)
    if m.kind == "vae":
        L = m.latent_dim
        mu, logvar = h[:L], h[L:].clamp(-20, 20)
        sigma = torch.exp(logvar / 2)
        extra = {"mean": mu, "sigma": sigma, "noise": torch.as_tensor(eps),
                 "kl": 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar)}
        h = mu + sigma * torch.as_tensor(eps)
        extra["code"] = h
    n_dec = len(sizes) - 1 - li
    for i in range(n_dec):
        pre = h @ w[f"decoder.{i}.weight"] + w[f"decoder.{i}.bias"]
        h = ACT[m.output_activation if i == n_dec - 1 else m.hidden_activation](pre)
        steps[f"decoder.{i}"] = (pre, h)
    return steps, extra, h


@pytest.fixture
def setup(bound_panel):
    return bound_panel(ExplainPanel, 460, 1400)


def settle(qtbot, panel):
    qtbot.waitUntil(lambda: not panel.busy() and panel.result is not None, timeout=30000)


def hover(panel, strip, i, qtbot) -> tuple[float, ...]:
    """Hover cell i of a strip; the numbers the read-out shows (the value, then before the activation).
    The mouse goes there again until the read-out names a cell: under load the strips can still be
    settling into their final size when the first move arrives (the read-out then stays on its
    "Hover a cell" line)."""
    def shown() -> bool:
        QTest.mouseMove(strip, strip.cell_center(i))
        return " — " in panel.readout.text()
    qtbot.waitUntil(shown, timeout=10000)
    text = panel.readout.text()
    shown = text.split(" — ")[-1].split(": ", 1)[1]
    return tuple(float(v) for v in re.findall(NUMBER, shown))


def close(shown, expected):
    """A number shown with 4 significant digits."""
    assert shown == pytest.approx(float(expected), rel=2e-3, abs=1e-6)


def test_every_layer_of_a_drawing_on_hover(setup, qtbot):
    panel, ws = setup
    tm = trained(model={"layers": (35, 16, 2, 16, 35), "hidden_activation": "tanh"})
    ws.add(tm)
    drawing = (np.random.default_rng(0).random((7, 5)) > 0.5).astype(np.float32)
    ws.set_input(drawing)                      # what the editor does as the user draws
    settle(qtbot, panel)
    qtbot.waitUntil(lambda: np.array_equal(panel.result.input, drawing.ravel()), timeout=30000)
    steps, _, out = forward(tm, drawing)
    names = ["encoder.0", "encoder.1", "decoder.0", "decoder.1"]
    strips = panel.strips()
    assert len(strips) == 5 and panel.captions()[0] == "Input: 35 values"
    assert panel.captions()[2] == "Encoder layer 2: 2 values, identity (linear) — the code"
    assert panel.captions()[4] == "Decoder layer 2: 35 values, sigmoid — the output"
    # The input and the output are drawn in the glyph's shape: cell (r, c) is value 5 r + c.
    assert hover(panel, strips[0], 7, qtbot) == (drawing.ravel()[7],)
    for strip, name in zip(strips[1:], names):
        pre, post = steps[name]
        np.testing.assert_allclose(strip.values, post.detach().numpy(), rtol=1e-5, atol=1e-6)
        for i in {0, len(strip.values) // 2, len(strip.values) - 1}:
            numbers = hover(panel, strip, i, qtbot)
            close(numbers[0], post[i])
            if name != "encoder.1":              # the code has no activation: one number
                close(numbers[1], pre[i])
            else:
                assert len(numbers) == 1
    np.testing.assert_allclose(panel.pictures[1].image(), out.detach().numpy().reshape(7, 5), atol=1e-6)
    np.testing.assert_array_equal(panel.pictures[0].image(), drawing)


def test_a_vae_mean_spread_noise_code_kl_and_resample(setup, qtbot):
    panel, ws = setup
    tm = trained(model={"kind": "vae", "layers": (35, 12, 3, 12, 35)})
    ws.add(tm)
    panel.select_sample(5)
    settle(qtbot, panel)
    qtbot.waitUntil(lambda: np.array_equal(panel.result.input, tm.shown.x[5]), timeout=30000)

    def check(seed):
        eps = torch.randn((1, 3), generator=torch.Generator().manual_seed(seed))[0]   # the noise drawn
        steps, ref, out = forward(tm, tm.shown.x[5], eps.numpy())
        table = panel.vae_table
        assert table.rowCount() == 3
        for d in range(3):
            for column in ("mean", "sigma", "noise", "code", "kl"):
                close(float(table.value(d, column)), ref[column][d])
        kl = float(re.search(NUMBER, panel.summary.text().split("KL:")[1]).group())
        close(kl, ref["kl"].sum())
        assert f"noise seed {seed}." in panel.summary.text()
        np.testing.assert_allclose(panel.strips()[-1].values, out.detach().numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(panel.pictures[1].image(), out.detach().numpy().reshape(7, 5), atol=1e-6)
        return [table.value(d, "mean") for d in range(3)], [table.value(d, "noise") for d in range(3)]
    means, noise = check(0)
    assert panel.resample_button.isEnabled()
    panel.resample_button.click()
    qtbot.waitUntil(lambda: panel.result.vae.seed == 1 and not panel.busy(), timeout=30000)
    means_again, noise_again = check(1)
    assert means_again == means and noise_again != noise       # only the draw changed


def test_a_denoiser_noisy_input_output_thresholded_and_changed_pixels(setup, qtbot):
    panel, ws = setup
    tm = trained(model={"kind": "dae", "layers": (35, 24, 35)}, noise={"kind": "salt_pepper", "level": 0.2})
    ws.add(tm)
    assert panel.noise_kind.currentData() == "salt_pepper" and panel.noise_level.value() == 20
    panel.noise_level.setValue(30)
    panel.select_sample(10)
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.denoise is not None
                    and np.array_equal(panel.result.denoise.clean, tm.shown.x[10]) and not panel.busy(), timeout=30000)
    clean = tm.shown.x[10]
    noisy = apply_noise(clean.reshape(1, -1), "salt_pepper", 0.3, np.random.default_rng(0))[0]
    _, _, out = forward(tm, noisy)
    out = out.detach().numpy()
    result = out >= 0.5                                   # flip_confidence 0.5: a plain threshold
    changed = result != (noisy >= 0.5)
    views = panel.pictures
    assert [t.text() for t in panel.picture_titles[:4]] == ["Clean", "Noisy input", "Output", "Thresholded"]
    np.testing.assert_array_equal(views[0].image(), clean.reshape(7, 5))
    np.testing.assert_array_equal(views[1].image(), noisy.reshape(7, 5))
    np.testing.assert_allclose(views[2].image(), out.reshape(7, 5), atol=1e-6)
    np.testing.assert_array_equal(views[3].image(), result.reshape(7, 5))
    np.testing.assert_array_equal(views[3].marks(), changed.reshape(7, 5))
    noisy_wrong = int(((noisy >= 0.5) != (clean >= 0.5)).sum())
    wrong = int((result != (clean >= 0.5)).sum())
    assert noisy_wrong > 0
    assert panel.summary.text() == (f"It changed {int(changed.sum())} pixels. Wrong pixels against the clean input: "
                                    f"{noisy_wrong} in the noisy input, {wrong} after denoising.")


def test_it_follows_training_runs_on_a_worker_and_waits_while_hidden(setup, qtbot, monkeypatch):
    panel, ws = setup
    import aegui.core.analyses.explain as E
    threads = []
    real = E.explain
    monkeypatch.setattr(E, "explain", lambda *a, **k: threads.append(threading.current_thread()) or real(*a, **k))
    tm = trained(model={"layers": (35, 8, 35)})
    ws.add(tm)
    settle(qtbot, panel)
    x = tm.shown.x[panel.item.currentIndex()]
    # A training snapshot: new weights of the same model; the numbers follow them.
    tm.model = trained(seed=9, model={"layers": (35, 8, 35)}).model
    ws.current_updated.emit(tm)
    _, _, out = forward(tm, x)
    qtbot.waitUntil(lambda: not panel.busy() and np.allclose(panel.strips()[-1].values, out.detach().numpy(),
                                                            atol=1e-6), timeout=30000)
    assert threads and threading.main_thread() not in threads
    # Hidden, it computes nothing; shown again, it catches up.
    panel.hide()
    n = len(threads)
    ws.set_input(np.ones(35, np.float32))
    assert not panel.busy() and len(threads) == n
    panel.show()
    qtbot.waitUntil(lambda: not panel.busy() and np.array_equal(panel.result.input, np.ones(35)), timeout=30000)
    # An input of another size: said, and a sample of the model's dataset instead.
    ws.set_input(np.zeros(10, np.float32))
    qtbot.waitUntil(lambda: not panel.busy() and panel.message() != "", timeout=30000)
    assert panel.message().startswith("The input pointed at has 10 values and this model reads 35")
    assert panel.result.input.size == 35


def test_a_conv_model_feature_maps_on_hover(setup, qtbot):
    panel, ws = setup
    tm = trained(data={"source": "digits"}, model={"kind": "ae", "arch": "conv", "input_shape": (8, 8, 1),
                                                   "channels": (4, 6), "layers": (64, 3, 64)})
    ws.add(tm)
    panel.select_sample(2)
    settle(qtbot, panel)
    x = tm.shown.x[2]
    w = tm.model.named_weights(0)
    img = torch.as_tensor(x).view(1, 1, 8, 8)
    pre = F.conv2d(img, w["encoder.conv0.weight"], w["encoder.conv0.bias"], stride=2, padding=1)[0]
    post = ACT[tm.experiment.model.hidden_activation](pre)
    strip = panel.strips()[1]
    assert panel.captions()[1] == "Encoder layer 1: 64 values, ELU"
    c, r, k = 2, 1, 3
    numbers = hover(panel, strip, c * 16 + r * 4 + k, qtbot)
    assert f"channel {c + 1}, row {r + 1}, column {k + 1}" in panel.readout.text()
    close(numbers[0], post[c, r, k])
    close(numbers[1], pre[c, r, k])
