"""A denoising curve states its figure at the level the models were trained with, measured on
noisy inputs beside the noisy input's own error."""
import json

import pytest

from aegui.core.analyses.denoise.curve import CurveSpec, DenoiseCurveJob
from aegui.core.runs.storage import save_model

from core_helpers import small_experiment


def dae(level=0.3):
    return small_experiment(model={"kind": "dae", "layers": (35, 16, 8, 16, 35)},
                            train={"epochs": 100, "learning_rate": 0.01},
                            noise={"kind": "salt_pepper", "level": level})


def test_the_curve_reports_the_trained_level_on_noisy_inputs(tmp_path):
    spec = CurveSpec(name="t", base=dae(), seeds=2, kinds=("salt_pepper",), levels=(0.0, 0.3, 0.6), repeats=5,
                     char_kind="salt_pepper", char_level=0.3)
    res = DenoiseCurveJob(spec).run()
    at = res.at_trained_level()
    c = res.curve("salt_pepper")
    assert (at["kind"], at["level"]) == ("salt_pepper", 0.3)
    assert at["mean"] == pytest.approx(c["mean"][1]) and at["baseline_mean"] == pytest.approx(c["baseline_mean"][1])
    assert at["baseline_mean"] == pytest.approx(0.3 * 35 / 2, rel=0.15)    # a noisy input, not a clean one
    assert json.loads(res.write(tmp_path)["json"].read_text())["at_trained_level"]["level"] == 0.3


def test_loaded_models_carry_their_training_noise(tmp_path, font3):
    from aegui.core.train.session import train
    exp = dae(0.6)
    session, _ = train(exp, font3)
    save_model(tmp_path / "m", session.best_model(), exp)
    spec = CurveSpec(name="t", model_paths=(str(tmp_path / "m"),), seeds=1, kinds=("salt_pepper",),
                     levels=(0.0, 0.6), repeats=3, char_kind="salt_pepper", char_level=0.6)
    at = DenoiseCurveJob(spec).run().at_trained_level()
    assert at["level"] == 0.6 and at["baseline_mean"] > 5
    plain = CurveSpec(name="t", model_paths=(str(tmp_path / "m"),), seeds=1, kinds=("salt_pepper",),
                      levels=(0.0, 0.5), repeats=3, char_kind="salt_pepper", char_level=0.5)
    assert DenoiseCurveJob(plain).run().at_trained_level() is None      # 60 % was not measured
