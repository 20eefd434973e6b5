"""How far a glyph is from a model's training set: the limit comes from the training glyphs."""
import numpy as np
import pytest

from core_helpers import ROOT

from aegui.core.schema.experiment import AugmentConfig
from aegui.core.data.datasets import font_dataset
from aegui.core.runs.storage import load_model
from aegui.core.models.familiarity import MIN_LIMIT, familiarity, reconstruction_error
from aegui.core.models.latent import reconstruct


@pytest.fixture(scope="module")
def font3_dae():
    model, exp, _ = load_model(ROOT / "models" / "font3-dae")
    return (lambda x: reconstruct(model, x)), exp


def test_the_shipped_font3_denoiser_knows_font3_and_not_the_other_fonts(font3_dae):
    fn, exp = font3_dae
    fam = familiarity(fn, font_dataset(("Font3",)).x, exp.augment)
    assert fam.limit == MIN_LIMIT and fam.training_max < MIN_LIMIT
    assert not any(fam.is_unfamiliar(e) for e in reconstruction_error(fn, font_dataset(("Font3",)).x))
    # Capitals and digits were never shown to it: each is snapped, and each is flagged.
    for font in ("Font1", "Font2"):
        errors = reconstruction_error(fn, font_dataset((font,)).x)
        assert all(fam.is_unfamiliar(e) for e in errors), font


def test_reconstruction_error_counts_a_wrong_pixel_as_one():
    x = np.zeros((2, 35), np.float32)
    x[1, :3] = 1
    errors = reconstruction_error(lambda g: np.zeros_like(g), x)
    np.testing.assert_allclose(errors, [0.0, 3.0])


def test_with_augmentation_the_limit_also_covers_augmented_copies(font3_dae):
    fn, _ = font3_dae
    x = font_dataset(("Font3",)).x
    plain = familiarity(fn, x, AugmentConfig())
    augmented = familiarity(fn, x, AugmentConfig(enabled=True))
    # This model never saw shifted glyphs, so their errors raise the limit above the floor.
    assert augmented.limit > plain.limit
    assert familiarity(fn, x, AugmentConfig(enabled=True)) == augmented     # seeded copies


def test_the_fallback_denoises_exactly_the_unfamiliar_drawings(font3_dae):
    from aegui.core.models.familiarity import denoise_with_fallback
    fn, exp = font3_dae
    fam = familiarity(fn, font_dataset(("Font3",)).x, exp.augment)
    drawn = np.concatenate([font_dataset(("Font3",)).x[:4], font_dataset(("Font2",)).x[:3]])
    noisy = drawn.copy()
    noisy[:, 0] = 1 - noisy[:, 0]
    out, fell = denoise_with_fallback(fn, lambda x: np.full_like(x, 0.25), fam, drawn, noisy)
    assert fell.tolist() == [False] * 4 + [True] * 3        # Font3 is its own; capitals are not
    assert np.allclose(out[4:], 0.25) and np.allclose(out[:4], fn(noisy)[:4])
    # Decided on the drawing, not the noisy copy: a noisy Font3 glyph stays with the model.
    assert fam.error(noisy[0]) > fam.limit and not fell[0]
