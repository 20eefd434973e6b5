"""Held-out figures of the general 5x7 denoiser (resources/presets/general-5x7-dae.json), written
as the markdown of docs/general-denoiser.md.

Leave one font out: for each of Font1, Font2, Font3 the preset is trained on the other two fonts
(its augmentation and mixed noise as written, `--seeds` models trained together, seeds 0..S-1),
then every glyph of the left-out font gets `--repeats` salt-and-pepper copies at each level
(0/10/20/50 %) per seed; wrong pixels per glyph after denoising vs in the noisy input, mean
(and std, ddof=0) over the seeds. This is aegui.core.analyses.denoise_curve with leave_out, as
`aegui denoise-curve PRESET --leave-out FontN` runs it. Then the shipped model (models/
general-5x7-dae) on its own 96 training glyphs at the same levels.

Usage: python bench/general_denoiser.py [--seeds 5] [--repeats 20] [--out docs/general-denoiser.md]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from aegui.core.analyses.denoise_curve import CurveSpec, DenoiseCurveJob, wrong_pixels  # noqa: E402
from aegui.core.config.load import load_experiment  # noqa: E402
from aegui.core.data.datasets import from_config  # noqa: E402
from aegui.core.files.storage import load_model  # noqa: E402

PRESET = ROOT / "resources" / "presets" / "general-5x7-dae.json"
MODEL = ROOT / "models" / "general-5x7-dae"
FONTS = ("Font1", "Font2", "Font3")
LEVELS = (0.0, 0.1, 0.2, 0.5)


def held_out(font: str, seeds: int, repeats: int, epochs: int | None):
    import torch
    torch.set_num_threads(1)            # the folds run side by side, one process each
    base, _ = load_experiment(PRESET)
    spec = CurveSpec(name=f"leave {font} out", base=base, seeds=seeds, epochs=epochs, kinds=("salt_pepper",),
                     levels=LEVELS, repeats=repeats, char_kind="salt_pepper", char_level=0.1,
                     leave_out=font).validate()
    result = DenoiseCurveJob(spec, device="cpu").run()
    return result.curve("salt_pepper"), result.seconds


def own_glyphs(repeats: int, seeds: int):
    """The shipped model on its training glyphs: [levels] mean wrong after / before (noise seeds 0..S-1)."""
    model, exp, _ = load_model(MODEL)
    data = from_config(exp.data)
    rows = []
    for j, level in enumerate(LEVELS):
        after, before = wrong_pixels([model] * seeds, data.x, "salt_pepper", level, repeats,
                                     [(1, j, k) for k in range(seeds)])
        rows.append((after.mean(), before.mean(), after.mean(1).std()))
    return rows, len(data)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--epochs", type=int, help="override the preset's epochs (quick looks only)")
    ap.add_argument("--jobs", type=int, default=3, help="folds trained at once, one process each (default 3)")
    ap.add_argument("--out", default=str(ROOT / "docs" / "general-denoiser.md"))
    a = ap.parse_args()
    t0 = time.perf_counter()
    exp, _ = load_experiment(PRESET)
    lines = ["| left-out font | noise | noisy input | denoised (mean ± std over seeds) | denoised / input |",
             "| --- | --- | --- | --- | --- |"]
    verdicts = []
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(max(1, a.jobs)) as pool:
        folds = list(pool.map(held_out, FONTS, [a.seeds] * 3, [a.repeats] * 3, [a.epochs] * 3))
    for font, (c, seconds) in zip(FONTS, folds):
        print(f"{font}: trained and measured in {seconds:.0f} s", file=sys.stderr)
        for j, level in enumerate(LEVELS):
            after, before, std = c["mean"][j], c["baseline_mean"][j], c["std"][j]
            ratio = f"{after / before:.2f}" if before > 0 else "-"
            lines.append(f"| {font} | {level * 100:g} % | {before:.2f} | {after:.2f} ± {std:.2f} | {ratio} |")
            if level in (0.1, 0.2):
                verdicts.append((font, level, after, before))
    own, n_glyphs = own_glyphs(a.repeats, a.seeds)
    own_lines = ["| noise | noisy input | denoised | denoised / input |", "| --- | --- | --- | --- |"]
    for level, (after, before, std) in zip(LEVELS, own):
        ratio = f"{after / before:.2f}" if before > 0 else "-"
        own_lines.append(f"| {level * 100:g} % | {before:.2f} | {after:.2f} ± {std:.2f} | {ratio} |")
    better = all(after < before for _, _, after, before in verdicts)
    half = all(after <= before / 2 for _, level, after, before in verdicts if level == 0.1)
    own10 = own[LEVELS.index(0.1)][0]
    text = "\n".join([
        "# The general 5x7 denoiser: held-out figures",
        "",
        "Written by `python bench/general_denoiser.py` "
        f"(--seeds {a.seeds} --repeats {a.repeats}{f' --epochs {a.epochs}' if a.epochs else ''}); "
        f"{time.perf_counter() - t0:.0f} s on this machine's CPU.",
        "",
        f"Preset: `resources/presets/general-5x7-dae.json` ({exp.name}): layers "
        f"{list(exp.model.full_layers)}, {exp.train.epochs} epochs, augmentation {_augment_text(exp)}.",
        "",
        "## Leave one font out",
        "",
        f"Trained on the other two fonts ({a.seeds} seeds), measured on every glyph of the left-out font: "
        f"wrong pixels per glyph, salt-and-pepper noise, {a.repeats} noisy copies per glyph and seed; "
        "mean over the seeds (std over the seeds, ddof=0).",
        "",
        *lines,
        "",
        f"- Denoised has fewer wrong pixels than the noisy input at 10 % and 20 % in every case: "
        f"**{'yes' if better else 'no'}**.",
        f"- At most half as many at 10 %: **{'yes' if half else 'no'}**.",
        "",
        "## The shipped model on its own training glyphs",
        "",
        f"`models/general-5x7-dae`, all {n_glyphs} glyphs, {a.repeats} copies per glyph and each of "
        f"{a.seeds} noise seeds:",
        "",
        *own_lines,
        "",
        f"- At 10 %: {own10:.2f} wrong pixels per glyph (target: at most 0.3): "
        f"**{'met' if own10 <= 0.3 else 'not met'}**.",
        "",
    ])
    Path(a.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


def _augment_text(exp) -> str:
    g = exp.augment
    kinds = ", ".join(g.noise_kinds) or exp.noise.kind
    levels = f"{g.noise_levels[0] * 100:g}-{g.noise_levels[1] * 100:g} %" if g.noise_levels \
        else f"{exp.noise.level * 100:g} %"
    return (f"shift {g.shift}, thicken {g.thicken}, thin {g.thin}, distort {g.distort}, splice {g.splice}, "
            f"strokes {g.strokes}, {g.copies} copies per epoch; noise {kinds} at {levels}")


if __name__ == "__main__":
    sys.exit(main())
