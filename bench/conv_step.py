"""Would the layers bench/conv_layers.py reworks take the grid search's whole training step to half the GEMM peak?

bench/conv_layers.py times 004's convolutional autoencoder layer by layer and finds its layers at 31-40 % of this
CPU's float32 GEMM peak as aegui runs them (NCHW), and at 48-57 % channels-last with the two image-side layers
reworked (the transposed convolution to the image as a 3x3 convolution and a pixel shuffle forward, the convolution
from the image on chunks of 256 images). Using that form in the model is a numerics revision: 004's rows and their
measured tolerances would be made again. This says what the revision would buy. It times the whole training step
(bench/report_floor.py's Step: the loss's forward and backward and the optimizer's update, on aegui's own objects,
on the threads the session would use) of the preset's model two ways, in alternating rounds (the best round of
each counts): ConvAutoencoder as aegui trains it, and Reworked, a subclass here (not used by aegui) that keeps
its maps channels-last from the image to the code and from the code back, with the two layers reworked. Both start
from the same weights; before timing, the reworked step's loss and gradient are checked against the plain one's
(equal up to float32 rounding; a wrong tap fails it). FLOPs are counted on the plain step (matrix products and
convolutions only), so both rates are of the same arithmetic.

Printed per batch size: each form's ms per step, GFLOP/s, fraction of the peak, and the speed-up. One JSON line.

    python bench/conv_step.py [--preset NAME] [--batches 128 256 1000] [--steps 10] [--rounds 3]
                              [--gemm-sizes 1024 2048 4096] [--repeats 5]
"""
from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from conv_layers import _op, conv_plans, preset_options, same_up_to_rounding  # noqa: E402
from report_floor import Step, gemm_peak  # noqa: E402
from aegui.core.models.conv_net import ConvAutoencoder  # noqa: E402
from aegui.core.models.param_layouts import KERNEL  # noqa: E402

CL = torch.channels_last


class Reworked(ConvAutoencoder):
    """ConvAutoencoder (one model, K = 1) with its maps channels-last and its image-side layers reworked."""

    def __init__(self, spec, k: int = 1):
        if k != 1:
            raise ValueError("the reworked form is timed for one model at a time, as the report trains 004's runs")
        super().__init__(spec, k)

    def _to_images(self, x):
        return super()._to_images(x).contiguous(memory_format=CL)

    def _encoder_maps(self, x, steps=None):
        # the dense layer to the code reads the last maps channel by channel, as the plain model lays them out
        return super()._encoder_maps(x, steps).contiguous()

    def _expand(self, z, steps=None):
        return super()._expand(z, steps).contiguous(memory_format=CL)

    def _conv(self, blk, h):
        w, b = self.parts(blk)
        shape = (blk.fan_out, blk.fan_in) if blk.kind == "conv" else (blk.fan_in, blk.fan_out)
        return _op(blk.kind, reworked=True)(h, w.reshape(*shape, KERNEL, KERNEL), b.reshape(-1))


def check_same(plain: Step, reworked: Step) -> None:
    """The two steps' loss and gradient on one batch from the same weights agree up to float32 rounding."""
    reworked.x = plain.x
    found = []
    for step in (plain, reworked):
        loss = step.loss().sum()
        loss.backward()
        found.append((loss.detach(), step.model.flat.grad.clone()))
        step.model.flat.grad = None
    for a, b in zip(*found):
        same_up_to_rounding(a, b)


def time_batch(exp, steps: int, rounds: int, peak: float) -> dict:
    """Both forms' best mean step over `rounds` alternating rounds of `steps` steps, and their rates."""
    plain = Step(exp)
    reworked = Step(exp, build=Reworked)
    check_same(plain, reworked)
    fwd, bwd = plain.flops()
    flop = fwd + bwd
    best = {"plain": float("inf"), "reworked": float("inf")}
    for _ in range(rounds):
        for name, step in (("plain", plain), ("reworked", reworked)):
            best[name] = min(best[name], step.seconds(steps))
    out = {"batch": exp.train.batch_size, "optimizer": exp.train.optimizer, "threads": plain.threads, "flop": flop}
    for name, seconds in best.items():
        out[name] = {"seconds": round(seconds, 6), "gflops": round(flop / seconds / 1e9, 2),
                     "of_peak": round(flop / seconds / 1e9 / peak, 3)}
    out["speedup"] = round(best["plain"] / best["reworked"], 3)
    return out


def main(argv=None) -> dict:
    ap = preset_options(__doc__)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    plans = conv_plans(ap, args)
    # one run of each batch size (runs that differ in rate or seed step alike)
    runs = {p.experiment.train.batch_size: p.experiment for p in reversed(plans)}
    batches = args.batches or sorted(runs)
    peak = max(gemm_peak(n, args.repeats) for n in args.gemm_sizes)
    print(f"{args.preset}: float32 GEMM peak {peak:.1f} GFLOP/s", flush=True)
    results, first = [], plans[0].experiment
    for batch in batches:
        exp = runs.get(batch) or replace(first, train=replace(first.train, batch_size=batch))
        r = time_batch(exp, args.steps, args.rounds, peak)
        results.append(r)
        print(f"batch {batch}, {r['optimizer']}, {r['threads']} threads, {r['flop'] / 1e9:.3f} GFLOP a step:",
              flush=True)
        for name in ("plain", "reworked"):
            f = r[name]
            print(f"  {name:9s} {f['seconds'] * 1e3:8.2f} ms  {f['gflops']:6.1f} GFLOP/s  "
                  f"{f['of_peak']:4.0%} of the peak")
        print(f"  speed-up {r['speedup']:.2f}x", flush=True)
    out = {"preset": args.preset, "gemm_peak_gflops": round(peak, 2), "results": results}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
