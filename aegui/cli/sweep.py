"""`aegui sweep`: every combination of a sweep JSON, N seeds each; Ctrl-C keeps the finished groups."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from aegui.cli.common import EXIT_CANCELLED


def add_parsers(sub) -> None:
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


def _sweep_line(p) -> str:
    done = p["fraction"]
    eta = p["elapsed"] * (1 - done) / done if done > 0 else 0.0
    bar = "#" * int(done * 20)
    label = "; ".join(p["group_labels"])
    return (f"\r\033[K[{bar:<20}] group {p['group']}/{p['groups']}  runs {p['runs_done']}/{p['runs']}  "
            f"epoch {p['epoch']}/{p['epochs']}  best max wrong {p['best_max_wrong']}  "
            f"{p['elapsed']:.0f} s, ~{eta:.0f} s left  {label[:60]} ")


def cmd_sweep(args) -> int:
    import signal
    import threading

    from aegui.core.analyses import sweep_eval
    from aegui.core.analyses.sweep import SweepRunner, load_sweep, with_overrides, write_results

    sweep = with_overrides(load_sweep(args.sweep), seeds=args.seeds, epochs=args.epochs)
    runner = SweepRunner(sweep)
    out = Path(args.out)
    tty = not args.quiet and sys.stderr.isatty()
    if not args.quiet:
        print(f"aegui: sweep {sweep.name!r}: {len(runner.configs)} configs x {sweep.seeds} seeds = "
              f"{runner.n_runs} runs in {len(runner.groups)} training sessions", file=sys.stderr)

    def on_sigint(signum, frame):
        if runner.cancelled:        # a second Ctrl-C: stop at once
            raise KeyboardInterrupt
        runner.cancel()
        print("\naegui: cancelling; the finished groups are kept (Ctrl-C again to quit at once)",
              file=sys.stderr)

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, on_sigint)
    last = 0.0
    try:
        for p in runner.steps():
            now = time.monotonic()
            if p["state"] == "running" and tty and now - last >= 0.1:
                last = now
                sys.stderr.write(_sweep_line(p))
                sys.stderr.flush()
            elif p["state"] == "group_done" and not args.quiet:
                labels = "; ".join(p["group_labels"])
                sys.stderr.write(("\r\033[K" if tty else "") +
                                 f"group {p['group']}/{p['groups']} done in {p['group_elapsed']:.1f} s "
                                 f"({p['group_runs']} runs: {labels})\n")
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
            print(f"aegui: best config {best} ({row['label']}): max wrong {row['final_max_wrong_mean']:.2f} "
                  f"+/- {row['final_max_wrong_std']:.2f} over {row['n_runs']} runs", file=sys.stderr)
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
