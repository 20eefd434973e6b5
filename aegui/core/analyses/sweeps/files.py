"""A sweep's results on disk: results.csv (mean and population std per config), runs.csv,
curves.csv, histories.csv and sweep.json, with the versions that produced them."""
from __future__ import annotations

import csv
import io
import json
import math
import platform
import sys
from pathlib import Path

import numpy as np

from aegui.core.analyses.sweeps import evaluate as sweep_eval
from aegui.core.analyses.sweeps.sweep import SweepResult, _jsonable
from aegui.core.schema.experiment import ConfigError

def _cell(value):
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return "" if not math.isfinite(value) else repr(float(value))
    if isinstance(value, np.integer):
        return int(value)
    return value


def csv_bytes(header: list[str], rows: list[dict]) -> bytes:
    """The rows as UTF-8 CSV with `header`'s columns; a missing or non-finite value is an empty cell, a bool 0
    or 1."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in header})
    return buf.getvalue().encode("utf-8")


def _csv(files: dict, name: str, header: list[str], rows: list[dict]) -> None:
    files[name] = csv_bytes(header, rows)


RESULT_COLUMNS = ["config", "label"]   # + varied fields, then:
RESULT_STATS = ["group", "n_runs", "n_diverged",
                "final_max_wrong_mean", "final_max_wrong_std", "final_mean_wrong_mean", "final_mean_wrong_std",
                "final_loss_mean", "final_loss_std", "epochs_to_target_mean", "epochs_to_target_std",
                "reached_target", "seconds_mean", "seconds_std"]
RUN_COLUMNS = ["run", "config", "label", "group", "seed", "learning_rate", "init", "final_loss",
               "final_max_wrong", "final_mean_wrong", "epochs_to_target", "epochs", "diverged", "seconds",
               "group_seconds"]
CURVE_COLUMNS = ["config", "label", "epoch", "n_runs", "loss_mean", "loss_std", "max_wrong_mean",
                 "max_wrong_std", "mean_wrong_mean", "mean_wrong_std"]
HISTORY_COLUMNS = ["run", "config", "seed", "epoch", "loss", "max_wrong", "mean_wrong"]
# The app's files only: the course report writes its own health columns (report/render.py).
HEALTH_RESULT_COLUMNS = ["n_untrained"]
HEALTH_RUN_COLUMNS = ["health"]

# What each file and column holds, written into sweep.json.
COLUMN_DOCS = {
    "results.csv": "one row per config with results; <metric>_mean/<metric>_std over the runs that did not "
                   "diverge (n_diverged counts those; seconds covers every run) where the metric is defined; std "
                   "is the population standard deviation (numpy default, ddof=0)",
    "runs.csv": "one row per finished run; seconds = group wall time / runs in the group",
    "curves.csv": "per config and checked epoch: mean and population std (ddof=0) over runs",
    "histories.csv": "per run and checked epoch: loss, max_wrong, mean_wrong",
    "epochs_to_target": "first checked epoch whose worst glyph had <= target_max_wrong wrong pixels",
    "n_untrained": "runs that did not diverge but did not train (no better than the majority picture, or a loss "
                   "that fell less than 5 % from its first check, 2 % for a VAE); the means count them",
    "health": "trained, or why not: diverged at epoch N, did not learn: ..., dead: ...",
    "cancelled": "runs of a group interrupted by a cancel are dropped, not written",
}


def versions() -> dict:
    """The versions that made a result (aegui, Python, numpy, torch when imported, the platform), written beside
    it."""
    import aegui
    out = {"aegui": aegui.__version__, "python": platform.python_version(), "numpy": np.__version__,
           "platform": platform.platform()}
    torch = sys.modules.get("torch")
    if torch is not None:
        out["torch"] = torch.__version__
    return out


def write_results(result: SweepResult, out_dir) -> Path:
    """results.csv, runs.csv, curves.csv, histories.csv and sweep.json in out_dir (created)."""
    from aegui.core.files.fileset import write_set
    out = Path(out_dir)
    files: dict[str, bytes] = {}
    sweep = result.sweep
    labels = {c.index: c.label for c in result.configs}
    names = sweep_eval.metric_names(sweep)
    health = result.health()
    _csv(files, "results.csv", RESULT_COLUMNS + list(sweep.vary) + RESULT_STATS
         + [f"{m}_{s}" for m in names for s in ("mean", "std")] + HEALTH_RESULT_COLUMNS,
         [{**row, "n_untrained": sum(health.failed(row["config"]).values())} for row in result.summaries()])
    _csv(files, "runs.csv", RUN_COLUMNS + names + HEALTH_RUN_COLUMNS,
         [{**{k: getattr(r, k) for k in RUN_COLUMNS if k != "label"}, "label": labels[r.config], **r.extra,
           "health": health.of[r.run].text} for r in result.runs])
    curve_rows = []
    for c in result.configs_done:
        cv = result.curves(c)
        for j, epoch in enumerate(cv["epoch"]):
            curve_rows.append({"config": c, "label": labels[c], "epoch": int(epoch),
                               **{k: cv[k][j] for k in CURVE_COLUMNS[3:]}})
    _csv(files, "curves.csv", CURVE_COLUMNS, curve_rows)
    hist_rows = []
    for r in result.runs:
        for j, epoch in enumerate(r.history_epochs):
            hist_rows.append({"run": r.run, "config": r.config, "seed": r.seed, "epoch": int(epoch),
                              "loss": r.history_loss[j], "max_wrong": int(r.history_max_wrong[j]),
                              "mean_wrong": r.history_mean_wrong[j]})
    _csv(files, "histories.csv", HISTORY_COLUMNS, hist_rows)
    best = result.best_config()
    meta = {
        "sweep": sweep.to_dict(inline_base=True),
        "base_path": sweep.base_path,
        "target_max_wrong": sweep.target,
        "configs": [{"index": c.index, "label": c.label,
                     "values": {k: _jsonable(v) for k, v in c.values.items()}} for c in result.configs],
        "groups": [{"index": g.index, "configs": list(g.configs), "runs": g.k,
                    "seconds": round(result.group_seconds[g.index], 4) if g.index in result.group_seconds else None}
                   for g in result.groups],
        "configs_done": result.configs_done,
        "incomplete_configs": result.incomplete_configs,
        "runs_done": len(result.runs),
        "runs_total": sum(g.k for g in result.groups),
        "cancelled": result.cancelled,
        "cancelled_group": result.cancelled_group,
        "best_config": best,
        "started": result.started,
        "seconds": round(result.seconds, 4),
        "device": result.device,
        "columns": {**COLUMN_DOCS, **{m: sweep_eval.describe(m) for m in names}},
        "versions": versions(),
    }
    files["sweep.json"] = (json.dumps(meta, indent=2) + "\n").encode("utf-8")
    write_set(out, "sweep", files)    # all five from one run or none: a crash leaves no mix
    return out


def read_results(out_dir) -> tuple[dict, str | None]:
    """(sweep.json of a results folder, what was recovered from an interrupted write or None)."""
    from aegui.core.files.fileset import recover
    from aegui.core.files.jsonfile import read_json
    note = recover(out_dir, "sweep") if Path(out_dir).is_dir() else None
    meta = read_json(Path(out_dir) / "sweep.json")
    if not isinstance(meta, dict) or "configs" not in meta:
        raise ConfigError("(file)", "not the sweep.json of aegui sweep results", str(Path(out_dir) / "sweep.json"))
    return meta, note
