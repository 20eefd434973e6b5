"""model.flip_confidence: denoising keeps the drawn pixels the model is not sure about."""
import json
from dataclasses import replace

import numpy as np
import pytest

from core_helpers import small_experiment

from aegui.core.schema.experiment import ConfigError
from aegui.core.config.validation import validate
from aegui.core.config.load import experiment_from_json
from aegui.core.data.noise import apply_noise
from aegui.core.models import latent


def test_keep_sure_flips_only_confident_pixels():
    x = np.array([[1, 1, 0, 0, 1, 0]], np.float32)
    out = np.array([[0.05, 0.3, 0.95, 0.6, 0.9, 0.1]], np.float32)
    kept = latent.keep_sure(x, out, 0.8)
    # Pixel 0 (on, model 95 % sure it is off) and pixel 2 (off, 95 % sure on) change; the
    # unsure pixels 1 and 3 keep the drawing's value; 4 and 5 agree with it anyway.
    assert ((kept >= 0.5) == np.array([[0, 1, 1, 0, 1, 0]], bool)).all()
    assert ((latent.keep_sure(x, out, 0.5) >= 0.5) == (out >= 0.5)).all()


def test_denoise_follows_the_models_spec(trained, font3):
    model, _, _ = trained
    noisy = apply_noise(np.repeat(font3.x, 5, 0), "salt_pepper", 0.2, np.random.default_rng(0))
    plain = latent.reconstruct(model, noisy)
    assert np.array_equal(latent.denoise(model, noisy), plain)        # 0.5: the model as it is
    model.spec = replace(model.spec, flip_confidence=0.9)
    try:
        gated = latent.denoise(model, noisy)
    finally:
        model.spec = replace(model.spec, flip_confidence=0.5)
    changed = (gated >= 0.5) != (noisy >= 0.5)
    would = (plain >= 0.5) != (noisy >= 0.5)
    assert changed.sum() < would.sum()                  # fewer pixels changed than the model wants
    assert not (changed & ~would).any()                 # and only ones the model wanted changed
    sure = np.maximum(plain, 1 - plain) >= 0.9
    assert (sure[changed]).all() and not (would & sure & ~changed).any()


def test_flip_confidence_is_checked_and_kept_in_json():
    exp = small_experiment(model={"kind": "dae", "flip_confidence": 0.7})
    validate(exp)
    assert experiment_from_json(json.dumps(exp.to_dict()))[0].model.flip_confidence == 0.7
    for bad in (0.4, 1.0, "0.7", True):
        with pytest.raises(ConfigError, match="flip_confidence"):
            validate(replace(exp, model=replace(exp.model, flip_confidence=bad)))
    emoji = replace(exp, data=replace(exp.data, source="emoji"))
    with pytest.raises(ConfigError, match="5x7 glyphs"):
        validate(emoji)
