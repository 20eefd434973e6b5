"""Each row's tolerance, measured: the row made again with the matrix kernels of other CPUs, and
its numbers and verdicts compared with the row on the page.

The same code, data and libraries give other rounding on another machine, because MKL (torch's
matrix products), oneDNN (torch's convolutions), OpenBLAS (numpy's and scipy's) and ATen's own
vector code each pick their kernels by the CPU's instruction set. All four can be told to use
another set's kernels, so one machine stands in for others. (MKL on an AMD CPU keeps one path
whatever it is told, but for COMPATIBLE: there its "AVX2" is the CPU's own.) A row made again
under each is compared number by number (report/drift.py: each number relative to its own size, a
spread to what it spreads) and verdict by verdict. What a row states as its tolerance is the next
step of drift.TOLERANCES above its numbers' largest move. A row whose numbers move past the last
step, or whose runs' health or words changed, may still hold as another draw of its seeds (each
mean over seeds within its seeds' spread, report/seed_drift.py): it states that (drift.SEEDS). A
row whose verdict changed states none, and the page says why. Its p-values' largest move is
recorded and shown beside it, not counted: a p-value is held by the verdict it decides.

    python -m aegui.core.analyses.report.kernels --only 000-architectures,002-model-kinds \\
        --out docs/course-reports [--write]

makes the rows under each variant in a scratch folder (the committed rows are only read), prints
each row's largest move and any changed verdict, and with --write records them in the folder's
kernels.json (which the page reads) and each row's "tolerance" in resources/reports/NNN.json
(the row key leaves the tolerance out: no row goes stale). `make tolerances ROWS=...` runs it.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aegui.core.analyses.report.drift import (COMPARED, RESULTS, SEEDS, WORDS, flips, health_changes, is_p_value,
                                              moves, stated, table_moves)
from aegui.core.analyses.report.seed_drift import combined, seed_moves

# Instruction sets an x86-64 CPU of the last fifteen years has, each as the four libraries' switches.
# oneDNN runs torch's convolutions and picks its own kernels: without its switch, an AVX-512 machine
# kept its AVX-512 convolutions under "AVX2" and a convolutional row came out bit for bit the same.
VARIANTS = {
    "avx2": {"MKL_CBWR": "AVX2", "OPENBLAS_CORETYPE": "Haswell", "ATEN_CPU_CAPABILITY": "avx2",
             "ONEDNN_MAX_CPU_ISA": "AVX2"},
    "sse4_2": {"MKL_CBWR": "SSE4_2", "OPENBLAS_CORETYPE": "Nehalem", "ATEN_CPU_CAPABILITY": "default",
               "ONEDNN_MAX_CPU_ISA": "SSE41"},
    "compatible": {"MKL_CBWR": "COMPATIBLE", "OPENBLAS_CORETYPE": "Prescott", "ATEN_CPU_CAPABILITY": "default",
                   "ONEDNN_MAX_CPU_ISA": "SSE41"},
}
SWITCHES = "switches.json"      # in scratch/variant: the switches its rows were made with


def row_moves(committed: Path, remade: Path) -> dict:
    """A row's largest relative move between its committed folder and one made again: {"move",
    "where", "what", "p_move", "p_where", "p_what", "flips", "health", "words", "seeds"} (move: of its
    numbers; p_move: of its p-values, which its verdicts hold, report/drift.py; words: places whose
    text changed beyond its numbers; seeds: its means over seeds compared, report/seed_drift.py), or
    {"error"} when the committed row was made with another key."""
    then = json.loads((committed / "done.json").read_text(encoding="utf-8"))
    now = json.loads((remade / "done.json").read_text(encoding="utf-8"))
    if then.get("key") != now.get("key"):
        # the committed row is stale: its numbers are another code's, not this one's rounding
        return {"error": "the committed row was made with another key (stale): make it again first (make report)"}
    found = [m for field in COMPARED for m in moves(then.get(field), now.get(field), field)]
    for table in now.get("tables", []):
        if (committed / table).is_file() and (remade / table).is_file():
            found += table_moves((committed / table).read_text(encoding="utf-8"),
                                 (remade / table).read_text(encoding="utf-8"), table)
    numbers = [m for m in found if m[1] != WORDS and not is_p_value(m[0])]
    largest = max(numbers, key=lambda m: m[1], default=("", 0.0, ""))
    p_largest = max((m for m in found if m[1] != WORDS and is_p_value(m[0])), key=lambda m: m[1], default=("", 0.0, ""))
    return {"move": largest[1], "where": largest[0], "what": largest[2],
            "p_move": p_largest[1], "p_where": p_largest[0], "p_what": p_largest[2], "flips": flips(then, now),
            "health": health_changes(then, now),
            "words": [f"{at}: {what}"[:300] for at, move, what in found if move == WORDS][:5],
            "seeds": seed_moves(then, now)}


def variant_env(variant: str) -> dict:
    """The environment a kernel set's row is made in: this one with the set's switches. How its OpenMP
    threads wait is the command line's rule (train/threads.py: idle threads sleep unless the user
    chose), which matters most here: two kernel sets made at once are two 2-thread processes on the
    same cores, and one convolution's training step ran 7x slower spinning (2.3 steps/s against 16.3
    sleeping, beside two such processes). The wait policy moves no number: the work is split the
    same way."""
    return dict(os.environ, **VARIANTS[variant])


def make_again(rows: list[str], scratch: Path, variant: str, report: str = "all") -> tuple[int, str]:
    """(exit code, the end of what it printed) of `aegui report REPORT --only rows` into
    scratch/variant with that variant's kernels."""
    env = variant_env(variant)
    out = scratch / variant
    out.mkdir(parents=True, exist_ok=True)
    (out / SWITCHES).write_text(json.dumps(VARIANTS[variant], indent=2, sort_keys=True) + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "aegui", "report", report, "--only", ",".join(rows),
                           "--out", str(out), "--quiet"], env=env, capture_output=True, text=True)
    return done.returncode, (done.stdout + done.stderr)[-2000:]


def measure(rows: list[str], committed_dir: Path, scratch: Path, variants=tuple(VARIANTS), report: str = "all",
            reuse: bool = False, jobs: int = 1) -> dict:
    """{row: {"variants": {variant: row_moves(...) or {"error"}}, "move", "tolerance", "flipped"}}.
    jobs: how many kernel sets are made at once, each in its own process."""
    # the run measured: the page applies the measurement only to a row still made with this key
    per_row: dict[str, dict] = {row: {"variants": {}, "key": json.loads(
        (committed_dir / row / "done.json").read_text(encoding="utf-8")).get("key")} for row in rows}
    # made before (--reuse): compared again, not made again
    todo = [v for v in variants if not (reuse and all((scratch / v / row / "done.json").is_file() for row in rows))]
    # rows that train on one core leave the others idle: two kernel sets at once halve the wait
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        made = dict(zip(todo, pool.map(lambda v: make_again(rows, scratch, v, report), todo)))
    for variant in variants:
        code, tail = made.get(variant, (0, ""))
        for row in rows:
            remade = scratch / variant / row
            if not (remade / "done.json").is_file():
                per_row[row]["variants"][variant] = {"error": f"not made (exit {code}): {tail[-300:]}"}
                continue
            moved = row_moves(committed_dir / row, remade)
            switches = scratch / variant / SWITCHES
            if switches.is_file():       # what was switched, kept with what it moved (made before: as made then)
                moved["switches"] = json.loads(switches.read_text(encoding="utf-8"))
            # the row's own time as its report recorded it: kept when compared again (--reuse)
            own = json.loads((remade / "done.json").read_text(encoding="utf-8")).get("seconds")
            per_row[row]["variants"][variant] = moved if "error" in moved else \
                {**moved, "seconds": round(own, 1) if own else None}
    for found in per_row.values():
        settle(found)
    return per_row


def settle(found: dict) -> dict:
    """A row's measurement over its kernel sets ({"variants": {variant: row_moves(...) or
    {"error"}}}): its largest moves, changed verdicts and run health, the kernels it was made with
    and the tolerance it states. Returns `found`, completed."""
    made = [v for v in found["variants"].values() if "error" not in v]
    found["move"] = max((v["move"] for v in made), default=None)
    found["p_move"] = max((v.get("p_move", 0.0) for v in made), default=None)
    found["flipped"] = [{**f, "kernels": [VARIANTS[v]["MKL_CBWR"] for v, m in found["variants"].items()
                                          if "error" not in m and f in m["flips"]]}
                        for f in {json.dumps(f, sort_keys=True): f for v in made for f in v["flips"]}.values()]
    found["health"] = sorted({h for v in made for h in v["health"]})
    found["kernels"] = [VARIANTS[v]["MKL_CBWR"] for v, m in found["variants"].items() if "error" not in m]
    found["tolerance"] = (stated(found["move"]) if made and not found["flipped"] and not found["health"]
                          and not any(v["words"] for v in made) else None)
    # Past a relative tolerance, a row whose training amplifies rounding may still hold as a sample:
    # its seeds on the other CPUs a new draw of the same runs. Never where a verdict changed.
    found["seeds"] = combined([v.get("seeds") for v in made])
    # A set whose numbers do not hold on their own and whose means were never compared (measured
    # before that comparison) has not shown it is another draw: the other sets cannot vouch for it.
    found["unseeded"] = [VARIANTS[v]["MKL_CBWR"] for v, m in found["variants"].items()
                         if "error" not in m and not (m.get("seeds") or {}).get("means")
                         and (stated(m["move"]) is None or m["health"] or m["words"])]
    if (found["tolerance"] is None and made and not found["flipped"] and found["seeds"] and found["seeds"]["holds"]
            and not found["unseeded"]):
        found["tolerance"] = SEEDS
    return found


def merged(before: dict | None, now: dict) -> dict:
    """A row measured now, joined with its measurement of before when both are of the same run
    (the same key): a kernel set measured before and not now is kept, so a long row can be made
    with one set in one sitting and another set in the next. Another key: only now's counts."""
    if not before or before.get("key") != now.get("key"):
        return now
    variants = {**before.get("variants", {}),
                **{v: m for v, m in now["variants"].items() if "error" not in m or v not in before.get("variants", {})}}
    return settle({**now, "variants": variants})


def write(per_row: dict, committed_dir: Path) -> dict:
    """kernels.json beside the rows (merged with rows measured before; a row measured before with
    the same key keeps the kernel sets not measured now) and each row's tolerance in its report's
    JSON. Returns the rows as recorded."""
    from aegui.core.analyses.report import run as R
    from aegui.core.files.atomic import atomic_write_text
    path = committed_dir / RESULTS
    kept = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    per_row = {row: merged(kept.get(row), found) for row, found in per_row.items()}
    kept.update(per_row)
    atomic_write_text(path, json.dumps(kept, indent=2, sort_keys=True) + "\n")
    for spec_path in sorted(R.reports_dir().glob("[0-9][0-9][0-9].json")):
        raw = json.loads(spec_path.read_text(encoding="utf-8"))
        changed = False
        for e in raw["experiments"]:
            found = per_row.get(f"{raw['id']}-{e['id']}")
            if found is None:
                continue
            if found["tolerance"] is None:
                changed |= e.pop("tolerance", None) is not None
            elif e.get("tolerance") != found["tolerance"]:
                e["tolerance"], changed = found["tolerance"], True
        if changed:
            atomic_write_text(spec_path, json.dumps(raw, indent=2, ensure_ascii=False) + "\n")
    return per_row


def summary(per_row: dict) -> list[str]:
    lines = []
    for row, found in per_row.items():
        move = found["move"]
        said = "not made" if move is None else f"largest move {move * 100:.3g} %" + (
            f" (p-values: {found['p_move'] * 100:.3g} %)" if found.get("p_move") else "")
        tolerance = found["tolerance"]
        lines.append(f"{row:32} {said}; " + ("states no tolerance" if tolerance is None else
                                            "holds as another draw of its seeds" if tolerance == SEEDS else
                                            f"states {tolerance * 100:g} %") +
                     "".join(f"\n    verdict changed: {f['claim']}: {f['here']} here, {f['there']} with "
                             f"{', '.join(f['kernels'])}'s kernels" for f in found["flipped"]) +
                     "".join(f"\n    run health changed: {h}" for h in found["health"]) +
                     "".join(f"\n    {k}: its means over seeds were never compared (made before that comparison): "
                             "make it again" for k in found.get("unseeded", [])) +
                     "".join(f"\n    {v}: {m['error']}" for v, m in found["variants"].items() if "error" in m))
    return lines


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m aegui.core.analyses.report.kernels", description=__doc__.split("\n\n")[0])
    p.add_argument("--only", required=True, help="comma-separated rows (e.g. 000-architectures,002-model-kinds)")
    p.add_argument("--out", default="docs/course-reports", help="the folder of the committed rows (read only)")
    p.add_argument("--variants", default=",".join(VARIANTS), help=f"kernel sets among {', '.join(VARIANTS)}")
    p.add_argument("--scratch", default=None, help="where the rows are made again (a temporary folder if unset)")
    p.add_argument("--write", action="store_true", help="record the results in OUT/kernels.json and the reports' JSON")
    p.add_argument("--list", action="store_true", help="list the rows and kernel sets it would use; make nothing")
    p.add_argument("--reuse", action="store_true", help="compare the rows already made in --scratch instead of making them")
    p.add_argument("--jobs", type=int, default=1, help="kernel sets made at once, each its own process (2 halves the "
                   "time of rows that train on one core)")
    a = p.parse_args(argv)
    rows = [r for r in a.only.split(",") if r]
    variants = [v for v in a.variants.split(",") if v]
    if a.jobs < 1:
        p.error(f"--jobs {a.jobs}: at least 1 kernel set must be made at a time")
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        p.error(f"unknown kernel set {unknown[0]!r}: choose among {', '.join(VARIANTS)}")
    missing = [r for r in rows if not (Path(a.out) / r / "done.json").is_file()]
    if missing:
        p.error(f"{Path(a.out) / missing[0]}: has no done.json; make the row first (make report)")
    if a.list:
        for row in rows:
            print(f"{row:32} made again with kernels {', '.join(VARIANTS[v]['MKL_CBWR'] for v in variants)}")
        return 0
    with tempfile.TemporaryDirectory(prefix="aegui-kernels-") as tmp:
        scratch = Path(a.scratch) if a.scratch else Path(tmp)
        per_row = measure(rows, Path(a.out), scratch, variants, reuse=a.reuse, jobs=a.jobs)
    if a.write:
        per_row = write(per_row, Path(a.out))
    print("\n".join(summary(per_row)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
