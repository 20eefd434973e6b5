"""The memory guard: a run too big for the machine is refused before anything is allocated."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from aegui.core.schema.experiment import Experiment, ModelSpec, TrainConfig
from aegui.core.config.validation import experiment_from_dict
from aegui.core.data.dataset import Dataset
from aegui.core.train import memory as M
from aegui.core.train.session import TrainingSession

ROOT = Path(__file__).resolve().parents[3]
HUGE = [35, 1_000_000_000, 2, 1_000_000_000, 35]
BIG = [35, 10_000_000, 2, 10_000_000, 35]     # 100x smaller: tens of GB with Adam's state


def _glyphs(n=32):
    x = (np.random.default_rng(0).random((n, 35)) > 0.5).astype(np.float32)
    return Dataset("glyphs", x, [str(i) for i in range(n)], (7, 5))


def _exp(layers, **train):
    return Experiment(model=ModelSpec(layers=tuple(layers)), train=TrainConfig(**train))


def _write_config(tmp_path, layers):
    cfg = Experiment(model=ModelSpec(layers=tuple(layers)), train=TrainConfig(epochs=5)).to_dict()
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(cfg))
    return path


def _cli(tmp_path, config, limit=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(M.ENV_LIMIT, None)
    if limit:
        env[M.ENV_LIMIT] = limit
    code = ("import resource, sys; from aegui.cli import main; rc = main(sys.argv[1:]); "
            "print('maxrss_kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); "
            "sys.exit(rc)")
    return subprocess.run([sys.executable, "-c", code, "train", str(config), "--quiet",
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120,
                          env=env)


def test_estimate_counts_weights_optimizer_state_and_activations():
    adam = M.estimate(_exp([35, 100, 2, 100, 35], optimizer="adam", seeds=4), samples=32)
    sgd = M.estimate(_exp([35, 100, 2, 100, 35], optimizer="sgd", seeds=4), samples=32)
    p = 35 * 100 + 100 + 100 * 2 + 2 + 2 * 100 + 100 + 100 * 35 + 35
    assert adam.params == sgd.params == p
    # Adam keeps m, v and a scratch buffer where SGD keeps only a step's temporary
    assert adam.weights - sgd.weights == 4 * 4 * p * 2
    batch = M.estimate(_exp([35, 100, 2, 100, 35], batch_size=8), samples=32)
    full = M.estimate(_exp([35, 100, 2, 100, 35]), samples=32)
    assert batch.activations * 4 == full.activations
    assert M.estimate(_exp([35, 100, 2, 100, 35]), samples=3200).data > 99 * full.data


def test_huge_layers_are_refused_before_allocating():
    with pytest.raises(M.MemoryBudgetError) as err:
        TrainingSession(_exp(HUGE, epochs=1), _glyphs())
    msg = str(err.value)
    assert msg.startswith("model.layers: training needs about") and "TB" in msg
    assert "smaller layers" in msg and "\n" not in msg
    assert err.value.need > err.value.have


def test_a_size_100x_smaller_is_refused_when_it_exceeds_memory(monkeypatch):
    need = M.estimate(_exp(BIG), samples=32).total
    assert need > 10e9          # it would have allocated tens of GB
    monkeypatch.setenv(M.ENV_LIMIT, str(need))      # within the 5 % margin: refused
    with pytest.raises(M.MemoryBudgetError, match="available; use smaller layers"):
        TrainingSession(_exp(BIG, epochs=1), _glyphs())
    monkeypatch.setenv(M.ENV_LIMIT, "64G")
    # And the advice follows the biggest part: seeds, the batch, the data.
    with pytest.raises(M.MemoryBudgetError, match=r"fewer models trained together \(train.seeds is 8\)"):
        M.check(_exp(BIG, seeds=8), samples=32)
    with pytest.raises(M.MemoryBudgetError, match="train.batch_size: .*smaller batch"):
        M.check(_exp([35, 1000, 2, 1000, 35]), samples=10_000_000, dim=35)


def test_a_small_run_passes_and_trains(monkeypatch):
    monkeypatch.setenv(M.ENV_LIMIT, "1G")
    session = TrainingSession(_exp([35, 10, 2, 10, 35], epochs=20, check_every=10), _glyphs())
    assert len(list(session.steps())) == 2


def test_cli_exit_2_with_one_line_before_allocating(tmp_path):
    res = _cli(tmp_path, _write_config(tmp_path, HUGE))
    assert res.returncode == 2, res.stderr
    lines = [line for line in res.stderr.splitlines() if not line.startswith("maxrss_kb")]
    assert len(lines) == 1 and lines[0].startswith("aegui: error: model.layers: training needs about")
    assert "Traceback" not in res.stderr
    maxrss_mb = int(res.stderr.split("maxrss_kb")[1]) / 1024
    assert maxrss_mb < 1500           # the 2.4 TB were never asked for
    assert not (tmp_path / "out").exists()


def test_cli_refuses_100x_smaller_when_over_the_limit(tmp_path):
    res = _cli(tmp_path, _write_config(tmp_path, BIG), limit="8G")
    assert res.returncode == 2 and "only 8.59 GB of memory (AEGUI_MEMORY_LIMIT)" in res.stderr, res.stderr
    assert int(res.stderr.split("maxrss_kb")[1]) / 1024 < 1500


def test_parse_size_and_available(monkeypatch):
    assert M.parse_size("2G") == 2 * 1024 ** 3 and M.parse_size("512m") == 512 * 1024 ** 2
    assert M.parse_size("1000") == 1000 and M.parse_size("lots") is None
    monkeypatch.delenv(M.ENV_LIMIT, raising=False)
    have, what = M.available("cpu")
    assert what == "RAM" and (have is None or have > 0)


def test_likely_samples_from_the_config():
    exp = experiment_from_dict(Experiment().to_dict())
    assert M.likely_samples(exp.data) == 32
    from dataclasses import replace
    assert M.likely_samples(replace(exp.data, source="digits", max_samples=100)) == 100


def test_a_sweep_is_refused_before_its_first_group_trains(monkeypatch):
    from aegui.core.analyses.sweeps.sweep import SweepRunner, sweep_from_dict
    base = _exp([35, 10, 2, 10, 35], epochs=5).to_dict()
    base.pop("schema_version")
    sweep = sweep_from_dict({"name": "s", "base": base, "seeds": 2,
                             "vary": {"model.layers": [[35, 10, 2, 10, 35], list(BIG)]}})
    monkeypatch.setenv(M.ENV_LIMIT, "8G")
    with pytest.raises(M.MemoryBudgetError, match="model.layers: training needs about"):
        SweepRunner(sweep)
