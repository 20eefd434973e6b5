"""Time to a 0-wrong-pixel model for the course presets, over several base seeds.

For each of font1/2/3-ae2d (and all-fonts-ae2d) trains from scratch in-process with base
seeds 0, 1000, 2000, ... and reports epochs, seconds and the final max wrong pixels.
Also times one whole `aegui train` process (Python start + torch import included).
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

PRESETS = ("font1-ae2d", "font2-ae2d", "font3-ae2d", "all-fonts-ae2d")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    a = ap.parse_args()
    summary = {}
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
        print(f"{name:15s} median {s['median_s']:.3f} s  max {s['max_s']:.3f} s  "
              f"max wrong {max(s['max_wrong'])}  epochs {s['epochs']}", flush=True)
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
