"""How the window names a model, in every list that offers models: two runs of one config are told
apart (a number and the time they were trained), every list names a model with the same title,
and the toolbar's model combo shows a long title (a taught model's) whole, or shortened with the
whole in its tooltip, at the sizes a student's screen has, in both languages."""
import pytest
from PySide6.QtCore import Qt

from aegui.core.schema.experiment import Experiment, ModelSpec, TrainConfig
from aegui.core.runs.trained import TrainedModel, open_trained
from aegui.qt import i18n
from aegui.qt.window.layout_check import combo_problem
from aegui.qt.models.names import title


def train_from_builder(window, qtbot, exp):
    window.builder.set_experiment(exp)
    with qtbot.waitSignal(window.runner.finished, timeout=60000):
        qtbot.mouseClick(window.builder.train_button, Qt.MouseButton.LeftButton)


def listed(window) -> dict[str, list[str]]:
    """The texts of every list of models in the window."""
    combo = window.model_bar.model_combo
    menu = window.editor.denoiser.menu
    menu.aboutToShow.emit()              # filled as it opens
    return {"toolbar": [combo.itemText(i) for i in range(combo.count())],
            "compare A": [window.compare.choosers[0].itemText(i) for i in range(window.compare.choosers[0].count())],
            "compare B": [window.compare.choosers[1].itemText(i) for i in range(window.compare.choosers[1].count())],
            "editor": [a.text() for a in menu.actions()]}


def test_two_runs_of_one_config_have_different_titles_in_every_list(window, qtbot):
    exp = Experiment(name="my font3 25-10-2", model=ModelSpec(layers=(35, 25, 10, 2, 10, 25, 35)),
                     train=TrainConfig(epochs=20, check_every=10, seeds=1))
    train_from_builder(window, qtbot, exp)
    first = window.workspace.current
    train_from_builder(window, qtbot, exp)
    second = window.workspace.current
    assert first is not second and first.name == second.name
    assert first.path != second.path         # two runs never share (nor later delete) each other's files
    titles = title(first), title(second)
    assert titles[0] != titles[1], titles
    # Numbered per name: the first of its name has no number (the demo models opened before it
    # do not count), the second is #2.
    assert "#" not in titles[0] and titles[1].startswith("my font3 25-10-2 #2 — "), titles
    for where, texts in listed(window).items():
        ours = [t.rstrip(" *") for t in texts if t.startswith("my font3 25-10-2")]
        assert ours == list(titles), where


@pytest.fixture
def taught(window):
    """A model taught one glyph, chosen as the model shown (what Teach it… makes)."""
    ws = window.workspace
    base = next(m for m in ws.models if m.name.startswith("General 5x7 denoiser"))
    model = open_trained(base.path)
    model.name = base.name + " + 1 taught glyph"
    model.taught_from, model.trained, model.dirty = base, ("px", 0), True
    ws.report_taught(model)
    ws.set_current(model)
    return model


@pytest.mark.parametrize("size", [(1024, 700), (1280, 800)])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_model_combo_shows_a_taught_models_title_whole_or_with_it_in_the_tooltip(window, qtbot, taught,
                                                                                     size, lang):
    i18n.set_language(lang)
    window.resize(*size)
    combo = window.model_bar.model_combo
    qtbot.waitUntil(lambda: window.width() == size[0] and combo.currentText() != "", timeout=5000)
    whole = title(taught)

    def fits():
        assert combo_problem(combo) is None, combo_problem(combo)
    qtbot.waitUntil(fits, timeout=5000)
    text = combo.currentText()
    tail = whole[len(i18n.tr(taught.taught_from.name)):]      # " + 1 taught glyph — 0 px, 14:32"
    assert tail.startswith((" + 1 taught glyph — ", " + 1 glifo enseñado — "))
    assert text == whole + " *" or ("…" in text and text.endswith(tail + " *")), text
    assert whole in combo.toolTip()
    assert combo.itemData(combo.currentIndex(), Qt.ItemDataRole.ToolTipRole).startswith(whole)
    bar = window.model_bar
    assert combo.geometry().right() <= bar.contentsRect().right()
    assert combo_problem(combo) is None


def test_a_title_names_the_score_number_and_time_in_the_language_shown():
    entry = TrainedModel("Font3 3-D autoencoder", None, None, None, trained=("px", 0), number=2)
    assert title(entry) == "Font3 3-D autoencoder #2 — 0 px"
    i18n.set_language("es")
    assert title(entry) == "Font3 3-D autoencoder n.º 2 — 0 px"
    taught = TrainedModel("General 5x7 denoiser (all 96 glyphs, augmented, mixed noise) + 2 taught glyphs",
                          None, None, None)
    assert title(taught) == "Eliminador de ruido general de 5x7 (los 96 glifos, aumentados, ruido mixto) " \
                            "+ 2 glifos enseñados"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_200_character_name_leaves_the_model_combo_and_the_toolbar_as_wide_as_they_were(window, qtbot, lang):
    """Sized to its longest entry, the combo widened from 718 to 910 px for a long name, and the
    toolbar's size hint with it. Chosen in the list, a 200-character name is shortened instead,
    whole in the tooltip."""
    from aegui.qt.window.window_matrix import settle, show_as
    show_as(window, (1280, 800), lang, "light")
    combo, bar = window.model_bar.model_combo, window.model_bar
    before = (combo.width(), combo.sizeHint().width(), bar.sizeHint().width())
    long = open_trained(window.workspace.models[0].path)
    long.name = ("a very long model name " * 9)[:200]
    window.workspace.add(long, make_current=False)
    settle()
    combo.setCurrentIndex(next(i for i, m in enumerate(bar._choices) if m is long))     # chosen in the list
    settle()
    assert window.workspace.current is long
    assert (combo.width(), combo.sizeHint().width(), bar.sizeHint().width()) == before
    assert "…" in combo.currentText() and combo_problem(combo) is None
    assert long.name in combo.toolTip() and combo.geometry().right() <= bar.contentsRect().right()
