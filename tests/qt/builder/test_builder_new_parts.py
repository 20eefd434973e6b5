"""The builder offers the cosh activation, the L2-norm loss and dropout in English and in
Spanish, and a model using them comes back from the form exactly; the dropout row shows only
where dropout applies (fully connected layers, not the contractive kind)."""
from aegui.core.config.validation import with_changes
from aegui.core.schema.experiment import Experiment
from aegui.qt import i18n

from forms import pick


def row_label(builder, key: str) -> str:
    widget = builder.form.widget(key)
    return widget.parentWidget().layout().labelForField(widget).text()


def item_texts(combo) -> dict:
    return {combo.itemData(i): combo.itemText(i) for i in range(combo.count())}


def test_the_new_choices_and_the_dropout_row_in_both_languages(builder):
    hidden, loss = builder.form.widget("model.hidden_activation"), builder.form.widget("train.loss")
    english = (item_texts(hidden)["cosh"], item_texts(loss)["l2_norm"], row_label(builder, "model.dropout"))
    assert english == ("cosh", "L2 norm ‖x − x̂‖ (per sample)", "Dropout")
    assert "overflow" in hidden.toolTip()
    i18n.set_language("es")
    spanish = (item_texts(hidden)["cosh"], item_texts(loss)["l2_norm"], row_label(builder, "model.dropout"))
    assert spanish[1] == "norma L2 ‖x − x̂‖ (por muestra)" and "desbord" in hidden.toolTip()
    assert "entrenamiento" in builder.form.widget("model.dropout").toolTip()


def test_a_model_with_the_new_parts_round_trips_through_the_form(builder):
    exp = with_changes(Experiment(), model={"layers": (35, 16, 2, 16, 35), "hidden_activation": "cosh",
                                            "dropout": 0.1},
                       train={"loss": "l2_norm"})
    builder.set_experiment(exp)
    assert builder.form.widget("model.dropout").isVisibleTo(builder)
    assert builder.experiment() == exp
    builder.form.widget("model.dropout").setValue(25)
    assert builder.experiment().model.dropout == 0.25
    pick(builder.form.widget("model.kind"), "contractive")
    assert not builder.form.widget("model.dropout").isVisibleTo(builder)
    assert builder.experiment().model.dropout == 0.0      # hidden, it reads as off (the rules refuse it)
