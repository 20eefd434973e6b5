"""Times of the analyses (denoising curve, embeddings, probes, scipy optimizers), each run as
the CLI runs it (in this process, torch already imported, so Python start-up is not counted):

- denoise: resources/analyses/denoising-curve.json (train the DAE's seeds, then 3 noise types
  x 10 levels x 20 noisy copies per glyph per seed);
- embed: AE latent vs PCA vs t-SNE for Font1-3 (a 2-D AE trained per font);
- probe: resources/analyses/probe-digits.json and probe-noisy-glyphs*.json (train the AE, the
  head, and the pixel baseline);
- scipy: BFGS / CG / Powell, 20 iterations each, on a 35-4-2-4-35 autoencoder over Font1,
  next to Adam for 20 epochs (per-iteration cost, not a quality comparison).

The CPU is shared: take the figures as rough. Prints one line per analysis and a JSON line.
--quick runs each analysis as small as it goes (one seed, two epochs, Font1 only, one iteration),
in seconds: whether the benchmark still runs (tests/test_bench_runs.py), not how fast it is.

Usage: python bench/analyses.py [--only denoise,embed,probe,scipy] [--quick]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def bench_denoise(quick: bool) -> dict:
    from aegui.core.analyses.denoise.curve import DenoiseCurveJob, load_spec
    spec = load_spec(ROOT / "resources/analyses/denoising-curve.json")
    if quick:
        spec = replace(spec, seeds=1, epochs=2, repeats=1).validate()
    seconds, res = timed(lambda: DenoiseCurveJob(spec).run())
    c = res.curve(res.char_kind)
    j = list(res.levels).index(res.char_level)
    return {"seconds": round(seconds, 2), "train_seconds": round(res.train_seconds, 2), "seeds": res.n_seeds,
            "wrong_after": round(float(c["mean"][j]), 3), "wrong_noisy_input": round(float(c["baseline_mean"][j]), 3),
            "at": f"{res.char_kind} {res.char_level:g}"}


def bench_embed(quick: bool) -> dict:
    from aegui.core.analyses.embedding import EmbeddingJob
    seconds, res = timed(lambda: EmbeddingJob(("Font1",) if quick else ("Font1", "Font2", "Font3")).run())
    return {"seconds": round(seconds, 2), "panels": len(res.panels)}


def bench_probe(quick: bool) -> dict:
    from aegui.core.analyses.classify.probe import ProbeRunJob, load_spec
    from aegui.core.config.validation import with_changes
    out = {}
    for name in ("probe-digits", "probe-noisy-glyphs", "probe-noisy-glyphs-ae2d"):
        spec = load_spec(ROOT / f"resources/analyses/{name}.json")
        if quick:
            spec = replace(spec, base=with_changes(spec.base, train={"epochs": 2, "check_every": 1}),
                           config=replace(spec.config, epochs=2, check_every=1))
        seconds, run = timed(lambda: ProbeRunJob(spec).run())
        out[name] = {"seconds": round(seconds, 2), "val_accuracy": round(run.probe.val_accuracy, 3),
                     "pixels_val_accuracy": round(run.baseline.val_accuracy, 3)}
    return out


def bench_scipy(quick: bool) -> dict:
    from aegui.core.schema.experiment import Experiment
    from aegui.core.config.validation import with_changes
    from aegui.core.data.datasets import font_dataset
    from aegui.core.train.session import train
    data = font_dataset(("Font1",))
    iterations = 1 if quick else 20
    out = {}
    for opt in ("adam", "cg", "bfgs", "powell"):
        exp = with_changes(Experiment(), model={"layers": (35, 4, 2, 4, 35), "hidden_activation": "tanh"},
                           train={"optimizer": opt, "epochs": iterations, "check_every": min(10, iterations),
                                  "device": "cpu", "weight_decay": 1e-4})
        seconds, (_, rec) = timed(lambda: train(exp, data))
        out[opt] = {"seconds": round(seconds, 3), "loss": round(rec.losses["total"], 4),
                    "per_iteration_ms": round(1000 * seconds / iterations, 2)}
    return out


BENCHES = {"denoise": bench_denoise, "embed": bench_embed, "probe": bench_probe, "scipy": bench_scipy}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=",".join(BENCHES))
    ap.add_argument("--quick", action="store_true", help="each analysis as small as it goes: whether it runs, "
                    "not how fast")
    args = ap.parse_args()
    import torch   # noqa: F401 - imported once here, outside the timings
    results = {}
    for name in [n.strip() for n in args.only.split(",") if n.strip()]:
        results[name] = BENCHES[name](args.quick)
        print(f"{name}: {results[name]}", file=sys.stderr)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
