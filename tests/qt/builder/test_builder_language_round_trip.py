"""The model builder, the dataset download dialog, the shared widgets, the network view and the
perspective switch follow a change of language through aegui.qt.i18n's one mechanism (bind_text /
on_language): none of their modules re-translates itself, a widget switched to Spanish shows what
one made in Spanish shows, and a round trip to Spanish and back shows exactly the English it showed
before."""
import pytest
from PySide6.QtWidgets import QWidget

from aegui.qt import i18n
from tests.qt.shown_texts import shown_texts


def make_all(qtbot) -> list[QWidget]:
    from aegui.qt.builder.fetch_dialog import FetchDialog
    from aegui.qt.builder.model_builder import ModelBuilder
    from aegui.qt.network.network_view import NetworkView
    from aegui.qt.widgets.glyphs.marks import CHANGED, WRONG, MarkLegend
    builder = ModelBuilder()
    builder.set_source("emoji")        # the subcategory picker's lists, the emoji sizes
    builder.form.widget("train.learning_rate").setText("abc")      # a marked field, its problem as its tip
    made = [builder, FetchDialog(), NetworkView(), MarkLegend((WRONG, CHANGED))]
    for w in made:
        qtbot.addWidget(w)
    return made


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("AEGUI_HOME", str(tmp_path / "home"))     # no dataset downloaded, none registered


def test_switched_to_spanish_they_show_what_they_show_made_in_spanish_and_back_the_same_english(qtbot, home):
    made = make_all(qtbot)
    english = [shown_texts(w) for w in made]
    i18n.set_language("es")
    switched = [shown_texts(w) for w in made]
    assert switched == [shown_texts(w) for w in make_all(qtbot)]
    assert sum(a != b for e, s in zip(english, switched) for a, b in zip(e, s)) >= 100
    i18n.set_language("en")
    assert [shown_texts(w) for w in made] == english
