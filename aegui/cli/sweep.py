"""`aegui sweep`: every combination of a sweep JSON, N seeds each; Ctrl-C keeps the finished groups.
With --ray the groups run as Ray tasks; a sweep with a "search" block runs an Optuna search."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from aegui.cli.common import EXIT_CANCELLED, UserError, catch_sigint
from aegui.core.schema.experiment import shown


def add_parsers(sub) -> None:
    """Adds `sweep`: every combination of a sweep JSON (or a search over it), here or on Ray."""
    w = sub.add_parser("sweep", help="train every combination of a sweep JSON, N seeds each",
                       description="Train every combination of the fields a sweep JSON varies, N seeds "
                       "each; write results.csv (mean and population std per config), runs.csv, "
                       "curves.csv, histories.csv and sweep.json. Ctrl-C cancels and keeps the "
                       "finished groups (exit status 130).")
    w.add_argument("sweep", help="sweep JSON, e.g. resources/sweeps/seed001-architectures.json")
    w.add_argument("--out", required=True, help="output folder")
    w.add_argument("--seeds", type=int, help="override the runs per config")
    w.add_argument("--epochs", type=int, help="override the epochs of every run")
    w.add_argument("--quiet", action="store_true", help="no progress on the terminal")
    w.add_argument("--ray", nargs="?", const="", metavar="ADDRESS",
                   help="run the groups (or trials) as Ray tasks on the cluster at ADDRESS (host:6379 or "
                   "ray://host:10001), or with no ADDRESS on a Ray instance started on this computer "
                   "for the run; needs `pip install \"aegui[cluster]\"`")
    w.add_argument("--cpus", type=int, help="CPUs of the Ray instance started for the run (default: all)")
    w.add_argument("--trials", type=int, help="override the trial budget of a sweep with a \"search\" block")
    w.add_argument("--grid", action="store_true",
                   help="train every combination even if the sweep has a \"search\" block")


def _sweep_line(p) -> str:
    done = p.fraction
    eta = p.elapsed * (1 - done) / done if done > 0 else 0.0
    bar = "#" * int(done * 20)
    label = "; ".join(p.group_labels)
    return (f"\r\033[K[{bar:<20}] group {p.group}/{p.groups}  runs {p.runs_done}/{p.runs}  "
            f"epoch {p.epoch}/{p.epochs}  best max wrong {p.best_max_wrong}  "
            f"{p.elapsed:.0f} s, ~{eta:.0f} s left  {label[:60]} ")


def cmd_sweep(args) -> int:
    """`aegui sweep`: trains every config of a sweep N seeds each (or runs its search) and writes the results
    files; Ctrl-C keeps the finished groups. Returns the exit status."""
    from dataclasses import replace

    from aegui.core.analyses.sweeps.sweep import SweepRunner, load_sweep, with_overrides
    from aegui.core.analyses.sweeps.tasks import ClusterUnavailable

    sweep = with_overrides(load_sweep(args.sweep), seeds=args.seeds, epochs=args.epochs)
    if args.grid:
        from aegui.core.analyses.sweeps.sweep import MAX_CONFIGS
        if sweep.n_configs > MAX_CONFIGS:
            raise UserError(f"--grid: {args.sweep} has {sweep.n_configs} combinations; a grid takes at most "
                            f"{MAX_CONFIGS} (search it instead)")
        sweep = replace(sweep, search=None)
    if args.cpus is not None and not (1 <= args.cpus <= 4096 and args.ray == ""):
        raise UserError("--cpus needs --ray with no address and a whole number from 1 to 4096")
    try:
        if sweep.search is not None:
            from aegui.cli.sweep_search import run_search
            return run_search(args, sweep)
        if args.trials is not None:
            raise UserError(f"--trials: {args.sweep} has no \"search\" block; it trains every combination")
        if args.ray is not None:
            from aegui.core.analyses.sweeps.on_ray import RaySweepRunner
            runner = RaySweepRunner(sweep, address=args.ray or None, num_cpus=args.cpus)
        else:
            runner = SweepRunner(sweep)
        return _run_grid(args, sweep, runner)
    except ClusterUnavailable as e:
        raise UserError(str(e)) from None


def _run_grid(args, sweep, runner) -> int:
    import signal

    from aegui.core.analyses.sweeps import evaluate as sweep_eval
    from aegui.core.analyses.sweeps.files import write_results
    out = Path(args.out)
    tty = not args.quiet and sys.stderr.isatty()
    if not args.quiet:
        where = f" on {runner.where}" if runner.where else ""
        print(f"aegui: sweep {shown(sweep.name)}: {len(runner.configs)} configs x {sweep.seeds} seeds = "
              f"{runner.n_runs} runs in {len(runner.groups)} training sessions{where}", file=sys.stderr)
    previous = catch_sigint(runner, "the finished groups are kept")
    last = 0.0
    try:
        for p in runner.steps():
            now = time.monotonic()
            if p.state == "running" and tty and now - last >= 0.1:
                last = now
                sys.stderr.write(_sweep_line(p))
                sys.stderr.flush()
            elif p.state == "group_done" and not args.quiet:
                labels = "; ".join(p.group_labels)
                sys.stderr.write(("\r\033[K" if tty else "") +
                                 f"group {p.group}/{p.groups} done in {p.group_elapsed:.1f} s "
                                 f"({p.group_runs} runs: {labels})\n")
    except KeyboardInterrupt:       # the second Ctrl-C: the finished groups are still written
        runner.result.cancelled = True
        if runner.result.cancelled_group is None and len(runner.result.group_seconds) < len(runner.groups):
            runner.result.cancelled_group = len(runner.result.group_seconds)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    result = runner.result
    write_results(result, out)
    best = result.best_config()
    if not args.quiet:
        if best is not None:
            row = result.summary(best)
            diverged = f" ({row['n_diverged']} of {row['n_runs']} diverged)" if row["n_diverged"] else ""
            untrained = sum(result.health().failed(best).values())
            counted = f", {untrained} of them untrained (counted)" if untrained else ""
            print(f"aegui: best config {best} ({row['label']}): max wrong {row['final_max_wrong_mean']:.2f} "
                  f"+/- {row['final_max_wrong_std']:.2f} over {row['n_runs'] - row['n_diverged']} runs{diverged}"
                  f"{counted}", file=sys.stderr)
        names = sweep_eval.metric_names(sweep)
        for row in result.summaries() if set(names) & {"denoised_wrong", "heldout_mean_wrong"} else ():
            parts = []
            if "denoised_wrong" in names:
                parts.append(f"noisy input {row['noisy_input_wrong_mean']:.2f} -> denoised "
                             f"{row['denoised_wrong_mean']:.2f}")
            if "heldout_mean_wrong" in names:
                parts.append(f"held out {row['heldout_mean_wrong_mean']:.2f} (max {row['heldout_max_wrong_mean']:.1f})")
            print(f"aegui: {row['label']}: {'; '.join(parts)} wrong px per sample", file=sys.stderr)
        print(f"aegui: wrote {out}/results.csv, runs.csv, curves.csv, histories.csv and sweep.json",
              file=sys.stderr)
    print(json.dumps({"configs": len(result.configs_done), "configs_total": len(result.configs),
                      "runs": len(result.runs), "runs_total": runner.n_runs,
                      "seconds": round(result.seconds, 3), "stated_seconds_2cores": sweep.time_2cores_s,
                      "out": str(out), "cancelled": result.cancelled,
                      "best_config": best,
                      "best_label": result.configs[best].label if best is not None else None}))
    return EXIT_CANCELLED if result.cancelled else 0


HANDLERS = {"sweep": cmd_sweep}
