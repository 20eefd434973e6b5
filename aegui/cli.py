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


def _parse_dims(text: str) -> tuple[int, int]:
    try:
        dims = tuple(int(v) for v in text.split(","))
    except ValueError:
        dims = ()
    if len(dims) != 2 or min(dims) < 0:
        raise argparse.ArgumentTypeError(f"--dims {text!r} must be two latent dimensions, e.g. 0,1")
    return dims


def _parse_range(text: str) -> tuple[float, float]:
    values = _parse_point(text)
    if len(values) != 2 or not values[0] < values[1]:
        raise argparse.ArgumentTypeError(f"--range {text!r} must be two numbers LO,HI with LO < HI, e.g. -2.5,2.5")
    return values[0], values[1]


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="aegui", description="aegui, the autoencoder studio. With no command, opens the app.")
    p.add_argument("--version", action="version", version=f"aegui {aegui.__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    t = sub.add_parser("train", help="train a model from a JSON config (aegui's or a student's)")
    t.add_argument("config", help="config JSON, e.g. resources/presets/font3-ae2d.json")
    t.add_argument("--dataset", help="data to train on instead of the config's data.path: a font.h, "
                   "a folder of pictures or an IDX images file, as the config's data.source reads")
    t.add_argument("--out", help="output folder (default: runs/<config name>)")
    t.add_argument("--seeds", type=int, help="models trained together; the best is kept")
    t.add_argument("--epochs", type=int, help="override the number of epochs")
    t.add_argument("--seed", type=int, help="override the base seed")
    t.add_argument("--device", choices=("auto", "cpu", "cuda"), help="override the device")
    t.add_argument("--quiet", action="store_true", help="no progress bar")

    e = sub.add_parser("eval", help="wrong pixels per glyph (fonts) or reconstruction error (images) "
                       "of a saved model, clean or denoising")
    e.add_argument("model", help="model folder (or its .json / .safetensors)")
    e.add_argument("--dataset", help="data to evaluate on instead of the model's own: a font.h, a folder "
                   "of pictures or an IDX images file, as the model's data.source reads")
    e.add_argument("--noise", choices=("salt_pepper", "bit_flip", "gaussian"), help="corrupt inputs first")
    e.add_argument("--level", type=_parse_level, default=0.1, help="noise level: 0.1 or 10%% (default 0.1)")
    e.add_argument("--repeats", type=int, default=10, help="noisy copies per glyph (default 10)")
    e.add_argument("--seed", type=int, default=0, help="seed of the noise (default 0)")

    d = sub.add_parser("decode", help="the glyph or image at a latent point, a grid over two latent "
                       "dimensions, or samples from a VAE's prior")
    d.add_argument("model", help="model folder (or its .json / .safetensors)")
    d.add_argument("--z", type=_parse_point, help="latent point, e.g. 0.5,-1.2")
    d.add_argument("--grid", type=int, metavar="N",
                   help="instead of one point: an N x N mosaic over the dataset's codes (first two dims)")
    d.add_argument("--dims", type=_parse_dims, default=(0, 1), metavar="I,J",
                   help="with --grid: the latent dimensions along x and y (default 0,1); the others "
                   "stay at the dataset's mean code")
    d.add_argument("--range", type=_parse_range, metavar="LO,HI",
                   help="with --grid: the values each of the two dimensions runs over (default: the "
                   "range of the dataset's codes), e.g. -2.5,2.5 for a VAE")
    d.add_argument("--around", metavar="LABEL",
                   help="with --grid: the other latent dimensions take this sample's code (e.g. grinning) "
                   "instead of the dataset's mean, and the grid spans its code +/- 2 unless --range says")
    d.add_argument("--axes", action="store_true",
                   help="with --grid: a figure with each axis's values and name instead of the bare mosaic")
    d.add_argument("--samples", type=int, metavar="N",
                   help="instead of one point: an N x N mosaic of decodes of codes drawn from a VAE's "
                   "prior N(0, I)")
    d.add_argument("--seed", type=int, default=0, help="with --samples: seed of the draws (default 0)")
    d.add_argument("--out", help="also write a PNG here (required with --grid, --samples and image models)")

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

    from aegui.cli_analysis import add_parsers
    add_parsers(sub)   # denoise-curve, embed, probe
    return p


# ---------------------------------------------------------------- train

class _Bar:
    """A one-line progress bar on a terminal; silent when stderr is not a terminal. Glyphs show
    wrong pixels; images (where a pixel is rarely exactly right) the losses only."""

    def __init__(self, enabled: bool, images: bool = False):
        self.enabled = enabled and sys.stderr.isatty()
        self.images = images
        self.last = 0.0

    def update(self, rec, force=False):
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.1 and not force):
            return
        self.last = now
        frac = rec.epoch / rec.total_epochs
        bar = "#" * int(frac * 30)
        text = f"\r\033[K[{bar:<30}] epoch {rec.epoch}/{rec.total_epochs}  loss {rec.losses['total']:.4g}"
        if "kl" in rec.losses:
            text += f" (recon {rec.losses['recon']:.4g} + kl {rec.losses['kl']:.3g})"
        if rec.val_loss is not None:
            text += f"  val {rec.val_loss:.4g}"
        if not self.images:
            text += f"  max wrong {rec.max_wrong}  mean {rec.mean_wrong:.3f}"
        rate = rec.epochs_per_s
        sys.stderr.write(text + (f"  {rate:.0f} ep/s " if rate >= 10 else f"  {rate:.2g} ep/s "))
        sys.stderr.flush()

    def close(self):
        if self.enabled:
            sys.stderr.write("\n")


def _dataset_override(exp, path) -> dict:
    """data.path from --dataset: a font.h, a picture folder or an IDX file, by data.source."""
    if not path:
        return {}
    source = exp.data.source
    if source in ("emoji", "digits"):
        raise UserError(f"--dataset: data.source is {source!r}, which is built in and reads "
                        "no file; to use your own pictures set data.source to 'folder' or 'idx' in the config")
    return {"path": str(Path(path).expanduser().resolve())}


def _loading(quiet: bool):
    """progress(done, total) for a folder of pictures: a counter on a terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    last = [0.0]

    def progress(done, total):
        now = time.monotonic()
        if now - last[0] >= 0.1 or done == total:
            last[0] = now
            sys.stderr.write(f"\r\033[Kloading pictures {done}/{total}" + ("\n" if done == total else ""))
            sys.stderr.flush()
    return progress


def cmd_train(args) -> int:
    from aegui.core.config import load_experiment, with_changes
    from aegui.core.datasets import load_split
    from aegui.core.metrics import metrics_path, write_metrics
    from aegui.core.storage import save_model
    from aegui.core.training import TrainingSession

    exp, notes = load_experiment(args.config)
    for note in notes:
        print(f"aegui: note: {note}", file=sys.stderr)
    train = {k: v for k, v in (("seeds", args.seeds), ("epochs", args.epochs), ("seed", args.seed),
                               ("device", args.device)) if v is not None}
    exp = with_changes(exp, train=train, data=_dataset_override(exp, args.dataset))
    dataset, val = load_split(exp.data, _loading(args.quiet))
    for warning in dataset.warnings:
        print(f"aegui: note: {warning}", file=sys.stderr)
    session = TrainingSession(exp, dataset, val_data=val)
    out = Path(args.out) if args.out else Path("runs") / Path(args.config).stem
    bar = _Bar(not args.quiet, images=exp.data.source != "font")
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
    if val is not None:
        first = next((row["val_loss"] for row in session.history if "val_loss" in row), None)
        metrics.update(val_loss=rec.val_loss, val_loss_first=first, val_samples=len(val))
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

    from dataclasses import replace

    from aegui.core import latent
    from aegui.core.datasets import from_config, font_dataset
    from aegui.core.noise import apply_noise

    model, exp, meta = _load(args.model)
    if args.dataset and exp.data.source == "font":
        data = font_dataset(exp.data.fonts, exp.data.chars, args.dataset)
    else:
        data = from_config(replace(exp.data, **_dataset_override(exp, args.dataset)))
    if data.dim != model.input_dim:
        raise UserError(f"{args.dataset or data.name}: samples have {data.dim} values; the model expects "
                        f"{model.input_dim}")
    if args.repeats < 1:
        raise UserError("--repeats must be at least 1")
    if exp.data.source != "font":
        return _eval_images(args, model, exp, data)
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


def _eval_images(args, model, exp, data) -> int:
    """Images: reconstruction error per sample (mean squared error per pixel, and the per-sample
    summed BCE a VAE's ELBO uses); wrong pixels mean little when few pixels are pure 0 or 1.
    With a validation split, the held-out samples are reported apart."""
    import numpy as np

    from aegui.core import latent
    from aegui.core.datasets import Dataset, split
    from aegui.core.noise import apply_noise

    reps = args.repeats if args.noise else 1
    clean = np.repeat(data.x, reps, axis=0)
    inputs = apply_noise(clean, args.noise, args.level, np.random.default_rng(args.seed)) if args.noise else clean
    out = np.clip(latent.reconstruct(model, inputs), 1e-6, 1 - 1e-6)
    mse = ((out - clean) ** 2).mean(1).reshape(len(data), reps).mean(1)
    bce = -(clean * np.log(out) + (1 - clean) * np.log(1 - out)).sum(1).reshape(len(data), reps).mean(1)
    result = {"samples": len(data), "mse": round(float(mse.mean()), 6), "bce_per_sample": round(float(bce.mean()), 3),
              "noise": args.noise or "none", "level": args.level if args.noise else 0.0, "repeats": reps}
    if args.noise:
        result["mse_noisy_input"] = round(float(((inputs - clean) ** 2).mean()), 6)
    if exp.data.val_split and not args.dataset:
        # The same seeded split as training: which samples the model never saw.
        numbered = Dataset(data.name, data.x, [str(i) for i in range(len(data))], tuple(data.shape))
        is_val = np.zeros(len(data), bool)
        is_val[[int(i) for i in split(numbered, exp.data.val_split, exp.data.split_seed)[1].labels]] = True
        if 0 < is_val.sum() < len(data):
            result.update(train_mse=round(float(mse[~is_val].mean()), 6), val_mse=round(float(mse[is_val].mean()), 6),
                          val_samples=int(is_val.sum()))
    worst = np.argsort(-mse)[:10]
    print("worst reconstructions (mean squared error per pixel)")
    for i in worst:
        print(f"{data.labels[i]:>24}  {mse[i]:.5f}")
    result["worst"] = [{"sample": int(i), "label": data.labels[i], "mse": round(float(mse[i]), 6)} for i in worst]
    print(json.dumps(result))
    return 0


def cmd_decode(args) -> int:
    from aegui.core import latent
    from aegui.core.glyphs import array_to_text

    model, exp, meta = _load(args.model)
    shape = _sample_shape(meta, exp)
    if args.grid is not None and args.samples is not None:
        raise UserError("give --grid N or --samples N, not both")
    if args.grid is not None:
        return _decode_grid(args, model, exp, shape)
    if args.samples is not None:
        return _decode_samples(args, model, exp, shape)
    if args.z is None:
        raise UserError("give --z X,Y (a latent point), --grid N --out FILE.png or --samples N --out FILE.png")
    if len(args.z) != model.latent_dim:
        raise UserError(f"--z has {len(args.z)} values; this model's latent space has {model.latent_dim} "
                        f"dimensions")
    glyph = shape == (7, 5)
    if not glyph and not args.out:
        raise UserError(f"this model decodes {'x'.join(map(str, shape))} images, which do not print as text; "
                        "add --out FILE.png")
    img = latent.decode_points(model, [args.z])[0].reshape(shape)
    if glyph:
        print(array_to_text(img))
    if args.out:
        if glyph:
            from aegui.core.images import save_png
            save_png(img, args.out, scale=20)
        else:
            from aegui.core.figures import save_image
            save_image(img, args.out)
        print(f"wrote {args.out}", file=sys.stderr)
    if not glyph:
        print(json.dumps({"z": args.z, "shape": list(shape), "out": args.out}))
    return 0


def _sample_shape(meta, exp) -> tuple[int, ...]:
    """(H, W) or (H, W, C) of the model's samples: saved beside it since the image sources; older
    models are 5x7 glyphs."""
    if meta.get("shape"):
        return tuple(int(v) for v in meta["shape"])
    if exp.model.arch == "conv":
        return tuple(exp.model.input_shape)
    return (7, 5)


def _save_mosaic(images, shape, n_rows, n_cols, path) -> None:
    """Decoded samples [rows*cols, D] as one PNG, tiles one light-grey pixel apart, small
    samples enlarged with crisp pixels (5x7 glyphs and 8x8 digits by 8)."""
    from PIL import Image

    from aegui.core.display import is_gray, mosaic, to_uint8
    from aegui.core.figures import auto_scale
    gray = is_gray(shape)
    px = to_uint8(images.reshape(n_rows * n_cols, *shape), gray=gray)
    pil = Image.fromarray(mosaic(px.reshape(n_rows, n_cols, *px.shape[1:]), 1), "L" if gray else "RGB")
    scale = 8 if max(shape[:2]) <= 8 else auto_scale(shape)
    pil.resize((pil.width * scale, pil.height * scale), Image.NEAREST).save(path, format="PNG")


def _decode_grid(args, model, exp, shape) -> int:
    import numpy as np

    from aegui.core import latent
    from aegui.core.datasets import from_config
    if not args.out:
        raise UserError("--grid needs --out FILE.png")
    if not 2 <= args.grid <= 64:
        raise UserError("--grid must be between 2 and 64")
    n, dim = args.grid, model.latent_dim
    dims = tuple(args.dims) if dim > 1 else (0, 0)
    if dim > 1 and (max(dims) >= dim or dims[0] == dims[1]):
        raise UserError(f"--dims {dims[0]},{dims[1]}: give two different latent dimensions from 0 to {dim - 1}")
    data = from_config(exp.data)
    codes = latent.encode(model, data.x)
    lo, hi = codes.min(0), codes.max(0)
    base = codes.mean(0)
    if args.around is not None:
        if args.around not in data.labels:
            near = [label for label in data.labels if args.around.lower() in label.lower()][:5]
            hint = f"; did you mean {', '.join(near)}?" if near else "; labels are as `aegui eval` lists them"
            raise UserError(f"--around {args.around!r}: no sample of {data.name} has that label{hint}")
        base = codes[data.labels.index(args.around)]
        lo, hi = base - 2.0, base + 2.0
    if args.range:
        rect = (args.range[0], args.range[1]) * 2 if dim > 1 else (*args.range, 0.0, 0.0)
    else:
        rect = (lo[dims[0]], hi[dims[0]], lo[dims[1]], hi[dims[1]]) if dim > 1 else (lo[0], hi[0], 0.0, 0.0)
    if args.axes:
        from aegui.core.figures import latent_traversal
        decode = lambda z: latent.decode_points(model, z)   # noqa: E731
        xs = np.linspace(rect[0], rect[1], n)
        ys = np.linspace(rect[2], rect[3], n) if dim > 1 else None
        latent_traversal(decode, xs, ys, shape=shape, dims=dims, latent_dim=dim, base=base, path=args.out)
    else:
        tiles = latent.decode_grid(model, rect, n, n, dims, base)
        _save_mosaic(tiles, shape, n, n, args.out)
    print(json.dumps({"grid": n, "dims": list(dims), "rect": [round(float(v), 4) for v in rect],
                      "around": args.around, "axes": bool(args.axes), "out": args.out}))
    return 0


def _decode_samples(args, model, exp, shape) -> int:
    import numpy as np

    from aegui.core import latent
    from aegui.core.config import KIND_LABELS
    if not model.is_vae:
        raise UserError(f"--samples draws codes from a VAE's prior N(0, I), and this model is a "
                        f"{KIND_LABELS.get(exp.model.kind, exp.model.kind)} autoencoder without one; "
                        "use --grid N to see its latent space")
    if not args.out:
        raise UserError("--samples needs --out FILE.png")
    if not 1 <= args.samples <= 64:
        raise UserError("--samples must be between 1 and 64")
    n = args.samples
    z = np.random.default_rng(args.seed).standard_normal((n * n, model.latent_dim)).astype(np.float32)
    _save_mosaic(latent.decode_points(model, z), shape, n, n, args.out)
    print(json.dumps({"samples": n * n, "seed": args.seed, "out": args.out}))
    return 0


# ---------------------------------------------------------------- entry point

def _glue_negative_points(argv):
    """`--z -1,0.5` as `--z=-1,0.5`: argparse takes a value that starts with '-' and is not a
    plain number for an option and fails."""
    out = []
    for arg in argv:
        if out and out[-1] in ("--z", "--range") and arg[:1] == "-" and arg[1:2].isdigit() or \
                out and out[-1] in ("--z", "--range") and arg[:2] == "-.":
            out[-1] = f"{out[-1]}={arg}"
        else:
            out.append(arg)
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("--") and argv[0] not in ("--help", "-h", "--version"):
        from aegui.qt.app import run
        return run(argv)
    args = build_parser().parse_args(_glue_negative_points(argv))
    from aegui.core.config import ConfigError
    from aegui.core.glyphs import FontParseError
    from aegui.core.storage import ModelFileError
    handlers = {"train": cmd_train, "eval": cmd_eval, "decode": cmd_decode, "sweep": cmd_sweep}
    from aegui.cli_analysis import HANDLERS
    handlers.update(HANDLERS)
    try:
        return handlers[args.command](args)
    except (UserError, ConfigError, FontParseError, ModelFileError) as e:
        print(f"aegui: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as e:
        print(f"aegui: error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return EXIT_BAD_INPUT
