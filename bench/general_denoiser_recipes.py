"""One held-out fold of a general-denoiser recipe: how docs/general-denoiser-recipes.md was filled.

Trains a DAE on two fonts with the recipe's augmentation (K seeds together), then measures the
left-out font (salt-and-pepper 0/10/20 %, `repeats` copies per glyph and seed, wrong pixels per
glyph after denoising and in the noisy input) and the training glyphs at 10 %. Prints one JSON line.

Usage: python bench/general_denoiser_recipes.py '{"layers": [35, 256, 256, 35], "splice": 0.4,
       "strokes": 0.4, "copies": 4, "epochs": 3000, "levels": [0, 0.2], "kinds": ["salt_pepper"]}'
       [--fold Font3] [--seeds 2] [--repeats 10]
Recipe keys (defaults in brackets): layers [35,128,64,128,35], epochs [2000], lr [0.005],
bs [0 = full batch], kinds [salt_pepper, bit_flip], levels [0, 0.3], shift [0.5], thicken [0.15],
thin [0.15], distort [0.3], splice [0], strokes [0], keep [0], copies [1].
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from aegui.core.analyses.denoise.curve import wrong_pixels  # noqa: E402
from aegui.core.schema.experiment import (AugmentConfig, DataConfig, Experiment, ModelSpec,  # noqa: E402
                                          NoiseConfig, TrainConfig)
from aegui.core.data.datasets import font_dataset  # noqa: E402
from aegui.core.train.session import TrainingSession  # noqa: E402

FONTS = ("Font1", "Font2", "Font3")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("recipe", help="JSON object, see the module docstring")
    ap.add_argument("--fold", default="Font3", choices=FONTS, help="the left-out font")
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=10)
    a = ap.parse_args()
    r = json.loads(a.recipe)
    t0 = time.perf_counter()
    fonts = tuple(f for f in FONTS if f != a.fold)
    epochs = r.get("epochs", 2000)
    exp = Experiment(
        data=DataConfig(fonts=fonts),
        model=ModelSpec(kind="dae", layers=tuple(r.get("layers", (35, 128, 64, 128, 35)))),
        train=TrainConfig(epochs=epochs, learning_rate=r.get("lr", 0.005), seeds=a.seeds, check_every=epochs,
                          batch_size=r.get("bs", 0), device="cpu"),
        noise=NoiseConfig(level=0.2),
        augment=AugmentConfig(enabled=True, noise_kinds=tuple(r.get("kinds", ("salt_pepper", "bit_flip"))),
                              noise_levels=tuple(float(v) for v in r.get("levels", (0.0, 0.3))),
                              shift=r.get("shift", 0.5), thicken=r.get("thicken", 0.15), thin=r.get("thin", 0.15),
                              distort=r.get("distort", 0.3), splice=r.get("splice", 0.0),
                              strokes=r.get("strokes", 0.0), keep=r.get("keep", 0.0), copies=r.get("copies", 1)))
    session = TrainingSession(exp, font_dataset(fonts))
    for _ in session.steps():
        pass
    models = [session.model.select(k) for k in range(session.k)]
    test = font_dataset((a.fold,))
    out = {"recipe": r, "fold": a.fold}
    for level in (0.0, 0.1, 0.2):
        after, before = wrong_pixels(models, test.x, "salt_pepper", level, a.repeats, list(range(session.k)))
        out[f"held_out_{level * 100:g}"] = [round(float(after.mean()), 2), round(float(before.mean()), 2)]
    after, _ = wrong_pixels(models, font_dataset(fonts).x, "salt_pepper", 0.1, a.repeats, list(range(session.k)))
    out["training_glyphs_10"] = round(float(after.mean()), 2)
    out["seconds"] = round(time.perf_counter() - t0)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
