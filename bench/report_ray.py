"""A course report row here and on a Ray cluster of two nodes on 127.0.0.1 (bench/two_nodes.py:
`ray start --head` and a worker node, --cpus-per-node CPUs each), each of its training runs one
Ray task (`aegui report --ray ADDRESS`).

Prints: the cluster's start; the row's wall time in this process (its runs side by side where
they stack, as `aegui report` trains them) and on the cluster (each run alone, one CPU); how many
runs each node trained (their run files name it); and how far the cluster's row moved from the
local one and, for the row as shipped, from the committed page (docs/course-reports), each
against the row's stated tolerance (report/drift.py's comparison: every number, table and
verdict). Everything runs in a temporary folder; the cluster is stopped at the end (its own
processes only). Report 002 as shipped: about 3 minutes here and 3-4 on the cluster on 2 busy
cores. --epochs / --seeds make the row smaller (the comparison is then with the local run only).

    python bench/report_ray.py [--row 002-model-kinds] [--epochs N] [--seeds N] [--cpus-per-node 1]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import two_nodes  # noqa: E402

from aegui.core.analyses.report import run as R  # noqa: E402
from aegui.core.analyses.report.drift import SEEDS  # noqa: E402
from aegui.core.analyses.report.kernels import row_moves  # noqa: E402
from aegui.core.analyses.report.seed_drift import combined  # noqa: E402


def shortened(row: str, folder: Path, epochs: int | None, seeds: int | None) -> tuple[Path, str]:
    """(a report JSON, the row's id) of `row` alone; with `epochs` / `seeds`, its preset made
    smaller in `folder` (a compare file's base epochs and seeds)."""
    from aegui.core.files.jsonfile import read_json
    report_id, exp_id = row.split("-", 1)
    path = R.reports_dir() / f"{report_id}.json"
    raw = read_json(path)
    exp = next(e for e in raw["experiments"] if e["id"] == exp_id)
    preset = (path.parent / exp["preset"]).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    if epochs is not None or seeds is not None:
        spec = read_json(preset)
        if not isinstance(spec.get("base"), dict):
            raise SystemExit(f"{preset}: --epochs / --seeds need a preset whose base is written in it")
        if epochs is not None:
            spec["base"]["train"]["epochs"] = epochs
            spec["base"]["train"]["check_every"] = max(1, min(spec["base"]["train"].get("check_every", 1), epochs))
        if seeds is not None:
            spec["seeds"] = seeds
        preset = folder / preset.name
        preset.write_text(json.dumps(spec))
    out = folder / f"{report_id}.json"
    out.write_text(json.dumps({**raw, "experiments": [{**exp, "preset": str(preset)}]}))
    return out, exp_id


def timed(job) -> float:
    start = time.perf_counter()
    last = None
    for last in job.steps():
        if last.state in ("failed", "needs_data"):
            raise SystemExit(f"{last.experiment}: {last.message}")
    assert last is not None and last.state == "finished", last
    return time.perf_counter() - start


def nodes_of(row_folder: Path) -> dict[str, int]:
    """Runs per node, from the row's run files."""
    counts: dict[str, int] = {}
    work = row_folder / "work"
    for f in sorted(work.glob("runs/*/run.json")) + sorted(work.glob("sweep-runs/*.json")):
        node = json.loads(f.read_text()).get("node", "")
        counts[node] = counts.get(node, 0) + 1
    return counts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--row", default="002-model-kinds", help="the report row (a compare file or a sweep)")
    ap.add_argument("--epochs", type=int, help="the row's epochs, made smaller (quick looks)")
    ap.add_argument("--seeds", type=int, help="the row's seeds, made fewer (quick looks)")
    ap.add_argument("--cpus-per-node", type=int, default=1, help="CPUs each of the two nodes offers")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="report-ray-") as tmp:
        tmp = Path(tmp)
        path, exp_id = shortened(a.row, tmp / "doc", a.epochs, a.seeds)
        specs = R.load_report(path)
        row = R.ReportJob.qualified(specs[0], specs[0].experiments[0])
        local_s = timed(R.ReportJob(specs, tmp / "local"))
        print(f"{row} here: {local_s:.1f} s", flush=True)
        t0 = time.perf_counter()
        with two_nodes.TwoNodes(tmp / "ray", cpus=a.cpus_per_node) as cluster:
            start_s = time.perf_counter() - t0
            print(f"cluster of 2 nodes x {a.cpus_per_node} CPU at {cluster.address}: started in {start_s:.1f} s",
                  flush=True)
            two_nodes.loopback_driver()
            ray_s = timed(R.ReportJob(specs, tmp / "cluster", ray=cluster.address))
        nodes = nodes_of(tmp / "cluster" / row)
        print(f"{row} on the cluster: {ray_s:.1f} s (connecting and shipping aegui included); runs per node: "
              + ", ".join(f"{n[:8]} {c}" for n, c in sorted(nodes.items())), flush=True)
        tolerance = specs[0].experiments[0].tolerance
        out = {"row": row, "epochs": a.epochs, "seeds": a.seeds, "local_s": round(local_s, 1),
               "cluster_s": round(ray_s, 1), "cluster_start_s": round(start_s, 1), "nodes": nodes,
               "tolerance": tolerance}
        against = {"local": tmp / "local" / row}
        if a.epochs is None and a.seeds is None:
            against["committed page"] = ROOT / "docs" / "course-reports" / row
        for name, folder in against.items():
            moved = row_moves(folder, tmp / "cluster" / row)
            out[f"move_vs_{name.replace(' ', '_')}"] = moved
            if "error" in moved:
                print(f"against the {name}: {moved['error']}")
                continue
            if tolerance == SEEDS:      # held as a sample: its means over seeds (report/seed_drift.py)
                seeds = combined([moved["seeds"]])
                held = seeds is None or seeds["holds"]
            else:
                held = tolerance is not None and moved["move"] <= tolerance
            within = ("the row states no tolerance" if tolerance is None else
                      f"{'within' if held else 'NOT within'} the row's tolerance {tolerance}")
            print(f"against the {name}: largest move {moved['move']:.3g} ({moved['where']}: {moved['what'][:100]}), "
                  f"{within}; verdicts changed: {len(moved['flips'])}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
