"""The layer sizes and activations a student's config gives, put together as aegui's model.layers.

Students write the network in several ways; these rules read each (student_rules.py names the
keys that fill each slot):

- a whole network, input to output: [35, 20, 2, 20, 35] (it starts and ends with the input size);
- an encoder with its input: [35, 20, 2] (the last size is the code unless a latent size is given);
- hidden layers alone, under a name that says so (hidden_layers, capas_ocultas) or as a layer list
  that does not start with the input size ([20]): the latent size is then the one given beside
  them, or the assignment's 2 (a row says it was assumed);
- an encoder without its input ([25, 10]: the last is the code unless a latent size is given);
- a decoder, explicit (decoder_layers, a decoder section, decoder_hidden_layers: from the code to
  the output, either end optional) or, when none is given, the encoder mirrored.

Layer lists are numbers or objects ({"units": 25, "activation": "relu"}); a section's
`activations` list gives one activation per layer (with or without one for the input).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from aegui.core.schema.experiment import ConfigError, shown, whole
from aegui.core.config.student_rules import synonym

SLOTS = ("@network", "@encoder", "@decoder", "@hidden", "@decoder_hidden", "@latent", "@input",
         "@encoder_acts", "@decoder_acts", "@encoder_act", "@decoder_act")
# The course's assignment: a 2-D latent space (what a config that gives none was written for).
ASSIGNMENT_LATENT = 2
DATA_INPUT = 35                 # the course's 5x7 glyphs; the input size follows the data
LAYER_FORM = '[25, 10] or [{"units": 25, "activation": "relu"}, {"units": 10, "activation": "relu"}]'
_UNIT_KEYS = ("units", "size", "neurons", "nodes", "n_units", "n_neurons", "dim", "out_features",
              "output_dim", "width", "neuronas", "unidades")
_LAYER_ACT_KEYS = ("activation", "activation_fn", "activation_function", "act", "activacion")
_LAYER_NAMES = ("name", "nombre", "id")        # a layer's label: nothing to train


@dataclass
class Shape:
    """The layer sizes read from a student's network description, whether it mirrors, its activations per role,
    and what had to be assumed."""
    layers: tuple[int, ...]
    mirror: bool
    activations: dict = field(default_factory=dict)     # role ("hidden", "latent", "output") -> name
    assumed_latent: bool = False
    notes: list = field(default_factory=list)


def layer_list(where: str, value, notes: list | None = None) -> tuple[list[int], list]:
    """Sizes and activations (None where not given) of a layer list written as numbers or as
    {"units": N, "activation": "relu"} objects; anything else is refused naming `where`. A layer
    object's other settings (its dropout, its bias) aegui's layers do not have: each is a note
    (template, args) in `notes`, which stops the import."""
    items = [value] if isinstance(value, (int, float, dict)) and not isinstance(value, bool) else value
    if not isinstance(items, list):
        raise ConfigError(where, f"a layer list looks like {LAYER_FORM}; got {shown(value)}")
    sizes, acts = [], []
    for i, item in enumerate(items):
        n, act = item, None
        if isinstance(item, dict):
            low = {str(a).lower(): b for a, b in item.items()}
            unit_key = next((u for u in _UNIT_KEYS if u in low), None)
            if unit_key is None:
                raise ConfigError(f"{where}[{i}]", f"a layer object gives its size under \"units\"; "
                                  f"got {shown(item)}; the accepted form is {LAYER_FORM}")
            n = low[unit_key]
            act = next((low[a] for a in _LAYER_ACT_KEYS if a in low), None)
            extra = [str(a) for a in item if str(a).lower() not in (*_UNIT_KEYS, *_LAYER_ACT_KEYS, *_LAYER_NAMES)]
            if extra and notes is not None:
                notes.append(("{at} sets {settings}, which aegui's layers do not have (a size and the "
                              "activation only)",
                              {"where": where, "at": f"{where}[{i}]", "settings": ", ".join(extra)}))
        sizes.append(_size(f"{where}[{i}]", n, item))
        acts.append(_activation(f"{where}[{i}]", act))
    if not sizes:
        raise ConfigError(where, f"lists no layer; the accepted form is {LAYER_FORM}")
    return sizes, acts


def _size(where: str, n, item) -> int:
    if isinstance(n, float) and n.is_integer():
        n = int(n)
    if not whole(n) or n <= 0:
        raise ConfigError(where, f"a layer size is a positive whole number; got {shown(item)}; "
                          f"the accepted form is {LAYER_FORM}")
    return n


def _activation(where: str, act):
    if act is None:
        return None
    if not isinstance(act, str):
        raise ConfigError(where, f"an activation is a name such as \"relu\"; got {shown(act)}")
    return synonym("activation", act)


def common(acts: list, where: str, notes: list):
    """The one activation the layers share (the first, with a note (template, args), when they differ)."""
    given = [a for a in acts if a is not None]
    if not given:
        return None
    if len(set(given)) > 1:
        notes.append(("aegui uses one hidden activation and the file lists {listed}; with --lenient {first} "
                      "is used for all",
                      {"where": where, "first": given[0], "listed": ", ".join(dict.fromkeys(given))}))
    return given[0]


def _input_size(where: str, value) -> int:
    if isinstance(value, list) and value and all(whole(v) and v > 0 for v in value):
        out = 1
        for v in value:
            out *= v
        return out
    if whole(value) and value > 0:
        return value
    raise ConfigError(where, "the input size is a whole number such as 35 (or a shape such as [7, 5]); "
                      f"got {shown(value)}")


def _latent(where: str, value) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not whole(value) or value <= 0:
        raise ConfigError(where, f"the latent size is a whole number such as 2; got {shown(value)}")
    return value


def _with_acts(slots: dict, part: str, where: dict, notes: list) -> tuple[list[int], list] | None:
    """A section's sizes with its `activations` list laid over them."""
    if f"@{part}" not in slots:
        return None
    sizes, acts = layer_list(where[f"@{part}"], slots[f"@{part}"], notes)
    listed = slots.get(f"@{part}_acts")
    if listed is not None:
        key = where[f"@{part}_acts"]
        if not isinstance(listed, list):
            raise ConfigError(key, f"lists one activation a layer, e.g. [\"relu\", \"relu\"]; got {shown(listed)}")
        if len(listed) == len(sizes) - 1:
            listed = [None, *listed]        # none for the input (or the code the decoder starts at)
        if len(listed) != len(sizes):
            raise ConfigError(key, f"lists {len(listed)} activations for {len(sizes)} layer sizes; give "
                              "one a layer")
        acts = [_activation(f"{key}[{i}]", a) for i, a in enumerate(listed)]
    return sizes, acts


def assemble(slots: dict, where: dict, data_width: int | None = None) -> Shape | None:
    """model.layers from the shape slots a config filled (slot -> value; `where` says under which
    key each was written, for messages); None when it gives no layer at all. `data_width`: the
    values of one sample of the data the file names (35 for the course's glyphs when None)."""
    if not any(s in slots for s in ("@network", "@encoder", "@decoder", "@hidden", "@decoder_hidden", "@latent")):
        return None
    notes: list[str] = []
    width = _input_size(where["@input"], slots["@input"]) if "@input" in slots else data_width or DATA_INPUT
    latent = _latent(where["@latent"], slots["@latent"]) if "@latent" in slots else None
    hidden, hidden_acts, roles = None, [], {}
    network = slots.get("@network")
    if network is not None:
        sizes, acts = layer_list(where["@network"], network, notes)
        if len(sizes) >= 3 and sizes[0] == width and sizes[-1] == width:
            roles = {"hidden": common(acts[1:-1], where["@network"], notes), "output": acts[-1]}
            return Shape(tuple(sizes), False, roles, notes=notes)
        if sizes[0] == width and len(sizes) > 1:
            slots = {**slots, "@encoder": network}
            where = {**where, "@encoder": where["@network"]}
        elif "@hidden" in slots:
            raise ConfigError(where["@hidden"], f"the hidden layers are given twice (with {where['@network']}); "
                              "keep one of the two keys")
        else:
            hidden, hidden_acts = sizes, acts
    encoder = _with_acts(slots, "encoder", where, notes)
    if encoder is not None:
        if hidden is not None or "@hidden" in slots:
            raise ConfigError(where["@encoder"], "the encoder is given twice (with the hidden layers); "
                              "keep one of the two keys")
        sizes, acts = encoder
        if len(sizes) > 1 and sizes[0] == width:
            sizes, acts = sizes[1:], acts[1:]
        if latent is None or sizes[-1] == latent:
            latent, roles["latent"] = sizes[-1], acts[-1]
            sizes, acts = sizes[:-1], acts[:-1]
        hidden, hidden_acts = sizes, acts
    elif "@hidden" in slots:
        hidden, hidden_acts = layer_list(where["@hidden"], slots["@hidden"], notes)
    assumed = latent is None
    if assumed:
        latent = ASSIGNMENT_LATENT
    hidden = hidden or []
    decoder = _with_acts(slots, "decoder", where, notes)
    roles["hidden"] = common(hidden_acts, where.get("@encoder") or where.get("@hidden") or "layers", notes)
    if decoder is not None:
        sizes, acts = decoder
        if len(sizes) > 1 and sizes[0] == latent:
            sizes, acts = sizes[1:], acts[1:]
        if sizes and sizes[-1] == width:
            roles["output"] = acts[-1]
            sizes, acts = sizes[:-1], acts[:-1]
        dec_where = where["@decoder"]
    elif "@decoder_hidden" in slots:
        sizes, acts = layer_list(where["@decoder_hidden"], slots["@decoder_hidden"], notes)
        dec_where = where["@decoder_hidden"]
    else:
        _one_activation(slots, where, roles)
        return Shape((width, *hidden, latent), True, roles, assumed, notes)
    if roles["hidden"] is None:
        roles["hidden"] = common(acts, dec_where, notes)
    _one_activation(slots, where, roles)
    return Shape((width, *hidden, latent, *sizes, width), False, roles, assumed, notes)


def _one_activation(slots: dict, where: dict, roles: dict) -> None:
    """An encoder's or decoder's one `activation` is its hidden layers' (the code and the output
    keep theirs) when no layer names its own."""
    for part in ("encoder", "decoder"):
        one = slots.get(f"@{part}_act")
        if one is not None and roles.get("hidden") is None:
            roles["hidden"] = _activation(where[f"@{part}_act"], one)
