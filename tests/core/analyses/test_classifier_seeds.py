"""The stacked-autoencoder classifier over several seeds: a classifier file's `seeds` is checked
like a comparison's (a whole number from 1 to 100, named when wrong), each seed pretrains and
trains its heads with its own seeds in a folder of its own, and a second job reads every seed's
saved autoencoder and stages back instead of training them again."""
import csv

import numpy as np
import pytest

from aegui.core.analyses.classify.classifier import ClassifierJob, spec_from_dict
from aegui.core.data.mnist_files import write_idx
from aegui.core.schema.experiment import ConfigError


def tiny_mnist(folder):
    """MNIST's four files at 8x8: 40 training and 12 test images of 4 classes."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", 40), ("t10k", 12)):
        labels = np.arange(n, dtype=np.uint8) % 4
        images = rng.integers(0, 60, (n, 8, 8), dtype=np.uint8)
        for i, c in enumerate(labels):
            images[i, 2 * c:2 * c + 2] = 255      # each class lights its own rows
        write_idx(folder / f"{prefix}-images-idx3-ubyte", images)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte", labels)
    return folder


def raw_spec(folder, **more):
    return {"analysis": "classifier", "name": "tiny classifier",
            "base": {"name": "ae", "data": {"source": "idx", "path": str(folder)},
                     "model": {"layers": [64, 8, 64], "hidden_activation": "relu"},
                     "train": {"optimizer": "adam", "learning_rate": 0.01, "epochs": 2, "batch_size": 16, "seed": 4,
                               "device": "cpu", "check_every": 1}},
            "head": {"epochs": 2, "learning_rate": 0.01, "batch_size": 16, "seed": 7, "check_every": 1}, **more}


def test_seeds_defaults_to_one_and_is_read_from_the_file(tmp_path):
    folder = tiny_mnist(tmp_path / "data")
    assert spec_from_dict(raw_spec(folder)).seeds == 1
    assert spec_from_dict(raw_spec(folder, seeds=3)).seeds == 3


@pytest.mark.parametrize("bad", [0, 101, "3", True, 2.0])
def test_a_bad_seeds_value_names_the_field(tmp_path, bad):
    with pytest.raises(ConfigError) as err:
        spec_from_dict(raw_spec(tiny_mnist(tmp_path / "data"), seeds=bad), "c.json")
    msg = str(err.value)
    assert "seeds" in msg and "1 to 100" in msg and "c.json" in msg and repr(bad) in msg


def test_each_seed_trains_with_its_own_seeds_in_its_own_folder_and_resumes(tmp_path):
    """Seed 0 keeps the one-seed layout (its saved stages still resume); seed 1 lives in
    seed-1/ and pretrains with base seed + 1 and trains its heads with head seed + 1."""
    spec = spec_from_dict(raw_spec(tiny_mnist(tmp_path / "data"), seeds=2))
    out = tmp_path / "out"
    items = list(ClassifierJob(spec, out).steps())
    result = items[-1].result
    assert items[-1].state == "finished" and not result.cancelled
    fractions = [p.fraction for p in items]
    assert all(b >= a - 1e-9 for a, b in zip(fractions, fractions[1:])) and fractions[-1] == 1.0
    # seed 0 fills the first half of the bar, seed 1 the second
    assert max(p.fraction for p in items[:-1] if p.seed == 0) <= 0.5 + 1e-9 < min(p.fraction for p in items if p.seed == 1) + 1e-9
    assert len(result.seed_stages) == 2 and result.stages is result.seed_stages[0]
    assert all(set(s) == {"fine-tuned", "frozen", "pixels"} for s in result.seed_stages)
    for folder in (out, out / "seed-1"):
        assert (folder / "autoencoder" / "model.json").is_file() and (folder / "fine-tuned.json").is_file()
    assert not (out / "seed-0").exists()
    from aegui.core.runs.storage import load_model
    assert load_model(out / "autoencoder")[1].train.seed == 4
    assert load_model(out / "seed-1" / "autoencoder")[1].train.seed == 5
    assert result.seed_stages[0]["pixels"].key != result.seed_stages[1]["pixels"].key
    # one run, two seeds' files: the per-seed accuracies land in accuracy-seeds.csv
    result.write(out)
    rows = list(csv.DictReader((out / "accuracy-seeds.csv").open()))
    assert [(r["seed"], r["stage"]) for r in rows] == [(str(k), s) for k in (0, 1)
                                                       for s in ("fine-tuned", "frozen", "pixels")]
    assert float(rows[3]["test_accuracy"]) == pytest.approx(result.seed_stages[1]["fine-tuned"].accuracy, abs=1e-4)
    # a second job reads both seeds back: nothing is trained again
    again = list(ClassifierJob(spec, out).steps())
    states = [p.state for p in again]
    assert states.count("pretrain_loaded") == 0 and states.count("stage_loaded") == 6
    assert "pretraining" not in states and "running" not in states
    assert [s["fine-tuned"].accuracy for s in again[-1].result.seed_stages] == \
        [s["fine-tuned"].accuracy for s in result.seed_stages]


def test_a_second_job_with_a_stage_missing_loads_that_seed_s_autoencoder(tmp_path):
    spec = spec_from_dict(raw_spec(tiny_mnist(tmp_path / "data"), seeds=2))
    out = tmp_path / "out"
    ClassifierJob(spec, out).run()
    (out / "fine-tuned.json").unlink()
    (out / "seed-1" / "frozen.json").unlink()
    states = [p.state for p in ClassifierJob(spec, out).steps()]
    assert states.count("pretrain_loaded") == 2 and "pretraining" not in states
    assert states.count("stage_loaded") == 4 and states.count("stage_done") == 2


def test_one_seed_writes_no_seeds_table(tmp_path):
    spec = spec_from_dict(raw_spec(tiny_mnist(tmp_path / "data")))
    result = ClassifierJob(spec, tmp_path / "out").run()
    result.write(tmp_path / "out")
    assert len(result.seed_stages) == 1 and not (tmp_path / "out" / "accuracy-seeds.csv").exists()
    assert not (tmp_path / "out" / "seed-1").exists()


def test_cancel_stops_the_seed_running_and_keeps_the_seeds_finished(tmp_path):
    """Cancelled while seed 1 pretrains: no later seed starts, and the result holds seed 0's
    stages, marked cancelled."""
    spec = spec_from_dict(raw_spec(tiny_mnist(tmp_path / "data"), seeds=3))
    job = ClassifierJob(spec, tmp_path / "out")
    items = []
    for p in job.steps():
        items.append(p)
        if p.seed == 1 and p.state == "pretraining":
            job.cancel()
    last = items[-1]
    assert last.state == "cancelled" and last.result.cancelled
    assert len(last.result.seed_stages) == 1 and set(last.result.stages) == {"fine-tuned", "frozen", "pixels"}
    assert not any(p.seed == 2 for p in items) and not (tmp_path / "out" / "seed-2").exists()


def _stage(name, accuracy, f1, val_losses):
    from aegui.core.analyses.classify.classifier import StageResult
    confusion = np.array([[8, 2], [2, 8]])
    report = {"classes": [{"class": "a", "precision": f1, "recall": f1, "f1": f1, "support": 10},
                          {"class": "b", "precision": f1, "recall": f1, "f1": f1, "support": 10}],
              "accuracy": accuracy, "support": 20, "macro": {"precision": f1, "recall": f1, "f1": f1},
              "weighted": {"precision": f1, "recall": f1, "f1": f1}}
    history = [{"epoch": e + 1, "loss": 1.0 / (e + 1), "train_accuracy": 0.9, "val_accuracy": accuracy,
                "val_loss": v} for e, v in enumerate(val_losses)]
    return StageResult(name, name, ["a", "b"], accuracy, 0.95, confusion, history, 2.0, report, 100, 20)


def test_the_report_takes_each_stage_as_mean_and_std_over_the_seeds(tmp_path, monkeypatch):
    """measured.stages gives each stage's accuracy and macro F1 as the mean ± population std over
    the seeds and how many ran; the fine-tuned stage's validation-loss curve of every seed is
    kept for the over-fitting check; the figures of one run are seed 0's and their titles say so,
    the accuracy of each stage is the mean ± std over the seeds and its title says that."""
    from aegui.core.analyses.classify.classifier import ClassifierResult
    from aegui.core.analyses.report.figures import figures as RF
    from aegui.core.analyses.report import render
    from aegui.core.analyses.report.render import _classifier
    titles = []
    for module, name in ((RF, "title_bar"), (RF, "confusion"), (render, "loss_curves"), (RF, "bars")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _real=real, **k: (titles.append(k.get("title") or a[1]),
                                                                        _real(*a, **k))[1])
    spec = spec_from_dict(raw_spec(tiny_mnist(tmp_path / "data"), seeds=3))
    seeds = [{"fine-tuned": _stage("fine-tuned", a, a - 0.01, [0.5, 0.4 + k / 10, 0.6]),
              "pixels": _stage("pixels", 0.9, 0.89, [0.5, 0.5, 0.5])}
             for k, a in enumerate((0.975, 0.976, 0.977))]
    result = ClassifierResult(spec, seeds[0], 30.0, 0.1, 40.0, False, "tiny", seeds)
    out = {"files": [], "tables": [], "measured": {}, "settings": {}}
    _classifier(None, result, tmp_path / "page", out)
    ft = out["measured"]["stages"]["fine-tuned"]
    assert ft["accuracy"] == pytest.approx(0.976) and ft["runs"] == 3
    assert ft["accuracy_std"] == pytest.approx(np.std([0.975, 0.976, 0.977]))
    assert ft["macro_f1"] == pytest.approx(0.966) and ft["macro_f1_std"] == pytest.approx(ft["accuracy_std"])
    assert out["measured"]["stages"]["pixels"]["accuracy_std"] == 0.0
    assert out["measured"]["val_loss_curves"] == [[0.5, 0.4 + k / 10, 0.6] for k in range(3)]
    assert "accuracy-seeds.csv" in out["tables"] and (tmp_path / "page" / "accuracy-seeds.csv").is_file()
    assert len(titles) == 5 and all("seed 0 of 3" in t for t in titles[:4]), titles
    assert "mean ± std over 3 seeds" in titles[4], titles


def test_a_report_row_whose_later_seeds_were_read_back_counts_as_resumed():
    """The report marks a row resumed (its time then counts the saved runs' own time) when any
    seed's stage came from an earlier, interrupted report, not only seed 0's."""
    from types import SimpleNamespace
    from aegui.core.analyses.report.run import _resumed
    fresh, saved = SimpleNamespace(loaded=False), SimpleNamespace(loaded=True)
    result = SimpleNamespace(stages={"fine-tuned": fresh}, seed_stages=[{"fine-tuned": fresh}, {"fine-tuned": saved}])
    assert _resumed(result) is True
    assert _resumed(SimpleNamespace(stages={"fine-tuned": fresh}, seed_stages=[{"fine-tuned": fresh}])) is False
