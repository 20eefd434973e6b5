"""Shape augmentation of 5x7 glyphs, mixed noise, the augment config section and its training hook."""
import json

import numpy as np
import pytest

from core_helpers import small_experiment

from aegui.core.schema.experiment import ConfigError, Experiment
from aegui.core.config.validation import experiment_from_dict, with_changes
from aegui.core.config.load import experiment_from_json
from aegui.core.data import augment as A
from aegui.core.data.datasets import font_dataset
from aegui.core.train.session import TrainingSession, train


@pytest.fixture(scope="module")
def glyphs():
    return font_dataset(("all",))


def _binary_5x7(x):
    return x.shape[1] == 35 and x.dtype == np.float32 and set(np.unique(x)) <= {0.0, 1.0}


def test_augmented_glyphs_stay_5x7_binary_and_keep_their_ink(glyphs):
    out = A.augment(glyphs.x, np.random.default_rng(0), 1.0, 0.3, 0.3, 1.0)
    assert out.shape == glyphs.x.shape and _binary_5x7(out)
    ink = glyphs.x.sum(1)
    inked = ink > 3
    # Nothing is wiped out: thinning takes at most one column of a thick stroke, a cut one pixel.
    assert (out.sum(1)[inked] >= 0.5 * ink[inked]).all()
    assert (out != glyphs.x).any(1).mean() > 0.5          # most glyphs did change


def test_a_shift_moves_the_ink_by_one_pixel_without_losing_any(glyphs):
    x = glyphs.x
    out = A.augment(x, np.random.default_rng(1), shift_p=1.0, thicken_p=0, thin_p=0, distort_p=0)
    moved = 0
    for before, after in zip(x.reshape(-1, 7, 5), out.reshape(-1, 7, 5)):
        assert before.sum() == after.sum()                 # no ink pushed off the grid
        if (before != after).any():
            moved += 1
            ys, xs = np.nonzero(before)
            ys2, xs2 = np.nonzero(after)
            dy, dx = ys2.min() - ys.min(), xs2.min() - xs.min()
            assert max(abs(dy), abs(dx)) == 1
            assert np.array_equal(np.roll(before, (dy, dx), axis=(0, 1)), after)
    assert moved > 20


def test_a_glyph_filling_the_whole_cell_cannot_be_shifted():
    box = np.ones((1, 35), np.float32)
    out = A.augment(box, np.random.default_rng(0), 1.0, 0, 0, 0)
    assert np.array_equal(out, box)


def test_thicken_then_thin_gives_back_a_one_pixel_vertical_stroke():
    img = np.zeros((1, 7, 5), bool)
    img[0, 1:6, 1] = True                                  # an 'l'-like vertical bar
    bold = A.thicken(img, np.array([True]))
    assert bold[0, 1:6, 1:3].all() and bold.sum() == 10
    assert np.array_equal(A.thin(bold, np.array([True])), img)
    bar = np.zeros((1, 7, 5), bool)
    bar[0, 3, :] = True                                    # a horizontal bar is left alone
    assert np.array_equal(A.thin(bar, np.array([True])), bar)


def test_augmentation_is_seeded(glyphs):
    a = A.augment(glyphs.x, np.random.default_rng(5))
    b = A.augment(glyphs.x, np.random.default_rng(5))
    c = A.augment(glyphs.x, np.random.default_rng(6))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_mixed_noise_draws_kinds_and_levels_per_sample():
    x = np.zeros((2, 4000, 35), np.float32)
    out = A.mixed_noise(x, ("bit_flip",), (0.0, 0.4), np.random.default_rng(0))
    frac = out.mean(-1).ravel()                            # per-sample level of flipped pixels
    assert out.shape == x.shape and set(np.unique(out)) <= {0.0, 1.0}
    assert frac.min() < 0.05 and frac.max() > 0.3 and abs(frac.mean() - 0.2) < 0.01
    mixed = A.mixed_noise(x + 0.5, ("salt_pepper", "gaussian"), (0.2, 0.2), np.random.default_rng(0))
    binary = np.isin(mixed, (0.0, 1.0, 0.5)).all(-1)
    assert 0.3 < binary.mean() < 0.7                       # about half the samples got each kind
    with pytest.raises(ValueError, match="nope"):
        A.mixed_noise(x, ("nope",), (0, 0.1), np.random.default_rng(0))


def test_augment_section_defaults_off_and_old_configs_still_load():
    raw = Experiment().to_dict()
    assert raw["augment"]["enabled"] is False
    del raw["augment"]                                     # a config / model saved before it existed
    exp = experiment_from_dict(raw)
    assert exp.augment.enabled is False
    # Without its version it is still recognised as a native config (and refused by name),
    # not misread as a student's.
    no_version = {k: v for k, v in raw.items() if k != "schema_version"}
    with pytest.raises(ConfigError) as e:
        experiment_from_json(json.dumps(no_version))
    assert e.value.field == "schema_version"


@pytest.mark.parametrize("section, problem", [
    ({"shift": 1.5}, "augment.shift"),
    ({"noise_kinds": ["pink"]}, "augment.noise_kinds[0]"),
    ({"noise_levels": [0.3, 0.1]}, "augment.noise_levels"),
    ({"noise_levels": [0.1]}, "augment.noise_levels"),
])
def test_bad_augment_values_name_the_field(section, problem):
    raw = Experiment().to_dict()
    raw["augment"].update(section)
    with pytest.raises(ConfigError) as e:
        experiment_from_dict(raw)
    assert e.value.field == problem


def test_augmentation_refuses_images_fixed_noise_and_scipy():
    with pytest.raises(ConfigError, match="augment.enabled"):
        with_changes(Experiment(), data={"source": "digits"}, augment={"enabled": True})
    with pytest.raises(ConfigError, match="noise.mode"):
        with_changes(Experiment(), model={"kind": "dae"}, noise={"mode": "fixed"}, augment={"enabled": True})
    with pytest.raises(ConfigError, match="augment.enabled"):
        with_changes(Experiment(), train={"optimizer": "bfgs"}, augment={"enabled": True})


def test_augmented_denoising_training_is_seeded_and_learns(glyphs):
    exp = small_experiment(model={"kind": "dae", "layers": (35, 32, 35)},
                           train={"epochs": 150, "learning_rate": 0.02, "check_every": 50},
                           augment={"enabled": True, "noise_kinds": ("salt_pepper", "bit_flip"),
                                    "noise_levels": (0.0, 0.2)})
    data = font_dataset(("Font3",))
    s1, rec = train(exp, data)
    s2, _ = train(exp, data)
    assert np.array_equal(s1.model.flat.detach().numpy(), s2.model.flat.detach().numpy())
    first = s1.history.rows()[0]["loss_total"]
    assert rec.losses["total"] < first and rec.mean_wrong < 3
    plain, _ = train(with_changes(exp, augment={"enabled": False}), data)
    assert not np.array_equal(s1.model.flat.detach().numpy(), plain.model.flat.detach().numpy())


def test_a_session_refuses_augmentation_of_samples_that_are_not_glyphs():
    from aegui.core.data.dataset import Dataset
    exp = small_experiment(model={"layers": (16, 4, 16)}, augment={"enabled": True})
    data = Dataset("squares", np.zeros((3, 16), np.float32), ["a", "b", "c"], (4, 4))
    with pytest.raises(ConfigError, match="5x7"):
        TrainingSession(exp, data)


def test_splice_strokes_and_keep(glyphs):
    x = glyphs.x
    rng = np.random.default_rng(2)
    assert np.array_equal(A.augment(x, rng, 1, 1, 1, 1, 1, 1, keep_p=1.0), x)     # all kept as they are
    drawn = A.augment(x, rng, 0, 0, 0, 0, strokes_p=1.0)
    assert _binary_5x7(drawn) and (drawn.sum(1) >= 2).all()
    assert not any((d == g).all() for d in drawn[:20] for g in x)                  # shapes no font has
    spliced = A.augment(x, rng, 0, 0, 0, 0, splice_p=1.0).reshape(-1, 7, 5)
    whole = x.reshape(-1, 7, 5)
    # Every spliced glyph takes its rows (or columns) from glyphs of the set.
    top_ok = [any((s[:2] == g[:2]).all() for g in whole) or any((s[:, :2] == g[:, :2]).all() for g in whole)
              for s in spliced]
    assert all(top_ok)
