"""How long each MNIST preset takes on this machine, run as a user runs it from the command line
(in-process), on the real MNIST digits where ../shared/data/mnist holds them (registered as
`aegui data add mnist FOLDER` does; --real FOLDER names another folder) and on synthetic data of
the dataset's size otherwise: Fashion-MNIST always, since it is not on this machine (60,000
training and 10,000 test 28x28 images in 10 classes, a class prototype plus noise upsampled from
7x7, written as IDX .gz into a temporary cache, the catalogue hashes pointed at them in-process).

  probe-fashion-mnist / probe-mnist   aegui probe resources/analyses/probe-*.json
  embed-fashion-mnist                 aegui embed --config resources/presets/fashion-mnist-ae2d.json
  mnist-conv-vs-linear                aegui sweep resources/sweeps/mnist-conv-vs-linear.json
  mnist-vae                           aegui train resources/presets/mnist-vae.json + decode --grid / --samples
  mnist-grid-latent-lr                aegui sweep resources/sweeps/mnist-grid-latent-lr.json
  classifier-mnist                    aegui report 003 --only classifier-mnist (pretrain, fine-tune, report)

On real digits the accuracies and losses are real figures; on the synthetic Fashion-MNIST only
the times mean something. Prints one line per preset and one JSON line.
Usage: python bench/mnist_presets.py [--only NAME[,NAME]] [--threads 1] [--real FOLDER | --synthetic]
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from aegui.core.data import catalogue  # noqa: E402
from aegui.core.data.mnist_files import write_idx  # noqa: E402

R = ROOT / "resources"


def synthetic(folder: Path, entry, seed: int, n_train: int = 60000) -> None:
    rng = np.random.default_rng(seed)
    protos = rng.random((10, 7, 7), dtype=np.float32)
    folder.mkdir(parents=True, exist_ok=True)
    for role_x, role_y, n in (("train_images", "train_labels", n_train), ("test_images", "test_labels", n_train // 6)):
        y = rng.integers(0, 10, n).astype(np.uint8)
        low = 0.6 * protos[y] + 0.4 * rng.random((n, 7, 7), dtype=np.float32)
        img = np.repeat(np.repeat(low, 4, axis=1), 4, axis=2)
        write_idx(folder / entry.role(role_x).name, (np.clip((img - 0.4) * 2, 0, 1) * 255).astype(np.uint8))
        write_idx(folder / entry.role(role_y).name, y)


def point_catalogue_at(home: Path, n_train: int, real: Path | None = None) -> dict:
    """Synthetic files for the catalogue's datasets, except MNIST when `real` holds its files."""
    used = {}
    if real is not None:
        from aegui.core.data.local_files import register
        register("mnist", real)
        used["mnist"] = f"real ({real})"
    for i, name in enumerate(("mnist", "fashion-mnist")):
        if name in used:
            continue
        used[name] = "synthetic"
        e = catalogue.ENTRIES[name]
        folder = home / "datasets" / name
        synthetic(folder, e, i, n_train)
        files = tuple(replace(f, hash="sha256:" + hashlib.sha256((folder / f.name).read_bytes()).hexdigest())
                      for f in e.files)
        catalogue.ENTRIES[name] = replace(e, files=files)
    return used


def cli(argv) -> tuple[int, str]:
    from aegui.cli import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([str(a) for a in argv])
    return code, out.getvalue().strip().splitlines()[-1] if out.getvalue().strip() else ""


def runs(out: Path) -> dict:
    return {
        "probe-fashion-mnist": [["probe", R / "analyses/probe-fashion-mnist.json", "--out", out / "pf", "--quiet"]],
        "probe-mnist": [["probe", R / "analyses/probe-mnist.json", "--out", out / "pm", "--quiet"]],
        "embed-fashion-mnist": [["embed", "--config", R / "presets/fashion-mnist-ae2d.json", "--out", out / "em",
                                 "--quiet"]],
        "mnist-conv-vs-linear": [["sweep", R / "sweeps/mnist-conv-vs-linear.json", "--out", out / "cl", "--quiet"]],
        "mnist-vae": [["train", R / "presets/mnist-vae.json", "--out", out / "vae", "--quiet"],
                      ["decode", out / "vae", "--grid", 15, "--out", out / "vae-grid.png"],
                      ["decode", out / "vae", "--samples", 64, "--out", out / "vae-samples.png"]],
        "mnist-grid-latent-lr": [["sweep", R / "sweeps/mnist-grid-latent-lr.json", "--out", out / "gs", "--quiet"]],
        "classifier-mnist": [["report", "003", "--only", "classifier-mnist", "--out", out / "rep", "--quiet"]],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", help="comma-separated preset names")
    ap.add_argument("--n", type=int, default=60000, help="training images (test: a sixth of it)")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's)")
    shared = ROOT.parents[1] / "shared" / "data" / "mnist" if (ROOT.parents[1] / "shared").is_dir() else \
        ROOT.parent / "shared" / "data" / "mnist"
    ap.add_argument("--real", default=str(shared) if shared.is_dir() else "",
                    help="folder of the real MNIST files (default ../shared/data/mnist when present)")
    ap.add_argument("--synthetic", action="store_true", help="synthetic MNIST even where the real files are")
    a = ap.parse_args()
    import torch
    if a.threads:
        torch.set_num_threads(a.threads)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        os.environ["AEGUI_HOME"] = str(home)
        used = point_catalogue_at(home, a.n, None if a.synthetic or not a.real else Path(a.real))
        print(f"data: {used}", flush=True)
        todo = runs(Path(tmp) / "out")
        for name, commands in todo.items():
            if a.only and name not in a.only.split(","):
                continue
            t = time.perf_counter()
            last = ""
            for argv in commands:
                code, last = cli(argv)
                if code != 0:
                    raise SystemExit(f"{name}: `aegui {' '.join(map(str, argv))}` exited {code}")
            seconds = time.perf_counter() - t
            results[name] = round(seconds, 1)
            print(f"{name}: {seconds / 60:.1f} min ({seconds:.0f} s)  {last[:160]}", flush=True)
    print(json.dumps({"bench": "mnist_presets", "threads": torch.get_num_threads(), "data": used,
                      "load": os.getloadavg()[0], "seconds": results}))


if __name__ == "__main__":
    main()
