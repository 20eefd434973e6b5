"""The seed-001 grid against the Optuna search preset on Font1: is the search's best at least as
good as the grid's best, and in how many trainings (runs: configs or trials x seeds)?

Both are scored as sweep_search.score does (mean final max wrong + mean wrong / 1000 over the
seeds; lower is better). Also counts the epochs trained (pruned trials stop early) and the
trainings the search had spent when it first matched the grid's best.

    python bench/search_vs_grid.py [--ray]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

from aegui.core.analyses.sweeps.sweep import SweepRunner, load_sweep  # noqa: E402
from aegui.core.analyses.sweeps.search import SearchRunner  # noqa: E402

SWEEPS = ROOT / "resources" / "sweeps"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ray", action="store_true", help="run the search's trials on a local Ray instance")
    args = ap.parse_args()
    t = time.perf_counter()
    grid = SweepRunner(load_sweep(SWEEPS / "seed001-architectures.json")).run()
    grid_s = time.perf_counter() - t
    best = grid.summary(grid.best_config())
    grid_score = best["final_max_wrong_mean"] + best["final_mean_wrong_mean"] / 1000
    print(f"grid: {len(grid.runs)} trainings, {sum(r.epochs for r in grid.runs)} epochs, {grid_s:.1f} s; "
          f"best {best['label']}: score {grid_score:.4f}")
    t = time.perf_counter()
    search = SearchRunner(load_sweep(SWEEPS / "seed001-search.json"), ray=args.ray).run()
    search_s = time.perf_counter() - t
    top = search.best()
    spent, first = 0, None
    for trial in sorted(search.trials, key=lambda x: x.trial):
        spent += trial.runs
        if trial.state == "complete" and trial.score <= grid_score and first is None:
            first = spent
    print(f"search: {search.trainings} trainings ({len(search.trials)} trials, "
          f"{sum(x.state == 'pruned' for x in search.trials)} pruned), "
          f"{sum(x.epochs * x.runs for x in search.trials)} epochs, {search_s:.1f} s; best {top.label}: "
          f"score {top.score:.4f}")
    print(f"as good as the grid's best: {top.score <= grid_score}; first matched after {first} trainings")


if __name__ == "__main__":
    main()
