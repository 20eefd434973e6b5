"""The sweep editor reads the field descriptions the builder reads: the fields it offers and how it
parses them, the field's own editor to pick a value with, and the predicates that say a varied
field applies to none of the configs."""
import pytest

from aegui.core.schema.experiment import Experiment
from aegui.core.config.validation import with_changes
from aegui.core.config.fields import config_fields
from aegui.qt import i18n
from aegui.qt.experiments.sweep_editor import SweepEditor, field_types, parse_value
from aegui.qt.widgets.inputs.layer_editor import NumberEdit


@pytest.fixture
def editor(qtbot):
    ed = SweepEditor()
    qtbot.addWidget(ed)
    ed.resize(420, 900)
    ed.show()
    ed.set_base(Experiment())
    return ed


def test_the_fields_offered_are_the_described_ones():
    types = field_types()
    assert set(types) == {f.key for f in config_fields()} - {"train.seeds", "train.target_max_wrong"}
    assert (types["model.layers"], types["data.fonts"], types["train.learning_rate"]) == ("ints", "names", "float")
    assert parse_value(types["model.layers"], "35-16-2-16-35", 1) == [35, 16, 2, 16, 35]
    assert parse_value(types["data.fonts"], "Font1+Font2", 1) == ["Font1", "Font2"]
    assert parse_value(types["noise.level"], "20%", 1) == 0.2
    assert parse_value(types["model.mirror"], "yes", 1) is True


def test_a_varied_field_offers_its_own_editor_and_adds_the_values_picked(editor):
    row = editor.add_row("train.optimizer")
    combo = row.picker.widget
    assert combo.currentData() == "adam"                    # the base's value to start from
    assert combo.itemText(combo.findData("momentum")) == "SGD + momentum"
    row.picker.set_value("momentum")
    row.add_value_button.click()
    row.add_value_button.click()                             # a value already there is not repeated
    row.picker.set_value("sgd")
    row.add_value_button.click()
    assert row.values_edit.toPlainText() == "momentum\nsgd"
    assert editor.validate().vary == {"train.optimizer": ["momentum", "sgd"]}

    lr = editor.add_row("train.learning_rate")
    assert isinstance(lr.picker.widget, NumberEdit) and lr.picker.widget.text() == "0.01"
    lr.picker.widget.setText("abc")
    lr.add_value_button.click()
    assert lr.picker.owner.property("invalid") is True and lr.values_edit.toPlainText() == ""
    lr.picker.widget.setText("1e-3")
    lr.add_value_button.click()
    assert lr.values_edit.toPlainText() == "0.001" and not lr.picker.owner.property("invalid")
    # Lists are typed: no editor to pick one with.
    layers = editor.add_row("model.layers")
    assert layers.picker is None and layers.add_value_button.isHidden()
    i18n.set_language("es")
    assert combo.itemText(combo.findData("momentum")) == "SGD + momento"
    assert row.add_value_button.text() == "Añadir valor"


def test_a_field_that_applies_to_no_config_says_so(editor):
    beta = editor.add_row("model.beta", [0.5, 1.0])
    editor.validate()
    assert beta.note.isVisibleTo(editor)
    assert beta.note.text().startswith("β (KL weight) applies to none of these configs")
    # Once one config is a VAE, β counts.
    editor.add_row("model.kind", ["ae", "vae"])
    editor.validate()
    assert not beta.note.isVisibleTo(editor)
    editor.set_base(with_changes(Experiment(), model={"kind": "vae"}))
    editor.remove_row(editor.row("model.kind"))
    editor.validate()
    assert not beta.note.isVisibleTo(editor)
    assert beta.picker.widget.text() == "1"                  # the new base's β
