"""The seed-001 sweep (6 architectures x 2 optimizers x 5 seeds on Font1) through aegui's
SweepRunner (each architecture/optimizer pair is one TrainingSession of 5 stacked models)
vs the same 60 runs one after another in the loop a student would write: nn.Sequential +
torch.optim.SGD(momentum=0 or 0.9) + BCEWithLogitsLoss, same epochs, learning rate,
activations, initialisation (Xavier-uniform weights, zero biases) and full batch.

Neither side stops early. aegui also measures wrong pixels every `check_every` epochs (its
records); the plain loop measures them once at the end. Prints both times, the ratio and the
mean final max-wrong pixels of each side, then one JSON line.
Usage: python bench/sweep_vs_sequential.py [--sweep FILE] [--epochs N] [--seeds N]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from aegui.core.datasets import from_config  # noqa: E402
from aegui.core.sweep import SweepRunner, expand, load_sweep, with_overrides  # noqa: E402

ACT = {"elu": nn.ELU, "tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "identity": nn.Identity}


def plain_run(exp, x: torch.Tensor, seed: int) -> tuple[float, int]:
    """One run as a student writes it; returns (final loss, final max wrong pixels)."""
    m, t = exp.model, exp.train
    torch.manual_seed(seed)
    sizes = list(m.full_layers)
    latent = m.latent_index
    layers = []
    for i in range(len(sizes) - 1):
        lin = nn.Linear(sizes[i], sizes[i + 1])
        nn.init.xavier_uniform_(lin.weight)
        nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i == len(sizes) - 2:
            break                                   # logits out: BCEWithLogitsLoss applies the sigmoid
        layers.append(ACT[m.latent_activation if i == latent - 1 else m.hidden_activation]())
    model = nn.Sequential(*layers)
    momentum = t.momentum if t.optimizer == "momentum" else 0.0
    opt = torch.optim.SGD(model.parameters(), lr=t.learning_rate, momentum=momentum)
    loss_fn = nn.BCEWithLogitsLoss()
    for _ in range(t.epochs):
        opt.zero_grad()
        loss = loss_fn(model(x), x)
        loss.backward()
        opt.step()
    with torch.no_grad():
        wrong = ((model(x) >= 0) != (x >= 0.5)).sum(1)
    return float(loss.detach()), int(wrong.max())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sweep", default=str(ROOT / "resources/sweeps/seed001-architectures.json"))
    ap.add_argument("--epochs", type=int, help="override the sweep's epochs (both sides)")
    ap.add_argument("--seeds", type=int, help="override the sweep's seeds (both sides)")
    a = ap.parse_args()
    # Both sides on one thread. These nets have at most a few thousand weights and 32 samples:
    # every op is microseconds long, so extra threads only add synchronisation overhead (and
    # aegui's TrainingSession picks one thread for such models anyway); one thread is both the
    # fair and the fastest setting for each side.
    torch.set_num_threads(1)
    sweep = with_overrides(load_sweep(a.sweep), seeds=a.seeds, epochs=a.epochs)
    configs = expand(sweep)

    t0 = time.perf_counter()
    runner = SweepRunner(sweep, device="cpu")
    result = runner.run()
    batched = time.perf_counter() - t0

    data = from_config(sweep.base.data)
    x = torch.tensor(data.x)
    t0 = time.perf_counter()
    plain = []
    for c in configs:
        for i in range(sweep.seeds):
            plain.append(plain_run(c.experiment, x, c.experiment.train.seed + i))
    sequential = time.perf_counter() - t0

    runs = len(result.runs)
    epochs = sweep.base.train.epochs
    out = {"sweep": sweep.name, "configs": len(configs), "runs": runs, "epochs": epochs,
           "sessions": runner.sessions_started,
           "aegui_sweep_s": round(batched, 3), "sequential_s": round(sequential, 3),
           "ratio": round(sequential / batched, 2),
           "aegui_mean_final_max_wrong": round(float(np.mean([r.final_max_wrong for r in result.runs])), 3),
           "plain_mean_final_max_wrong": round(float(np.mean([w for _, w in plain])), 3),
           "threads": torch.get_num_threads(), "torch": torch.__version__}
    print(f"{sweep.name}: {len(configs)} configs x {sweep.seeds} seeds = {runs} runs x {epochs} epochs")
    print(f"  aegui sweep ({runner.sessions_started} batched sessions): {batched:7.2f} s  "
          f"(mean final max wrong {out['aegui_mean_final_max_wrong']})")
    print(f"  plain PyTorch, one run at a time  : {sequential:7.2f} s  "
          f"(mean final max wrong {out['plain_mean_final_max_wrong']})")
    print(f"  ratio                             : {out['ratio']}x")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
