"""A trained network as a list of plain layers (Ops) that a numpy script can run one by one.

Each built-in network (models/mlp_net.py, conv_net.py, local_net.py, convlayers_net.py) has its
planner here, found by the network's class: the planner reads the layer layout the network itself
runs (its slots, blocks or steps), so the script computes what the network computes. Only the
forward pass of evaluation is planned: dropout drops nothing and batch-norm uses its running
statistics, as outside `Network.dropping`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


class ExportError(ValueError):
    """A model or target the export cannot use; the message is one sentence naming it."""


@dataclass(frozen=True)
class Op:
    """One line of the script's network: `kind` is the script's function for it (see
    layer_source.LAYERS), `name` the weights' prefix in the .npz ("" for a layer without weights),
    `args` its other arguments as written, `activation` the function applied to its output ("" for
    none) and `note` the comment beside it (the shapes it maps)."""
    kind: str
    name: str = ""
    args: tuple = ()
    activation: str = ""
    note: str = ""


@dataclass
class Plan:
    encoder: list[Op]
    decoder: list[Op]
    dense_only: bool                    # a fully connected network: --train can write its training loop
    what: str                           # "fully connected" / "convolutional (...)"
    weights: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys(op.kind for op in self.encoder + self.decoder))

    @property
    def activations(self) -> list[str]:
        return list(dict.fromkeys(op.activation for op in self.encoder + self.decoder if op.activation))


def _code_ops(model) -> list[Op]:
    """What Network.encode does after the encoder's layers: a VAE's means, a k-sparse code's top k."""
    ops = []
    if model.is_vae:
        ops.append(Op("means", args=(model.latent_dim,),
                      note=f"the means: the code outside training (the other {model.latent_dim} "
                           "values are log-variances)"))
    if model.top_k:
        ops.append(Op("keep_top_k", args=(model.top_k,),
                      note=f"k-sparse code: each sample keeps its {model.top_k} largest values, the rest are 0"))
    return ops


def _mlp(model) -> tuple[list[Op], list[Op]]:
    enc = [Op("dense", s.name, activation=s.activation, note=f"{s.fan_in} -> {s.fan_out}")
           for s in model.enc_slots]
    dec = [Op("dense", s.name, activation=s.activation, note=f"{s.fan_in} -> {s.fan_out}")
           for s in model.dec_slots]
    if enc:
        said = ": means and log-variances" if model.is_vae else ": the code"
        enc[-1] = Op("dense", enc[-1].name, activation=enc[-1].activation, note=enc[-1].note + said)
    dec[-1] = Op("dense", dec[-1].name, activation=model.output_activation, note=dec[-1].note + ": the output")
    return enc + _code_ops(model), dec


def _maps(c, h, w) -> str:
    return f"{c}x{h}x{w}"


def _conv(model) -> tuple[list[Op], list[Op]]:
    """conv_net.ConvAutoencoder: 4x4 stride-2 convolutions (padding 1), a dense code, and the
    mirror back with transposed convolutions."""
    from aegui.core.models.param_layouts import KERNEL, PAD, STRIDE
    h, w, c = model.h, model.w, model.c
    enc = [Op("to_maps", args=(h, w, c), note=f"rows of {h * w * c} values -> maps {_maps(c, h, w)}")]
    for blk in model.enc_blocks[:-1]:
        h, w = h // STRIDE, w // STRIDE
        enc.append(Op("conv2d", blk.name, args=(("stride", (STRIDE, STRIDE)), ("pad", (PAD,) * 4)),
                      activation=blk.activation, note=f"-> {_maps(blk.fan_out, h, w)}"))
    code = model.enc_blocks[-1]
    enc.append(Op("flatten", note=f"-> {code.fan_in} values, channel by channel"))
    said = "means and log-variances" if model.is_vae else "the code"
    enc.append(Op("dense", code.name, activation=code.activation, note=f"{code.fan_in} -> {code.fan_out}: {said}"))
    expand, deconvs = model.dec_blocks[0], model.dec_blocks[1:]
    sh, sw = model.small
    dec = [Op("dense", expand.name, activation=expand.activation, note=f"{expand.fan_in} -> {expand.fan_out}"),
           Op("unflatten", args=(deconvs[0].fan_in, sh, sw), note=f"-> maps {_maps(deconvs[0].fan_in, sh, sw)}")]
    for i, blk in enumerate(deconvs):
        sh, sw = sh * STRIDE, sw * STRIDE
        last = i == len(deconvs) - 1
        dec.append(Op("deconv2d", blk.name, args=(("stride", (STRIDE, STRIDE)), ("crop", (PAD, PAD)),
                                                  ("size", (sh, sw))),
                      activation=model.output_activation if last else blk.activation,
                      note=f"-> {_maps(blk.fan_out, sh, sw)}" + (": the output" if last else "")))
    dec.append(Op("to_rows", note=f"maps -> rows of {model.input_dim} values"))
    return enc + _code_ops(model), dec


def _local(model) -> tuple[list[Op], list[Op]]:
    """local_net.LocalAutoencoder: same-size 3x3 convolutions; the last map is the code."""
    from aegui.core.models.param_layouts import LOCAL_KERNEL
    h, w, c = model.h, model.w, model.c
    pad = (LOCAL_KERNEL // 2,) * 4
    enc = [Op("to_maps", args=(h, w, c), note=f"rows of {h * w * c} values -> maps {_maps(c, h, w)}")]
    for blk in model.enc_blocks:
        enc.append(Op("conv2d", blk.name, args=(("stride", (1, 1)), ("pad", pad)), activation=blk.activation,
                      note=f"-> {_maps(blk.fan_out, h, w)}"))
    enc.append(Op("flatten", note=f"the last maps are the code: {model.latent_dim} values, channel by channel"))
    out = model.dec_blocks[0]
    dec = [Op("unflatten", args=(out.fan_in, h, w), note=f"-> maps {_maps(out.fan_in, h, w)}"),
           Op("conv2d", out.name, args=(("stride", (1, 1)), ("pad", pad)), activation=model.output_activation,
              note=f"-> {_maps(out.fan_out, h, w)}: the output"),
           Op("to_rows", note=f"maps -> rows of {model.input_dim} values")]
    return enc + _code_ops(model), dec


def _conv_step(step, activation: str, note: str) -> Op:
    (kh, kw), (ph, pw) = step.kernel, step.pad
    # Keras's 'same': k - 1 zeros a side pair, the odd one below / right (convlayers_net._conv).
    pad = ((kh - 1) // 2, kh // 2, (kw - 1) // 2, kw // 2) if step.same else (ph, ph, pw, pw)
    return Op("conv2d", step.name, args=(("stride", tuple(step.stride)), ("pad", pad)), activation=activation,
              note=note)


def _deconv_step(step, activation: str, note: str) -> Op:
    # Keras's 'same' crops where the convolution it transposes padded (convlayers_net._same_deconv).
    crop = tuple(max(k - s, 0) // 2 for k, s in zip(step.kernel, step.stride)) if step.same else tuple(step.pad)
    return Op("deconv2d", step.name, args=(("stride", tuple(step.stride)), ("crop", crop),
                                           ("size", tuple(step.shape_out[1:]))), activation=activation, note=note)


# A convlayers layer kind (models/layer_kinds.py's LAYER_KINDS) -> its script layer, given (step,
# activation, note).
STEP_OPS = {
    "conv": _conv_step,
    "deconv": _deconv_step,
    "maxpool": lambda step, act, note: Op("maxpool", args=(tuple(step.kernel),), note=note),
    "upsample": lambda step, act, note: Op("upsample", args=(tuple(step.kernel),), note=note),
    "batchnorm": lambda step, act, note: Op("batchnorm", step.name,
                                            note=note + " (running statistics, as in evaluation)"),
    "dense": lambda step, act, note: Op("dense", step.name, activation=act,
                                        note=f"{step.fan_in} -> {step.shape_out[0]}"),
    "reshape": lambda step, act, note: Op("unflatten", args=tuple(step.shape_out), note=note),
}


def _step_op(step, activation: str) -> Op:
    """One step of a convlayers model as the script's layer."""
    out = step.shape_out
    note = "-> " + (_maps(*out) if len(out) == 3 else f"{out[0]} values")
    if step.kind not in STEP_OPS:
        raise ExportError(f"layer kind {step.kind!r} has no numpy version in the export yet; export a model "
                          "without it")
    return STEP_OPS[step.kind](step, activation, note)


def _steps(steps, activations: list[str], maps: bool) -> tuple[list[Op], bool]:
    ops = []
    for step, act in zip(steps, activations):
        if step.kind == "dense" and maps:     # a dense layer reads maps flattened
            ops.append(Op("flatten", note=f"-> {step.fan_in} values, channel by channel"))
        op = _step_op(step, act)
        ops.append(op)
        maps = len(step.shape_out) == 3
    return ops, maps


def _layers(model) -> tuple[list[Op], list[Op]]:
    """convlayers_net.LayerStackAutoencoder: its layer lines, one Op each."""
    h, w, c = model.h, model.w, model.c
    enc, maps = _steps(model.enc_steps, [s.activation for s in model.enc_steps], True)
    enc.insert(0, Op("to_maps", args=(h, w, c), note=f"rows of {h * w * c} values -> maps {_maps(c, h, w)}"))
    if maps:
        enc.append(Op("flatten", note=f"-> the code: {model.latent_dim} values, channel by channel"))
    else:
        last = enc[-1]
        enc[-1] = Op(last.kind, last.name, last.args, last.activation, last.note + ": the code")
    acts = [s.activation for s in model.dec_steps]
    last = max((i for i, a in enumerate(acts) if a), default=None)
    if last is not None:
        acts[last] = model.output_activation
    dec, maps = _steps(model.dec_steps, acts, False)
    if maps:
        dec.append(Op("to_rows", note=f"maps -> rows of {model.input_dim} values"))
    return enc + _code_ops(model), dec


def _planners() -> list[tuple[type, callable, str]]:
    # Subclasses before their bases: a local network is a ConvAutoencoder too.
    from aegui.core.models.conv_net import ConvAutoencoder
    from aegui.core.models.convlayers_net import LayerStackAutoencoder
    from aegui.core.models.local_net import LocalAutoencoder
    from aegui.core.models.mlp_net import Autoencoder
    return [(Autoencoder, _mlp, "fully connected"),
            (LocalAutoencoder, _local, "convolutional (same-size 3x3 convolutions)"),
            (ConvAutoencoder, _conv, "convolutional (stride-2 convolutions)"),
            (LayerStackAutoencoder, _layers, "convolutional (a list of layers)")]


def plan_of(model, name: str = "the model") -> Plan:
    """The Plan of a K = 1 network, with its weights as float32 arrays; ExportError for a network
    no planner knows."""
    for cls, planner, what in _planners():
        if isinstance(model, cls):
            enc, dec = planner(model)
            weights = {key: t.detach().cpu().numpy().astype(np.float32)
                       for key, t in model.named_weights(0).items()}
            dense = all(op.kind in ("dense", "means", "keep_top_k") for op in enc + dec)
            return Plan(enc, dec, dense, what, weights)
    raise ExportError(f"{name}: its network ({type(model).__name__}) has no numpy version in the export; "
                      "export a model of one of aegui's own architectures")
