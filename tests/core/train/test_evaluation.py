"""What a check measures: wrong pixels on binary data (exactly, in chunks), none on grey images,
and a fixed sample of train.eval_samples on large sets."""
import numpy as np
import pytest
import torch

from aegui.core.schema.experiment import ConfigError, DataConfig, Experiment, ModelSpec, TrainConfig
from aegui.core.config.validation import validate, with_changes
from aegui.core.data.dataset import Dataset
from aegui.core.train import evaluation
from aegui.core.train.session import TrainingSession

from core_helpers import small_experiment


def grey_set(n=300, d=16, seed=0):
    rng = np.random.default_rng(seed)
    return Dataset("grey", rng.random((n, d), dtype=np.float32), [str(i % 3) for i in range(n)], (4, 4))


def grey_experiment(**train):
    return Experiment(data=DataConfig(source="digits"), model=ModelSpec(layers=(16, 8, 2, 8, 16)),
                      train=TrainConfig(epochs=2, batch_size=32, check_every=1, device="cpu", **train))


def test_binary_data_counts_wrong_pixels_in_chunks(font3, monkeypatch):
    s = TrainingSession(small_experiment(train={"epochs": 1}), font3)
    assert s.evaluator.counting and s.evaluator.sampled == len(font3)
    whole = s.evaluator.wrong()
    monkeypatch.setattr(evaluation, "CHUNK_ROWS", 7)           # many small chunks: the same counts
    assert torch.equal(s.evaluator.wrong(), whole)
    logits = s.model.decode_logits(s.model.encode(s.x))
    assert torch.equal(whole, s.wrong(logits))
    assert int(whole.sum()) > 0                                # an untrained model gets pixels wrong


def test_grey_images_count_no_wrong_pixels_and_pick_by_loss():
    data = grey_set()
    s = TrainingSession(grey_experiment(seeds=3), data)
    assert not s.evaluator.counting
    recs = list(s.steps())
    assert all(r.max_wrong == 0 for r in recs)
    last = recs[-1]
    assert last.best == int(np.nanargmin(last.loss_per_model))   # with no wrong pixels, the loss decides


def test_a_target_makes_grey_images_count():
    s = TrainingSession(grey_experiment(target_max_wrong=0), grey_set())
    assert s.evaluator.counting


def test_large_sets_are_measured_on_a_fixed_sample(font3):
    big = Dataset("big", np.tile(font3.x, (40, 1)), font3.labels * 40, tuple(font3.shape))
    exp = with_changes(small_experiment(train={"epochs": 1}), train={"eval_samples": 500})
    s = TrainingSession(exp, big)
    assert s.evaluator.sampled == 500
    wrong = s.evaluator.wrong()
    outside = np.setdiff1d(np.arange(len(big)), evaluation.sample_index(len(big), 500))
    assert int(wrong[:, outside].abs().sum()) == 0 and int(wrong.sum()) > 0
    every = TrainingSession(with_changes(exp, train={"eval_samples": 0}), big)
    assert every.evaluator.sampled == len(big)


def test_validation_set_is_capped_too():
    exp = grey_experiment(eval_samples=50)
    s = TrainingSession(exp, grey_set(), val_data=grey_set(200, seed=1))
    assert s.val_x.shape[0] == 50
    rec = next(s.steps())
    assert np.isfinite(rec.val_loss)


def test_eval_samples_is_validated():
    with pytest.raises(ConfigError) as e:
        validate(grey_experiment(eval_samples=-1))
    assert e.value.field == "train.eval_samples"


def test_test_metrics_on_the_official_test_set(trained):
    from aegui.core.data.datasets import font_dataset
    model, _, _ = trained
    m = evaluation.test_metrics(model, font_dataset(("Font3",)), chunk=5)
    assert m["test_samples"] == 32 and 0 < m["test_mse"] < 0.25
