"""The exported script's text, put together from a Plan (the network), a DataPack (its data) and
the model's config: a docstring that says what it is and how to run it, the data, one function
per layer kind and activation the network uses, encode() and decode() written out layer by layer,
the evaluation of `aegui eval`, and with --train the training loop.

What the script says of the model (about, notes), its constants and its code between them (parts:
one Part a section) are the notebook's too (notebook_file.py), which lays the same parts out as
cells; only the script's docstring, its section comments and its command line are its own."""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from aegui.core.export import evaluation_source as E
from aegui.core.export import layer_source as L
from aegui.core.export import training_source as T
from aegui.core.schema.kinds import kind_of

WIDTH = 100                 # the script's docstring is wrapped to this many columns


@dataclass(frozen=True)
class Part:
    """A part of the exported code: the script writes its blocks under a section comment (its
    heading; None: the previous section goes on), the notebook as a code cell under a markdown
    cell of its own that `key` picks."""
    key: str                    # "data", "layers", "activations", "network", "loading", "evaluation", "training"
    heading: str | None
    blocks: tuple[str, ...]     # the code: a function or a few statements each


def forward_only(word: str) -> str:
    """What a convolutional model's export says of itself; `word` is "script" or "notebook"."""
    return f"forward only: a convolutional model's {word} runs the trained network and has no training loop"


def _sizes(spec, plan) -> str:
    if plan.dense_only:
        return " -> ".join(str(n) for n in spec.full_layers)
    shape = "x".join(str(s) for s in spec.image_shape)
    return f"{shape} images -> a code of {spec.latent_dim} values -> {shape} images"


def _activations_said(spec) -> str:
    slope = f", slope {spec.slope:g}" if spec.slope != 1.0 else ""
    return (f"{spec.hidden_activation} hidden layers, {spec.latent_activation} code, "
            f"{spec.output_activation} output{slope}")


def _data_said(pack) -> str:
    if pack.text_rows:
        h, w = pack.shape[:2]
        return (f"the {pack.total} glyphs of {pack.name} ({w} wide, {h} tall) that aegui evaluates it on, "
                "written out in GLYPHS below ('#' is ink)")
    shape = "x".join(str(s) for s in pack.shape)
    where = "the .npz beside this file (data.x, data.labels" + (", data.is_val" if pack.has_validation else "") + ")"
    if pack.sampled:
        return (f"{pack.stored} of the {pack.total} samples ({shape}) of {pack.name}, spread evenly over them, "
                f"in {where}: the whole set was too large to store, so the numbers printed are those of this "
                "part and differ a little from `aegui eval`'s, which reads all of it")
    return f"the {pack.total} samples ({shape}) of {pack.name} that aegui evaluates it on, in {where}"


def _a(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _wrap(text: str) -> str:
    return textwrap.fill(text, WIDTH, break_long_words=False, break_on_hyphens=False)


def about(name: str, exp, plan, pack, npz_name: str, version: str) -> list[str]:
    """What the export is, one paragraph each (unwrapped): the model, its network, its data."""
    spec = exp.model
    kind = kind_of(spec)
    return [f"{name}: {_a(kind.noun or kind.label + ' autoencoder')}, {plan.what}, exported from aegui {version} "
            "as plain numpy.",
            f"The network: {_sizes(spec, plan)} ({_activations_said(spec)}), written out layer by layer in "
            f"encode() and decode() below. Its weights are in {npz_name} beside this file, "
            "by their names in aegui, read with np.load(..., allow_pickle=False). "
            f"The data: {_data_said(pack)}."]


def measured(pack) -> str:
    """What the evaluation counts, as its output is described."""
    return "wrong pixels of every glyph's reconstruction" if pack.glyphs else "squared error of the reconstructions"


def notes(exp, plan, word: str) -> list[str]:
    """What a reader should know of how the export runs the model, one paragraph each."""
    spec = exp.model
    out = []
    if not plan.dense_only:
        out.append(f"This {word} is {forward_only(word)}.")
    if kind_of(spec).samples_codes:
        out.append("A VAE: its encoder gives a mean and a log-variance per code value; outside training the "
                   "code is the mean (as aegui reconstructs and evaluates), so the output is deterministic.")
    if spec.dropout:
        out.append(f"Dropout ({spec.dropout:g}) acts only while training: evaluation keeps every unit, as here.")
    return out


def docstring(name: str, exp, plan, pack, script: Path, train: bool, version: str) -> str:
    run = f"python {script.name}"
    paras = about(name, exp, plan, pack, script.with_suffix(".npz").name, version)
    usage = ["Run it with Python and numpy alone (no aegui, no torch):",
             f"    {run}",
             f"        prints one JSON line: the {measured(pack)},",
             "        the numbers `aegui eval` prints for the model",
             f"    {run} --noise salt_pepper --level 0.1 --repeats 10 --seed 0",
             "        the same of noisy inputs, as `aegui eval` with the same options"]
    if train:
        usage += [f"    {run} --train --epochs {exp.train.epochs}",
                  "        first trains the same network from fresh weights (full batch, Adam, the",
                  "        model's loss), then prints its first and last loss and the numbers of the",
                  "        weights it learnt"]
    said = notes(exp, plan, "script")
    text = "\n\n".join([_wrap(p) for p in paras] + ["\n".join(usage)] + [_wrap(n) for n in said])
    left = T.notes(exp) if train else []
    if left:
        text += "\n\nWhat the training loop leaves out of how aegui trained it:\n" + "\n".join(
            textwrap.fill(n, WIDTH, initial_indent="  - ", subsequent_indent="    ") for n in left)
    # A name is the user's text: a backslash or three quotes in it must not end or bend the docstring.
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return '"""' + text + '\n"""\n'


SCRIPT_IMPORTS = ("import argparse", "import json", "import sys", "from pathlib import Path", "", "import numpy as np")


def constants(exp, plan, pack, imports, weights: str, word: str) -> str:
    """The imports and the settings the code reads, for an export that calls itself `word` and
    finds its .npz by the expression `weights`."""
    spec = exp.model
    extra = {}
    if not plan.dense_only:
        extra.update(forward_only=True, note=f"this {word} is {forward_only(word)}")
    if pack.sampled:
        extra.update(sample_of=pack.total)
    lines = ["", *imports, "", f"WEIGHTS = {weights}",
             f"DATASET = {pack.name!r}",
             f"SLOPE = {float(spec.slope)!r}            # of every tanh and sigmoid: tanh(SLOPE x)"]
    if pack.glyphs:
        lines.append(f"FLIP_CONFIDENCE = {float(spec.flip_confidence)!r}  # above 0.5: keep input pixels "
                     "the model is unsure of")
    lines += [f"# Printed with the numbers: what a reader of the output should know of this {word}.",
              f"EXTRA = {extra!r}"]
    return "\n".join(lines) + "\n"


def _section(title: str) -> str:
    return f"# {'-' * 64} {title}\n"


def _glyphs(pack) -> str:
    rows = "".join(f"    ({label!r}, {text!r}),\n" for label, text in pack.text_rows)
    h, w = pack.shape[:2]
    return f"# Each glyph: its label and its {h} rows of {w} pixels, top to bottom, '#' for ink.\nGLYPHS = [\n{rows}]"


def _layers(plan) -> list[str]:
    return [L.LAYERS[k][0] for k in plan.kinds if L.LAYERS[k][0]]


def _activations(plan, train: bool, exp) -> list[str]:
    # identity is written as no call at all; only the training loop's table names it.
    acts = [a for a in plan.activations if train or a != "identity"]
    if train and exp.train.loss == "bce" and "sigmoid" not in acts:
        acts.append("sigmoid")      # the cross-entropy's gradient is written with it
    act_blocks = [L.ACTIVATIONS[a][0] for a in acts]
    if train:
        act_blocks += [L.ACTIVATIONS[a][1] for a in acts]
        names = ", ".join(f'"{a}": {a}' for a in acts)
        grads = ", ".join(f'"{a}": {a}_grad' for a in acts)
        act_blocks.append(f"ACTIVATION = {{{names}}}\nACTIVATION_GRAD = {{{grads}}}")
    return act_blocks


def _function(signature: str, doc: str, start: str, ops) -> str:
    lines = [f"def {signature}:", f'    """{doc}"""', f"    h = {start}"]
    for op in ops:
        note = f"  # {op.note}" if op.note else ""
        if op.activation == "identity":
            note += " (no activation)"
        lines.append(f"    h = {L.call(op)}{note}")
    return "\n".join(lines + ["    return h"])


def network(plan) -> list[str]:
    head = ""
    if not plan.dense_only:
        head = "# Maps are [N, channels, height, width]; a comment's CxHxW is one sample's map.\n"
    return [head + _function("encode(p, x)", "Codes of the samples x [N, D]: the encoder, "
                                                "one line a layer.", "x", plan.encoder),
            _function("decode(p, z)", "Outputs [N, D] of the codes z [N, L]: the decoder, one line a layer.",
                      "z", plan.decoder),
            'def reconstruct(p, x):\n    """The model\'s output for inputs x: decode(encode(x))."""\n'
            "    return decode(p, encode(p, x)).astype(np.float32)"]


def parts(exp, plan, pack, train: bool) -> list[Part]:
    """The code between the constants and the command line, in order: the data (glyphs written
    as text), the layers, the activations, the network, loading the weights and data, the
    evaluation, and with `train` the training loop."""
    out = [Part("data", "the data", (_glyphs(pack),))] if pack.text_rows else []
    out.append(Part("layers", "the layers", tuple(_layers(plan))))
    acts = _activations(plan, train, exp)
    if acts:
        out.append(Part("activations", "the activations", tuple(acts)))
    out.append(Part("network", "the network", tuple(network(plan))))
    out.append(Part("loading", "data and evaluation", (E.WEIGHTS, E.GLYPH_DATA if pack.text_rows else E.STORED_DATA)))
    keep = (E.KEEP_SURE,) if pack.glyphs and exp.model.flip_confidence > 0.5 else ()
    out.append(Part("evaluation", None, (L.NOISE, *keep, E.GLYPH_EVAL if pack.glyphs else E.IMAGE_EVAL)))
    if train:
        out.append(Part("training", "training from scratch (--train)", (T.constants(plan, exp), T.LOOP)))
    return out


def build(name: str, exp, plan, pack, script: Path, train: bool, version: str) -> str:
    """The whole script's text."""
    weights = f'Path(__file__).with_name("{script.with_suffix(".npz").name}")'
    head = "#!/usr/bin/env python3\n" + docstring(name, exp, plan, pack, script, train, version) + \
        constants(exp, plan, pack, SCRIPT_IMPORTS, weights, "script")
    blocks = [head.rstrip("\n")]
    for part in parts(exp, plan, pack, train):
        code = [b.strip("\n") for b in part.blocks]
        if part.heading:
            code[0] = _section(part.heading) + code[0]
        blocks += code
    main = E.MAIN_HEAD.strip("\n") + "\n" + (E.MAIN_TRAIN_ARGS if train else "") + E.MAIN_BODY
    blocks.append(main)
    return "\n\n\n".join(b.strip("\n") for b in blocks) + "\n"
