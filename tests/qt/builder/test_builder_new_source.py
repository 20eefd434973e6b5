"""A newly registered data source shows in the model builder with no code of the builder's own: its
name is offered under its label (in Spanish once the catalogue has it), picking it shows the rows it
declares and hides the others, and the form's experiment reads it, sized from its sample shape."""
import pytest

from aegui.core.data import sources
from aegui.core.config.validation import validate
from aegui.qt import i18n
from aegui.qt.builder.model_builder import ModelBuilder
from tests.core.data.bars_source import Bars
from tests.qt.builder.forms import pick

SPANISH = "Barras y franjas"     # what its line in resources/i18n/es.json would say


@pytest.fixture
def bars(monkeypatch):
    source = sources.register(Bars())
    monkeypatch.setitem(i18n._catalog["es"], source.label, SPANISH)
    yield source
    i18n.set_language("en")     # while the builder still knows it: switching retranslates the form
    sources.unregister(source.name)


def test_the_builder_offers_a_registered_source_with_its_rows(bars, qtbot):
    b = ModelBuilder()
    qtbot.addWidget(b)
    b.resize(340, 900)
    b.show()
    combo = b.form.widget("data.source")
    offered = [combo.itemData(i) for i in range(combo.count())]
    assert offered == list(sources.SOURCES) and offered[-1] == "bars"
    i = combo.findData("bars")
    assert combo.itemText(i) == bars.label
    i18n.set_language("es")
    assert combo.itemText(i) == SPANISH

    pick(combo, "bars")
    assert b.form.widget("data.size").isVisibleTo(b) and b.form.widget("data.max_samples").isVisibleTo(b)
    for key in ("data.color", "data.folder", "data.images", "data.classes"):
        assert b.form.widget(key).isHidden(), key
    assert b.data.fonts_row.isHidden() and b.data.emoji_size_combo.isHidden()
    b.form.widget("data.size").setValue(6)
    exp = b.experiment()
    validate(exp)
    assert (exp.data.source, exp.data.size, exp.data.path) == ("bars", 6, "")
    assert exp.model.full_layers[0] == exp.model.full_layers[-1] == 36


def test_its_own_rule_marks_its_row(bars, qtbot):
    b = ModelBuilder()
    qtbot.addWidget(b)
    pick(b.form.widget("data.source"), "bars")
    b.form.widget("data.size").setValue(12)
    with pytest.raises(ValueError, match="4 to 8 px"):
        b.experiment()
