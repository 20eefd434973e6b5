"""The analyses on the command line: `aegui denoise-curve`, `aegui embed`, `aegui probe`.

Registered by aegui.cli (add_parsers, HANDLERS). Like the other commands: the last stdout line
is one JSON object; bad input ends with exit status 2 and one line naming the file or field;
Ctrl-C cancels (exit status 130).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from aegui.cli.common import EXIT_CANCELLED, UserError
from aegui.core.jobs.job import CANCELLED, Progress
from aegui.core.schema.experiment import shown

PANEL_NAMES = {"ae": ("ae", "latent"), "pca": ("pca", "raw"), "tsne": ("tsne", "raw"),
               "pca-latent": ("pca", "latent"), "tsne-latent": ("tsne", "latent")}


def add_parsers(sub) -> None:
    """Adds `denoise-curve`, `embed` and `probe` to the subcommands."""
    c = sub.add_parser("denoise-curve", help="wrong pixels after denoising vs noise level, mean ± std over seeds",
                       description="Train a denoising experiment's seeds (or take trained models) and measure "
                       "wrong pixels after denoising vs noise level for each noise type, against the noisy "
                       "input. Writes curve.csv, per_char.csv, denoising-curve.png and denoising-curve.json.")
    c.add_argument("spec", nargs="+", help="a denoising-curve JSON (e.g. resources/analyses/denoising-curve.json), "
                   "an experiment config to train (its train.seeds seeds), or trained model folders (one per seed)")
    c.add_argument("--out", required=True, help="output folder")
    c.add_argument("--seeds", type=int, help="override the number of seeds trained")
    c.add_argument("--epochs", type=int, help="override the training epochs")
    c.add_argument("--repeats", type=int, help="noisy copies of every sample per kind, level and seed")
    c.add_argument("--leave-out", metavar="FONT", help="held out: train on the other fonts of the font file, "
                   "measure on this one (e.g. Font3)")
    c.add_argument("--test-on", metavar="FILE.h", help="measure on this font.h (your own letters) instead of "
                   "the training data")
    c.add_argument("--font", help="with --test-on: comma-separated arrays of the file (default: all)")
    c.add_argument("--quiet", action="store_true", help="no progress on the terminal")

    e = sub.add_parser("embed", help="AE latent vs PCA vs t-SNE per font: PNG + CSV",
                       description="Train a 2-D autoencoder per font (resources/presets/<font>-ae2d.json) "
                       "unless --models gives them, then project every glyph with the AE, PCA and t-SNE "
                       "(scikit-learn). Writes embedding.csv and embedding.png.")
    e.add_argument("--fonts", default="Font1,Font2,Font3", help="comma-separated fonts (default Font1,Font2,Font3)")
    e.add_argument("--out", required=True, help="output folder")
    e.add_argument("--panels", default="ae,pca,tsne",
                   help="comma-separated of ae, pca, tsne, pca-latent, tsne-latent, or 'all' (default ae,pca,tsne)")
    e.add_argument("--models", default="", help="trained models to use instead, e.g. Font3=runs/font3,Font1=runs/f1")
    e.add_argument("--seed", type=int, default=0, help="t-SNE random state (default 0)")
    e.add_argument("--perplexity", type=float, help="t-SNE perplexity (default min(30, (N - 1) / 3))")
    e.add_argument("--dataset", help="a font.h to read the fonts from instead of the course file")
    e.add_argument("--pictures", action="store_true", help="draw each sample's picture instead of its label")
    e.add_argument("--config", help="instead of fonts: an experiment config (e.g. resources/presets/"
                   "fashion-mnist-ae2d.json) trained on its training files; its official test set is embedded")
    e.add_argument("--max-samples", type=int, default=10000, help="with --config: test images embedded "
                   "(default 10000, spread evenly)")
    e.add_argument("--quiet", action="store_true", help="no progress on the terminal")

    p = sub.add_parser("probe", help="classifier head on an autoencoder's codes: accuracy + confusion matrix",
                       description="Train a small softmax head on the codes of a trained (or here trained) "
                       "autoencoder, frozen or fine-tuned; report accuracy on a seeded held-out split and "
                       "the confusion matrix. Writes accuracy.json, confusion.csv, confusion_train.csv, "
                       "history.csv (and pixels-*.csv with --baseline).")
    p.add_argument("target", help="a probe JSON (resources/analyses/probe-*.json), an experiment config "
                   "(trained first) or a trained model folder")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--data", help="model (its own data; fonts by character class), fonts (all 96 glyphs by "
                   "character class), digits, or an IDX images file")
    p.add_argument("--labels", help="IDX labels file (default: beside the images)")
    p.add_argument("--max-samples", type=int, default=0, help="keep at most this many samples (IDX, digits)")
    p.add_argument("--hidden", type=int, help="hidden units of the head (0 = linear)")
    p.add_argument("--epochs", type=int, help="head training epochs")
    p.add_argument("--lr", type=float, help="Adam learning rate of the head")
    p.add_argument("--val-split", type=float, help="held-out fraction (default 0.25)")
    p.add_argument("--seed", type=int, help="seed of the head's weights")
    p.add_argument("--split-seed", type=int, help="seed of the train / held-out split")
    p.add_argument("--fine-tune", action="store_true", help="train the encoder with the head")
    p.add_argument("--baseline", action="store_true", help="also probe the raw pixels with the same head")
    p.add_argument("--quiet", action="store_true", help="no progress on the terminal")


# ---------------------------------------------------------------- shared

def _drive(job, quiet: bool, describe):
    """Iterate a job's steps with a progress line on a terminal; Ctrl-C cancels it. The last
    Progress item (a cancelled one with no result when the job yielded nothing)."""
    import signal
    import threading
    tty = not quiet and sys.stderr.isatty()

    def on_sigint(signum, frame):
        job.cancel()
        print("\naegui: cancelling", file=sys.stderr)

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, on_sigint)
    last_draw, item = 0.0, None
    try:
        for item in job.steps():
            now = time.monotonic()
            if tty and now - last_draw >= 0.1 and not item.ended:
                last_draw = now
                bar = "#" * int(item.fraction * 20)
                sys.stderr.write(f"\r\033[K[{bar:<20}] {describe(item)}"[:150])
                sys.stderr.flush()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        if tty:
            sys.stderr.write("\r\033[K")
    return item or Progress(state=CANCELLED)


def _is_model(path: Path) -> bool:
    if path.is_dir():
        return True
    if path.suffix == ".safetensors":
        return True
    if path.suffix == ".json" and path.is_file():
        try:
            raw = _read_json(path)
        except ValueError:
            return False
        return isinstance(raw, dict) and raw.get("format") == "aegui-model"
    return False


def _read_json(path: Path):
    from aegui.core.files.jsonfile import read_json
    return read_json(path)


def _positive(value, name: str) -> None:
    if value is not None and value < 1:
        raise UserError(f"{name} must be at least 1, got {value}")


# ---------------------------------------------------------------- denoise-curve

def cmd_denoise_curve(args) -> int:
    """`aegui denoise-curve`: trains a denoising spec's seeds (or takes trained models), measures wrong pixels
    against the noise level and writes the curve's CSV, PNG and JSON. Returns the exit status (130 when
    cancelled)."""
    from dataclasses import replace

    from aegui.core.config.load import load_experiment
    from aegui.core.analyses.denoise.curve import CurveSpec, DenoiseCurveJob, load_spec
    _positive(args.seeds, "--seeds")
    _positive(args.epochs, "--epochs")
    _positive(args.repeats, "--repeats")
    paths = [Path(s) for s in args.spec]
    if all(_is_model(p) for p in paths):
        spec = CurveSpec(name="denoising curve of " + ", ".join(p.name for p in paths),
                         model_paths=tuple(str(p) for p in paths), seeds=len(paths))
        if args.seeds or args.epochs:
            raise UserError("--seeds and --epochs apply when a spec trains its models; these are trained")
    elif len(paths) == 1 and isinstance(raw := _read_json(paths[0]), dict) and "analysis" not in raw:
        # An experiment config (e.g. resources/presets/font3-dae.json): its seeds, the default curve.
        exp, notes = load_experiment(paths[0])
        for note in notes:
            print(f"aegui: note: {note}", file=sys.stderr)
        spec = CurveSpec(name=f"{exp.name}: wrong pixels vs noise level", base=exp, seeds=exp.train.seeds,
                         source=str(paths[0])).validate()
    elif len(paths) == 1:
        spec = load_spec(paths[0])
    else:
        raise UserError("give one denoising-curve JSON, or one or more trained model folders")
    changes = {k: v for k, v in (("seeds", args.seeds), ("epochs", args.epochs), ("repeats", args.repeats),
                                 ("leave_out", args.leave_out), ("test_on", args.test_on)) if v is not None}
    if args.font:
        if not args.test_on:
            raise UserError("--font names arrays of --test-on FILE.h; give --test-on too")
        changes["test_fonts"] = tuple(f.strip() for f in args.font.split(",") if f.strip())
    if changes:
        if spec.model_paths and ("seeds" in changes or "epochs" in changes):
            raise UserError("--seeds and --epochs apply when the spec trains its models; it lists trained ones")
        spec = replace(spec, **changes).validate()
    job = DenoiseCurveJob(spec)
    if job.test_data is not job.data and not args.quiet:
        print(f"aegui: measuring on {job.test_data.name}: {len(job.test_data)} glyphs", file=sys.stderr)
    if not args.quiet:
        how = f"training {spec.seeds} seeds of {job.experiment.name}" if job.experiment else \
            f"{len(job.models)} trained models"
        print(f"aegui: denoising curve {shown(spec.name)}: {how}; {len(spec.kinds)} noise types x "
              f"{len(spec.levels)} levels x {spec.repeats} copies", file=sys.stderr)

    def describe(p):
        if p.state == "training":
            return f"training epoch {p.epoch}/{p.epochs}  loss {p.loss:.4g}"
        return f"measuring {p.kind} {p.level * 100:g} %  ({p.done}/{p.total})"

    last = _drive(job, args.quiet, describe)
    result = last.result
    if result is None:
        print("aegui: cancelled; nothing written", file=sys.stderr)
        return EXIT_CANCELLED
    files = result.write(args.out)
    if not args.quiet:
        if result.diverged:
            print(f"aegui: {result.diverged_text}; the curve is over the other {result.n_seeds}", file=sys.stderr)
        pc = result.per_char()
        worst = int(pc["mean"].argmax())
        print(f"aegui: at {result.char_kind} {result.char_level * 100:g} %: "
              f"{float(pc['mean'].mean()):.2f} wrong pixels per sample after denoising, "
              f"{float(pc['baseline_mean'].mean()):.2f} in the noisy input; worst "
              f"{shown(result.labels[worst])} ({pc['mean'][worst]:.2f})", file=sys.stderr)
        print(f"aegui: wrote {', '.join(p.name for p in files.values())} in {args.out}", file=sys.stderr)
    print(json.dumps({"kinds": list(result.kinds), "levels": [float(v) for v in result.levels],
                      "seeds": result.n_seeds, "samples": len(result.labels), "repeats": result.repeats,
                      "seconds": round(result.seconds, 3), "train_seconds": round(result.train_seconds, 3),
                      "out": str(args.out), "files": [p.name for p in files.values()]}))
    return 0


# ---------------------------------------------------------------- embed

def _panels(text: str) -> list[tuple[str, str]]:
    if text.strip() == "all":
        return list(PANEL_NAMES.values())
    names = [t.strip() for t in text.split(",") if t.strip()]
    bad = [n for n in names if n not in PANEL_NAMES]
    if bad or not names:
        raise UserError(f"--panels: {shown(bad[0])} is not a panel; use {', '.join(PANEL_NAMES)} or 'all'" if bad
                          else "--panels: name at least one panel")
    return [PANEL_NAMES[n] for n in dict.fromkeys(names)]


def cmd_embed(args) -> int:
    """`aegui embed`: the 2-D autoencoder codes beside PCA and t-SNE for each font (or a config's data); writes
    the panels' PNG and CSV and prints a JSON summary. Returns the exit status."""
    from aegui.core.analyses.embedding import EmbeddingJob, panel_title
    from aegui.core.runs.storage import load_model
    fonts = [f.strip() for f in args.fonts.split(",") if f.strip()]
    if not fonts:
        raise UserError("--fonts: name at least one font, e.g. Font1,Font2,Font3")
    models = {}
    for item in filter(None, (t.strip() for t in args.models.split(","))):
        name, sep, path = item.partition("=")
        if not sep or not path:
            raise UserError(f"--models: {shown(item)} must be FONT=MODEL_FOLDER, e.g. Font3=runs/font3")
        if name not in fonts:
            raise UserError(f"--models: {shown(name)} is not among --fonts ({', '.join(fonts)})")
        models[name] = load_model(path)[0]
    if args.perplexity is not None and args.perplexity <= 0:
        raise UserError(f"--perplexity must be positive, got {args.perplexity:g}")
    extra = {}
    if args.config:
        extra = _experiment_embedding(args)
        fonts, models = [], {}
    job = EmbeddingJob(fonts, models=models, panels=_panels(args.panels), seed=args.seed,
                       perplexity=args.perplexity, font_path=args.dataset, **extra)

    def describe(p):
        if p.state == "training":
            return f"{p.dataset}: training the 2-D autoencoder, epoch {p.epoch}/{p.epochs}"
        return f"{p.dataset}: {panel_title(*p.panel)} ({p.done}/{p.total})"

    last = _drive(job, args.quiet, describe)
    result = last.result
    if result is None or last.state == CANCELLED:
        print("aegui: cancelled; nothing written", file=sys.stderr)
        return EXIT_CANCELLED
    files = result.write(args.out, pictures=args.pictures)
    if not args.quiet:
        trained = ", ".join(job.trained) or "none"
        print(f"aegui: 2-D autoencoders trained here: {trained}; wrote {files['png'].name} and "
              f"{files['csv'].name} in {args.out}", file=sys.stderr)
    print(json.dumps({"fonts": result.datasets, "panels": [f"{m}/{s}" for m, s in result.kinds],
                      "points": sum(len(p.labels) for p in result.panels), "seed": args.seed,
                      "seconds": round(result.seconds, 3), "out": str(args.out),
                      "png": files["png"].name, "csv": files["csv"].name}))
    return 0


def _experiment_embedding(args) -> dict:
    """EmbeddingJob's datasets / experiments for --config: the official test set (or, without
    one, the training data), up to --max-samples of it, labelled by class name."""
    from aegui.core.config.load import load_experiment
    from aegui.core.data.dataset import spread_indices
    from aegui.core.data.datasets import from_config, official_test_set
    exp, notes = load_experiment(args.config)
    for note in notes:
        print(f"aegui: note: {note}", file=sys.stderr)
    if args.max_samples < 0:
        raise UserError("--max-samples must be 0 (all) or more")
    data = official_test_set(exp.data) or from_config(exp.data)
    if args.max_samples and len(data) > args.max_samples:
        data = data.subset(spread_indices(len(data), args.max_samples))
    return {"datasets": {data.name: data}, "experiments": {data.name: exp}}


# ---------------------------------------------------------------- probe

def _probe_spec(target: Path):
    """A ProbeSpec from a probe file, an experiment config (trained first) or a trained model."""
    from aegui.core.config.load import experiment_from_json
    from aegui.core.analyses.classify.probe import ProbeSpec, load_spec
    if _is_model(target):
        return ProbeSpec(name=f"probe of {target.name}", model_path=str(target), source=str(target))
    raw = _read_json(target)
    if isinstance(raw, dict) and "analysis" in raw:
        if raw["analysis"] != "probe":
            from aegui.core.schema.experiment import ConfigError
            raise ConfigError("analysis", f"this file describes {shown(raw['analysis'])}; `aegui probe` reads "
                              "'probe' files, experiment configs and models", str(target))
        return load_spec(target)
    exp, notes = experiment_from_json(json.dumps(raw), str(target))
    for note in notes:
        print(f"aegui: note: {note}", file=sys.stderr)
    return ProbeSpec(name=f"probe of {exp.name}", base=exp, source=str(target))


def cmd_probe(args) -> int:
    """`aegui probe`: trains a classifier on a model's codes (training the model first when the target is a
    config), writes its results and prints a JSON summary. Returns the exit status."""
    from dataclasses import asdict, replace

    from aegui.core.schema.experiment import ConfigError
    from aegui.core.analyses.classify.probe import ProbeRunJob, probe_config_from_dict
    from aegui.core.runs.storage import save_model

    spec = _probe_spec(Path(args.target))
    overrides = {"hidden": args.hidden, "epochs": args.epochs, "learning_rate": args.lr,
                 "val_split": args.val_split, "seed": args.seed, "split_seed": args.split_seed}
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if args.fine_tune:
        overrides["fine_tune"] = True
    try:
        config = probe_config_from_dict({**asdict(spec.config), **overrides})
    except ConfigError as e:
        name = e.field.split(".")[-1]
        flag = "--lr" if name == "learning_rate" else "--" + name.replace("_", "-")
        raise UserError(f"{flag}: {e.problem}") from None
    if args.max_samples < 0:
        raise UserError("--max-samples must be 0 (all) or more")
    spec = replace(spec, config=config, baseline=spec.baseline or args.baseline,
                   data=args.data or spec.data, labels=args.labels or spec.labels,
                   max_samples=args.max_samples or spec.max_samples)
    job = ProbeRunJob(spec)
    out = Path(args.out)
    if not args.quiet:
        if job.model is None:
            print(f"aegui: training {shown(job.experiment.name)} ({job.experiment.train.seeds} seeds, "
                  f"{job.experiment.train.epochs} epochs) before probing", file=sys.stderr)
        print(f"aegui: probing on {job.data.name}: {len(job.data)} samples", file=sys.stderr)

    def describe(p):
        if p.state == "training":
            return f"training the autoencoder, epoch {p.epoch}/{p.epochs}"
        val = "" if p.val_accuracy is None else f"  held-out {p.val_accuracy:.3f}"
        return (f"{p.stage}: epoch {p.epoch}/{p.epochs}  loss {p.loss:.4g}  "
                f"train {p.train_accuracy:.3f}{val}")

    last = _drive(job, args.quiet, describe)
    run = last.result
    if last.state == CANCELLED or run is None:
        print("aegui: cancelled; nothing written", file=sys.stderr)
        return EXIT_CANCELLED
    if run.trained_here:
        save_model(out / "model", run.model, run.experiment, {"trained_for": "probe"})
    res = run.probe
    res.write(out)
    summary = {"train_accuracy": round(res.train_accuracy, 4),
               "val_accuracy": None if res.val_accuracy is None else round(res.val_accuracy, 4),
               "chance": round(res.chance, 4), "classes": res.classes, "n_train": res.n_train,
               "n_val": res.n_val, "features": res.features, "latent_dim": res.latent_dim,
               "dataset": res.dataset, "probe": asdict(config)}
    if run.baseline is not None:
        run.baseline.write(out, stem="pixels-")
        summary["baseline_train_accuracy"] = round(run.baseline.train_accuracy, 4)
        summary["baseline_val_accuracy"] = None if run.baseline.val_accuracy is None \
            else round(run.baseline.val_accuracy, 4)
    summary["seconds"] = round(run.seconds, 3)
    summary["out"] = str(out)
    if not args.quiet:
        held = "" if res.val_accuracy is None else f", held-out {res.val_accuracy:.3f}"
        base = "" if run.baseline is None or run.baseline.val_accuracy is None else \
            f"; raw pixels: held-out {run.baseline.val_accuracy:.3f}"
        print(f"aegui: {res.features}: train {res.train_accuracy:.3f}{held} (always the commonest class: "
              f"{res.chance:.3f}){base}; wrote accuracy.json and confusion.csv in {out}", file=sys.stderr)
    print(json.dumps(summary))
    return 0


HANDLERS = {"denoise-curve": cmd_denoise_curve, "embed": cmd_embed, "probe": cmd_probe}
