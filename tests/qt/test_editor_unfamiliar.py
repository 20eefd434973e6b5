"""The pixel editor says when a drawn glyph is unlike everything its model was trained on."""
from pathlib import Path

import numpy as np
import pytest

from aegui.qt import i18n

ROOT = Path(__file__).resolve().parents[2]

# Letters of no training font (Font1-3 hold ASCII only): Cyrillic Sha and Greek capital Omega.
SHA = ["#.#.#", "#.#.#", "#.#.#", "#.#.#", "#.#.#", "#.#.#", "#####"]
OMEGA = [".###.", "#...#", "#...#", "#...#", ".#.#.", ".#.#.", "##.##"]


def grid(rows):
    return np.array([[c == "#" for c in r] for r in rows], np.float32)


# The editor is imported in the fixtures, not at collection: "Clear" has two Spanish entries in
# the shared catalogue (pixel editor "Limpiar", latent tray "Vaciar") and the module imported
# last wins, which test_pixel_editor's Spanish check depends on.
@pytest.fixture(scope="module")
def general():
    from aegui.qt.models import open_model
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
        assert notice.startswith("Unlike the glyphs this model was trained on") and editor.unfamiliar_label.isVisible()
    i18n.set_language("es")
    assert editor.unfamiliar_notice().startswith("Distinto de los glifos")
    editor.set_glyph(ds.images()[ds.labels.index("A")])
    assert editor.unfamiliar_notice() == "" and not editor.unfamiliar_label.isVisible()


def test_without_familiarity_there_is_no_notice(qtbot, general):
    from aegui.qt.editor.pixel_editor import PixelEditor
    w = PixelEditor()
    qtbot.addWidget(w)
    w.set_reconstruct(general.reconstructor())
    w.set_glyph(grid(SHA))
    assert w.unfamiliar_notice() == ""
