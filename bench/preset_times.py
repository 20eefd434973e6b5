"""Does every shipped preset finish on 2 CPU cores in the time its description states?

Runs each preset of resources/sweeps and resources/analyses as the app and CLI do (SweepRunner,
DenoiseCurveJob, ProbeRunJob) one after the other, and compares its wall time with its
`time_2cores_s`. A preset with a "-quick" sibling can be skipped (--quick-only) where the
faithful run takes minutes. The CPU may be shared: a preset over its stated time on a busy
machine is reported, with the load average, rather than hidden.

A preset whose dataset is not on this machine (Fashion-MNIST unless fetched) is listed as skipped,
and so is one stating more than --max-stated seconds (the seed-004 grid search: `make report`
runs it, resumably).

Usage: python bench/preset_times.py [--only NAME,NAME] [--quick-only] [--max-stated S] [--json OUT.json]
Exit status 1 if a preset ran over its stated time or states none.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    from aegui.core.analyses.presets import list_presets, run_preset
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="comma-separated preset file names (without .json)")
    ap.add_argument("--quick-only", action="store_true", help="skip presets that have a -quick sibling")
    ap.add_argument("--json", default="", help="also write the rows to this JSON file")
    ap.add_argument("--max-stated", type=float, default=1800, help="skip presets stating more seconds than this")
    args = ap.parse_args(argv)
    presets = list_presets(ROOT / "resources")
    stems = {p.stem for p in presets}
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - stems
        if unknown:
            print(f"unknown presets: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        presets = [p for p in presets if p.stem in wanted]
    if args.quick_only:
        presets = [p for p in presets if f"{p.stem}-quick" not in stems]
    from aegui.core.analyses.report import missing_data
    rows, bad = [], 0
    for p in presets:
        why = missing_data(p.path) or (f"states {p.time_2cores_s:g} s, more than --max-stated"
                                       if (p.time_2cores_s or 0) > args.max_stated else None)
        if why:
            print(f"{p.stem:42s} skipped: {why}", flush=True)
            rows.append({"preset": p.stem, "kind": p.kind, "stated_s": p.time_2cores_s, "skipped": why})
            continue
        load = os.getloadavg()[0]
        seconds, _ = run_preset(p)
        ok = p.time_2cores_s is not None and seconds <= p.time_2cores_s
        bad += not ok
        row = {"preset": p.stem, "kind": p.kind, "stated_s": p.time_2cores_s, "measured_s": round(seconds, 1),
               "within": ok, "load_before": round(load, 2)}
        rows.append(row)
        print(f"{p.stem:42s} stated {p.time_2cores_s!s:>6} s  measured {seconds:7.1f} s  "
              f"{'ok' if ok else 'OVER'}  (load {load:.1f})", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    print(json.dumps({"presets": len(rows), "over": bad, "cpus": os.cpu_count()}))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
