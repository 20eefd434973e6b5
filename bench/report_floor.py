"""Why `aegui report all` cannot finish in an hour on this machine: its training is arithmetic.

The two heaviest rows of the course report are counted and set beside what this machine can
compute, all in one run:
- 003-embedding-mnist (resources/analyses/seed003-mnist-ae2d.json): the report's Keras conv
  network layer by layer, 2 runs x 3 seeds, 10 epochs of MNIST's 60,000 images in batches of 256.
- 004-grid-search (resources/analyses/seed004-grid-search.json): 45 trainings of a conv
  autoencoder, 16 epochs each, batches of 128, 256 and 1000.

Each run's model is built from the compare file as the compare job builds it (load_spec ->
CompareSpec.plans() -> build_model, objective_of(...).loss, FlatOptimizer), and the FLOPs of one
training step (the loss's forward and backward on one batch of random 28x28 images; no data is
read) are counted with torch.utils.flop_counter.FlopCounterMode. That counter counts matrix
products and convolutions only: activations, batch-norm, pooling, up-sampling, the loss and the
optimizer's update are left out, so every figure here is a floor. Conv and matmul FLOPs are
proportional to the batch's rows, so an epoch is the step's FLOPs x 60,000 / batch. Evaluation
is counted too: the 10,000 test images' forward pass at every check (check_every 1: every epoch)
and once more for the run's final metrics. Left out: 003's PCA, t-SNE and 5-NN on the codes,
the figures, and 004's stacking of runs side by side (the same arithmetic per run).

Against that: (a) the peak of this machine's float32 matrix multiply (torch.mm of square
matrices of each --gemm-sizes, default threads, best of --repeats; the highest size counts, so
the floor is the lowest), the most a conv network's arithmetic can hope for; (b) the rate one
real training step of each model achieves (loss, backward, optimizer step on aegui's own
objects, timed over --steps steps after a warm-up, on the threads aegui's session would use).
The same two are measured in bfloat16 too (the GEMM, and each step under CPU bf16 autocast):
this CPU has bf16 matrix units (AMX), so bf16's floor is far lower; the report trains in float32
(the documents' networks are float32, and bf16's 8-bit mantissa would give other numbers), so the
float32 floor is the one that binds, and the bf16 figures say what giving that up would buy.
Printed per row and for both: total TFLOP; the time at the GEMM peak (a floor for this float32
arithmetic on these cores, whatever the code around it); the time at the steps' achieved rate
(applied to evaluation too: a forward pass, about as efficient); the time the committed run
took (docs/course-reports/<row>/done.json, its `seconds`) and the rate that implies; beside the
60-minute target. About a minute on a quiet 2-core machine; one JSON line at the end (--json
PATH: also to a file).
Usage: python bench/report_floor.py [--gemm-sizes 1024 2048 4096] [--repeats 5] [--steps 3] [--json F]
                                    [--rows ROW,ROW] [--images N]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from aegui.core.analyses.compare.runs import load_spec  # noqa: E402
from aegui.core.archs import build_model  # noqa: E402
from aegui.core.models.objectives import objective_of  # noqa: E402
from aegui.core.train.optim import FlatOptimizer  # noqa: E402
from aegui.core.train.session import _SMALL_WORK  # noqa: E402

ROWS = (("003-embedding-mnist", "seed003-mnist-ae2d"), ("004-grid-search", "seed004-grid-search"))
TRAIN_IMAGES, TEST_IMAGES = 60_000, 10_000     # MNIST's training and official test files
TARGET_S = 3600.0


def gemm_peak(n: int, repeats: int, dtype=torch.float32) -> float:
    """GFLOP/s of the best of `repeats` n x n matrix products in `dtype`."""
    a, b = torch.rand(n, n, dtype=dtype), torch.rand(n, n, dtype=dtype)
    c = torch.mm(a, b)                 # first call: threads started, memory touched
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        torch.mm(a, b, out=c)
        best = min(best, time.perf_counter() - t0)
    return 2 * n ** 3 / best / 1e9


class Step:
    """One training step of a run's model, made of the objects aegui's eager loop uses."""

    def __init__(self, exp, images: int | None = None):
        self.exp = exp
        self.model = build_model(exp.model, 1)
        self.model.init_weights([exp.train.seed])
        self.objective = objective_of(exp.model)
        self.opt = FlatOptimizer(exp.train, self.model.flat, torch.tensor([exp.train.learning_rate]),
                                 [exp.train.momentum])
        # Random pixels in [0, 1): the arithmetic depends on the shapes only. With `images`, a step
        # of that many images stands for the batch (FLOPs and seconds scaled by batch / images).
        self.scale = exp.train.batch_size / images if images else 1.0
        self.x = torch.rand(images or exp.train.batch_size, self.model.input_dim)
        # The session runs small steps on one thread (TrainingSession._small_on_cpu); do the same.
        small = exp.train.batch_size * self.model.work_per_sample() < _SMALL_WORK
        self.threads = 1 if small else torch.get_num_threads()

    def loss(self):
        with self.model.weight_views():
            total, _, _ = self.objective.loss(self.model, self.x, self.x, self.exp.model, self.exp.train.loss, 1)
        return total

    def run(self) -> None:
        self.loss().sum().backward()
        self.opt.step(self.model.flat.grad, 1.0, torch.ones(1, dtype=torch.bool))
        self.model.flat.grad.zero_()

    def flops(self) -> tuple[int, int]:
        """(forward, backward) FLOPs of one step; the forward is what evaluating a batch costs."""
        with FlopCounterMode(display=False) as fwd:
            total = self.loss()
        with FlopCounterMode(display=False) as bwd:
            total.sum().backward()
        self.model.flat.grad = None
        return round(fwd.get_total_flops() * self.scale), round(bwd.get_total_flops() * self.scale)

    def seconds(self, steps: int, bf16: bool = False) -> float:
        """Mean seconds of a step, after one untimed; `bf16`: under CPU bfloat16 autocast (what
        the CPU's bf16 matrix units could give, at bf16's 8-bit mantissa)."""
        before = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        try:
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                self.run()
                t0 = time.perf_counter()
                for _ in range(steps):
                    self.run()
            return (time.perf_counter() - t0) / steps * self.scale
        finally:
            torch.set_num_threads(before)


def measured_seconds(row: str) -> float | None:
    """The committed run's time: done.json's `seconds` (the runs' own time when it was resumed)."""
    try:
        done = json.loads((ROOT / "docs" / "course-reports" / row / "done.json").read_text())
    except (OSError, ValueError):
        return None
    seconds = done.get("seconds") or done.get("measured", {}).get("seconds_all_runs")
    return float(seconds) if isinstance(seconds, (int, float)) else None


def row_figures(row: str, preset: str, steps: int, peak: float, images: int | None = None) -> dict:
    plans = load_spec(ROOT / "resources" / "analyses" / f"{preset}.json").plans()
    kinds: dict[tuple, dict] = {}     # runs that differ only in seed, rate or momentum cost the same
    train = evaluate = achieved_s = bf16_s = 0.0
    for plan in plans:
        t = plan.experiment.train
        key = (plan.experiment.model, t.batch_size, t.loss, t.optimizer)
        if key not in kinds:
            step = Step(plan.experiment, images)
            fwd, bwd = step.flops()
            seconds = step.seconds(steps)
            seconds_bf16 = step.seconds(steps, bf16=True)
            kinds[key] = {"like": plan.label, "runs": 0, "batch_size": t.batch_size, "optimizer": t.optimizer,
                          "steps_per_epoch": -(-TRAIN_IMAGES // t.batch_size), "step_flop": fwd + bwd,
                          "forward_flop_per_image": fwd / t.batch_size, "step_s": round(seconds, 6),
                          "threads": step.threads, "achieved_gflops": round((fwd + bwd) / seconds / 1e9, 2),
                          "step_s_bf16": round(seconds_bf16, 6)}
        k = kinds[key]
        k["runs"] += 1
        run_train = k["step_flop"] * TRAIN_IMAGES / t.batch_size * t.epochs
        checks = -(-t.epochs // t.check_every) + 1         # every check, and the final metrics
        run_eval = k["forward_flop_per_image"] * TEST_IMAGES * checks
        train += run_train
        evaluate += run_eval
        achieved_s += (run_train + run_eval) * k["step_s"] / k["step_flop"]
        bf16_s += (run_train + run_eval) * k["step_s_bf16"] / k["step_flop"]
    total = train + evaluate
    return {"row": row, "preset": preset, "trainings": len(plans), "kinds": list(kinds.values()),
            "train_tflop": round(train / 1e12, 2), "eval_tflop": round(evaluate / 1e12, 2),
            "total_tflop": round(total / 1e12, 2), "floor_s": round(total / (peak * 1e9)),
            "achieved_s": round(achieved_s), "achieved_bf16_s": round(bf16_s), "measured_s": measured_seconds(row),
            "measured_gflops": rate(total, measured_seconds(row))}


def rate(flop: float, seconds: float | None) -> float | None:
    return None if not seconds else round(flop / seconds / 1e9, 2)


def hours(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds / 3600:.2f} h ({seconds:,.0f} s)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gemm-sizes", type=int, nargs="+", default=[1024, 2048, 4096],
                    help="sides of the square matrices torch.mm multiplies")
    ap.add_argument("--repeats", type=int, default=5, help="matrix products timed; the best counts")
    ap.add_argument("--steps", type=int, default=3, help="training steps timed per model, after one warm-up")
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--rows", default=",".join(row for row, _ in ROWS), help="which rows (comma-separated)")
    ap.add_argument("--images", type=int, help="images in each timed step instead of the run's batch, its FLOPs "
                    "and seconds scaled to the batch (quick looks: a small step's overheads weigh more)")
    a = ap.parse_args()
    known = dict(ROWS)
    if unknown := [r for r in a.rows.split(",") if r not in known]:
        ap.error(f"no row {', '.join(unknown)}; the rows: {', '.join(known)}")
    gemm = {n: round(gemm_peak(n, a.repeats), 2) for n in a.gemm_sizes}
    peak = max(gemm.values())
    print(f"float32 GEMM peak ({torch.get_num_threads()} threads, best of {a.repeats}): "
          + ", ".join(f"{n}x{n} {g:.1f}" for n, g in gemm.items()) + f" GFLOP/s; peak {peak:.1f}", flush=True)
    # The same in bfloat16: where the CPU has bf16 matrix units (AMX), several times float32's.
    peak_bf16 = max(round(gemm_peak(n, a.repeats, torch.bfloat16), 2) for n in a.gemm_sizes)
    print(f"bfloat16 GEMM peak: {peak_bf16:.1f} GFLOP/s ({peak_bf16 / peak:.1f}x float32's)", flush=True)
    rows = []
    for row, preset in [(r, known[r]) for r in a.rows.split(",")]:
        r = row_figures(row, preset, a.steps, peak, a.images)
        rows.append(r)
        print(f"\n{row} ({preset}.json): {r['trainings']} trainings", flush=True)
        for k in r["kinds"]:
            print(f"  {k['runs']} run(s) like {k['like']!r}: {k['step_flop'] / 1e9:.2f} GFLOP a step of "
                  f"{k['batch_size']} images ({k['steps_per_epoch']} steps an epoch), {k['step_s']:.3f} s a step "
                  f"on {k['threads']} threads = {k['achieved_gflops']:.1f} GFLOP/s ({k['achieved_gflops'] / peak:.0%} "
                  f"of the peak); {k['step_s_bf16']:.3f} s under bf16 autocast")
        print(f"  {r['train_tflop']:.1f} TFLOP training + {r['eval_tflop']:.1f} TFLOP evaluation = "
              f"{r['total_tflop']:.1f} TFLOP")
        print(f"  at the GEMM peak {hours(r['floor_s'])}; at its steps' rate {hours(r['achieved_s'])} "
              f"(bf16 autocast: {hours(r['achieved_bf16_s'])}); "
              f"committed run {hours(r['measured_s'])} = {r['measured_gflops'] or 'n/a'} GFLOP/s; "
              f"target {hours(TARGET_S)}")
    measured = [r["measured_s"] for r in rows]
    both = {"total_tflop": round(sum(r["total_tflop"] for r in rows), 2),
            "floor_s": sum(r["floor_s"] for r in rows),
            "achieved_s": sum(r["achieved_s"] for r in rows),
            "achieved_bf16_s": sum(r["achieved_bf16_s"] for r in rows),
            "floor_bf16_s": round(sum(r["total_tflop"] for r in rows) * 1e12 / (peak_bf16 * 1e9)),
            "measured_s": None if None in measured else round(sum(measured), 3)}
    both["measured_gflops"] = rate(both["total_tflop"] * 1e12, both["measured_s"])
    print(f"\nboth rows: {both['total_tflop']:.1f} TFLOP; at the GEMM peak {hours(both['floor_s'])} "
          f"= {both['floor_s'] / TARGET_S:.1f}x the 60-minute target; at the steps' rate "
          f"{hours(both['achieved_s'])}; in bf16 at its GEMM peak {hours(both['floor_bf16_s'])}, at the "
          f"steps' bf16 rate {hours(both['achieved_bf16_s'])}; committed runs {hours(both['measured_s'])} = "
          f"{both['measured_gflops'] or 'n/a'} GFLOP/s")
    out = {"gemm_gflops": gemm, "threads": torch.get_num_threads(), "gemm_peak_gflops": peak,
           "gemm_peak_bf16_gflops": peak_bf16,
           "target_s": TARGET_S, "rows": rows, "both": both, "torch": torch.__version__}
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=1))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
