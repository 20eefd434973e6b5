import numpy as np
import pytest

from aegui.core.data.noise import KINDS, apply_noise


@pytest.fixture
def glyphs():
    return (np.random.default_rng(0).random((400, 35)) < 0.4).astype(np.float32)


@pytest.mark.parametrize("kind", KINDS)
def test_level_zero_is_identity(glyphs, kind):
    out = apply_noise(glyphs, kind, 0.0, np.random.default_rng(1))
    np.testing.assert_array_equal(out, glyphs)
    assert out is not glyphs


@pytest.mark.parametrize("kind", KINDS)
def test_shape_dtype_and_input_untouched(glyphs, kind):
    before = glyphs.copy()
    out = apply_noise(glyphs, kind, 0.3, np.random.default_rng(1))
    assert out.shape == glyphs.shape and out.dtype == np.float32
    np.testing.assert_array_equal(glyphs, before)
    assert (out >= 0).all() and (out <= 1).all()


def test_bit_flip_at_one_inverts(glyphs):
    np.testing.assert_array_equal(apply_noise(glyphs, "bit_flip", 1.0, np.random.default_rng(1)), 1 - glyphs)


def test_bit_flip_fraction(glyphs):
    out = apply_noise(glyphs, "bit_flip", 0.2, np.random.default_rng(2))
    assert abs((out != glyphs).mean() - 0.2) < 0.02


@pytest.mark.parametrize("level", [0.1, 0.3, 1.0])
def test_salt_and_pepper_changes_about_half_the_level(glyphs, level):
    out = apply_noise(glyphs, "salt_pepper", level, np.random.default_rng(3))
    assert set(np.unique(out)) <= {0.0, 1.0}
    assert abs((out != glyphs).mean() - level / 2) < 0.02


def test_salt_and_pepper_on_a_blank_image_salts_about_half(glyphs):
    blank = np.zeros_like(glyphs)
    out = apply_noise(blank, "salt_pepper", 0.4, np.random.default_rng(4))
    assert abs(out.mean() - 0.2) < 0.02


def test_gaussian_is_clipped(glyphs):
    out = apply_noise(glyphs, "gaussian", 0.5, np.random.default_rng(5))
    assert out.min() == 0.0 and out.max() == 1.0
    assert ((out > 0) & (out < 1)).any()             # not just thresholded
    on, off = glyphs == 1, glyphs == 0
    assert (out[on] == 1.0).mean() > 0.4             # about half of the noise pushes up, clipped
    assert (out[off] == 0.0).mean() > 0.4


def test_gaussian_level_is_the_standard_deviation():
    mid = np.full((200, 50), 0.5, np.float32)
    out = apply_noise(mid, "gaussian", 0.05, np.random.default_rng(6))
    assert (out - 0.5).std() == pytest.approx(0.05, rel=0.05)


@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_same_output_other_seed_differs(glyphs, kind):
    a = apply_noise(glyphs, kind, 0.3, np.random.default_rng(42))
    b = apply_noise(glyphs, kind, 0.3, np.random.default_rng(42))
    c = apply_noise(glyphs, kind, 0.3, np.random.default_rng(43))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_works_on_broadcast_read_only_views(glyphs):
    view = np.broadcast_to(glyphs, (3, *glyphs.shape))
    out = apply_noise(view, "bit_flip", 0.5, np.random.default_rng(7))
    assert out.shape == (3, *glyphs.shape)
    assert not np.array_equal(out[0], out[1])        # each copy gets its own noise


@pytest.mark.parametrize("kind, level", [("speckle", 0.1), ("pepper", 0.1), ("bit_flip", -0.1),
                                         ("salt_pepper", 1.5), ("gaussian", 2.0)])
def test_bad_kind_or_level(glyphs, kind, level):
    with pytest.raises(ValueError):
        apply_noise(glyphs, kind, level, np.random.default_rng(0))
