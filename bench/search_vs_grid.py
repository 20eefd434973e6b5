"""The seed-001 grid against the Optuna search preset on Font1: is the search's best at least as
good as the grid's best, and in how many trainings (runs: configs or trials x seeds)?

Both are scored as sweep_search.score does (mean final max wrong + mean wrong / 1000 over the
seeds; lower is better). Also counts the epochs trained (pruned trials stop early) and the
trainings the search had spent when it first matched the grid's best.

    python bench/search_vs_grid.py [--ray] [--epochs N] [--seeds N] [--trials N]

--epochs / --seeds / --trials shorten both (quick looks: the verdict then says little).
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

from aegui.core.analyses.sweeps.sweep import SweepRunner, load_sweep, with_overrides  # noqa: E402
from aegui.core.analyses.sweeps.search import SearchRunner  # noqa: E402

SWEEPS = ROOT / "resources" / "sweeps"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ray", action="store_true", help="run the search's trials on a local Ray instance")
    ap.add_argument("--epochs", type=int, help="override both sides' epochs")
    ap.add_argument("--seeds", type=int, help="override both sides' seeds")
    ap.add_argument("--trials", type=int, help="override the search's trials")
    args = ap.parse_args()

    def load(name):
        return with_overrides(load_sweep(SWEEPS / name), seeds=args.seeds, epochs=args.epochs)
    t = time.perf_counter()
    grid = SweepRunner(load("seed001-architectures.json")).run()
    grid_s = time.perf_counter() - t
    best = grid.summary(grid.best_config())
    grid_score = best["final_max_wrong_mean"] + best["final_mean_wrong_mean"] / 1000
    print(f"grid: {len(grid.runs)} trainings, {sum(r.epochs for r in grid.runs)} epochs, {grid_s:.1f} s; "
          f"best {best['label']}: score {grid_score:.4f}")
    t = time.perf_counter()
    search = SearchRunner(load("seed001-search.json"), ray=args.ray, trials=args.trials).run()
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
