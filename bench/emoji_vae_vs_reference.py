"""The emoji VAE preset trained by aegui's TrainingSession vs the loop of pytorch/examples
vae/main.py, for the same wall-time budget each, run side by side.

Same data (the preset's emoji and seeded train / validation split), architecture (fc1 ->
fc21 / fc22 -> reparameterise -> fc3 -> fc4, the preset's hidden activation), optimizer
(Adam, the preset's learning rate), batch size (shuffled mini-batches, last one partial)
and loss (the ELBO with BCE summed over pixels and the KL term). The reference is written
as in pytorch/examples: an nn.Module, torch.optim.Adam, a DataLoader (or `--loader index`:
randperm slices), loss.item() per batch, and a validation pass every `--check-every` epochs
(default: the preset's check_every; pytorch/examples validates after every epoch, which is
--check-every 1). aegui measures its validation loss on the same epochs (its records), and on
those it also measures the wrong pixels and loss of the whole training set, which the
reference does not. Validation loss on both sides is aegui's definition: the mean over
held-out samples of BCE-sum + KL, decoding the mean code (no sampling), so the figures compare
directly.

The two alternate, `--check-every` epochs at a time, on the same threads until each has spent
`--seconds`, so a busy machine slows both alike (aegui picks one thread for a model this size
and goes first, so the reference runs on that setting too). Prints seconds per epoch (median)
of both, the ratio (reference / aegui: above 1 means aegui is faster; also in CPU time, steadier
than wall time on a shared machine) and each side's validation loss (first, last, best), then
one JSON line.
Usage: python bench/emoji_vae_vs_reference.py [--seconds 60] [--threads 1] [--loader dataloader]
                                              [--check-every N]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from aegui.core.config.load import load_experiment
from aegui.core.config.validation import with_changes  # noqa: E402
from aegui.core.data.datasets import load_split  # noqa: E402
from aegui.core.train.session import TrainingSession  # noqa: E402

ACT = {"relu": F.relu, "elu": F.elu, "tanh": torch.tanh, "leaky_relu": F.leaky_relu,
       "sigmoid": torch.sigmoid, "softplus": F.softplus}


class VAE(nn.Module):
    """pytorch/examples vae/main.py, with the preset's sizes and hidden activation."""

    def __init__(self, d, h, z, act):
        super().__init__()
        self.fc1 = nn.Linear(d, h)
        self.fc21 = nn.Linear(h, z)
        self.fc22 = nn.Linear(h, z)
        self.fc3 = nn.Linear(z, h)
        self.fc4 = nn.Linear(h, d)
        self.act = ACT[act]

    def encode(self, x):
        h1 = self.act(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = self.act(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


class Reference:
    def __init__(self, exp, x_train, x_val, loader: str):
        sizes = exp.model.full_layers
        if len(sizes) != 5 or exp.model.kind != "vae" or exp.model.arch != "mlp":
            raise SystemExit("the reference is the pytorch-examples VAE: an MLP VAE with layers [D, H, Z, H, D]")
        torch.manual_seed(exp.train.seed)
        self.model = VAE(sizes[0], sizes[1], sizes[2], exp.model.hidden_activation)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=exp.train.learning_rate)
        self.bs = exp.train.batch_size or len(x_train)
        self.x, self.x_val = x_train, x_val
        self.loader = DataLoader(TensorDataset(x_train), batch_size=self.bs, shuffle=True) \
            if loader == "dataloader" else None

    def _batches(self):
        if self.loader is not None:
            for (data,) in self.loader:
                yield data
        else:
            perm = torch.randperm(len(self.x))
            for lo in range(0, len(self.x), self.bs):
                yield self.x[perm[lo:lo + self.bs]]

    def train_epoch(self) -> float:
        self.model.train()
        train_loss = 0.0
        for data in self._batches():
            self.optimizer.zero_grad()
            recon_batch, mu, logvar = self.model(data)
            loss = loss_function(recon_batch, data, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            self.optimizer.step()
        return train_loss / len(self.x)

    def val_loss(self) -> float:
        """aegui's validation loss: decode the mean code, BCE-sum + KL, mean over samples."""
        self.model.eval()
        with torch.no_grad():
            mu, logvar = self.model.encode(self.x_val)
            return float(loss_function(self.model.decode(mu), self.x_val, mu, logvar)) / len(self.x_val)


def summary(times, cpu, vals, every):
    return {"epochs": len(times) * every, "seconds": round(sum(times) * every, 2),
            "median_s_per_epoch": round(statistics.median(times), 5),
            "mean_s_per_epoch": round(sum(times) / len(times), 5),
            "median_cpu_s_per_epoch": round(statistics.median(cpu), 5),
            "val_first": round(vals[0], 2), "val_last": round(vals[-1], 2), "val_best": round(min(vals), 2)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default=str(ROOT / "resources/presets/emoji-vae.json"))
    ap.add_argument("--seconds", type=float, default=60.0, help="wall-time budget of each side")
    ap.add_argument("--threads", type=int, default=1, help="torch threads, the same for both sides "
                    "(aegui may lower it for small work, and the reference then runs on its setting)")
    ap.add_argument("--loader", choices=("dataloader", "index"), default="dataloader",
                    help="the reference's batching: a DataLoader (as in pytorch/examples) or randperm slices")
    ap.add_argument("--check-every", type=int, help="epochs between validation passes, both sides "
                    "(default: the preset's check_every)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    exp, _ = load_experiment(a.preset)
    every = a.check_every or exp.train.check_every
    # Both sides run until their time is spent: no early end.
    exp = with_changes(exp, train={"epochs": 1_000_000, "check_every": every, "device": "cpu", "seeds": 1,
                                   "target_max_wrong": None})
    train_data, val_data = load_split(exp.data)
    if val_data is None:
        raise SystemExit("the preset holds no validation set (data.val_split is 0)")
    x_train, x_val = torch.tensor(train_data.x), torch.tensor(val_data.x)
    ref = Reference(exp, x_train, x_val, a.loader)
    session = TrainingSession(exp, train_data, val_data=val_data, device="cpu")
    steps = session.steps()
    ref_t, ref_c, ref_v, ae_t, ae_c, ae_v = [], [], [], [], [], []
    while sum(ref_t) * every < a.seconds or sum(ae_t) * every < a.seconds:
        # Each entry: seconds per epoch over `every` epochs and the validation pass after them.
        # aegui first, so the reference always runs on the thread setting aegui chose.
        if sum(ae_t) * every < a.seconds:
            t0, c0 = time.perf_counter(), time.process_time()
            rec = next(steps)
            ae_t.append((time.perf_counter() - t0) / every)
            ae_c.append((time.process_time() - c0) / every)
            ae_v.append(rec.val_loss)
        if sum(ref_t) * every < a.seconds:
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(every):
                ref.train_epoch()
            ref_v.append(ref.val_loss())
            ref_t.append((time.perf_counter() - t0) / every)
            ref_c.append((time.process_time() - c0) / every)
    threads = torch.get_num_threads()      # as aegui set it while it trains
    session.stop()
    for _ in steps:
        pass
    out = {"preset": Path(a.preset).name, "threads": threads, "loader": a.loader,
           "train_samples": len(train_data), "val_samples": len(val_data),
           "layers": list(exp.model.full_layers), "batch_size": exp.train.batch_size,
           "lr": exp.train.learning_rate, "budget_s": a.seconds,
           "check_every": every,
           "reference": summary(ref_t, ref_c, ref_v, every), "aegui": summary(ae_t, ae_c, ae_v, every)}
    for key, what in (("ratio_ref_over_aegui", "median_s_per_epoch"),
                      ("cpu_ratio_ref_over_aegui", "median_cpu_s_per_epoch")):
        out[key] = round(out["reference"][what] / out["aegui"][what], 3)
    print(f"emoji VAE {out['layers']}, {out['train_samples']} train / {out['val_samples']} validation "
          f"samples, batch {exp.train.batch_size}, Adam lr {exp.train.learning_rate:g}, {threads} thread(s), "
          f"{a.seconds:g} s each, validation every {every} epoch(s)")
    for name in ("reference", "aegui"):
        s = out[name]
        print(f"  {name:9s}: {s['epochs']:5d} epochs, median {1000 * s['median_s_per_epoch']:7.1f} ms/epoch "
              f"({1000 * s['median_cpu_s_per_epoch']:.1f} ms CPU), validation loss {s['val_first']:.1f} -> {s['val_last']:.1f} (best {s['val_best']:.1f})")
    print(f"  ratio (reference / aegui time per epoch): {out['ratio_ref_over_aegui']}x wall, "
          f"{out['cpu_ratio_ref_over_aegui']}x CPU time")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
