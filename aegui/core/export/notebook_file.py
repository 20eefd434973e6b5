"""The .ipynb format: the .py script's model as a Jupyter notebook (nbformat 4.5), its weights and
data in the same .npz beside it. The code is the script's (script.py: its constants and its parts,
one code cell a part), each part under a markdown cell that explains it; in place of the script's
command line, a cell that prints `aegui eval`'s numbers, a latent plot (matplotlib) of the codes of
the data, and with `train` the training loop run and its loss drawn.

The notebook is written as JSON here, not through the nbformat package: the packaged app exports
notebooks without it (the tests validate what is written with nbformat and execute it)."""
from __future__ import annotations

import json

from aegui.core.export import script as S
from aegui.core.export import training_source as T
from aegui.core.export.formats import Format, register
from aegui.core.export.script_file import NumpyExport, check_npz, numpy_export, write_with_npz
from aegui.core.export.target import Exported
from aegui.core.schema.kinds import kind_of

IMPORTS = ("import json", "from pathlib import Path", "from types import SimpleNamespace", "",
           "import matplotlib.pyplot as plt", "import numpy as np")
# Above this many classes the latent plot's dots are not coloured by label: colours stop telling them apart.
MAX_COLOURED_CLASSES = 20
# Up to this many samples, each is drawn as its label's text when they are not coloured by class.
MAX_WRITTEN_LABELS = 100
# Cell tags a reader (and the tests) can find the cells by.
EVALUATION_TAG, LATENT_TAG, TRAINING_TAG = "evaluation", "latent-plot", "training"

EVALUATE = '''# noise: None, or "salt_pepper", "bit_flip" or "gaussian" to corrupt the inputs first; noise,
# level, repeats and seed are what `aegui eval --noise --level --repeats --seed` takes.
settings = SimpleNamespace(noise=None, level=0.1, repeats=10, seed=0)
result = evaluate(p, x, labels, held_out, settings)
result.update(EXTRA)
print(json.dumps(result))'''

TRAIN = '''TRAIN_SEED = 0      # of the fresh weights and of every random draw of the loop
trained, losses = train(x, EPOCHS, TRAIN_SEED)
result = {"trained": {"epochs": EPOCHS, "seed": TRAIN_SEED, "first_loss": losses[0] if losses else None,
                      "last_loss": losses[-1] if losses else None}}
result.update(evaluate(trained, x, labels, held_out, settings))
result.update(EXTRA)
print(json.dumps(result))'''

LOSS_PLOT = '''fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(np.arange(1, len(losses) + 1), losses)
ax.set_xlabel("epoch")
ax.set_yscale("log")
ax.set_ylabel("loss (before the epoch's step)")
ax.set_title("Training from scratch")
plt.show()'''


def _cell(kind: str, text: str, tags: tuple[str, ...] = ()) -> dict:
    lines = text.strip("\n").splitlines(keepends=True)
    cell = {"cell_type": kind, "metadata": {"tags": list(tags)} if tags else {}, "source": lines}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _md(*paras: str) -> dict:
    return _cell("markdown", "\n\n".join(p for p in paras if p))


def _code(*blocks: str, tags: tuple[str, ...] = ()) -> dict:
    return _cell("code", "\n\n\n".join(b.strip("\n") for b in blocks), tags)


def _bullets(items) -> str:
    return "\n".join(f"- {item}" for item in items)


def _labels(pack) -> list[str]:
    if pack.text_rows:
        return [label for label, _ in pack.text_rows]
    return [str(label) for label in pack.arrays["data.labels"]]


def _plane(dim: int) -> tuple[str, str]:
    """How the codes become two coordinates: what the markdown says and the code that does it."""
    if dim == 1:
        return ("The code has one value: it is drawn across, the sample's number up.",
                "plane = np.column_stack([codes[:, 0], np.arange(len(codes))])\n"
                'axis_names = ("code value", "sample")')
    if dim == 2:
        return ("The code has two values, drawn as they are.",
                'plane = codes\naxis_names = ("code value 1", "code value 2")')
    return (f"The code has {dim} values: drawn are its first two principal components, computed with numpy. "
            "The codes less their mean are projected on the two directions along which they spread most (the "
            "eigenvectors of largest eigenvalue of their scatter matrix); each axis says its share of the spread.",
            "# The scatter matrix's eigenvectors, largest eigenvalue (spread) first.\n"
            "centred = codes.astype(np.float64) - codes.mean(axis=0)\n"
            "spread, directions = np.linalg.eigh(centred.T @ centred)\n"
            "spread, directions = spread[::-1].clip(0), directions[:, ::-1]\n"
            "plane = centred @ directions[:, :2]\n"
            "share = spread / max(spread.sum(), 1e-30)\n"
            'axis_names = (f"principal component 1 ({share[0]:.0%} of the spread)",\n'
            '              f"principal component 2 ({share[1]:.0%} of the spread)")')


def _marks(pack) -> tuple[str, str]:
    """How each sample is drawn: what the markdown says and the code that draws it."""
    labels = _labels(pack)
    classes = len(set(labels))
    written = ("ax.scatter(plane[:, 0], plane[:, 1], s=4, color=\"lightgray\")\n"
               "for (u, v), label in zip(plane, labels):\n"
               "    ax.annotate(label, (u, v), ha=\"center\", va=\"center\", fontsize=10, parse_math=False)")
    if pack.text_rows:
        return "Each glyph is written as its label: the glyphs the model finds alike sit close together.", written
    if 1 < classes <= MAX_COLOURED_CLASSES:
        return (f"Each sample is a dot coloured by its label ({classes} classes).",
                "names = np.array(labels)\n"
                f"colours = plt.get_cmap(\"{'tab10' if classes <= 10 else 'tab20'}\")\n"
                "for k, name in enumerate(sorted(set(labels))):\n"
                "    mine = names == name\n"
                "    ax.scatter(plane[mine, 0], plane[mine, 1], s=6, color=colours(k), label=name)\n"
                "ax.legend(title=\"label\", markerscale=2, fontsize=8)")
    if len(labels) <= MAX_WRITTEN_LABELS:
        return "Each sample is written as its label.", written
    why = "all of them alike" if classes <= 1 else f"{classes} of them, too many to colour apart"
    return f"Each sample is a dot (its labels: {why}).", "ax.scatter(plane[:, 0], plane[:, 1], s=4)"


def latent_plot(exp, pack) -> list[dict]:
    """The latent plot's markdown and code cells: the code of every sample of the data, in 2-D."""
    dim = exp.model.latent_dim
    how, plane = _plane(dim)
    said, marks = _marks(pack)
    means = ", a VAE's means" if kind_of(exp.model).samples_codes else ""
    code = ("codes = encode(p, x)\n" + plane + "\n"
            "fig, ax = plt.subplots(figsize=(7, 7))\n" + marks + "\n"
            "ax.set_xlabel(axis_names[0])\nax.set_ylabel(axis_names[1])\n"
            'ax.set_title(f"The codes of the {len(x)} samples of {DATASET}")\nplt.show()')
    return [_md("## The latent space",
                f"The code of each of the {pack.stored} samples (`encode()` of the saved weights{means}), "
                f"drawn in two dimensions. {how} {said}"),
            _code(code, tags=(LATENT_TAG,))]


def _head(out: NumpyExport, exp, train: bool) -> dict:
    """The first cell: what the notebook is and how to run it."""
    title = " ".join(out.name.split()) or "model"
    about = S.about(out.name, exp, out.plan, out.pack, out.npz.name, out.version)
    run = (f"Run it top to bottom (*Run All*, or `jupyter nbconvert --to notebook --execute {out.target.name}`) "
           f"with numpy and matplotlib alone (no aegui, no torch), {out.npz.name} beside it. The evaluation "
           f"cell prints one JSON line: the {S.measured(out.pack)}, the numbers `aegui eval` prints for the "
           "model; set its `noise` to see them for noisy inputs. The latent plot draws the code of every sample.")
    if train:
        run += (" The last cells train the same network from fresh weights (full batch, Adam, the model's "
                "loss), then print its first and last loss and the numbers of the weights it learnt.")
    return _md(f"# {title}", *about, run, *S.notes(exp, out.plan, "notebook"))


ABOUT = {
    "data": "## The data\n\nThe glyphs aegui evaluates the model on, each its label and its rows of pixels, "
            "written out as text ('#' is ink); load_data() below turns them into the values `aegui eval` reads.",
    "layers": "## The layers\n\nOne numpy function a kind of layer the network uses; each computes what its "
              "torch layer in aegui computes, in float32.",
    "activations": "## The activations\n\nThe functions applied to the layers' outputs. tanh and sigmoid read "
                   "SLOPE, the model's slope.",
    "network": "## The network\n\n`encode()` and `decode()`, one line a layer; the comment beside a line says "
               "what it maps. `p` holds the weights by their names in aegui.",
    "loading": "## The weights and the data\n\nRead from the .npz beside this notebook with "
               "`np.load(..., allow_pickle=False)`: nothing is unpickled.",
    "evaluation": "## The evaluation\n\nWhat `aegui eval` computes for the model, with the same options and "
                  "the same JSON keys, so the two can be compared number for number.",
    "training": "## Training from scratch\n\nThe same network trained from fresh weights on all the data at "
                "once (full batch, Adam, the model's loss), backpropagation written out layer by layer.",
}

LOAD = '''p = load_weights()
x, labels, held_out = load_data()
print(f"{len(p)} weight arrays; {len(x)} samples of {x.shape[1]} values")'''


def _part_cells(part, exp, train: bool) -> list[dict]:
    about = ABOUT[part.key]
    if part.key == "training":
        left = T.notes(exp)
        if left:
            about += "\n\nWhat the loop leaves out of how aegui trained it:\n\n" + _bullets(left)
    cells = [_md(about), _code(*part.blocks, *((LOAD,) if part.key == "loading" else ()))]
    if part.key == "evaluation":
        cells.append(_code(EVALUATE, tags=(EVALUATION_TAG,)))
    if part.key == "training":
        cells += [_code(TRAIN, tags=(TRAINING_TAG,)), _code(LOSS_PLOT)]
    return cells


def notebook(out: NumpyExport, exp, train: bool) -> dict:
    """The notebook, as nbformat 4.5's JSON holds it."""
    weights = f"Path({out.npz.name!r})  # beside this notebook: Jupyter runs a notebook in its own folder"
    cells = [_head(out, exp, train),
             _code(S.constants(exp, out.plan, out.pack, IMPORTS, weights, "notebook"))]
    for part in S.parts(exp, out.plan, out.pack, train):
        cells += _part_cells(part, exp, train)
        if part.key == "evaluation":
            cells += latent_plot(exp, out.pack)
    for i, cell in enumerate(cells, 1):
        cell["id"] = f"cell-{i}"
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}}}


def write_notebook(model, exp, dataset, path, train: bool = False, name: str | None = None) -> Exported:
    """Write the notebook of a K = 1 network `model` with its Experiment and the dataset it is
    evaluated on (what `aegui eval` reads) to `path` (.ipynb) and its weights and data to the .npz
    of the same name, as one set. ExportError for a target or model it cannot write (nothing is
    written then)."""
    out = numpy_export(model, exp, dataset, path, train, name)
    text = json.dumps(notebook(out, exp, train), indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    return write_with_npz(out, text)


register(Format(".ipynb", "Jupyter notebooks", write_notebook, check_npz))
