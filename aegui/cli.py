"""Command line: `aegui` (no arguments) opens the app; `aegui train|eval|decode|sweep ...` run headless.

Bad input ends with exit status 2 and one line on stderr that names the file, field or
line and what to do; never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import aegui

EXIT_BAD_INPUT = 2


class UserError(Exception):
    """Bad input from the user: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(EXIT_BAD_INPUT, f"aegui: error: {message} (see `{self.prog} --help`)\n")


def _parse_level(text: str) -> float:
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"noise level {text!r} is not a number; use e.g. 0.1 or 10%") from None
    if text.endswith("%") or value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"noise level {text!r} must be between 0 and 1 (or 0% and 100%)")
    return value


def _parse_point(text: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--z {text!r} must be numbers separated by commas, e.g. 0.5,-1") from None


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="aegui", description="aegui, the autoencoder studio. With no command, opens the app.")
    p.add_argument("--version", action="version", version=f"aegui {aegui.__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    t = sub.add_parser("train", help="train a model from a JSON config (aegui's or a student's)")
    t.add_argument("config", help="config JSON, e.g. resources/presets/font3-ae2d.json")
    t.add_argument("--dataset", help="a font.h to train on instead of the course file")
    t.add_argument("--out", help="output folder (default: runs/<config name>)")
    t.add_argument("--seeds", type=int, help="models trained together; the best is kept")
    t.add_argument("--epochs", type=int, help="override the number of epochs")
    t.add_argument("--seed", type=int, help="override the base seed")
    t.add_argument("--device", choices=("auto", "cpu", "cuda"), help="override the device")
    t.add_argument("--quiet", action="store_true", help="no progress bar")

    e = sub.add_parser("eval", help="wrong pixels per glyph of a saved model, clean or denoising")
    e.add_argument("model", help="model folder (or its .json / .safetensors)")
    e.add_argument("--dataset", help="a font.h to evaluate on instead of the model's own data")
    e.add_argument("--noise", choices=("salt_pepper", "bit_flip", "gaussian"), help="corrupt inputs first")
    e.add_argument("--level", type=_parse_level, default=0.1, help="noise level: 0.1 or 10%% (default 0.1)")
    e.add_argument("--repeats", type=int, default=10, help="noisy copies per glyph (default 10)")
    e.add_argument("--seed", type=int, default=0, help="seed of the noise (default 0)")

    d = sub.add_parser("decode", help="the glyph at a latent point")
    d.add_argument("model", help="model folder (or its .json / .safetensors)")
    d.add_argument("--z", type=_parse_point, help="latent point, e.g. 0.5,-1.2")
    d.add_argument("--grid", type=int, metavar="N",
                   help="instead of one point: an N x N mosaic over the dataset's codes (first two dims)")
    d.add_argument("--out", help="also write a PNG here (required with --grid)")

    w = sub.add_parser("sweep", help="train every combination of a sweep JSON, N seeds each",
                       description="Train every combination of the fields a sweep JSON varies, N seeds "
                       "each; write results.csv (mean and population std per config), runs.csv, "
                       "curves.csv, histories.csv and sweep.json. Ctrl-C cancels and keeps the "
                       "finished groups (exit status 130).")
    w.add_argument("sweep", help="sweep JSON, e.g. resources/sweeps/seed001-architectures.json")
    w.add_argument("--out", required=True, help="output folder")
    w.add_argument("--seeds", type=int, help="override the runs per config")
    w.add_argument("--epochs", type=int, help="override the epochs of every run")
    w.add_argument("--quiet", action="store_true", help="no progress on the terminal")
    return p


# ---------------------------------------------------------------- train

class _Bar:
    """A one-line progress bar on a terminal; silent when stderr is not a terminal."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.last = 0.0

    def update(self, rec, force=False):
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.1 and not force):
            return
        self.last = now
        frac = rec.epoch / rec.total_epochs
        bar = "#" * int(frac * 30)
        sys.stderr.write(f"\r[{bar:<30}] epoch {rec.epoch}/{rec.total_epochs}  loss {rec.losses['total']:.4g}  "
                         f"max wrong {rec.max_wrong}  mean {rec.mean_wrong:.3f}  {rec.epochs_per_s:.0f} ep/s ")
        sys.stderr.flush()

    def close(self):
        if self.enabled:
            sys.stderr.write("\n")


def cmd_train(args) -> int:
    from aegui.core.config import load_experiment, with_changes
    from aegui.core.datasets import from_config
    from aegui.core.metrics import metrics_path, write_metrics
    from aegui.core.storage import save_model
    from aegui.core.training import TrainingSession

    exp, notes = load_experiment(args.config)
    for note in notes:
        print(f"aegui: note: {note}", file=sys.stderr)
    train = {k: v for k, v in (("seeds", args.seeds), ("epochs", args.epochs), ("seed", args.seed),
                               ("device", args.device)) if v is not None}
    data = {"path": str(Path(args.dataset).resolve())} if args.dataset else {}
    exp = with_changes(exp, train=train, data=data)
    dataset = from_config(exp.data)
    session = TrainingSession(exp, dataset)
    out = Path(args.out) if args.out else Path("runs") / Path(args.config).stem
    bar = _Bar(not args.quiet)
    start = time.perf_counter()
    rec = None
    try:
        for rec in session.steps():
            bar.update(rec, force=rec.done)
    except KeyboardInterrupt:
        session.stop()
        print("\naegui: interrupted; saving the best model so far", file=sys.stderr)
    finally:
        bar.close()
    seconds = time.perf_counter() - start
    if rec is None:
        raise UserError("training produced no result")
    if rec.message:
        print(f"aegui: {rec.message}", file=sys.stderr)
    metrics = {"max_wrong_pixels": rec.max_wrong, "mean_wrong_pixels": round(rec.mean_wrong, 6),
               "epochs": rec.epoch, "seconds": round(seconds, 4), "state": rec.state,
               "best_model": rec.best, "models": session.k, "loss": rec.losses,
               "device": str(session.device), "dataset": dataset.name, "samples": len(dataset)}
    meta_path = save_model(out, session.best_model(), exp, metrics,
                           extra={"labels": dataset.labels, "shape": list(dataset.shape)})
    write_metrics(metrics_path(out), session.history)
    print(f"saved {meta_path.parent}/model.safetensors, model.json and metrics.csv", file=sys.stderr)
    print(json.dumps({**metrics, "model": str(out)}))
    return 1 if rec.state == "diverged" else 0


# ---------------------------------------------------------------- sweep

EXIT_CANCELLED = 130


def _sweep_line(p) -> str:
    done = p["fraction"]
    eta = p["elapsed"] * (1 - done) / done if done > 0 else 0.0
    bar = "#" * int(done * 20)
    label = "; ".join(p["group_labels"])
    return (f"\r\033[K[{bar:<20}] group {p['group']}/{p['groups']}  runs {p['runs_done']}/{p['runs']}  "
            f"epoch {p['epoch']}/{p['epochs']}  best max wrong {p['best_max_wrong']}  "
            f"{p['elapsed']:.0f} s, ~{eta:.0f} s left  {label[:60]} ")


def cmd_sweep(args) -> int:
    import signal
    import threading

    from aegui.core.sweep import SweepRunner, load_sweep, with_overrides, write_results

    sweep = with_overrides(load_sweep(args.sweep), seeds=args.seeds, epochs=args.epochs)
    runner = SweepRunner(sweep)
    out = Path(args.out)
    tty = not args.quiet and sys.stderr.isatty()
    if not args.quiet:
        print(f"aegui: sweep {sweep.name!r}: {len(runner.configs)} configs x {sweep.seeds} seeds = "
              f"{runner.n_runs} runs in {len(runner.groups)} training sessions", file=sys.stderr)

    def on_sigint(signum, frame):
        if runner.cancelled:        # a second Ctrl-C: stop at once
            raise KeyboardInterrupt
        runner.cancel()
        print("\naegui: cancelling; the finished groups are kept (Ctrl-C again to quit at once)",
              file=sys.stderr)

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, on_sigint)
    last = 0.0
    try:
        for p in runner.steps():
            now = time.monotonic()
            if p["state"] == "running" and tty and now - last >= 0.1:
                last = now
                sys.stderr.write(_sweep_line(p))
                sys.stderr.flush()
            elif p["state"] == "group_done" and not args.quiet:
                labels = "; ".join(p["group_labels"])
                sys.stderr.write(("\r\033[K" if tty else "") +
                                 f"group {p['group']}/{p['groups']} done in {p['group_elapsed']:.1f} s "
                                 f"({p['group_runs']} runs: {labels})\n")
    except KeyboardInterrupt:       # the second Ctrl-C: the finished groups are still written
        runner.result.cancelled = True
        if runner.result.cancelled_group is None and len(runner.result.group_seconds) < len(runner.groups):
            runner.result.cancelled_group = len(runner.result.group_seconds)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    result = runner.result
    write_results(result, out)
    best = result.best_config()
    if not args.quiet:
        if best is not None:
            row = result.summary(best)
            print(f"aegui: best config {best} ({row['label']}): max wrong {row['final_max_wrong_mean']:.2f} "
                  f"+/- {row['final_max_wrong_std']:.2f} over {row['n_runs']} runs", file=sys.stderr)
        print(f"aegui: wrote {out}/results.csv, runs.csv, curves.csv, histories.csv and sweep.json",
              file=sys.stderr)
    print(json.dumps({"configs": len(result.configs_done), "configs_total": len(result.configs),
                      "runs": len(result.runs), "runs_total": runner.n_runs,
                      "seconds": round(result.seconds, 3), "out": str(out), "cancelled": result.cancelled,
                      "best_config": best,
                      "best_label": result.configs[best].label if best is not None else None}))
    return EXIT_CANCELLED if result.cancelled else 0


# ---------------------------------------------------------------- eval / decode

def _load(path):
    from aegui.core.storage import load_model
    return load_model(path)


def cmd_eval(args) -> int:
    import numpy as np

    from aegui.core import latent
    from aegui.core.datasets import from_config, font_dataset
    from aegui.core.noise import apply_noise

    model, exp, meta = _load(args.model)
    data = font_dataset(exp.data.fonts, exp.data.chars, args.dataset) if args.dataset else from_config(exp.data)
    if data.dim != model.input_dim:
        raise UserError(f"{args.dataset or data.name}: samples have {data.dim} values; the model expects "
                        f"{model.input_dim}")
    if args.repeats < 1:
        raise UserError("--repeats must be at least 1")
    clean = data.x
    if args.noise:
        rng = np.random.default_rng(args.seed)
        inputs = apply_noise(np.repeat(clean, args.repeats, axis=0), args.noise, args.level, rng)
        targets = np.repeat(clean, args.repeats, axis=0)
    else:
        inputs, targets = clean, clean
    out = latent.reconstruct(model, inputs)
    wrong = ((out >= 0.5) != (targets >= 0.5)).sum(1)
    reps = args.repeats if args.noise else 1
    per_glyph = wrong.reshape(len(data), reps)
    noisy_wrong = ((inputs >= 0.5) != (targets >= 0.5)).sum(1).reshape(len(data), reps) if args.noise else None
    print("glyph  wrong" + ("  (mean over copies; noisy input had)" if args.noise else ""))
    for i, label in enumerate(data.labels):
        line = f"{label:>5}  {per_glyph[i].mean():5.2f}"
        if noisy_wrong is not None:
            line += f"  {noisy_wrong[i].mean():5.2f}"
        print(line)
    result = {"max_wrong_pixels": int(wrong.max()), "mean_wrong_pixels": round(float(wrong.mean()), 4),
              "glyphs": len(data), "noise": args.noise or "none",
              "level": args.level if args.noise else 0.0, "repeats": reps,
              "wrong_per_glyph": {lab: round(float(per_glyph[i].mean()), 3) for i, lab in enumerate(data.labels)}}
    if noisy_wrong is not None:
        result["mean_wrong_pixels_noisy_input"] = round(float(noisy_wrong.mean()), 4)
    print(json.dumps(result))
    return 0


def cmd_decode(args) -> int:
    from aegui.core import latent
    from aegui.core.glyphs import array_to_text

    model, exp, meta = _load(args.model)
    shape = tuple(meta.get("shape", (7, 5)))
    if args.grid is not None:
        return _decode_grid(args, model, exp, shape)
    if args.z is None:
        raise UserError("give --z X,Y (a latent point) or --grid N --out FILE.png")
    if len(args.z) != model.latent_dim:
        raise UserError(f"--z has {len(args.z)} values; this model's latent space has {model.latent_dim} "
                        f"dimensions")
    img = latent.decode_points(model, [args.z])[0].reshape(shape)
    print(array_to_text(img))
    if args.out:
        from aegui.core.images import save_png
        save_png(img, args.out, scale=20)
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _decode_grid(args, model, exp, shape) -> int:
    import numpy as np

    from aegui.core import latent
    from aegui.core.datasets import from_config
    from aegui.core.images import save_png
    if not args.out:
        raise UserError("--grid needs --out FILE.png")
    if not 2 <= args.grid <= 64:
        raise UserError("--grid must be between 2 and 64")
    codes = latent.encode(model, from_config(exp.data).x)
    lo, hi = codes.min(0), codes.max(0)
    dims = (0, 1) if model.latent_dim > 1 else (0, 0)
    rect = (lo[dims[0]], hi[dims[0]], lo[dims[1]], hi[dims[1]]) if model.latent_dim > 1 \
        else (lo[0], hi[0], 0.0, 0.0)
    n = args.grid
    tiles = latent.decode_grid(model, rect, n, n, dims, codes.mean(0)).reshape(n, n, *shape)
    h, w = shape[:2]
    # One blank pixel between tiles keeps neighbouring glyphs apart.
    mosaic = np.zeros((n * (h + 1) - 1, n * (w + 1) - 1, *shape[2:]), np.float32)
    for r in range(n):
        for c in range(n):
            mosaic[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = tiles[r, c]
    save_png(mosaic, args.out, scale=8)
    print(json.dumps({"grid": n, "rect": [round(float(v), 4) for v in rect], "out": args.out}))
    return 0


# ---------------------------------------------------------------- entry point

def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("--") and argv[0] not in ("--help", "-h", "--version"):
        from aegui.qt.app import run
        return run(argv)
    args = build_parser().parse_args(argv)
    from aegui.core.config import ConfigError
    from aegui.core.glyphs import FontParseError
    from aegui.core.storage import ModelFileError
    handlers = {"train": cmd_train, "eval": cmd_eval, "decode": cmd_decode, "sweep": cmd_sweep}
    try:
        return handlers[args.command](args)
    except (UserError, ConfigError, FontParseError, ModelFileError) as e:
        print(f"aegui: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as e:
        print(f"aegui: error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return EXIT_BAD_INPUT
