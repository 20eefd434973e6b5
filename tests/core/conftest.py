"""Fixtures for the core tests: the Font3 data and a small trained model."""
import pytest

from core_helpers import small_experiment


@pytest.fixture(scope="session")
def font3():
    from aegui.core.data.datasets import font_dataset
    return font_dataset(("Font3",))


@pytest.fixture(scope="session")
def trained(font3):
    """(model K=1, experiment, last record) of a small 2-D autoencoder trained a little."""
    from aegui.core.train.session import train
    exp = small_experiment(train={"epochs": 200, "learning_rate": 0.02})
    session, rec = train(exp, font3)
    return session.best_model(), exp, rec
