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

from aegui.core.analyses.report import figures as RF
from aegui.core.analyses.report.curves import compare_curves, loss_curves
from aegui.core.analyses.report.files import write_bytes


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
    write_bytes(folder / "results.csv", (folder / "work" / "results.csv").read_bytes())
    out["tables"].append("results.csv")
    sweep = result.sweep
    rows = result.summaries()
    out["settings"] = {"base": sweep.base.to_dict(), "vary": {k: [str(v) for v in vals] for k, vals in sweep.vary.items()},
                       "seeds": sweep.seeds}
    out["measured"]["configs"] = [{k: _plain(v) for k, v in r.items()} for r in rows]
    figures = exp.figures or ("curves", "bars")
    opts = exp.options
    if "curves" in figures or "wrong_curves" in figures:
        for fig, metric, ylabel, log in (("curves", "loss", "loss", True), ("wrong_curves", "mean_wrong",
                                                                             "mean wrong pixels", False)):
            if fig not in figures:
                continue
            panels = _split(result, opts.get("split"))
            imgs = []
            for title, configs in panels:
                runs = []
                for c in configs:
                    cv = result.curves(c)
                    if cv:
                        runs.append({"label": _short_label(result.configs[c].label, opts.get("split")),
                                     "epochs": cv["epoch"], "train": cv[f"{metric}_mean"],
                                     "train_std": cv[f"{metric}_std"],
                                     "stops": sweep_stops(result.runs_of(c), "history_" + metric)})
                if runs:
                    imgs.append(loss_curves(runs, title=title or f"{ylabel} vs epoch (mean ± std over "
                                               f"{sweep.seeds} runs)", ylabel=ylabel, log=log))
            if imgs:
                RF.save(RF.side_by_side(imgs) if len(imgs) > 1 else imgs[0], folder, f"{fig}.png", out)
    if "bars" in figures:
        panels = _split(result, opts.get("split"))
        imgs = []
        # Where the sweep varies the epochs, each bar ends at its own.
        after = "at the end of training" if "train.epochs" in sweep.vary else f"after {sweep.base.train.epochs} epochs"
        for metric, ylabel in (("final_loss", "final loss"), ("final_mean_wrong", "mean wrong pixels per glyph")):
            groups, cats = [], None
            for title, configs in panels:
                done = [c for c in configs if result.runs_of(c)]
                sums = [result.summary(c) for c in done]
                cats = [_short_label(result.configs[c].label, opts.get("split")) for c in done]
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


def sweep_stops(runs, attr: str) -> list[dict]:
    """The seeds of one sweep config that diverged: a diverged model is frozen and its loss is
    not finite from then on, so it is marked at its last finite check (or, never finite, at the
    first), with how many seeds of the config it is."""
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
    spec = result.spec
    paths = result.write(folder)
    out["tables"] += [p.name for p in paths.values()]
    out["settings"] = {"base": spec.base.to_dict(), "runs": [{"label": lab, "changes": ch} for lab, ch in spec.runs],
                       "grid": {k: list(v) for k, v in spec.grid}, "seeds": spec.seeds, "test": spec.test}
    groups = _groups(result)
    measured = []
    for label, runs in groups.items():
        row = {"label": label, "runs": len(runs), "seconds": float(sum(r.seconds for r in runs))}
        for k in sorted({k for r in runs for k in r.metrics}):
            vals = [r.metrics.get(k) for r in runs if isinstance(r.metrics.get(k), (int, float))]
            if vals:
                row[k] = float(np.mean(vals))
                row[f"{k}_std"] = float(np.std(vals))
        row["epochs"] = max((r.epochs for r in runs), key=len).tolist()
        # Per-epoch mean and spread over the seeds, for the checks that compare curves epoch by epoch.
        row["train_curve"], row["train_curve_std"] = per_epoch_mean_std([r.train_loss for r in runs])
        row["test_curve"], row["test_curve_std"] = (per_epoch_mean_std([r.test_loss for r in runs])
                                                    if spec.test != "none" else (None, None))
        # Each seed's own curve too, for the checks that judge a curve's shape seed by seed.
        row["seed_train_curves"] = [[None if not math.isfinite(v) else float(v) for v in np.asarray(r.train_loss, float)]
                                    for r in runs]
        row["seed_last_epochs"] = [int(r.epochs[-1]) if len(r.epochs) else 0 for r in runs]
        for e in exp.options.get("read_epochs", []):
            got = [r.loss_at(e, "test" if spec.test != "none" else "train") for r in runs]
            whole = all(g is not None for g in got)
            row[f"loss_at_{e}"] = float(np.mean(got)) if whole else None
            row[f"loss_at_{e}_std"] = float(np.std(got)) if whole else None
        measured.append(row)
    out["measured"]["runs"] = measured
    out["measured"]["seconds_all_runs"] = float(sum(r.seconds for r in result.runs))
    out["measured"]["run_loads"] = [r.load_avg for r in result.runs if r.load_avg is not None]
    figures = exp.figures or ("curves",)
    if "curves" in figures:
        RF.save(compare_curves(measured, run_facts(groups), test=spec.test, log=exp.options.get("log", True)),
                folder, "curves.png", out)
    if "heatmap" in figures:
        from aegui.core.analyses.report.heatmap import grid_heatmap
        epochs = exp.options.get("read_epochs") or [max(measured[0]["epochs"])]
        RF.save(grid_heatmap(spec, measured, epochs), folder, "heatmap.png", out)
    if "grid" in figures:
        _grid(exp, measured, folder, out)
    models = [(label, runs[0]) for label, runs in groups.items() if runs[0].model is not None]
    if any(f in figures for f in ("latent", "reconstructions", "decode_grid", "interpolate", "sample", "denoise",
                                  "embedding", "traversal", "filter", "active_units")):
        from aegui.core.analyses.report import models as report_models
        report_models.draw(exp, result, models, folder, out, seeds=groups)


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
                                  **{f"loss_at_{e}{s}": m.get(f"loss_at_{e}{s}") for e in epochs for s in ("", "_std")}}
                                 for m in ranked]


# ---------------------------------------------------------------- classifier

def _stage_over_seeds(rs: list) -> dict:
    """One stage's numbers over the seeds that ran it: accuracy and macro F1 as the mean and the
    population std (ddof=0, as the report's rule states), with the seconds of all of them."""
    acc = np.asarray([r.accuracy for r in rs], float)
    f1 = np.asarray([r.report["macro"]["f1"] for r in rs], float)
    return {"accuracy": float(acc.mean()), "accuracy_std": float(acc.std()), "runs": len(rs),
            "macro_f1": float(f1.mean()), "macro_f1_std": float(f1.std()),
            "train_accuracy": float(np.mean([r.train_accuracy for r in rs])), "seconds": sum(r.seconds for r in rs),
            "n_train": rs[0].n_train, "n_test": rs[0].n_test}


def _classifier(exp, result, folder: Path, out: dict) -> None:
    from aegui.core.analyses.classify.classifier import report_rows
    result.write(folder)
    seeds = result.seed_stages or [result.stages]
    out["tables"] += ["accuracy.csv"] + [f"{s}-report.csv" for s in result.stages] + (
        ["accuracy-seeds.csv"] if len(seeds) > 1 else [])
    spec = result.spec
    out["settings"] = {"base": spec.base.to_dict(), "head": {k: getattr(spec.head, k) for k in
                                                               ("hidden", "epochs", "learning_rate", "batch_size")},
                       "compare": list(spec.compare), "seeds": len(seeds)}
    main = result.stages.get("fine-tuned")
    stages = list(result.stages.values())
    out["measured"] = {"seconds_all_runs": result.pretrain_seconds + sum(r.seconds for s in seeds for r in s.values()),
                       "stages": {name: _stage_over_seeds([s[name] for s in seeds if name in s])
                                  for name in result.stages},
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
