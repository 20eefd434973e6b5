"""A model that blows up keeps its last finite state: the weights and the running statistics of
its batch-norm layers together, in every loop that trains one (eager, captured, scipy's). Restored
without its statistics, a diverged batch-norm model was saved with NaN in them and `aegui eval`
refused it. The statistics also follow a model wherever its weights go: scipy's whole-set
minimisers keep the whole set's statistics, and teaching starts from the model's own."""
import json
import struct

import numpy as np
import pytest
import torch

from aegui.core.analyses.teach import PREPARING, TeachSession, TeachSettings, fonts_from_file
from aegui.core.train.backends import capture
from aegui.core.train import progress as P
from aegui.core.train.session import TrainingSession
from core_helpers import ROOT, run_cli, small_experiment

LCD = ROOT / "resources" / "lcd-glyphs.h"


def batchnorm_experiment(activation="cosh", **train):
    """A 5x7 conv model with a batch-norm layer in its encoder and one in its decoder."""
    return small_experiment(
        model={"arch": "convlayers", "input_shape": (7, 5), "layers": (35, 2, 35), "hidden_activation": activation,
               "conv_encoder": ("conv 4 3x3", "batchnorm", "dense 2"),
               "conv_decoder": ("dense 35", "reshape 7 5 1", "batchnorm", "conv 1 3x3")},
        train={"check_every": 1, **train})


def safetensors_arrays(path) -> dict:
    """Every tensor of a safetensors file as float64, read by its header (no torch, no pickle)."""
    blob = path.read_bytes()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    data = blob[8 + n:]
    kinds = {"F32": np.float32, "F64": np.float64, "I64": np.int64}
    return {name: np.frombuffer(data[e["data_offsets"][0]:e["data_offsets"][1]], kinds[e["dtype"]]).astype(float)
            for name, e in header.items()}


def test_a_diverged_batchnorm_model_is_saved_usable(tmp_path, capsys):
    cfg = tmp_path / "cfg.json"
    cfg.write_text(batchnorm_experiment(learning_rate=5, epochs=60).to_json())
    assert run_cli(["train", cfg, "--out", tmp_path / "run", "--quiet"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out.strip().splitlines()[-1])["state"] == "diverged"
    assert "The last finite weights were kept" in err
    tensors = safetensors_arrays(tmp_path / "run" / "model.safetensors")
    assert any(name.endswith("running_mean") for name in tensors)
    assert {name for name, v in tensors.items() if not np.isfinite(v).all()} == set()
    assert run_cli(["eval", tmp_path / "run"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["glyphs"] == 32 and 0 <= result["max_wrong_pixels"] <= 35


def _run(session, loop):
    """Every record, with a copy of the running statistics as they were right after it."""
    steps = capture.captured_steps(session) if loop == "captured" else session.steps()
    return [(rec, session.model.stats.clone()) for rec in steps]


@pytest.mark.parametrize("loop", ["eager", "captured"])
def test_a_model_that_blows_up_gets_the_statistics_of_its_last_check_back_and_keeps_them(font3, loop):
    """Model 2 of 2 trains at a learning rate it cannot survive, model 1 goes on; the captured
    loop runs here with its steps called eagerly (train/backends/capture.py on the CPU)."""
    exp = batchnorm_experiment(epochs=12)
    session = TrainingSession(exp, font3, lrs=[0.01, 5.0], device="cpu")
    session.dense = False
    got = _run(session, loop)
    died = next(i for i, (rec, _) in enumerate(got) if np.isnan(rec.loss_per_model[1]))
    assert 0 < died < len(got) - 1 and "1 of 2 models diverged" in got[died][0].message
    kept = got[died - 1][1][1]
    assert torch.isfinite(kept).all()
    # Restored at the check that found it, and frozen there: its later forward passes (it still
    # runs in every step) do not move them.
    for _, stats in got[died:]:
        assert torch.equal(stats[1], kept)
    assert torch.isfinite(session.model.stats).all() and session.alive.tolist() == [True, False]
    assert got[-1][0].state == P.FINISHED and not torch.equal(got[-1][1][0], got[died][1][0])


def test_statistics_that_overflow_while_the_loss_stays_finite_stop_the_model(font3):
    exp = batchnorm_experiment(activation="relu", epochs=3)
    session = TrainingSession(exp, font3, device="cpu")
    session.dense = False
    steps = session.steps()
    assert next(steps).state == P.RUNNING
    kept = session.model.stats.clone()
    with torch.no_grad():
        session.model.stats[0, 0] = float("inf")    # as a variance summed past float32's range
    rest = list(steps)
    assert rest[-1].state == P.DIVERGED
    assert "running statistics became NaN or infinite" in rest[-1].message
    assert torch.equal(session.model.stats, kept)


def test_scipy_training_keeps_the_whole_set_statistics_it_normalised_by(font3):
    """CG minimises the loss with batch-norm normalising by the whole set; the saved model must
    give the outputs that loss measured, so its running statistics are the whole set's."""
    exp = batchnorm_experiment(activation="tanh", optimizer="cg", epochs=20, check_every=10)
    session = TrainingSession(exp, font3, device="cpu")
    assert list(session.steps())[-1].state == P.FINISHED
    model = session.best_model()
    x = torch.as_tensor(font3.x)
    with torch.no_grad():
        after = model(x)
        with model.dropping(None):
            in_step = model(x)       # normalised by this batch: the whole set
    torch.testing.assert_close(after, in_step, rtol=1e-4, atol=1e-5)


def test_teaching_starts_from_the_model_s_running_statistics(font3):
    exp = batchnorm_experiment(activation="relu", epochs=5, learning_rate=0.01)
    trained = TrainingSession(exp, font3, device="cpu")
    list(trained.steps())
    model = trained.best_model()
    assert not torch.equal(model.stats, TrainingSession(exp, font3, device="cpu").model.stats)
    teach = TeachSession(model, exp, fonts_from_file(LCD, ["LCD"]), TeachSettings(epochs=1, device="cpu"),
                         known=font3)
    for rec in teach.steps():       # up to the first step of fine-tuning
        if rec.phase == PREPARING and rec.count == rec.total:
            break
    assert torch.equal(teach.session.model.stats, model.stats)
    assert torch.equal(teach.session.model.flat, model.flat)
