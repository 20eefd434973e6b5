"""The course report's two heavy rows on a GPU, beside the times their committed rows took on 2 CPU cores.

`aegui report all` takes about 7.5 hours on 2 cores, most of it in two rows whose training is convolution
arithmetic: 004-grid-search (resources/analyses/seed004-grid-search.json, 45 trainings of a conv autoencoder on
MNIST) and 003-embedding-mnist (seed003-mnist-ae2d.json, the Keras conv network, 2 runs x 3 seeds). This runs
each row's training as the report runs it (presets.preset_job: the row's compare file at the row's own seed
count, every run, on the device given) and prints, per row:

- the wall seconds, beside the committed row's (docs/course-reports/<row>/done.json `seconds`: the whole row on
  2 CPU cores, its figures and measurements included, which this does not run);
- each run's final test loss beside the committed runs.csv's (same label and seed): the GPU's kernels sum in
  other orders, so the numbers move; how far is printed (median and largest relative difference, and how many
  runs moved past 1 %);
- then one run of 004 (Adam, learning rate 0.001, the batch given) as aegui trains it (TrainingSession, its
  test loss at every epoch as the row checks it) against a plain PyTorch loop of the same network on the same
  device (bench/gpu_vs_plain.py's pytorch/examples loop: nn.Conv2d layers, torch.optim.Adam, loss.item() per
  batch, the test pass every epoch), the sides alternating for --rounds rounds; steady epochs per second.

The rows share --budget seconds (each its share of what is left when it starts); a row whose training has not
finished in its share is cancelled, and its time is extrapolated from the runs that finished (said as such). MNIST must be in aegui's data library
(`aegui data add mnist DIR`). One JSON line at the end (--json PATH: also to a file, rewritten after each part,
so a run cut short still leaves what it measured).

--rows rest trains every other row of the five reports instead (sweeps, compare files, the classifier,
denoising curves and probes, by the job the report runs, presets.preset_job, on the device), shortest
committed row first, each its share of what is left of --budget; a row cut short says how far it got, one
whose data is not here says why.

    python bench/gpu_report_rows.py [--device cuda] [--rows 004-grid-search,003-embedding-mnist | rest]
                                    [--batch 1000] [--rounds 2] [--budget 420] [--json F]
"""
from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from gpu_vs_plain import ConvAE, plain_loop, run_aegui, sync  # noqa: E402
from aegui.core.analyses.compare.runs import load_spec  # noqa: E402
from aegui.core.analyses.presets import preset_job  # noqa: E402
from aegui.core.config.validation import with_changes  # noqa: E402
from aegui.core.data.datasets import from_config, official_test_set  # noqa: E402
from aegui.core.train.session import resolve_device  # noqa: E402

ROWS = ("004-grid-search", "003-embedding-mnist")
REPORTS = ROOT / "docs" / "course-reports"


def committed(row: str) -> tuple[float | None, dict]:
    """The committed row's seconds and its runs' final test loss by (label, seed)."""
    folder = REPORTS / row
    seconds = json.loads((folder / "done.json").read_text()).get("seconds") if (folder / "done.json").is_file() else None
    losses = {}
    if (folder / "runs.csv").is_file():
        with open(folder / "runs.csv", newline="") as fh:
            for r in csv.DictReader(fh):
                if r.get("final_test_loss"):
                    losses[(r["label"], int(r["seed"]))] = float(r["final_test_loss"])
    return seconds, losses


def timed(make_job, dev, deadline: float):
    """(the job, its last progress item, highest fraction before the end, seconds) of make_job(folder)'s
    run on `dev`, cancelled once `deadline` (time.perf_counter()) passes."""
    with tempfile.TemporaryDirectory() as out:
        job = make_job(out)
        sync(dev)
        t0 = time.perf_counter()
        last, reached = None, 0.0
        for last in job.steps():
            if last.state not in ("finished", "cancelled"):
                reached = max(reached, float(last.fraction or 0.0))
            if time.perf_counter() > deadline and not job.cancelled:
                job.cancel()
        sync(dev)
        return job, last, reached, time.perf_counter() - t0


def run_row(row: str, dev, deadline: float) -> dict:
    """The row's compare job on `dev` until it ends or `deadline` (time.perf_counter()) passes."""
    info = dict(report_rows())[row]
    job, last, _, seconds = timed(lambda out: preset_job(info, out, device=str(dev)), dev, deadline)
    planned = len(job.spec.plans())
    runs = list(last.result.runs) if last is not None and last.result is not None else []
    cpu_seconds, cpu_losses = committed(row)
    moved = []
    for r in runs:
        mine = r.metrics.get("final_test_loss", r.metrics.get("test_mse"))
        theirs = cpu_losses.get((r.label, r.seed))
        if mine is not None and theirs:
            moved.append(abs(float(mine) - theirs) / abs(theirs))
    whole = len(runs) == planned
    out = {"row": row, "runs": len(runs), "planned": planned, "seconds": round(seconds, 1),
           "whole": whole, "cpu_seconds": cpu_seconds}
    if runs and not whole:
        out["extrapolated_seconds"] = round(seconds * planned / len(runs), 1)
    gpu = out["seconds"] if whole else out.get("extrapolated_seconds")
    if gpu and cpu_seconds:
        out["speedup_vs_2_cores"] = round(cpu_seconds / gpu, 1)
    if moved:
        out["test_loss_moved"] = {"median": float(np.median(moved)), "max": float(max(moved)),
                                  "past_1pct": int(sum(m > 0.01 for m in moved)), "of": len(moved)}
    return out


def run_any_row(row: str, info, dev, deadline: float) -> dict:
    """Any row's training on `dev` until it ends or `deadline` passes (then cancelled: how far it got,
    its job's own progress fraction, is said, and its time extrapolated from that)."""
    _, last, reached, seconds = timed(lambda out: preset_job(info, out, device=str(dev)), dev, deadline)
    cpu_seconds, _ = committed(row)
    done = last is not None and last.state == "finished"
    got = {"row": row, "kind": info.kind, "seconds": round(seconds, 1), "whole": done, "cpu_seconds": cpu_seconds}
    if not done:
        got["fraction"] = round(reached, 3)
        if reached > 0:
            got["extrapolated_seconds"] = round(seconds / reached, 1)
    return got


@lru_cache(maxsize=1)
def report_rows() -> tuple[tuple[str, object], ...]:
    """Every row of the five course reports: (its id, its preset's PresetInfo), read once."""
    from aegui.core.analyses.report.run import load_report, row_preset
    out = []
    for name in ("000", "001", "002", "003", "004"):
        for spec in load_report(name):
            for exp in spec.experiments:
                out.append((f"{spec.id}-{exp.id}", row_preset(exp)))
    return tuple(out)


def mse_sigmoid(model, data):
    return F.mse_loss(torch.sigmoid(model(data)), data)


def one_run(dev, batch: int, rounds: int, quick: bool) -> dict:
    """004's Adam run at `batch`: aegui against the plain loop, alternating."""
    exp = load_spec(dict(report_rows())["004-grid-search"].path).base
    epochs = 2 if quick else exp.train.epochs
    exp = with_changes(exp, train={"optimizer": "adam", "learning_rate": 0.001, "batch_size": batch,
                                   "epochs": epochs, "check_every": 1, "device": dev.type})
    data, test = from_config(exp.data), official_test_set(exp.data)   # the row's data and test set
    if quick:
        data, test = data.subset(range(2000)), test.subset(range(500))
    x, xt = torch.tensor(data.x, device=dev), torch.tensor(test.x, device=dev)
    channels, latent = tuple(exp.model.channels), exp.model.latent_dim

    def plain():
        torch.manual_seed(exp.train.seed)
        model = ConvAE(latent, exp.train.learning_rate, channels).to(dev)

        def test_pass(m):
            with torch.no_grad():
                return float(mse_sigmoid(m, xt))
        return plain_loop(model, x, batch, epochs, 1, mse_sigmoid, test_pass, summed=False)

    sides = {"aegui": lambda: run_aegui(exp, data, test, dev), "plain": plain}
    got = {k: [] for k in sides}
    for _ in range(rounds):
        for side, fn in sides.items():
            got[side].append(fn())
    row = {"workload": f"004 conv AE, Adam, batch {batch}, {len(data)} images, {epochs} epochs", "unit": "epochs/s"}
    for side, runs in got.items():
        last = runs[-1][2]
        row[side] = {"rate": round(statistics.median(r[0] for r in runs), 3),
                     "seconds": round(statistics.median(r[1] for r in runs), 2),
                     "final_loss": round(float(last if side == "plain" else last.losses["total"]), 5)}
    row["ratio"] = round(row["aegui"]["rate"] / row["plain"]["rate"], 2)
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--rows", default=",".join(ROWS))
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--budget", type=float, default=420, help="seconds for the rows' training, all together")
    ap.add_argument("--quick", action="store_true", help="the one-run comparison on 2,000 images, 2 epochs")
    ap.add_argument("--skip-rows", action="store_true", help="only the one-run comparison")
    ap.add_argument("--skip-one", action="store_true", help="no one-run comparison")
    ap.add_argument("--one-row", help="time this row alone (what --rows rest runs in each process)")
    ap.add_argument("--json")
    a = ap.parse_args()
    dev = resolve_device(a.device)
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "CPU"
    figures = {"device": name, "torch": torch.__version__, "rows": [], "one_run": None}

    def save():
        if a.json:
            Path(a.json).write_text(json.dumps(figures, indent=1) + "\n")

    print(f"device: {name}, torch {torch.__version__}", flush=True)
    try:
        if a.skip_one:
            raise RuntimeError("skipped (--skip-one)")
        figures["one_run"] = one_run(dev, a.batch, a.rounds, a.quick)
        r = figures["one_run"]
        print(f"{r['workload']}: aegui {r['aegui']['rate']} epochs/s ({r['aegui']['seconds']} s), plain "
              f"{r['plain']['rate']} ({r['plain']['seconds']} s): {r['ratio']}x; final loss {r['aegui']['final_loss']} "
              f"vs {r['plain']['final_loss']}", flush=True)
    except Exception as e:   # noqa: BLE001 - the rows still run; the failure is printed and kept
        figures["one_run"] = {"error": f"{type(e).__name__}: {e}"}
        print(f"one run failed: {figures['one_run']['error']}", flush=True)
    save()
    end = time.perf_counter() + a.budget
    if a.one_row:          # one row in this process (--rows rest starts one such process a row)
        info = dict(report_rows())[a.one_row]
        try:
            got = run_any_row(a.one_row, info, dev, time.perf_counter() + a.budget)
        except Exception as e:   # noqa: BLE001 - data that is not here (Fashion-MNIST), a failed run: said
            got = {"row": a.one_row, "error": f"{type(e).__name__}: {e}"[:300], "cpu_seconds": committed(a.one_row)[0],
                   "where": traceback.format_exc()[-1500:]}
        print(json.dumps(got))
        return
    if a.rows == "rest":   # every other row, shortest committed row first: what a short one leaves goes on
        # Each row in a process of its own: a CUDA error (a device-side assert) spoils its process's
        # context, and every row after it failed with the first one's error.
        rest = [row for row, _ in report_rows() if row not in ROWS]
        rest.sort(key=lambda r: committed(r)[0] or 0)
        for i, row in enumerate(rest):
            now = time.perf_counter()
            share = max(end - now, 1.0) / (len(rest) - i)
            proc = subprocess.run([sys.executable, __file__, "--device", a.device, "--skip-one", "--one-row", row,
                                   "--budget", str(share)], capture_output=True, text=True)
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith('{"row"')]
            got = json.loads(lines[-1]) if lines else {"row": row, "error": f"exit {proc.returncode}: "
                                                        + proc.stderr.strip()[-600:], "cpu_seconds": committed(row)[0]}
            if proc.returncode and lines:
                got["stderr"] = proc.stderr.strip()[-600:]
            figures["rows"].append(got)
            print(json.dumps(got), flush=True)
            save()
        print(json.dumps(figures))
        return
    rows = [] if a.skip_rows else [r for r in a.rows.split(",") if r]
    for i, row in enumerate(rows):
        now = time.perf_counter()
        if now > end:
            figures["rows"].append({"row": row, "skipped": "no budget left"})
            continue
        try:   # each row its share of what is left, so that one slow row leaves the next its time
            got = run_row(row, dev, now + (end - now) / (len(rows) - i))
        except Exception as e:   # noqa: BLE001
            got = {"row": row, "error": f"{type(e).__name__}: {e}"}
        figures["rows"].append(got)
        print(json.dumps(got), flush=True)
        save()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
