"""A newly registered architecture shows in the model builder with no code of the builder's own:
its name is offered under its label (in Spanish once the catalogue has it), and picking it lays
out the model its rows describe."""
import pytest

from aegui.core import archs
from aegui.core.config.validation import validate
from aegui.qt import i18n
from aegui.qt.builder.model_builder import ModelBuilder
from tests.core.archs.tied_arch import Tied

SPANISH = "pesos atados (una capa oculta)"     # what its line in resources/i18n/es.json would say


@pytest.fixture
def tied(monkeypatch):
    arch = archs.register(Tied())
    monkeypatch.setitem(i18n._catalog["es"], arch.label, SPANISH)
    yield arch
    i18n.set_language("en")     # while the builder still knows it: switching retranslates the form
    archs.unregister(arch.name)


def test_the_builder_offers_a_registered_architecture_under_its_label(tied, qtbot):
    b = ModelBuilder()
    qtbot.addWidget(b)
    combo = b.form.widget("model.arch")
    offered = [combo.itemData(i) for i in range(combo.count())]
    assert offered == list(archs.ARCHS) and offered[-1] == "tied"
    i = combo.findData("tied")
    assert combo.itemText(i) == tied.label
    i18n.set_language("es")
    assert combo.itemText(i) == SPANISH

    combo.setCurrentIndex(i)
    b.form.widget("model.latent").setValue(6)
    exp = b.experiment()
    validate(exp)
    assert exp.model.arch == "tied" and exp.model.full_layers == (35, 6, 35)
