"""Does every shipped preset finish on 2 CPU cores in the time its description states?

Runs each preset of resources/sweeps and resources/analyses as the app and CLI do (SweepRunner,
DenoiseCurveJob, ProbeRunJob) one after the other, and compares its wall time with its
`time_2cores_s`. A preset with a "-quick" sibling can be skipped (--quick-only) where the
faithful run takes minutes. The CPU may be shared: a preset over its stated time on a busy
machine is reported, with the load average, rather than hidden.

A preset whose dataset is not on this machine (Fashion-MNIST unless fetched) is listed as skipped,
and so is one stating more than --max-stated seconds (the seed-004 grid search: `make report`
runs it, resumably).

With --record, each measured time is also written to resources/preset_times.json under this
machine's class (its cores and GPU; aegui.core.analyses.preset_times): the Experiments menu shows
those times and marks the presets of a minute or less as quick. The file is rewritten after each
preset, so a long run that is stopped keeps what it measured.

--epochs / --seeds shorten the sweeps (quick looks and the tests: their times then say nothing, and
--record refuses them).

Usage: python bench/preset_times.py [--only NAME,NAME] [--kind sweep] [--quick-only] [--max-stated S]
                                    [--shortest-first] [--record] [--json OUT.json] [--epochs N] [--seeds N]
Exit status 1 if a preset ran over its stated time or states none.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
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
    ap.add_argument("--kind", default="", help="only presets of this kind (sweep, denoising_curve, probe, ...)")
    ap.add_argument("--shortest-first", action="store_true", help="run the presets in the order of their stated time")
    ap.add_argument("--record", action="store_true",
                    help="write each measured time to resources/preset_times.json under this machine's class")
    ap.add_argument("--epochs", type=int, help="override the sweeps' epochs (their times then say nothing)")
    ap.add_argument("--seeds", type=int, help="override the sweeps' seeds (their times then say nothing)")
    args = ap.parse_args(argv)
    if args.record and (args.epochs is not None or args.seeds is not None):
        ap.error("--record keeps the presets' own times: not with --epochs or --seeds")
    from aegui.core.analyses.preset_times import machine_class, record_time, times_path
    machine = machine_class()
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
    if args.kind:
        presets = [p for p in presets if p.kind == args.kind]
    if args.shortest_first:
        presets.sort(key=lambda p: (p.time_2cores_s or 0, p.stem))
    from aegui.core.analyses.report.run import missing_data
    rows, bad = [], 0
    for p in presets:
        why = missing_data(p.path) or (f"states {p.time_2cores_s:g} s, more than --max-stated"
                                       if (p.time_2cores_s or 0) > args.max_stated else None)
        if why:
            print(f"{p.stem:42s} skipped: {why}", flush=True)
            rows.append({"preset": p.stem, "kind": p.kind, "stated_s": p.time_2cores_s, "skipped": why})
            continue
        load = os.getloadavg()[0]
        cpu0 = time.process_time()
        seconds, _ = run_preset(p, epochs=args.epochs, seeds=args.seeds)
        cpu = time.process_time() - cpu0
        ok = p.time_2cores_s is not None and seconds <= p.time_2cores_s
        bad += not ok
        row = {"preset": p.stem, "kind": p.kind, "stated_s": p.time_2cores_s, "measured_s": round(seconds, 1),
               "within": ok, "load_before": round(load, 2)}
        rows.append(row)
        if args.record:
            record_time(times_path(ROOT / "resources"), machine, p.stem,
                        {"seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1), "load_before": round(load, 2),
                         "load_after": round(os.getloadavg()[0], 2)}, date.today().isoformat())
        print(f"{p.stem:42s} stated {p.time_2cores_s!s:>6} s  measured {seconds:7.1f} s  "
              f"{'ok' if ok else 'OVER'}  (load {load:.1f})", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    print(json.dumps({"presets": len(rows), "over": bad, "cpus": os.cpu_count(), "machine": machine["machine"]}))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
