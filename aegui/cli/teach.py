"""`aegui teach MODEL FILE.h --out DIR`: fine-tune a 5x7 model on the glyphs of a font.h, mixed
with its own training glyphs (aegui.core.analyses.teach), and save it as any model."""
from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from aegui.cli.common import Interrupts, UserError, load_model_dir, out_folder, parse_seed
from aegui.core.schema.experiment import DEVICES
from aegui.core.runs.outfolder import claimed


def add_parsers(sub) -> None:
    """Adds `teach`: fine-tune a 5x7 model on new glyphs while keeping the ones it knows."""
    t = sub.add_parser("teach", help="teach a 5x7 model (e.g. models/general-5x7-dae) the glyphs of a "
                       "font.h, keeping the ones it knows")
    t.add_argument("model", help="model folder (or its .json / .safetensors)")
    t.add_argument("glyphs", metavar="FILE.h", help="a font.h of the new glyphs (C arrays like the course's)")
    t.add_argument("--font", help="comma-separated arrays of FILE.h to teach (default: all of them)")
    t.add_argument("--out", help="output folder (default: runs/<model>-taught)")
    t.add_argument("--epochs", type=int, help="fine-tuning epochs (default 500)")
    t.add_argument("--seed", type=parse_seed, help="seed of the noise and augmentation (default 0)")
    t.add_argument("--device", choices=DEVICES, help="override the model's device")
    t.add_argument("--repeats", type=int, default=20,
                   help="noisy copies per glyph for the before / after figures (default 20)")
    t.add_argument("--quiet", action="store_true", help="no progress line")
    t.add_argument("--force", action="store_true",
                   help="replace another model in --out (its files are removed); without it aegui refuses")


class _Line:
    """The progress line on a terminal (nothing elsewhere): each record's `describe`, at most ten
    times a second; the first of each phase and a forced one whatever came before."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.shown = 0.0
        self.phase = None

    def __call__(self, rec, force: bool = False) -> None:
        from aegui.core.analyses.teach import describe
        if self.enabled and (force or rec.phase != self.phase or time.monotonic() - self.shown >= 0.1):
            self.shown, self.phase = time.monotonic(), rec.phase
            sys.stderr.write(f"\r\033[K{describe(rec)}")
            sys.stderr.flush()

    def end(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


def cmd_teach(args) -> int:
    """`aegui teach`: fine-tunes a model on a font.h's glyphs, saves the taught model with its glyphs' font.h
    and prints a JSON summary of the wrong pixels before and after. Returns the exit status."""
    from aegui.core.analyses import teach as T
    from aegui.core.data.datasets import from_config
    from aegui.core.train.memory import check_measure

    model_dir = Path(args.model)
    out = out_folder(args.out) if args.out else Path("runs") / f"{model_dir.resolve().name}-taught"
    if out.resolve() == (model_dir if model_dir.is_dir() else model_dir.parent).resolve():
        raise UserError(f"--out {out}: is the folder of the model being taught; teaching would overwrite it. "
                        "Choose another folder")
    if args.repeats < 1:
        raise UserError("--repeats must be at least 1")
    if args.epochs is not None and args.epochs < 1:
        raise UserError("--epochs must be at least 1")
    model, exp, _ = load_model_dir(model_dir)
    names = [n.strip() for n in args.font.split(",") if n.strip()] if args.font else None
    if args.font is not None and not names:
        raise UserError("--font: name at least one array of the font file, e.g. --font LCD")
    line = _Line(not args.quiet)
    try:
        fonts = T.fonts_from_file(args.glyphs, names, line)
        line.end()
        settings = T.replace_settings(T.TeachSettings(), epochs=args.epochs, seed=args.seed, device=args.device)
        T.check_teachable(exp, model)
        known = from_config(exp.data)
        # The before / after figures come after teaching: their size is refused before it.
        check_measure(exp, len(known) + sum(len(f.glyphs) for f in fonts), args.repeats)
        session = T.TeachSession(model, exp, fonts, settings, source=str(Path(args.glyphs).resolve()),
                                 base_path=str(model_dir.resolve()), known=known)
    except T.TeachError as e:
        raise UserError(str(e)) from None
    try:
        saved = T.taught_experiment(exp, fonts, out / T.glyph_file_name(fonts)).to_dict()
    except ValueError as e:      # glyphs the font.h writer cannot write
        raise UserError(f"{args.glyphs}: {e}") from None
    # One writer per folder, and no other model replaced unasked (aegui.core.runs.outfolder).
    with claimed(out, saved, args.force):
        return _teach_and_save(args, out, model, session, line)


def _teach_and_save(args, out, model, session, line) -> int:
    from aegui.core.analyses import teach as T

    start = time.perf_counter()
    rec = None
    with Interrupts(session.stop, "what was taught so far will be saved") as interrupts:
        try:
            for item in session.steps():
                line(item, force=item.done)
                if item.phase == T.FINE_TUNING:
                    rec = item
        except KeyboardInterrupt:
            session.stop()
        line.end()
        if rec is None:
            raise UserError("teaching was stopped before its first epoch; nothing to save")
        if rec.message:
            print(f"aegui: {rec.message}", file=sys.stderr)
        taught = session.result()
        if interrupts.count and not rec.done:
            # Cut short inside an epoch: the last record says how far it got.
            rec = taught.last = replace(taught.last, state=T.P.STOPPED)
        seconds = time.perf_counter() - start
        scores = _measure(args, model, taught, line)
        interrupts.saving()
        line(replace(taught.last, phase=T.SAVING), force=True)
        meta = T.save_taught(out, taught, scores)
        line.end()
        print(f"saved {meta.parent}/model.safetensors, model.json, metrics.csv and the glyphs' font.h", file=sys.stderr)
        print(json.dumps({"model": str(out), "glyphs": len(taught.new), "labels": taught.new.labels,
                          "epochs": rec.epoch, "state": rec.state, "seconds": round(seconds, 3),
                          "new_wrong": (scores or {}).get("new"), "known_wrong": (scores or {}).get("known")}),
              flush=True)
    return 1 if rec.state == "diverged" else interrupts.exit_code

def _measure(args, model, taught, line) -> dict | None:
    """The before / after figures, None when a Ctrl-C cut them short."""
    from aegui.core.analyses import teach as T
    try:
        if line.enabled:
            line.end()
            print(f"aegui: measuring the model before and after on {args.repeats} noisy copies of every glyph",
                  file=sys.stderr, flush=True)
        steps = T.measuring(model, taught, ("new", "known"), repeats=args.repeats)
        while True:
            try:
                line(next(steps))
            except StopIteration as done:
                return done.value
    except KeyboardInterrupt:
        line.end()
        print("aegui: saving what was taught without the before / after figures", file=sys.stderr)
        return None


HANDLERS = {"teach": cmd_teach}
