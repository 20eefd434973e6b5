"""The layers of a "convlayers" model (model.conv_encoder / model.conv_decoder), without torch: each
written as a short line ("conv 32 3x3", "maxpool 2x2", "batchnorm", "dense 2"), read here into
Steps whose shapes and parameter counts are known before torch is imported (the registry entry,
archs/convlayers.py, counts and validates with these; models/convlayers_net.py runs them).

A layer kind is its entry in LAYER_KINDS (how its line is read, what shape it makes and how many
parameters it has) and its forward pass in models/convlayers_net.py's FORWARD. Maps are channels
first, (C, H, W); "dense" flattens a map channel by channel and "reshape H W C" is the inverse, so
a code flattened from a map of 64 filters of 1x2 holds filter 1's two values first.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from aegui.core.schema.experiment import shown

# Keras's defaults, since the course documents' networks are Keras ones: running statistics move
# 1 % towards each batch's, and the variance gets 0.001 before its square root.
BN_MOMENTUM, BN_EPS = 0.99, 1e-3


@dataclass(frozen=True)
class Step:
    """One layer: its kind, what it reads and makes ((C, H, W) or (n,) for a flat vector), its
    parameters' place in the flat buffer and, for batch-norm, its running statistics' place."""
    name: str
    kind: str
    shape_in: tuple
    shape_out: tuple
    kernel: tuple = (1, 1)
    stride: tuple = (1, 1)
    pad: tuple = (0, 0)          # (top/bottom, left/right); "same" when `same`
    same: bool = False
    offset: int = 0
    activation: str = ""         # "" for layers without one (pooling, batch-norm, reshape)
    stats_offset: int = 0        # batch-norm: where its running mean, then its variance, start

    @property
    def fan_in(self) -> int:
        """Input channels of a conv or deconv; input values of any other layer."""
        return self.shape_in[0] if self.kind in ("conv", "deconv") else math.prod(self.shape_in)

    @property
    def fan_out(self) -> int:
        """Length of its bias (batch-norm: of its shift β)."""
        return self.shape_out[0]

    @property
    def weight_shape(self) -> tuple:
        """The weight's shape as stored: (out, in, kh, kw) for a conv, (in, out, kh, kw) for a deconv,
        (channels,) for batch-norm, (in, out) for dense."""
        kh, kw = self.kernel
        if self.kind == "conv":
            return (self.shape_out[0], self.shape_in[0], kh, kw)
        if self.kind == "deconv":
            return (self.shape_in[0], self.shape_out[0], kh, kw)
        if self.kind == "batchnorm":
            return (self.shape_in[0],)
        return (math.prod(self.shape_in), self.shape_out[0])

    @property
    def size(self) -> int:
        """Parameters the layer holds in the flat buffer (weight and bias); 0 for one without weights."""
        return math.prod(self.weight_shape) + self.fan_out if self.kind in WEIGHTED else 0

    @property
    def kernel_area(self) -> float:
        """The receptive field's side for init_bound (its square is kh * kw)."""
        return math.sqrt(self.kernel[0] * self.kernel[1]) if self.kind in ("conv", "deconv") else 1


class PlanError(ValueError):
    """A layer line that cannot be read or does not fit the shape before it: `field` is its list
    (model.conv_encoder / model.conv_decoder), `index` its place in it."""

    def __init__(self, field: str, index: int, problem: str):
        self.field, self.index, self.problem = field, index, problem
        super().__init__(problem)


def _pair(token: str, what: str) -> tuple[int, int]:
    """"3x3" or "3" -> (3, 3); "1x2" -> (1, 2)."""
    parts = token.lower().split("x")
    if len(parts) not in (1, 2) or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise ValueError(f"{what} is a size such as 3x3 or 1x2, got {shown(token)}")
    return (int(parts[0]), int(parts[-1]))


def _int(token: str, what: str) -> int:
    if not token.isdigit() or int(token) <= 0:
        raise ValueError(f"{what} is a whole number above 0, got {shown(token)}")
    return int(token)


def _conv_shape(kind: str, args: list[str], shape: tuple) -> dict:
    """conv C KxK [sN] [pN | valid | same] and deconv C KxK [sN] [pN | valid | same]: stride 1
    convolutions keep the map's size unless `valid` (Keras's padding='same', the extra row /
    column below / right for an even kernel); a stride or a padding number makes them torch's
    plain convolutions. A deconvolution is torch's plain one unless `same`, which makes it
    Keras's Conv2DTranspose(padding='same'): the map's size times the stride."""
    if len(args) < 2:
        raise ValueError(f"write '{kind} CHANNELS KERNEL', e.g. '{kind} 32 3x3'")
    out_c, kernel = _int(args[0], "the channel count"), _pair(args[1], "the kernel")
    stride, pad, padding = (1, 1), (0, 0), None
    for tok in args[2:]:
        word = tok.lower()
        if word in ("same", "valid"):
            padding = word
        elif word[:1] == "s" and word[1:2].isdigit():
            stride = _pair(word[1:], f"the stride in {shown(tok)}")
        elif word[:1] == "p" and word[1:].isdigit():
            pad, padding = (int(word[1:]),) * 2, "number"
        else:
            # The whole word: "same" misspelt once read as a stride and was told "got 'ame'".
            raise ValueError(f"{shown(tok)} is not a stride (s2), a padding (p1), 'same' or 'valid'")
    if kind == "conv" and padding == "same" and stride != (1, 1):
        raise ValueError("'same' padding of a conv is for stride 1; give a padding number, e.g. p1")
    same = padding == "same" or kind == "conv" and padding is None and stride == (1, 1)
    c, h, w = shape
    sides = []
    for n, k, s, p in zip((h, w), kernel, stride, pad):
        if kind == "conv":
            sides.append(n if same else (n + 2 * p - k) // s + 1)
        else:
            sides.append(n * s if same else (n - 1) * s - 2 * p + k)
    if min(sides) < 1:
        raise ValueError(f"a {kernel[0]}x{kernel[1]} kernel does not fit a {h}x{w} map")
    return dict(shape_out=(out_c, *sides), kernel=kernel, stride=stride, pad=pad, same=same)


def _pool_shape(kind, args, shape) -> dict:
    if len(args) != 1:
        raise ValueError("write 'maxpool KxK', e.g. 'maxpool 2x2'")
    k = _pair(args[0], "the pool size")
    c, h, w = shape
    if h < k[0] or w < k[1]:
        raise ValueError(f"a {k[0]}x{k[1]} pool does not fit a {h}x{w} map")
    return dict(shape_out=(c, h // k[0], w // k[1]), kernel=k, stride=k)


def _upsample_shape(kind, args, shape) -> dict:
    if len(args) != 1:
        raise ValueError("write 'upsample FxF', e.g. 'upsample 2x2'")
    f = _pair(args[0], "the factor")
    c, h, w = shape
    return dict(shape_out=(c, h * f[0], w * f[1]), kernel=f)


def _batchnorm_shape(kind, args, shape) -> dict:
    if args:
        raise ValueError("'batchnorm' takes nothing after it")
    return dict(shape_out=shape)


def _dense_shape(kind, args, shape) -> dict:
    if len(args) != 1:
        raise ValueError("write 'dense UNITS', e.g. 'dense 2'")
    return dict(shape_out=(_int(args[0], "the unit count"),))


def _reshape_shape(kind, args, shape) -> dict:
    if len(args) != 3:
        raise ValueError("write 'reshape H W C', e.g. 'reshape 2 2 1'")
    h, w, c = (_int(a, "a side") for a in args)
    if h * w * c != math.prod(shape):
        raise ValueError(f"{h}x{w}x{c} = {h * w * c} values, but the layer before gives {math.prod(shape)}")
    return dict(shape_out=(c, h, w))


@dataclass(frozen=True)
class LayerKind:
    """What a layer line's kind needs and does: whether it reads maps, whether an activation follows, and the
    shape it gives."""
    reads_maps: bool         # needs a (C, H, W) map (a flat vector is refused)
    activated: bool          # followed by an activation (hidden / latent / output)
    shape: callable          # (kind, args, shape_in) -> Step fields, ValueError if it does not fit


LAYER_KINDS = {
    "conv": LayerKind(True, True, _conv_shape),
    "deconv": LayerKind(True, True, _conv_shape),
    "maxpool": LayerKind(True, False, _pool_shape),
    "upsample": LayerKind(True, False, _upsample_shape),
    "batchnorm": LayerKind(True, False, _batchnorm_shape),
    "dense": LayerKind(False, True, _dense_shape),
    "reshape": LayerKind(False, False, _reshape_shape),
}
WEIGHTED = ("conv", "deconv", "dense", "batchnorm")


def plan(lines, shape_in: tuple, prefix: str, last_activation: str, hidden_activation: str,
         offset: int = 0, stats_offset: int = 0) -> list[Step]:
    """The Steps of `lines` from `shape_in`; the last layer with an activation gets
    `last_activation`, the others `hidden_activation`. PlanError names the line that fails."""
    field = f"model.conv_{prefix}"
    steps: list[Step] = []
    shape = tuple(shape_in)
    activated = [i for i, line in enumerate(lines) if _kind_of(line) in LAYER_KINDS
                 and LAYER_KINDS[_kind_of(line)].activated]
    last = activated[-1] if activated else -1
    for i, line in enumerate(lines):
        words = str(line).split()
        if not words or words[0].lower() not in LAYER_KINDS:
            raise PlanError(field, i, f"{shown(line)} is not a layer; a layer starts with one of "
                                      f"{', '.join(LAYER_KINDS)}")
        kind = words[0].lower()
        spec = LAYER_KINDS[kind]
        if spec.reads_maps and len(shape) != 3:
            raise PlanError(field, i, f"'{kind}' needs feature maps, but the layer before gives a flat vector of "
                               f"{shape[0]}; add a 'reshape H W C' before it")
        try:
            made = spec.shape(kind, words[1:], shape)
        except ValueError as e:
            raise PlanError(field, i, f"{shown(line)}: {e}") from None
        act = (last_activation if i == last else hidden_activation) if spec.activated else ""
        step = Step(f"{prefix}.{i}", kind, shape, offset=offset, activation=act, stats_offset=stats_offset, **made)
        offset += step.size
        if kind == "batchnorm":
            stats_offset += 2 * shape[0]
        steps.append(step)
        shape = step.shape_out
    return steps


def _kind_of(line) -> str:
    words = str(line).split()
    return words[0].lower() if words else ""


def layer_lines(spec) -> tuple[tuple, tuple]:
    """The encoder's and decoder's lines; lists left empty (a model the builder lays out from its
    rows) are the conv architecture's: a 4x4 stride-2 convolution per `channels` entry, a dense
    code, and the mirror back with transposed convolutions."""
    if spec.conv_encoder or spec.conv_decoder:
        return tuple(spec.conv_encoder), tuple(spec.conv_decoder)
    h, w, c = spec.image_shape
    ch = list(spec.channels)
    f = 2 ** len(ch)
    enc = tuple(f"conv {n} 4x4 s2 p1" for n in ch) + (f"dense {spec.latent_dim}",)
    dec = (f"dense {ch[-1] * (h // f) * (w // f)}", f"reshape {h // f} {w // f} {ch[-1]}") + tuple(
        f"deconv {n} 4x4 s2 p1" for n in [*reversed(ch[:-1]), c])
    return enc, dec


def layer_plan(spec):
    """(encoder Steps, decoder Steps, parameter count, running-statistics count) of a ModelSpec;
    PlanError naming the line that cannot be read or does not fit."""
    enc_lines, dec_lines = layer_lines(spec)
    key = (enc_lines, dec_lines, tuple(spec.image_shape), spec.latent_activation, spec.hidden_activation,
           spec.output_activation)
    try:
        hash(key)
    except TypeError:           # a config not checked yet (a list where a line goes): its error comes from plan()
        return _plan_of(*key)
    return _recent_plan(*key)


def _plan_of(enc_lines: tuple, dec_lines: tuple, image_shape: tuple, latent_activation: str,
             hidden_activation: str, output_activation: str):
    h, w, c = image_shape
    enc = plan(enc_lines, (c, h, w), "encoder", latent_activation, hidden_activation)
    code = math.prod(enc[-1].shape_out) if enc else 0
    end = enc[-1] if enc else None
    dec = plan(dec_lines, (code,), "decoder", output_activation, hidden_activation,
               end.offset + end.size if end else 0,
               sum(2 * s.shape_in[0] for s in enc if s.kind == "batchnorm"))
    n_params = sum(s.size for s in enc + dec)
    n_stats = sum(2 * s.shape_in[0] for s in enc + dec if s.kind == "batchnorm")
    return tuple(enc), tuple(dec), n_params, n_stats


# The last few plans made: one edit of the builder's form asked for the same model's plan five
# times (validation, the summary, the memory estimate), 0.2 s each for a model of 10,000 layers.
# Steps are frozen and the lists tuples, so a plan handed out twice stays whole.
_recent_plan = lru_cache(maxsize=8)(_plan_of)
