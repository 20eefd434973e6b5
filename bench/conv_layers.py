"""Where a training step of the grid search's convolutional autoencoder spends its time, layer by layer.

bench/report_floor.py finds 004's step at 32-45 % of this CPU's float32 GEMM peak and 003's near 50 %.
Which layers hold 004 back, and would keeping its maps channels-last (NHWC, the layout oneDNN's
fast convolutions read) reach the 50 % the report aims at? Each layer of the preset's model
(resources/analyses/seed004-grid-search.json unless --preset names another "conv" model, built by
build_model as the report builds it) is timed as a training step runs it: its forward, then the
gradients of its weight and bias and, past the first layer, of its input (the first layer's input
is the data, which needs none). The same torch calls aegui's ConvAutoencoder makes (conv2d and
conv_transpose2d with kernel 4, stride 2, padding 1; a matrix product for the dense layers), at its
shapes, on the threads the session would use, three ways: NCHW; channels-last; and channels-last with
the two layers at the image's side reworked, where oneDNN is slow with one channel: the transposed
convolution to the image as a 3x3 convolution and a pixel shuffle forward (SubpixelDeconv; torch's own
backward), and the convolution from the image on chunks of 256 images. The reworked forms give the
same outputs up to float32 rounding (other sums, so other numbers: using them in the model is a
numerics revision). Activations, the loss and the optimizer are left out (bench/report_floor.py times
the whole step).

Printed per batch size and layout: each layer's ms, GFLOP (torch.utils.flop_counter: the forward
and backward's matrix products and convolutions, of the plain form: a reworked one that multiplies
zeros is not credited for them), GFLOP/s and share of the time, and all layers' rate as a fraction of
the GEMM peak (report_floor.gemm_peak). One JSON line at the end.

    python bench/conv_layers.py [--preset NAME] [--batches 128 256 1000] [--steps 10]
                                [--gemm-sizes 1024 2048 4096] [--repeats 5]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from report_floor import gemm_peak  # noqa: E402
from aegui.core.analyses.compare.runs import load_spec  # noqa: E402
from aegui.core.archs import build_model  # noqa: E402
from aegui.core.models.param_layouts import KERNEL, PAD, STRIDE  # noqa: E402
from aegui.core.train.session import small_step  # noqa: E402


def layers_of(model) -> list[dict]:
    """The model's layers in step order: name, kind, input shape (one image), weight shape (as its Block
    stores it) and bias length."""
    out, (h, w) = [], (model.h, model.w)

    def add(blk, shape):
        out.append({"name": f"{'dense' if blk.kind == 'linear' else blk.kind} {blk.fan_in}->{blk.fan_out}",
                    "kind": blk.kind, "input": shape, "weight": blk.weight_shape, "bias": blk.fan_out})
    for blk in model.enc_blocks[:-1]:
        add(blk, (blk.fan_in, h, w))
        h, w = h // 2, w // 2
    for blk in (model.enc_blocks[-1], model.dec_blocks[0]):
        add(blk, (blk.fan_in,))
    for blk in model.dec_blocks[1:]:
        add(blk, (blk.fan_in, h, w))
        h, w = h * 2, w * 2
    assert (h, w, out[0]["input"][0]) == (model.h, model.w, model.c), "the layers must give the image back"
    return out


# A transposed convolution of kernel 4, stride 2, padding 1 gives each output pixel of parity (a, b) from
# a 2x2 window of its input: output row 2m + a takes kernel row k at input row m + d, (k, d) below.
TAPS = {0: ((1, 0), (3, -1)), 1: ((0, 1), (2, 0))}


def subpixel_weight(w: torch.Tensor) -> torch.Tensor:
    """A transposed convolution's weight [in, out, 4, 4] as a 3x3 convolution's [out * 4, in, 3, 3]
    whose 4 outputs per channel, pixel-shuffled, are the transposed convolution's output."""
    cin, cout = w.shape[:2]
    out = w.new_zeros(cout, 4, cin, 3, 3)
    for a in (0, 1):
        for b in (0, 1):
            for ky, dy in TAPS[a]:
                for kx, dx in TAPS[b]:
                    out[:, 2 * a + b, :, 1 + dy, 1 + dx] = w[:, :, ky, kx].t()
    return out.reshape(cout * 4, cin, 3, 3)


class SubpixelDeconv(torch.autograd.Function):
    """conv_transpose2d(x, w, b, stride 2, padding 1): forward as a 3x3 convolution and a pixel shuffle
    (oneDNN's transposed convolution to few channels is slow), backward as torch's own."""

    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        return F.pixel_shuffle(F.conv2d(x, subpixel_weight(w), b.repeat_interleave(4), padding=1), 2)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        gx, gw, _ = torch.ops.aten.convolution_backward(
            grad.contiguous(memory_format=torch.channels_last), x, w, [w.shape[1]], [STRIDE] * 2, [PAD] * 2,
            [1, 1], True, [0, 0], 1, [ctx.needs_input_grad[0], True, False])
        return gx, gw, grad.sum((0, 2, 3))


def same_up_to_rounding(a: torch.Tensor, b: torch.Tensor) -> None:
    """AssertionError unless a reworked form's tensor `a` equals the plain form's `b` up to float32 rounding (other
    sums, so other last bits; a wrong tap is far outside)."""
    torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4 * float(b.abs().max()))


def _op(kind: str, reworked: bool = False, chunk: int = 256):
    """The layer's torch call; `reworked`: a transposed convolution to at most 4 channels through
    SubpixelDeconv, a convolution from 1 channel on chunks of `chunk` images (at 1,000 oneDNN's is slow)."""
    if kind == "conv":
        if reworked:
            return lambda x, w, b: (torch.cat([F.conv2d(c, w, b, stride=STRIDE, padding=PAD) for c in x.split(chunk)])
                                    if x.shape[1] == 1 else F.conv2d(x, w, b, stride=STRIDE, padding=PAD))
        return lambda x, w, b: F.conv2d(x, w, b, stride=STRIDE, padding=PAD)
    if kind == "deconv":
        if reworked:
            return lambda x, w, b: (SubpixelDeconv.apply(x, w, b) if w.shape[1] <= 4
                                    else F.conv_transpose2d(x, w, b, stride=STRIDE, padding=PAD))
        return lambda x, w, b: F.conv_transpose2d(x, w, b, stride=STRIDE, padding=PAD)
    return lambda x, w, b: torch.addmm(b, x, w)


def time_layer(layer: dict, batch: int, first: bool, channels_last: bool, steps: int, reworked: bool = False) -> dict:
    """One layer's forward and backward: seconds (the mean of `steps` after one untimed) and FLOPs."""
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(batch, *layer["input"], generator=gen)
    if channels_last and x.dim() == 4:
        x = x.contiguous(memory_format=torch.channels_last)
    x.requires_grad_(not first)
    weight = (torch.randn(*layer["weight"], generator=gen) * 0.1).requires_grad_()
    bias = torch.zeros(layer["bias"], requires_grad=True)
    op = _op(layer["kind"], reworked)
    wrt = [weight, bias] + ([] if first else [x])

    def step():
        torch.autograd.grad(op(x, weight, bias), wrt, grad)

    # the model's arithmetic, counted in its plain form: a reworked form that multiplies zeros does more
    with FlopCounterMode(display=False) as counted:
        y = _op(layer["kind"])(x, weight, bias)
        grad = torch.randn(y.shape, generator=gen)
        expected = (y, *torch.autograd.grad(y, wrt, grad))
    if reworked:        # the same layer: its output and gradients agree up to float32 rounding
        y = op(x, weight, bias)
        for a, b in zip((y, *torch.autograd.grad(y, wrt, grad)), expected):
            a, b = a.detach(), b.detach()
            same_up_to_rounding(a, b)
    step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return {"layer": layer["name"], "seconds": (time.perf_counter() - t0) / steps, "flop": counted.get_total_flops()}


def preset_options(doc: str) -> argparse.ArgumentParser:
    """The options this and bench/conv_step.py share: the preset, its batch sizes, steps and the GEMM peak's."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--preset", default="seed004-grid-search", help="a compare preset in resources/analyses/")
    ap.add_argument("--batches", type=int, nargs="+", help="batch sizes (default: the preset's)")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--gemm-sizes", type=int, nargs="+", default=[1024, 2048, 4096])
    ap.add_argument("--repeats", type=int, default=5)
    return ap


def conv_plans(ap: argparse.ArgumentParser, args) -> list:
    """The preset's planned runs; an error unless its model is the 'conv' architecture."""
    plans = load_spec(ROOT / "resources" / "analyses" / f"{args.preset}.json").plans()
    if plans[0].experiment.model.arch != "conv":
        ap.error(f"{args.preset}'s model is not a 'conv' architecture")
    return plans


def main(argv=None) -> dict:
    ap = preset_options(__doc__)
    args = ap.parse_args(argv)
    plans = conv_plans(ap, args)
    model = build_model(plans[0].experiment.model)
    batches = args.batches or sorted({p.experiment.train.batch_size for p in plans})
    peak = max(gemm_peak(n, args.repeats) for n in args.gemm_sizes)
    layers = layers_of(model)
    print(f"{args.preset}: {' | '.join(l['name'] for l in layers)}; float32 GEMM peak {peak:.1f} GFLOP/s", flush=True)
    before, results = torch.get_num_threads(), []
    try:
        for batch in batches:
            # the session trains a small step on one thread (TrainingSession._small_on_cpu); so here
            torch.set_num_threads(1 if small_step(1, batch, model.work_per_sample()) else before)
            for channels_last, reworked in ((False, False), (True, False), (True, True)):
                rows = [time_layer(l, batch, i == 0, channels_last, args.steps, reworked) for i, l in enumerate(layers)]
                seconds, flop = sum(r["seconds"] for r in rows), sum(r["flop"] for r in rows)
                layout = "channels-last, ends reworked" if reworked else "channels-last" if channels_last else "NCHW"
                results.append({"batch": batch, "layout": layout, "threads": torch.get_num_threads(),
                                "seconds": round(seconds, 6), "gflops": round(flop / seconds / 1e9, 2),
                                "of_peak": round(flop / seconds / 1e9 / peak, 3), "layers": [
                                    {**r, "seconds": round(r["seconds"], 6),
                                     "gflops": round(r["flop"] / r["seconds"] / 1e9, 2)} for r in rows]})
                print(f"batch {batch}, {layout}, {torch.get_num_threads()} threads: {seconds * 1e3:.1f} ms, "
                      f"{flop / seconds / 1e9:.1f} GFLOP/s ({flop / seconds / 1e9 / peak:.0%} of the peak)")
                for r in rows:
                    print(f"  {r['layer']:18s} {r['seconds'] * 1e3:7.2f} ms {r['flop'] / 1e9:7.3f} GFLOP "
                          f"{r['flop'] / r['seconds'] / 1e9:6.1f} GFLOP/s  {r['seconds'] / seconds:4.0%} of the time, "
                          f"{r['flop'] / flop:4.0%} of the FLOPs", flush=True)
    finally:
        torch.set_num_threads(before)
    out = {"preset": args.preset, "gemm_peak_gflops": round(peak, 2), "results": results}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
