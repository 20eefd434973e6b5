"""How far a 5x7 denoiser gets on a font it never saw, against one that saw it: the evidence
behind the general denoiser's target "at most half the noisy input's wrong pixels at 10 %" (docs/general-denoiser-recipes.md).

For each left-out font and each model below, two trainings of the same recipe (`--seeds` models
each): on the other two fonts (held out), and on all three (seen). Both are measured on the
left-out font's glyphs with salt-and-pepper noise at 10 % and 20 %, `--repeats` copies per glyph
and seed, at several flip confidences (the same models; only the denoising rule changes).
Models: the shipped local preset (3 same-size 3x3 convs of 32 channels, receptive field 7x7) and
the shipped MLP preset.

Usage: python bench/denoiser_limits.py [--seeds 2] [--repeats 20] [--jobs 2] [--out FILE.md]
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from aegui.core.config.load import load_experiment  # noqa: E402
from aegui.core.data.datasets import font_dataset  # noqa: E402
from aegui.core.data.noise import apply_noise  # noqa: E402

FONTS = ("Font1", "Font2", "Font3")
LEVELS = (0.1, 0.2)
CONFIDENCES = (0.5, 0.7, 0.9)
PRESETS = ROOT / "resources" / "presets"


def recipes() -> dict:
    local, _ = load_experiment(PRESETS / "general-5x7-local.json")
    mlp, _ = load_experiment(PRESETS / "general-5x7-dae.json")
    return {"local, 3 x 32 (shipped)": local, "MLP 35-256-256-35 (shipped)": mlp}


def fold(font: str, seeds: int, repeats: int, epochs: int | None = None) -> dict:
    """{(recipe, 'held out' | 'seen'): wrong [confidence, level, seed] and input [level, seed]}."""
    import torch
    torch.set_num_threads(1)
    from aegui.core.models import latent
    from aegui.core.train.session import TrainingSession
    test = font_dataset((font,)).x
    copies = np.repeat(test, repeats, axis=0)
    truth = copies >= 0.5
    out = {}
    for name, exp in recipes().items():
        for seen in (False, True):
            fonts = FONTS if seen else tuple(f for f in FONTS if f != font)
            e = replace(exp, data=replace(exp.data, fonts=fonts), train=replace(exp.train, seeds=seeds, device="cpu",
                                                                     epochs=epochs or exp.train.epochs))
            session = TrainingSession(e, font_dataset(fonts))
            for _ in session.steps():
                pass
            models = [session.model.select(k) for k in range(session.k)]
            wrong = np.empty((len(CONFIDENCES), len(LEVELS), seeds))
            base = np.empty((len(LEVELS), seeds))
            for j, level in enumerate(LEVELS):
                for k, model in enumerate(models):
                    noisy = apply_noise(copies, "salt_pepper", level, np.random.default_rng((j, k)))
                    plain = latent.reconstruct(model, noisy)
                    base[j, k] = ((noisy >= 0.5) != truth).sum(1).mean()
                    for c, conf in enumerate(CONFIDENCES):
                        kept = latent.keep_sure(noisy, plain, conf) if conf > 0.5 else plain
                        wrong[c, j, k] = ((kept >= 0.5) != truth).sum(1).mean()
            out[(name, "seen" if seen else "held out")] = (wrong, base)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--epochs", type=int, help="override every recipe's epochs (quick looks only)")
    ap.add_argument("--out", default=str(ROOT / "docs" / "denoiser-limits.md"))
    a = ap.parse_args()
    t0 = time.perf_counter()
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(max(1, a.jobs)) as pool:
        folds = dict(zip(FONTS, pool.map(fold, FONTS, [a.seeds] * 3, [a.repeats] * 3, [a.epochs] * 3)))
    conf_cols = " | ".join(f"flip confidence {c:g}" for c in CONFIDENCES)
    lines = [f"| model | trained on | left-out font | noise | noisy input | {conf_cols} |",
             "| --- | --- | --- | --- | --- |" + " --- |" * len(CONFIDENCES)]
    for name in recipes():
        for trained in ("held out", "seen"):
            for font in FONTS:
                wrong, base = folds[font][(name, trained)]
                for j, level in enumerate(LEVELS):
                    before = base[j].mean()
                    cells = " | ".join(f"{wrong[c, j].mean():.2f} ({wrong[c, j].mean() / before:.2f})"
                                       for c in range(len(CONFIDENCES)))
                    where = "the other two fonts" if trained == "held out" else "all three fonts"
                    lines.append(f"| {name} | {where} | {font} | {level * 100:g} % | {before:.2f} | {cells} |")
    text = "\n".join([
        "# What a 5x7 denoiser can do on a font it never saw",
        "",
        f"Written by `python bench/denoiser_limits.py` (--seeds {a.seeds} --repeats {a.repeats}"
        f"{f' --epochs {a.epochs}' if a.epochs else ''}); "
        f"{time.perf_counter() - t0:.0f} s on this machine's CPU.",
        "",
        "Wrong pixels per glyph of the left-out font after denoising, salt-and-pepper noise, mean over "
        f"{a.seeds} seeds x {a.repeats} noisy copies per glyph; in brackets the ratio to the noisy input "
        "(the target is at most 0.5 at 10 % on a font the model never saw). \"all three fonts\" rows "
        "are the same recipe trained with the left-out font included: what the model family reaches on "
        "glyphs it has seen.",
        "",
        *lines,
        "",
    ])
    Path(a.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
