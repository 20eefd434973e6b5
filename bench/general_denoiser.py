"""Held-out figures of the general 5x7 denoisers, written as the markdown of docs/general-denoiser.md.

Two shipped models and what the pixel editor does with them:
- general-5x7-dae (resources/presets/general-5x7-dae.json): an MLP that knows the course's 96 glyphs;
- general-5x7-local (resources/presets/general-5x7-local.json): same-size 3x3 convolutions that
  follow strokes, changing only the pixels they are at least model.flip_confidence sure of;
- the editor: the MLP's output, or the local model's when the MLP does not give the clean drawing
  back as it is (aegui.core.models.familiarity.denoise_with_fallback; the editor knows the
  drawing before the noise, so it decides on that).

Leave one font out: for each of Font1, Font2, Font3 both presets are trained on the other two fonts
(`--seeds` models each, seeds 0..S-1, as `aegui denoise-curve PRESET --leave-out FontN` trains them),
then every glyph of the left-out font gets `--repeats` salt-and-pepper copies at each level
(0/10/20/50 %) per seed, the same copies for the three; wrong pixels per glyph after denoising vs
in the noisy input, mean (and std, ddof=0) over the seeds. Then the shipped models on their own
96 training glyphs at the same levels.

Usage: python bench/general_denoiser.py [--seeds 5] [--repeats 20] [--out docs/general-denoiser.md]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from aegui.core.analyses.denoise.curve import CurveSpec, DenoiseCurveJob  # noqa: E402
from aegui.core.config.load import load_experiment  # noqa: E402
from aegui.core.data.datasets import from_config  # noqa: E402
from aegui.core.data.noise import KINDS, apply_noise  # noqa: E402
from aegui.core.runs.storage import load_model  # noqa: E402

PRESETS = {"mlp": ROOT / "resources" / "presets" / "general-5x7-dae.json",
           "local": ROOT / "resources" / "presets" / "general-5x7-local.json"}
MODELS = {"mlp": ROOT / "models" / "general-5x7-dae", "local": ROOT / "models" / "general-5x7-local"}
WAYS = ("mlp", "local", "editor")
TITLES = {"mlp": "MLP (general-5x7-dae)", "local": "local (general-5x7-local)",
          "editor": "the editor: MLP, local for drawings it does not give back"}
FONTS = ("Font1", "Font2", "Font3")
LEVELS = (0.0, 0.1, 0.2, 0.5)


def measure(mlps, locals_, train_x, augment, clean, repeats, noise_seed=0):
    """Wrong pixels per glyph [way, level, seed, glyph] and of the noisy input [level, seed, glyph],
    plus the share of glyphs the editor hands to the local model [seed]."""
    from aegui.core.models import latent
    from aegui.core.models.familiarity import denoise_with_fallback, familiarity
    n = len(clean)
    copies = np.repeat(clean, repeats, axis=0)
    truth = copies >= 0.5
    wrong = np.empty((len(WAYS), len(LEVELS), len(mlps), n))
    base = np.empty((len(LEVELS), len(mlps), n))
    fell = np.empty(len(mlps))
    for k, (mlp, local) in enumerate(zip(mlps, locals_)):
        fam = familiarity(lambda x, m=mlp: latent.reconstruct(m, x), train_x, augment)
        for j, level in enumerate(LEVELS):
            noisy = apply_noise(copies, "salt_pepper", level,
                                np.random.default_rng((noise_seed, KINDS.index("salt_pepper"), j, k)))
            outs = {"mlp": latent.denoise(mlp, noisy), "local": latent.denoise(local, noisy)}
            outs["editor"], used = denoise_with_fallback(lambda x, m=mlp: latent.denoise(m, x),
                                                         lambda x, m=local: latent.denoise(m, x),
                                                         fam, copies, noisy)
            for i, way in enumerate(WAYS):
                wrong[i, j, k] = ((outs[way] >= 0.5) != truth).sum(1).reshape(n, repeats).mean(1)
            base[j, k] = ((noisy >= 0.5) != truth).sum(1).reshape(n, repeats).mean(1)
            fell[k] = used.mean()
    return wrong, base, fell


def held_out(font: str, seeds: int, repeats: int, epochs: int | None = None):
    import torch
    torch.set_num_threads(1)            # the folds run side by side, one process each
    t0 = time.perf_counter()
    jobs = {}
    for way, preset in PRESETS.items():
        base, _ = load_experiment(preset)
        spec = CurveSpec(name=f"{way}, leave {font} out", base=base, seeds=seeds, epochs=epochs, kinds=("salt_pepper",),
                         levels=LEVELS, repeats=1, char_kind="salt_pepper", char_level=0.1,
                         leave_out=font).validate()
        job = DenoiseCurveJob(spec, device="cpu")
        for _ in job.steps():       # trains; measuring is done below, on copies the three share
            pass
        jobs[way] = job
    mlp, local = jobs["mlp"], jobs["local"]
    out = measure(mlp.models, local.models, mlp.data.x, mlp.experiment.augment, mlp.test_data.x, repeats)
    return (*out, time.perf_counter() - t0)


def own_glyphs(repeats: int, seeds: int):
    """The shipped models on their 96 training glyphs; noise seeds 0..S-1 stand in for model seeds."""
    mlp, exp, _ = load_model(MODELS["mlp"])
    local, _, _ = load_model(MODELS["local"])
    data = from_config(exp.data)
    return measure([mlp] * seeds, [local] * seeds, data.x, exp.augment, data.x, repeats), len(data)


def table(wrong, base, label: str, rows: list[str]) -> None:
    """Rows of one font: noise | input | the three ways (mean ± std over seeds, ratio)."""
    for j, level in enumerate(LEVELS):
        before = base[j].mean()
        cells = []
        for i in range(len(WAYS)):
            per_seed = wrong[i, j].mean(1)
            ratio = f" ({per_seed.mean() / before:.2f})" if before > 0 else ""
            cells.append(f"{per_seed.mean():.2f} ± {per_seed.std():.2f}{ratio}")
        rows.append(f"| {label} | {level * 100:g} % | {before:.2f} | " + " | ".join(cells) + " |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--epochs", type=int, help="override both presets' epochs (quick looks only)")
    ap.add_argument("--jobs", type=int, default=2, help="folds trained at once, one process each (default 2)")
    ap.add_argument("--out", default=str(ROOT / "docs" / "general-denoiser.md"))
    a = ap.parse_args()
    t0 = time.perf_counter()
    header = ["| left-out font | noise | noisy input | " + " | ".join(TITLES[w] for w in WAYS) + " |",
              "| --- | --- | --- | --- | --- | --- |"]
    lines, fell_lines, verdicts = list(header), [], {w: [] for w in WAYS}
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(max(1, a.jobs)) as pool:
        folds = list(pool.map(held_out, FONTS, [a.seeds] * 3, [a.repeats] * 3, [a.epochs] * 3))
    for font, (wrong, base, fell, seconds) in zip(FONTS, folds):
        print(f"{font}: trained and measured in {seconds:.0f} s", file=sys.stderr)
        table(wrong, base, font, lines)
        fell_lines.append(f"{font}: {fell.mean() * 100:.0f} %")
        for j, level in enumerate(LEVELS):
            if level in (0.1, 0.2):
                for i, way in enumerate(WAYS):
                    verdicts[way].append((level, wrong[i, j].mean(), base[j].mean()))
    (own_wrong, own_base, own_fell), n_glyphs = own_glyphs(a.repeats, a.seeds)
    own_lines = list(header)
    table(own_wrong, own_base, f"none (all {n_glyphs})", own_lines)
    own10 = {w: own_wrong[i, LEVELS.index(0.1)].mean() for i, w in enumerate(WAYS)}
    preset = {w: load_experiment(p)[0] for w, p in PRESETS.items()}
    checks = []
    for way in WAYS:
        better = all(after < before for _, after, before in verdicts[way])
        half = all(after <= before / 2 for level, after, before in verdicts[way] if level == 0.1)
        checks.append(f"| {TITLES[way]} | **{'yes' if better else 'no'}** | **{'yes' if half else 'no'}** | "
                      f"{own10[way]:.2f} (**{'met' if own10[way] <= 0.3 else 'not met'}**) |")
    text = "\n".join([
        "# The general 5x7 denoisers: held-out figures",
        "",
        f"Written by `python bench/general_denoiser.py` (--seeds {a.seeds} --repeats {a.repeats}"
        f"{f' --epochs {a.epochs}' if a.epochs else ''}); "
        f"{time.perf_counter() - t0:.0f} s on this machine's CPU.",
        "",
        *[f"- {TITLES[w]}: `{PRESETS[w].relative_to(ROOT)}`, {_describe(preset[w])}." for w in ("mlp", "local")],
        "- The editor denoises with the MLP, and with the local model when the MLP does not give the clean "
        "drawing back as it is (summed squared error above 0.25, `aegui/core/models/familiarity.py`).",
        "",
        "## Leave one font out",
        "",
        f"Trained on the other two fonts ({a.seeds} seeds each), measured on every glyph of the left-out "
        f"font: wrong pixels per glyph, salt-and-pepper noise, {a.repeats} noisy copies per glyph and seed "
        "(the same copies for all three); mean ± std over the seeds (ddof=0), and in brackets the "
        "ratio to the noisy input.",
        "",
        *lines,
        "",
        f"Glyphs of the left-out font the editor hands to the local model: {', '.join(fell_lines)}.",
        "",
        "## On the shipped models' own training glyphs",
        "",
        f"`models/general-5x7-dae` and `models/general-5x7-local`, all {n_glyphs} glyphs, {a.repeats} "
        f"copies per glyph and each of {a.seeds} noise seeds (the editor hands "
        f"{own_fell.mean() * 100:.0f} % of them to the local model):",
        "",
        *own_lines,
        "",
        "## Against the general denoiser's targets",
        "",
        "| denoiser | held out: fewer wrong pixels than the input at 10 % and 20 %, every font | "
        "held out: at most half at 10 % | own glyphs at 10 % (target <= 0.3) |",
        "| --- | --- | --- | --- |",
        *checks,
        "",
    ])
    Path(a.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


def _describe(exp) -> str:
    m, g = exp.model, exp.augment
    arch = f"channels {list(m.channels)}" if m.arch == "local" else f"layers {list(m.full_layers)}"
    levels = f"{g.noise_levels[0] * 100:g}-{g.noise_levels[1] * 100:g} %" if g.noise_levels else ""
    return (f"{m.arch} {arch}, flip confidence {m.flip_confidence:g}, {exp.train.epochs} epochs; augmentation "
            f"shift {g.shift}, thicken {g.thicken}, thin {g.thin}, distort {g.distort}, splice {g.splice}, "
            f"strokes {g.strokes}, keep {g.keep}, {g.copies} copies per epoch; salt-and-pepper at {levels}")


if __name__ == "__main__":
    sys.exit(main())
