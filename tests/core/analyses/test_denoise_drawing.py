"""A drawing denoised as the editor shows it, without Qt: the model's output for the noisy copy,
the local model used only when the clean drawing is not one the model gives back as it is and the
user keeps that choice, and a broken model reported instead of raised."""
import numpy as np

from aegui.core.analyses.denoise.drawing import denoise_drawing

T = np.array([[1, 1, 1, 1, 1]] + [[0, 0, 1, 0, 0]] * 6, np.float32)


class Familiarity:
    """Stands for aegui.core.models.familiarity.Familiarity with a fixed error and limits."""

    def __init__(self, error: float, known: float = 1.0, limit: float = 3.0):
        self._error, self._known, self._limit = error, known, limit

    def error(self, glyph) -> float:
        return self._error

    def is_known(self, error: float) -> bool:
        return error <= self._known

    def is_unfamiliar(self, error: float) -> bool:
        return error > self._limit


def inverted(batch):
    return 1.0 - batch


def zeros(batch):
    return np.zeros_like(batch)


def test_without_a_model_nothing_is_shown():
    r = denoise_drawing(T, T, None, Familiarity(9.0), ("local", zeros), True)
    assert r.output is None and r.error is None and not r.fell_back and not r.offer_fallback


def test_the_output_is_the_models_for_the_noisy_copy_clipped_to_a_glyph():
    noisy = T.copy()
    noisy[3, 0] = 1.0
    r = denoise_drawing(T, noisy, lambda b: b * 2.0 - 0.5, None, None, False)
    assert r.output.shape == (7, 5) and r.output.dtype == np.float32
    np.testing.assert_array_equal(r.output, np.clip(noisy * 2.0 - 0.5, 0.0, 1.0))
    assert r.unfamiliar is None and r.drawn_error == 0.0


def test_a_known_drawing_keeps_the_model_and_offers_no_fallback():
    r = denoise_drawing(T, T, inverted, Familiarity(0.5), ("local", zeros), True)
    np.testing.assert_array_equal(r.output, 1.0 - T)
    assert not r.offer_fallback and not r.fell_back and r.unfamiliar is None and r.drawn_error == 0.5


def test_a_drawing_the_model_snaps_offers_the_local_model_and_uses_it_when_chosen():
    snapped = denoise_drawing(T, T, inverted, Familiarity(2.0), ("local", zeros), True)
    assert snapped.offer_fallback and snapped.fell_back and snapped.unfamiliar is None
    np.testing.assert_array_equal(snapped.output, np.zeros((7, 5), np.float32))
    kept = denoise_drawing(T, T, inverted, Familiarity(2.0), ("local", zeros), False)
    assert kept.offer_fallback and not kept.fell_back
    np.testing.assert_array_equal(kept.output, 1.0 - T)
    unfamiliar = denoise_drawing(T, T, inverted, Familiarity(5.0), ("local", zeros), True)
    assert unfamiliar.unfamiliar == 5.0 and unfamiliar.fell_back
    alone = denoise_drawing(T, T, inverted, Familiarity(5.0), None, True)
    assert alone.unfamiliar == 5.0 and not alone.offer_fallback and not alone.fell_back


def test_a_broken_model_is_reported_not_raised():
    def broken(batch):
        raise RuntimeError("weights gone")

    r = denoise_drawing(T, T, broken, None, None, False)
    assert r.output is None and r.error == "weights gone"
    r = denoise_drawing(T, T, lambda b: b.reshape(2, -1)[:1], None, None, False)   # wrong size back
    assert r.output is None and r.error
