"""The real MNIST digits (../shared/data/mnist, byte for byte the published files once unpacked):
the loaders and the official split, a short training measured on the official test set, and the
stacked-autoencoder classifier. Skipped where the files are absent (CI's clean clone); each test
keeps to a few seconds of training (the full runs are `aegui report` and bench/real_mnist.py)."""
import numpy as np
import pytest

from aegui.core.schema.experiment import DataConfig


@pytest.fixture(scope="module")
def mnist_home(real_mnist, tmp_path_factory):
    """A data folder where MNIST is registered from the shared folder, as `aegui data add mnist
    FOLDER` does (the files are checked against the published hashes once per module)."""
    import os
    home = tmp_path_factory.mktemp("home")
    old = os.environ.get("AEGUI_HOME")
    os.environ["AEGUI_HOME"] = str(home)
    try:
        from aegui.core.data.local_files import register
        register("mnist", real_mnist)
    finally:
        if old is None:
            os.environ.pop("AEGUI_HOME", None)
        else:
            os.environ["AEGUI_HOME"] = old
    return home


@pytest.fixture
def registered(mnist_home, monkeypatch):
    """The core conftest gives every test a fresh AEGUI_HOME; these share the one above."""
    monkeypatch.setenv("AEGUI_HOME", str(mnist_home))
    return DataConfig(source="idx", catalogue="mnist")


def test_the_official_split_and_its_first_digits(registered, real_mnist):
    from aegui.core.data.mnist_sets import train_test
    train, test = train_test(registered)
    assert (len(train), len(test), train.dim, tuple(train.shape)) == (60000, 10000, 784, (28, 28))
    assert (train.labels[0], test.labels[0]) == ("5", "7")        # MNIST's well-known first digits
    assert train.x.dtype == np.float32 and 0 <= train.x.min() and train.x.max() == 1.0
    assert test.name == "mnist (test)"
    # The catalogue and the folder itself read the same pixels.
    direct, direct_test = train_test(DataConfig(source="idx", path=str(real_mnist)))
    assert np.array_equal(direct.x[:500], train.x[:500]) and direct_test.labels == test.labels
    assert direct_test.name == "t10k-images-idx3-ubyte"


def test_a_short_training_beats_the_mean_image_on_the_test_set(registered, tmp_path):
    from aegui.core.analyses.compare.runs import CompareJob, spec_from_dict
    spec = spec_from_dict({
        "analysis": "compare", "name": "short", "test": "official",
        "base": {"name": "short", "data": {"source": "idx", "catalogue": "mnist", "max_samples": 5000},
                 "model": {"layers": [784, 32, 784], "latent_activation": "identity"},
                 "train": {"loss": "mse", "optimizer": "adam", "learning_rate": 0.003, "epochs": 3,
                           "batch_size": 64, "seed": 0, "device": "cpu", "check_every": 1}}})
    result = CompareJob(spec, tmp_path).run()
    run = result.runs[0]
    from aegui.core.data.mnist_sets import train_test
    train, test = train_test(registered)
    baseline = float(((test.x - train.x.mean(0)) ** 2).mean())      # always answering the mean digit
    assert run.test_loss[-1] < run.test_loss[0] and run.test_loss[-1] < 0.6 * baseline
    assert run.metrics["test_samples"] == 10000
    # The run is kept: a second job reads it back instead of training.
    again = CompareJob(spec, tmp_path).run().runs[0]
    assert again.loaded and np.allclose(again.test_loss, run.test_loss, atol=1e-7)


def test_the_stacked_classifier_fine_tuned_beats_its_frozen_codes(registered, tmp_path):
    from aegui.core.analyses.classify.classifier import ClassifierJob, spec_from_dict
    spec = spec_from_dict({
        "analysis": "classifier", "name": "short classifier", "max_samples": 6000,
        "base": {"name": "ae", "data": {"source": "idx", "catalogue": "mnist", "max_samples": 6000},
                 "model": {"layers": [784, 64, 16, 64, 784], "hidden_activation": "relu"},
                 "train": {"optimizer": "adam", "learning_rate": 0.002, "epochs": 2, "batch_size": 128, "seed": 0,
                           "device": "cpu", "check_every": 1}},
        "head": {"epochs": 6, "learning_rate": 0.003, "batch_size": 128, "check_every": 1}})
    result = ClassifierJob(spec, tmp_path).run()
    ft, fr, px = (result.stages[s] for s in ("fine-tuned", "frozen", "pixels"))
    assert ft.n_test == 10000 and ft.n_train == 6000
    assert ft.accuracy > 0.9 and ft.accuracy > fr.accuracy, (ft.accuracy, fr.accuracy)
    assert px.accuracy > 0.8
    rows = ft.report["classes"]
    assert [r["class"] for r in rows] == [str(d) for d in range(10)]
    assert [r["support"] for r in rows] == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert abs(ft.report["accuracy"] - ft.accuracy) < 1e-9
