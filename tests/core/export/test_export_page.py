"""`aegui export MODEL FILE.html` writes one self-contained web page: the model's latent map, whose
point under the mouse the page decodes in the browser with the decoder written in JavaScript. A
real headless Chromium opens each page and moves the mouse over the map (the page's #probe= hook);
what it decoded must be aegui's own decode of the same code to within 1/255 a pixel, for the demo
Font3 model, an emoji VAE (an 8-D code, drawn on its PCA plane), a convolutional MNIST model and a
layer list with every decoder layer kind. The page names nothing outside itself (no http(s)://)
and stays small: under 200 KB for Font3, under 5 MB for the emoji VAE preset's full-size model."""
import html
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from core_helpers import PRESETS, ROOT, run_cli, small_experiment
from tests.core.export.script_runs import saved

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} to open the pages "
                                    "in (Debian: apt-get install chromium)")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")
PIXEL = 1 / 255
# What the page's float64 sums of float32 weights may differ from torch's float32 by: far inside a
# pixel's 1/255, and tight enough that a layer computed a little wrong (a slope of 0.02 for 0.01)
# shows.
ROUNDING = 1e-4


def chromium(tmp_path, *args) -> str:
    """Chromium's stdout for `args`, run headless with a profile of its own under tmp_path."""
    profile = tmp_path / "chromium-profile"
    proc = subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def probe(tmp_path, page: Path, points) -> dict:
    """What the page decoded with the mouse moved to each map point of `points` in turn (its
    #probe= hook), read from the DOM Chromium dumps once the page has loaded."""
    url = page.as_uri() + "#probe=" + ";".join(f"{x!r},{y!r}" for x, y in points)
    dom = chromium(tmp_path, "--dump-dom", url)
    found = re.search(r'<pre id="probe-result" hidden="">(.*?)</pre>', dom, re.S)
    assert found and found.group(1), f"the page wrote no probe result:\n{dom[-3000:]}"
    result = json.loads(html.unescape(found.group(1)))
    result["dom"] = dom
    return result


def page_model(page: Path) -> dict:
    """The JSON the page's script reads (its decoder, weights and map)."""
    text = page.read_text(encoding="utf-8")
    found = re.search(r'<script id="aegui-model" type="application/json">(.*?)</script>', text, re.S)
    return json.loads(found.group(1))


def map_xy(data: dict) -> np.ndarray:
    import base64
    return np.frombuffer(base64.b64decode(data["map"]["xy"]), "<f4").reshape(-1, 2)


def export_page(capsys, model, page: Path) -> dict:
    """`aegui export MODEL PAGE` through the command line; returns the page's JSON after checking
    the page names nothing outside itself."""
    assert run_cli(["export", model, page]) == 0
    err = capsys.readouterr().err
    assert str(page) in err and "web page" in err, err
    text = page.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text
    # Nothing fetched: no src= or href= attribute, no url() in the style, the pictures inline.
    assert not re.search(r"\b(src|href)\s*=\s*[\"']", text) and "url(" not in text and "@import" not in text
    return page_model(page)


def check_decodes(tmp_path, model, page: Path, data: dict, n_samples: int = 4, n_random: int = 4) -> float:
    """Probes the page at some samples' places and at random points of the map and around it, and
    holds each decoded picture to aegui's decode of the code the page used (to ROUNDING, so within
    1/255 a pixel); returns the largest difference."""
    from aegui.core.models.latent import decode_points
    xy = map_xy(data).astype(np.float64)
    rng = np.random.default_rng(0)
    lo, hi = xy.min(0), xy.max(0)
    points = list(xy[np.linspace(0, len(xy) - 1, n_samples).astype(int)]) + \
        list(lo + (rng.random((n_random, 2)) * 2 - 0.5) * (hi - lo))
    got = probe(tmp_path, page, [tuple(map(float, p)) for p in points])
    origin, basis = np.array(data["map"]["origin"]), np.array(data["map"]["basis"])
    worst = 0.0
    span = float(np.max(hi - lo)) or 1.0
    for asked, point in zip(points, got["points"]):
        at, z = np.array(point["at"]), np.array(point["z"])
        # The mouse landed where it was sent (a 1-D map has no up and down), and the code is that
        # map point's.
        shown = min(2, data["latent"])
        assert np.allclose(at[:shown], asked[:shown], atol=1e-4 * span), (at, asked)
        np.testing.assert_allclose(z, origin + at[0] * basis[0] + (at[1] * basis[1] if data["latent"] > 1 else 0),
                                   rtol=1e-9, atol=1e-9 * span)
        want = decode_points(model, z.astype(np.float32))[0]
        out = np.array(point["out"])
        assert out.shape == want.shape
        worst = max(worst, float(np.abs(out - want).max()))
        # The readout shows the code.
        assert f"z0 {'' if z[0] < 0 else chr(0x2007)}{z[0]:.3f}" in point["code_text"]
    assert worst <= ROUNDING < PIXEL, worst
    # What the browser loaded besides the page itself (scripts, styles, pictures, fonts): nothing
    # but the page's own data.
    assert all(name.startswith("data:") for name in got["loaded"]), got["loaded"]
    return worst


@needs_chromium
def test_the_demo_font3_page_decodes_what_aegui_decodes(tmp_path, capsys):
    from aegui.core.data.datasets import from_config
    from aegui.core.models.latent import encode
    from aegui.core.runs.storage import load_model
    folder = ROOT / "models" / "font3-ae2d"
    page = tmp_path / "font3.html"
    data = export_page(capsys, folder, page)
    assert page.stat().st_size < 200_000
    model, exp, _ = load_model(folder)
    dataset = from_config(exp.data)
    # A 2-D code is drawn as it is: each glyph at its code, labelled by its character.
    np.testing.assert_allclose(map_xy(data), encode(model, dataset.x), rtol=1e-6, atol=1e-5)
    assert data["map"]["labels"] == dataset.labels and data["map"]["axes"] == ["z0", "z1"]
    worst = check_decodes(tmp_path, model, page, data)
    print(f"font3: {page.stat().st_size:,} bytes, largest difference {worst:.2e}")
    got = probe(tmp_path, page, [(0.0, 0.0)])
    assert got["map_coloured"] > 500          # the labels were drawn on the map
    assert f"<h1 id=\"title\">{html.escape(exp.name)}</h1>" in got["dom"]


def emoji_vae(epochs: int):
    from aegui.core.config.load import load_experiment
    from aegui.core.config.validation import with_changes
    exp, _ = load_experiment(PRESETS / "emoji-vae.json")
    return with_changes(exp, train={"epochs": epochs, "device": "cpu", "check_every": 1})


@needs_chromium
def test_an_emoji_vae_page_maps_its_means_on_their_pca_plane(tmp_path, capsys):
    """The preset's full-size model (3072-256-8-256-3072), trained two epochs: its 8-D means are
    drawn on the plane of their first two principal components, as small pictures."""
    from aegui.core.data.datasets import from_config
    from aegui.core.models.latent import encode
    from aegui.core.runs.storage import load_model
    folder = saved(tmp_path, emoji_vae(2), "emoji-vae")
    page = tmp_path / "emoji.html"
    data = export_page(capsys, folder, page)
    assert page.stat().st_size < 5_000_000
    model, exp, _ = load_model(folder)
    assert model.is_vae and data["latent"] == 8 and data["map"]["axes"] == ["PC1", "PC2"]
    assert data["map"]["sprite"].startswith("data:image/png;base64,")
    mu = encode(model, from_config(exp.data).x).astype(np.float64)
    origin, basis = np.array(data["map"]["origin"]), np.array(data["map"]["basis"])
    np.testing.assert_allclose(origin, mu.mean(0), atol=1e-5)
    np.testing.assert_allclose(map_xy(data), (mu - origin) @ basis.T, rtol=1e-5, atol=1e-4)
    # The plane of the widest spread: two orthonormal directions, PC1 wider than PC2 and than any
    # one code value alone.
    np.testing.assert_allclose(basis @ basis.T, np.eye(2), atol=1e-9)
    along = np.var((mu - origin) @ basis.T, axis=0)
    assert along[0] >= along[1] and along[0] >= np.var(mu, axis=0).max() - 1e-9
    worst = check_decodes(tmp_path, model, page, data)
    print(f"emoji VAE: {page.stat().st_size:,} bytes, largest difference {worst:.2e}")
    text = page.read_text(encoding="utf-8")
    assert "principal components" in text and "(\\u03bc)" in text


def mnist_like(folder: Path) -> Path:
    """150 of scikit-learn's 8x8 digits drawn 3 times larger on a 28x28 page, in MNIST's IDX files."""
    from sklearn.datasets import load_digits

    from aegui.core.data.mnist_files import write_idx
    digits = load_digits()
    x = np.zeros((150, 28, 28), np.uint8)
    x[:, 2:26, 2:26] = np.kron(digits.images[:150] * 255 / 16, np.ones((3, 3))).astype(np.uint8)
    folder.mkdir()
    write_idx(folder / "train-images-idx3-ubyte.gz", x)
    write_idx(folder / "train-labels-idx1-ubyte.gz", digits.target[:150])
    return folder / "train-images-idx3-ubyte.gz"


@needs_chromium
def test_a_convolutional_mnist_page_decodes_with_transposed_convolutions(tmp_path, capsys):
    """The MNIST convolutional preset (channels 32, 64; a 16-D code) trained one epoch on a few
    digits: a dense layer to 64 maps of 7x7 and two stride-2 transposed convolutions, in JavaScript."""
    from aegui.core.config.load import load_experiment
    from aegui.core.config.validation import with_changes
    from aegui.core.runs.storage import load_model
    exp, _ = load_experiment(PRESETS / "mnist-conv-ae.json")
    exp = with_changes(exp, data={"source": "idx", "path": str(mnist_like(tmp_path / "mnist")), "catalogue": "",
                                  "val_split": 0.0},
                       train={"epochs": 1, "device": "cpu", "batch_size": 50, "eval_samples": 0})
    folder = saved(tmp_path, exp, "mnist-conv")
    page = tmp_path / "mnist.html"
    data = export_page(capsys, folder, page)
    assert [layer["kind"] for layer in data["layers"]] == ["dense", "unflatten", "deconv2d", "deconv2d", "to_rows"]
    # Ten classes: drawn as their digits, with a legend.
    assert sorted(data["map"]["labels"]) == [str(d) for d in range(10)]
    model, _, _ = load_model(folder)
    worst = check_decodes(tmp_path, model, page, data)
    print(f"MNIST conv: {page.stat().st_size:,} bytes, largest difference {worst:.2e}")


LAYER_CASES = {
    # Every decoder layer kind: dense after maps, max-pooling, upsampling, a convolution, Keras's
    # 'same' transposed convolution, batch-norm with running statistics that moved; tanh at slope 2.
    "layer list with every kind": small_experiment(
        model={"arch": "convlayers", "layers": (35, 3, 35), "input_shape": (7, 5), "hidden_activation": "tanh",
               "slope": 2.0, "conv_encoder": ("conv 4 3x3", "batchnorm", "maxpool 2x2", "dense 3"),
               "conv_decoder": ("dense 48", "reshape 3 4 4", "maxpool 2x2", "upsample 2x2", "conv 4 2x2",
                                "deconv 2 3x3 s2 same", "batchnorm", "dense 35")},
        train={"epochs": 10}),
    # Three channels out: the maps back to rows, a pixel's red, green and blue together.
    "convolutions on colour emoji": small_experiment(
        data={"source": "emoji", "fonts": (), "size": 16, "color": "rgb", "max_samples": 40},
        model={"arch": "conv", "layers": (768, 4, 768), "channels": (4, 8), "input_shape": (16, 16, 3)},
        train={"epochs": 3}),
    "local convolutions": small_experiment(
        model={"arch": "local", "layers": (35, 70, 35), "channels": (4, 2), "input_shape": (7, 5)},
        train={"epochs": 10}),
    # A 1-D code: the map's horizontal axis alone.
    "leaky relu, softplus output, 1-D code": small_experiment(
        model={"layers": (35, 16, 1, 16, 35), "hidden_activation": "leaky_relu", "output_activation": "softplus"},
        train={"epochs": 30, "loss": "mse"}),
    "cosh, identity output": small_experiment(
        model={"hidden_activation": "cosh", "output_activation": "identity"}, train={"epochs": 30, "loss": "mse"}),
}


@needs_chromium
@pytest.mark.parametrize("case", LAYER_CASES)
def test_every_decoder_layer_and_activation_decodes_what_aegui_decodes(tmp_path, capsys, case):
    from aegui.core.runs.storage import load_model
    folder = saved(tmp_path, LAYER_CASES[case], "model")
    page = tmp_path / "model.html"
    data = export_page(capsys, folder, page)
    model, _, _ = load_model(folder)
    worst = check_decodes(tmp_path, model, page, data, n_samples=3, n_random=3)
    print(f"{case}: {page.stat().st_size:,} bytes, largest difference {worst:.2e}")


def test_the_page_runs_every_layer_and_activation_a_decoder_can_have():
    """A new layer kind or activation needs its JavaScript version: plan.py's decoder layers and
    layer_source's activations are all in the page's tables, and latent_map.js defines each."""
    from aegui.core.export import layer_source as L
    from aegui.core.export import web_page
    encoder_only = {"to_maps", "means", "keep_top_k"}
    assert set(L.LAYERS) - encoder_only == set(web_page.PAGE_LAYERS)
    assert set(L.ACTIVATIONS) <= set(web_page.PAGE_ACTIVATIONS)
    script = (ROOT / "resources" / "export" / "latent_map.js").read_text(encoding="utf-8")
    table = script[script.index("const LAYERS = {"):]
    table = table[:table.index("};")]
    for kind in web_page.PAGE_LAYERS:
        assert re.search(rf"\b{kind}\b", table), kind
    acts = script[script.index("const ACTIVATIONS = {"):]
    acts = acts[:acts.index("\n  };")]
    for name in L.ACTIVATIONS:
        assert re.search(rf"^\s+{name}:", acts, re.M), name


def test_the_emoji_vae_presets_full_model_makes_a_page_under_5_mb(tmp_path):
    """Its size depends on the architecture only: an untrained model of the preset."""
    from aegui.core.archs import build_model
    from aegui.core.data.datasets import from_config
    from aegui.core.export import export_model
    exp = emoji_vae(1)
    model = build_model(exp.model, 1)
    model.init_weights([0])
    done = export_model(model, exp, from_config(exp.data), tmp_path / "emoji.html")
    assert done.weights is None and done.script_bytes == (tmp_path / "emoji.html").stat().st_size
    assert 3_000_000 < done.script_bytes < 5_000_000        # the decoder's 791,808 float32 weights, in base64


def test_a_name_with_a_web_address_stays_text(tmp_path, trained, font3):
    """The model's name is the user's text: a URL or markup in it neither links the page to
    anything nor ends its elements."""
    from aegui.core.export import export_model
    model, exp, _ = trained
    name = 'See https://example.org/x </script><b>"bold"</b> & co'
    page = tmp_path / "named.html"
    export_model(model, exp, font3, page, name=name)
    text = page.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text and "<b>" not in text
    assert page_model(page)["name"] == name
    assert f"<title>{html.escape(name).replace('/', '&#47;')} · latent map</title>" in text


def test_train_is_refused_for_a_page_and_nothing_is_written(tmp_path, capsys):
    page = tmp_path / "font3.html"
    assert run_cli(["export", ROOT / "models" / "font3-ae2d", page, "--train"]) == 2
    err = capsys.readouterr().err
    assert f"{page}: a web page decodes the trained model and has no training loop" in err
    assert "Traceback" not in err and list(tmp_path.iterdir()) == []
