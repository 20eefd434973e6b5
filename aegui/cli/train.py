"""`aegui train` and `aegui eval`: train a config into a model folder; wrong pixels (fonts) or
reconstruction error (images) of a saved model."""
from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from aegui.cli.common import Interrupts, UserError, duration, load_model_dir, out_folder, parse_level, parse_seed
from aegui.core.schema.experiment import DEVICES, PRECISIONS, shown

# A run the first records say will take longer than this gets a note of how long, terminal or not.
LONG_RUN_S = 60.0


def _seeds(text: str):
    if text == "auto":
        return text
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"--seeds takes a whole number or 'auto', got {shown(text)}") from None


def add_parsers(sub) -> None:
    """Adds `train` and `eval`."""
    t = sub.add_parser("train", help="train a model from a JSON config (aegui's or a student's)")
    t.add_argument("config", help="config JSON, e.g. resources/presets/font3-ae2d.json")
    t.add_argument("--dataset", help="data to train on instead of the config's data.path: a font.h, "
                   "a folder of pictures, or for idx: an IDX images file (.gz or not), a folder of them, "
                   "torchvision's MNIST/raw folder or Keras' mnist.npz")
    t.add_argument("--font", help="fonts: comma-separated arrays of the font file to train on (default: the "
                   "config's data.fonts, or all arrays of --dataset when those are not in it)")
    t.add_argument("--out", help="output folder (default: runs/<config name>)")
    t.add_argument("--seeds", type=_seeds, help="models trained together; the best is kept. 'auto': as "
                   "many as fit in half the GPU's free memory (on a CPU, the config's)")
    t.add_argument("--epochs", type=int, help="override the number of epochs")
    t.add_argument("--seed", type=parse_seed, help="override the base seed")
    t.add_argument("--device", choices=DEVICES, help="override the device")
    t.add_argument("--precision", choices=PRECISIONS, help="bf16: train the CUDA step under bf16 autocast")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.add_argument("--force", action="store_true",
                   help="replace another model in --out (its files are removed); without it aegui refuses")
    t.add_argument("--replay", action="store_true",
                   help="also save snapshots of the codes as they move (see `aegui replay`)")
    t.add_argument("--lenient", action="store_true", help="a student's config: train even when a key that "
                   "may change training is not understood or not possible (see `aegui import`)")

    e = sub.add_parser("eval", help="wrong pixels per glyph (fonts) or reconstruction error (images) "
                       "of a saved model, clean or denoising")
    e.add_argument("model", help="model folder (or its .json / .safetensors)")
    e.add_argument("--dataset", help="data to evaluate on instead of the model's own: a font.h, a folder "
                   "of pictures or an IDX images file, as the model's data.source reads")
    e.add_argument("--font", help="fonts: comma-separated arrays of the font file to evaluate on (default: "
                   "the model's, or all arrays of --dataset when the model's are not in it)")
    e.add_argument("--noise", choices=("salt_pepper", "bit_flip", "gaussian"), help="corrupt inputs first")
    e.add_argument("--level", type=parse_level, default=0.1, help="noise level: 0.1 or 10%% (default 0.1)")
    e.add_argument("--repeats", type=int, default=10, help="noisy copies per glyph (default 10)")
    e.add_argument("--seed", type=int, default=0, help="seed of the noise (default 0)")


def _epochs_done(rec) -> float:
    """Epochs done, an epoch in progress (rec.batch of rec.batches) counted in part."""
    return rec.epoch - 1 + rec.batch / rec.batches if rec.batch and rec.batches else rec.epoch


def _time_left(rec) -> float | None:
    if rec.done or rec.epochs_per_s <= 0:
        return None
    return max(0.0, rec.total_epochs - _epochs_done(rec)) / rec.epochs_per_s


class _Bar:
    """A one-line progress bar on a terminal; silent when stderr is not a terminal. Glyphs show
    wrong pixels; images (where a pixel is rarely exactly right) the losses only. The time left
    shows from the first record, an epoch in progress's too; a run that will take long says so
    once, on a line of its own, terminal or not."""

    def __init__(self, enabled: bool, images: bool = False):
        self.enabled = enabled and sys.stderr.isatty()
        self.images = images
        self.last = 0.0
        self.estimated = False

    def _estimate(self, rec) -> None:
        left = _time_left(rec)
        if self.estimated or left is None:
            return
        self.estimated = True
        if left >= LONG_RUN_S:
            per_epoch = 1 / rec.epochs_per_s
            sys.stderr.write(("\r\033[K" if self.enabled else "") +
                             f"aegui: note: about {duration(per_epoch)} an epoch, so {rec.total_epochs} epochs take "
                             f"about {duration(left + rec.elapsed)}; Ctrl-C stops and saves the best model so far\n")
            sys.stderr.flush()
            self.last = 0.0

    def update(self, rec, force=False):
        self._estimate(rec)
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.1 and not force):
            return
        self.last = now
        frac = _epochs_done(rec) / rec.total_epochs
        bar = "#" * int(frac * 30)
        text = f"\r\033[K[{bar:<30}] epoch {rec.epoch}/{rec.total_epochs}"
        if rec.batch:
            text += f" (batch {rec.batch}/{rec.batches})"
        text += f"  loss {rec.losses['total']:.4g}"
        if "kl" in rec.losses:
            text += f" (recon {rec.losses['recon']:.4g} + kl {rec.losses['kl']:.3g})"
        if rec.val_loss is not None:
            text += f"  val {rec.val_loss:.4g}"
        if not self.images:
            text += f"  max wrong {rec.max_wrong}  mean {rec.mean_wrong:.3f}"
        rate = rec.epochs_per_s
        text += f"  {rate:.0f} ep/s" if rate >= 10 else f"  {rate:.2g} ep/s"
        left = _time_left(rec)
        sys.stderr.write(text + (f"  ETA {duration(left)} " if left is not None else " "))
        sys.stderr.flush()

    def close(self):
        if self.enabled:
            sys.stderr.write("\n")


def _dataset_override(exp, path) -> dict:
    """data.path from --dataset: a font.h, a picture folder or an IDX file, by data.source."""
    if not path:
        return {}
    from aegui.core.data.sources import source_of
    source = source_of(exp.data)
    if source.path_field is None:
        raise UserError(f"--dataset: data.source is {shown(source.name)}, which is built in and reads "
                        "no file; to use your own pictures set data.source to 'folder' or 'idx' in the config")
    return source.given_path(str(Path(path).expanduser().resolve()))


def _glyphs(exp) -> bool:
    """The experiment reads 5x7 glyphs of font files: --font applies, wrong pixels are counted."""
    from aegui.core.data.sources import reads_glyphs
    return reads_glyphs(exp.data)


def _font_choice(fonts, font_arg, path, what: str) -> tuple[tuple[str, ...], str | None]:
    """The arrays to read: --font, else `fonts` when the file has them all, else all of the
    file's arrays; and a note to print when the last happened."""
    from aegui.core.data.datasets import load_fonts
    if font_arg is not None:
        chosen = tuple(f.strip() for f in font_arg.split(",") if f.strip())
        if not chosen:
            raise UserError("--font: name at least one array of the font file, e.g. --font Font3")
        return chosen, None
    if not path or [f.lower() for f in fonts] == ["all"]:
        return tuple(fonts), None
    names = [f.name for f in load_fonts(Path(path).expanduser())]
    have = {n.lower() for n in names}
    missing = [f for f in fonts if f.lower() not in have]
    if not missing:
        return tuple(fonts), None
    return ("all",), (f"{', '.join(repr(m) for m in missing)} is not in {Path(path).name}; {what} all of its "
                      f"arrays ({', '.join(names)}); pick some with --font")


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


def _replay_recorder(dataset):
    """Codes of up to REPLAY_SAMPLES training samples, spread over the set, as the app shows them."""
    from aegui.core.data.dataset import spread_indices
    from aegui.core.train.snapshots import REPLAY_SAMPLES, ReplayRecorder
    index = spread_indices(len(dataset), REPLAY_SAMPLES)
    return ReplayRecorder(dataset.x[index], labels=[dataset.labels[i] for i in index])


def cmd_train(args) -> int:
    """`aegui train`: reads a config (aegui's or a student's), applies the command line's overrides, trains and
    saves the best model in --out. Returns the exit status (1 when training diverged, 130 after Ctrl-C)."""
    from aegui.core.config.load import read_config
    from aegui.core.config.validation import with_changes
    from aegui.core.runs.outfolder import claimed

    out = out_folder(args.out) if args.out else Path("runs") / Path(args.config).stem
    imported = read_config(args.config)
    # A student's config: how each key was read, one line a key (`aegui import` shows the table).
    for note in imported.notes():
        print(f"aegui: note: {note}", file=sys.stderr)
    if imported.blocking and not args.lenient:
        raise imported.refusal()
    exp = imported.experiment
    seeds = None if args.seeds == "auto" else args.seeds
    train = {k: v for k, v in (("seeds", seeds), ("epochs", args.epochs), ("seed", args.seed),
                               ("device", args.device), ("precision", args.precision)) if v is not None}
    data = _dataset_override(exp, args.dataset)
    if _glyphs(exp) and (args.dataset or args.font):
        fonts, note = _font_choice(exp.data.fonts, args.font, args.dataset, "training on")
        data["fonts"] = fonts
        if note:
            print(f"aegui: note: {note}", file=sys.stderr)
        if fonts != tuple(exp.data.fonts):
            data["chars"] = ""      # the config's characters may not exist in other arrays
    elif args.font:
        raise UserError(f"--font: data.source is {shown(exp.data.source)}; --font picks arrays of a font file")
    exp = with_changes(exp, train=train, data=data)
    # One writer per folder, and no other model replaced unasked (aegui.core.runs.outfolder).
    with claimed(out, exp.to_dict(), args.force):
        return _train_and_save(args, exp, out)


def _train_and_save(args, exp, out: Path) -> int:
    from aegui.core.data.datasets import load_split
    from aegui.core.schema.experiment import ConfigError
    from aegui.core.runs.trained import TrainedModel, run_metrics
    from aegui.core.train import progress as P
    from aegui.core.train.loop.live import ReplayRecording
    from aegui.core.train.session import HEARTBEAT_S, TrainingSession

    try:
        dataset, val = load_split(exp.data, _loading(args.quiet))
    except ConfigError as e:
        if e.source or args.font or args.dataset:
            raise
        # the data the config names (data.fonts, data.chars) and not the command line: the file they came from
        raise ConfigError(e.field, e.problem, args.config) from None
    for warning in dataset.warnings:
        print(f"aegui: note: {warning}", file=sys.stderr)
    if args.seeds == "auto":
        exp = _auto_seeds(exp, len(dataset))
    session = TrainingSession(exp, dataset, val_data=val)
    session.heartbeat_s = HEARTBEAT_S       # long epochs show how far they got, and the time left
    bar = _Bar(not args.quiet, images=not _glyphs(exp))
    rec = None
    recorder = _replay_recorder(dataset) if args.replay else None
    if recorder is not None:
        session.observe(ReplayRecording(recorder))
    with Interrupts(session.stop, "the best model so far will be saved") as interrupts:
        try:
            for rec in session.steps():
                bar.update(rec, force=rec.done)
        except KeyboardInterrupt:
            session.stop()
        finally:
            # Saving from the moment the loop ends: a second Ctrl-C that came while the bar closed
            # escaped the loop's handler and ended the command without saving the model.
            interrupts.saving()
            bar.close()
        if rec is None:
            raise UserError("training was stopped before its first epoch; nothing to save")
        if interrupts.count and not rec.done:
            # Cut short inside an epoch: the record before says how far it got.
            rec = replace(rec, state=P.STOPPED)
        if rec.message:
            print(f"aegui: {rec.message}", file=sys.stderr)
        # What the window saves too: the same metrics, the same files (aegui.core.runs.trained).
        metrics = run_metrics(session, rec, dataset, val)
        replay = recorder.store if recorder is not None and len(recorder.store) else None
        TrainedModel(exp.name, session.best_model(), exp, dataset, metrics=metrics, history=session.history,
                     replay=replay).save(out)
        print(f"saved {out}/model.safetensors, model.json and metrics.csv", file=sys.stderr)
        print(json.dumps({**metrics, "model": str(out)}), flush=True)
    return 1 if rec.state == "diverged" else interrupts.exit_code


def _auto_seeds(exp, samples: int):
    """--seeds auto: K from the GPU's free memory (train/memory.free_models); a CPU keeps the config's."""
    from aegui.core.schema.kinds import kind_of
    from aegui.core.config.validation import with_changes
    from aegui.core.train.memory import free_models

    from aegui.core.train.devices import resolve_device

    t, n = exp.train, exp.noise
    copies = n.copies if kind_of(exp).corrupts_inputs and n.mode == "fixed" else 1

    rows = min(t.batch_size, samples * copies) if t.batch_size > 0 else samples * copies
    k = free_models(exp.model, rows, resolve_device(t.device))
    if k is None:
        return exp
    print(f"aegui: note: --seeds auto: {k} models fit in half the GPU's free memory", file=sys.stderr)
    return with_changes(exp, train={"seeds": k})


def cmd_eval(args) -> int:
    """`aegui eval`: a saved model's wrong pixels (or MSE and PSNR for pictures) on its data or another, with
    optional noise; prints a table and a JSON line. Returns the exit status."""
    import numpy as np

    from dataclasses import replace

    from aegui.core.models import latent
    from aegui.core.data.datasets import from_config, font_dataset
    from aegui.core.data.noise import apply_noise

    model, exp, meta = load_model_dir(args.model)
    if _glyphs(exp) and (args.dataset or args.font):
        fonts, note = _font_choice(exp.data.fonts, args.font, args.dataset, "evaluating on")
        if note:
            print(f"aegui: note: {note}", file=sys.stderr)
        chars = exp.data.chars if fonts == tuple(exp.data.fonts) else ""
        data = font_dataset(fonts, chars, args.dataset or exp.data.path or None)
    elif args.font:
        raise UserError(f"--font: the model reads {shown(exp.data.source)} data; --font picks arrays of a font file")
    else:
        data = from_config(replace(exp.data, **_dataset_override(exp, args.dataset)))
    if data.dim != model.input_dim:
        raise UserError(f"{args.dataset or data.name}: samples have {data.dim} values; the model expects "
                        f"{model.input_dim}")
    if args.repeats < 1:
        raise UserError("--repeats must be at least 1")
    if args.noise:
        from aegui.core.train.memory import check_measure
        check_measure(exp, len(data), args.repeats)
    if not _glyphs(exp):
        return _eval_images(args, model, exp, data)
    clean = data.x
    if args.noise:
        rng = np.random.default_rng(args.seed)
        inputs = apply_noise(np.repeat(clean, args.repeats, axis=0), args.noise, args.level, rng)
        targets = np.repeat(clean, args.repeats, axis=0)
    else:
        inputs, targets = clean, clean
    out = latent.denoise(model, inputs)
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
              "glyphs": len(data), "dataset": data.name, "noise": args.noise or "none",
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

    from aegui.core.models import latent
    from aegui.core.data.dataset import Dataset
    from aegui.core.data.datasets import split
    from aegui.core.data.noise import apply_noise

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


HANDLERS = {"train": cmd_train, "eval": cmd_eval}
