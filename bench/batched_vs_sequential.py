"""K models trained together on stacked weights vs K plain PyTorch runs one after another.

Same data (Font3), architecture, optimizer (Adam), learning rate and number of epochs; no
early stop on either side. Prints model-epochs per second of both and the ratio.
Usage: python bench/batched_vs_sequential.py [--k 64] [--epochs 300]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from aegui.core.config.load import load_experiment
from aegui.core.config.validation import with_changes  # noqa: E402
from aegui.core.data.datasets import from_config  # noqa: E402
from aegui.core.train.session import TrainingSession  # noqa: E402

ACT = {"elu": nn.ELU, "tanh": nn.Tanh, "relu": nn.ReLU}


def plain_run(sizes, act, x, lr, epochs, seed):
    """The loop a student would write: nn.Sequential + torch.optim.Adam + BCE."""
    torch.manual_seed(seed)
    layers = []
    latent = sizes.index(min(sizes[1:-1]))
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i != latent - 1 and i != len(sizes) - 2:
            layers.append(ACT[act]())
    model = nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.BCEWithLogitsLoss()
    for _ in range(epochs):
        opt.zero_grad()
        loss = loss_fn(model(x), x)
        loss.backward()
        opt.step()
    return float(loss.detach())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--k", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--preset", default=str(Path(__file__).resolve().parents[1] / "resources/presets/font3-ae2d.json"))
    a = ap.parse_args()
    torch.set_num_threads(1)   # both sides on one thread: the fair, and fastest, setting here
    exp, _ = load_experiment(a.preset)
    exp = with_changes(exp, train={"seeds": a.k, "epochs": a.epochs, "target_max_wrong": None,
                                   "check_every": a.epochs})
    data = from_config(exp.data)
    x = torch.tensor(data.x)
    sizes = list(exp.model.full_layers)

    t0 = time.perf_counter()
    session = TrainingSession(exp, data)
    for rec in session.steps():
        pass
    batched = time.perf_counter() - t0

    t0 = time.perf_counter()
    losses = [plain_run(sizes, exp.model.hidden_activation, x, exp.train.learning_rate, a.epochs, s)
              for s in range(a.k)]
    sequential = time.perf_counter() - t0

    work = a.k * a.epochs
    out = {"k": a.k, "epochs": a.epochs, "layers": sizes,
           "batched_s": round(batched, 3), "sequential_s": round(sequential, 3),
           "batched_model_epochs_per_s": round(work / batched), "sequential_model_epochs_per_s": round(work / sequential),
           "ratio": round(sequential / batched, 2),
           "batched_best_loss": round(float(rec.losses["total"]), 5), "sequential_best_loss": round(min(losses), 5)}
    print(f"{a.k} models x {a.epochs} epochs, layers {sizes}")
    print(f"  aegui batched : {batched:7.2f} s  ({out['batched_model_epochs_per_s']} model-epochs/s)")
    print(f"  plain PyTorch : {sequential:7.2f} s  ({out['sequential_model_epochs_per_s']} model-epochs/s)")
    print(f"  ratio         : {out['ratio']}x")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
