"""MNIST-style data in every layout students have (IDX .gz or plain, a folder, torchvision's
MNIST/raw, Keras' .npz): `aegui train` reads each, trains on the training files and reports the
reconstruction error on the official test files."""
import json

import numpy as np
import pytest

from aegui.cli import main
from aegui.core.schema.experiment import ConfigError, DataConfig, Experiment, ModelSpec, TrainConfig
from aegui.core.data.sources import sample_shape
from aegui.core.data.datasets import load_split, official_test_set
from aegui.core.data.mnist_files import find_layout, write_idx

N_TRAIN, N_TEST = 48, 12


def arrays(seed=0):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (N_TRAIN, 8, 8), dtype=np.uint8), np.arange(N_TRAIN, dtype=np.uint8) % 4,
            rng.integers(0, 256, (N_TEST, 8, 8), dtype=np.uint8), np.arange(N_TEST, dtype=np.uint8) % 4)


def idx_files(folder, gz=True, prefix=""):
    folder.mkdir(parents=True, exist_ok=True)
    x, y, xt, yt = arrays()
    ext = ".gz" if gz else ""
    write_idx(folder / f"{prefix}train-images-idx3-ubyte{ext}", x)
    write_idx(folder / f"{prefix}train-labels-idx1-ubyte{ext}", y)
    write_idx(folder / f"{prefix}t10k-images-idx3-ubyte{ext}", xt)
    write_idx(folder / f"{prefix}t10k-labels-idx1-ubyte{ext}", yt)
    return folder / f"{prefix}train-images-idx3-ubyte{ext}"


def keras_npz(path):
    x, y, xt, yt = arrays()
    np.savez(path, x_train=x, y_train=y, x_test=xt, y_test=yt)
    return path


def layouts(tmp_path):
    """name -> the path a student would give for it."""
    idx_files(tmp_path / "torch" / "MNIST" / "raw", gz=False)
    return {
        "idx-gz file": idx_files(tmp_path / "gz"),
        "plain idx file": idx_files(tmp_path / "plain", gz=False),
        "idx folder": idx_files(tmp_path / "folder").parent,
        "torchvision root": tmp_path / "torch",
        "torchvision raw": tmp_path / "torch" / "MNIST" / "raw",
        "keras npz": keras_npz(tmp_path / "mnist.npz"),
    }


@pytest.mark.parametrize("kind", ["idx-gz file", "plain idx file", "idx folder", "torchvision root",
                                  "torchvision raw", "keras npz"])
def test_every_layout_gives_train_and_official_test(tmp_path, kind):
    path = layouts(tmp_path)[kind]
    x, y, xt, yt = arrays()
    data = DataConfig(source="idx", path=str(path), val_split=0.25)
    train, val = load_split(data)
    test = official_test_set(data)
    assert len(train) + len(val) == N_TRAIN and len(test) == N_TEST
    assert sample_shape(data) == (8, 8) == tuple(train.shape)
    assert np.allclose(np.sort(np.concatenate([train.x, val.x]).ravel()), np.sort(x.ravel() / 255.0))
    assert np.allclose(test.x, xt.reshape(N_TEST, -1) / 255.0)          # the test files, untouched
    assert test.labels == [str(int(v)) for v in yt]


def test_layout_errors_name_the_path(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="no MNIST-style files") as e:
        find_layout(tmp_path / "empty")
    assert e.value.field == "data.path"
    np.savez(tmp_path / "bad.npz", images=np.zeros((2, 8, 8)))
    with pytest.raises(ConfigError, match="x_train, y_train, x_test, y_test"):
        load_split(DataConfig(source="idx", path=str(tmp_path / "bad.npz")))


def config(tmp_path):
    exp = Experiment(name="mnist-like", data=DataConfig(source="idx", path="unused", val_split=0.25),
                     model=ModelSpec(layers=(64, 16, 2, 16, 64), hidden_activation="elu"),
                     train=TrainConfig(epochs=3, batch_size=16, check_every=1, device="cpu", learning_rate=0.01))
    p = tmp_path / "cfg.json"
    p.write_text(exp.to_json())
    return p


@pytest.mark.parametrize("kind", ["idx-gz file", "torchvision root", "keras npz"])
def test_aegui_train_accepts_the_layout(tmp_path, kind, capsys):
    path = layouts(tmp_path)[kind]
    code = main(["train", str(config(tmp_path)), "--dataset", str(path), "--out", str(tmp_path / "run"), "--quiet"])
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["samples"] == N_TRAIN * 3 // 4 and result["val_samples"] == N_TRAIN // 4
    assert result["test_samples"] == N_TEST
    assert 0 < result["test_mse"] < 1 and result["test_bce_per_sample"] > 0


def test_probe_official_scores_on_the_test_files(tmp_path):
    from aegui.core.analyses.classify.probe import ProbeConfig, ProbeRunJob, ProbeSpec, official_probe_data
    path = layouts(tmp_path)["keras npz"]
    exp = Experiment(name="probe base", data=DataConfig(source="idx", path=str(path)),
                     model=ModelSpec(layers=(64, 16, 4, 16, 64), hidden_activation="elu"),
                     train=TrainConfig(epochs=2, batch_size=16, check_every=1, device="cpu"))
    spec = ProbeSpec(base=exp, data="official", max_samples=40, config=ProbeConfig(epochs=20), baseline=True)
    run = ProbeRunJob(spec).run()
    assert (run.probe.n_train, run.probe.n_val) == (40, N_TEST)       # the test files, not a split
    assert run.baseline.n_val == N_TEST
    assert int(run.probe.confusion.sum()) == N_TEST
    # The probe's data is named after both files (not "train-images... + train-images... (test)").
    plain = layouts(tmp_path / "again")["idx-gz file"]
    both, _ = official_probe_data(Experiment(name="p", data=DataConfig(source="idx", path=str(plain)),
                                             model=exp.model, train=exp.train))
    assert both.name == "train-images-idx3-ubyte, scored on t10k-images-idx3-ubyte"
    no_test = Experiment(name="x", data=DataConfig(source="digits"), model=exp.model, train=exp.train)
    with pytest.raises(ConfigError, match="no official test files"):
        ProbeRunJob(ProbeSpec(base=no_test, data="official"))


def test_embed_config_draws_the_official_test_set(tmp_path, capsys):
    path = layouts(tmp_path)["idx folder"]
    exp = Experiment(name="ae2d", data=DataConfig(source="idx", path=str(path)),
                     model=ModelSpec(layers=(64, 16, 2, 16, 64), hidden_activation="elu"),
                     train=TrainConfig(epochs=2, batch_size=16, check_every=1, device="cpu"))
    cfg = tmp_path / "ae2d.json"
    cfg.write_text(exp.to_json())
    code = main(["embed", "--config", str(cfg), "--out", str(tmp_path / "em"), "--panels", "ae,pca", "--quiet"])
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["points"] == 2 * N_TEST and result["panels"] == ["ae/latent", "pca/raw"]
    rows = (tmp_path / "em" / "embedding.csv").read_text().splitlines()
    assert len(rows) == 1 + 2 * N_TEST
