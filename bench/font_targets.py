"""Time to a 0-wrong-pixel model for the course presets, over several base seeds.

First Font3 (2-D latent) against the lean numpy reference (bench/font_reference.py), run by run
in the same process and interleaved (reference seed s, then aegui base seed s, for s = 0, 1000,
...), so the ratio of the medians holds on a loaded machine where the seconds do not: the
target is aegui >= 5x the reference with every seed at 0 wrong pixels. Then each of
font1/2/3-ae2d and all-fonts-ae2d (all 96 glyphs, target <= 0.4 s) from scratch in-process,
with epochs, seconds and the final max wrong pixels, and one whole `aegui train` process
(Python start + torch import included).
Usage: python bench/font_targets.py [--runs 10]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from aegui.core.config.load import load_experiment
from aegui.core.config.validation import with_changes  # noqa: E402
from aegui.core.data.datasets import from_config  # noqa: E402
from aegui.core.train.session import train  # noqa: E402
sys.path.insert(0, str(ROOT / "bench"))
import font_reference  # noqa: E402

PRESETS = ("font1-ae2d", "font2-ae2d", "font3-ae2d", "all-fonts-ae2d")


def versus_reference(runs: int) -> dict:
    """Font3 to 0 px: aegui's preset against the numpy reference, interleaved seed by seed."""
    exp, _ = load_experiment(ROOT / "resources/presets" / "font3-ae2d.json")
    data = from_config(exp.data)
    font_reference.run(data.x, 0, max_epochs=50)     # first calls (imports, allocations) untimed
    train(with_changes(exp, train={"epochs": 20}), data)
    ref, ours = [], []
    for i in range(runs):
        t0 = time.perf_counter()
        r_epoch, r_wrong = font_reference.run(data.x, i * 1000)
        ref.append((time.perf_counter() - t0, r_epoch, r_wrong))
        t0 = time.perf_counter()
        _, rec = train(with_changes(exp, train={"seed": i * 1000}), data)
        ours.append((time.perf_counter() - t0, rec.epoch, rec.max_wrong))
    med_ref = statistics.median(r[0] for r in ref)
    med_ours = statistics.median(r[0] for r in ours)
    out = {"reference_median_s": round(med_ref, 4), "aegui_median_s": round(med_ours, 4),
           "ratio": round(med_ref / med_ours, 2),
           "reference_epochs": [r[1] for r in ref], "aegui_epochs": [r[1] for r in ours],
           "reference_at_0": sum(r[2] == 0 for r in ref), "aegui_at_0": sum(r[2] == 0 for r in ours)}
    print(f"Font3 to 0 px, {runs} seeds, same run: reference (numpy, 35-20-2-20-35) median "
          f"{med_ref:.3f} s ({out['reference_at_0']}/{runs} at 0 px), aegui font3-ae2d median "
          f"{med_ours:.3f} s ({out['aegui_at_0']}/{runs} at 0 px): {out['ratio']:.2f}x (target >= 5x)",
          flush=True)
    print(f"  epochs: reference {out['reference_epochs']}, aegui {out['aegui_epochs']}", flush=True)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    a = ap.parse_args()
    summary = {"font3_vs_reference": versus_reference(a.runs)}
    for name in PRESETS:
        exp, _ = load_experiment(ROOT / "resources/presets" / f"{name}.json")
        data = from_config(exp.data)
        rows = []
        for i in range(a.runs):
            e = with_changes(exp, train={"seed": i * 1000})
            t0 = time.perf_counter()
            _, rec = train(e, data)
            rows.append((time.perf_counter() - t0, rec.epoch, rec.max_wrong))
        secs = [r[0] for r in rows]
        summary[name] = {"median_s": round(statistics.median(secs), 3), "max_s": round(max(secs), 3),
                         "epochs": [r[1] for r in rows], "max_wrong": [r[2] for r in rows],
                         "all_reached_0": all(r[2] == 0 for r in rows)}
        s = summary[name]
        goal = "  (target <= 0.4 s)" if name == "all-fonts-ae2d" else ""
        print(f"{name:15s} median {s['median_s']:.3f} s  max {s['max_s']:.3f} s  "
              f"max wrong {max(s['max_wrong'])}  epochs {s['epochs']}{goal}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "aegui", "train", str(ROOT / "resources/presets/font3-ae2d.json"),
                              "--out", tmp, "--quiet"], capture_output=True, text=True, cwd=ROOT)
        summary["cli_font3_process_s"] = round(time.perf_counter() - t0, 3)
        summary["cli_font3_last_line"] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"whole `aegui train font3-ae2d.json` process: {summary['cli_font3_process_s']} s")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
