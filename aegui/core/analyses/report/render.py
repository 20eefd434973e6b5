"""Figures and tables of one report experiment, from the result its preset job gave: written in
the experiment's folder, and the numbers the checks (report_checks) read. Figures a report
entry may ask for (its "figures" list; "options" tune them):

- sweeps: "curves" (loss mean ± std per config vs epoch; options.split: one panel per value of
  that field, e.g. "train.optimizer"), "wrong_curves", "bars" (final loss and wrong pixels),
  "per_font" (when data.fonts is varied), "heldout", "denoise".
- compare: "curves" (training loss solid, test loss dashed, per run; seeds averaged), "heatmap"
  (a grid's test loss at options.read_epochs, one cell per grid point), "grid" (the runs ranked
  by test loss at options.read_epochs), "latent" (each run's codes of the test
  set, or of the data when there is none, coloured by class), "reconstructions", "decode_grid"
  (2-D codes; options.grid_values: the coordinates), "interpolate" (options.interpolate: pairs of
  labels), "sample" (decodes of random codes), "denoise" (noisy copies at the run's training
  level, wrong pixels per sample), "embedding" (AE vs PCA vs t-SNE of the test set), "traversal"
  (options.traversal: decodes along one code dimension over a given range), "filter"
  (options.filters: one filter of a convolutional code on its own), "active_units" (code units
  active per sample; options.active_share); the model figures show the test samples unless
  options.samples_from is "train".
- classifier: always the per-class table, the confusion matrix, the accuracy of each stage and
  the fine-tuning curves, all of seed 0 when several seeds ran (the measured numbers are the
  mean ± std over the seeds).

render() returns {"files", "figure" (the main picture), "tables", "measured" (numbers for the
checks and the page), "settings"}.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from aegui.core.analyses.report.figures import figures as RF
from aegui.core.analyses.report.figures.curves import compare_figure, loss_curves
from aegui.core.analyses.report.files import write_bytes

# The numerics revision of the report's figures and measurements (with figures/figures.py and figures/models.py):
# bump it with any change to the numbers computed here (docs/numerics.md; the report's rows that use
# it are then made again).
NUMERICS = 2


def render(exp, info, result, folder: Path) -> dict:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = {"files": [], "tables": [], "measured": {}, "settings": {}}
    kind = info.kind
    if kind == "sweep":
        _sweep(exp, result, folder, out)
    elif kind == "compare":
        _compare(exp, result, folder, out)
    elif kind == "classifier":
        _classifier(exp, result, folder, out)
    else:
        raise ValueError(f"{info.path}: the report cannot draw a {kind!r} preset")
    return out


# ---------------------------------------------------------------- sweeps

def _sweep(exp, result, folder: Path, out: dict) -> None:
    from aegui.core.analyses.sweeps.files import write_results
    write_results(result, folder / "work")
    sweep = result.sweep
    every_run, healths, result, healthy_only, rows = _sweep_health(exp, result, folder, out)
    out["settings"] = {"base": sweep.base.to_dict(), "vary": {k: [str(v) for v in vals] for k, vals in sweep.vary.items()},
                       "seeds": sweep.seeds}
    out["measured"]["configs"] = [{**{k: _plain(v) for k, v in r.items()}, "per_seed": _sweep_seeds(result, r["config"])}
                                  for r in rows]
    figures = exp.figures or ("curves", "bars")
    opts = exp.options
    if "curves" in figures or "wrong_curves" in figures:
        _sweep_curves(result, every_run, healthy_only, healths, figures, opts, folder, out)
    if "bars" in figures:
        panels = _split(result, opts.get("split"))
        imgs = []
        # Where the sweep varies the epochs, each bar ends at its own.
        after = "at the end of training" if "train.epochs" in sweep.vary else f"after {sweep.base.train.epochs} epochs"
        for metric, ylabel in (("final_loss", "final loss"), ("final_mean_wrong", "mean wrong pixels per glyph")):
            groups, cats = [], None
            for title, configs in panels:
                done = [c for c in configs if every_run.runs_of(c)]
                sums = [result.summary(c) for c in done]
                cats = [_short_label(result.configs[c].label, opts.get("split"))
                        + ("" if result.runs_of(c) else " (did not train)") for c in done]
                groups.append({"label": title or ylabel, "values": [s[f"{metric}_mean"] for s in sums],
                               "std": [s[f"{metric}_std"] for s in sums]})
            if cats:
                imgs.append(RF.bars(cats, groups, title=f"{ylabel} {after}",
                                    ylabel=ylabel))
        if imgs:
            RF.save(RF.stack(imgs), folder, "bars.png", out)
    if "per_font" in figures and "data.fonts" in sweep.vary:
        fonts = [v[0] if isinstance(v, tuple) else v for v in sweep.vary["data.fonts"]]
        rest = [c for c in result.configs if c.values["data.fonts"] == sweep.vary["data.fonts"][0]]
        cats = [_short_label(c.label, "data.fonts") for c in rest]
        groups = []
        for f, value in zip(fonts, sweep.vary["data.fonts"]):
            vals = []
            for c in rest:
                twin = next(x for x in result.configs if x.values["data.fonts"] == value and
                            all(x.values[k] == c.values[k] for k in c.values if k != "data.fonts"))
                vals.append(result.summary(twin.index)["final_mean_wrong_mean"] if result.runs_of(twin.index) else math.nan)
            groups.append({"label": f, "values": vals})
        RF.save(RF.bars(cats, groups, title="mean wrong pixels per glyph, by font", ylabel="mean wrong pixels"),
              folder, "per_font.png", out)
    pairs = (("heldout", (("heldout_mean_wrong", "held-out glyphs"), ("final_mean_wrong", "training glyphs")),
              "held-out vs training glyphs"),
             ("denoise", (("noisy_input_wrong", "noisy input"), ("denoised_wrong", "denoised")),
              "noisy input vs denoised"))
    for fig, metrics, title in pairs:
        if fig in figures and rows and f"{metrics[0][0]}_mean" in rows[0]:
            cats = [r["label"] for r in rows]
            groups = [{"label": name, "values": [r[f"{m}_mean"] for r in rows],
                       "std": [r[f"{m}_std"] for r in rows]} for m, name in metrics]
            RF.save(RF.bars(cats, groups, title=title, ylabel="wrong pixels per glyph"), folder, f"{fig}.png", out)


def _sweep_curves(result, every_run, healthy_only, healths, figures, opts, folder: Path, out: dict) -> None:
    """A sweep's loss and wrong-pixel curves: each setting's healthy runs as a mean with a band, its
    failed runs alone."""
    sweep = result.sweep
    for fig, metric, ylabel, log in (("curves", "loss", "loss", True), ("wrong_curves", "mean_wrong",
                                                                         "mean wrong pixels", False)):
        if fig not in figures:
            continue
        panels = _split(result, opts.get("split"))
        imgs = []
        for title, configs in panels:
            runs = []
            for i, c in enumerate(configs):
                cv = healthy_only.curves(c)
                name = _short_label(result.configs[c].label, opts.get("split"))
                hue = RF.color(i)
                if cv:
                    # The band covers the healthy runs; every failed run is its own line (below), so a
                    # seed is never both in a mean and marked beside it.
                    runs.append({"label": name, "epochs": cv["epoch"], "train": cv[f"{metric}_mean"],
                                 "train_std": cv[f"{metric}_std"], "color": hue})
                # a failed run in its setting's colour, dashed: one colour a setting, not a colour a seed
                runs += [{**r, "color": hue, "dash": True}
                         for r in _failed_sweep_runs(every_run, healths, c, name, metric)]
            if runs:
                over = (f"the runs that trained, of {sweep.seeds}; a failed run alone" if
                        len(healthy_only.runs) < len(every_run.runs) else f"{sweep.seeds} runs")
                imgs.append(loss_curves(runs, title=title or f"{ylabel} vs epoch (mean ± std over {over})",
                                        ylabel=ylabel, log=log))
        if imgs:
            RF.save(RF.side_by_side(imgs) if len(imgs) > 1 else imgs[0], folder, f"{fig}.png", out)


def _sweep_seeds(result, config: int) -> dict:
    """Each seed's own numbers of one config (None where a run has none), for the verdicts that
    pair runs by seed: {"seed": [...], metric: [...]} over the same runs its mean and std cover."""
    from aegui.core.analyses.sweeps import evaluate as sweep_eval
    from aegui.core.analyses.sweeps.sweep import METRICS
    runs = result.runs_of(config)
    out = {"seed": [int(r.seed) for r in runs]}
    for metric in METRICS + tuple(sweep_eval.metric_names(result.sweep)):
        out[metric] = [_plain(getattr(r, metric) if metric in METRICS else r.extra.get(metric)) for r in runs]
    return out


def _sweep_health(exp, result, folder: Path, out: dict):
    """Every sweep run's health (report/health.py), in runs.csv's health column and out["health"];
    results.csv with the configs' means over the runs that count and a health column. Returns the
    result as run, each run's health (by run number), the result as counted (the healthy runs and
    those failing as the document expects), with the healthy runs only (the curves' bands), and the
    configs' measured rows."""
    from dataclasses import replace
    from aegui.core.analyses.report import health as H
    from aegui.core.analyses.sweeps import evaluate as sweep_eval
    from aegui.core.analyses.sweeps.files import RESULT_COLUMNS, RESULT_STATS, RUN_COLUMNS, csv_bytes
    healths = H.sweep_health(result, getattr(exp, "expected_failure", ()))
    counted = replace(result, runs=[r for r in result.runs if healths[r.run].counts])
    healthy_only = replace(result, runs=[r for r in result.runs if healths[r.run].ok])
    labels = {c.index: c.label for c in result.configs}
    out["health"] = [{"run": r.run, "label": labels[r.config], "seed": r.seed, **healths[r.run].to_dict()}
                     for r in result.runs]
    rows = []
    for c in result.configs_done:
        row = counted.summary(c)
        row["n_runs_total"] = len(result.runs_of(c))
        row["n_diverged"] = sum(r.diverged for r in result.runs_of(c))
        recs = [{"seed": r.seed, "health": healths[r.run].to_dict()} for r in result.runs_of(c)]
        note = H.healthy(recs)[1]
        row["seed_health"] = [rec["health"] for rec in recs]
        if note:
            row["health_note"] = note
        if not counted.runs_of(c):
            row["failed"] = f"{labels[c]} did not train ({note})"
        rows.append(row)
    names = sweep_eval.metric_names(result.sweep)
    header = RESULT_COLUMNS + list(result.sweep.vary) + RESULT_STATS + [f"{m}_{s}" for m in names for s in ("mean", "std")]
    write_bytes(folder / "results.csv", csv_bytes(header + ["health"], [
        {**r, "health": r.get("health_note") or "all runs trained"} for r in rows]))
    write_bytes(folder / "runs.csv", csv_bytes(RUN_COLUMNS + names + ["health"], [
        {**{k: getattr(r, k) for k in RUN_COLUMNS if k != "label"}, "label": labels[r.config], **r.extra,
         "health": healths[r.run].text} for r in result.runs]))
    out["tables"] += ["results.csv", "runs.csv"]
    return result, healths, counted, healthy_only, rows


def _failed_sweep_runs(result, healths: dict, config: int, name: str, metric: str) -> list[dict]:
    """A sweep config's failed runs, each its own line ending where it stopped, marked with why
    (runs that end alike one line, as in a compare's curves)."""
    alike: dict = {}
    for r in result.runs_of(config):
        h = healths[r.run]
        if not h.ok:
            # A sweep run goes on to its last epoch, NaN after it diverged: its line ends at that check.
            bad = np.flatnonzero(~np.isfinite(np.asarray(r.history_loss, float)))
            end = bad[0] + 1 if len(bad) else len(r.history_epochs)
            y = np.asarray(getattr(r, f"history_{metric}"), float)[:end]
            alike.setdefault((h.short, _curve_key(y)), []).append((r, end, y))
    out = []
    for (short, _), rs in alike.items():
        r, end, y = rs[0]
        seeds = ", ".join(str(x.seed) for x, _, _ in rs)
        line = {"label": f"{name}, seed{'s' if len(rs) > 1 else ''} {seeds}", "epochs": r.history_epochs[:end],
                "train": y, "stopped": short}
        if r.diverged:
            # Its cross goes on its last check whose loss was finite (sweep_stops), where the wrong
            # pixels may already be those of a model that blew up at the next; one cross a line.
            (stop,) = sweep_stops([r], f"history_{metric}")
            line["stops"] = [{"epoch": stop["epoch"], "loss": stop["loss"], "why": short}]
        out.append(line)
    return out


def _curve_key(values) -> tuple:
    """A curve as a key that is equal for equal curves (NaN included)."""
    return tuple(f"{v:.6g}" for v in np.asarray(values, float))


def sweep_stops(runs, attr: str) -> list[dict]:
    """The seeds of one sweep config that diverged: a diverged model is frozen and its loss is
    not finite from then on, so it is marked at its last finite check (or, never finite, at the
    first), with how many seeds of the config it is. A diverged run is a failed one
    (report/health.py), drawn alone by _failed_sweep_runs, whose cross goes where this says."""
    out = []
    for r in runs:
        if not r.diverged:
            continue
        ok = np.flatnonzero(np.isfinite(np.asarray(r.history_loss, float)))
        at = int(ok[-1]) if len(ok) else 0
        value = float(np.asarray(getattr(r, attr), float)[at]) if len(ok) else None
        out.append({"epoch": int(r.history_epochs[at]), "loss": value,
                    "why": (f"1 of {len(runs)} seeds " if len(runs) > 1 else "")
                           + f"diverged after epoch {int(r.history_epochs[at])}"})
    return out


def _split(result, field: str | None) -> list[tuple[str, list[int]]]:
    """[(panel title, config indices)]: one panel, or one per value of `field`."""
    idx = [c.index for c in result.configs]
    if not field or field not in result.sweep.vary:
        return [("", idx)]
    from aegui.core.analyses.sweeps.sweep import format_value
    labels = result.sweep.labels.get(field)
    out = []
    for j, v in enumerate(result.sweep.vary[field]):
        name = labels[j] if labels else format_value(v)
        out.append((f"{name}", [c.index for c in result.configs if c.values[field] == v]))
    return out


def _short_label(label: str, field: str | None) -> str:
    """A config's label without the part the panel already says (optimizer=SGD)."""
    if not field:
        return label
    key = field.split(".")[1]
    return ", ".join(p for p in label.split(", ") if not p.startswith(f"{key}=")) or label


def _plain(v):
    if isinstance(v, (np.floating, float)):
        return None if not math.isfinite(float(v)) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


# ---------------------------------------------------------------- compare

def _groups(result) -> dict[str, list]:
    """Runs by label without the seed (seeds of one variant are averaged)."""
    out: dict[str, list] = {}
    for r in result.runs:
        key = r.label.rsplit(", seed ", 1)[0] if result.spec.seeds > 1 else r.label
        out.setdefault(key, []).append(r)
    return out


def per_epoch_mean_std(curves) -> tuple[list, list]:
    """Mean and std over the seeds' curves at each epoch. A seed that diverged stopped early, so
    its curve is shorter: each epoch averages the seeds that reached it, and an epoch none
    reached (or where every value is missing) is None."""
    longest = max((len(c) for c in curves), default=0)
    table = np.full((len(curves), longest), np.nan)
    for i, c in enumerate(curves):
        table[i, :len(c)] = np.asarray(c, float)
    seen = np.isfinite(table)
    counts = seen.sum(0)
    filled = np.where(seen, table, 0.0)
    mean = filled.sum(0) / np.maximum(counts, 1)
    std = np.sqrt(np.where(seen, (table - mean) ** 2, 0.0).sum(0) / np.maximum(counts, 1))
    keep = lambda a: [float(v) if n else None for v, n in zip(a, counts)]     # noqa: E731
    return keep(mean), keep(std)


def run_facts(groups: dict[str, list]) -> dict[str, dict]:
    """What the curves need to know of each label's runs beyond their numbers: the epochs planned,
    whether a wrong-pixel target may end them early, whether their loss has a KL term."""
    from aegui.core.schema.kinds import kind_of
    return {label: {"epochs": runs[0].experiment.train.epochs,
                    "target": runs[0].experiment.train.target_max_wrong is not None,
                    "kl": kind_of(runs[0].experiment).has_kl} for label, runs in groups.items()}


def _compare(exp, result, folder: Path, out: dict) -> None:
    from aegui.core.analyses.report import health as H
    spec = result.spec
    paths = result.write(folder)
    out["tables"] += [p.name for p in paths.values()]
    out["settings"] = {"base": spec.base.to_dict(), "runs": [{"label": lab, "changes": ch} for lab, ch in spec.runs],
                       "grid": {k: list(v) for k, v in spec.grid}, "seeds": spec.seeds, "test": spec.test}
    healths = H.compare_health(result, getattr(exp, "expected_failure", ()))
    _health_column(paths["runs"], result.runs_csv(), [healths[r.index] for r in result.runs])
    out["health"] = [{"run": r.index, "label": r.label, "seed": r.seed, **healths[r.index].to_dict()}
                     for r in result.runs]
    groups = _groups(result)
    counted = {label: [r for r in runs if healths[r.index].counts] for label, runs in groups.items()}
    measured = [_compare_row(exp, spec, label, runs, counted[label], healths) for label, runs in groups.items()]
    out["measured"]["runs"] = measured
    out["measured"]["seconds_all_runs"] = float(sum(r.seconds for r in result.runs))
    out["measured"]["run_loads"] = [r.load_avg for r in result.runs if r.load_avg is not None]
    figures = exp.figures or ("curves",)
    if "curves" in figures:
        seeds = max(len(runs) for runs in groups.values())
        over = (f"the seeds that trained, of {seeds}; a failed run alone" if any(not h.ok for h in healths.values())
                else f"{seeds} seeds" if seeds > 1 else "")
        RF.save(compare_figure(_compare_curves(spec, measured, groups, healths), test=spec.test,
                               log=exp.options.get("log", True), over=over), folder, "curves.png", out)
    if "heatmap" in figures:
        from aegui.core.analyses.report.figures.heatmap import grid_heatmap
        epochs = exp.options.get("read_epochs") or [max(measured[0]["epochs"])]
        RF.save(grid_heatmap(spec, measured, epochs), folder, "heatmap.png", out)
    if "grid" in figures:
        _grid(exp, measured, folder, out)
    # The pictures show a run that counts (the first seed's, unless it failed); a variant none of
    # whose runs counts shows its first run, titled as such, and measures nothing.
    shown = {label: next((r for r in counted[label] if r.model is not None), runs[0]) for label, runs in groups.items()}
    models = [(label, run) for label, run in shown.items() if run.model is not None]
    if any(f in figures for f in ("latent", "reconstructions", "decode_grid", "interpolate", "sample", "denoise",
                                  "embedding", "traversal", "filter", "active_units")):
        from aegui.core.analyses.report.figures import models as report_models
        failed = {m["label"]: m["failed"] for m in measured if m.get("failed")}
        report_models.draw(exp, result, models, folder, out, seeds=counted, failed=failed)


def _compare_row(exp, spec, label: str, runs: list, counted: list, healths: dict) -> dict:
    """One variant's measured numbers: the means and spreads over the runs that count
    (report/health.py), the sentence saying which were left out, and `failed` when none counts."""
    from aegui.core.analyses.report import health as H
    recs = [{"seed": r.seed, "health": healths[r.index].to_dict()} for r in runs]
    _, note = H.healthy(recs)
    row = {"label": label, "runs": len(counted), "seeds": len(runs), "seconds": float(sum(r.seconds for r in runs))}
    row["seed_health"] = [rec["health"] for rec in recs]
    if note:
        row["health_note"] = note
    if not counted:
        row["failed"] = f"{label} did not train ({note})"
    for k in sorted({k for r in counted for k in r.metrics}):
        vals = [r.metrics.get(k) for r in counted if isinstance(r.metrics.get(k), (int, float))]
        if vals:
            row[k] = float(np.mean(vals))
            row[f"{k}_std"] = float(np.std(vals))
    row["epochs"] = max((r.epochs for r in runs), key=len).tolist()
    # Per-epoch mean and spread over the seeds, for the checks that compare curves epoch by epoch.
    row["train_curve"], row["train_curve_std"] = _over_epochs([r.train_loss for r in counted], row["epochs"])
    row["test_curve"], row["test_curve_std"] = (_over_epochs([r.test_loss for r in counted], row["epochs"])
                                                if spec.test != "none" else (None, None))
    # Each seed's own curve too, for the checks that judge a curve's shape seed by seed.
    row["seed_train_curves"] = [[None if not math.isfinite(v) else float(v) for v in np.asarray(r.train_loss, float)]
                                for r in counted]
    row["seed_last_epochs"] = [int(r.epochs[-1]) if len(r.epochs) else 0 for r in counted]
    if spec.test != "none":
        row["seed_test_curves"] = [[None if not math.isfinite(v) else float(v) for v in np.asarray(r.test_loss, float)]
                                   for r in counted]
    # Each counted seed's own numbers, by seed, for the verdicts that pair runs of one seed.
    row["per_seed"] = {"seed": [int(r.seed) for r in counted],
                       **{k: [_plain(r.metrics.get(k)) if isinstance(r.metrics.get(k), (int, float)) else None
                              for r in counted] for k in sorted({k for r in counted for k in r.metrics})}}
    for e in exp.options.get("read_epochs", []):
        got = [r.loss_at(e, "test" if spec.test != "none" else "train") for r in counted]
        whole = bool(got) and all(g is not None for g in got)
        row[f"loss_at_{e}"] = float(np.mean(got)) if whole else None
        row[f"loss_at_{e}_std"] = float(np.std(got)) if whole else None
        row["per_seed"][f"loss_at_{e}"] = [_plain(g) for g in got]
    return row


def _over_epochs(curves, epochs) -> tuple[list, list]:
    """per_epoch_mean_std, one None an epoch where no run counts (the checks then read a
    variant that did not train, not an empty curve)."""
    if not curves:
        return [None] * len(epochs), [None] * len(epochs)
    return per_epoch_mean_std(curves)


def _compare_curves(spec, measured: list[dict], groups: dict, healths: dict) -> list[dict]:
    """The curves figure's lines (curves.compare_figure draws them): each variant's mean over its
    healthy runs with their band, a cross where a healthy seed ended early (its target reached),
    then each failed run on its own, ending where it stopped and marked with why. A failed run is
    in no mean, so it is drawn and marked once."""
    from aegui.core.analyses.report.figures.curves import compare_line
    facts = run_facts(groups)
    curves = []
    for m in measured:
        runs = groups[m["label"]]
        ok = [r for r in runs if healths[r.index].ok]
        if ok:
            train, train_std = per_epoch_mean_std([r.train_loss for r in ok])
            test = per_epoch_mean_std([r.test_loss for r in ok])[0] if spec.test != "none" else None
            epochs = max((r.epochs for r in ok), key=len)
            label = m["label"] + (f" ({len(ok)} of {len(runs)} seeds)" if len(ok) < len(runs) else "")
            curves.append(compare_line({"label": label, "epochs": epochs, "train_curve": train,
                                        "train_curve_std": train_std, "test_curve": test, "runs": len(ok),
                                        "seed_last_epochs": [int(r.epochs[-1]) if len(r.epochs) else 0 for r in ok],
                                        "seed_train_curves": [list(np.asarray(r.train_loss, float)) for r in ok]},
                                       facts[m["label"]]))
        # Failed runs that end alike (three seeds diverged at the same check, three dead models with
        # the same curve) are one line: drawn apart they would hide each other.
        alike: dict = {}
        for r in runs:
            h = healths[r.index]
            if not h.ok:
                key = (h.short, h.expected, _curve_key(r.train_loss))
                alike.setdefault(key, []).append(r)
        for (short, expected, _), rs in alike.items():
            r = rs[0]
            seeds = [x.seed for x in rs]
            name = (f"{m['label']}, seed{'s' if len(seeds) > 1 else ''} {', '.join(map(str, seeds))}"
                    if len(runs) > 1 else r.label)
            curves.append({"label": name, "epochs": np.asarray(r.epochs), "train": np.asarray(r.train_loss, float),
                           "test": None if spec.test == "none" else np.asarray(r.test_loss, float),
                           "stopped": short + (" (expected)" if expected else ""), "kl": facts[m["label"]]["kl"]})
    return curves


def _health_column(path: Path, text: str, healths: list) -> None:
    """runs.csv again, with a last column saying whether each run trained, and why not."""
    import csv
    import io
    from aegui.core.files.atomic import atomic_write_text
    rows = list(csv.reader(io.StringIO(text)))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(rows[0] + ["health"])
    for row, h in zip(rows[1:], healths):
        writer.writerow(row + [h.text])
    atomic_write_text(path, buf.getvalue())


def _grid(exp, measured: list[dict], folder: Path, out: dict) -> None:
    epochs = exp.options.get("read_epochs") or [max(measured[0]["epochs"])]
    key = f"loss_at_{epochs[-1]}"
    ranked = sorted(measured, key=lambda m: (m.get(key) is None or not math.isfinite(m[key]), m.get(key) or 0))
    lines = ["rank,label," + ",".join(f"test_loss_at_{e}" for e in epochs) + ",test_mse,seconds"]
    for i, m in enumerate(ranked, 1):
        cells = [RF.fmt(m.get(f"loss_at_{e}"), 5) for e in epochs]
        lines.append(f"{i},\"{m['label']}\"," + ",".join(cells) + f",{RF.fmt(m.get('test_mse'), 5)},{m['seconds']:.0f}")
    write_bytes(folder / "grid.csv", ("\n".join(lines) + "\n").encode("utf-8"))
    out["tables"].append("grid.csv")
    top = ranked[: exp.options.get("show", 15)]
    groups = [{"label": f"test loss after {e} epochs", "values": [m.get(f"loss_at_{e}") if m.get(f"loss_at_{e}")
                                                                 is not None else math.nan for m in top]}
              for e in epochs]
    img = RF.bars([m["label"] for m in top], groups, title=f"the {len(top)} best of {len(measured)} configurations "
                  "(lowest test loss first)", ylabel="test loss (MSE)", height=420)
    RF.save(img, folder, "grid.png", out)
    out["measured"]["ranked"] = [{"label": m["label"], "runs": m["runs"],
                                  **{f"loss_at_{e}{s}": m.get(f"loss_at_{e}{s}") for e in epochs for s in ("", "_std")},
                                  "per_seed": {k: v for k, v in m["per_seed"].items()
                                               if k == "seed" or k.startswith("loss_at_")}}
                                 for m in ranked]


# ---------------------------------------------------------------- classifier

def _stage_over_seeds(seeds: list, rs: list) -> dict:
    """One stage's numbers over the seeds that ran it (`seeds`: which of the study's, 0-based):
    accuracy and macro F1 as the mean and the population std (ddof=0, as the report's rule
    states) and each seed's own, with the seconds of all of them."""
    acc = np.asarray([r.accuracy for r in rs], float)
    f1 = np.asarray([r.report["macro"]["f1"] for r in rs], float)
    return {"accuracy": float(acc.mean()), "accuracy_std": float(acc.std()), "runs": len(rs),
            "per_seed": {"seed": list(seeds), "accuracy": acc.tolist(), "macro_f1": f1.tolist()},
            "macro_f1": float(f1.mean()), "macro_f1_std": float(f1.std()),
            "train_accuracy": float(np.mean([r.train_accuracy for r in rs])), "seconds": sum(r.seconds for r in rs),
            "n_train": rs[0].n_train, "n_test": rs[0].n_test}


def _stages_health(exp, seeds: list[dict], paths: dict, out: dict) -> list[dict]:
    """Every stage of every seed checked (report/health.py), in out["health"] and a health column
    of accuracy.csv (seed 0) and accuracy-seeds.csv; returns each seed's {stage: Health}."""
    from aegui.core.analyses.report import health as H
    healths = H.classifier_health(seeds, getattr(exp, "expected_failure", ()))
    out["health"] = [{"run": f"seed {k}, {name}", "label": name, "seed": k, **h.to_dict()}
                     for k, got in enumerate(healths) for name, h in got.items()]
    _health_column(paths["accuracy.csv"], paths["accuracy.csv"].read_text(encoding="utf-8"), list(healths[0].values()))
    if "accuracy-seeds.csv" in paths:
        _health_column(paths["accuracy-seeds.csv"], paths["accuracy-seeds.csv"].read_text(encoding="utf-8"),
                       [h for got in healths for h in got.values()])
    return healths


def _stage_row(name: str, seeds: list[dict], healths: list[dict]) -> dict:
    """One stage over the seeds whose run of it counts, saying which were left out."""
    from aegui.core.analyses.report import health as H
    recs = [{"seed": k, "health": got[name].to_dict(), "run": s[name]}
            for k, (s, got) in enumerate(zip(seeds, healths)) if name in s]
    counted, note = H.healthy(recs)
    if counted:
        row = _stage_over_seeds([rec["seed"] for rec in counted], [rec["run"] for rec in counted])
    else:
        row = {"accuracy": None, "runs": 0, "macro_f1": None, "seconds": sum(rec["run"].seconds for rec in recs),
               "failed": f"{name} did not train ({note})"}
    row["seeds"] = len(recs)
    if note:
        row["health_note"] = note
    return row


def _classifier(exp, result, folder: Path, out: dict) -> None:
    from aegui.core.analyses.classify.classifier import report_rows
    paths = result.write(folder)
    seeds = result.seed_stages or [result.stages]
    healths = _stages_health(exp, seeds, paths, out)
    out["tables"] += ["accuracy.csv"] + [f"{s}-report.csv" for s in result.stages] + (
        ["accuracy-seeds.csv"] if len(seeds) > 1 else [])
    spec = result.spec
    out["settings"] = {"base": spec.base.to_dict(), "head": {k: getattr(spec.head, k) for k in
                                                               ("hidden", "epochs", "learning_rate", "batch_size")},
                       "compare": list(spec.compare), "seeds": len(seeds)}
    main = result.stages.get("fine-tuned")
    stages = list(result.stages.values())
    out["measured"] = {"seconds_all_runs": result.pretrain_seconds + sum(r.seconds for s in seeds for r in s.values()),
                       "stages": {name: _stage_row(name, seeds, healths) for name in result.stages},
                       "pretrain_seconds": result.pretrain_seconds, "dataset": result.dataset, "seeds": len(seeds)}
    # The pictures show one run: seed 0's, named as such when there are more.
    of = f" (seed 0 of {len(seeds)})" if len(seeds) > 1 else ""
    if main is not None:
        tuned = [s["fine-tuned"] for s in seeds if "fine-tuned" in s]
        out["measured"]["report"] = main.report
        out["measured"]["history"] = main.history
        out["measured"]["val_loss_curves"] = [[h.get("val_loss") for h in r.history] for r in tuned]
        out["measured"]["class_f1"] = [{c["class"]: c["f1"] for c in r.report["classes"]} for r in tuned]
        table = RF.table(*report_rows(main.report), width=560)
        RF.save(RF.title_bar(table, f"fine-tuned classifier on the {main.n_test:,} test images{of}"), folder,
              "report.png", out)
        RF.save(RF.confusion(main.confusion, main.classes, title=f"confusion matrix, test set (fine-tuned){of}"),
              folder, "confusion.png", out)
        hist = main.history
        ep = np.asarray([h["epoch"] for h in hist])
        curves = [{"label": "loss", "epochs": ep, "train": np.asarray([h["loss"] for h in hist], float),
                   "test": np.asarray([np.nan if h.get("val_loss") is None else h["val_loss"] for h in hist], float)}]
        acc = [{"label": "accuracy", "epochs": ep, "train": np.asarray([h["train_accuracy"] for h in hist], float),
                "test": np.asarray([h["val_accuracy"] for h in hist], float)}]
        RF.save(RF.side_by_side([loss_curves(curves, title=f"fine-tuning: cross-entropy{of}", width=460),
                               loss_curves(acc, title=f"fine-tuning: accuracy{of}", ylabel="accuracy", log=False,
                                           from_zero=False,
                                              width=460)]), folder, "history.png", out)
    RF.save(accuracy_dots(out["measured"]["stages"], {s.features: name for name, s in result.stages.items()}),
            folder, "accuracy.png", out)


def accuracy_dots(stages: dict, names: dict[str, str]):
    """Each stage's accuracy on its training images and on the official test images (mean ±
    std over the seeds), as dots on an axis that spans them: the gap between the two (over-fitting)
    and between the stages is seen, where bars from 0 made 0.90 and 0.98 look alike. `names`: each
    stage's description -> its key in `stages` (measured["stages"])."""
    rows = [(features, stages[key]) for features, key in names.items()]
    seeds = max((m.get("runs", 1) for _, m in rows), default=1)
    over = f" (mean ± std over {seeds} seeds)" if seeds > 1 else ""
    return RF.bars([f for f, _ in rows], [
        {"label": "training images", "values": [m["train_accuracy"] for _, m in rows]},
        {"label": "official test images", "values": [m["accuracy"] for _, m in rows],
         "std": [m.get("accuracy_std", 0.0) for _, m in rows]}],
        title=f"accuracy on the training and the test images{over}", ylabel="accuracy", dots=True)
