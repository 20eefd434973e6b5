"""Classifier probe: character classes, the split, accuracy and confusion, frozen vs fine-tuned,
cancel, errors, and `aegui probe`."""
import csv
import json

import numpy as np
import pytest
import torch

from core_helpers import small_experiment

from aegui.cli import main
from aegui.core.schema.experiment import ConfigError
from aegui.core.data.datasets import font_dataset
from aegui.core.data.image_data import digits_dataset
from aegui.core.analyses.classify.probe import (CHAR_CLASSES, ProbeConfig, ProbeJob, ProbeRunJob, ProbeSpec, char_class, class_targets, load_spec, probe_dataset, spec_from_dict, stratified_split)
from aegui.core.runs.storage import save_model


@pytest.fixture(scope="module")
def digits():
    return digits_dataset(max_samples=300)


def test_the_96_glyphs_fall_into_four_character_classes():
    glyphs = font_dataset(("all",))
    classes = class_targets(glyphs)
    counts = {c: classes.count(c) for c in CHAR_CLASSES}
    assert counts == {"digit": 10, "upper": 26, "lower": 26, "symbol": 34}
    assert [char_class(c) for c in ("7", "Q", "q", "space", "DEL", "{", "@")] == \
        ["digit", "upper", "lower", "symbol", "symbol", "symbol", "symbol"]
    few = digits_dataset(max_samples=5)
    assert class_targets(few) == few.labels      # not a font: the labels are the classes


def test_the_split_is_stratified_seeded_and_disjoint():
    targets = ["a"] * 10 + ["b"] * 4 + ["c"]
    train, val = stratified_split(targets, 0.25, seed=1)
    assert sorted(np.concatenate([train, val]).tolist()) == list(range(15))
    picked = [targets[i] for i in val]
    assert picked.count("a") == 2 and picked.count("b") == 1 and "c" not in picked   # a lone sample trains
    again = stratified_split(targets, 0.25, seed=1)
    assert np.array_equal(again[1], val) and not np.array_equal(stratified_split(targets, 0.25, seed=2)[1], val)


def test_linear_probe_on_digit_pixels_reports_accuracy_and_confusion(digits):
    res = ProbeJob(None, digits, ProbeConfig(epochs=100, learning_rate=0.05)).run()
    assert res.classes == [str(i) for i in range(10)] and res.features == "pixels"
    assert res.val_accuracy > 0.8 and res.chance < 0.2
    assert res.n_train + res.n_val == 300 and 70 <= res.n_val <= 80   # a quarter of each class, rounded
    assert res.confusion.sum() == res.n_val and res.confusion_train.sum() == res.n_train
    assert np.trace(res.confusion) / res.n_val == pytest.approx(res.val_accuracy)
    y = np.array([int(digits.labels[i]) for i in res.val_indices])
    assert np.mean(res.val_predicted == y) == pytest.approx(res.val_accuracy)
    assert [h["epoch"] for h in res.history] == list(range(10, 101, 10))


def test_frozen_encoder_stays_as_it_was_and_fine_tuning_uses_a_copy(trained, font3):
    model = trained[0]
    before = model.flat.detach().clone()
    frozen = ProbeJob(model, font3, ProbeConfig(epochs=60, hidden=8, val_split=0.2)).run()
    assert frozen.features == "codes (frozen encoder)" and frozen.latent_dim == 2
    assert frozen.classes == ["lower", "symbol"] and frozen.train_accuracy >= frozen.chance
    job = ProbeJob(model, font3, ProbeConfig(epochs=60, fine_tune=True, val_split=0.2))
    tuned = job.run()
    assert torch.equal(model.flat.detach(), before)          # the caller's model is untouched
    assert not torch.equal(job.model.flat.detach(), before)   # the copy was trained
    assert tuned.train_accuracy >= frozen.chance


def test_cancel_keeps_the_head_trained_so_far(digits):
    job = ProbeJob(None, digits, ProbeConfig(epochs=1000, check_every=5))
    items = []
    for p in job.steps():
        items.append(p)
        if p.state == "running" and p.epoch == 20:
            job.cancel()
    last = items[-1]
    assert last.state == "cancelled" and last.result.cancelled
    assert last.result.epochs in (20, 21) and 0 < last.result.train_accuracy <= 1


def test_bad_settings_and_data_name_the_field(trained, font3, digits):
    with pytest.raises(ConfigError) as err:
        ProbeConfig(hidden=-1).validate()
    assert err.value.field == "probe.hidden"
    with pytest.raises(ConfigError, match="val_split"):
        ProbeConfig(val_split=1.5).validate()
    with pytest.raises(ConfigError, match="reads 35 values"):
        ProbeJob(trained[0], digits)
    only_lower = font_dataset(("Font3",), chars="abc")
    with pytest.raises(ConfigError, match="single class"):
        ProbeJob(None, only_lower)


def test_cli_probe_writes_accuracy_and_confusion(trained, tmp_path, capsys):
    model, exp, _ = trained
    save_model(tmp_path / "m", model, exp)
    out = tmp_path / "probe"
    code = main(["probe", str(tmp_path / "m"), "--data", "fonts", "--epochs", "30", "--baseline",
                 "--out", str(out), "--quiet"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["classes"] == list(CHAR_CLASSES) and summary["n_train"] + summary["n_val"] == 96
    assert 0 <= summary["val_accuracy"] <= 1 and "baseline_val_accuracy" in summary
    saved = json.loads((out / "accuracy.json").read_text())
    assert saved["val_accuracy"] == pytest.approx(summary["val_accuracy"], abs=1e-4)
    with open(out / "confusion.csv") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["true \\ predicted", *CHAR_CLASSES]
    assert sum(int(v) for row in rows[1:] for v in row[1:]) == summary["n_val"]
    assert (out / "pixels-accuracy.json").is_file() and (out / "history.csv").is_file()


def test_cli_probe_trains_an_experiment_config_first(tmp_path, capsys):
    cfg = tmp_path / "cfg.json"
    cfg.write_text(small_experiment(data={"fonts": ("all",)}, train={"epochs": 20}).to_json())
    assert main(["probe", str(cfg), "--epochs", "10", "--out", str(tmp_path / "o"), "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["latent_dim"] == 2
    assert (tmp_path / "o" / "model" / "model.safetensors").is_file()


@pytest.mark.parametrize("argv, needle", [
    (["--data", "digits"], "data: the model reads 35 values"),
    (["--data", "nowhere.idx"], "data: 'nowhere.idx' is not"),
    (["--hidden", "-2"], "--hidden"),
])
def test_cli_probe_bad_input_is_one_line_and_status_2(trained, tmp_path, capsys, argv, needle):
    model, exp, _ = trained
    save_model(tmp_path / "m", model, exp)
    code = main(["probe", str(tmp_path / "m"), "--out", str(tmp_path / "o"), *argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and needle in err[0]


# ---------------------------------------------------------------- probe files, whole runs

def test_the_shipped_probe_files_load():
    from core_helpers import ROOT
    for name in ("probe-digits.json", "probe-noisy-glyphs.json", "probe-noisy-glyphs-ae2d.json"):
        spec = load_spec(ROOT / "resources" / "analyses" / name)
        assert spec.base is not None and spec.baseline and spec.data == "model"
        data = probe_dataset(spec.data, spec.base)
        assert data.dim == spec.base.model.layers[0]


def test_a_run_trains_probes_and_compares_with_pixels():
    base = small_experiment(data={"fonts": ("all",)}, train={"epochs": 20})
    spec = ProbeSpec(base=base, config=ProbeConfig(epochs=20), baseline=True)
    items = list(ProbeRunJob(spec).steps())
    stages = [p.stage or p.state for p in items]
    assert stages[0] == "training" and "probe" in stages and stages[-2] == "baseline"
    assert [p.fraction for p in items] == sorted(p.fraction for p in items)
    run = items[-1].result
    assert run.trained_here and run.probe.features == "codes (frozen encoder)"
    assert run.baseline.features == "pixels" and run.baseline.n_val == run.probe.n_val


def test_a_run_cancelled_while_training_has_no_result():
    base = small_experiment(data={"fonts": ("all",)}, train={"epochs": 5000})
    job = ProbeRunJob(ProbeSpec(base=base))
    items = []
    for p in job.steps():
        items.append(p)
        if p.state == "training" and p.epoch >= 20:
            job.cancel()
    assert items[-1].state == "cancelled" and items[-1].result is None


@pytest.mark.parametrize("raw, key", [
    ({"analysis": "probe"}, "base"),
    ({"analysis": "probe", "model": "m", "probe": {"epochs": 0}}, "probe.epochs"),
    ({"analysis": "probe", "model": "m", "probe": {"layers": 3}}, "probe.layers"),
    ({"analysis": "probe", "model": "m", "baseline": "yes"}, "baseline"),
])
def test_probe_file_errors_name_the_key(raw, key):
    with pytest.raises(ConfigError) as err:
        spec_from_dict(raw, "p.json")
    assert err.value.field == key
