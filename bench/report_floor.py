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
And (c) where a row's runs stacked side by side before the CPU stacking rule (train/stacking.py
trains a run whose step alone keeps every thread busy alone), each model's share of one stacked step
of that many models (grouped convolutions, K times the activations), against alone's.
Printed per row and for both: total TFLOP; the time at the GEMM peak (a floor for this float32
arithmetic on these cores, whatever the code around it); the time at the steps' achieved rate
(applied to evaluation too: a forward pass, about as efficient); the time the committed run
took (docs/course-reports/<row>/done.json, its `seconds`) and the rate that implies; beside the
60-minute target. About a minute on a quiet 2-core machine; one JSON line at the end (--json
PATH: also to a file).

Then the report on a cluster (`aegui report all --ray ADDRESS`: each training run one Ray task of
one CPU), modelled from what each run took: its `seconds` in the committed rows' runs.csv
(docs/course-reports/<row>/runs.csv; a stacked run's share of its session), or, for a row
without per-run times, its done.json seconds (else its preset's stated time) spread over its
planned runs; a row that runs whole as one task (003's classifiers) is one run. A run trained
with both cores (a session above TrainingSession's small-step size: the conv networks) is
counted as twice its seconds on the one core its task gets; the small glyph runs used one
thread. On N machines of 2 or 8 cores (N x cores one-core slots), three ways: as the report sends
them (every row's runs at the start, Ray starting them in row order, each on the first slot to
come free: Ray keeps that order only mostly, as it queues each row's tasks apart); the runs placed
longest first on the least loaded slot, row after row (how the report ran before it sent every
row's runs at the start: each row waited for the one before); and all rows' runs longest first at
once (the best order). Printed for N = 1, 2, 4, 8, 16 beside the two floors: the critical path
(the longest single run; with rows one after another, the sum of each row's longest run) and the total work
over the slots, and which one binds at 8 machines of 2 cores against the 60-minute target. A run
measured stacked takes longer alone (001-architectures' 5 seeds: 1.3 s side by side, 6.9 s one
by one), so the stacked rows are an underestimate.
Usage: python bench/report_floor.py [--gemm-sizes 1024 2048 4096] [--repeats 5] [--steps 3] [--json F]
                                    [--rows ROW,ROW] [--images N] [--machines 1 2 4 8 16]
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
from aegui.core.analyses.compare.runs import load_spec, plan_stacks  # noqa: E402
from aegui.core.archs import build_model  # noqa: E402
from aegui.core.models.objectives import objective_of  # noqa: E402
from aegui.core.train.optim import FlatOptimizer  # noqa: E402
from aegui.core.train.session import small_step  # noqa: E402

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

    def __init__(self, exp, images: int | None = None, k: int = 1, build=build_model):
        self.exp, self.k = exp, k
        self.model = build(exp.model, k)       # build: another form of the model (bench/conv_step.py)
        self.model.init_weights([exp.train.seed + i for i in range(k)])
        self.objective = objective_of(exp.model)
        self.opt = FlatOptimizer(exp.train, self.model.flat, torch.full((k,), exp.train.learning_rate),
                                 [exp.train.momentum] * k)
        # Random pixels in [0, 1): the arithmetic depends on the shapes only. With `images`, a step
        # of that many images stands for the batch (FLOPs and seconds scaled by batch / images).
        self.scale = exp.train.batch_size / images if images else 1.0
        self.x = torch.rand(images or exp.train.batch_size, self.model.input_dim)
        # The session runs small steps on one thread (TrainingSession._small_on_cpu); do the same.
        small = small_step(k, exp.train.batch_size, self.model.work_per_sample())
        self.threads = 1 if small else torch.get_num_threads()

    def loss(self):
        with self.model.weight_views():
            total, _, _ = self.objective.loss(self.model, self.x, self.x, self.exp.model, self.exp.train.loss, 1)
        return total

    def run(self) -> None:
        self.loss().sum().backward()
        self.opt.step(self.model.flat.grad, 1.0, torch.ones(self.k, dtype=torch.bool))
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
    # The stacks the runs trained in before the CPU stacking rule (train/stacking.py) trained such runs alone.
    stacked = {p.index: len(stack) for stack in plan_stacks(plans) for p in stack}
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
                          "step_s_bf16": round(seconds_bf16, 6), "stacked_k": stacked[plan.index]}
            if stacked[plan.index] > 1:    # each model's share of a stacked step, as the committed run trained it
                share = Step(plan.experiment, images, stacked[plan.index]).seconds(steps) / stacked[plan.index]
                kinds[key]["stacked_s_per_model"] = round(share, 6)
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


# ---------------------------------------------------------------- the report on N machines

MACHINES, CORES = (1, 2, 4, 8, 16), (2, 8)


def _threads(exp) -> int:
    """The threads a run alone trained on (TrainingSession's small-step rule; full batches are
    the glyph sets', about 100 rows): 1 or both cores."""
    rows = exp.train.batch_size if exp.train.batch_size > 0 else 100
    return 1 if small_step(1, rows, build_model(exp.model, 1).work_per_sample()) else 2


def _runs_csv(folder: Path) -> list[dict] | None:
    import csv
    try:
        with open(folder / "runs.csv", newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except OSError:
        return None
    return rows if rows and "seconds" in rows[0] else None


def row_runs(spec, exp) -> dict:
    """A row's runs as the cluster runs them: {"row", "kind", "source", "runs": [(label, one-core
    seconds)]}."""
    from aegui.core.analyses.presets import seeded
    from aegui.core.analyses.report.run import row_preset
    from aegui.core.analyses.sweeps.sweep import expand, load_sweep
    row = f"{spec.id}-{exp.id}"
    folder = ROOT / "docs" / "course-reports" / row
    info = row_preset(exp)
    done = measured_seconds(row)
    if info.kind == "compare":
        experiments = [p.experiment for p in seeded(load_spec(exp.preset), info).plans()]
        by_row = lambda r: experiments[int(r["run"])]       # noqa: E731
    elif info.kind == "sweep":
        sweep = load_sweep(exp.preset)
        configs = [c.experiment for c in expand(sweep)]
        experiments = [e for e in configs for _ in range(sweep.seeds)]
        by_row = lambda r: configs[int(r["config"])]        # noqa: E731
    else:       # a whole row, one task; it trained on both cores
        seconds = done if done is not None else info.time_2cores_s
        return {"row": row, "kind": info.kind, "source": "done.json" if done is not None else "stated",
                "runs": [(row, 2 * float(seconds or 0))]}
    threads = {}

    def one_core(e, seconds):
        key = (e.model, e.train.batch_size)
        if key not in threads:
            threads[key] = _threads(e)
        return seconds * threads[key]
    table = _runs_csv(folder)
    if table is not None:
        return {"row": row, "kind": info.kind, "source": "runs.csv",
                "runs": [(r.get("label", ""), one_core(by_row(r), float(r["seconds"]))) for r in table]}
    each = float(done if done is not None else info.time_2cores_s or 0) / max(1, len(experiments))
    return {"row": row, "kind": info.kind, "source": "done.json / runs" if done is not None else "stated / runs",
            "runs": [(e.name, one_core(e, each)) for e in experiments]}


def row_makespan(seconds: list[float], slots: int) -> float:
    """The runs placed longest first on the least loaded of `slots`: when the last one ends."""
    import heapq
    loads = [0.0] * min(slots, max(1, len(seconds)))
    for s in sorted(seconds, reverse=True):
        heapq.heapreplace(loads, loads[0] + s)
    return max(loads)


def sent_order_makespan(seconds: list[float], slots: int) -> float:
    """The runs started in the order given, each on the first slot to come free (Ray's queue of the tasks the
    report sends, every row's at the start): when the last one ends."""
    import heapq
    free = [0.0] * min(slots, max(1, len(seconds)))
    for s in seconds:
        heapq.heappush(free, heapq.heappop(free) + s)
    return max(free)


def cluster_model(machines=MACHINES) -> dict:
    """The report's wall time on N machines of each size, from its runs' measured costs."""
    from aegui.core.analyses.report.run import load_report
    rows = [row_runs(spec, exp) for spec in load_report("all") for exp in spec.experiments]
    runs = [(r["row"], label, s) for r in rows for label, s in r["runs"]]
    total = sum(s for _, _, s in runs)
    longest = max(runs, key=lambda r: r[2])
    chain = sum(max((s for _, s in r["runs"]), default=0.0) for r in rows)     # each row's longest, in turn
    table = {}
    for cores in CORES:
        for n in machines:
            slots = n * cores
            wall = sum(row_makespan([s for _, s in r["runs"]], slots) for r in rows)
            # every row's runs submitted at once (no row waiting for the one before)
            together = row_makespan([s for _, _, s in runs], slots)
            table[f"{n}x{cores}"] = {"machines": n, "cores": cores, "wall_s": round(wall),
                                     "all_at_once_s": round(together),
                                     "sent_in_order_s": round(sent_order_makespan([s for _, _, s in runs], slots)),
                                     "work_floor_s": round(total / slots),
                                     "rows_chain_s": round(chain)}
    return {"runs": len(runs), "rows": len(rows), "work_s": round(total), "longest_run_s": round(longest[2]),
            "longest_run": f"{longest[0]}: {longest[1]}", "rows_chain_s": round(chain), "table": table,
            "sources": {r["row"]: r["source"] for r in rows},
            "row_longest_s": {r["row"]: round(max((s for _, s in r["runs"]), default=0.0)) for r in rows}}


def print_cluster_model(m: dict) -> None:
    print(f"\nthe report on a cluster (each run one Ray task of one core; {m['runs']} runs in {m['rows']} rows, "
          f"{hours(m['work_s'])} of one-core work): the longest run {hours(m['longest_run_s'])} "
          f"({m['longest_run']}); each row's longest run, row after row: {hours(m['rows_chain_s'])}")
    estimated = sorted(row for row, src in m["sources"].items() if src != "runs.csv")
    print(f"  (per-run times from runs.csv; spread over the row's runs or stated for {', '.join(estimated)})")
    for cores in CORES:
        cells = [m["table"][f"{n}x{cores}"] for n in sorted({c['machines'] for c in m['table'].values()})]
        print(f"  machines of {cores} cores, rows in turn: " + "; ".join(f"{c['machines']}: {hours(c['wall_s'])}"
                                                                       for c in cells))
        print(f"  machines of {cores} cores, all rows' runs at once: " + "; ".join(
            f"{c['machines']}: {hours(c['all_at_once_s'])}" for c in cells))
        print(f"  machines of {cores} cores, as `aegui report --ray` sends them (every row's runs at the start, "
              "started in row order): " + "; ".join(f"{c['machines']}: {hours(c['sent_in_order_s'])}" for c in cells))
    at = m["table"].get("8x2")
    if at is not None:
        binds = "the total work over 16 cores" if at["work_floor_s"] >= m["longest_run_s"] else "the longest run"
        print(f"  8 machines of 2 cores: {hours(at['sent_in_order_s'])} as the report sends the runs "
              f"({hours(at['wall_s'])} with rows in turn, {hours(at['all_at_once_s'])} all at once, longest first) "
              f"against the {hours(TARGET_S)} target; floors: work over 16 cores {hours(at['work_floor_s'])}, longest "
              f"run {hours(m['longest_run_s'])}: bound by {binds} (rows in turn were bound by each row's longest run, "
              f"{hours(at['rows_chain_s'])} in all)")
        top = sorted(m["row_longest_s"].items(), key=lambda kv: -kv[1])[:5]
        print("  rows with the longest runs: " + ", ".join(f"{row} {hours(s)}" for row, s in top))


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
    ap.add_argument("--machines", type=int, nargs="+", default=list(MACHINES),
                    help="cluster sizes the report's wall time is modelled for (machines of 2 and of 8 cores)")
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
            if "stacked_s_per_model" in k:
                print(f"    side by side in stacks of {k['stacked_k']}, as before the CPU stacking rule: "
                      f"{k['stacked_s_per_model']:.3f} s a model a step = {k['step_flop'] / k['stacked_s_per_model'] / 1e9:.1f} "
                      f"GFLOP/s, {k['stacked_s_per_model'] / k['step_s']:.2f}x alone's")
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
    cluster = cluster_model(a.machines)
    print_cluster_model(cluster)
    out = {"gemm_gflops": gemm, "threads": torch.get_num_threads(), "gemm_peak_gflops": peak,
           "gemm_peak_bf16_gflops": peak_bf16,
           "target_s": TARGET_S, "rows": rows, "both": both, "cluster": cluster, "torch": torch.__version__}
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=1))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
