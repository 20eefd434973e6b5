"""The Ray tests' cluster (bench/two_nodes.py: two nodes of one CPU on 127.0.0.1) and the tiny report
they run (write_report): a compare row of 6 runs and a sweep row of 4, each run a few tenths of a
second alone (or a few seconds, for a kill to land mid-run)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from two_nodes import ENV, TwoNodes, processes, descendants  # noqa: E402,F401


# ---------------------------------------------------------------- a tiny report to run on it

BASE = {"name": "tiny", "data": {"fonts": ["Font3"]},
        "model": {"kind": "ae", "layers": [35, 16, 2, 16, 35], "init": "xavier"},
        "train": {"loss": "bce", "optimizer": "adam", "learning_rate": 0.02, "epochs": 3000, "seed": 0,
                  "device": "cpu", "check_every": 500}}
ROWS = ("998-runs", "998-sweep")
COMPARE_RUNS, SWEEP_RUNS = 6, 4


def write_report(folder: Path, epochs: int = 3000) -> Path:
    """The tiny report (its JSON, a compare file and a sweep) in `folder`; `epochs` the runs'."""
    folder.mkdir(parents=True, exist_ok=True)
    base = {**BASE, "train": {**BASE["train"], "epochs": epochs, "check_every": epochs // 6}}
    (folder / "runs.json").write_text(json.dumps({
        "analysis": "compare", "name": "tiny runs", "base": base, "test": "none", "seeds": 3,
        "runs": [{"label": "slow", "changes": {"train": {"learning_rate": 0.01}}}, {"label": "fast", "changes": {}}]}))
    # Both configs (and their seeds) train side by side in one session of 4 models locally; on
    # Ray each is a task of its own.
    (folder / "sweep.json").write_text(json.dumps({"name": "tiny sweep", "base": base,
                                                   "vary": {"train.learning_rate": [0.01, 0.02]}, "seeds": 2}))
    path = folder / "998.json"
    path.write_text(json.dumps({"document": "998_test.txt", "id": "998", "title": "A test document", "about": "",
                                "experiments": [
                                    {"id": "runs", "title": "Runs", "preset": "runs.json", "document": "d",
                                     "figures": ["curves"], "tolerance": 0.001},
                                    {"id": "sweep", "title": "Sweep", "preset": "sweep.json", "document": "d",
                                     "figures": [], "tolerance": 0.001}]}))
    return path


def run_files(out: Path) -> dict[str, dict]:
    """Every run's file of the report in `out`: its path under `out` -> its record. The compare row's
    come first, then the sweep's (a later row's runs are saved as they finish, while an earlier
    row is driven)."""
    files = sorted((out / "998-runs" / "work" / "runs").glob("*/run.json"))
    files += sorted((out / "998-sweep" / "work" / "sweep-runs").glob("*.json"))
    return {f.relative_to(out).as_posix(): json.loads(f.read_text()) for f in files}


def compare_runs(runs: dict[str, dict]) -> dict[str, dict]:
    """The compare row's among run_files' runs."""
    return {name: r for name, r in runs.items() if name.startswith("998-runs/")}
