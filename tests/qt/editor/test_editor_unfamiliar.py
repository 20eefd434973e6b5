"""The pixel editor says when a drawn glyph is unlike everything its model was trained on."""
from pathlib import Path

import numpy as np
import pytest

from aegui.qt import i18n

ROOT = Path(__file__).resolve().parents[3]

# Letters of no training font (Font1-3 hold ASCII only): Cyrillic Sha and Greek capital Omega.
SHA = ["#.#.#", "#.#.#", "#.#.#", "#.#.#", "#.#.#", "#.#.#", "#####"]
OMEGA = [".###.", "#...#", "#...#", "#...#", ".#.#.", ".#.#.", "##.##"]



def fallback_for(model, models):
    """(title, denoiser, model) of the local model the workspace would hand the editor."""
    from aegui.core.workspace.workspace import Workspace
    from aegui.qt.models.names import title
    ws = Workspace()
    ws.models = list(models)
    fb = ws.fallback_for(model)
    return None if fb is None else (title(fb), fb.denoiser(), fb)

def grid(rows):
    return np.array([[c == "#" for c in r] for r in rows], np.float32)


# The editor is imported in the fixtures, not at collection, so that importing it stays a
# test's business.
@pytest.fixture(scope="module")
def general():
    from aegui.core.runs.trained import open_trained as open_model
    return open_model(ROOT / "models" / "general-5x7-dae")


@pytest.fixture
def editor(qtbot, general):
    from aegui.qt.editor.pixel_editor import PixelEditor
    w = PixelEditor()
    qtbot.addWidget(w)
    w.resize(900, 500)
    w.show()
    w.set_dataset(general.dataset.labels, general.dataset.x)
    w.set_reconstruct(general.reconstructor(), general.familiarity())
    w.set_noise("salt_pepper", 10)
    return w


def test_letters_in_no_training_font_get_the_notice_and_training_glyphs_do_not(editor, general):
    assert not any(np.array_equal(grid(SHA).ravel(), g) for g in general.dataset.x)
    ds = general.dataset
    for label in ("A", "a", "3"):
        editor.set_glyph(ds.images()[ds.labels.index(label)])
        assert editor.unfamiliar_notice() == "" and not editor.unfamiliar_label.isVisible(), label
    for rows in (SHA, OMEGA):
        editor.set_glyph(grid(rows))
        notice = editor.unfamiliar_notice()
        assert notice.startswith("Your drawing is unlike the glyphs this model learned") and editor.unfamiliar_label.isVisible()
    i18n.set_language("es")
    assert editor.unfamiliar_notice().startswith("Tu dibujo no se parece a los glifos")
    editor.set_glyph(ds.images()[ds.labels.index("A")])
    assert editor.unfamiliar_notice() == "" and not editor.unfamiliar_label.isVisible()


def test_without_familiarity_there_is_no_notice(qtbot, general):
    from aegui.qt.editor.pixel_editor import PixelEditor
    w = PixelEditor()
    qtbot.addWidget(w)
    w.set_reconstruct(general.reconstructor())
    w.set_glyph(grid(SHA))
    assert w.unfamiliar_notice() == ""


@pytest.fixture(scope="module")
def local():
    from aegui.core.runs.trained import open_trained as open_model
    return open_model(ROOT / "models" / "general-5x7-local")


def test_an_unfamiliar_drawing_is_denoised_by_the_local_model(editor, general, local):
    from aegui.core.data.noise import apply_noise
    from aegui.core.models import latent
    fallback = fallback_for(general, [general, local])
    assert fallback is not None and fallback_for(local, [general, local]) is None
    editor.set_reconstruct(general.denoiser(), general.familiarity(), fallback)
    ds = general.dataset
    editor.set_glyph(ds.images()[ds.labels.index("A")])         # a glyph it knows: its own output
    assert not editor.fell_back() and not editor.fallback_check.isVisible()
    assert np.allclose(editor.output().ravel(), latent.denoise(general.model, editor.noisy().reshape(1, -1))[0])
    editor.set_glyph(grid(SHA))
    assert editor.fell_back() and "So the local model was used instead" in editor.unfamiliar_notice()
    assert editor.fallback_check.isVisible() and editor.fallback_check.isChecked()
    assert np.allclose(editor.output().ravel(), latent.denoise(local.model, editor.noisy().reshape(1, -1))[0])
    editor.fallback_check.setChecked(False)                       # the user's choice: the model itself
    assert not editor.fell_back() and editor.unfamiliar_notice().endswith("into a glyph it knows.")
    editor.fallback_check.setChecked(True)
    # Why: on the two letters of no training font, the local model's output is closer to the
    # drawing than the general model's, with no noise and at 10 % salt-and-pepper (50 copies).
    clean = np.stack([grid(SHA).ravel(), grid(OMEGA).ravel()])
    for level in (0.0, 0.1):
        copies = np.repeat(clean, 50, 0)
        noisy = apply_noise(copies, "salt_pepper", level, np.random.default_rng(0))
        wrong = {name: ((latent.denoise(e.model, noisy) >= 0.5) != (copies >= 0.5)).sum(1).mean()
                 for name, e in (("general", general), ("local", local))}
        assert wrong["local"] < wrong["general"] - 1, (level, wrong)
    i18n.set_language("es")
    try:
        assert editor.fallback_check.text().startswith("Usar el modelo local") and "se usó el modelo local" in editor.unfamiliar_notice()
    finally:
        i18n.set_language("en")


def test_a_drawing_the_model_knows_but_does_not_give_back_goes_to_the_local_model(editor, general, local):
    """Familiar (no notice) yet snapped: a 1-px shifted course glyph the MLP changes a little."""
    from aegui.core.data.augment import shift
    from aegui.core.models.familiarity import KNOWN, reconstruction_error
    fam = general.familiarity()
    img = general.dataset.x.reshape(-1, 7, 5) >= 0.5
    moved = shift(img, np.ones(len(img), bool), np.random.default_rng(0)).reshape(len(img), -1).astype(np.float32)
    errors = reconstruction_error(fam.reconstruct, moved)
    between = [i for i, e in enumerate(errors) if KNOWN < e <= fam.limit]
    assert between, "no shifted glyph between 'known' and 'unfamiliar' any more"
    editor.set_reconstruct(general.denoiser(), fam, fallback_for(general, [general, local]))
    editor.set_glyph(moved[between[0]].reshape(7, 5))
    assert editor.unfamiliar_notice() == "" and editor.fell_back() and editor.fallback_check.isVisible()
    assert editor.fallback_notice().startswith("The model does not give your drawing back as it is")
    assert "pixels' worth" not in editor.fallback_notice()
    editor.fallback_check.setChecked(False)
    assert not editor.fell_back() and editor.fallback_notice() == "" and not editor.unfamiliar_label.isVisible()
    editor.fallback_check.setChecked(True)


def test_the_local_model_s_notice_says_what_it_changed_in_plain_words(editor, general, local):
    """The notice said the local model denoised the glyph when it changed
    nothing, was ungrammatical ("Unlike the glyphs ..., so the local model denoised it") and spoke
    of "pixels' worth"."""
    editor.set_reconstruct(general.denoiser(), general.familiarity(), fallback_for(general, [general, local]))
    editor.set_noise("salt_pepper", 0)
    editor.set_glyph(grid(SHA))                     # no noise: the local model gives the strokes back
    assert editor.fell_back()
    out, noisy = editor.output() >= 0.5, editor.noisy() >= 0.5
    assert (out == noisy).all(), "the local model changed the clean drawing: pick another"
    notice = editor.unfamiliar_notice()
    assert "changed no pixel" in notice and "denoised" not in notice, notice
    assert notice.startswith("Your drawing is unlike") and "worth" not in notice, notice
    editor.set_noise("salt_pepper", 20)            # now it cleans: it says how many pixels
    for seed in range(40):
        editor.set_noise_seed(seed)
        n = int(((editor.output() >= 0.5) != (editor.noisy() >= 0.5)).sum())
        if n > 0 and editor.fell_back():
            break
    assert n > 0, "the local model cleaned none of 40 noise patterns"
    expected = "changed 1 pixel," if n == 1 else f"changed {n} pixels,"
    assert expected in editor.unfamiliar_notice(), editor.unfamiliar_notice()
