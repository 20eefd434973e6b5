"""Two models side by side (aegui.core.analyses.compare.two_models)."""
import numpy as np
import pytest

from aegui.core.analyses.compare.two_models import CompareError, compare
from aegui.core.schema.experiment import Experiment
from aegui.core.config.validation import with_changes
from aegui.core.data.datasets import from_config
from aegui.core.data.noise import apply_noise
from aegui.core.runs.storage import load_model
from aegui.core.models import latent
from aegui.core.archs import build_model

from core_helpers import ROOT


def untrained(exp, seed=1):
    model = build_model(exp.model, 1)
    model.init_weights([seed])
    return model


@pytest.fixture(scope="module")
def shipped():
    mlp, mlp_exp, _ = load_model(ROOT / "models" / "general-5x7-dae")
    local, local_exp, _ = load_model(ROOT / "models" / "general-5x7-local")
    return mlp, mlp_exp, local, local_exp


def test_two_denoisers_on_the_course_glyphs(shipped):
    mlp, mlp_exp, local, local_exp = shipped
    c = compare(mlp, mlp_exp, local, local_exp, repeats=5, seed=3)
    x = from_config(mlp_exp.data).x
    assert len(c.inputs) == 96 and c.shape == (7, 5) and c.labels[33] == "A"
    np.testing.assert_array_equal(c.inputs, x)
    # The same inputs' codes and outputs from both (the local model keeps pixels it is unsure of).
    assert c.codes[0].shape == (96, 256) and c.codes[1].shape == (96, 32 * 35)
    np.testing.assert_allclose(c.codes[1], latent.encode(local, x), atol=1e-6)
    np.testing.assert_allclose(c.reconstructions[0], latent.denoise(mlp, x), atol=1e-6)
    np.testing.assert_allclose(c.reconstructions[1], latent.denoise(local, x), atol=1e-6)
    # Metrics computed here from the outputs, and the noisy copies drawn here.
    noisy = apply_noise(np.repeat(x, 5, axis=0), "salt_pepper", 0.1, np.random.default_rng(3))
    truth = np.repeat(x, 5, axis=0) >= 0.5
    for side, model in enumerate((mlp, local)):
        wrong = ((latent.denoise(model, x) >= 0.5) != (x >= 0.5)).sum(1)
        assert c.row("max_wrong").values[side] == wrong.max()
        assert c.row("mean_wrong").values[side] == pytest.approx(wrong.mean())
        after = ((latent.denoise(model, noisy) >= 0.5) != truth).sum(1).mean()
        assert c.row("noisy_wrong").values[side] == pytest.approx(after)
    assert c.noise == ("salt_pepper", 0.1)
    assert c.row("noisy_wrong_input").values[0] == pytest.approx(((noisy >= 0.5) != truth).sum(1).mean())
    # The MLP knows these glyphs: fewer wrong pixels under noise.
    assert c.row("noisy_wrong").better == 0
    assert c.row("parameters").values == (mlp.parameter_count(), local.parameter_count())
    assert c.row("latent").values == (256, 1120) and c.row("latent").better is None
    assert c.row("kind").values == ("dae", "dae") and c.row("architecture").values[0] == "fully connected (MLP): 35 → 256 → 256 → 35"
    assert "psnr" not in [r.key for r in c.rows]
    labels = [label for label, _, _ in c.table()]
    assert "mean wrong pixels at salt-and-pepper 10 %" in labels
    # Linked hover: the sample under a point of one map is found and ringed in the other.
    for side in (0, 1):
        assert c.nearest(side, c.xy[side][40]) == 40
    assert c.xy[0].shape == c.xy[1].shape == (96, 2)


def test_better_model_and_losses(trained, font3):
    model, exp, _ = trained
    c = compare(untrained(exp), exp, model, exp, names=("fresh", "trained"))
    assert c.names == ("fresh", "trained") and len(c.inputs) == 32
    assert c.row("mean_wrong").better == 1 and c.row("loss").better == 1 and c.row("mse").better == 1
    assert c.row("loss").values[0] > c.row("loss").values[1]
    assert "noisy_wrong" not in [r.key for r in c.rows] and c.noise is None
    # A 2-D code is its own map.
    np.testing.assert_allclose(c.xy[1], c.codes[1], atol=1e-6)
    vae_exp = with_changes(exp, model={"kind": "vae"})
    v = compare(model, exp, untrained(vae_exp), vae_exp)
    assert v.row("loss").better is None and "KL" in v.row("loss").note and v.notes
    assert v.codes[1].shape == (32, 2)


def test_images_get_psnr_not_wrong_pixels():
    base = with_changes(Experiment(), data={"source": "digits", "max_samples": 60}, train={"loss": "mse"})
    mlp_exp = with_changes(base, model={"layers": (64, 16, 4, 16, 64)})
    conv_exp = with_changes(base, model={"arch": "conv", "layers": (64, 4, 64), "input_shape": (8, 8, 1),
                                         "channels": (4,)})
    c = compare(untrained(mlp_exp), mlp_exp, untrained(conv_exp), conv_exp, noise=("gaussian", 0.2), repeats=2)
    keys = [r.key for r in c.rows]
    assert "psnr" in keys and "mean_wrong" not in keys and "noisy_mse" in keys
    assert c.row("loss").better is not None          # both MSE: comparable
    assert c.shape == (8, 8) and c.reconstructions[1].shape == (60, 64)
    assert c.row("architecture").values[1] == "convolutional: 8×8×1 → 4×4×4 → 4 → 4×4×4 → 8×8×1"


def test_refuses_models_of_different_data(trained):
    model, exp, _ = trained
    digits = with_changes(Experiment(), data={"source": "digits"}, model={"layers": (64, 8, 64)})
    with pytest.raises(CompareError) as err:
        compare(model, exp, untrained(digits), digits, names=("Font3 AE", "digits AE"))
    text = str(err.value)
    assert "Font3 AE reads 5x7 glyphs (35 values)" in text and "digits AE reads 8x8 grey images (64 values)" in text
    emoji = with_changes(Experiment(), data={"source": "emoji", "size": 16, "color": "rgb"},
                         model={"layers": (768, 8, 768)})
    with pytest.raises(CompareError, match="16x16 RGB images"):
        compare(untrained(emoji), emoji, model, exp)
    with pytest.raises(CompareError, match="pick data of that shape"):
        compare(model, exp, model, exp, data=from_config(digits.data))


def test_a_model_that_held_glyphs_out_is_scored_on_each_set_apart(trained):
    """A model whose name says "— 0 px" (its training set's worst) showed 17 wrong pixels in the
    comparison, all of them on glyphs it held out for validation: each set is counted apart."""
    from aegui.core.analyses.compare.two_models import held_out_mask
    from aegui.core.data.datasets import split
    model, exp, _ = trained
    held_exp = with_changes(exp, data={"val_split": 0.2, "split_seed": 3})
    full = from_config(held_exp.data)
    train, val = split(full, 0.2, 3)
    mask = held_out_mask(held_exp, len(full))
    assert mask.sum() == len(val) == 6
    np.testing.assert_array_equal(full.x[mask], val.x)
    np.testing.assert_array_equal(full.x[~mask], train.x)
    for c in (compare(model, held_exp, untrained(exp), exp),                      # A's own data: its split
              compare(model, held_exp, untrained(exp), exp, data=full, held_out=mask)):
        keys = [r.key for r in c.rows]
        assert "max_wrong" not in keys and c.held_out == 6
        assert keys[4:8] == ["max_wrong_train", "mean_wrong_train", "max_wrong_val", "mean_wrong_val"]
        wrong = ((latent.reconstruct(model, full.x) >= 0.5) != (full.x >= 0.5)).sum(1)
        assert c.row("max_wrong_train").values[0] == wrong[~mask].max()
        assert c.row("max_wrong_val").values[0] == wrong[mask].max()
        assert c.row("mean_wrong_val").values[0] == pytest.approx(wrong[mask].mean())
        assert c.row("max_wrong_train").label == "max wrong pixels, training set"
    # No split, or another model's data: one count over all the samples, as before.
    plain = compare(model, exp, untrained(exp), exp)
    assert plain.held_out == 0 and "max_wrong" in [r.key for r in plain.rows] and held_out_mask(exp, 32) is None
