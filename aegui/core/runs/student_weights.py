"""A network a student trained with their own code and saved as JSON (a list of layers, each with
its units, activation, weights W and biases B) made an aegui model: the same weights in
model.safetensors with its sidecar, so its author can explore the latent map of what they trained.

W is written [out, in] by some (W @ x) and [in, out] by others (x @ W): which one is read from the
shapes, layer after layer (each layer's units, the size the layer before it gives). A network whose
every W is square fits both; then the file says which with "w_layout": "out_in" or "in_out", or
it is refused. aegui stores W as [in, out] (models/layers.Slot.weight_shape).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aegui.core.schema.experiment import (ACTIVATIONS, SLOPED_ACTIVATIONS, ConfigError, Experiment, ModelSpec, shown,
                                          whole)
from aegui.core.config.student_rules import LOGISTIC, normalize, synonym

_LIST_KEYS = ("layers", "network", "capas", "red", "model")
_W_KEYS = ("w", "weights", "weight", "pesos", "kernel")
_B_KEYS = ("b", "bias", "biases", "sesgo", "sesgos")
_UNIT_KEYS = ("units", "size", "neurons", "n_units", "neuronas", "unidades")
_ACT_KEYS = ("activation", "activation_fn", "activation_function", "act", "activacion", "funcion_activacion")
_LAYOUT_KEYS = ("w_layout", "weight_layout", "w_shape", "weights_layout", "convention")
LAYOUTS = {"out_in": "out_in", "out_x_in": "out_in", "outputs_inputs": "out_in", "w_x": "out_in",
           "in_out": "in_out", "in_x_out": "in_out", "inputs_outputs": "in_out", "x_w": "in_out"}


@dataclass
class StudentNetwork:
    """What the file holds, read: aegui's spec and each layer's (W [in, out], b [out])."""
    spec: ModelSpec
    weights: list[tuple[np.ndarray, np.ndarray]]
    layout: str                  # how the file wrote W: "out_in" or "in_out"
    how: str                     # how the layout was decided, for the table


def _low(d: dict) -> dict:
    return {normalize(k): v for k, v in d.items()}


def _layer_dicts(raw):
    """The file's list of layer objects, or None when it is not a saved network."""
    if isinstance(raw, dict):
        low = _low(raw)
        raw = next((low[k] for k in _LIST_KEYS if isinstance(low.get(k), list)), None)
    if not isinstance(raw, list) or not raw or not all(isinstance(x, dict) for x in raw):
        return None
    return raw if all(any(k in _W_KEYS for k in _low(x)) for x in raw) else None


def is_student_network(raw) -> bool:
    """A JSON document that is a network's weights (a list of layers with W), not a config."""
    return _layer_dicts(raw) is not None


def _array(where: str, value, dims: int, source) -> np.ndarray:
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ConfigError(where, f"expected a {'matrix' if dims == 2 else 'list'} of numbers", source) from None
    if dims == 1 and a.ndim == 2 and 1 in a.shape:
        a = a.reshape(-1)            # a bias written [1, n] or [n, 1]
    if a.ndim != dims or a.size == 0 or not np.isfinite(a).all():
        raise ConfigError(where, f"expected a {'matrix (list of rows)' if dims == 2 else 'list'} of finite "
                          f"numbers; got one of shape {a.shape}", source)
    return a


def _chain(ws, units, layout: str):
    """The layer sizes, input first, when every W fits `layout` one after the other; else None."""
    sizes = []
    for w, n in zip(ws, units):
        out_, in_ = w.shape if layout == "out_in" else w.shape[::-1]
        if out_ != n or (sizes and in_ != sizes[-1]):
            return None
        sizes = sizes or [in_]
        sizes.append(out_)
    return sizes


def read_student_network(raw, source: str | None = None) -> StudentNetwork:
    """The spec and weights of a student's saved network; ConfigError naming the layer for what
    cannot be read or has no aegui equivalent."""
    layers = _layer_dicts(raw)
    if layers is None:
        raise ConfigError("(top level)", "not a saved network: expected a list of layers, each with its "
                          "weights W and biases B", source)
    ws, bs, units, acts = [], [], [], []
    for i, layer in enumerate(layers):
        low, where = _low(layer), f"layers[{i}]"
        written = {normalize(k): k for k in layer}
        w_key = next(k for k in _W_KEYS if k in low)
        b_key = next((k for k in _B_KEYS if k in low), None)
        if b_key is None:
            raise ConfigError(where, "has weights but no biases (B)", source)
        ws.append(_array(f"{where}.{written[w_key]}", low[w_key], 2, source))
        bs.append(_array(f"{where}.{written[b_key]}", low[b_key], 1, source))
        n = next((low[k] for k in _UNIT_KEYS if k in low), len(bs[-1]))
        if not whole(n) or n != len(bs[-1]):
            raise ConfigError(where, f"says {shown(n)} units but has {len(bs[-1])} biases", source)
        units.append(n)
        act_key = next((k for k in _ACT_KEYS if k in low), None)
        acts.append(_activation(f"{where}.{written[act_key]}" if act_key else where, low.get(act_key), source))
    layout, how = _layout(raw, ws, units, source)
    sizes = _chain(ws, units, layout)
    if sizes[0] != sizes[-1]:
        raise ConfigError("layers", f"the network maps {sizes[0]} inputs to {sizes[-1]} outputs; an "
                          "autoencoder gives back as many as it takes", source)
    if len(sizes) < 3:
        raise ConfigError("layers", "an autoencoder has at least two layers (encoder and decoder)", source)
    spec = _spec(sizes, acts, source)
    weights = [(w.T if layout == "out_in" else w, b) for w, b in zip(ws, bs)]
    return StudentNetwork(spec, weights, layout, how)


def _activation(where: str, value, source):
    """(aegui's name, slope) of a layer's activation: "tanh", or {"function": "tangent", "beta": 2}."""
    beta = 1.0
    if isinstance(value, dict):
        low = _low(value)
        beta = low.get("beta", low.get("slope", 1.0))
        value = next((low[k] for k in ("function", "name", "type", "fn") if k in low), None)
        if isinstance(value, str) and normalize(value, False) in LOGISTIC:
            beta = 2 * beta          # the course's logistic 1/(1+e^(-2βx)) is sigmoid(2βx)
    if value is None:
        raise ConfigError(where, "names no activation; give one such as \"tanh\"", source)
    if not isinstance(value, str):
        raise ConfigError(where, f"an activation is a name such as \"tanh\"; got {shown(value)}", source)
    name = synonym("activation", value)
    if name not in ACTIVATIONS:      # said here, naming the layer, rather than by the model's checks after
        raise ConfigError(where, f"{shown(value)} has no aegui equivalent; aegui's are "
                          f"{', '.join(ACTIVATIONS)}", source)
    return name, beta


def _layout(raw, ws, units, source) -> tuple[str, str]:
    stated = None
    if isinstance(raw, dict):
        low = _low(raw)
        given = next((low[k] for k in _LAYOUT_KEYS if k in low), None)
        if given is not None:
            stated = LAYOUTS.get(normalize(str(given), False))
            if stated is None:
                raise ConfigError("w_layout", f"is \"out_in\" (W[out][in], as W @ x) or \"in_out\" (W[in][out], "
                                  f"as x @ W); got {shown(given)}", source)
    fits = [layout for layout in ("out_in", "in_out") if _chain(ws, units, layout) is not None]
    if stated is not None:
        if stated not in fits:
            raise ConfigError("w_layout", f"says {stated}, but the layers' W do not chain that way", source)
        return stated, "as the file states"
    if len(fits) == 1:
        return fits[0], "read from the shapes"
    if not fits:
        for i, (w, n) in enumerate(zip(ws, units)):
            if n not in w.shape:     # its biases say how many units it has; its W has no side that long
                raise ConfigError(f"layers[{i}]", f"has {n} biases but its W is {w.shape[0]}x{w.shape[1]}; a layer "
                                  "has one bias per unit, and W one row (or column) per unit", source)
        first = ws[0].shape
        raise ConfigError("layers", f"the W shapes do not chain as [units, inputs] nor as [inputs, units] "
                          f"(the first is {first[0]}x{first[1]}); check the layers' order", source)
    raise ConfigError("layers", "every W is square, so its shape does not say whether it is written [out, in] "
                      "(W @ x) or [in, out] (x @ W); add \"w_layout\": \"out_in\" or \"in_out\" to the file",
                      source)


def _spec(sizes: list[int], acts: list[tuple[str, float]], source) -> ModelSpec:
    """One hidden activation for all hidden layers, the code's and the output's own: aegui's
    model has no other (a network that differs is refused: its function would change)."""
    latent = sizes.index(min(sizes[1:-1]))
    hidden = [a for i, (a, _b) in enumerate(acts) if i + 1 not in (latent, len(sizes) - 1)]
    if len(set(hidden)) > 1:
        raise ConfigError("layers", f"the hidden layers use {', '.join(dict.fromkeys(hidden))}; an aegui model "
                          "has one hidden activation", source)
    # model.slope scales every tanh and sigmoid unit alike; other units take no slope.
    slopes = {b for a, b in acts if a in SLOPED_ACTIVATIONS}
    if len(slopes) > 1:
        raise ConfigError("layers", f"its tanh and sigmoid layers use different slopes β "
                          f"({', '.join(map(str, sorted(slopes)))}); an aegui model has one", source)
    return ModelSpec(layers=tuple(sizes), mirror=False,
                     hidden_activation=hidden[0] if hidden else ModelSpec().hidden_activation,
                     latent_activation=acts[latent - 1][0], output_activation=acts[-1][0],
                     slope=float(slopes.pop()) if slopes else 1.0)


def student_experiment(net: StudentNetwork, name: str) -> Experiment:
    """The experiment the imported model is saved with: its spec, the course's font (Font3)."""
    from aegui.core.config.validation import validate
    return validate(Experiment(name=name, model=net.spec))


def make_model(net: StudentNetwork):
    """The K = 1 aegui network holding the student's weights."""
    import torch

    from aegui.core.archs import build_model
    model = build_model(net.spec, 1)
    names = [lay.name for lay in model.layers()]
    tensors = {}
    for name, (w, b) in zip(names, net.weights):
        tensors[f"{name}.weight"] = torch.as_tensor(w, dtype=torch.float32)
        tensors[f"{name}.bias"] = torch.as_tensor(b, dtype=torch.float32)
    model.load_named_weights(tensors)
    return model


def wrong_pixels(model, dataset) -> np.ndarray:
    """Wrong pixels per glyph of the model's reconstructions (threshold 0.5)."""
    from aegui.core.models import latent
    out = latent.reconstruct(model, dataset.x)
    return ((out >= 0.5) != (dataset.x >= 0.5)).sum(1)


def import_network(raw, source: str, out: Path, force: bool = False):
    """Save the student's network in `out` as an aegui model; returns (TrainedModel, StudentNetwork)."""
    from aegui.core.data.datasets import from_config
    from aegui.core.runs.outfolder import claimed
    from aegui.core.runs.trained import TrainedModel
    net = read_student_network(raw, source)
    exp = student_experiment(net, Path(source).stem)
    dataset = from_config(exp.data)
    if dataset.dim != net.spec.layers[0]:
        raise ConfigError("layers", f"the network takes {net.spec.layers[0]} inputs; the course's glyphs have "
                          f"{dataset.dim} pixels", source)
    model = make_model(net)
    wrong = wrong_pixels(model, dataset)
    metrics = {"max_wrong_pixels": int(wrong.max()), "mean_wrong_pixels": round(float(wrong.mean()), 6),
               "dataset": dataset.name, "samples": len(dataset), "imported_from": str(source),
               "w_layout": net.layout}
    trained = TrainedModel(exp.name, model, exp, dataset, metrics=metrics)
    with claimed(out, exp.to_dict(), force):
        trained.save(out)
    return trained, net
