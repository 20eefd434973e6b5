"""MNIST-scale speed: one epoch on 60,000 synthetic 28x28 images (written as IDX .gz files
and read back through aegui's loader), aegui's TrainingSession vs a plain PyTorch loop of the
same network, side by side.

Two networks: the project's first conv autoencoder (channels 32, 64; 16-D code; batch 128; kernel
4, stride 2, as aegui builds it) and an MLP (784-512-128-16-128-512-784, ELU). Same data, Adam,
learning rate, batch size and BCE loss. The plain loop is what a student writes: an nn.Module,
torch.optim.Adam, randperm slices, loss.item() per batch, no checks. aegui checks after every
epoch (check_every 1): its loss, the wrong-pixel rule (not counted: grey images) and, with
--val-split, the validation loss on at most train.eval_samples samples.

The two alternate epoch by epoch in one process (aegui's generator is resumed for one epoch,
then the loop runs one), on the same threads (aegui picks the thread count for its work and
the loop runs on that setting), so a busy machine slows both alike. Prints seconds per epoch
(median of --rounds) and the ratio aegui / plain (target <= 1.1), also in CPU time (steadier
than wall time on a shared machine), then one JSON line.
Usage: python bench/mnist_scale.py [--rounds 3] [--n 60000] [--only conv|mlp] [--val-split 0.1]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from aegui.core.schema.experiment import DataConfig, Experiment, ModelSpec, TrainConfig  # noqa: E402
from aegui.core.data.datasets import load_split  # noqa: E402
from aegui.core.data.mnist_files import write_idx  # noqa: E402
from aegui.core.train.session import TrainingSession  # noqa: E402

BATCH, LR = 128, 1e-3
MLP = (784, 512, 128, 16, 128, 512, 784)


def synthetic_idx(folder: Path, n: int, seed: int = 0) -> Path:
    """n MNIST-shaped images (smooth blobs, upsampled 7x7 noise) and labels, as IDX .gz."""
    rng = np.random.default_rng(seed)
    low = rng.random((n, 7, 7), dtype=np.float32)
    img = np.repeat(np.repeat(low, 4, axis=1), 4, axis=2)
    img = np.clip((img - 0.5) * 2.2, 0, 1) * 255
    write_idx(folder / "train-images-idx3-ubyte.gz", img.astype(np.uint8))
    write_idx(folder / "train-labels-idx1-ubyte.gz", rng.integers(0, 10, n).astype(np.uint8))
    return folder / "train-images-idx3-ubyte.gz"


def experiment(arch: str, path: Path, rounds: int, val_split: float) -> Experiment:
    if arch == "conv":
        model = ModelSpec(kind="ae", arch="conv", layers=(784, 16, 784), channels=(32, 64),
                          input_shape=(28, 28), hidden_activation="relu")
    else:
        model = ModelSpec(kind="ae", layers=MLP, hidden_activation="elu")
    return Experiment(name=f"mnist-scale {arch}", data=DataConfig(source="idx", path=str(path), val_split=val_split),
                      model=model, train=TrainConfig(loss="bce", optimizer="adam", learning_rate=LR,
                                                     epochs=rounds, batch_size=BATCH, check_every=1, device="cpu"))


class ConvAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),
                                 nn.Flatten(), nn.Linear(64 * 7 * 7, 16))
        self.dec = nn.Sequential(nn.Linear(16, 64 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
                                 nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(32, 1, 4, 2, 1))

    def forward(self, x):
        return self.dec(self.enc(x.view(-1, 1, 28, 28))).view(x.shape[0], -1)


def mlp_ae() -> nn.Module:
    layers = []
    for i, (a, b) in enumerate(zip(MLP, MLP[1:])):
        layers.append(nn.Linear(a, b))
        if 0 < i + 1 < len(MLP) - 1 and b != 16:
            layers.append(nn.ELU())
    return nn.Sequential(*layers)


class Plain:
    def __init__(self, arch: str, x: torch.Tensor):
        torch.manual_seed(0)
        self.model = ConvAE() if arch == "conv" else mlp_ae()
        self.opt = torch.optim.Adam(self.model.parameters(), lr=LR)
        self.x = x

    def epoch(self) -> float:
        perm = torch.randperm(len(self.x))
        total = 0.0
        for lo in range(0, len(self.x), BATCH):
            xb = self.x[perm[lo:lo + BATCH]]
            self.opt.zero_grad()
            loss = F.binary_cross_entropy_with_logits(self.model(xb), xb)
            loss.backward()
            self.opt.step()
            total += loss.item() * len(xb)
        return total / len(self.x)


def run(arch: str, path: Path, rounds: int, val_split: float) -> dict:
    exp = experiment(arch, path, rounds, val_split)
    t0 = time.perf_counter()
    train, val = load_split(exp.data)
    load_s = time.perf_counter() - t0
    session = TrainingSession(exp, train, val_data=val)
    plain = Plain(arch, torch.as_tensor(train.x))
    steps = session.steps()
    a_times, p_times, a_cpu, p_cpu, a_loss, p_loss = [], [], [], [], [], []
    for _ in range(rounds):
        t, c = time.perf_counter(), time.process_time()
        rec = next(steps)
        a_times.append(time.perf_counter() - t)
        a_cpu.append(time.process_time() - c)
        a_loss.append(rec.losses["total"])
        t, c = time.perf_counter(), time.process_time()
        p_loss.append(plain.epoch())   # runs on the threads aegui chose for this work
        p_times.append(time.perf_counter() - t)
        p_cpu.append(time.process_time() - c)
        print(f"  {arch}: aegui {a_times[-1]:.2f} s, {a_cpu[-1]:.2f} s CPU (loss {a_loss[-1]:.4f})   plain "
              f"{p_times[-1]:.2f} s, {p_cpu[-1]:.2f} s CPU (loss {p_loss[-1]:.4f})   threads {torch.get_num_threads()}",
              flush=True)
    steps.close()
    a, p = statistics.median(a_times), statistics.median(p_times)
    ac, pc = statistics.median(a_cpu), statistics.median(p_cpu)
    return {"arch": arch, "samples": len(train), "val_samples": len(val) if val else 0,
            "load_s": round(load_s, 2), "aegui_s_per_epoch": round(a, 3), "plain_s_per_epoch": round(p, 3),
            "ratio": round(a / p, 3), "aegui_cpu_s_per_epoch": round(ac, 3), "plain_cpu_s_per_epoch": round(pc, 3),
            "cpu_ratio": round(ac / pc, 3), "aegui_loss": round(a_loss[-1], 4), "plain_loss": round(p_loss[-1], 4)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3, help="epochs each side (median reported)")
    ap.add_argument("--n", type=int, default=60000, help="training images")
    ap.add_argument("--only", choices=("conv", "mlp"))
    ap.add_argument("--val-split", type=float, default=0.0)
    ap.add_argument("--threads", type=int, help="torch threads for both sides (default: torch's); aegui "
                    "may lower it for small work and the loop then runs on its setting")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        path = synthetic_idx(Path(tmp), a.n)
        for arch in ("conv", "mlp"):
            if a.only and arch != a.only:
                continue
            r = run(arch, path, a.rounds, a.val_split)
            results.append(r)
            print(f"{arch}: aegui {r['aegui_s_per_epoch']:.2f} s/epoch vs plain {r['plain_s_per_epoch']:.2f} "
                  f"-> ratio {r['ratio']:.2f} (target <= 1.1); CPU time ratio {r['cpu_ratio']:.2f}", flush=True)
    print(json.dumps({"bench": "mnist_scale", "results": results}))


if __name__ == "__main__":
    main()
