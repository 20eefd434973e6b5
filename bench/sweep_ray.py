"""The seed-001 sweep here and on a local Ray instance (127.0.0.1, 2 CPUs), and Ray's cost.

Prints: Ray's start-up and shut-down, the sweep's wall time locally and on Ray (local, Ray,
local again: the machine may be shared), and the overhead per task:
(CPUs x wall - sum of the groups' training seconds) / tasks, for the sweep and for the same 12
groups cut to one epoch (nearly all overhead), with cold workers (first tasks import torch)
and warm ones. Same numbers check: results.csv equal apart from the seconds columns.

    python bench/sweep_ray.py [--epochs 1000] [--seeds 5]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

from aegui.core.analyses.sweeps.sweep import SweepRunner, load_sweep, with_overrides  # noqa: E402

SWEEP = Path(__file__).resolve().parents[1] / "resources" / "sweeps" / "seed001-architectures.json"


def strip(result):
    return [{k: v for k, v in result.summary(i).items() if not k.startswith("seconds")}
            for i in result.configs_done]


def on_ray(sweep, cpus):
    from aegui.core.analyses.sweeps.on_ray import RaySweepRunner
    runner = RaySweepRunner(sweep)
    start = time.perf_counter()
    result = runner.run()
    wall = time.perf_counter() - start
    busy = sum(result.group_seconds.values())
    return result, wall, (cpus * wall - busy) / len(runner.groups)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=1000)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--cpus", type=int, default=2)
    args = ap.parse_args()
    import ray

    from aegui.core.analyses.sweeps.on_ray import LOCAL_SYSTEM_CONFIG   # workers as aegui starts them
    sweep = with_overrides(load_sweep(SWEEP), seeds=args.seeds, epochs=args.epochs)
    tiny = with_overrides(sweep, epochs=1)
    print(f"seed-001: 12 groups x {args.seeds} seeds x {args.epochs} epochs; Ray {ray.__version__}, "
          f"{args.cpus} CPUs on 127.0.0.1 ({os.cpu_count()} cores here)")
    t = time.perf_counter()
    local1 = SweepRunner(sweep).run()
    local_s = [time.perf_counter() - t]
    t = time.perf_counter()
    ray.init(address="local", num_cpus=args.cpus, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False,
             configure_logging=False, _system_config=LOCAL_SYSTEM_CONFIG,
             runtime_env={"env_vars": {"PYTHONPATH": str(Path(SWEEP).parents[2])}})
    startup = time.perf_counter() - t
    try:
        _, cold_wall, cold = on_ray(tiny, args.cpus)
        _, warm_wall, warm = on_ray(tiny, args.cpus)
        result, ray_wall, overhead = on_ray(sweep, args.cpus)
    finally:
        t = time.perf_counter()
        ray.shutdown()
        shutdown = time.perf_counter() - t
    t = time.perf_counter()
    SweepRunner(sweep).run()
    local_s.append(time.perf_counter() - t)
    print(f"Ray start-up {startup:.1f} s, shut-down {shutdown:.1f} s")
    print(f"one-epoch groups: {cold_wall:.2f} s cold (workers import torch), {warm_wall:.2f} s warm; "
          f"overhead per task {cold:.2f} s cold, {warm * 1000:.0f} ms warm")
    print(f"sweep: local {local_s[0]:.1f} s / {local_s[1]:.1f} s, on Ray {ray_wall:.1f} s (workers warm, "
          f"start-up not counted); overhead per task {overhead * 1000:.0f} ms")
    print(f"same numbers as the local run: {strip(result) == strip(local1)}")


if __name__ == "__main__":
    main()
