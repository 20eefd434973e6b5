"""aegui vs a plain (eager) PyTorch loop of the same network on the same device.

Three workloads, each side by side, the sides alternating for `--rounds` rounds:
- emoji: the emoji VAE preset (3072-256-8, batch 32, Adam) with its validation set, vs the loop
  of pytorch/examples vae/main.py (data on the device, randperm batches, loss.item() per batch,
  a validation pass on the epochs aegui checks).
- conv: a conv AE (28x28x1 -> 32 -> 64 channels -> 16-D code, batch 128, Adam, BCE) on 60,000
  synthetic 28x28 images, vs the same network as nn.Conv2d / nn.ConvTranspose2d layers and
  torch.optim.Adam. aegui also measures the wrong pixels of all training images at each check.
- font3: K stacked Font3 models (the font3-ae2d preset, no early stop) vs nn.Sequential models
  trained one after another; model-epochs per second.

Rates are steady-state: epochs after the first record (aegui) / first `check_every` epochs
(plain), so one-time setup (the CUDA graph capture, cuDNN's first calls) is left out; each
side's whole-run seconds are printed too. On CUDA aegui runs three ways: captured (the
default), eager (session.capture = False) and captured under bf16 autocast; final losses of
each are printed to compare. `--device cpu --quick` runs a few seconds (CI).
Usage: python bench/gpu_vs_plain.py [--device auto] [--quick] [--rounds 2] [--k 8192] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from aegui.core.config.validation import with_changes  # noqa: E402
from aegui.core.config.load import load_experiment  # noqa: E402
from aegui.core.data.dataset import Dataset  # noqa: E402
from aegui.core.data.datasets import from_config, load_split  # noqa: E402
from aegui.core.train.session import TrainingSession, resolve_device  # noqa: E402
from emoji_vae_vs_reference import VAE, loss_function  # noqa: E402

PRESETS = ROOT / "resources" / "presets"


def sync(dev):
    if dev.type == "cuda":
        torch.cuda.synchronize()


# ---------------------------------------------------------------- aegui side
def run_aegui(exp, data, val, dev, *, capture=True):
    """(steady epochs/s, whole-run seconds, last record) of one TrainingSession run."""
    sync(dev)
    t0 = time.perf_counter()
    s = TrainingSession(exp, data, val_data=val, device=str(dev))
    s.capture = capture
    marks = []
    for rec in s.steps():
        marks.append((rec.epoch, time.perf_counter()))
    sync(dev)
    whole = time.perf_counter() - t0
    (e0, t_0), (e1, t_1) = marks[0], marks[-1]
    rate = (e1 - e0) / (t_1 - t_0) if e1 > e0 else e1 / whole
    return rate, whole, rec


# ---------------------------------------------------------------- plain side
def plain_loop(model, x, bs, epochs, every, loss_fn, val_fn=None, summed=True):
    """The pytorch/examples loop: Adam, randperm batches, loss.item() per batch; a validation
    pass (val_fn) every `every` epochs. Returns (steady epochs/s, whole seconds, the last
    epoch's loss: per sample when loss_fn sums over the batch, else the mean of batch means)."""
    dev = x.device
    sync(dev)
    t0 = time.perf_counter()
    opt = torch.optim.Adam(model.parameters(), lr=model.lr)
    t_first = None
    for epoch in range(1, epochs + 1):
        perm = torch.randperm(len(x), device=dev)
        total = 0.0
        for lo in range(0, len(x), bs):
            data = x[perm[lo:lo + bs]]
            opt.zero_grad()
            loss = loss_fn(model, data)
            loss.backward()
            total += loss.item()
            opt.step()
        if epoch % every == 0:
            if val_fn is not None:
                val_fn(model)
            if t_first is None:
                t_first, e_first = time.perf_counter(), epoch
    t_end = time.perf_counter()
    rate = (epochs - e_first) / (t_end - t_first) if epochs > e_first else epochs / (t_end - t0)
    return rate, t_end - t0, total / (len(x) if summed else -(-len(x) // bs))


def vae_loss(model, data):
    recon, mu, logvar = model(data)
    return loss_function(recon, data, mu, logvar)


class ConvAE(nn.Module):
    """aegui's conv autoencoder on 28x28 images (conv_net.py: stride-2 kernel-4 convolutions, a dense code,
    the mirror back) as plain layers; outputs logits."""
    def __init__(self, latent, lr, channels=(32, 64)):
        super().__init__()
        self.lr = lr
        a, b = channels
        self.enc = nn.Sequential(nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, a, 4, 2, 1), nn.ReLU(),
                                 nn.Conv2d(a, b, 4, 2, 1), nn.ReLU(), nn.Flatten(), nn.Linear(b * 49, latent))
        self.dec = nn.Sequential(nn.Linear(latent, b * 49), nn.ReLU(), nn.Unflatten(1, (b, 7, 7)),
                                 nn.ConvTranspose2d(b, a, 4, 2, 1), nn.ReLU(),
                                 nn.ConvTranspose2d(a, 1, 4, 2, 1), nn.Flatten())

    def forward(self, x):
        return self.dec(self.enc(x))


def conv_loss(model, data):
    return F.binary_cross_entropy_with_logits(model(data), data)


def synthetic_images(n: int, seed: int = 0) -> np.ndarray:
    """n 28x28 images of 1-3 soft blobs in [0, 1] (an MNIST-sized stand-in; no download)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:28, 0:28].astype(np.float32)
    out = np.empty((n, 784), np.float32)
    for lo in range(0, n, 5000):
        m = min(5000, n - lo)
        c = rng.uniform(5, 23, (m, 3, 2)).astype(np.float32)
        sig = rng.uniform(1.5, 4.5, (m, 3)).astype(np.float32)
        on = rng.random((m, 3)) < np.array([1.0, 0.6, 0.3])
        d2 = (yy[None, None] - c[..., 0, None, None]) ** 2 + (xx[None, None] - c[..., 1, None, None]) ** 2
        blobs = np.exp(-d2 / (2 * sig[..., None, None] ** 2)) * on[..., None, None]
        out[lo:lo + m] = blobs.max(1).reshape(m, 784)
    return out


# ---------------------------------------------------------------- workloads
def bench_emoji(dev, quick, rounds):
    exp, _ = load_experiment(PRESETS / "emoji-vae.json")
    every = 1 if quick else exp.train.check_every
    epochs = 2 if quick else 200
    exp = with_changes(exp, train={"epochs": epochs, "check_every": every, "device": dev.type})
    data, val = load_split(exp.data)
    x, xv = torch.tensor(data.x, device=dev), torch.tensor(val.x, device=dev)
    sizes = exp.model.full_layers

    def plain():
        torch.manual_seed(exp.train.seed)
        model = VAE(sizes[0], sizes[1], sizes[2], exp.model.hidden_activation).to(dev)
        model.lr = exp.train.learning_rate

        def val_fn(m):
            with torch.no_grad():
                mu, logvar = m.encode(xv)
                return float(loss_function(m.decode(mu), xv, mu, logvar)) / len(xv)
        return plain_loop(model, x, exp.train.batch_size, epochs, every, vae_loss, val_fn)
    return compare("emoji VAE", exp, data, val, dev, plain, rounds, "epochs/s")


def bench_conv(dev, quick, rounds):
    n = 512 if quick else 60_000
    epochs, every = (2, 1) if quick else (6, 2)
    data = Dataset("synthetic 28x28", synthetic_images(n), [str(i) for i in range(n)], (28, 28))
    exp, _ = load_experiment(PRESETS / "digits-conv-ae.json")
    exp = with_changes(exp, model={"layers": (784, 16, 784), "channels": (32, 64), "input_shape": (28, 28)},
                       train={"epochs": epochs, "check_every": every, "batch_size": 128, "learning_rate": 0.001,
                              "device": dev.type},
                       data={"val_split": 0.0})
    x = torch.tensor(data.x, device=dev)

    def plain():
        torch.manual_seed(exp.train.seed)
        return plain_loop(ConvAE(16, exp.train.learning_rate).to(dev), x, 128, epochs, every, conv_loss,
                          summed=False)
    return compare("conv AE", exp, data, None, dev, plain, rounds, "epochs/s")


def bench_font3(dev, quick, rounds, k):
    exp, _ = load_experiment(PRESETS / "font3-ae2d.json")
    epochs = 20 if quick else 300
    k = 32 if quick else k
    exp = with_changes(exp, train={"seeds": k, "epochs": epochs, "target_max_wrong": None,
                                   "check_every": 10, "device": dev.type})
    data = from_config(exp.data)
    x = torch.tensor(data.x, device=dev)
    sizes = list(exp.model.full_layers)
    plain_models = 2 if quick else 4

    def plain():
        t0, whole = time.perf_counter(), 0.0
        for seed in range(plain_models):
            torch.manual_seed(seed)
            layers = []
            for i in range(len(sizes) - 1):
                layers.append(nn.Linear(sizes[i], sizes[i + 1]))
                if i != exp.model.latent_index - 1 and i != len(sizes) - 2:
                    layers.append(nn.ELU())
            model = nn.Sequential(*layers).to(dev)
            opt = torch.optim.Adam(model.parameters(), lr=exp.train.learning_rate)
            for _ in range(epochs):
                opt.zero_grad()
                loss = F.binary_cross_entropy_with_logits(model(x), x)
                loss.backward()
                opt.step()
            loss = loss.item()
        sync(dev)
        whole = time.perf_counter() - t0
        return plain_models * epochs / whole, whole, loss
    return compare(f"font3 x{k}", exp, data, None, dev, plain, rounds, "model-epochs/s", per_model=k)


def compare(name, exp, data, val, dev, plain, rounds, unit, per_model=1):
    sides = {"aegui": lambda: run_aegui(exp, data, val, dev), "plain": plain}
    if dev.type == "cuda":
        sides["aegui eager"] = lambda: run_aegui(exp, data, val, dev, capture=False)
        if exp.data.source != "font":
            bf16 = with_changes(exp, train={"precision": "bf16"})
            sides["aegui bf16"] = lambda: run_aegui(bf16, data, val, dev)
    got = {k: [] for k in sides}
    for _ in range(rounds):
        for side, fn in sides.items():
            got[side].append(fn())
    row = {"workload": name, "unit": unit}
    for side, runs in got.items():
        rate = statistics.median(r[0] for r in runs) * (per_model if side != "plain" else 1)
        last = runs[-1][2]
        if side == "plain":
            loss, wrong = last, None
        else:
            loss, wrong = last.losses["total"], last.max_wrong
        row[side] = {"rate": round(rate, 2), "seconds": round(statistics.median(r[1] for r in runs), 3),
                     "final_loss": round(float(loss), 5), "max_wrong": wrong}
    row["ratio"] = round(row["aegui"]["rate"] / row["plain"]["rate"], 2)
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="auto")
    ap.add_argument("--quick", action="store_true", help="tiny sizes: seconds, for CI")
    ap.add_argument("--rounds", type=int, default=None, help="alternations of the sides (median taken)")
    ap.add_argument("--k", type=int, default=8192, help="stacked Font3 models")
    ap.add_argument("--only", choices=("emoji", "conv", "font3"), action="append")
    ap.add_argument("--json", help="also write the figures here")
    a = ap.parse_args()
    dev = resolve_device(a.device)
    if dev.type == "cpu" and not a.quick:
        print("no GPU: running the --quick sizes (60,000 images x 3 sides take many minutes on a CPU)")
        a.quick = True
    rounds = a.rounds or (1 if a.quick else 2)
    if dev.type == "cpu":
        torch.set_num_threads(1)   # small steps: one thread is fastest (see session.steps)
    gpu = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "CPU"
    rows = []
    for name in a.only or ("emoji", "conv", "font3"):
        if name == "emoji":
            rows.append(bench_emoji(dev, a.quick, rounds))
        elif name == "conv":
            rows.append(bench_conv(dev, a.quick, rounds))
        else:
            rows.append(bench_font3(dev, a.quick, rounds, a.k))
        r = rows[-1]
        print(f"{r['workload']:14s} ({r['unit']}): " + ", ".join(
            f"{side} {r[side]['rate']:,.1f} (loss {r[side]['final_loss']:.4g})"
            for side in r if isinstance(r[side], dict)) + f"; aegui / plain {r['ratio']}x", flush=True)
    out = {"device": str(dev), "device_name": gpu, "torch": torch.__version__, "quick": a.quick,
           "rounds": rounds, "rows": rows}
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=1))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
