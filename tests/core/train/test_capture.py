"""Captured CUDA training steps (train/backends/capture.py), the device choice and K from free memory.

Tolerances: full-batch deterministic runs (Font3) give the same final
losses (relative 1e-4) and the same wrong pixels captured or eager; runs with random draws (VAE
noise, mini-batch order: the captured loop draws them on the GPU, so they differ from the eager
loop's) give final losses within 5 % of each other, and so does bf16 autocast vs fp32.
On the CPU the captured loop runs with each "graph" called eagerly, which checks the loop
itself; on CUDA the same checks run with real graphs.
"""
import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from aegui.core.config.validation import with_changes
from aegui.core.config.load import load_experiment
from aegui.core.data.datasets import load_split
from aegui.core.train.backends import capture
from aegui.core.train.threads import torch_threads
from aegui.core.train.devices import choices, describe, resolve_device
from aegui.core.train.memory import free_models
from aegui.core.train.session import TrainingSession
from core_helpers import PRESETS, ROOT

CUDA = torch.cuda.is_available()
needs_cuda = pytest.mark.skipif(not CUDA, reason="needs a CUDA GPU")
STOCHASTIC_REL = 0.05
DETERMINISTIC_REL = 1e-4


def preset(name, **train):
    exp, _ = load_experiment(PRESETS / f"{name}.json")
    return with_changes(exp, train=train)


def run(exp, *, device="cpu", captured=None, **kw):
    """The last record; captured=True on the CPU runs capture's loop with eager 'replays'."""
    data, val = load_split(exp.data)
    s = TrainingSession(exp, data, val_data=val, device=device, **kw)
    if captured is False:
        s.capture = False
        s.dense = False     # torch's eager loop: the captured one runs the same kernels
    with torch_threads(1):
        steps = capture.captured_steps(s) if captured and device == "cpu" else s.steps()
        for rec in steps:
            pass
    return s, rec


# Recorded before train/capture.py existed (commit 391174f), same seeds: the CPU path must not move.
# Wrong pixels are counted for binary data only since the MNIST-scale checks (train/evaluation.py):
# the grey digits and the colour emoji, 25 and 1378 then, have none now; their losses are unchanged.
GOLDEN = [("font3-ae2d", {"seeds": 4, "epochs": 60, "check_every": 20}, 0.17926646769046783, 7),
          ("font3-vae", {"epochs": 40, "check_every": 20}, 16.286548614501953, 15),
          ("digits-conv-ae", {"epochs": 1, "check_every": 1}, 0.6336785554885864, 0),
          ("emoji-vae", {"epochs": 1, "check_every": 1}, 1933.118408203125, 0)]


@pytest.mark.parametrize("name,train,loss,wrong", GOLDEN)
def test_cpu_results_unchanged(name, train, loss, wrong):
    s, rec = run(preset(name, device="cpu", **train))
    assert not getattr(s, "captured", False)
    # Another CPU's kernels may round differently; on the machine that recorded them they match exactly.
    assert rec.losses["total"] == pytest.approx(loss, rel=1e-4)
    assert abs(rec.max_wrong - wrong) <= 1


def compare(exp, device, captured_kw=None):
    s_eager, eager = run(exp, device=device, captured=False)
    s_cap, cap = run(exp, device=device, captured=True, **(captured_kw or {}))
    return s_eager, eager, s_cap, cap


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=needs_cuda)])
def test_captured_full_batch_matches_eager(device):
    exp = preset("font3-ae2d", seeds=6, epochs=120, check_every=30, target_max_wrong=None, device=device)
    _, eager, s_cap, cap = compare(exp, device)
    assert s_cap.captured
    assert cap.epoch == eager.epoch == 120
    np.testing.assert_allclose(cap.loss_per_model, eager.loss_per_model, rtol=DETERMINISTIC_REL)
    np.testing.assert_array_equal(cap.max_wrong_per_model, eager.max_wrong_per_model)


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=needs_cuda)])
def test_captured_target_stops_at_the_same_epoch(device):
    exp = preset("font3-ae2d", seeds=4, epochs=600, device=device)
    _, eager, _, cap = compare(exp, device)
    assert cap.state == eager.state == "target"
    assert cap.epoch == eager.epoch and cap.best == eager.best and cap.max_wrong == eager.max_wrong == 0


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=needs_cuda)])
def test_captured_per_model_rates_and_divergence(device):
    """Different learning rates per model take the elementwise optimizer; the 1e4 model dies and
    is frozen at its last finite weights while the others go on as eagerly."""
    exp = preset("font3-ae2d", seeds=3, epochs=100, check_every=20, target_max_wrong=None,
                 optimizer="momentum", device=device)
    lrs = [0.5, 1e4, 0.2]
    s_eager, eager = run(exp, device=device, captured=False, lrs=lrs)
    s_cap, cap = run(exp, device=device, captured=True, lrs=lrs)
    assert np.isnan(eager.loss_per_model[1]) and np.isnan(cap.loss_per_model[1])
    np.testing.assert_allclose(cap.loss_per_model[[0, 2]], eager.loss_per_model[[0, 2]], rtol=DETERMINISTIC_REL)
    assert torch.isfinite(s_cap.model.flat).all()


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=needs_cuda)])
def test_a_mini_batch_model_that_diverges_is_recorded_again_from_the_epoch_s_start(device):
    """Adam's fused kernel cannot hold one model still, so a model that dies has the step recorded
    again at that check, warm-up first. The warm-up began where the epoch had left the batch
    position, past the last sample: on an H200 that read out of bounds (a device-side assert, and
    every later CUDA call in the process failed: the course report's VAE rows, 000's learning
    rates, one after another). The CPU runs the same warm-up, so this fails here too."""
    exp = preset("font3-ae2d", seeds=3, epochs=40, check_every=5, target_max_wrong=None, batch_size=8,
                 optimizer="adam", learning_rate=0.01, device=device)
    data, val = load_split(exp.data)
    s = TrainingSession(exp, data, val_data=val, device=device)
    with torch_threads(1):
        for rec in capture.captured_steps(s):
            if rec.epoch == 5:          # model 1 blows up: the divergence rule finds it at the next check
                with torch.no_grad():
                    s.model.flat[1].fill_(1e30)
    assert s.captured and rec.epoch == 40 and rec.state != "diverged"
    assert np.isnan(rec.loss_per_model[1]) and np.isfinite(rec.loss_per_model[[0, 2]]).all()
    assert torch.isfinite(s.model.flat).all()


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=needs_cuda)])
@pytest.mark.parametrize("name,train", [("font3-vae", {"epochs": 60, "check_every": 20}),
                                        ("digits-conv-ae", {"epochs": 2, "check_every": 1})])
def test_captured_stochastic_runs_agree_within_tolerance(device, name, train):
    exp = preset(name, device=device, **train)
    _, eager, _, cap = compare(exp, device)
    assert cap.losses["total"] == pytest.approx(eager.losses["total"], rel=STOCHASTIC_REL)
    if eager.val_loss is not None:
        assert cap.val_loss == pytest.approx(eager.val_loss, rel=STOCHASTIC_REL)


def test_a_step_that_cannot_be_recorded_trains_eagerly(monkeypatch):
    exp = preset("font3-ae2d", seeds=3, epochs=60, check_every=20, target_max_wrong=None, device="cpu")
    _, eager = run(exp, captured=False)

    def refuse(self):
        raise RuntimeError("operation not permitted when stream is capturing")
    monkeypatch.setattr(capture._Step, "capture", refuse)
    s, rec = run(exp, captured=True)
    assert not s.captured and "capturing" in s.capture_error
    np.testing.assert_array_equal(rec.loss_per_model, eager.loss_per_model)


@needs_cuda
def test_emoji_vae_captured_eager_and_bf16_agree():
    exp = preset("emoji-vae", epochs=30, check_every=10, device="cuda")
    s_eager, eager = run(exp, device="cuda", captured=False)
    s_cap, cap = run(exp, device="cuda")
    _, half = run(with_changes(exp, train={"precision": "bf16"}), device="cuda")
    assert s_cap.captured and not getattr(s_eager, "captured", False)
    assert cap.losses["total"] == pytest.approx(eager.losses["total"], rel=STOCHASTIC_REL)
    assert cap.val_loss == pytest.approx(eager.val_loss, rel=STOCHASTIC_REL)
    assert half.losses["total"] == pytest.approx(cap.losses["total"], rel=STOCHASTIC_REL)
    assert half.val_loss == pytest.approx(cap.val_loss, rel=STOCHASTIC_REL)


@needs_cuda
def test_free_memory_gives_thousands_of_font3_models_and_they_fit():
    exp = preset("font3-ae2d")
    assert free_models(exp.model, 32, "cuda") >= 4096
    assert free_models(exp.model, 32, "cpu") is None
    # A twentieth of free memory's worth of models trains within that twentieth.
    torch.cuda.empty_cache()
    free, _ = torch.cuda.mem_get_info()
    k = free_models(exp.model, 32, "cuda", fraction=0.05)
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    _, rec = run(with_changes(exp, train={"seeds": k, "epochs": 20, "check_every": 10, "target_max_wrong": None,
                                          "device": "cuda"}), device="cuda")
    peak = torch.cuda.max_memory_allocated() - base
    print(f"K={k}: peak {peak / 2**30:.2f} GiB of the {0.05 * free / 2**30:.2f} GiB allowed")
    assert rec.epoch == 20 and peak <= 0.05 * free


def test_device_words_on_this_machine():
    auto = resolve_device("auto")
    assert auto.type == ("cuda" if CUDA else "mps" if choices()[-1][0] == "mps" else "cpu")
    assert [key for key, _ in choices()][:2] == ["auto", "cpu"]
    if CUDA:
        assert torch.cuda.get_device_name(0) in describe("cuda") and "GiB" in describe("cuda")
    assert describe("cpu") == "CPU"


def test_sweep_groups_split_to_fit(tmp_path):
    from aegui.core.analyses.sweeps.sweep import expand, plan, sweep_from_dict
    base = preset("font3-ae2d", epochs=10).to_dict()
    sweep = sweep_from_dict({"name": "t", "base": base, "vary": {"model.hidden_activation": ["elu", "tanh"],
                             "train.learning_rate": [0.01, 0.02, 0.03]}, "seeds": 2})
    whole = plan(sweep)
    capped = plan(sweep, max_k=lambda exp: 4)
    assert [g.k for g in whole] == [6, 6]
    assert [g.k for g in capped] == [4, 2, 4, 2]
    assert sorted(i for g in capped for i in g.configs) == [c.index for c in expand(sweep)]


def test_cli_json_names_the_device(tmp_path, capsys):
    from aegui.cli import main
    rc = main(["train", str(PRESETS / "font3-ae2d.json"), "--out", str(tmp_path / "m"), "--epochs", "20",
               "--seeds", "auto", "--device", "cpu", "--quiet"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["device"] == "cpu" and out["device_name"] == "CPU"
    assert out["captured"] is False and out["precision"] == "fp32"
    # --seeds auto keeps the preset's K on a CPU
    assert out["models"] == load_experiment(PRESETS / "font3-ae2d.json")[0].train.seeds


def test_bench_runs_quickly_on_the_cpu(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "gpu_vs_plain.py"), "--device", "cpu", "--quick",
                           "--json", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(out.read_text())
    assert [r["workload"] for r in figures["rows"]] == ["emoji VAE", "conv AE", "font3 x32"]
    for row in figures["rows"]:
        assert row["aegui"]["rate"] > 0 and row["plain"]["rate"] > 0
        assert np.isfinite(row["aegui"]["final_loss"]) and np.isfinite(row["plain"]["final_loss"])


@needs_cuda
def test_capture_on_a_worker_thread_while_another_thread_uses_the_gpu():
    """As in the window: the session trains on a worker thread while the GUI thread decodes."""
    import threading
    exp = preset("emoji-vae", epochs=20, check_every=10, device="cuda")
    result = {}

    def train():
        result["session"], result["rec"] = run(exp, device="cuda")
    worker = threading.Thread(target=train)
    worker.start()
    a = torch.randn(256, 256, device="cuda")
    while worker.is_alive():
        a = torch.tanh(a @ a.T / 256)
        float(a[0, 0])
    worker.join()
    assert result["session"].captured and result["rec"].epoch == 20
    assert np.isfinite(result["rec"].losses["total"])
