"""The memory guard's estimate against what training really takes.

Each config trains for a few epochs in a fresh process on the device given; the peak is
torch.cuda.max_memory_allocated on CUDA, the growth of the peak resident memory (after
imports and data) on the CPU. The estimate should be above the peak (a run the guard lets
through must fit) and not far above it (or it refuses runs that would fit).
Usage: python bench/memory_estimate.py [--device cpu|cuda] [--big] [--only NAME,NAME]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CONFIGS = {
    "font3 35-25-10-2 adam K=1": {"model": {"layers": [35, 25, 10, 2, 10, 25, 35]}},
    "1000-wide adam K=8": {"model": {"layers": [35, 1000, 2, 1000, 35]}, "train": {"seeds": 8}},
    "100k-wide adam K=1": {"model": {"layers": [35, 100000, 2, 100000, 35]}},
    "100k-wide sgd K=4": {"model": {"layers": [35, 100000, 2, 100000, 35]}, "train": {"seeds": 4, "optimizer": "sgd"}},
    "digits conv ae": {"data": {"source": "digits"}, "model": {"arch": "conv", "layers": [64, 8, 64],
                                                              "channels": [16, 32], "input_shape": [8, 8]},
                       "train": {"batch_size": 64}},
}
BIG = {
    "10M-wide adam K=1": {"model": {"layers": [35, 10_000_000, 2, 10_000_000, 35]}},
}

CHILD = r"""
import json, resource, sys, torch
from aegui.core.schema.experiment import Experiment
from aegui.core.config.validation import with_changes
from aegui.core.data.datasets import from_config
from aegui.core.train.memory import estimate
from aegui.core.train.session import TrainingSession
changes, device = json.loads(sys.argv[1]), sys.argv[2]
train = {"epochs": 3, "check_every": 1, "device": device, **changes.get("train", {})}
tup = lambda d: {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}
exp = with_changes(Experiment(), model=tup(changes.get("model", {})), train=train, data=tup(changes.get("data", {})))
data = from_config(exp.data)
est = estimate(exp, len(data), data.dim, exp.train.seeds)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
s = TrainingSession(exp, data)
for rec in s.steps():
    pass
if device == "cuda":
    peak = torch.cuda.max_memory_allocated()
else:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base
print(json.dumps({"estimate": est.total, "peak": peak, "params": est.params}))
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    ap.add_argument("--big", action="store_true", help="also a 10M-wide model (tens of GB)")
    ap.add_argument("--only", help="comma-separated config names (as printed)")
    args = ap.parse_args()
    configs = {**CONFIGS, **(BIG if args.big else {})}
    if args.only:
        wanted = args.only.split(",")
        unknown = [name for name in wanted if name not in configs]
        if unknown:
            ap.error(f"no config named {', '.join(unknown)}; the configs: {', '.join(configs)}")
        configs = {name: configs[name] for name in wanted}
    for name, changes in configs.items():
        out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(changes), args.device], cwd=ROOT,
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        if out.returncode:
            print(json.dumps({"config": name, "error": out.stderr.strip().splitlines()[-1:]}))
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps({"config": name, "device": args.device, "params": r["params"],
                          "estimate_mb": round(r["estimate"] / 2 ** 20, 1), "peak_mb": round(r["peak"] / 2 ** 20, 1),
                          "estimate_over_peak": round(r["estimate"] / max(1, r["peak"]), 2)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
