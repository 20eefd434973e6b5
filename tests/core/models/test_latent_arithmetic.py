"""Latent arithmetic: a − b + c on codes, and the sample it lands nearest to."""
import numpy as np
import pytest

from aegui.core.models.latent_arithmetic import analogy, nearest


def test_a_minus_b_plus_c_is_c_moved_by_the_step_from_b_to_a():
    a, b, c = np.array([3.0, 1.0]), np.array([1.0, 1.0]), np.array([0.5, -2.0])
    np.testing.assert_allclose(analogy(a, b, c), [2.5, -2.0])
    assert analogy(a, b, c).dtype == np.float32
    np.testing.assert_allclose(analogy(a, b, c, strength=0.5), [1.5, -2.0])
    np.testing.assert_allclose(analogy(a, a, c), c)          # no step, no change
    np.testing.assert_allclose(analogy(a, c, c), a)          # b = c lands on a


def test_codes_of_different_sizes_or_not_finite_are_refused():
    with pytest.raises(ValueError, match="one latent size"):
        analogy([1, 2], [1, 2, 3], [0, 0])
    with pytest.raises(ValueError, match="finite"):
        analogy([1, np.nan], [0, 0], [0, 0])


def test_nearest_names_the_closest_sample_and_can_skip_some():
    codes = np.array([[0, 0], [1, 0], [5, 5]], np.float32)
    assert nearest(codes, [0.9, 0.2]) == 1
    assert nearest(codes, [0.9, 0.2], exclude=[1]) == 0
    assert nearest(codes, [0, 0], exclude=[0, 1, 2]) is None
    assert nearest(np.zeros((0, 2)), [0, 0]) is None
