"""A student's convolutional autoencoder, written as Keras and PyTorch tutorials write it, made
aegui's layer-by-layer one (arch "convlayers"; models/layer_kinds.py reads its lines).

A student gives the filters of each convolution ("filters": [32, 64]) with its kernel, stride,
padding and pooling, each one value for every layer or a list with one a layer, and maybe a
latent size. Read as those tutorials build it:

- encoder: each convolution ("conv 32 3x3 s2 p1"), a max-pooling after it when asked, then a dense
  code of the latent size when one is given (else the last map, flattened, is the code);
- decoder: the mirror, as the tutorials write it: a dense layer back to the last map and a reshape,
  then per convolution in reverse an up-sampling (where it pooled) and a transposed convolution of
  its filters, and a last convolution to the picture's channels (stride 1, 'same'), which the output
  activation follows.

'same' padding is Keras's: a stride-s layer gives ceil(side / s). Keras's and PyTorch's default is
'valid'; a file that names no padding is read as 'same', and its table says so.
"""
from __future__ import annotations

from aegui.core.config import student_rules as R
from aegui.core.config.import_report import DEFAULT, NOT_IN_FILE, Row, show

SLOTS = ("@conv", "@filters", "@kernel", "@stride", "@padding", "@pool")
# Shape slots that describe dense layers: beside convolutions they are not read.
_DENSE = ("@network", "@encoder", "@decoder", "@hidden", "@decoder_hidden")


class _Refused(Exception):
    """A slot whose value cannot be read: (slot, reason template, args)."""

    def __init__(self, slot: str, why: str, **args):
        super().__init__(why)
        self.slot, self.why, self.params = slot, why, args


def is_conv(r) -> bool:
    """Whether the file describes a convolutional network (a conv type, or any of filters,
    kernel, stride, padding, pooling)."""
    return any(s in r.slots for s in SLOTS)


def conv_shape(r, image: tuple | None) -> None:
    """The reader's conv slots as model.arch "convlayers", its layer lines, input shape and sizes;
    `image`: (H, W) or (H, W, C) of one sample of the data the file names (None: not known). A
    value that cannot be read is refused on its own row."""
    try:
        _lay_out(r, image)
    except _Refused as e:
        r.refuse(e.slot, e.why, **e.params)


def _lay_out(r, image) -> None:
    if r.value("model.kind") == "vae":
        raise _Refused(next(s for s in SLOTS if s in r.slots), "a convolutional VAE: aegui's layer-by-layer "
                       "convolutions have no mean and variance layers; write a VAE with dense layers "
                       "(\"type\": \"vae\", \"layers\": [...])")
    if "@filters" not in r.slots:
        raise _Refused(next(s for s in SLOTS if s in r.slots), "a convolutional network is read from the filters "
                       "of each convolution, e.g. \"filters\": [32, 64]; the file gives none")
    for slot in _DENSE:
        if slot in r.slots:
            raise _Refused(slot, "dense layers beside convolution filters: aegui reads a convolutional network "
                           "from its filters (and a latent size); write layers between them in the builder's "
                           "layer lines")
    if image is None:
        return      # data the validation refuses, naming its key: there is nothing to lay the layers out on
    h, w, c = (*image, 1) if len(image) == 2 else image
    _check_input(r, (h, w, c))
    filters = _filters(r.slot("@filters"))
    n = len(filters)
    kernels = _per_layer(r, "@kernel", n, 3, _pair, "a kernel is a size such as 3 or [3, 3], for every layer, "
                         "or a list of {n} sizes, one a layer")
    strides = _per_layer(r, "@stride", n, 1, _pair, "a stride is a number such as 2, for every layer, or a list "
                         "of {n}, one a layer")
    pads = _per_layer(r, "@padding", n, "same", _padding, "padding is \"same\" or \"valid\", for every layer, "
                      "or a list of {n}, one a layer")
    pools = _per_layer(r, "@pool", n, 0, _pool, "pooling is a size such as 2 or true / false, for every layer, "
                       "or a list of {n}, one a layer")
    enc = []
    for f, k, s, pad, pool in zip(filters, kernels, strides, pads, pools):
        enc.append(_conv_line("conv", f, k, s, pad))
        if pool:
            enc.append(f"maxpool {pool}x{pool}")
    last = _last_map(enc, (c, h, w))
    latent_row = r.slots.get("@latent", (None, None))[1]
    latent = r.slot("@latent")
    if isinstance(latent, float) and latent.is_integer():
        latent = int(latent)
    if latent is not None and not (isinstance(latent, int) and not isinstance(latent, bool) and latent > 0):
        raise _Refused("@latent", "the latent size is a whole number such as 16")
    mc, mh, mw = last
    code = latent if latent is not None else mc * mh * mw
    dec = [f"dense {mc * mh * mw}"] if latent is not None else []
    dec.append(f"reshape {mh} {mw} {mc}")
    for f, k, s, pad, pool in reversed(list(zip(filters, kernels, strides, pads, pools))):
        if pool:
            dec.append(f"upsample {pool}x{pool}")
        dec.append(_conv_line("deconv", f, k, s, pad))
    dec.append(_conv_line("conv", c, kernels[0], (1, 1), "same"))
    back = _decoded(dec, code)
    if back != (c, h, w):
        raise _Refused("@filters", "mirrored, these convolutions give {got} pictures back, not {h}x{w}: a stride "
                       "that does not divide a side rounds it on the way down, not on the way up; use strides "
                       "and pooling that divide the sides", got="x".join(map(str, back[1:])), h=h, w=w)
    if latent is not None:
        enc.append(f"dense {latent}")
    size = h * w * c
    first = r.slots["@filters"][1]
    holder = r.slots.get("@conv", (None, first))[1]
    r.assign("model.arch", "convlayers", holder)
    r.set["model.conv_encoder"] = (tuple(enc), first)
    r.set["model.conv_decoder"] = (tuple(dec), first)
    r.set["model.input_shape"] = ((h, w) if len(image) == 2 else (h, w, c), first)
    r.set["model.layers"] = ((size, code, size), latent_row or first)
    r.set["model.mirror"] = (False, first)
    first.fields += ("model.conv_encoder",)      # the decoder has its own row below
    if latent_row is not None:
        latent_row.fields += ("model.layers",)
    for slot in ("@kernel", "@stride", "@padding", "@pool"):
        if slot in r.slots:
            r.slots[slot][1].fields += ("model.conv_encoder",)
    if "@padding" not in r.slots:
        r.rows.append(Row(NOT_IN_FILE, None, DEFAULT, ("model.conv_encoder",),
                          "padding: not in the file; 'same', so a stride-s layer divides the sides by s "
                          "(Keras's and PyTorch's own default is 'valid')"))
    r.rows.append(Row(NOT_IN_FILE, None, DEFAULT, ("model.conv_decoder",),
                      "the decoder: not in the file; the encoder mirrored with transposed convolutions, then a "
                      "convolution to the pictures' {channels} channel(s)", {"channels": c}))


def _check_input(r, image: tuple) -> None:
    """An input shape the file gives ([28, 28, 1]) must be the data's."""
    given = r.slot("@input")
    if given is None:
        return
    h, w, c = image
    ok = isinstance(given, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in given) and (
        given in ([h, w], [h, w, c], [c, h, w]) or (c == 1 and given == [1, h, w]))
    if not ok:
        raise _Refused("@input", "the data set's pictures are {h}x{w} with {c} channel(s); the file gives "
                       "{given}", h=h, w=w, c=c, given=show(given))
    r.slots["@input"][1].fields += ("model.input_shape",)


def _filters(value) -> list[int]:
    items = [value] if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(items, list) or not items or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in items):
        raise _Refused("@filters", "the filters of each convolution are whole numbers, e.g. [32, 64]")
    return items


def _per_layer(r, slot: str, n: int, default, read, why: str) -> list:
    """One value a layer: the file's one value for all, or its list of one a layer."""
    if slot not in r.slots:
        return [read(default)] * n
    value = r.slot(slot)
    try:
        one = read(value)
        # [3, 3] is a 3x3 kernel for any number of layers; [5, 3] with two layers is one a layer
        if not (isinstance(value, list) and len(value) == n and len(set(map(str, value))) > 1):
            return [one] * n
    except ValueError:
        pass
    if isinstance(value, list) and len(value) == n:
        try:
            return [read(v) for v in value]
        except ValueError:
            pass
    raise _Refused(slot, why, n=n)


def _pair(value) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return (value, value)
    if isinstance(value, list) and len(value) == 2 and all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value):
        return (value[0], value[1])
    raise ValueError(value)


def _padding(value) -> str:
    if isinstance(value, str) and R.normalize(value, False) in ("same", "valid"):
        return R.normalize(value, False)
    raise ValueError(value)


def _pool(value) -> int:
    if value is None or value is False or value in (0, 1):
        return 0        # no pooling (a 1x1 pool keeps the map as it is)
    if value is True:
        return 2
    if isinstance(value, int) and not isinstance(value, bool) and value > 1:
        return value
    if isinstance(value, list) and len(value) == 2 and value[0] == value[1]:
        return _pool(value[0])
    raise ValueError(value)


def _conv_line(kind: str, filters: int, kernel: tuple, stride: tuple, padding: str) -> str:
    """One layer line. Keras's 'same' with a stride: a padding of (k - 1) // 2, which gives
    ceil(side / s) for an odd kernel; a transposed one's 'same' gives side x s."""
    kh, kw = kernel
    words = [kind, str(filters), f"{kh}x{kw}"]
    if stride != (1, 1):
        words.append(f"s{stride[0]}" if stride[0] == stride[1] else f"s{stride[0]}x{stride[1]}")
    if kind != "deconv" and padding == "same" and stride != (1, 1):
        if kh != kw:
            raise _Refused("@kernel", "a {kh}x{kw} kernel with a stride and 'same' padding: aegui pads both "
                           "sides alike; use a square kernel", kh=kh, kw=kw)
        words.append(f"p{(kh - 1) // 2}")
    else:
        words.append(padding)
    return " ".join(words)


def _decoded(lines: list[str], code: int) -> tuple:
    """The shape the decoder's lines give from a code of `code` values (a mirror of an encoder that
    fits always fits: its layers only grow the map)."""
    from aegui.core.models.layer_kinds import plan
    return plan(lines, (code,), "decoder", "identity", "relu")[-1].shape_out


def _last_map(lines: list[str], shape: tuple) -> tuple[int, int, int]:
    """(C, H, W) the encoder's convolutions leave; a layer that does not fit is refused."""
    from aegui.core.models.layer_kinds import PlanError, plan
    try:
        steps = plan(lines, shape, "encoder", "identity", "relu")
    except PlanError as e:
        raise _Refused("@filters", "the convolutions do not fit the {h}x{w} pictures: {problem}",
                       h=shape[1], w=shape[2], problem=e.problem) from None
    return steps[-1].shape_out
