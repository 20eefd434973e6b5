"""`aegui sweep` on a sweep with a "search" block: an Optuna search, here or on Ray (--ray)."""
from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

from aegui.cli.common import EXIT_CANCELLED, catch_sigint
from aegui.core.schema.experiment import shown


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def run_search(args, sweep) -> int:
    """`aegui sweep` for a sweep with a "search" block: runs its Optuna trials (here or on Ray), writes what
    finished, and returns the exit status."""
    from aegui.core.analyses.sweeps.search import SearchRunner, write_search

    runner = SearchRunner(sweep, ray=args.ray is not None, address=args.ray or None, num_cpus=args.cpus,
                          trials=args.trials)
    out = Path(args.out)
    spec = sweep.search
    if not args.quiet:
        space = ", ".join(list(sweep.vary) + list(spec.ranges)) or "nothing (the base only)"
        print(f"aegui: search {shown(sweep.name)}: {runner.trials} trials x {sweep.seeds} seeds with {spec.sampler}"
              f"{', median pruning' if spec.pruner == 'median' else ''} over {space} on {runner.result.where}",
              file=sys.stderr)
    previous = catch_sigint(runner, "the finished trials are kept")
    try:
        for p in runner.steps():
            if p.state == "trial_done" and not args.quiet:
                extra = f" at epoch {runner.result.trials[-1].epochs}" if p.trial_state == "pruned" else ""
                msg = f": {runner.result.trials[-1].message}" if p.trial_state == "failed" else ""
                print(f"trial {p.trial}/{p.trials} {p.trial_state}{extra}{msg}  score {_fmt(p.score)}  "
                      f"best {_fmt(p.best_score)}  ({p.label})", file=sys.stderr)
    except KeyboardInterrupt:
        runner.result.cancelled = True
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    result = runner.result
    write_search(result, out)
    best = result.best()
    states = [t.state for t in result.trials]
    if not args.quiet:
        top = sorted(result.finished, key=lambda t: (t.score, t.trial))[:3]
        for rank, t in enumerate(top, 1):
            print(f"aegui: {'best' if rank == 1 else f'#{rank}'}: trial {t.trial + 1} ({t.label}): max wrong "
                  f"{t.final_max_wrong_mean:.2f} +/- {t.final_max_wrong_std:.2f}, mean wrong "
                  f"{t.final_mean_wrong_mean:.3f} over {t.runs} runs"
                  + (f", {t.untrained} of them untrained (counted)" if t.untrained else ""), file=sys.stderr)
        if result.importance:
            print("aegui: parameter importance: " + ", ".join(f"{k} {v:.2f}" for k, v in result.importance.items()),
                  file=sys.stderr)
        elif result.importance_note:
            print(f"aegui: {result.importance_note}", file=sys.stderr)
        print(f"aegui: {len(result.trials)} trials ({states.count('pruned')} pruned, {states.count('failed')} "
              f"failed) = {result.trainings} trainings in {result.seconds:.1f} s; wrote {out}/trials.csv, "
              "history.csv, importance.csv, curves.csv, best.json and search.json", file=sys.stderr)
    print(json.dumps({"trials": len(result.trials), "trials_total": runner.trials,
                      "complete": states.count("complete"), "pruned": states.count("pruned"),
                      "failed": states.count("failed"), "trainings": result.trainings,
                      "seconds": round(result.seconds, 3), "out": str(out), "cancelled": result.cancelled,
                      "best_trial": best.trial + 1 if best else None, "best_label": best.label if best else None,
                      "best_score": best.score if best else None,
                      "best_max_wrong": best.final_max_wrong_mean if best else None,
                      "importance": result.importance}))
    return EXIT_CANCELLED if result.cancelled else 0
