"""The .html format: one self-contained web page of a trained model's latent map. It draws the codes
of the model's data as points with their labels (page_map.py) and decodes the point under the
mouse live, in the browser: the decoder's layers (plan.py's Plan, the one the .py script runs) are
run by plain JavaScript, its weights embedded as float32, so the picture drawn is aegui's to float
rounding. The page (resources/export/latent_map.html and .js, shipped with the other resources)
loads nothing from anywhere: no script, style sheet, font or picture outside the file.

A test hook: opened as FILE.html#probe=x,y;x,y..., the page moves the mouse to each map point in
turn and writes what it decoded there into its #probe-result element as JSON.
"""
from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

import numpy as np

from aegui.core.export.formats import Format, register
from aegui.core.export.plan import ExportError, plan_of
from aegui.core.export.target import Exported, check_target, write_files

# The decoder's layer kinds and activations latent_map.js runs (its LAYERS and ACTIVATIONS).
PAGE_LAYERS = ("dense", "conv2d", "deconv2d", "maxpool", "upsample", "batchnorm", "flatten", "unflatten",
               "to_rows")
PAGE_ACTIVATIONS = ("", "identity", "relu", "leaky_relu", "elu", "tanh", "sigmoid", "softplus", "cosh")
# A layer's tensors, by the suffix of their names in aegui (the JS reads them by the same words).
TENSORS = ("weight", "bias", "running_mean", "running_var")


def page_files() -> tuple[str, str]:
    """(the page's HTML template, its script), from the shipped resources."""
    from aegui.core.files.paths import resources_dir
    folder = resources_dir() / "export"
    return ((folder / "latent_map.html").read_text(encoding="utf-8"),
            (folder / "latent_map.js").read_text(encoding="utf-8"))


def decoder_layers(plan, name: str) -> tuple[list[dict], bytes]:
    """(the decoder's layers as the page's script reads them, their tensors as one run of
    little-endian float32). ExportError for a layer or activation the script has no version of."""
    layers, blob, offset = [], [], 0
    for op in plan.decoder:
        if op.kind not in PAGE_LAYERS or op.activation not in PAGE_ACTIVATIONS:
            what = f"a {op.kind} layer" if op.kind not in PAGE_LAYERS else f"the activation {op.activation}"
            raise ExportError(f"{name}: its decoder has {what}, which the web page cannot run yet; export it "
                              "as a .py script instead")
        layer = {"kind": op.kind, "act": op.activation or "identity", "note": op.note, "tensors": {}}
        for arg in op.args:
            if isinstance(arg, tuple) and len(arg) == 2 and isinstance(arg[0], str):
                layer[arg[0]] = list(arg[1])
            else:
                layer.setdefault("args", []).append(list(arg) if isinstance(arg, tuple) else arg)
        for suffix in TENSORS:
            tensor = plan.weights.get(f"{op.name}.{suffix}") if op.name else None
            if tensor is not None:
                layer["tensors"][suffix] = [offset, list(tensor.shape)]
                blob.append(np.ascontiguousarray(tensor, dtype="<f4").tobytes())
                offset += tensor.size
        layers.append(layer)
    return layers, b"".join(blob)


def _display(shape) -> str:
    """How the page draws a sample: grey as ink on white, RGB as it is, RGBA over white."""
    from aegui.core.data.display import is_gray
    return "gray" if is_gray(shape) else ("rgba" if shape[-1] == 4 else "rgb")


def _about(exp, plan, model, dataset) -> str:
    from aegui.core.schema.kinds import kind_of
    kind = kind_of(exp.model)
    noun = kind.noun or f"{kind.label} autoencoder"
    shape = "\u00d7".join(str(s) for s in dataset.shape)
    return (f"{noun[:1].upper() + noun[1:]}, {plan.what}, {model.latent_dim}-D code; "
            f"trained on {dataset.name}: {len(dataset):,} samples of {shape}")


def payload(model, exp, dataset, name: str, glyphs: bool) -> dict:
    """Everything the page's script reads: the model's name and what it is, the decoder and its
    weights, the latent map."""
    import aegui
    from aegui.core.export.page_map import latent_map
    from aegui.core.models.layer_kinds import BN_EPS
    plan = plan_of(model, name)
    layers, blob = decoder_layers(plan, name)
    notes = []
    if model.is_vae:
        notes.append("A VAE: the map shows each sample's mean code (\u03bc); decoding a point gives the mean "
                     "picture of that code, as aegui draws it.")
    return {"name": name, "about": _about(exp, plan, model, dataset), "version": aegui.__version__,
            "latent": int(model.latent_dim), "shape": [int(s) for s in dataset.shape],
            "display": _display(tuple(dataset.shape)), "slope": float(exp.model.slope), "bn_eps": float(BN_EPS),
            "layers": layers, "weights": base64.b64encode(blob).decode("ascii"),
            "map": latent_map(model, dataset, glyphs, name).to_json(), "notes": notes}


def script_json(data: dict) -> str:
    """`data` as JSON safe inside a <script> element and free of any "http://": a '<', or a '/'
    right after a ':', only occurs inside its strings, where \\u003c and \\/ read back as they
    were (base64 has neither, so the weights cost nothing more)."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(":/", ":\\/")


def build(data: dict) -> str:
    """The page's text: the template with its title, script and data put in."""
    template, script = page_files()
    title = html.escape(data["name"]).replace("/", "&#47;")
    parts = {"TITLE": title, "SCRIPT": script, "MODEL": script_json(data)}
    # One pass, so nothing put in is read again for markers.
    return re.sub(r"@@(TITLE|SCRIPT|MODEL)@@", lambda m: parts[m.group(1)], template)


def write_page(model, exp, dataset, path, train: bool = False, name: str | None = None) -> Exported:
    """Write the web page of a K = 1 network `model` with its Experiment and the dataset whose codes
    it maps to `path` (.html). ExportError for a target or model it cannot write (nothing is
    written then)."""
    from aegui.core.data.sources import reads_glyphs
    target = check_target(path)
    name = name or exp.name
    if train:
        raise ExportError(f"{target}: a web page decodes the trained model and has no training loop; export "
                          "it without --train, or to a .py script for one")
    data = build(payload(model, exp, dataset, name, reads_glyphs(exp.data))).encode("utf-8")
    write_files(Path(target), f"{target.stem}.export", {target.name: data})
    return Exported(target, None, len(data), 0, True)


register(Format(".html", "Web pages", write_page))
