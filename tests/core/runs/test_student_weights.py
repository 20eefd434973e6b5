"""A network a student trained with their own code and saved as JSON (layers with units,
activation, W and B) becomes an aegui model that computes what their code computes: the glyphs'
codes and reconstructions, and any point of the latent map decoded, match a forward pass written
here in numpy, whichever way W is written ([out, in] or [in, out], read from the shapes). A
network whose every W is square says which way, or is refused."""
import json

import numpy as np
import pytest

from aegui.core.data.datasets import font_dataset
from aegui.core.models import latent
from aegui.core.runs.storage import load_model
from aegui.core.runs.student_weights import import_network, read_student_network
from aegui.core.runs.trained import open_trained
from aegui.core.schema.experiment import ConfigError

SIZES = [35, 20, 2, 20, 35]
ACTS = ["tanh", "linear", "tanh", "sigmoid"]
NP_ACTS = {"tanh": lambda x, b: np.tanh(b * x), "linear": lambda x, b: x,
           "sigmoid": lambda x, b: 1 / (1 + np.exp(-b * x)), "relu": lambda x, b: np.maximum(x, 0)}


def student_network(layout: str, sizes=SIZES, acts=ACTS, beta=1.0, seed=0):
    """Layers as a student's code saves them: W [out][in] (W @ x) or [in][out] (x @ W)."""
    rng = np.random.default_rng(seed)
    layers = []
    for (n_in, n_out), act in zip(zip(sizes[:-1], sizes[1:]), acts):
        w = rng.normal(0, 1.5 / np.sqrt(n_in), (n_out, n_in))
        act_field = act if beta == 1.0 else {"function": act, "beta": beta}
        layers.append({"units": n_out, "activation": act_field,
                       "W": (w if layout == "out_in" else w.T).tolist(), "B": rng.normal(0, 0.3, n_out).tolist()})
    return {"layers": layers}


def forward(raw, x, layout: str, start=0, stop=None, beta=1.0):
    """The student's forward pass over layers[start:stop], in numpy (float64)."""
    h = x
    for layer in raw["layers"][start:stop]:
        w = np.asarray(layer["W"])
        act = layer["activation"] if isinstance(layer["activation"], str) else layer["activation"]["function"]
        pre = (h @ w.T if layout == "out_in" else h @ w) + np.asarray(layer["B"])
        h = NP_ACTS[act](pre, beta)
    return h


@pytest.mark.parametrize("layout", ["out_in", "in_out"])
def test_the_imported_model_decodes_the_glyphs_as_the_student_s_code_does(tmp_path, layout):
    raw = student_network(layout)
    x = font_dataset().x.astype(np.float64)
    trained, net = import_network(raw, str(tmp_path / "net.json"), tmp_path / "model")
    assert net.layout == layout and net.how == "read from the shapes"
    model, exp, meta = load_model(tmp_path / "model")
    assert exp.model.full_layers == tuple(SIZES)
    assert (exp.model.hidden_activation, exp.model.latent_activation, exp.model.output_activation) == \
        ("tanh", "identity", "sigmoid")
    codes = forward(raw, x, layout, 0, 2)
    assert np.allclose(latent.encode(model, x), codes, atol=1e-4)
    theirs = forward(raw, x, layout)
    ours = latent.reconstruct(model, x)
    assert np.allclose(ours, theirs, atol=1e-5)
    sure = np.abs(theirs - 0.5) > 1e-3        # float32 against float64: a pixel at 0.5 may go either way
    assert sure.mean() > 0.95 and ((ours >= 0.5) == (theirs >= 0.5))[sure].all()
    # Any point of their latent map: their decoder's pixels.
    z = np.random.default_rng(1).uniform(codes.min(0), codes.max(0), (50, 2))
    assert np.allclose(latent.decode_points(model, z), forward(raw, z, layout, 2), atol=1e-5)
    wrong = ((theirs >= 0.5) != (x >= 0.5)).sum(1)
    assert meta["metrics"]["max_wrong_pixels"] == wrong.max()
    opened = open_trained(tmp_path / "model")
    assert opened.codes().shape == (32, 2)


def test_a_slope_written_with_each_activation_is_the_model_s_slope(tmp_path):
    raw = student_network("out_in", beta=0.5)
    x = font_dataset().x.astype(np.float64)
    _trained, net = import_network(raw, str(tmp_path / "net.json"), tmp_path / "model")
    model, exp, _meta = load_model(tmp_path / "model")
    assert exp.model.slope == 0.5
    assert np.allclose(latent.reconstruct(model, x), forward(raw, x, "out_in", beta=0.5), atol=1e-5)


def test_square_weights_need_the_layout_stated(tmp_path):
    sizes, acts = [35, 35, 35], ["tanh", "sigmoid"]
    raw = student_network("in_out", sizes, acts)
    with pytest.raises(ConfigError) as err:
        read_student_network(raw, "net.json")
    assert "square" in str(err.value) and '"w_layout"' in str(err.value)
    net = read_student_network({**raw, "w_layout": "in_out"}, "net.json")
    assert net.layout == "in_out" and net.how == "as the file states"
    assert np.array_equal(net.weights[0][0], np.asarray(raw["layers"][0]["W"]))


@pytest.mark.parametrize("edit, problem", [
    (lambda r: r["layers"][1].update(W=np.zeros((2, 7)).tolist()), "do not chain"),
    (lambda r: r["layers"][1].update(W=np.zeros((3, 7)).tolist()), "layers[1]: has 2 biases but its W is 3x7"),
    (lambda r: r["layers"][1].update(B=[0.0, 0.0, 0.0], units=3), "layers[1]: has 3 biases but its W is 2x20"),
    (lambda r: r["layers"][3].update(activation="softmax"), "layers[3].activation: 'softmax' has no aegui"),
    (lambda r: r["layers"][3].update(activacion=r["layers"][3].pop("activation") and "soft-max"),
     "layers[3].activacion: 'soft-max' has no aegui"),
    (lambda r: r["layers"][0].pop("B"), "no biases"),
    (lambda r: r["layers"][0].update(units=19), "says 19 units"),
    (lambda r: r["layers"][0].update(activation="relu"), "one hidden activation"),
    (lambda r: r.update(w_layout="sideways"), '"out_in"'),
    (lambda r: r["layers"][2].update(W=[[1.0, "x"]]), "layers[2].W: expected a matrix of numbers"),
    (lambda r: r["layers"][2].update(B=[1.0, float("nan")]), "finite numbers"),
])
def test_what_cannot_be_read_is_refused_naming_where(edit, problem):
    raw = json.loads(json.dumps(student_network("out_in")))
    edit(raw)
    with pytest.raises(ConfigError) as err:
        read_student_network(raw, "net.json")
    assert problem in str(err.value) and str(err.value).startswith("net.json: ")
