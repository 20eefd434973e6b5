"""How fast another CPU's rounding grows in a glyph row's training, in single and in double precision.

The 000 rows (a 2-D autoencoder of the 5x7 font: full batch, Adam at 0.01, ReLU, sigmoid outputs,
cross-entropy, 10,000 epochs) state no tolerance across CPUs: made again with other matrix kernels
their numbers move by 80-200 % (docs/course-reports/kernels.json). Would double precision make them
reproducible digit by digit, as the students' own numpy code (float64 by default) might suggest?

Here the row's network is trained by a plain numpy loop (not aegui's code: the question is about the
training, not about aegui) in float32 and in float64, each under two OpenBLAS kernel sets (Haswell's
AVX2 and Prescott's SSE3, the switch report/kernels.py uses for numpy), from the same initial
weights. Printed for each precision: the first check at which the two runs' losses differ by more
than 1 %, and their relative difference at the end. If double precision only postponed the parting
by the 9 digits it adds, the rows could be made stable with it; if the two runs part within a few
hundred epochs in both precisions, the training is chaotic and no precision makes the numbers
repeat: only the verdicts over seeds can.

    python bench/rounding_growth.py [--epochs 10000] [--every 50] [--layers 35-25-10-2-10-25-35]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KERNELS = ("Haswell", "Prescott")


def train(dtype: str, layers: list[int], epochs: int, lr: float, seed: int, every: int) -> list[float]:
    """The loss at every `every`-th epoch (and the last) of one full-batch Adam training of the
    mirrored autoencoder `layers` on Font3, in `dtype`."""
    import numpy as np
    sys.path.insert(0, str(ROOT))
    from aegui.core.data.glyphs import glyphs_to_array, read_font_h
    font = next(f for f in read_font_h(ROOT / "resources" / "font.h") if f.name == "Font3")
    dt = np.dtype(dtype)
    x = glyphs_to_array(font.glyphs).reshape(len(font.glyphs), -1).astype(dt)
    rng = np.random.default_rng(seed)
    # the same initial weights in both precisions: drawn in float64, then rounded
    ws = [rng.uniform(-1, 1, (a, b)).astype(dt) / dt.type(np.sqrt(a)) for a, b in zip(layers, layers[1:])]
    bs = [np.zeros(b, dt) for b in layers[1:]]
    params = ws + bs
    ms = [np.zeros_like(p) for p in params]
    vs = [np.zeros_like(p) for p in params]
    code = len(ws) // 2 - 1          # the layer whose output is the 2-D code: linear
    losses = []
    for epoch in range(1, epochs + 1):
        hs, zs = [x], []
        for i, (w, b) in enumerate(zip(ws, bs)):
            z = hs[-1] @ w + b
            zs.append(z)
            if i == len(ws) - 1:
                hs.append(1 / (1 + np.exp(-np.clip(z, -60, 60))))
            else:
                hs.append(z if i == code else np.maximum(z, 0))
        y = np.clip(hs[-1], 1e-7, 1 - 1e-7)
        if epoch % every == 0 or epoch == epochs or epoch == 1:
            losses.append(float(-np.mean(x * np.log(y) + (1 - x) * np.log(1 - y))))
        d = (hs[-1] - x) / dt.type(x.size)
        grads_w, grads_b = [None] * len(ws), [None] * len(ws)
        for i in reversed(range(len(ws))):
            grads_w[i], grads_b[i] = hs[i].T @ d, d.sum(0)
            if i:
                d = d @ ws[i].T
                if i - 1 != code:
                    d = d * (zs[i - 1] > 0)
        step = lr * np.sqrt(1 - 0.999 ** epoch) / (1 - 0.9 ** epoch)
        for p, g, m, v in zip(params, grads_w + grads_b, ms, vs):
            m *= dt.type(0.9); m += dt.type(0.1) * g
            v *= dt.type(0.999); v += dt.type(0.001) * g * g
            p -= dt.type(step) * m / (np.sqrt(v) + dt.type(1e-8))
    return losses


def run_under(kernel: str, dtype: str, args) -> list[float]:
    """train() in a process of its own with OpenBLAS told to use `kernel`'s kernels (the switch is
    read when numpy loads, so it cannot change inside one process)."""
    env = dict(os.environ, OPENBLAS_CORETYPE=kernel, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    cmd = [sys.executable, __file__, "--one", dtype, "--epochs", str(args.epochs), "--every", str(args.every),
           "--layers", args.layers, "--lr", str(args.lr), "--seed", str(args.seed)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def parting(a: list[float], b: list[float], every: int, epochs: int, share: float = 0.01) -> int | None:
    """The first checked epoch at which two loss curves differ by more than `share` of the larger."""
    checked = [1] + list(range(every, epochs + 1, every)) + ([epochs] if epochs % every else [])
    for epoch, x, y in zip(checked, a, b):
        if abs(x - y) > share * max(abs(x), abs(y)):
            return epoch
    return None


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=10000)
    ap.add_argument("--every", type=int, default=50)
    ap.add_argument("--layers", default="35-25-10-2-10-25-35", help="the mirrored network (000-architectures' balanced one)")
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--one", choices=("float32", "float64"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    layers = [int(v) for v in args.layers.split("-")]
    import numpy as np
    if args.one:
        print(json.dumps(train(args.one, layers, args.epochs, args.lr, args.seed, args.every)))
        return {}
    result = {"layers": args.layers, "epochs": args.epochs, "lr": args.lr, "seed": args.seed, "kernels": list(KERNELS)}
    print(f"{args.layers}, Adam at {args.lr}, {args.epochs} epochs, seed {args.seed}; "
          f"OpenBLAS kernels {KERNELS[0]} against {KERNELS[1]}")
    for dtype in ("float32", "float64"):
        a, b = (run_under(k, dtype, args) for k in KERNELS)
        parted = parting(a, b, args.every, args.epochs)
        end = abs(a[-1] - b[-1]) / max(abs(a[-1]), abs(b[-1]))
        result[dtype] = {"parted_at_epoch": parted, "final_loss": [a[-1], b[-1]], "final_difference": end}
        print(f"  {dtype}: losses differ by more than 1 % from epoch {parted if parted else '- (never)'}; "
              f"at the end {a[-1]:.4g} against {b[-1]:.4g} ({100 * end:.3g} % apart)")
    p32, p64 = result["float32"]["parted_at_epoch"], result["float64"]["parted_at_epoch"]
    if p32 and p64 and p64 > p32:
        # float64 starts 8.7 decimal digits closer (its machine epsilon against float32's)
        digits = math.log10(float(np.finfo(np.float32).eps) / float(np.finfo(np.float64).eps))
        result["epochs_per_tenfold"] = (p64 - p32) / digits
        print(f"  double precision's {digits:.1f} more digits bought {p64 - p32} epochs: a difference grows "
              f"about 10x every {result['epochs_per_tenfold']:.0f} epochs")
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
