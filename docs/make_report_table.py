"""Regenerate docs/course-reports.md: the course reports' experiments as aegui's presets run them.

Each row runs one preset for real (resources/sweeps, resources/analyses) and puts aegui's figure
next to the report's figure as issue 17 quotes it (the reports themselves are not in this
repository: where the issue gives no report figure, the row says so). Where the faithful preset
takes minutes on 2 cores its "-quick" sibling runs instead, and the row says what it shortens
(--faithful runs the faithful ones). Times are wall-clock seconds on this machine, whose two
cores may be shared with other work: the load average is written beside them.

Usage: python docs/make_report_table.py [--faithful] [--only STEM,STEM]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT_MD = ROOT / "docs" / "course-reports.md"
OUT_JSON = ROOT / "docs" / "course-reports.json"


def _row_by_label(result, needle: str) -> dict:
    return next(r for r in result.summaries() if needle in r["label"])


def seed001_architectures(result) -> str:
    rows = result.summaries()
    best = min(rows, key=lambda r: (r["final_max_wrong_mean"], r["final_mean_wrong_mean"]))
    parts = [f"best: {best['label']}, max wrong {best['final_max_wrong_mean']:.2f}, "
             f"0 px in {best['reached_target']}/{best['n_runs']} runs"]
    for r in sorted(rows, key=lambda r: r["final_max_wrong_mean"])[1:]:
        parts.append(f"{r['label']}: {r['final_max_wrong_mean']:.1f} max, {r['reached_target']}/{r['n_runs']} at 0 px")
    return "; ".join(parts)


def per_font(result) -> str:
    out = []
    for font in ("Font1", "Font2", "Font3"):
        rows = [r for r in result.summaries() if r["data.fonts"] == font]
        best = min(rows, key=lambda r: (r["final_max_wrong_mean"], r["final_mean_wrong_mean"]))
        out.append(f"{font}: best {best['label'].split('layers=')[1]}, max {best['final_max_wrong_mean']:.1f}, "
                   f"{best['reached_target']}/{best['n_runs']} at 0 px")
    return "; ".join(out)


def scipy(result) -> str:
    return ", ".join(f"{name} {_row_by_label(result, name)['final_mean_wrong_mean']:.1f}"
                     for name in ("Powell", "CG", "BFGS", "Adam")) + " mean wrong px"


def denoising_levels(result) -> str:
    return ", ".join(f"{r['label'].split('=')[1]}: {r['noisy_input_wrong_mean']:.2f} -> {r['denoised_wrong_mean']:.2f}"
                     for r in result.summaries()) + " (noisy input -> output, mean per glyph, 20 copies); " + \
        "clean-input max wrong " + " / ".join(f"{r['final_max_wrong_mean']:.2f}" for r in result.summaries())


def training_fraction(result) -> str:
    by: dict[str, list] = {}
    for r in result.summaries():
        by.setdefault(r["label"].split(",")[0].split("=")[1], []).append(r)
    return "; ".join(f"{k}: held-out {sum(r['heldout_mean_wrong_mean'] for r in v) / len(v):.2f} mean / "
                     f"{sum(r['heldout_max_wrong_mean'] for r in v) / len(v):.1f} max wrong px, training glyphs "
                     f"{sum(r['final_mean_wrong_mean'] for r in v) / len(v):.2f} mean" for k, v in by.items())


def probe(run) -> str:
    return (f"held-out accuracy {run.probe.val_accuracy:.3f} from the codes, {run.baseline.val_accuracy:.3f} from "
            f"the noisy pixels ({len(run.probe.classes)} glyphs: chance {1 / len(run.probe.classes):.3f})")


def _shortened(description: str) -> str:
    """What a quick preset shortens: the "but N ... instead of M" of its description."""
    found = re.search(r"but ([^.;(]*?instead of[^.;(,]*)", description)
    return found.group(1).strip() if found else description


# (report, experiment, faithful preset, the report's figure as issue 17 gives it, summariser)
ROWS = [
    ("seed-001", "architectures x SGD / momentum on Font1, 3000 epochs, 5 runs", "seed001-architectures",
     "35-25-17-2 with momentum best, 0 px in 5/5 runs (the report's other three architectures and its "
     "learning rate are not in the issue)", seed001_architectures),
    ("seed-001", "the same per font (Font1, Font2, Font3)", "seed001-architectures-per-font",
     "not given in the issue", per_font),
    ("seed-001", "scipy.optimize Powell / CG / BFGS, 20 iterations", "scipy-optimizers",
     "Powell 4.8, CG 7.6, BFGS 9.1 mean wrong px (issue 17's run at the report's 20 iterations)", scipy),
    ("not named in the issue", "denoising AE trained at 0 / 20 / 50 / 90 % salt-and-pepper, measured on noisy "
     "copies at its level", "denoising-levels",
     "issue 17's measurement of the same models: 0 -> 0, 3.37 -> 0.31, 8.68 -> 4.23, 15.6 -> 11.0 (the old "
     "preset reported clean-input max 0 / 0 / 3.25 / 22.5)", denoising_levels),
    ("not named in the issue", "train on 30 / 50 / 70 % of the glyphs, measure on the rest", "training-fraction",
     "not given in the issue", training_fraction),
    ("seed-003 per aegui's probe notes (the issue names none)", "which glyph is a noisy copy? codes of a DAE vs noisy pixels",
     "probe-noisy-glyphs", "the old fonts-by-character-class probe: 0.364, chance for its classes", probe),
    ("seed-003 per aegui's probe notes (the issue names none)", "the same from a 2-D autoencoder's codes", "probe-noisy-glyphs-ae2d",
     "no report figure (a contrast to the row above)", probe),
]


def main(argv=None) -> int:
    from aegui.core.analyses.presets import list_presets, run_preset
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--faithful", action="store_true", help="run the faithful presets even where a quick one exists")
    ap.add_argument("--only", default="", help="comma-separated preset stems to (re)run; other rows are kept "
                                                 "from docs/course-reports.json")
    args = ap.parse_args(argv)
    presets = {p.stem: p for p in list_presets(ROOT / "resources")}
    old = {r["faithful_preset"]: r for r in json.loads(OUT_JSON.read_text())} if OUT_JSON.exists() else {}
    only = set(args.only.split(",")) if args.only else None
    rows = []
    for report, experiment, stem, report_figure, summarise in ROWS:
        if only is not None and stem not in only and stem in old:
            rows.append(old[stem])
            continue
        quick = f"{stem}-quick"
        info = presets[quick] if quick in presets and not args.faithful else presets[stem]
        load = os.getloadavg()[0]
        seconds, result = run_preset(info)
        row = {"report": report, "experiment": experiment, "faithful_preset": stem, "preset": info.stem,
               "shortened": _shortened(info.description) if info.quick else "",
               "report_figure": report_figure, "aegui_figure": summarise(result), "seconds": round(seconds, 1),
               "stated_s": info.time_2cores_s, "load_before": round(load, 1)}
        rows.append(row)
        print(f"{info.stem}: {seconds:.1f} s  {row['aegui_figure']}", flush=True)
        # Written after every run, so a failure later keeps the rows already measured (--only).
        OUT_JSON.write_text(json.dumps(rows + [old[k] for k in old if k not in {r["faithful_preset"] for r in rows}],
                                       indent=2) + "\n")
    OUT_JSON.write_text(json.dumps(rows, indent=2) + "\n")
    lines = ["# The course reports' experiments in aegui", "",
             "Generated by `python docs/make_report_table.py` from real runs of the presets on this project's "
             "2-core machine (the cores shared with other jobs: `load` is the 1-minute load average when the "
             "run started, so times are upper bounds). The reports themselves are not in this repository: "
             "the report's figures are those issue 17 quotes. A preset ending in `-quick` ran instead of the "
             "faithful one, shortened as its row says.", "",
             "| Report | Experiment | Preset | The report's figure | aegui's figure | Time |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        preset = f"`{r['preset']}`" + (f" (quick: {r['shortened']})" if r["shortened"] else "")
        lines.append(f"| {r['report']} | {r['experiment']} | {preset} | {r['report_figure']} | {r['aegui_figure']} "
                     f"| {r['seconds']} s (stated {r['stated_s']} s; load {r['load_before']}) |")
    OUT_MD.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT_MD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
